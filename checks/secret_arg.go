package checks

// BuildKit writes build arguments into the image history in two places, and
// secret-arg and arg-persisted (arg_persisted.go) follow from it
// (dockerfile2llb dispatchArg and runCommandString):
//   - every ARG instruction of a stage becomes a history entry
//     `ARG NAME=<value>`, with the value given by --build-arg or the default;
//   - every later RUN of the stage, and of the stages built FROM it, is
//     recorded as `RUN |N NAME=<value> ... <command>` with every ARG in
//     scope, whether or not the command references it.
// So declaring a secret ARG in a stage whose history ships is enough to leak
// it: BuildKit itself counts the declaration as consuming the argument.
// Meta ARGs (before the first FROM) are not recorded until a stage
// re-declares them.

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// SecretArg reports secret build arguments declared in a stage whose
// history ships, and ARGs whose default is a literal credential.
var SecretArg = &Rule{
	ID: "secret-arg", Name: "SecretArg", Level: Warning, Precision: "high",
	SecuritySeverity: "7.5",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret passed as a build argument, recorded in the image history",
	Help:             mustDoc("secret-arg"),
	Check:            checkSecretArg,
}

// argDecl is one name declared by an ARG instruction.
type argDecl struct {
	in    *Instruction
	key   string
	value *Value // its own default, nil when it has none
	// meta is the global ARG that a stage ARG without default re-declares,
	// so that the global default applies; nil otherwise.
	meta *argDecl
	// secretName says the name is a secret's (SecretName).
	secretName bool
	// otherKind says the default shows the argument takes something else
	// than a credential: a path, a URL, a boolean (NonSecretKind).
	otherKind bool
	// literal says the effective default is a literal credential:
	// defaultSecret as written, tokenDesc its format when it is a known one
	// and tokenPrefixed whether the token carries its format's mark.
	literal       bool
	defaultSecret string
	tokenDesc     string
	tokenPrefixed bool
	// urlCredential says the effective default is a URL with credentials:
	// url-credentials reports it at the ARG, and arg-persisted where it
	// is copied.
	urlCredential bool
	// connURI says the name is a database or broker connection URL's
	// (MONGO_URI, DATABASE_URL) and no default shows what it holds: the
	// value given at build time carries its user:password@ when it has
	// one. Copied into ENV or a LABEL, it is a warning.
	connURI bool
}

// readArgs returns the names declared by an ARG instruction, classified.
// metas holds the meta ARGs by name, for re-declarations.
//
// secret-arg and arg-persisted both read every ARG, with the same metas
// (the meta ARGs, read here first), so the declarations are read once per
// Dockerfile and settings: classifying defaults was 3% of a scan. Nothing
// changes an argDecl once read.
func readArgs(p *Pass, in *Instruction, metas map[string]*argDecl) []*argDecl {
	if _, ok := in.Command.(*instructions.ArgCommand); !ok {
		return nil // the rules ask of every instruction; most are no ARG
	}
	df := p.Dockerfile
	df.argsMu.Lock()
	defer df.argsMu.Unlock()
	if df.args == nil || df.argsSettings != p.Settings {
		df.args, df.argsSettings = map[*Instruction][]*argDecl{}, p.Settings
	}
	out, ok := df.args[in]
	if !ok {
		out = readArgsOnce(p, in, metas)
		df.args[in] = out
	}
	return out
}

func readArgsOnce(p *Pass, in *Instruction, metas map[string]*argDecl) []*argDecl {
	arg, ok := in.Command.(*instructions.ArgCommand)
	if !ok {
		return nil
	}
	var out []*argDecl
	for _, kv := range arg.Args {
		d := &argDecl{in: in, key: kv.Key, secretName: SecretName(kv.Key, p.Settings)}
		if kv.Value != nil {
			v := p.State.ReadValue(*kv.Value, p.Dockerfile.Escape)
			d.value = &v
			classifyDefault(p, d, &v)
		} else if m := metas[kv.Key]; m != nil && in.Stage != nil {
			d.meta = m
			d.literal, d.defaultSecret, d.tokenDesc, d.tokenPrefixed = m.literal, m.defaultSecret, m.tokenDesc, m.tokenPrefixed
			d.otherKind, d.urlCredential = m.otherKind, m.urlCredential
			d.secretName = d.secretName || m.secretName
		}
		d.connURI = ConnectionURIName(kv.Key) && (d.value == nil || strings.TrimSpace(d.value.Literal) == "") &&
			(d.meta == nil || d.meta.connURI)
		out = append(out, d)
	}
	return out
}

