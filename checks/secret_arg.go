package checks

// BuildKit writes build arguments into the image history in two places, and
// both rules here follow from it (dockerfile2llb dispatchArg and
// runCommandString):
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
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

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

// ArgPersisted reports secret build arguments copied into ENV, a LABEL or a
// file of a shipped layer.
var ArgPersisted = &Rule{
	ID: "arg-persisted", Name: "ArgPersisted", Level: Error, Precision: "high",
	SecuritySeverity: "8.5",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret build argument copied into the image config or a layer",
	Help:             mustDoc("arg-persisted"),
	Check:            checkArgPersisted,
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
			v := ReadValue(*kv.Value, p.Dockerfile.Escape)
			d.value = &v
			classifyDefault(p, d, &v)
		} else if m := metas[kv.Key]; m != nil && in.Stage != nil {
			d.meta = m
			d.literal, d.defaultSecret, d.tokenDesc, d.tokenPrefixed = m.literal, m.defaultSecret, m.tokenDesc, m.tokenPrefixed
			d.otherKind = m.otherKind
			d.secretName = d.secretName || m.secretName
		}
		out = append(out, d)
	}
	return out
}

// classifyDefault decides whether a default value is a literal credential:
// a known token format, or a literal secret for the name.
func classifyDefault(p *Pass, d *argDecl, v *Value) {
	lit := strings.TrimSpace(v.Literal)
	if lit == "" || p.Settings.Allowed(lit) {
		return
	}
	if URLWithCredentials(lit) {
		// url-credentials reports the URL, history and all.
		d.otherKind = true
		return
	}
	if toks := ValueTokens(d.key, lit); len(toks) > 0 {
		d.literal, d.defaultSecret, d.tokenDesc, d.tokenPrefixed = true, toks[0].Secret, toks[0].Description, toks[0].Prefixed
		return
	}
	if d.secretName { // otherKind only qualifies a secret name
		d.otherKind = NonSecretKind(d.key, *v)
	}
	if LiteralSecret(d.key, *v, p.Settings) {
		d.literal, d.defaultSecret = true, sourceText(p.Dockerfile, d.in, *v)
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
		f.Suggestion = secretMountSuggestion(df, st, d, run)
	}
	p.Report(f)
}

// argRefPattern matches a reference to the variable name in shell or
// Dockerfile text: $NAME, ${NAME}, ${NAME:-x}, and cmd's %NAME%.
//
// The patterns are kept by name (up to maxArgRefs): every RUN is matched
// against every secret argument in scope, and the same names (NPM_TOKEN,
// GITHUB_TOKEN) recur in every Dockerfile of a monorepo.
func argRefPattern(name string) *regexp.Regexp {
	if re, ok := argRefs.Load(name); ok {
		return re.(*regexp.Regexp)
	}
	q := regexp.QuoteMeta(name)
	re := regexp.MustCompile(`\$` + q + `\b|\$\{` + q + `\b|%` + q + `%`)
	if argRefCount.Add(1) <= maxArgRefs {
		argRefs.Store(name, re)
	}
	return re
}

var (
	argRefs     sync.Map // name -> *regexp.Regexp
	argRefCount atomic.Int64
)

const maxArgRefs = 4096

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

var runKeyword = regexp.MustCompile(`(?i)^(\s*RUN\s+)`)

// maxSuggestionGap is how many lines between the ARG and its RUN a
// suggestion repeats unchanged; beyond it the block buries the change.
const maxSuggestionGap = 10

// secretMountSuggestion rewrites lines ARG..RUN: the ARG line is dropped,
// the lines between are kept, and the RUN gains a secret mount that puts the
// secret in the same environment variable, so its command is unchanged.
func secretMountSuggestion(df *Dockerfile, st *Stage, d *argDecl, run *Instruction) *Suggestion {
	if d.in.StartLine != d.in.EndLine || run.StartLine <= d.in.EndLine || run.EndLine > len(df.Lines) {
		return nil
	}
	if run.StartLine-d.in.EndLine-1 > maxSuggestionGap {
		return nil
	}
	first := df.Lines[run.StartLine-1]
	m := runKeyword.FindStringSubmatch(first)
	if m == nil {
		return nil
	}
	mount := fmt.Sprintf("--mount=type=secret,id=%s,env=%s ", strings.ToLower(d.key), d.key)
	lines := append([]string{}, df.Lines[d.in.EndLine:run.StartLine-1]...)
	lines = append(lines, m[1]+mount+first[len(m[1]):])
	lines = append(lines, df.Lines[run.StartLine:run.EndLine]...)
	return &Suggestion{StartLine: d.in.StartLine, EndLine: run.EndLine, Text: strings.Join(lines, "\n")}
}

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

