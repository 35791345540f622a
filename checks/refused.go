package checks

// Dockerfiles that BuildKit refuses. A file is committed whether it builds
// or not, so its literal secrets are found all the same: the parse goes on
// past what BuildKit rejects, and the rejected lines are read as raw text.
//
// BuildKit refuses a whole file (not one instruction) for an empty file, an
// unterminated heredoc, a malformed instruction line, a bad escape directive
// and any line of 64 KiB or more; its scanner stops at such a line and reads
// nothing after it. parseRecovering blanks what BuildKit refused, keeping
// the line numbers, and asks BuildKit again, so that the rest of the file
// is modelled and checked like any Dockerfile.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/command"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// maxLineSize is the longest line BuildKit reads (bufio's token limit).
const maxLineSize = bufio.MaxScanTokenSize - 1

// maxRecoveries bounds the parses of one refused file: each blanks at least
// one line, and a file that needs more is read as raw text from there on.
const maxRecoveries = 16

// parseRecovering parses src, and while BuildKit refuses the whole file,
// records why, blanks the lines it refused and parses again. It returns the
// last parse (nil when none succeeded), whether the file holds no
// instruction at all (empty or comments only), and BuildKit's first refusal.
func parseRecovering(df *Dockerfile, src []byte) (res *parser.Result, empty bool, refusal error) {
	var lines []string // the text parsed, once a line is blanked
	blank := func(from, to int) bool {
		if lines == nil {
			lines = append([]string(nil), df.Lines...)
		}
		changed := false
		for ln := max(from, 1); ln <= to && ln <= len(lines); ln++ {
			if lines[ln-1] != "" {
				lines[ln-1], changed = "", true
			}
		}
		return changed
	}
	// The scanner stops at the first long line: every one of them is
	// reported and blanked before BuildKit is asked. Its length counts a
	// CR, and the first line's BOM, as BuildKit's scanner does.
	for i, rest := 0, src; len(rest) > 0; i++ {
		n := bytes.IndexByte(rest, '\n')
		if n < 0 {
			n = len(rest)
		}
		long := n > maxLineSize
		rest = rest[min(n+1, len(rest)):]
		if long && i < len(df.Lines) {
			df.tooLong = true
			df.Errors = append(df.Errors, SyntaxError{Line: i + 1, EndLine: i + 1, Whole: true,
				Message: fmt.Sprintf("the line is %d bytes long, over BuildKit's limit of %d", n, maxLineSize)})
			blank(i+1, i+1)
			if refusal == nil {
				refusal = fmt.Errorf("dockerfile line greater than max allowed size of %d", maxLineSize)
			}
		}
	}
	for try := 0; ; try++ {
		text := src
		if lines != nil {
			text = []byte(strings.Join(lines, "\n"))
		}
		r, err := parser.Parse(bytes.NewReader(text))
		if refusal == nil {
			refusal = err
		}
		if err == nil {
			return r, false, refusal
		}
		from, to := errorLines(err, len(df.Lines))
		if strings.Contains(err.Error(), "file with no instructions") {
			// What is left is comments and blank lines.
			return nil, len(df.Errors) == 0, refusal
		}
		df.Errors = append(df.Errors, SyntaxError{Line: from, EndLine: to, Whole: true,
			Message: sanitizeParseError(err, lineRange(df.Lines, from, to))})
		if try == maxRecoveries || !blank(from, to) {
			// Nothing more to blank: the rest of the file is raw text.
			df.Errors[len(df.Errors)-1].EndLine = len(df.Lines)
			return nil, false, refusal
		}
	}
}

// errorLines returns the lines a BuildKit error names, 1 to n when it names
// none.
func errorLines(err error, n int) (from, to int) {
	var le *parser.LocationError
	if errors.As(err, &le) {
		for _, rs := range le.Locations {
			for _, r := range rs {
				for _, l := range []int{r.Start.Line, r.End.Line} {
					// A directive's error counts lines from 0.
					l = max(l, 1)
					if from == 0 || l < from {
						from = l
					}
					to = max(to, l)
				}
			}
		}
	}
	if from == 0 {
		return 1, max(n, 1)
	}
	return from, min(max(to, from), max(n, from))
}

func lineRange(lines []string, from, to int) []string {
	from, to = max(from, 1), min(to, len(lines))
	if from > to {
		return nil
	}
	return lines[from-1 : to]
}

