package checks

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

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

// SecretFileCopied reports COPY and ADD instructions that put a credential
// file into a shipped image.
var SecretFileCopied = &Rule{
	ID: "secret-file-copied", Name: "SecretFileCopied", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret file copied into the image",
	Help:             mustDoc("secret-file-copied"),
	Check:            checkSecretFileCopied,
}

// DeletedLater reports secret files that a later instruction removes: the
// layer that created them still holds them.
var DeletedLater = &Rule{
	ID: "deleted-later", Name: "DeletedLater", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret file removed in a later instruction still ships in an earlier layer",
	Help:             mustDoc("deleted-later"),
	Check:            checkDeletedLater,
}

// SecretMountPersisted reports RUN --mount=type=secret instructions whose
// command copies the secret into the image.
var SecretMountPersisted = &Rule{
	ID: "secret-mount-persisted", Name: "SecretMountPersisted", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Build secret copied from its mount into an image layer",
	Help:             mustDoc("secret-mount-persisted"),
	Check:            checkSecretMountPersisted,
}

// BroadCopy reports COPY . and ADD . of the whole build context into a
// shipped stage.
var BroadCopy = &Rule{
	ID: "broad-copy", Name: "BroadCopy", Level: Warning, Precision: "high",
	SecuritySeverity: "4.0",
	Tags:             []string{"security", "build-context"},
	Summary:          "Whole build context copied into the image",
	Help:             mustDoc("broad-copy"),
	Check:            checkBroadCopy,
}

const secretFileFix = "Do not copy credentials into the image: mount them for the RUN that needs them " +
	"with `RUN --mount=type=secret,id=<id>,target=<path>` (`docker build --secret id=<id>,src=<file>`), " +
	"or provide them when the container starts."

func checkSecretFileCopied(p *Pass) {
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	for _, w := range m.writes {
		if w.mount != "" || (w.in.Cmd != "copy" && w.in.Cmd != "add") {
			continue
		}
		f, ok := m.fate(w)
		if !ok || f.removedBy != nil {
			continue
		}
		verdict, why := m.content(w, p.Context, p.Settings)
		if verdict == contentClean {
			continue
		}
		msg := fmt.Sprintf("%s copies %q (%s) into the image", copyInstructionName(w.in), w.shown, w.kind)
		var related []Related
		if f.via != nil {
			msg = fmt.Sprintf("%s copies %q (%s) into stage %s, and COPY --from on line %d ships it",
				copyInstructionName(w.in), w.shown, w.kind, stageDisplayName(w.in.Stage), f.via.StartLine)
			related = append(related, Related{Path: p.Dockerfile.Path, Span: f.via.Whole(), Message: "this COPY --from ships the file"})
		}
		fd := Finding{Span: w.span, Message: msg, Fix: secretFileFix, Related: related, Key: w.in.Cmd + " " + w.shown}
		byName(&fd, verdict, why)
		p.Report(fd)
	}
}

func checkDeletedLater(p *Pass) {
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	for _, w := range m.writes {
		f, ok := m.fate(w)
		if !ok || f.removedBy == nil {
			continue
		}
		verdict, why := m.content(w, p.Context, p.Settings)
		if verdict == contentClean {
			continue
		}
		what := fmt.Sprintf("%q (%s)", w.shown, w.kind)
		if w.mount != "" {
			what = fmt.Sprintf("secret %q at %s", w.mount, w.path)
		}
		verb := "copies"
		if w.in.Cmd == "run" && w.mount == "" {
			verb = "writes"
		}
		fd := Finding{
			Span: w.span,
			Message: fmt.Sprintf("%s %s %s into a layer that ships; the %s on line %d removes it, but the layer keeps it",
				copyInstructionName(w.in), verb, what, strings.ToUpper(f.removedBy.Cmd), f.removedBy.StartLine),
			Fix: "A file removed by a later instruction stays in the layer that added it (`docker save` shows it). " +
				"Mount the secret with `RUN --mount=type=secret` for the RUN that needs it, or create, use and remove the file in one RUN.",
			Related: []Related{{Path: p.Dockerfile.Path, Span: f.removedBy.Whole(), Message: "the file is removed here, in a later layer"}},
			Key:     w.in.Cmd + " " + w.shown,
		}
		byName(&fd, verdict, why)
		p.Report(fd)
	}
}

