package checks

// The shell façade: RUN scripts (and workflow run: scripts) are parsed with
// mvdan.cc/sh/v3/syntax, and rules see simple commands (name, arguments,
// assignments, redirections with their descriptor), as hadolint's Shell.hs
// gives its rules commands over ShellCheck's parser. Loops, conditionals,
// subshells, blocks, functions and sh -c scripts are walked into; a for
// loop's header is an assignment of all its items to its variable.
//
// A script the parser refuses (PowerShell under SHELL ["powershell", ...],
// a rare bash-ism) has unknown effects: readShell says so and returns no
// commands, and the rules that model RUN effects read nothing from it
// rather than guess.

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"mvdan.cc/sh/v3/syntax"
)

// shellCommand is one simple command.
type shellCommand struct {
	Words    []string // unquoted words; keywords and wrappers such as sudo removed
	Assigns  []string // NAME=value words before the command
	Redirs   []shellRedirect
	Raw      string // source text, quotes included
	Pipeline int    // commands joined by | share a number
}

// shellRedirect is one redirection: Op is >, >>, >|, &>, &>>, <, <<, <<<,
// <>, >& or <&; Fd is the descriptor number written before it, if any
// (2 in 2>/dev/null). A heredoc has its Body, which the shell expands
// unless its delimiter is quoted.
type shellRedirect struct {
	Op      string
	Fd      string
	Target  string
	Body    string
	Expands bool
}

// output reports a redirection of standard output (or of both outputs) to
// a file: not 2> and not a descriptor duplication.
func (r shellRedirect) output() bool {
	switch r.Op {
	case ">", ">>", ">|":
		return r.Fd == "" || r.Fd == "1"
	case "&>", "&>>":
		return true
	case ">&":
		return (r.Fd == "" || r.Fd == "1") && !allDigitsWord(r.Target) && r.Target != "-"
	}
	return false
}

// runShell is a RUN's script read once for every rule: its commands, and
// whether the parser accepted it (false: its effects are unknown).
type runShell struct {
	cmds     []shellCommand
	comments []string // the shell comments, which no command holds
	ok       bool
}

// runCommands returns the commands of a RUN, parsed on first use; callers
// must not change them. The heredoc bodies that BuildKit took out of the
// script are put back where the shell reads them; a RUN <<EOF runs its
// body as the script.
func (in *Instruction) runCommands() ([]shellCommand, bool) {
	in.shellOnce.Do(func() {
		run, ok := in.Command.(*instructions.RunCommand)
		if !ok {
			return
		}
		script, bodies := runShellScript(run)
		for _, f := range run.Files {
			if _, ok := bodies[f.Name]; ok {
				script = appendHeredoc(script, f.Name, f.Data)
			}
		}
		r := &shellReader{}
		sh := &runShell{ok: r.script(script, 0)}
		if sh.ok {
			sh.cmds, sh.comments = r.out, r.comments
		}
		in.shell = sh
	})
	if in.shell == nil {
		return nil, false
	}
	return in.shell.cmds, in.shell.ok
}

// runComments returns the shell comments of a RUN that the parser read:
// text that runs nothing but is part of the instruction all the same.
func (in *Instruction) runComments() []string {
	if _, ok := in.runCommands(); !ok {
		return nil
	}
	return in.shell.comments
}

// UnreadRuns says which RUNs the rules read but the shell parser refused
// (PowerShell under SHELL ["powershell", ...], a rare bash-ism): what they
// write is unknown, and no rule guesses. "" when there are none.
func (df *Dockerfile) UnreadRuns() string {
	var lines []string
	for _, in := range df.Instructions {
		if in.shell != nil && !in.shell.ok {
			lines = append(lines, strconv.Itoa(in.StartLine))
		}
	}
	switch len(lines) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("%s: the shell parser cannot read the RUN on line %s; the files it writes are not checked", df.Path, lines[0])
	}
	return fmt.Sprintf("%s: the shell parser cannot read the RUNs on lines %s; the files they write are not checked", df.Path, strings.Join(lines, ", "))
}

// maxShellDepth bounds sh -c scripts inside sh -c scripts.
const maxShellDepth = 4

// readShell parses a script into its simple commands; ok is false when the
// parser refuses it, and then its effects are unknown.
func readShell(script string) (cmds []shellCommand, ok bool) {
	r := &shellReader{}
	if !r.script(script, 0) {
		return nil, false
	}
	return r.out, true
}

