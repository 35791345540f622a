package checks

// The secret-file model: the secret files each COPY, ADD and RUN puts into
// a stage, and the paths each RUN removes. The file rules follow each
// secret file through the stages; whether it reaches a built image, and
// whether a later instruction removes it first, is the stage lineage's
// answer (stage_lineage.go).
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
}

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
	m := &secretFileModel{df: df}
	l := df.lineage()
	for _, s := range df.Stages {
		for _, in := range s.Instructions {
			st := l.stateAt(in)
			switch c := in.Command.(type) {
			case *instructions.CopyCommand:
				m.addCopy(in, &c.SourcesAndDest, c.From != "", st)
			case *instructions.AddCommand:
				m.addCopy(in, &c.SourcesAndDest, false, st)
			case *instructions.RunCommand:
				m.addRun(in, st)
			}
		}
	}
	m.dropPublicKeys()
	return m
}

// addCopy records the secret files of a COPY or ADD.
func (m *secretFileModel) addCopy(in *Instruction, sd *instructions.SourcesAndDest, fromStage bool, st stageShellState) {
	dest := sd.DestPath
	n := len(sd.SourcePaths) + len(sd.SourceContents)
	destDir := strings.HasSuffix(dest, "/") || n > 1 || dest == "." || dest == ""
	// Every path read below is made of the elements of the stage's folder,
	// the destination and the source: when none of them holds a word of
	// SecretPath, the source is no secret file, and most are not.
	destWord, joined := namesSecretWord(st.dir) || namesSecretWord(dest), false
	add := func(src string, local bool, order int, heredoc *instructions.SourceContent) {
		if !destWord && !namesSecretWord(src) {
			return
		}
		if !joined {
			dest, joined = joinStagePath(st.dir, dest), true
		}
		kind := ""
		folder := strings.HasSuffix(src, "/")
		if local {
			if k, ok := SecretPath(src); ok {
				kind = k
				folder = folder || strings.HasSuffix(k, "folder")
			}
		}
		base := path.Base(strings.TrimRight(src, "/"))
		// On the stack: most sources are no secret file, and only those
		// that are get a heap copy (kept).
		w := secretFileWrite{in: in, kind: kind, dir: folder, order: order, shown: src, src: src, heredoc: heredoc}
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
		kept := w
		m.writes = append(m.writes, &kept)
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

// namesSecretWord reports whether s holds one of the words that every path
// SecretPath accepts holds. None of them holds a slash, so a path made of
// elements of texts that hold none (joined, cleaned) holds none either.
func namesSecretWord(s string) bool {
	return runTextHas(secretPathIndex(), s)
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
	return removalCovers(r, w.dir, []string{w.path, w.alt})
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

// fate reports whether w reaches a built image, and how. A COPY --from
// that names the secret itself is reported on its own line.
func (m *secretFileModel) fate(w *secretFileWrite) (Reach, bool) {
	paths := []string{w.path}
	if w.alt != "" {
		paths = append(paths, w.alt)
	}
	r, ok := m.df.lineage().Reaches(w.in, w.dir, paths...)
	if !ok || r.Named && r.Via != w.in {
		return Reach{}, false
	}
	return r, true
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