// classifyDefault decides whether a default value is a literal credential:
// a known token format, or a literal secret for the name.
func classifyDefault(p *Pass, d *argDecl, v *Value) {
	if lit := strings.TrimSpace(v.Literal); lit == "" || p.Settings.Allowed(lit) {
		return
	}
	a := JudgeAssignment(d.key, *v, p.Settings)
	switch {
	case a.URL:
		// url-credentials reports the URL, history and all.
		d.otherKind, d.urlCredential = true, true
		return
	case len(a.Tokens) > 0:
		d.literal, d.defaultSecret, d.tokenDesc, d.tokenPrefixed = true, a.Tokens[0].Secret, a.Tokens[0].Description, a.Tokens[0].Prefixed
		return
	}
	if d.secretName { // otherKind only qualifies a secret name
		d.otherKind = NonSecretKind(d.key, *v)
	}
	switch {
	case a.Literal:
		d.literal, d.defaultSecret = true, sourceText(p.Dockerfile, d.in, *v)
	case a.ConnPassword != "":
		d.literal, d.defaultSecret, d.tokenDesc = true, a.ConnPassword, "password in a connection string"
	}
}

// secret reports whether the argument carries a secret.
func (d *argDecl) secret() bool { return d.secretName && !d.otherKind || d.literal }

func checkSecretArg(p *Pass) {
	df := p.Dockerfile
	if df == nil {
		return
	}
	metas := map[string]*argDecl{}
	var metaOrder []*argDecl
	for _, in := range df.MetaArgs {
		for _, d := range readArgs(p, in, metas) {
			metas[d.key] = d
			metaOrder = append(metaOrder, d)
		}
	}
	redeclared := map[*argDecl]bool{}
	for _, st := range df.Stages {
		for i, in := range st.Instructions {
			reportOnbuildArgs(p, in, st.Inherited)
			for _, d := range readArgs(p, in, metas) {
				switch {
				case !d.secret():
				case st.Inherited:
					if d.meta != nil {
						redeclared[d.meta] = true
					}
					reportSecretArg(p, st, i, d, true)
				case d.literal && d.meta == nil && d.tokenPrefixed:
					// The stage's history does not ship: only a marked token
					// leaks with the repository alone.
					reportSecretArg(p, st, i, d, false)
				}
			}
		}
	}
	// A global default is only in the Dockerfile, unless a shipped stage
	// re-declares it; that re-declaration is then the finding.
	// In a file BuildKit refuses, what ships is not known until it is fixed
	// to build: every literal default counts.
	refused := len(df.Errors) > 0
	for _, d := range metaOrder {
		if d.literal && (d.tokenPrefixed || refused) && !redeclared[d] {
			reportSecretArg(p, nil, 0, d, false)
		}
	}
	reportRefusedPairs(p, "arg")
}

// reportSecretArg reports d, declared by the i-th instruction of st (st is
// nil for a meta ARG); shipped says whether st's history ships.
func reportSecretArg(p *Pass, st *Stage, i int, d *argDecl, shipped bool) {
	df := p.Dockerfile
	lower := strings.ToLower(d.key)
	f := Finding{
		Level: Warning,
		Span:  locateKey(df, d.in, d.key),
		Fix: fmt.Sprintf("Pass it as a build secret instead of a build argument: `docker build --secret id=%s,env=%s` and `RUN --mount=type=secret,id=%s,env=%s <command>` in the RUN that needs it, then remove the ARG.",
			lower, d.key, lower, d.key),
	}
	what := "a literal credential"
	if d.tokenDesc != "" {
		what = tokenPhrase(d.tokenDesc)
	}
	switch {
	case d.literal && shipped:
		f.Level = Error
		f.Message = fmt.Sprintf("ARG %q has %s as its default, recorded in the image history", d.key, what)
	case d.literal:
		f.Level = Error
		f.Message = fmt.Sprintf("ARG %q has %s as its default, written in the Dockerfile", d.key, what)
	default:
		f.Message = fmt.Sprintf("ARG %q records its build-time value in the image history", d.key)
	}
	if d.literal {
		f.Secret = d.defaultSecret
		f.Fix += " Rotate the value: it is committed with the Dockerfile."
		if d.meta == nil {
			f.Span = locateValue(df, d.in, d.key, d.defaultSecret)
		} else {
			f.Related = append(f.Related, Related{
				Path: df.Path, Span: locateValue(df, d.meta.in, d.key, d.defaultSecret),
				Message: fmt.Sprintf("The default of ARG %q is set here", d.key),
			})
		}
	}
	if st == nil {
		p.Report(f)
		return
	}
	if run := singleConsumer(df, st, i, d); run != nil {
		f.Related = append(f.Related, Related{
			Path: df.Path, Span: locateRef(df, run, d.key),
			Message: fmt.Sprintf("ARG %q is used here", d.key),
		})
		f.Suggestion = secretMountSuggestion(df, d, run)
	}
	p.Report(f)
}