// directiveNames are the parser directives (# escape=`), keywords too.
var directiveNames = map[string]bool{"escape": true, "syntax": true, "check": true}

var (
	flagName     = lazyRegexp(`^--?[A-Za-z][A-Za-z0-9-]*$`)
	quotedText   = lazyRegexp(`"(?:[^"\\]|\\.)*"|'[^']*'`)
	afterNot     = lazyRegexp(`,? not: .*$`)
	messageWords = lazyRegexp(`[^\s,;()]+`)
)

// sanitizeParseError turns BuildKit's error into a message that names the
// keyword, the flag and the kind of error, never the text it rejected: a
// stray line of a quoted string, a flag's value, a template expression can
// be a secret. lines are the rejected lines.
func sanitizeParseError(err error, lines []string) string {
	var ui *instructions.UnknownInstructionError
	if errors.As(err, &ui) {
		if kw := nearKeyword(ui.Instruction); kw != "" {
			return fmt.Sprintf("unknown instruction %s (did you mean %s?)", strings.ToUpper(ui.Instruction), kw)
		}
		return "the line is not an instruction (a stray line of a quoted string, a missing `\\` at the end of the line above, or template text)"
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = quotedText().ReplaceAllString(msg, "…")
	msg = afterNot().ReplaceAllString(msg, "")
	// Any other word that the rejected lines hold is their text, unless it
	// is a keyword or a flag's name.
	text := strings.Join(lines, "\n")
	msg = messageWords().ReplaceAllStringFunc(msg, func(w string) string {
		bare := strings.TrimRight(w, ".:")
		if len(bare) < 3 || !strings.Contains(text, bare) {
			return w
		}
		if _, ok := command.Commands[strings.ToLower(bare)]; ok || directiveNames[strings.ToLower(bare)] {
			return w
		}
		if name, _, _ := strings.Cut(bare, "="); flagName().MatchString(name) && strings.HasPrefix(bare, "-") {
			return name + w[len(bare):]
		}
		if strings.Contains(text, "--"+bare+"=") || strings.Contains(text, "--"+bare+" ") {
			return w // the flag's name, without its dashes: "invalid network mode"
		}
		return "…" + w[len(bare):]
	})
	return strings.TrimSpace(msg)
}

// nearKeyword returns the instruction that word misspells (FORM for FROM,
// COPPY for COPY), upper-cased, or "" when it is no near miss: only then is
// the rejected word safe to show.
func nearKeyword(word string) string {
	w := strings.ToLower(word)
	if len(w) < 3 || len(w) > 12 {
		return ""
	}
	limit := 1
	if len(w) >= 5 {
		limit = 2
	}
	best, bestD := "", limit+1
	for _, c := range sortedKeywords {
		// The distance is at least the difference in length: a keyword
		// that much longer or shorter cannot be near.
		if abs(len(c)-len(w)) > limit {
			continue
		}
		if d := osaDistance(w, c); d < bestD {
			best, bestD = strings.ToUpper(c), d
		}
	}
	return best
}

// sortedKeywords are BuildKit's instruction keywords, sorted so that a word
// as near to two of them (ARD: ADD, ARG) always gets the same one. A
// template's refused lines asked for them, sorted anew, line after line.
var sortedKeywords = slices.Sorted(maps.Keys(command.Commands))

func abs(n int) int { return max(n, -n) }

// osaDistance is the optimal string alignment distance: edits and
// transpositions of adjacent bytes.
func osaDistance(a, b string) int {
	// One table, row i at d[i*w:], rather than a slice per row.
	w := len(b) + 1
	d := make([]int, (len(a)+1)*w)
	for i := 0; i <= len(a); i++ {
		d[i*w] = i
	}
	for j := range w {
		d[j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i*w+j] = min(d[(i-1)*w+j]+1, d[i*w+j-1]+1, d[(i-1)*w+j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i*w+j] = min(d[i*w+j], d[(i-2)*w+j-2]+1)
			}
		}
	}
	return d[len(a)*w+len(b)]
}

var (
	// templateMarkers are the substitutions of template engines: Go and
	// Jinja {{ }} and {% %}, ERB <% %>, each end alone too (a block spans
	// lines), %%VAR%% (dotnet, docker-library), @VAR@ (autoconf .in files).
	templateMarkers = lazyRegexp(`\{\{|\}\}|\{%|%\}|<%|%>|%%[A-Za-z_][A-Za-z0-9_]*%%|@[A-Z_][A-Z0-9_]*@`)
	templateExts    = map[string]bool{".template": true, ".tmpl": true, ".tpl": true, ".j2": true, ".jinja": true, ".jinja2": true, ".in": true, ".erb": true, ".mustache": true, ".hbs": true}
)

