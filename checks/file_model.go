package checks

// The secret-file model: the secret files each COPY, ADD and RUN puts into
// a stage, what removes them, and whether they reach a built image through
// the stage lineage or a COPY --from.
//
// The file rules follow each secret file through the stages: where a COPY,
// an ADD or a RUN puts it, whether a later instruction removes it, and
// whether it reaches a built image.
//
// What ships (DESIGN.md section 1): every layer of a stage that a target is
// or inherits from (Stage.Inherited), and of any other stage only the paths
// that a shipped stage copies out with COPY --from. A file removed in a later
// instruction of an inherited stage still ships in the earlier layer.
//
// One finding per cause: when a later instruction removes the file,
// deleted-later reports the line that created it and secret-file-copied and
// secret-mount-persisted stand down, because "the RUN on line N does not
// remove it" is the better explanation of the same line.

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// secretFileWrite is a secret file that an instruction puts into its stage.
type secretFileWrite struct {
	in *Instruction
	// path is where it lands, absolute and clean when the instruction's
	// folder is known; alt is the other reading when the destination may be
	// an existing folder (COPY key /etc/app puts /etc/app/key there).
	path, alt string
	dir       bool   // a folder: removing a file inside it does not remove it all
	kind      string // SecretPath's kind, or "" for a copy of a mounted secret
	mount     string // the secret's id when a RUN copies a mounted secret
	via       string // for RUN: the command that writes it
	shown     string // the path as the message names it
	span      Span
	order     int // position inside the instruction
	// src is a COPY or ADD source as written; heredoc is a heredoc
	// source, whose content the Dockerfile holds.
	src     string
	heredoc *instructions.SourceContent
}

// fileRemoval is a path that a RUN removes.
type fileRemoval struct {
	in    *Instruction
	path  string
	order int
}

// secretFileModel holds the secret files and removals of one Dockerfile.
type secretFileModel struct {
	df      *Dockerfile
	writes  []*secretFileWrite
	removes []*fileRemoval
	// copyDir is the folder in effect at each COPY, ADD and RUN, the
	// only instructions read again after the model is built.
	copyDir map[*Instruction]string
	// runHome is the user's home folder at each RUN.
	runHome map[*Instruction]string
	// copiesFrom lists, for each stage, the COPY --from instructions of
	// shipped stages that read it, in file order.
	copiesFrom map[*Stage][]*Instruction
}

type stageShellState struct{ dir, home string }

// newSecretFileModel returns the file's model, built on first use; rules
// only read it.
func newSecretFileModel(df *Dockerfile) *secretFileModel {
	if df == nil || len(df.Stages) == 0 {
		return nil
	}
	df.fileModelOnce.Do(func() { df.fileModel = buildSecretFileModel(df) })
	return df.fileModel
}

func buildSecretFileModel(df *Dockerfile) *secretFileModel {
	m := &secretFileModel{df: df, copyDir: map[*Instruction]string{}, runHome: map[*Instruction]string{}, copiesFrom: map[*Stage][]*Instruction{}}
	final := map[*Stage]stageShellState{}
	for _, s := range df.Stages {
		st := stageShellState{dir: "/", home: "/root"}
		if s.BaseStage != nil {
			st = final[s.BaseStage]
		}
		for _, in := range s.Instructions {
			switch c := in.Command.(type) {
			case *instructions.WorkdirCommand:
				st.dir = joinStagePath(st.dir, c.Path)
			case *instructions.UserCommand:
				st.home = userHome(c.User)
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if kv.Key == "HOME" && !strings.Contains(kv.Value, "$") {
						st.home = path.Clean(kv.Value)
					}
				}
			case *instructions.CopyCommand:
				m.copyDir[in] = st.dir
				m.addCopy(in, &c.SourcesAndDest, c.From != "", st)
				if from := df.StageRef(c.From); from != nil && s.Shipped {
					m.copiesFrom[from] = append(m.copiesFrom[from], in)
				}
			case *instructions.AddCommand:
				m.copyDir[in] = st.dir
				m.addCopy(in, &c.SourcesAndDest, false, st)
			case *instructions.RunCommand:
				m.copyDir[in], m.runHome[in] = st.dir, st.home
				m.addRun(in, st)
			}
		}
		final[s] = st
	}
	m.dropPublicKeys()
	return m
}

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