// reportOnbuildArgs reports a secret ARG that an ONBUILD of a shipped stage
// declares: the trigger is in the image config, and every image built FROM
// this one runs it, so each child's history records the value (or the
// literal default) of the argument. In a stage that does not ship, only a
// token that carries its format's mark is reported: a leak of the
// repository wherever it is written.
func reportOnbuildArgs(p *Pass, in *Instruction, shipped bool) {
	if in.Onbuild == nil {
		return
	}
	arg, ok := in.Onbuild.Command.(*instructions.ArgCommand)
	if !ok {
		return
	}
	df := p.Dockerfile
	for _, kv := range arg.Args {
		d := &argDecl{in: in, key: kv.Key, secretName: SecretName(kv.Key, p.Settings)}
		if kv.Value != nil {
			v := p.State.ReadValue(*kv.Value, df.Escape)
			classifyDefault(p, d, &v)
		}
		if !d.secret() || !shipped && !(d.literal && d.tokenPrefixed) {
			continue
		}
		lower := strings.ToLower(d.key)
		f := Finding{
			Level:   Warning,
			Span:    locateKey(df, in, d.key),
			Message: fmt.Sprintf("ONBUILD ARG %q records its build-time value in the history of every image built from this one", d.key),
			Fix: fmt.Sprintf("Remove the ONBUILD ARG: a child image that needs the secret mounts it with `RUN --mount=type=secret,id=%s,env=%s` and is built with `docker build --secret id=%s,env=%s`.",
				lower, d.key, lower, d.key),
		}
		if d.literal {
			what := "a literal credential"
			if d.tokenDesc != "" {
				what = tokenPhrase(d.tokenDesc)
			}
			f.Level, f.Secret = Error, d.defaultSecret
			f.Span = locateValue(df, in, d.key, d.defaultSecret)
			f.Message = fmt.Sprintf("ONBUILD ARG %q has %s as its default, recorded in the image config and in the history of every image built from this one", d.key, what)
			if !shipped {
				f.Message = fmt.Sprintf("ONBUILD ARG %q has %s as its default, written in the Dockerfile", d.key, what)
			}
			f.Fix += " Rotate the value: it is committed with the Dockerfile."
		}
		p.Report(f)
	}
}

// argRef matches references to one variable name in shell or Dockerfile
// text: $NAME, ${NAME}, ${NAME:-x}, and cmd's %NAME%. It finds what the
// regular expression `\$NAME\b|\$\{NAME\b|%NAME%` finds (argref_internal_test.go
// compares them) without compiling one: every RUN is matched against every
// secret argument in scope, and a compiled pattern per name had to be kept
// across the scan to be affordable.
type argRef struct{ name string }

func argRefPattern(name string) argRef { return argRef{name} }

// MatchString reports whether s references the name.
func (r argRef) MatchString(s string) bool {
	_, end := r.find(s)
	return end >= 0
}

// FindStringIndex returns the start and end of the leftmost reference in
// s, as regexp.FindStringIndex does; nil when there is none.
func (r argRef) FindStringIndex(s string) []int {
	if start, end := r.find(s); end >= 0 {
		return []int{start, end}
	}
	return nil
}

// find returns the start and end of the leftmost reference in s; -1, -1
// when there is none.
func (r argRef) find(s string) (int, int) {
	for i := 0; i < len(s); i++ {
		j := strings.IndexAny(s[i:], "$%")
		if j < 0 {
			break
		}
		i += j
		if end := r.matchAt(s, i); end >= 0 {
			return i, end
		}
	}
	return -1, -1
}