// argScope is what an instruction sees: the secret build arguments in
// scope by name, and the working folder for relative paths.
type argScope struct {
	args map[string]*argDecl
	dir  string
}

func (s argScope) clone() argScope {
	c := argScope{args: make(map[string]*argDecl, len(s.args)), dir: s.dir}
	for k, v := range s.args {
		c.args[k] = v
	}
	return c
}

// locateRefAfter returns the span of the first reference to name at or
// after the command whose source text is raw, so that a finding points at
// the command that writes the file; it falls back to the first reference.
func locateRefAfter(df *Dockerfile, in *Instruction, name, raw string) Span {
	anchor := strings.TrimSpace(raw)
	if i := strings.IndexByte(anchor, '\n'); i >= 0 {
		anchor = anchor[:i]
	}
	if len(anchor) > 24 {
		anchor = anchor[:24]
	}
	re := argRefPattern(name)
	for ln := in.StartLine; anchor != "" && ln <= in.EndLine && ln <= len(df.Lines); ln++ {
		at := strings.Index(df.Lines[ln-1], anchor)
		if at < 0 {
			continue
		}
		for l := ln; l <= in.EndLine && l <= len(df.Lines); l++ {
			line := df.Lines[l-1]
			from := 0
			if l == ln {
				from = at
			}
			if loc := re.FindStringIndex(line[from:]); loc != nil {
				return refSpan(line, l, from+loc[0], from+loc[1])
			}
		}
		break
	}
	return locateRef(df, in, name)
}

func checkArgPersisted(p *Pass) {
	df := p.Dockerfile
	if df == nil || len(df.Stages) == 0 {
		return
	}
	metas := map[string]*argDecl{}
	for _, in := range df.MetaArgs {
		for _, d := range readArgs(p, in, metas) {
			metas[d.key] = d
		}
	}
	copied := stageCopies(df)
	final := map[*Stage]argScope{}
	for _, st := range df.Stages {
		scope, owned := argScope{args: map[string]*argDecl{}, dir: "/"}, true
		if st.BaseStage != nil {
			// Shared with the base until an ARG changes it: copied for
			// every stage, a FROM chain under many ARGs was quadratic.
			scope, owned = final[st.BaseStage], false
		}
		for _, in := range st.Instructions {
			switch c := in.Command.(type) {
			case *instructions.ArgCommand:
				if !owned {
					if !df.Budget.Spend(int64(len(scope.args)), "ARG scopes") {
						return
					}
					scope, owned = scope.clone(), true
				}
				for _, d := range readArgs(p, in, metas) {
					if d.secret() {
						scope.args[d.key] = d
					} else {
						delete(scope.args, d.key)
					}
				}
			case *instructions.WorkdirCommand:
				scope.dir = persistJoin(scope.dir, c.Path)
			case *instructions.EnvCommand:
				if st.Inherited {
					reportCopiedPairs(p, in, "ENV", c.Env, scope)
				}
			case *instructions.LabelCommand:
				if st.Inherited {
					reportCopiedPairs(p, in, "LABEL", c.Labels, scope)
				}
			case *instructions.RunCommand:
				if st.Inherited || len(copied[st]) > 0 {
					reportRunWrites(p, st, in, c, scope, copied[st])
				}
			}
		}
		final[st] = scope
	}
}

// reportCopiedPairs reports ENV or LABEL values that reference a secret
// argument in scope: BuildKit expands them into the image config.
func reportCopiedPairs(p *Pass, in *Instruction, keyword string, pairs instructions.KeyValuePairs, scope argScope) {
	df := p.Dockerfile
	for _, kv := range pairs {
		v := ReadValue(kv.Value, df.Escape)
		for _, ref := range v.Refs {
			d := scope.args[ref]
			if d == nil {
				continue
			}
			span := locateRef(df, in, ref)
			if span.Col == 0 {
				span = locateKey(df, in, kv.Key)
			}
			p.Report(Finding{
				Span:    span,
				Message: fmt.Sprintf("%s %q copies ARG %q into the image config", keyword, kv.Key, ref),
				Fix: fmt.Sprintf("Do not copy the build argument into %s: mount it only in the RUN that needs it with `RUN --mount=type=secret,id=%s,env=%s`, and give it to the container at run time if it needs it.",
					keyword, strings.ToLower(ref), ref),
				Related: []Related{argRelated(df, d)},
				Key:     fmt.Sprintf("%s %s=$%s", keyword, kv.Key, ref),
			})
			break
		}
	}
}