func checkSecretMountPersisted(p *Pass) {
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	for _, w := range m.writes {
		if w.mount == "" {
			continue
		}
		f, ok := m.fate(w)
		if !ok || f.removedBy != nil {
			continue
		}
		how := ""
		if w.via != "" {
			how = " with " + w.via
		}
		msg := fmt.Sprintf("RUN copies secret %q to %s%s, which stays in the image", w.mount, w.path, how)
		var related []Related
		if f.via != nil {
			msg = fmt.Sprintf("RUN copies secret %q to %s%s in stage %s, and COPY --from on line %d ships it",
				w.mount, w.path, how, stageDisplayName(w.in.Stage), f.via.StartLine)
			related = append(related, Related{Path: p.Dockerfile.Path, Span: f.via.Whole(), Message: "this COPY --from ships the file"})
		}
		p.Report(Finding{
			Span:    w.span,
			Message: msg,
			Fix: "Use the secret where it is mounted (set `target=` or `env=` on the mount) instead of copying it, " +
				"or remove the copy in the same RUN.",
			Related: related,
			Key:     fmt.Sprintf("run secret %s %s", w.mount, w.path),
		})
	}
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
	m := &secretFileModel{df: df, copyDir: map[*Instruction]string{}, copiesFrom: map[*Stage][]*Instruction{}}
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
				m.copyDir[in] = st.dir
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

// mountedSecret is a secret that a RUN mounts: the file it appears as, the
// variable it appears in, or both.
type mountedSecret struct {
	id, file, env string
}

// secretMountsOf reads the mounts of a RUN. BuildKit parses a --mount flag's
// fields only when the instruction is expanded, so the Command is expanded
// without substitution. Expand only replaces the command's mount list (with
// the same mounts, all fields read), which nothing else reads; parsing the
// node again for a private copy was 2% of a scan.
func secretMountsOf(in *Instruction, dir string) (secrets []mountedSecret, targets []string) {
	run, ok := in.Command.(*instructions.RunCommand)
	if !ok || run.Expand(func(word string) (string, error) { return word, nil }) != nil {
		return nil, nil
	}
	for _, mt := range instructions.GetMounts(run) {
		target := ""
		if mt.Target != "" {
			target = joinStagePath(dir, mt.Target)
			targets = append(targets, target)
		}
		if mt.Type != instructions.MountTypeSecret {
			continue
		}
		id := mt.CacheID
		if mt.Source != "" {
			id = mt.Source
		}
		if id == "" {
			id = path.Base(mt.Target)
		}
		sec := mountedSecret{id: id, file: target}
		if mt.Env != nil {
			sec.env = *mt.Env
		} else if target == "" {
			sec.file = "/run/secrets/" + path.Base(id)
		}
		if sec.file != "" && target == "" {
			targets = append(targets, sec.file)
		}
		secrets = append(secrets, sec)
	}
	return secrets, targets
}

// runShellScript returns the shell script of a RUN, with the heredoc bodies
// that its commands read, by delimiter.
func runShellScript(c *instructions.RunCommand) (string, map[string]string) {
	bodies := map[string]string{}
	for _, f := range c.Files {
		bodies[f.Name] = f.Data
	}
	if !c.PrependShell {
		// The exec form: quote each argument so that the reader sees the
		// same words, and sh -c scripts are read in turn.
		quoted := make([]string, len(c.CmdLine))
		for i, a := range c.CmdLine {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		return strings.Join(quoted, " "), bodies
	}
	script := strings.Join(c.CmdLine, " ")
	if len(c.Files) > 0 {
		// RUN <<EOF and RUN bash <<EOF run the heredoc as the script.
		words := strings.Fields(script)
		if len(words) > 0 && (len(words) == 1 || len(words) == 2 && isShell(words[0])) {
			name := strings.TrimLeft(strings.TrimPrefix(words[len(words)-1], "<<"), "-")
			name = strings.Trim(name, `"'`)
			if body, ok := bodies[name]; ok && strings.HasPrefix(words[len(words)-1], "<<") {
				return body, nil
			}
		}
	}
	return script, bodies
}

// printingCommands print what they read or are given: a redirection of
// their output copies it. tee also writes it to its files. One table for
// every rule that follows a value through a pipeline.
var printingCommands = wordSet("cat", "echo", "printf", "base64", "sed", "awk", "gawk", "tr", "head", "tail", "envsubst",
	"jq", "yq", "xxd", "cut", "tac", "openssl", "gpg", "zcat", "gunzip", "sort", "uniq", "tee")

// fileRunWalker follows one RUN's commands.
type fileRunWalker struct {
	m       *secretFileModel
	in      *Instruction
	cwd     string
	home    string
	secrets []mountedSecret
	mounted []string          // mount targets: nothing written below them persists
	tainted map[string]string // variables holding a secret, to its id
	writes  []*secretFileWrite
	removes []*fileRemoval
	order   int
}

func (m *secretFileModel) addRun(in *Instruction, st stageShellState) {
	rw := &fileRunWalker{m: m, in: in, cwd: st.dir, home: st.home, tainted: map[string]string{}}
	rw.secrets, rw.mounted = secretMountsOf(in, st.dir)
	for _, s := range rw.secrets {
		if s.env != "" {
			rw.tainted[s.env] = s.id
		}
	}
	// A heredoc's body feeds its command: a literal credential in it makes
	// the command's output one. The cached commands are copied first.
	cmds, _ := in.runCommands()
	cmds = slices.Clone(cmds)
	for i := range cmds {
		for _, r := range cmds[i].Redirs {
			if r.Op == "<<" {
				cmds[i].Raw += "\n" + r.Body
			}
		}
	}
	for i := 0; i < len(cmds); {
		j := i
		for j < len(cmds) && cmds[j].Pipeline == cmds[i].Pipeline {
			j++
		}
		rw.pipeline(cmds[i:j])
		i = j
	}
	// A file removed later in the same RUN never reaches the layer.
	for _, w := range rw.writes {
		gone := false
		for _, r := range rw.removes {
			if r.order > w.order && w.coveredBy(r.path) {
				gone = true
				break
			}
		}
		if !gone {
			m.writes = append(m.writes, w)
		}
	}
	m.removes = append(m.removes, rw.removes...)
}

// mentions reports whether text names a mounted secret: its file (or the
// folder above it) or a variable that holds it.
func (rw *fileRunWalker) mentions(text string) string {
	for _, s := range rw.secrets {
		if s.file != "" && (containsPathWord(text, s.file) || path.Dir(s.file) == "/run/secrets" && mentionsSecretFolder(text, "/run/secrets")) {
			return s.id
		}
	}
	for v, id := range rw.tainted {
		if containsPathWord(text, "$"+v) || strings.Contains(text, "${"+v) {
			return id
		}
	}
	return ""
}

// containsPathWord finds needle in text not followed by a name character, so
// that /run/secrets/npm does not match /run/secrets/npmrc.
func containsPathWord(text, needle string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], needle)
		if j < 0 {
			return false
		}
		end := i + j + len(needle)
		if end == len(text) || !pathNameChar(text[end]) {
			return true
		}
		i = end
	}
}