// matchAt returns the end of a reference that starts at s[i], trying the
// alternatives in the regular expression's order; -1 when none starts there.
func (r argRef) matchAt(s string, i int) int {
	rest := s[i+1:]
	if s[i] == '%' {
		if strings.HasPrefix(rest, r.name) && len(rest) > len(r.name) && rest[len(r.name)] == '%' {
			return i + 2 + len(r.name)
		}
		return -1
	}
	if end := i + 1 + len(r.name); strings.HasPrefix(rest, r.name) && wordBoundary(s, end) {
		return end
	}
	if end := i + 2 + len(r.name); strings.HasPrefix(rest, "{") && strings.HasPrefix(rest[1:], r.name) && wordBoundary(s, end) {
		return end
	}
	return -1
}

// wordBoundary reports whether \b holds at s[k] (0 < k <= len(s)): one side
// is an ASCII word character and the other is not.
func wordBoundary(s string, k int) bool {
	return isWordByte(s[k-1]) != (k < len(s) && isWordByte(s[k]))
}

// singleConsumer returns the RUN that consumes d, when a mechanical
// rewrite to a secret mount is safe: the ARG declares only d, exactly one
// later instruction in scope references d and it is a RUN of the same
// stage, and no other RUN between the ARG and it could read d from its
// environment. A default goes with the ARG: a secret has none.
func singleConsumer(df *Dockerfile, st *Stage, i int, d *argDecl) *Instruction {
	arg := d.in.Command.(*instructions.ArgCommand)
	if len(arg.Args) != 1 {
		return nil
	}
	x := argRefsOf(df)
	if !df.Budget.Spend(1, "ARG references") {
		return nil
	}
	start := st.Instructions[i]
	// An ARG that declares the name again starts another scope.
	end := len(st.Instructions)
	if l := after(x.decls[d.key], start); len(l) > 0 && l[0].Stage == st {
		end = x.pos[l[0]]
	}
	var run *Instruction
	for _, in := range after(x.referencing(df, d.key), start) {
		if !df.Budget.Spend(1, "ARG references") || in.Stage != st || x.pos[in] >= end {
			break
		}
		if run != nil || in.Cmd != "run" {
			return nil
		}
		run = in
	}
	if run == nil || x.runs[run] > x.runs[start] || x.builtOnReferences(df, st, d.key) {
		return nil
	}
	return run
}

var runKeyword = lazyRegexp(`(?i)^(\s*RUN\s+)`)

// secretMountSuggestion removes the ARG and, as an edit of its own (Also),
// gives the RUN a secret mount that puts the secret in the same environment
// variable, so that its command is unchanged. Each edit covers the lines of
// one instruction: the review comment sits on the ARG, the finding's line,
// and shows the RUN's change in its text rather than spanning the
// instructions between. When the RUN writes the value into a file of its
// layer (npm config set, > .npmrc), the mount alone would move the leak from
// the history into the layer: the RUN then removes the file before it ends,
// and there is no suggestion when that removal cannot be appended.
func secretMountSuggestion(df *Dockerfile, d *argDecl, run *Instruction) *Suggestion {
	if d.in.StartLine != d.in.EndLine || run.StartLine <= d.in.EndLine || run.EndLine > len(df.Lines) {
		return nil
	}
	remove := &Suggestion{StartLine: d.in.StartLine, EndLine: d.in.EndLine}
	if _, env := argRunMounts(run, "/"); env[d.key] {
		// The RUN already reads the secret from a mount: the ARG only
		// records a value that nothing uses.
		return remove
	}
	first := df.Lines[run.StartLine-1]
	m := runKeyword().FindStringSubmatch(first)
	if m == nil {
		return nil
	}
	rm, ok := removalOfWrites(df, run, d.key)
	if !ok {
		return nil
	}
	lines := slices.Clone(df.Lines[run.StartLine-1 : run.EndLine])
	lines[0] = m[1] + fmt.Sprintf("--mount=type=secret,id=%s,env=%s ", strings.ToLower(d.key), d.key) + first[len(m[1]):]
	if rm != "" {
		lines[len(lines)-1] += " && " + rm
	}
	remove.Also = []Edit{{StartLine: run.StartLine, EndLine: run.EndLine, Text: strings.Join(lines, "\n")}}
	return remove
}

// plainPath is a file name that a command line may repeat without quotes
// and that rm cannot take for an option.
var plainPath = lazyRegexp(`^(~/)?[A-Za-z0-9_./${}@+][A-Za-z0-9_./${}@+-]*$`)