// argRelated points at the declaration of a secret argument.
func argRelated(df *Dockerfile, d *argDecl) Related {
	return Related{Path: df.Path, Span: locateKey(df, d.in, d.key), Message: fmt.Sprintf("ARG %q is declared here", d.key)}
}

// persistedWrite is a file that a RUN writes a secret argument into.
type persistedWrite struct {
	name   string   // the argument
	shown  string   // the file as the message names it
	paths  []string // where it may land, absolute; the first is shown
	tool   string   // the command that writes it, for tool-specific undo
	undo   []string // arguments of that tool that undo the write
	second int      // index of the command, to look for a later removal
}

// reportRunWrites reports files of the layer that the RUN writes a secret
// argument into and does not remove before it ends.
func reportRunWrites(p *Pass, st *Stage, in *Instruction, run *instructions.RunCommand, scope argScope, copied []string) {
	df := p.Dockerfile
	if len(scope.args) == 0 {
		return
	}
	cmds := argRunCommands(in, run)
	mounts, mounted := argRunMounts(in, scope.dir)
	// A secret mounted under the argument's name hides it in this RUN;
	// secret-mount-persisted reports what the RUN does with the secret.
	reported := mounted
	dirs := argCommandDirs(cmds, scope.dir)
	names := make([]string, 0, len(scope.args))
	for name := range scope.args {
		names = append(names, name)
	}
	sort.Strings(names)
	refs := make(map[string]*regexp.Regexp, len(names))
	for _, name := range names {
		refs[name] = argRefPattern(name)
	}
	for i := range cmds {
		for _, name := range names {
			d := scope.args[name]
			if reported[name] {
				continue
			}
			w := secretWrite(cmds, i, name, refs[name], dirs[i])
			if w == nil || removedInRun(cmds, dirs, w) || pathUnder(w.paths, mounts) {
				continue
			}
			where := "which stays in the image layer"
			if !st.Inherited {
				if !pathUnder(w.paths, copied) {
					continue
				}
				where = "which the image copies with COPY --from"
			}
			reported[name] = true
			p.Report(Finding{
				Span:    locateRefAfter(df, in, name, cmds[i].Raw),
				Message: fmt.Sprintf("RUN writes ARG %q into %q, %s", name, w.shown, where),
				Fix: fmt.Sprintf("Mount the secret for this RUN only (`RUN --mount=type=secret,id=%s,env=%s`) and delete %s before the RUN ends; a removal in a later instruction leaves it in this layer.",
					strings.ToLower(name), name, w.shown),
				Related: []Related{argRelated(df, d)},
				Key:     fmt.Sprintf("RUN %s %s %s", name, w.tool, w.shown),
			})
		}
	}
}

// argRunCommands reads the shell commands of a RUN, heredoc scripts included.
// A heredoc that feeds a command (cat <<EOF > file) is attached to it as an
// extra word when BuildKit expands it, so that a reference inside counts.
func argRunCommands(in *Instruction, run *instructions.RunCommand) []shellCommand {
	// No shell expands the words of an exec-form RUN other than sh -c.
	if !run.PrependShell && !(len(run.CmdLine) >= 3 && isShell(run.CmdLine[0]) && run.CmdLine[1] == "-c") {
		return nil
	}
	cached, _ := in.runCommands()
	cmds := slices.Clone(cached)
	for i := range cmds {
		for _, r := range cmds[i].Redirs {
			if r.Op == "<<" && r.Expands {
				cmds[i].Words = append(slices.Clip(cmds[i].Words), r.Body)
			}
		}
	}
	return cmds
}

// argCommandDirs follows cd through the script: the folder each command runs in.
func argCommandDirs(cmds []shellCommand, dir string) []string {
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = dir
		if len(c.Words) == 2 && c.Words[0] == "cd" && !strings.Contains(c.Words[1], "$") {
			dir = persistJoin(dir, c.Words[1])
		}
	}
	return out
}

