package checks

// hardcoded-secret's reading of a RUN that the shell parser reads: the
// values that its parsed commands give to secret-looking names (NAME=value
// assignments and env prefixes, --flag=value and --flag value, the password
// slots of known tools, the text of the heredocs they read), rather than a
// guess at words from the raw lines. The comments inside the continuation,
// which BuildKit drops and the parser never sees, are still read as text.

import (
	"slices"
	"sort"
	"strings"
)

// runAssignments returns the literal secrets of a RUN that the parser
// reads, as offsets in text (the instruction's masked lines, whose roles
// are roles; raw is what the text gives read as text); ok is false for other instructions and for a
// script the parser refuses, whose text is read as it is.
func runAssignments(st *State, in *Instruction, text string, roles []lineRole, raw []textAssignment, s *Settings, budget *Budget) ([]textAssignment, bool) {
	if in == nil || in.Cmd != "run" {
		return nil, false
	}
	cmds, ok := in.runCommands()
	if !ok {
		return nil, false
	}
	loc := newValueLocator(text, roles)
	var out []textAssignment
	// Each pipeline as one line of its words, requoted where a word holds
	// a blank: the patterns read what the shell passes, with no quotes,
	// comments or continuations left to guess at.
	var lines, bodies strings.Builder
	pipeline := -1
	for _, c := range cmds {
		if len(c.Words) == 0 && len(c.Assigns) == 0 {
			continue
		}
		switch {
		case lines.Len() == 0:
		case c.Pipeline == pipeline:
			lines.WriteString(" | ")
		default:
			lines.WriteByte('\n')
		}
		pipeline = c.Pipeline
		words := append(slices.Clone(c.Assigns), c.Words...)
		for _, r := range c.Redirs {
			switch {
			case r.Op == "<<<":
				words = append(words, r.Target)
			case r.Op == "<<":
				// A heredoc is what the command reads: text, as a file is.
				bodies.WriteString(r.Body)
				bodies.WriteByte('\n')
			}
		}
		for i, w := range words {
			if i > 0 {
				lines.WriteByte(' ')
			}
			lines.WriteString(requoteWord(w))
		}
	}
	// Shell comments run nothing, but the instruction holds them.
	for _, c := range in.runComments() {
		bodies.WriteString(c)
		bodies.WriteByte('\n')
	}
	for _, src := range []string{lines.String(), bodies.String()} {
		for _, a := range st.findAssignments(src, s, budget) {
			if start, ok := loc.find(src[a.start:a.end]); ok {
				out = append(out, textAssignment{key: a.key, start: start, end: start + a.end - a.start})
				continue
			}
			// A value the source writes otherwise (a backslash or
			// quotes inside it): the raw text's reading of the same key.
			for _, r := range raw {
				if r.key == a.key {
					out = append(out, r)
				}
			}
		}
	}
	// The comments inside the continuation, at their own offsets.
	out = append(out, st.findAssignments(loc.comments(), s, budget)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return dedupeAssignments(out), true
}

// runMayAssign is the prefilter of the parsed reading: a RUN is parsed
// when its text, as it is or with its quotes and backslashes taken out
// (closer to the words the parser gives), holds a candidate.
func runMayAssign(st *State, in *Instruction, text string, raw []textAssignment, s *Settings, budget *Budget) bool {
	if in == nil || in.Cmd != "run" {
		return false
	}
	if len(raw) > 0 {
		return true
	}
	return strings.ContainsAny(text, `"'\`) && len(st.findAssignments(quoteStripper.Replace(text), s, budget)) > 0
}

// requoteWord puts a word that holds a blank back in quotes, so that the
// text patterns read it as the one word it is: double quotes unless it
// holds one, as a quoted SQL or JSON literal inside it reads best.
func requoteWord(w string) string {
	switch {
	case !strings.ContainsAny(w, " \t\n"):
		return w
	case !strings.Contains(w, `"`):
		return `"` + w + `"`
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// valueLocator finds a value that a parsed command holds in the lines it
// came from: the first place, outside the comments, not already taken.
type valueLocator struct {
	text   string
	starts []int // offset of each line
	roles  []lineRole
	taken  map[int]bool
}

func newValueLocator(text string, roles []lineRole) *valueLocator {
	l := &valueLocator{text: text, starts: []int{0}, roles: roles, taken: map[int]bool{}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

func (l *valueLocator) role(off int) lineRole {
	i := sort.SearchInts(l.starts, off+1) - 1
	if i < 0 || i >= len(l.roles) {
		return roleSkip
	}
	return l.roles[i]
}

func (l *valueLocator) find(v string) (int, bool) {
	if v == "" {
		return 0, false
	}
	for from := 0; from < len(l.text); {
		k := strings.Index(l.text[from:], v)
		if k < 0 {
			return 0, false
		}
		at := from + k
		if r := l.role(at); !l.taken[at] && (r == roleCommand || r == roleBody) {
			l.taken[at] = true
			return at, true
		}
		from = at + 1
	}
	return 0, false
}

// comments returns the text with every line but the comments blanked, so
// that offsets stay those of the text.
func (l *valueLocator) comments() string {
	b := []byte(l.text)
	for i, start := range l.starts {
		if i < len(l.roles) && l.roles[i] == roleComment {
			continue
		}
		for j := start; j < len(b) && b[j] != '\n'; j++ {
			b[j] = ' '
		}
	}
	return string(b)
}