// mentionsSecretFolder finds the folder itself, as in cp -r /run/secrets /app,
// not a path inside it.
func mentionsSecretFolder(text, dir string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], dir)
		if j < 0 {
			return false
		}
		end := i + j + len(dir)
		rest := strings.TrimPrefix(text[end:], "/")
		if rest == "" || !pathNameChar(rest[0]) && rest[0] != '/' {
			return true
		}
		i = end
	}
}

func pathNameChar(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// resolve turns a path in the script into an absolute one where it can.
func (rw *fileRunWalker) resolve(p string) string {
	switch {
	case p == "~" || p == "$HOME" || p == "${HOME}":
		return rw.home
	case strings.HasPrefix(p, "~/"):
		return path.Join(rw.home, p[2:])
	case strings.HasPrefix(p, "$HOME/"):
		return path.Join(rw.home, p[6:])
	case strings.HasPrefix(p, "${HOME}/"):
		return path.Join(rw.home, p[8:])
	}
	return joinStagePath(rw.cwd, p)
}

// pipeline records what one pipeline writes and removes.
func (rw *fileRunWalker) pipeline(cmds []shellCommand) {
	dynamic := false
	for _, c := range cmds {
		if mayHoldCredential(c.Raw) {
			dynamic = true
		}
	}
	// A secret flows down the pipeline through commands that print what
	// they read: cat /run/secrets/x | base64 -d > key writes it, but
	// cat /run/secrets/x | wc -c > n does not, and neither does
	// curl -u "$(cat /run/secrets/x)" URL > file, which prints a download.
	carried := ""
	for _, c := range cmds {
		in, out := carried, ""
		name := ""
		if len(c.Words) > 0 {
			name = path.Base(c.Words[0])
		}
		// A command reads a secret redirected into it: tee key < /run/secrets/key.
		for _, r := range c.Redirs {
			if r.Op == "<" || r.Op == "<<<" {
				if id := rw.mentions(r.Target); id != "" {
					in = id
				}
			}
		}
		switch {
		case len(c.Words) == 0 && len(c.Assigns) == 0:
			// The redirections of a compound command: what its last
			// command printed.
			out = in
		case name == "tee":
			out = in
		case printingCommands[name]:
			out = in
			if id := rw.mentions(c.Raw); id != "" {
				out = id
			}
			if name == "envsubst" && out == "" {
				// envsubst fills a template from the environment,
				// secrets mounted with env= included.
				for _, sec := range rw.secrets {
					if sec.env != "" {
						out = sec.id
						break
					}
				}
			}
		}
		rw.command(c, in, out, dynamic)
		carried = out
	}
}

// mayHoldCredential reports a command whose output may hold a credential: it
// expands something, or it names one.
func mayHoldCredential(raw string) bool {
	if strings.ContainsAny(raw, "$`") {
		return true
	}
	lower := strings.ToLower(raw)
	for _, w := range []string{"token", "password", "passwd", "secret", "_auth", "private key", "-----begin"} {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

// command records what one command writes and removes: in is the secret
// its input carries, out the one its output carries.
func (rw *fileRunWalker) command(c shellCommand, in, out string, dynamic bool) {
	// Assignments that read a secret make their variable a carrier.
	for _, a := range c.Assigns {
		name, value, _ := strings.Cut(a, "=")
		if id := rw.mentions(value); id != "" {
			rw.tainted[name] = id
		}
	}
	for _, r := range c.Redirs {
		if r.output() {
			rw.write(r.Target, "", out, "", dynamic, r.Op)
		}
	}
	if len(c.Words) == 0 {
		return
	}
	args := c.Words[1:]
	switch path.Base(c.Words[0]) {
	case "cd", "pushd":
		switch {
		case len(args) == 0:
			rw.cwd = rw.home
		case args[0] == "-":
			rw.cwd = ""
		default:
			if rw.cwd == "" && !strings.HasPrefix(args[0], "/") {
				return
			}
			rw.cwd = rw.resolve(args[0])
		}
	case "popd":
		rw.cwd = ""
	case "export", "declare", "local", "readonly", "typeset":
		for _, a := range args {
			if name, value, ok := strings.Cut(a, "="); ok && rw.mentions(value) != "" {
				rw.tainted[name] = rw.mentions(value)
			}
		}
	case "read":
		for _, r := range c.Redirs {
			if id := rw.mentions(r.Target); r.Op == "<" && id != "" {
				for _, a := range args {
					if !strings.HasPrefix(a, "-") {
						rw.tainted[a] = id
					}
				}
			}
		}
	case "tee":
		for _, a := range args {
			if !strings.HasPrefix(a, "-") {
				rw.write(a, "", in, "", dynamic, "tee")
			}
		}
	case "cp", "install", "mv":
		rw.copyCommand(path.Base(c.Words[0]), args)
	case "sed":
		rw.sedInPlace(args, c.Raw, dynamic)
	case "dd":
		for _, a := range args {
			if t, ok := strings.CutPrefix(a, "of="); ok {
				id := in
				if id == "" {
					id = rw.mentions(c.Raw)
				}
				rw.write(t, "", id, "", dynamic, "dd")
			}
		}
	case "curl", "wget":
		// A download is no copy of a secret, but a credential file
		// fetched into the image is one.
		for i, a := range args {
			if (a == "-o" || a == "--output" || a == "-O" || a == "--output-document") && i+1 < len(args) {
				if a == "-O" && path.Base(c.Words[0]) == "curl" {
					continue
				}
				rw.write(args[i+1], "", "", "", true, path.Base(c.Words[0]))
			}
		}
	case "ssh-keygen":
		if slices.Contains(args, "-t") || slices.Contains(args, "-N") {
			for i, a := range args {
				if a == "-f" && i+1 < len(args) {
					rw.write(args[i+1], "", "", "SSH private key", true, "ssh-keygen")
				}
			}
		}
	case "rm", "unlink", "shred":
		if path.Base(c.Words[0]) == "shred" && !slices.Contains(args, "-u") && !slices.Contains(args, "--remove") {
			return
		}
		for _, a := range args {
			if !strings.HasPrefix(a, "-") {
				rw.remove(a)
			}
		}
	case "npm", "git", "aws", "gcloud":
		rw.toolCommand(c.Words, c.Raw, dynamic)
	default:
		// A tool that stores a credential it is given (on its input,
		// as docker login --password-stdin reads it, or in its words)
		// in its configuration: ~/.docker/config.json, ~/.cargo/...
		if via, _, paths := credentialWrite(c.Words); via != "" {
			id := in
			if id == "" {
				id = rw.mentions(c.Raw)
			}
			if id != "" {
				rw.toolWrite(rw.resolve(paths[0]), id, via)
			}
		}
	}
}

// sedInPlace reads sed -i: it rewrites its files, with the secret when the
// command names it (sed -i "s/TOKEN/$(cat /run/secrets/token)/" app.conf).
func (rw *fileRunWalker) sedInPlace(args []string, raw string, dynamic bool) {
	inPlace, script := false, false
	var files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "-i") || strings.HasPrefix(a, "--in-place"):
			inPlace = true
		case a == "-e" || a == "--expression" || a == "-f" || a == "--file":
			script = true
			i++
		case strings.HasPrefix(a, "-"):
		case !script:
			script = true
		default:
			files = append(files, a)
		}
	}
	if !inPlace {
		return
	}
	for _, f := range files {
		rw.write(f, "", rw.mentions(raw), "", dynamic, "sed -i")
	}
}