// secretWrite returns the file that command i writes argument name (whose
// references re matches) into, or nil.
func secretWrite(cmds []shellCommand, i int, name string, re *regexp.Regexp, dir string) *persistedWrite {
	c := cmds[i]
	if len(c.Words) == 0 {
		return nil
	}
	mentions := func(c shellCommand) bool {
		for _, w := range contentWords(c) {
			if re.MatchString(w) {
				return true
			}
		}
		for _, a := range c.Assigns {
			if re.MatchString(a) {
				return true
			}
		}
		return false
	}
	// The pipeline up to this command: the secret flows through it when one
	// command names it and each one passes its input on.
	fed := false
	for j := i; j >= 0 && cmds[j].Pipeline == c.Pipeline; j-- {
		if mentions(cmds[j]) {
			fed = true
			break
		}
	}
	if !fed {
		return nil
	}
	flows := true
	for j := i; j >= 0 && cmds[j].Pipeline == c.Pipeline; j-- {
		if len(cmds[j].Words) == 0 || !printingCommands[cmds[j].Words[0]] {
			flows = false
		}
	}
	tool, args := c.Words[0], c.Words[1:]
	if flows {
		for _, r := range c.Redirs {
			if r.output() && r.Op != ">&" && redirectFile(r.Target) {
				return newPersistedWrite(name, r.Target, dir, i, tool)
			}
		}
		switch {
		case tool == "tee":
			for _, a := range args {
				if !strings.HasPrefix(a, "-") && redirectFile(a) {
					return newPersistedWrite(name, a, dir, i, tool)
				}
			}
		case tool == "sed" && hasInPlace(args) && mentions(c):
			if f := args[len(args)-1]; redirectFile(f) {
				return newPersistedWrite(name, f, dir, i, tool)
			}
		}
	}
	if !mentions(c) && !(i > 0 && cmds[i-1].Pipeline == c.Pipeline) {
		return nil
	}
	return toolWrite(name, re, c, dir, i)
}

// contentWords returns the words of a command that can end up in what it
// writes: not the files that tee and sed -i write to, whose names may hold
// an argument (/home/${USERNAME}/.bashrc) without its value being written.
func contentWords(c shellCommand) []string {
	switch {
	case c.Words[0] == "tee":
		return nil
	case c.Words[0] == "sed" && hasInPlace(c.Words[1:]) && len(c.Words) > 2:
		return c.Words[1 : len(c.Words)-1]
	}
	return c.Words[1:]
}

// toolWrite returns the configuration file that a known command stores a
// credential in: npm config set, git config --global, docker login...
func toolWrite(name string, re *regexp.Regexp, c shellCommand, dir string, i int) *persistedWrite {
	w := c.Words
	if path.Base(w[0]) == "git" && len(w) > 1 && w[1] == "clone" {
		return cloneWrite(name, re, w, dir, i)
	}
	via, undo, paths := credentialWrite(w)
	if via == "" {
		return nil
	}
	pw := newPersistedWrite(name, paths[0], dir, i, path.Base(w[0]))
	for _, p := range paths[1:] {
		pw.paths = append(pw.paths, persistJoin(dir, p))
	}
	pw.undo = undo
	return pw
}