// removalOfWrites returns the command that removes the files which run
// writes argument name into and leaves in its layer, as arg-persisted reads
// the RUN ("" when it leaves none). ok is false when the script is not read,
// when nothing after a write uses the file, or when an rm appended to its
// last line would not remove them all: a heredoc, the exec form, a trailing
// comment, a file named relative to a folder the script left.
func removalOfWrites(df *Dockerfile, run *Instruction, name string) (rm string, ok bool) {
	c, isRun := run.Command.(*instructions.RunCommand)
	if !isRun {
		return "", false
	}
	if _, read := run.runCommands(); !read {
		return "", false
	}
	l := df.lineage()
	dir, home := l.dir[run], l.userHome(run)
	mounts, _ := argRunMounts(run, dir)
	cmds := argRunCommands(run, c)
	dirs := runDirs(cmds, dir, home)
	ref := argRefPattern(name)
	var left []*persistedWrite
	var files []string
	for i := range cmds {
		w := leftWrite(cmds, dirs, i, name, ref, home, mounts)
		if w == nil {
			continue
		}
		if !usedLater(cmds, w.second) {
			// The RUN writes the file for a later instruction or for the
			// container: removing it at once is no fix, the later use must
			// mount the secret itself.
			return "", false
		}
		left = append(left, w)
		if !slices.Contains(files, w.files[0]) {
			files = append(files, w.files[0])
		}
	}
	if len(left) == 0 {
		return "", true
	}
	script, _ := runShellScript(c)
	last := strings.TrimSpace(df.Lines[run.EndLine-1])
	if !c.PrependShell || len(c.Files) > 0 || !strings.HasSuffix(last, strings.TrimSpace(script)) && !strings.HasSuffix(strings.TrimSpace(script), last) {
		return "", false
	}
	for _, f := range files {
		if !plainPath().MatchString(f) {
			return "", false
		}
	}
	rm = "rm -f " + strings.Join(files, " ")
	// The script as it would be, read as arg-persisted reads it: the rm must
	// be its last command and remove every file.
	fixed, read := readShell(script + " && " + rm)
	if !read || len(fixed) != len(cmds)+1 || !slices.Equal(fixed[len(cmds)].Words, append([]string{"rm", "-f"}, files...)) {
		return "", false
	}
	fixedDirs := runDirs(fixed, dir, home)
	for _, w := range left {
		if !removedInRun(fixed, fixedDirs, home, w, ref) {
			return "", false
		}
	}
	return rm, true
}

// usedLater reports whether a command after the i-th can use what it wrote:
// one that only sets a file's mode or owner cannot.
func usedLater(cmds []shellCommand, i int) bool {
	for _, c := range cmds[i+1:] {
		if len(c.Words) > 0 && !fileModeCommands[path.Base(c.Words[0])] {
			return true
		}
	}
	return false
}

var fileModeCommands = wordSet("chmod", "chown", "chgrp")

// locateKey returns the span of an ARG or ENV key in its instruction.
func locateKey(df *Dockerfile, in *Instruction, key string) Span {
	for _, find := range []func(string, string) int{indexAssigned, indexName} {
		for ln := in.StartLine; ln <= in.EndLine && ln <= len(df.Lines); ln++ {
			if k := find(df.Lines[ln-1], key); k >= 0 {
				return Span{Line: ln, Col: k + 1, EndLine: ln, EndCol: k + 1 + len(key)}
			}
		}
	}
	return Span{Line: in.StartLine, EndLine: in.StartLine}
}

// indexName finds key in line where it is not part of a longer name.
func indexName(line, key string) int {
	from := 0
	for {
		i := strings.Index(line[from:], key)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(key)
		before := i == 0 || !isNameByte(line[i-1])
		after := end == len(line) || !isNameByte(line[end])
		if before && after {
			return i
		}
		from = i + 1
	}
}

func isNameByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// locateRef returns the span of the first reference to name in in.
func locateRef(df *Dockerfile, in *Instruction, name string) Span {
	re := argRefPattern(name)
	for ln := in.StartLine; ln <= in.EndLine && ln <= len(df.Lines); ln++ {
		if loc := re.FindStringIndex(df.Lines[ln-1]); loc != nil {
			return refSpan(df.Lines[ln-1], ln, loc[0], loc[1])
		}
	}
	return Span{Line: in.StartLine, EndLine: in.StartLine}
}

// refSpan is the span of a reference found at line[start:end], widened to
// its closing brace for ${NAME...}.
func refSpan(line string, ln, start, end int) Span {
	if strings.HasPrefix(line[start:], "${") {
		if j := strings.IndexByte(line[start:], '}'); j >= 0 {
			end = start + j + 1
		}
	}
	return Span{Line: ln, Col: start + 1, EndLine: ln, EndCol: end + 1}
}