func allDigitsWord(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// copyCommand reads cp, install and mv: a copy of a mounted secret or of a
// secret file is a write; mv also removes its sources.
func (rw *fileRunWalker) copyCommand(name string, args []string) {
	var operands []string
	target := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-t" || a == "--target-directory":
			if i+1 < len(args) {
				target = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--target-directory="):
			target = strings.TrimPrefix(a, "--target-directory=")
		case name == "install" && a == "-d":
			return
		case name == "install" && (a == "-m" || a == "-o" || a == "-g" || a == "-S"):
			i++
		case strings.HasPrefix(a, "-") && a != "-":
		default:
			operands = append(operands, a)
		}
	}
	if target == "" {
		if len(operands) < 2 {
			return
		}
		target, operands = operands[len(operands)-1], operands[:len(operands)-1]
	}
	destDir := len(operands) > 1 || strings.HasSuffix(target, "/")
	for _, src := range operands {
		abs := rw.resolve(src)
		id := ""
		for _, s := range rw.secrets {
			if s.file != "" && pathWithin(s.file, abs) {
				id = s.id
			}
		}
		if name == "mv" {
			rw.remove(src)
		}
		if id == "" && rw.mentions(src) != "" {
			id = rw.mentions(src)
		}
		dest := target
		if destDir {
			dest = strings.TrimSuffix(target, "/") + "/" + path.Base(src)
		}
		alt := ""
		if !destDir {
			alt = strings.TrimSuffix(target, "/") + "/" + path.Base(src)
		}
		// A copy of a secret file is a secret file, whatever its new name.
		kind, _ := SecretPath(src)
		rw.write(dest, alt, id, kind, true, name)
	}
}