// templateName reports whether a file's name or folder says it is a
// template: Dockerfile.template, Dockerfile.j2, eng/dockerfile-templates/.
func templateName(p string) bool {
	dir, base := path.Split(p)
	if templateExts[strings.ToLower(path.Ext(base))] {
		return true
	}
	for _, d := range strings.Split(strings.ToLower(dir), "/") {
		if d == "templates" || d == "template" || strings.HasSuffix(d, "-templates") || strings.HasSuffix(d, "_templates") {
			return true
		}
	}
	return false
}

// classifyRefused says why a file is not a Dockerfile that BuildKit could
// build, when the reason is not a mistake in it: an empty or comment-only
// file, a template, a fragment without FROM. "" for a Dockerfile, broken or
// not. fromNode reports whether a FROM instruction was parsed.
func (df *Dockerfile) classifyRefused(empty, fromNode bool) string {
	refusedFrom, marked := false, false
	for _, e := range df.Errors {
		for _, l := range lineRange(df.Lines, e.Line, e.EndLine) {
			if len(l) <= maxLineSize && templateMarkers().MatchString(l) {
				marked = true
			}
		}
		if first, _, _ := strings.Cut(strings.TrimSpace(lineAt(df.Lines, e.Line)), " "); strings.EqualFold(first, "from") {
			refusedFrom = true
		}
	}
	switch {
	case df.tooLong:
		// A generated file that BuildKit refuses: a mistake to fix.
		return ""
	case empty:
		return "This file is empty or holds only comments: BuildKit refuses it, so it is not checked as a Dockerfile (known token formats in its comments are still reported)"
	}
	unbuilt := len(df.Errors) > 0 || len(df.Stages) == 0
	// Template markers on the refused lines decide; a name or folder that
	// says template, no stage, a refused FROM or many refused lines tell a
	// template from a Dockerfile with one stray {{ (a GitHub Actions
	// expression that was never substituted is a mistake to fix).
	if unbuilt && marked && (templateName(df.Path) || len(df.Stages) == 0 || refusedFrom || len(df.Errors) >= templateErrors) {
		return "This file is a template, not a Dockerfile: BuildKit refuses it, so only its literal secrets are checked; scan the Dockerfiles generated from it"
	}
	if !fromNode && !refusedFrom {
		return "This file has no FROM instruction: it is a fragment, not a Dockerfile BuildKit can build, so only its literal secrets are checked"
	}
	return ""
}

func lineAt(lines []string, ln int) string {
	if ln < 1 || ln > len(lines) {
		return ""
	}
	return lines[ln-1]
}

// refusedModel is what the secret rules read of the lines BuildKit refused.
type refusedModel struct {
	// roles marks, for hardcoded-secret, the refused lines to scan as raw
	// text (roleRefused); comments are left to its comment scan, and ENV
	// and ARG lines to pairs.
	roles []lineRole
	// all marks every refused line but comments, for url-credentials.
	all []lineRole
	// pairs are the ENV and ARG instructions among the refused lines that
	// BuildKit parses on their own (the file around them is what it
	// refused), for secret-env and secret-arg.
	pairs []*Instruction
}

// refused returns the model of the refused lines, built once; nil when
// BuildKit refused nothing.
func (df *Dockerfile) refused() *refusedModel {
	if len(df.Errors) == 0 {
		return nil
	}
	df.refusedOnce.Do(func() { df.refusedModel = buildRefused(df) })
	return df.refusedModel
}

func buildRefused(df *Dockerfile) *refusedModel {
	m := &refusedModel{roles: make([]lineRole, len(df.Lines))}
	for _, e := range df.Errors {
		from, to := e.Line, e.EndLine
		if df.unparsed {
			from, to = 1, len(df.Lines) // no parse succeeded: all of it
		}
		for ln := max(from, 1); ln <= to && ln <= len(df.Lines); ln++ {
			if !strings.HasPrefix(strings.TrimSpace(df.Lines[ln-1]), "#") {
				m.roles[ln-1] = roleRefused
			}
		}
	}
	m.all = slices.Clone(m.roles)
	for i := 0; i < len(df.Lines); i++ {
		if m.roles[i] != roleRefused {
			continue
		}
		in := parsePair(df, i+1)
		if in == nil {
			continue
		}
		m.pairs = append(m.pairs, in)
		for ln := in.StartLine; ln <= in.EndLine; ln++ {
			m.roles[ln-1] = roleSkip
		}
		i = in.EndLine - 1
	}
	return m
}