// ShellCommands returns the words of the simple commands of a script, or
// ok false when the parser refuses it.
func ShellCommands(script string) (words [][]string, ok bool) {
	cmds, ok := readShell(script)
	for _, c := range cmds {
		if len(c.Words) > 0 {
			words = append(words, c.Words)
		}
	}
	return words, ok
}

type shellReader struct {
	out      []shellCommand
	comments []string
	pipeline int
}

func (r *shellReader) script(src string, depth int) bool {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash), syntax.KeepComments(true)).Parse(strings.NewReader(src), "")
	if err != nil {
		return false
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		if c, ok := n.(*syntax.Comment); ok {
			r.comments = append(r.comments, c.Text)
		}
		return true
	})
	sr := &shellSource{src: src, depth: depth}
	for _, s := range f.Stmts {
		r.pipeline++
		r.stmt(sr, s)
	}
	r.pipeline++
	return true
}

// shellSource is the text a node's offsets point into.
type shellSource struct {
	src   string
	depth int
}

func (s *shellSource) text(n syntax.Node) string {
	a, b := int(n.Pos().Offset()), int(n.End().Offset())
	if a < 0 || b > len(s.src) || a > b {
		return ""
	}
	return s.src[a:b]
}

func (r *shellReader) stmts(sr *shellSource, list []*syntax.Stmt) {
	for _, s := range list {
		r.pipeline++
		r.stmt(sr, s)
	}
}