// toolCommand reads commands that store a credential in their own
// configuration file: npm config set, git config, aws configure set,
// gcloud auth activate-service-account.
func (rw *fileRunWalker) toolCommand(words []string, raw string, dynamic bool) {
	flag := func(names ...string) (string, bool) {
		for i, w := range words {
			for _, n := range names {
				if w == n && i+1 < len(words) {
					return words[i+1], true
				}
				if v, ok := strings.CutPrefix(w, n+"="); ok {
					return v, true
				}
			}
		}
		return "", false
	}
	has := func(ws ...string) bool {
		for _, w := range ws {
			if slices.Contains(words, w) {
				return true
			}
		}
		return false
	}
	id := rw.mentions(raw)
	switch {
	case words[0] == "npm" && len(words) >= 3 && (words[1] == "config" || words[1] == "c"):
		file := path.Join(rw.home, ".npmrc")
		if v, ok := flag("--userconfig"); ok {
			file = rw.resolve(v)
		} else if loc, _ := flag("--location"); loc == "project" {
			file = rw.resolve(".npmrc")
		} else if has("-g", "--global") || loc == "global" {
			file = "/usr/local/etc/npmrc"
		}
		switch words[2] {
		case "set":
			if id != "" || dynamic {
				rw.toolWrite(file, id, "npm config set")
			}
		case "delete", "rm":
			rw.remove(file)
		}
	case words[0] == "npm" && len(words) >= 2 && words[1] == "set":
		if id != "" || dynamic {
			rw.toolWrite(path.Join(rw.home, ".npmrc"), id, "npm set")
		}
	case words[0] == "git" && len(words) >= 2 && words[1] == "config":
		file := joinStagePath(rw.cwd, ".git/config")
		switch {
		case has("--global"):
			file = path.Join(rw.home, ".gitconfig")
		case has("--system"):
			file = "/etc/gitconfig"
		}
		if v, ok := flag("--file", "-f"); ok {
			file = rw.resolve(v)
		}
		if has("--unset", "--unset-all", "--remove-section") {
			rw.remove(file)
		} else if id != "" {
			rw.toolWrite(file, id, "git config")
		}
	case words[0] == "git" && len(words) >= 2 && words[1] == "clone":
		// The URL, credentials included, stays in the clone's .git/config.
		if url, dir, ok := gitCloneOperands(words); ok {
			if id := rw.mentions(url); id != "" {
				rw.toolWrite(rw.resolve(path.Join(dir, ".git/config")), id, "git clone")
			}
		}
	case words[0] == "git" && len(words) >= 4 && words[1] == "remote" && (words[2] == "add" || words[2] == "set-url"):
		if id := rw.mentions(strings.Join(words[3:], " ")); id != "" {
			rw.toolWrite(joinStagePath(rw.cwd, ".git/config"), id, "git remote "+words[2])
		}
	case words[0] == "aws" && len(words) >= 4 && words[1] == "configure" && words[2] == "set":
		file := path.Join(rw.home, ".aws/config")
		key := strings.ToLower(words[3])
		if strings.Contains(key, "secret") || strings.Contains(key, "key_id") || strings.Contains(key, "token") {
			file = path.Join(rw.home, ".aws/credentials")
		}
		if id != "" || dynamic {
			rw.toolWrite(file, id, "aws configure set")
		}
	case words[0] == "gcloud" && len(words) >= 3 && words[1] == "auth":
		dir := path.Join(rw.home, ".config/gcloud")
		switch words[2] {
		case "activate-service-account":
			if id != "" {
				rw.toolWrite(dir, id, "gcloud auth activate-service-account")
				rw.writes[len(rw.writes)-1].dir = true
			}
		case "revoke":
			rw.remove(dir)
		}
	}
}