// addCopy records the secret files of a COPY or ADD.
func (m *secretFileModel) addCopy(in *Instruction, sd *instructions.SourcesAndDest, fromStage bool, st stageShellState) {
	dest := sd.DestPath
	n := len(sd.SourcePaths) + len(sd.SourceContents)
	destDir := strings.HasSuffix(dest, "/") || n > 1 || dest == "." || dest == ""
	dest = joinStagePath(st.dir, dest)
	add := func(src string, local bool, order int, heredoc *instructions.SourceContent) {
		kind := ""
		folder := strings.HasSuffix(src, "/")
		if local {
			if k, ok := SecretPath(src); ok {
				kind = k
				folder = folder || strings.HasSuffix(k, "folder")
			}
		}
		base := path.Base(strings.TrimRight(src, "/"))
		w := &secretFileWrite{in: in, kind: kind, dir: folder, order: order, shown: src, src: src, heredoc: heredoc}
		switch {
		case folder:
			w.path = dest
		case destDir:
			w.path = path.Join(dest, base)
		default:
			w.path, w.alt = dest, path.Join(dest, base)
		}
		if w.kind == "" {
			if hasAnyWord(fileNameWords(base), templateWords) {
				// COPY .npmrc.template .npmrc copies placeholders; a RUN
				// that fills them in is arg-persisted's to report.
				return
			}
			if _, named := SecretPath(base); named && !local && w.alt == "" {
				// ADD https://example.com/winehq.key /tmp/: the name
				// comes from a download, not from a credential file.
				return
			}
			k, ok := SecretPath(w.path)
			if ok && strings.HasSuffix(k, "folder") && !folder {
				// COPY known_hosts /root/.ssh puts the file inside the folder.
				k, ok = SecretPath(w.alt)
			}
			if !ok {
				return
			}
			w.kind, w.shown = k, w.path
			w.span = m.df.Locate(in, strings.TrimRight(sd.DestPath, "/"))
		} else {
			w.span = m.df.Locate(in, src)
		}
		m.writes = append(m.writes, w)
	}
	for i, src := range sd.SourcePaths {
		add(src, !remoteCopySource(src) || fromStage, i, nil)
	}
	for i, c := range sd.SourceContents {
		// A heredoc is a file named after its delimiter; only the
		// destination can make it a credential file.
		add(c.Path, false, len(sd.SourcePaths)+i, &c)
	}
}

// templateWords mark a file of placeholders.
var templateWords = []string{"template", "tmpl", "tpl", "example", "sample", "dist"}

// remoteCopySource reports ADD sources fetched from the network: they come
// from no repository file, and a public URL serves no private file.
func remoteCopySource(src string) bool {
	return strings.Contains(src, "://") || strings.HasPrefix(src, "git@")
}

// packageKeyringDirs hold the public keys that package managers trust.
var packageKeyringDirs = []string{"/etc/apt/trusted.gpg.d", "/etc/apt/keyrings", "/usr/share/keyrings", "/etc/pki/rpm-gpg"}

// dropPublicKeys forgets *.key files that the stage hands to a package
// manager's keyring: those are public signing keys (COPY nginx_signing.key
// then apt-key add).
func (m *secretFileModel) dropPublicKeys() {
	m.writes = slices.DeleteFunc(m.writes, func(w *secretFileWrite) bool {
		if w.kind != "private key" || w.in.Stage == nil {
			return false
		}
		for _, d := range packageKeyringDirs {
			if pathWithin(w.path, d) {
				return true
			}
		}
		base := path.Base(w.path)
		for _, in := range w.in.Stage.Instructions {
			if in.Cmd != "run" || !strings.Contains(in.Original, base) {
				continue
			}
			for _, tool := range []string{"apt-key", "gpg", "rpm --import", "rpmkeys --import", "signed-by"} {
				if strings.Contains(in.Original, tool) {
					return true
				}
			}
		}
		return false
	})
}

// pathWithin reports whether p is dir or inside it.
func pathWithin(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}

// coveredBy reports whether removing r removes the file or folder w: the same
// path, a folder above it, a glob that matches either, or for a folder a
// path inside it (part of the folder is gone, the rest stays, and the layer
// below keeps all of it anyway).
func (w *secretFileWrite) coveredBy(r string) bool {
	for _, p := range []string{w.path, w.alt} {
		if p == "" {
			continue
		}
		if pathWithin(p, r) || globCoversPath(r, p) || (w.dir && pathWithin(r, p)) {
			return true
		}
	}
	return false
}

// globCoversPath reports whether glob pattern g matches p or a folder above p.
func globCoversPath(g, p string) bool {
	if !strings.ContainsAny(g, "*?[") {
		return false
	}
	for q := p; q != "/" && q != "." && q != ""; q = path.Dir(q) {
		if ok, _ := path.Match(g, q); ok {
			return true
		}
	}
	return false
}

