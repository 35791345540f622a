package checks

import (
	"sort"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// argRefIndex says, for each variable name, which instructions reference it
// (argRefPattern) and which ARGs declare it, each list in file order. It is
// read once per Dockerfile: matching every instruction against the pattern
// of every secret ARG was quadratic in the number of ARGs.
type argRefIndex struct {
	mu     sync.Mutex
	refs   map[string][]*Instruction
	decls  map[string][]*Instruction
	odd    map[string][]*Instruction // names that are not plain words, matched by pattern on demand
	pos    map[*Instruction]int      // index in its stage
	runs   map[*Instruction]int      // RUNs of its stage before it
	inside map[refKey]bool           // a stage built on the stage references the name
}

type refKey struct {
	name  string
	stage *Stage
}

// argRefsOf returns the file's index, built on first use.
func argRefsOf(df *Dockerfile) *argRefIndex {
	df.argRefsOnce.Do(func() {
		x := &argRefIndex{refs: map[string][]*Instruction{}, decls: map[string][]*Instruction{}, odd: map[string][]*Instruction{},
			pos: map[*Instruction]int{}, runs: map[*Instruction]int{}, inside: map[refKey]bool{}}
		for _, st := range df.Stages {
			runs := 0
			for i, in := range st.Instructions {
				x.pos[in], x.runs[in] = i, runs
				if in.Cmd == "run" {
					runs++
				}
				if arg, ok := in.Command.(*instructions.ArgCommand); ok {
					for _, kv := range arg.Args {
						if l := x.decls[kv.Key]; len(l) == 0 || l[len(l)-1] != in {
							x.decls[kv.Key] = append(l, in)
						}
					}
				}
				text := in.Text(df)
				df.Budget.Spend(int64(len(text)), "ARG references")
				for _, name := range referencedWords(text) {
					x.refs[name] = append(x.refs[name], in)
				}
			}
		}
		df.argRefs = x
	})
	return df.argRefs
}

// referencedWords returns the names that $NAME, ${NAME and %NAME% reference
// in text, each once, where NAME is a run of word characters ([0-9A-Za-z_]):
// for such a name this is exactly where argRefPattern matches.
func referencedWords(text string) []string {
	var out []string
	add := func(w string) {
		for _, o := range out {
			if o == w {
				return
			}
		}
		out = append(out, w)
	}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '$':
			j := i + 1
			if j < len(text) && text[j] == '{' {
				j++
			}
			k := j
			for k < len(text) && isWordByte(text[k]) {
				k++
			}
			if k > j {
				add(text[j:k])
			}
		case '%':
			k := i + 1
			for k < len(text) && isWordByte(text[k]) {
				k++
			}
			if k > i+1 && k < len(text) && text[k] == '%' {
				add(text[i+1 : k])
			}
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func wordName(name string) bool {
	for i := 0; i < len(name); i++ {
		if !isWordByte(name[i]) {
			return false
		}
	}
	return name != ""
}

// referencing returns the instructions that reference name, in file order.
func (x *argRefIndex) referencing(df *Dockerfile, name string) []*Instruction {
	if wordName(name) {
		return x.refs[name]
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if l, ok := x.odd[name]; ok {
		return l
	}
	re := argRefPattern(name)
	var l []*Instruction
	for _, st := range df.Stages {
		for _, in := range st.Instructions {
			if re.MatchString(in.Text(df)) {
				l = append(l, in)
			}
		}
	}
	x.odd[name] = l
	return l
}

// after returns the tail of l (in file order) after instruction in.
func after(l []*Instruction, in *Instruction) []*Instruction {
	return l[sort.Search(len(l), func(j int) bool { return l[j].StartLine > in.StartLine }):]
}

// builtOnReferences reports whether a stage built on st (st itself not
// counted) references name.
func (x *argRefIndex) builtOnReferences(df *Dockerfile, st *Stage, name string) bool {
	refs := x.referencing(df, name)
	x.mu.Lock()
	defer x.mu.Unlock()
	key := refKey{name, st}
	if v, ok := x.inside[key]; ok {
		return v
	}
	v := false
	if !df.Budget.Spend(int64(len(refs)), "ARG references") {
		return true
	}
	for _, in := range refs {
		if in.Stage != st && builtOn(in.Stage, st) {
			v = true
			break
		}
	}
	x.inside[key] = v
	return v
}