func (rw *fileRunWalker) toolWrite(file, id, via string) {
	rw.order++
	kind, _ := SecretPath(file)
	if id == "" && kind == "" {
		return
	}
	rw.writes = append(rw.writes, &secretFileWrite{
		in: rw.in, path: file, kind: kind, mount: id, via: via, shown: file,
		span: rw.m.df.Locate(rw.in, strings.Fields(via)[0]), order: rw.order,
	})
}

// write records a file the command writes. It counts when it receives a
// mounted secret (carried), or when it is a credential file (by kind, or by
// its name) and its content may be one (dynamic).
func (rw *fileRunWalker) write(target, alt, carried, kind string, dynamic bool, via string) {
	rw.order++
	if target == "" || target == "-" {
		return
	}
	p := rw.resolve(target)
	for _, skip := range []string{"/dev", "/proc", "/sys"} {
		if pathWithin(p, skip) {
			return
		}
	}
	for _, t := range rw.mounted {
		if pathWithin(p, t) {
			return
		}
	}
	if kind == "" {
		kind, _ = SecretPath(p)
	}
	if carried != "" && kind == "" && certificatePath(p) {
		// A CA certificate passed as a secret (to trust a proxy) is
		// public once it is a certificate.
		carried = ""
	}
	if carried == "" && (kind == "" || !dynamic) {
		return
	}
	w := &secretFileWrite{in: rw.in, path: p, kind: kind, mount: carried, shown: p, order: rw.order,
		span: rw.m.df.Locate(rw.in, target)}
	if alt != "" {
		w.alt = rw.resolve(alt)
	}
	if carried != "" {
		w.via = via
		if via == ">" || via == ">>" || via == ">|" || via == "&>" || via == "&>>" || via == ">&" {
			w.via = "a redirection"
		}
	}
	rw.writes = append(rw.writes, w)
}