// secretFileFate says how a secret file reaches a built image.
type secretFileFate struct {
	// removedBy is the later instruction that removes the file from a
	// shipped lineage; the layer that created it still ships.
	removedBy *Instruction
	// via is the COPY --from that carries the file out of a stage that is
	// not inherited, nil when the stage itself ships.
	via *Instruction
}

// fate reports whether w reaches a built image, and how.
func (m *secretFileModel) fate(w *secretFileWrite) (secretFileFate, bool) {
	s := w.in.Stage
	if s == nil || !s.Shipped {
		return secretFileFate{}, false
	}
	if s.Inherited {
		var removed *Instruction
		for _, t := range m.df.Targets {
			if !builtOn(t, s) {
				continue
			}
			r := m.removedAfter(w, t)
			if r == nil {
				return secretFileFate{}, true
			}
			if removed == nil {
				removed = r
			}
		}
		if removed != nil {
			return secretFileFate{removedBy: removed}, true
		}
	}
	// Only the paths copied out of the stage, or of a stage built on it, ship.
	for _, end := range m.df.Stages {
		if !m.df.Budget.Spend(1, "stage lineage") {
			return secretFileFate{}, false
		}
		if !end.Shipped || !builtOn(end, s) || m.removedAfter(w, end) != nil {
			continue
		}
		paths := []string{w.path}
		if w.alt != "" {
			paths = append(paths, w.alt)
		}
		for _, p := range paths {
			if via, src := m.copiedOut(end, p, w.dir, map[*Stage]bool{}); via != nil {
				if _, ok := SecretPath(src); ok && via != w.in {
					// That COPY --from names the secret itself and is
					// reported on its own line.
					return secretFileFate{}, false
				}
				return secretFileFate{via: via}, true
			}
		}
	}
	return secretFileFate{}, false
}

// removedAfter returns the first instruction after w's in the lineage of
// end that removes it, or nil. The stages of a lineage come in file order,
// so the first is the one on the lowest line.
func (m *secretFileModel) removedAfter(w *secretFileWrite, end *Stage) *Instruction {
	var first *Instruction
	if !m.df.Budget.Spend(int64(len(m.removes)), "stage lineage") {
		return nil
	}
	for _, r := range m.removes {
		in := r.in
		if in.StartLine <= w.in.StartLine || (first != nil && in.StartLine >= first.StartLine) ||
			!builtOn(end, in.Stage) || !builtOn(in.Stage, w.in.Stage) || !w.coveredBy(r.path) {
			continue
		}
		first = in
	}
	return first
}

// copiedOut finds a COPY --from in a shipped stage that copies p out of
// stage from, directly or through further stages, and the source it names.
func (m *secretFileModel) copiedOut(from *Stage, p string, dir bool, seen map[*Stage]bool) (*Instruction, string) {
	if seen[from] {
		return nil, ""
	}
	seen[from] = true
	if !m.df.Budget.Spend(int64(1+len(m.copiesFrom[from])), "stage lineage") {
		return nil, ""
	}
	for _, in := range m.copiesFrom[from] {
		t, c := in.Stage, in.Command.(*instructions.CopyCommand)
		n := len(c.SourcePaths)
		destDir := strings.HasSuffix(c.DestPath, "/") || n > 1
		dest := joinStagePath(m.copyDir[in], c.DestPath)
		for _, src := range c.SourcePaths {
			abs := joinStagePath("/", src)
			var landing string
			switch {
			case abs == p || globMatchesPath(abs, p):
				landing = dest
				if destDir {
					landing = path.Join(dest, path.Base(p))
				}
			case pathWithin(p, abs):
				landing = path.Join(dest, strings.TrimPrefix(p, abs))
			case dir && pathWithin(abs, p):
				// Part of a secret folder.
				landing = dest
			case globCoversPath(abs, p):
				landing = dest
			default:
				continue
			}
			if t.Inherited {
				return in, src
			}
			ends := m.df.builtOnStages(t)
			if !m.df.Budget.Spend(int64(len(ends)), "stage lineage") {
				return nil, ""
			}
			for _, end := range ends {
				if end.Shipped {
					if via, _ := m.copiedOut(end, landing, dir, seen); via != nil {
						return in, src
					}
				}
			}
		}
	}
	return nil, ""
}

func globMatchesPath(g, p string) bool {
	ok, _ := path.Match(g, p)
	return ok && strings.ContainsAny(g, "*?[")
}

func copyInstructionName(in *Instruction) string {
	name := strings.ToUpper(in.Cmd)
	if c, ok := in.Command.(*instructions.CopyCommand); ok && c.From != "" {
		name += " --from=" + c.From
	}
	return name
}

func stageDisplayName(s *Stage) string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprintf("%d", s.Index)
}