// maxPairLines bounds the continuation lines of a refused ENV or ARG.
const maxPairLines = 64

// parsePair parses the ENV or ARG that starts at line ln, with its
// continuation lines, as an instruction of its own; nil when the line is
// none or BuildKit rejects it too.
func parsePair(df *Dockerfile, ln int) *Instruction {
	first, _, _ := strings.Cut(strings.TrimSpace(df.Lines[ln-1]), " ")
	if !strings.EqualFold(first, "env") && !strings.EqualFold(first, "arg") {
		return nil
	}
	escape := df.Escape
	if escape == 0 {
		escape = '\\'
	}
	end := ln
	for end < len(df.Lines) && end-ln < maxPairLines && strings.HasSuffix(strings.TrimRight(df.Lines[end-1], " \t"), string(escape)) {
		end++
	}
	var b strings.Builder
	if escape != '\\' {
		b.WriteString("# escape=" + string(escape) + "\n")
	}
	for _, l := range df.Lines[ln-1 : end] {
		if len(l) > maxLineSize {
			return nil
		}
		b.WriteString(l)
		b.WriteByte('\n')
	}
	in := parseOne(b.String(), ln, end)
	if in == nil {
		return nil
	}
	switch in.Command.(type) {
	case *instructions.EnvCommand, *instructions.ArgCommand:
		return in
	}
	return nil
}

// reportRefusedPairs reports the literal secrets of the refused ENV (cmd
// "env") or ARG ("arg") lines: known token formats, and literal values of
// secret names as the ENV and ARG rules decide them. Where such a line
// would end up is unknown (BuildKit built no stage model), and the file is
// committed, so the messages say that.
func reportRefusedPairs(p *Pass, cmd string) {
	m := p.Dockerfile.refused()
	if m == nil {
		return
	}
	for _, in := range m.pairs {
		if in.Cmd != cmd {
			continue
		}
		keyword := strings.ToUpper(cmd)
		switch c := in.Command.(type) {
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				reportRefusedPair(p, in, keyword, kv.Key, kv.Value)
			}
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				if a.Value != nil {
					reportRefusedPair(p, in, keyword, a.Key, *a.Value)
				}
			}
		}
	}
}

func reportRefusedPair(p *Pass, in *Instruction, keyword, key, raw string) {
	df := p.Dockerfile
	v := p.State.ReadValue(raw, df.Escape)
	// A template's placeholders ({{ .Password }}, %%TOKEN%%) are never
	// secrets; what url-credentials reports, JudgeAssignment leaves to it.
	if templateMarkers().MatchString(raw) {
		return
	}
	fix := "Remove the value from the file and revoke it: the file is committed, and once it builds the image holds the value too. Give it at build time with `RUN --mount=type=secret`, or at run time."
	level := Level(0)
	if keyword == "ARG" {
		level = Error // a literal default, as secret-arg reports it
	}
	a := JudgeAssignment(key, v, p.Settings)
	for _, tok := range a.Tokens {
		p.Report(Finding{
			Span:    locateValue(df, in, key, tok.Secret),
			Level:   level,
			Message: fmt.Sprintf("%s %q, in a Dockerfile BuildKit refuses, holds %s committed to the repository", keyword, key, tokenPhrase(tok.Description)),
			Secret:  tok.Secret,
			Fix:     fix,
		})
	}
	switch {
	case a.Literal:
		secret := sourceText(df, in, v)
		p.Report(Finding{
			Span:    locateValue(df, in, key, secret),
			Level:   level,
			Message: fmt.Sprintf("%s %q, in a Dockerfile BuildKit refuses, holds a literal secret committed to the repository", keyword, key),
			Secret:  secret,
			Fix:     fix,
		})
	case a.ConnPassword != "":
		p.Report(Finding{
			Span:    locateValue(df, in, key, a.ConnPassword),
			Level:   level,
			Message: fmt.Sprintf("%s %q, in a Dockerfile BuildKit refuses, holds a password in a connection string committed to the repository", keyword, key),
			Secret:  a.ConnPassword,
			Fix:     fix,
		})
	}
}