// certificatePath reports where certificates, which are public, go.
func certificatePath(p string) bool {
	switch path.Ext(p) {
	case ".crt", ".cer", ".cert":
		return true
	}
	for _, d := range []string{"/usr/local/share/ca-certificates", "/etc/pki/ca-trust/source/anchors", "/etc/ssl/certs"} {
		if pathWithin(p, d) {
			return true
		}
	}
	return false
}

func (rw *fileRunWalker) remove(target string) {
	rw.order++
	rw.removes = append(rw.removes, &fileRemoval{in: rw.in, path: rw.resolve(target), order: rw.order})
}

func checkBroadCopy(p *Pass) {
	ign := p.Ignore
	if ign != nil && !ign.Valid() {
		// BuildKit refuses to build with an invalid ignore file.
		return
	}
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	bcs := m.broadCopies()
	if len(bcs) == 0 {
		return
	}
	var shipping map[*Instruction][]int
	if p.Context != nil {
		shipping = shippedBy(p.Dockerfile, p.Context)
	}
	for _, bc := range bcs {
		gaps := ignoreGaps(ign, bc.excludes)
		base := baseGaps(gaps)
		if len(base) == 0 || len(shipping[bc.in]) > 0 {
			// The base set is kept out (the rest of the recommended set is
			// advice), or a secret file goes through this line and
			// context-secret-shipped or dockerignore-missing names it.
			continue
		}
		f := Finding{
			Span:    Span{Line: bc.in.StartLine, EndLine: bc.in.StartLine},
			Related: ignoreRelated(ign),
			Key:     "broad " + bc.in.Original,
		}
		where := "into the image"
		if bc.via != nil {
			where = fmt.Sprintf("into stage %s, and COPY --from on line %d ships it", stageDisplayName(bc.in.Stage), bc.via.StartLine)
			f.Related = append(f.Related, Related{Path: p.Dockerfile.Path, Span: bc.via.Whole(), Message: "this COPY --from ships the copied context"})
		}
		const narrow = "Copy only what the image needs (for example `COPY src/ ./src/`)"
		if ign == nil {
			dir := path.Dir(p.Dockerfile.Path)
			if p.Context != nil {
				dir = p.Context.Dir
			}
			f.Message = fmt.Sprintf("%s %s copies the whole build context %s, and the context has no .dockerignore",
				strings.ToUpper(bc.in.Cmd), bc.src, where)
			f.Fix = fmt.Sprintf("%s, or create %s with these lines: %s.", narrow,
				path.Join(dir, ".dockerignore"), strings.Join(gaps, ", "))
		} else {
			what := path.Base(ign.Path) + " does not exclude"
			if len(bc.excludes) > 0 {
				what = "neither " + path.Base(ign.Path) + " nor --exclude excludes"
			}
			f.Message = fmt.Sprintf("%s %s copies the whole build context %s, and %s %s",
				strings.ToUpper(bc.in.Cmd), bc.src, where, what, strings.Join(base, ", "))
			// Only the lines the file lacks, so that the fix echoes none of
			// its own; a file it re-includes by name is re-included again
			// after them.
			add := append(gaps, keptReincludes(ign, gaps)...)
			f.Fix = fmt.Sprintf("%s, or add these lines at the end of %s: %s.", narrow, ign.Path, strings.Join(add, ", "))
		}
		p.Report(f)
	}
}

