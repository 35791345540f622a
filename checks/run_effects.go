package checks

// What a RUN leaves in its layer: the files it writes (and with which
// command), removes or moves, followed through the shell façade, with the
// secrets its mounts give it and the variables that carry them.

import (
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

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
	dirs    []string // the folder each command runs in (runDirs)
	next    int      // index of the next command
}

func (m *secretFileModel) addRun(in *Instruction, st stageShellState) {
	// What the RUN removes matters only for a secret file written before
	// it; what it writes, only when the prefilter finds a word of it.
	if run, ok := in.Command.(*instructions.RunCommand); !ok || len(m.writes) == 0 && !runMayWriteSecret(in, run, st) {
		return
	}
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
	rw.dirs = runDirs(cmds, st.dir, st.home)
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
	return resolveShellPath(rw.cwd, rw.home, p)
}

// resolveShellPath resolves a path of a script that runs in dir, as the
// user whose home is home: ~ and $HOME are the home, a path the script
// computes stays a reference ($DIR/file).
func resolveShellPath(dir, home, p string) string {
	switch {
	case p == "~" || p == "$HOME" || p == "${HOME}":
		return home
	case strings.HasPrefix(p, "~/"):
		return path.Join(home, p[2:])
	case strings.HasPrefix(p, "$HOME/"):
		return path.Join(home, p[6:])
	case strings.HasPrefix(p, "${HOME}/"):
		return path.Join(home, p[8:])
	}
	return joinStagePath(dir, p)
}

// runDirs follows cd, pushd and popd through a RUN's commands: the folder
// each one runs in, dir at the start, "" where it is unknown. One reading
// of the working folder for every RUN reader.
func runDirs(cmds []shellCommand, dir, home string) []string {
	out := make([]string, len(cmds))
	prev, stack := "", []string{}
	for i, c := range cmds {
		out[i] = dir
		if len(c.Words) == 0 {
			continue
		}
		args := c.Words[1:]
		switch name := path.Base(c.Words[0]); name {
		case "cd", "pushd":
			from := dir
			switch {
			case len(args) == 0:
				dir = home
			case args[0] == "-":
				dir = prev // OLDPWD
			case dir == "" && !strings.HasPrefix(args[0], "/"):
			default:
				dir = resolveShellPath(dir, home, args[0])
			}
			prev = from
			if name == "pushd" {
				stack = append(stack, from)
			}
		case "popd":
			prev = dir
			dir = ""
			if n := len(stack); n > 0 {
				dir, stack = stack[n-1], stack[:n-1]
			}
		}
	}
	return out
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
		// A command reads a secret redirected into it: tee key < /run/secrets/key,
		// or a heredoc that expands a variable holding one.
		for _, r := range c.Redirs {
			text := r.Target
			if r.Op == "<<" && r.Expands {
				text = r.Body
			}
			if r.Op == "<" || r.Op == "<<<" || r.Op == "<<" && r.Expands {
				if id := rw.mentions(text); id != "" {
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
		rw.cwd = rw.dirs[rw.next]
		rw.next++
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
		// shred without -u leaves the file, but overwritten: its layer
		// holds noise, not the secret (arg-persisted reads it the same way).
		for _, a := range args {
			if !strings.HasPrefix(a, "-") {
				rw.remove(a)
			}
		}
	default:
		if use, ok := credentialCommand(c.Words); ok {
			rw.credentialTool(use, in)
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

// credentialTool records what a tool of the credential table stores (a
// credential its words or its input carry) or removes.
func (rw *fileRunWalker) credentialTool(use credentialUse, in string) {
	if use.undo {
		if rw.mentions(strings.Join(use.kept, " ")) == "" {
			for _, f := range use.files {
				rw.remove(f)
			}
		}
		return
	}
	given := strings.Join(use.carriers, " ")
	id := rw.mentions(given)
	if id == "" && use.stdin {
		id = in
	}
	if id == "" && !mayHoldCredential(given) {
		return
	}
	rw.order++
	file := rw.resolve(use.files[0])
	kind, _ := SecretPath(file)
	if id == "" && kind == "" {
		return
	}
	w := &secretFileWrite{
		in: rw.in, path: file, dir: use.dir, kind: kind, mount: id, via: use.via, shown: file,
		span: rw.m.df.Locate(rw.in, strings.Fields(use.via)[0]), order: rw.order,
	}
	if len(use.files) > 1 {
		w.alt = rw.resolve(use.files[1])
	}
	rw.writes = append(rw.writes, w)
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
