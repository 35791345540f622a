package checks

// The stage lineage: what of a file that an instruction leaves in its stage
// reaches a built image. Every rule that asks "does this ship" asks it here
// (Reaches), so that each follows FROM <stage> and COPY --from the same way.
//
// What ships (DESIGN.md section 1): every layer of a stage that a target is
// or inherits from (Stage.Inherited); of any other stage, only the paths
// that a COPY --from of a shipped stage copies out of it or of a stage built
// on it (a COPY --from=c, where c is FROM b, reads what b wrote). A COPY
// --from into a stage that does not ship whole ships only as far as a
// further COPY --from carries it. A RUN that removes the file in a later
// instruction of the lineage leaves it in the earlier layer of a stage that
// ships whole, and keeps it from any COPY --from after it.

import (
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// stageLineage is the lineage model of one Dockerfile, built once
// (Dockerfile.lineage); rules share it.
type stageLineage struct {
	df *Dockerfile
	// at is the working folder and the user's home folder (USER, ENV HOME)
	// at each instruction of a stage, by Instruction.index (stateAt).
	at []stageShellState
	// byRead lists the COPY --from sources of shipped stages, ordered by
	// the place in Stage.enter order of the stage they read, so that those
	// reading a stage built on s are one range.
	byRead []carrier

	mu       sync.Mutex
	carriers map[*Stage][]carrier // carriersOf, per stage asked; nil until then

	// The removals of the RUN instructions, read from the file model on
	// first use: only a lineage through COPY --from needs them.
	removesOnce sync.Once
	removes     []*fileRemoval
}

// carrier is one source of a COPY --from in a shipped stage.
type carrier struct {
	in        *Instruction
	to        *Stage // the stage the COPY --from is in
	from      *Stage // the stage it reads
	src, dest string // absolute and clean
	destDir   bool
	wild      bool // src has a wildcard
	named     bool // src names a secret path: secret-file-copied's line
	seq       int  // its place in the file
}

// lineage returns the file's lineage model, built on first use.
func (df *Dockerfile) lineage() *stageLineage {
	df.lineageOnce.Do(func() { df.lineageModel = buildStageLineage(df) })
	return df.lineageModel
}

// stateAt returns the working folder and home folder at an instruction
// after a FROM; zero for a FROM, a meta ARG or an ONBUILD trigger.
func (l *stageLineage) stateAt(in *Instruction) stageShellState {
	if i := int(in.index); i < len(l.at) && l.df.Instructions[i] == in {
		return l.at[i]
	}
	return stageShellState{}
}

// dirOf returns the working folder at an instruction (stateAt).
func (l *stageLineage) dirOf(in *Instruction) string {
	return l.stateAt(in).dir
}

// userHome returns the home folder of the user a RUN runs as: /root unless
// USER or ENV HOME set an absolute one.
func (l *stageLineage) userHome(in *Instruction) string {
	if h := l.stateAt(in).home; strings.HasPrefix(h, "/") {
		return h
	}
	return "/root"
}

func buildStageLineage(df *Dockerfile) *stageLineage {
	l := &stageLineage{df: df, at: make([]stageShellState, len(df.Instructions))}
	// The state at the end of each stage, by Stage.Index; a stage's base
	// is always an earlier stage.
	final := make([]stageShellState, len(df.Stages))
	for _, s := range df.Stages {
		st := stageShellState{dir: "/", home: "/root"}
		if s.BaseStage != nil {
			st = final[s.BaseStage.Index]
		}
		for _, in := range s.Instructions {
			l.at[in.index] = st
			if dir, ok := in.workdir(); ok {
				st.dir = joinStagePath(st.dir, dir)
			} else if user, ok := in.user(); ok {
				st.home = userHome(user)
			}
			switch c := in.Command.(type) {
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if kv.Key == "HOME" && !strings.Contains(kv.Value, "$") {
						st.home = path.Clean(kv.Value)
					}
				}
			case *instructions.CopyCommand:
				if s.Shipped {
					l.addCarriers(in, c)
				}
			}
		}
		final[s.Index] = st
	}
	slices.SortStableFunc(l.byRead, func(a, b carrier) int { return a.from.enter - b.from.enter })
	return l
}