// ignoreRelated points at the ignore file that a context copy goes through.
func ignoreRelated(ign *IgnoreFile) []Related {
	if ign == nil || len(ign.Lines) == 0 {
		return nil
	}
	return []Related{{Path: ign.Path, Span: Span{Line: 1, EndLine: 1}, Message: "the ignore file of this build context"}}
}

// broadCopy is a COPY or ADD of the whole build context into a stage
// that ships it.
type broadCopy struct {
	in       *Instruction
	src      string   // the source as written
	excludes []string // its --exclude patterns
	via      *Instruction
}

// broadCopySource reports sources that name the whole context: ., ./, *, /.
func broadCopySource(src string) bool {
	switch path.Clean(src) {
	case ".", "/", "*", "/*":
		return true
	}
	return false
}

// broadCopies lists the context copies whose files reach a built image:
// in a stage that ships whole, or copied out of a builder as a whole.
func (m *secretFileModel) broadCopies() []broadCopy {
	var out []broadCopy
	for _, s := range m.df.Stages {
		if !s.Shipped {
			continue
		}
		for _, in := range s.Instructions {
			var sd *instructions.SourcesAndDest
			var excludes []string
			switch c := in.Command.(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					continue
				}
				sd, excludes = &c.SourcesAndDest, c.ExcludePatterns
			case *instructions.AddCommand:
				sd, excludes = &c.SourcesAndDest, c.ExcludePatterns
			default:
				continue
			}
			for _, src := range sd.SourcePaths {
				if !broadCopySource(src) {
					continue
				}
				w := &secretFileWrite{in: in, path: joinStagePath(m.copyDir[in], sd.DestPath)}
				f, ok := m.fate(w)
				if ok {
					out = append(out, broadCopy{in: in, src: src, excludes: excludes, via: f.via})
				}
				break
			}
		}
	}
	return out
}