// credentialWrite is the table of commands that store a credential they are
// given in their own configuration file: the command as a message names it
// (npm config set), the arguments of the same tool that undo the write, and
// the files it may write, the first the one it writes by default (~ is the
// user's home, a relative path is in the working folder). via is "" for any
// other command.
func credentialWrite(w []string) (via string, undo []string, paths []string) {
	sub := func(k int) string {
		if k < len(w) {
			return w[k]
		}
		return ""
	}
	has := func(flags ...string) bool {
		for _, a := range w[1:] {
			for _, f := range flags {
				if a == f || strings.HasPrefix(a, f+"=") {
					return true
				}
			}
		}
		return false
	}
	named := func(n int) string {
		return strings.Join(append([]string{path.Base(w[0])}, w[1:min(n, len(w))]...), " ")
	}
	switch tool := path.Base(w[0]); {
	case (tool == "npm" || tool == "pnpm") && (sub(1) == "set" || sub(1) == "config" && sub(2) == "set"):
		n := 2
		if sub(1) == "config" {
			n = 3
		}
		if has("-g", "--global") {
			return named(n), []string{"delete", "rm"}, []string{"/usr/local/etc/npmrc"}
		}
		return named(n), []string{"delete", "rm"}, []string{"~/.npmrc", ".npmrc"}
	case tool == "yarn" && sub(1) == "config" && sub(2) == "set":
		return named(3), []string{"delete", "unset"}, []string{"~/.yarnrc", "~/.yarnrc.yml", ".yarnrc.yml"}
	case tool == "git" && sub(1) == "config" && !has("--unset", "--unset-all", "--get", "--list", "-l", "--remove-section"):
		undo := []string{"--unset", "--unset-all", "--remove-section"}
		switch {
		case has("--global"):
			return named(2), undo, []string{"~/.gitconfig", "~/.config/git/config"}
		case has("--system"):
			return named(2), undo, []string{"/etc/gitconfig"}
		}
		return named(2), undo, []string{".git/config"}
	case tool == "git" && sub(1) == "remote" && (sub(2) == "add" || sub(2) == "set-url"):
		return named(3), []string{"remove", "rm"}, []string{".git/config"}
	case tool == "docker" && sub(1) == "login":
		return named(2), []string{"logout"}, []string{"~/.docker/config.json"}
	case tool == "helm" && (sub(1) == "registry" && sub(2) == "login" || sub(1) == "repo" && sub(2) == "add"):
		return named(3), []string{"logout", "remove", "rm"}, []string{"~/.config/helm/registry/config.json", "~/.config/helm/repositories.yaml"}
	case tool == "aws" && sub(1) == "configure" && sub(2) == "set":
		return named(3), nil, []string{"~/.aws/credentials", "~/.aws/config"}
	case tool == "composer" && sub(1) == "config":
		if has("-g", "--global") {
			return named(2), []string{"--unset"}, []string{"~/.composer/auth.json", "~/.config/composer/auth.json"}
		}
		return named(2), []string{"--unset"}, []string{"auth.json", "composer.json"}
	case tool == "poetry" && sub(1) == "config":
		return named(2), []string{"--unset"}, []string{"~/.config/pypoetry/auth.toml", "~/.config/pypoetry/config.toml"}
	case tool == "bundle" && sub(1) == "config":
		return named(2), []string{"unset", "--delete"}, []string{"~/.bundle/config", ".bundle/config"}
	case (tool == "pip" || tool == "pip3") && sub(1) == "config" && sub(2) == "set":
		return named(3), []string{"unset"}, []string{"~/.config/pip/pip.conf", "/etc/pip.conf", "~/.pip/pip.conf"}
	case tool == "go" && sub(1) == "env" && has("-w"):
		return "go env -w", []string{"-u"}, []string{"~/.config/go/env"}
	case tool == "cargo" && sub(1) == "login":
		return named(2), []string{"logout"}, []string{"~/.cargo/credentials.toml", "~/.cargo/credentials"}
	case tool == "gh" && sub(1) == "auth" && sub(2) == "login":
		return named(3), []string{"logout"}, []string{"~/.config/gh/hosts.yml"}
	case tool == "dotnet" && sub(1) == "nuget" && (sub(2) == "add" || sub(2) == "update") && sub(3) == "source":
		return named(4), []string{"remove"}, []string{"~/.nuget/NuGet/NuGet.Config"}
	case tool == "gem" && sub(1) == "sources" && has("-a", "--add"):
		return "gem sources --add", []string{"-r", "--remove"}, []string{"~/.gemrc"}
	}
	return "", nil, nil
}

// cloneWrite returns the .git/config that git clone stores a credential URL in.
func cloneWrite(name string, re *regexp.Regexp, w []string, dir string, i int) *persistedWrite {
	url, target, ok := gitCloneOperands(w)
	if !ok || !re.MatchString(url) {
		return nil
	}
	pw := newPersistedWrite(name, path.Join(target, ".git/config"), dir, i, "git")
	pw.undo = []string{"set-url", "remove", "rm"}
	return pw
}

// gitCloneOperands reads git clone's repository URL and the folder it
// clones into (by default the URL's last element, .git removed).
func gitCloneOperands(w []string) (url, dir string, ok bool) {
	var operands []string
	for k := 2; k < len(w); k++ {
		a := w[k]
		if strings.HasPrefix(a, "-") {
			if (a == "-b" || a == "--branch" || a == "--depth" || a == "-o" || a == "--origin" || a == "-c" || a == "--config") && k+1 < len(w) {
				k++
			}
			continue
		}
		operands = append(operands, a)
	}
	if len(operands) == 0 {
		return "", "", false
	}
	if len(operands) > 1 {
		return operands[0], operands[1], true
	}
	u := strings.TrimSuffix(strings.TrimRight(operands[0], "/"), ".git")
	return operands[0], path.Base(u), true
}