// addCarriers records the sources of a COPY --from that reads a stage.
func (l *stageLineage) addCarriers(in *Instruction, c *instructions.CopyCommand) {
	if c.From == "" {
		return
	}
	from := l.df.StageRef(c.From)
	if from == nil {
		return
	}
	dest := joinStagePath(l.dirOf(in), c.DestPath)
	destDir := strings.HasSuffix(c.DestPath, "/") || len(c.SourcePaths) > 1
	for _, src := range c.SourcePaths {
		_, named := SecretPath(src)
		l.byRead = append(l.byRead, carrier{in: in, to: in.Stage, from: from, src: joinStagePath("/", src), dest: dest,
			destDir: destDir, wild: hasWildcard(src), named: named, seq: len(l.byRead)})
	}
}

// carriersOf returns the COPY --from sources of shipped stages that read s
// or a stage built on it, in file order.
func (l *stageLineage) carriersOf(s *Stage) []carrier {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cs, ok := l.carriers[s]; ok {
		return cs
	}
	lo := sort.Search(len(l.byRead), func(i int) bool { return l.byRead[i].from.enter >= s.enter })
	hi := sort.Search(len(l.byRead), func(i int) bool { return l.byRead[i].from.enter > s.leave })
	cs := slices.Clone(l.byRead[lo:hi])
	slices.SortFunc(cs, func(a, b carrier) int { return a.seq - b.seq })
	if l.carriers == nil {
		l.carriers = map[*Stage][]carrier{}
	}
	l.carriers[s] = cs
	return cs
}

// copiedOut reports whether a COPY --from of a shipped stage reads s or a
// stage built on it.
func (l *stageLineage) copiedOut(s *Stage) bool {
	return len(l.carriersOf(s)) > 0
}

// Reach says how a file reaches a built image.
type Reach struct {
	// Via is the COPY --from, in a stage that ships whole, that carries
	// the file into an image (the last of a chain of them, the first in
	// file order where several do); nil when the file's stage ships whole.
	Via *Instruction
	// Named reports that a COPY --from that takes the file on its way to
	// an image names a secret path in its source: that line is
	// secret-file-copied's to report.
	Named bool
	// RemovedBy is, for a stage that ships whole, the later instruction
	// that removes the file from every target built on it: the layer that
	// created it still ships.
	RemovedBy *Instruction
}

// Reaches reports whether the file that in leaves in its stage reaches a
// built image, and how. paths are the readings of where the file lands
// (absolute and clean; COPY key /etc/app may put it at /etc/app or at
// /etc/app/key), dir that it is a folder, of which a removal of any part
// counts and a copy of any part ships.
func (l *stageLineage) Reaches(in *Instruction, dir bool, paths ...string) (Reach, bool) {
	s := in.Stage
	if s == nil || !s.Shipped || len(paths) == 0 {
		return Reach{}, false
	}
	if s.Inherited {
		var removed *Instruction
		for _, t := range l.df.Targets {
			if !builtOn(t, s) {
				continue
			}
			r := l.removedAfter(in, t, dir, paths)
			if r == nil {
				return Reach{}, true
			}
			if removed == nil {
				removed = r
			}
		}
		if removed != nil {
			return Reach{RemovedBy: removed}, true
		}
	}
	return l.carried(in, dir, paths, map[*Stage]bool{})
}

// carried follows the file through the COPY --from instructions that read
// in's stage or a stage built on it; each stage is walked once per
// question, which keeps a fan of COPY --from chains linear.
func (l *stageLineage) carried(in *Instruction, dir bool, paths []string, seen map[*Stage]bool) (Reach, bool) {
	s := in.Stage
	if seen[s] {
		return Reach{}, false
	}
	seen[s] = true
	cs := l.carriersOf(s)
	if !l.df.Budget.Spend(int64(1+len(cs)), "stage lineage") {
		return Reach{}, false
	}
	var out Reach
	found := false
	for _, k := range cs {
		landing, ok := "", false
		for _, p := range paths {
			if landing, ok = copiedFrom(k.src, p, k.dest, k.destDir, dir); ok {
				break
			}
		}
		if !ok || found && !k.named || l.removedAfter(in, k.from, dir, paths) != nil {
			continue
		}
		var next Reach
		if !k.to.Inherited {
			// Into a stage that ships only what is copied out of it.
			if next, ok = l.carried(k.in, dir, []string{landing}, seen); !ok {
				continue
			}
		}
		via := k.in
		if next.Via != nil {
			via = next.Via // the COPY --from of the stage that ships it
		}
		if k.named || next.Named {
			return Reach{Via: via, Named: true}, true
		}
		out, found = Reach{Via: via}, true
	}
	return out, found
}