func (r *shellReader) stmt(sr *shellSource, s *syntax.Stmt) {
	redirs := make([]shellRedirect, 0, len(s.Redirs))
	for _, rd := range s.Redirs {
		op := rd.Op.String()
		if rd.Op == syntax.DashHdoc {
			op = "<<"
		}
		red := shellRedirect{Op: op}
		if rd.N != nil {
			red.Fd = rd.N.Value
		}
		if rd.Word != nil {
			red.Target = sr.word(rd.Word)
		}
		if rd.Hdoc != nil {
			red.Body = sr.text(rd.Hdoc)
			red.Expands = rd.Word != nil && rd.Word.Lit() != "" && !strings.Contains(sr.text(rd.Word), `\`)
		}
		redirs = append(redirs, red)
	}
	switch c := s.Cmd.(type) {
	case *syntax.CallExpr:
		r.call(sr, s, c, redirs)
		return
	case *syntax.DeclClause:
		cmd := shellCommand{Words: []string{c.Variant.Value}, Redirs: redirs, Raw: sr.text(s), Pipeline: r.pipeline}
		for _, a := range c.Args {
			cmd.Words = append(cmd.Words, sr.assign(a))
		}
		r.out = append(r.out, cmd)
		return
	case *syntax.BinaryCmd:
		pipe := c.Op == syntax.Pipe || c.Op == syntax.PipeAll
		r.stmt(sr, c.X)
		if !pipe {
			r.pipeline++
		}
		r.stmt(sr, c.Y)
	case *syntax.Block:
		r.stmts(sr, c.Stmts)
	case *syntax.Subshell:
		r.stmts(sr, c.Stmts)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			r.stmts(sr, ic.Cond)
			r.stmts(sr, ic.Then)
		}
	case *syntax.WhileClause:
		r.stmts(sr, c.Cond)
		r.stmts(sr, c.Do)
	case *syntax.ForClause:
		// The loop variable takes each item in turn: an assignment of
		// them all, so that what the items hold flows into the body.
		if it, ok := c.Loop.(*syntax.WordIter); ok && len(it.Items) > 0 {
			items := make([]string, len(it.Items))
			for i, w := range it.Items {
				items[i] = sr.word(w)
			}
			r.pipeline++
			r.out = append(r.out, shellCommand{Assigns: []string{it.Name.Value + "=" + strings.Join(items, " ")}, Raw: sr.text(it), Pipeline: r.pipeline})
		}
		r.stmts(sr, c.Do)
	case *syntax.CaseClause:
		for _, item := range c.Items {
			r.stmts(sr, item.Stmts)
		}
	case *syntax.FuncDecl:
		r.stmt(sr, c.Body)
	case *syntax.TimeClause:
		if c.Stmt != nil {
			r.stmt(sr, c.Stmt)
		}
	case *syntax.CoprocClause:
		r.stmt(sr, c.Stmt)
	}
	// The redirections of a compound command ({ ...; } > file, done < file)
	// apply to what it runs: a command of no words that its last command
	// pipes into.
	if len(redirs) > 0 {
		r.out = append(r.out, shellCommand{Redirs: redirs, Raw: sr.text(s), Pipeline: r.pipeline})
	}
}

func (r *shellReader) call(sr *shellSource, s *syntax.Stmt, c *syntax.CallExpr, redirs []shellRedirect) {
	cmd := shellCommand{Redirs: redirs, Pipeline: r.pipeline}
	for _, a := range c.Assigns {
		cmd.Assigns = append(cmd.Assigns, sr.assign(a))
	}
	for _, w := range c.Args {
		cmd.Words = append(cmd.Words, sr.word(w))
	}
	// Raw runs from the command's first word to its last word or
	// redirection, heredoc bodies left out.
	start, end := int(s.Pos().Offset()), int(c.End().Offset())
	for _, rd := range s.Redirs {
		if rd.Word != nil {
			end = max(end, int(rd.Word.End().Offset()))
		}
	}
	if start >= 0 && end <= len(sr.src) && start <= end {
		cmd.Raw = sr.src[start:end]
	}
	cmd.Words, cmd.Assigns = stripWrappers(cmd.Words, cmd.Assigns)
	w := cmd.Words
	if len(w) >= 3 && isShell(w[0]) && sr.depth < maxShellDepth {
		for i := 1; i < len(w)-1; i++ {
			f := w[i]
			if !strings.HasPrefix(f, "-") || strings.HasPrefix(f, "--") {
				break
			}
			if strings.Contains(f, "c") {
				// A script the parser refuses inside sh -c is read as
				// the command it is, with no commands of its own.
				if r.script(w[i+1], sr.depth+1) {
					return
				}
				break
			}
		}
	}
	if len(cmd.Words) > 0 || len(cmd.Assigns) > 0 || len(cmd.Redirs) > 0 {
		r.out = append(r.out, cmd)
	}
}

// stripWrappers removes the commands that run their arguments as a
// command: sudo, env (whose assignments it keeps), exec, nohup...
func stripWrappers(w, assigns []string) ([]string, []string) {
	for len(w) > 0 {
		switch w[0] {
		case "exec", "command", "nohup", "time":
			w = w[1:]
			continue
		case "sudo", "doas":
			w = w[1:]
			for len(w) > 0 && strings.HasPrefix(w[0], "-") {
				if w[0] == "-u" || w[0] == "-g" {
					w = w[1:]
				}
				w = w[1:]
			}
			continue
		case "env":
			w = w[1:]
			for len(w) > 0 && (strings.HasPrefix(w[0], "-") || shellAssignment(w[0])) {
				if shellAssignment(w[0]) {
					assigns = append(assigns, w[0])
				}
				w = w[1:]
			}
			continue
		}
		break
	}
	return w, assigns
}

func (sr *shellSource) assign(a *syntax.Assign) string {
	var b strings.Builder
	if a.Name != nil {
		b.WriteString(a.Name.Value)
	}
	if a.Naked {
		if a.Value != nil {
			b.WriteString(sr.word(a.Value))
		}
		return b.String()
	}
	if a.Append {
		b.WriteByte('+')
	}
	b.WriteByte('=')
	switch {
	case a.Value != nil:
		b.WriteString(sr.word(a.Value))
	case a.Array != nil:
		b.WriteString(sr.text(a.Array))
	}
	return b.String()
}

// word returns a word with its quoting taken out; expansions ($VAR,
// ${VAR}, $(...), `...`) stay as written, since nothing is run.
func (sr *shellSource) word(w *syntax.Word) string {
	var b strings.Builder
	for _, p := range w.Parts {
		sr.part(&b, p, false)
	}
	return b.String()
}

func (sr *shellSource) part(b *strings.Builder, p syntax.WordPart, quoted bool) {
	switch p := p.(type) {
	case *syntax.Lit:
		b.WriteString(unescapeShell(p.Value, quoted))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			sr.part(b, q, true)
		}
	default:
		b.WriteString(sr.text(p))
	}
}

// unescapeShell removes the backslashes of a literal: any character outside
// quotes, only \ " $ ` and newline inside double quotes.
func unescapeShell(s string, quoted bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (!quoted || strings.IndexByte("\"\\$`\n", s[i+1]) >= 0) {
			i++
			if s[i] != '\n' {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isShell(name string) bool {
	switch path.Base(name) {
	case "sh", "bash", "ash", "dash", "zsh", "ksh":
		return true
	}
	return false
}

// shellAssignment reports NAME=value.
func shellAssignment(w string) bool {
	i := strings.IndexByte(w, '=')
	if i <= 0 {
		return false
	}
	for j, r := range w[:i] {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || j > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// appendHeredoc appends a heredoc body that BuildKit took out of a script,
// so that the parser finds it where the shell reads it.
func appendHeredoc(script, name, body string) string {
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return script + "\n" + body + name
}