func newPersistedWrite(name, file, dir string, i int, tool string) *persistedWrite {
	return &persistedWrite{name: name, shown: file, paths: []string{persistJoin(dir, file)}, tool: tool, second: i}
}

// hasInPlace reports sed's -i, --in-place or a bundled -i.bak / -Ei.
func hasInPlace(args []string) bool {
	for _, a := range args {
		if a == "--in-place" || strings.HasPrefix(a, "--in-place=") ||
			strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "i") {
			return true
		}
	}
	return false
}

// redirectFile reports whether a redirection target is a file of the image
// rather than a device or a descriptor.
func redirectFile(t string) bool {
	return t != "" && !strings.HasPrefix(t, "/dev/") && !strings.HasPrefix(t, "/proc/") &&
		!strings.HasPrefix(t, "&") && strings.Trim(t, "0123456789") != ""
}

// removedInRun reports whether a later command of the same RUN removes the
// written file, or undoes the tool's write.
func removedInRun(cmds []shellCommand, dirs []string, w *persistedWrite) bool {
	for k := w.second + 1; k < len(cmds); k++ {
		c := cmds[k]
		if len(c.Words) == 0 {
			continue
		}
		tool := path.Base(c.Words[0])
		switch {
		case tool == "rm" || tool == "unlink" || tool == "shred":
			for _, a := range c.Words[1:] {
				if strings.HasPrefix(a, "-") {
					continue
				}
				p := persistJoin(dirs[k], a)
				for _, t := range w.paths {
					if t == p || strings.HasPrefix(t, strings.TrimSuffix(p, "/")+"/") || persistGlob(p, t) {
						return true
					}
				}
			}
		case tool == w.tool && len(w.undo) > 0:
			for _, a := range c.Words[1:] {
				for _, u := range w.undo {
					if a == u {
						return true
					}
				}
			}
		}
	}
	return false
}

// persistGlob reports whether the pattern, or a folder it matches, covers p.
func persistGlob(pattern, p string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return false
	}
	for q := p; q != "/" && q != "."; q = path.Dir(q) {
		if ok, err := path.Match(pattern, q); err == nil && ok {
			return true
		}
	}
	return false
}

// argRunMounts returns the folders that a RUN mounts, whose files are not part
// of the layer, and the variables its secret mounts set (env=NAME).
func argRunMounts(in *Instruction, dir string) (targets []string, env map[string]bool) {
	env = map[string]bool{}
	for _, f := range in.Flags {
		spec, ok := strings.CutPrefix(f, "--mount=")
		if !ok {
			continue
		}
		typ, target := "bind", ""
		for _, field := range strings.Split(spec, ",") {
			k, v, _ := strings.Cut(field, "=")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "type":
				typ = v
			case "target", "dst", "destination":
				target = v
			case "env":
				env[v] = true
			}
		}
		if typ == "secret" && target == "" {
			target = "/run/secrets"
		}
		if target != "" && typ != "ssh" {
			targets = append(targets, persistJoin(dir, target))
		}
	}
	return targets, env
}

// stageCopies returns, for each stage, the paths that shipped stages copy out
// of it with COPY --from, absolute (COPY --from reads from the stage's root).
func stageCopies(df *Dockerfile) map[*Stage][]string {
	out := map[*Stage][]string{}
	for _, st := range df.Stages {
		if !st.Shipped {
			continue
		}
		for _, in := range st.Instructions {
			c, ok := in.Command.(*instructions.CopyCommand)
			if !ok || c.From == "" {
				continue
			}
			src := df.StageRef(c.From)
			if src == nil {
				continue
			}
			for _, sp := range c.SourcePaths {
				out[src] = append(out[src], persistJoin("/", sp))
			}
		}
	}
	return out
}

// pathUnder reports whether one of paths is one of dirs, inside one, or
// matched by one as a glob.
func pathUnder(paths, dirs []string) bool {
	for _, p := range paths {
		for _, d := range dirs {
			if p == d || d == "/" || strings.HasPrefix(p, strings.TrimSuffix(d, "/")+"/") || persistGlob(d, p) {
				return true
			}
		}
	}
	return false
}

// persistJoin resolves p against dir; ~ and $HOME are /root, the home of
// the default user.
func persistJoin(dir, p string) string {
	for _, home := range []string{"~", "$HOME", "${HOME}"} {
		if p == home || strings.HasPrefix(p, home+"/") {
			p = "/root" + p[len(home):]
			break
		}
	}
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Clean(path.Join(dir, p))
}