// removedAfter returns the first instruction after in, in the lineage from
// in's stage to end, that removes the file, or nil. The stages of a lineage
// come in file order, so the first is the one on the lowest line.
func (l *stageLineage) removedAfter(in *Instruction, end *Stage, dir bool, paths []string) *Instruction {
	removes := l.removals()
	if len(removes) == 0 {
		return nil
	}
	if !l.df.Budget.Spend(int64(len(removes)), "stage lineage") {
		return nil
	}
	var first *Instruction
	for _, r := range removes {
		at := r.in
		if at.StartLine <= in.StartLine || (first != nil && at.StartLine >= first.StartLine) ||
			!builtOn(end, at.Stage) || !builtOn(at.Stage, in.Stage) || !removalCovers(r.path, dir, paths) {
			continue
		}
		first = at
	}
	return first
}

// removals returns the paths that RUN instructions remove, which the file
// model reads with the rest of each RUN.
func (l *stageLineage) removals() []*fileRemoval {
	l.removesOnce.Do(func() {
		if m := newSecretFileModel(l.df); m != nil {
			l.removes = m.removes
		}
	})
	return l.removes
}

// removedUnder reports whether a RUN after in, in its stage or a stage
// built on it, removes something at dest, above it or inside it.
func (l *stageLineage) removedUnder(in *Instruction, dest string) bool {
	for _, r := range l.removals() {
		if r.in.StartLine <= in.StartLine || !builtOn(r.in.Stage, in.Stage) {
			continue
		}
		p := r.path
		for hasWildcard(p) {
			p = path.Dir(p)
		}
		if pathWithin(p, dest) || pathWithin(dest, p) {
			return true
		}
	}
	return false
}

// removalCovers reports whether removing r removes the file or folder at
// one of paths: the same path, a folder above it, a glob that matches
// either, or for a folder a path inside it (part of the folder is gone, the
// rest stays, and the layer below keeps all of it anyway).
func removalCovers(r string, dir bool, paths []string) bool {
	for _, p := range paths {
		if p != "" && (pathWithin(p, r) || globCoversPath(r, p) || (dir && pathWithin(r, p))) {
			return true
		}
	}
	return false
}

// copiedFrom reports whether a COPY --from source (absolute, cleaned)
// takes the file or folder at p, and where it lands below dest; a source
// inside the folder p takes part of it.
func copiedFrom(src, p, dest string, destDir, dir bool) (string, bool) {
	switch {
	case src == p:
		if destDir {
			return path.Join(dest, path.Base(p)), true
		}
		return dest, true
	case src == "/" || strings.HasPrefix(p, src+"/"):
		return path.Join(dest, strings.TrimPrefix(p, strings.TrimSuffix(src, "/")+"/")), true
	case dir && pathWithin(src, p):
		return dest, true
	}
	if !hasWildcard(src) {
		return "", false
	}
	// The glob matches the file or a folder above it.
	for q := p; q != "/" && q != "." && q != ""; q = path.Dir(q) {
		if ok, _ := path.Match(src, q); ok {
			if q == p {
				return path.Join(dest, path.Base(p)), true
			}
			return path.Join(dest, strings.TrimPrefix(p, q+"/")), true
		}
	}
	return "", false
}

// stageShellState is the working folder and the user's home folder at an
// instruction.
type stageShellState struct{ dir, home string }

// userHome is the home folder of a USER: /root for root, /home/<name> for
// others, ~ when a variable names the user.
func userHome(user string) string {
	name, _, _ := strings.Cut(user, ":")
	switch {
	case name == "" || name == "root" || name == "0":
		return "/root"
	case strings.Contains(name, "$"):
		return "~"
	}
	return "/home/" + name
}

// joinStagePath resolves p against dir the way WORKDIR and COPY do.
func joinStagePath(dir, p string) string {
	if p == "" {
		return dir
	}
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "$") || strings.HasPrefix(p, "~") || dir == "" {
		return path.Clean(p)
	}
	return path.Clean(dir + "/" + p)
}
