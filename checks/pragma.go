package checks

import (
	"strings"
)

// Pragma is a suppression comment:
//
//	# stowaway:ignore <rule>[,<rule>] -- <reason>        the next instruction
//	# stowaway:ignore-file <rule>[,<rule>] -- <reason>   the whole file
type Pragma struct {
	Line   int
	File   bool     // ignore-file
	IDs    []string // rule IDs as written
	Reason string
	// Problem says why the pragma is invalid ("" when it is valid); an
	// invalid pragma suppresses nothing.
	Problem string
}

var pragmaRE = lazyRegexp(`^\s*#\s*stowaway:([A-Za-z-]*)(.*)$`)

// ParsePragmas finds the pragmas in a file's raw lines. It checks their
// form; the engine checks that the rules exist and that each pragma
// suppresses something.
func ParsePragmas(lines []string) []Pragma {
	var out []Pragma
	for i, line := range lines {
		if !strings.Contains(line, "stowaway:") {
			continue // most lines: no regexp run
		}
		m := pragmaRE().FindStringSubmatch(line)
		if m == nil {
			continue
		}
		p := Pragma{Line: i + 1}
		switch m[1] {
		case "ignore":
		case "ignore-file":
			p.File = true
		default:
			p.Problem = "unknown pragma stowaway:" + m[1] + " (want stowaway:ignore or stowaway:ignore-file)"
			out = append(out, p)
			continue
		}
		ids, reason, hasReason := strings.Cut(m[2], "--")
		p.IDs = append(p.IDs, strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
		p.Reason = strings.TrimSpace(reason)
		switch {
		case len(p.IDs) == 0:
			p.Problem = "pragma names no rule"
		case !hasReason || p.Reason == "":
			p.Problem = "pragma has no reason; write `-- <why this is safe>` after the rule IDs"
		}
		out = append(out, p)
	}
	return out
}

// InvalidPragma reports suppression comments that are malformed or that
// suppress nothing. The rule reports malformed ones; the engine reports
// unknown rule IDs and unused pragmas, after every rule ran.
var InvalidPragma = &Rule{
	ID: "invalid-pragma", Name: "InvalidPragma", Level: Warning, Precision: "very-high",
	SecuritySeverity: "3.0",
	Tags:             []string{"maintainability"},
	Summary:          "Suppression comment that is malformed or suppresses nothing",
	Help:             mustDoc("invalid-pragma"),
	Check:            checkInvalidPragma,
}

func checkInvalidPragma(p *Pass) {
	lines := p.Ignore.linesOrNil()
	if p.Dockerfile != nil {
		lines = p.Dockerfile.Lines
	}
	for _, pr := range ParsePragmas(lines) {
		if pr.Problem == "" {
			continue
		}
		p.Report(Finding{
			Span:    Span{Line: pr.Line, EndLine: pr.Line},
			Message: "Invalid stowaway pragma: " + pr.Problem,
			Fix:     "Write `# stowaway:ignore <rule-id>[,<rule-id>] -- <reason>` directly above the instruction, with rule IDs from `stowaway rules`.",
		})
	}
}

func (f *IgnoreFile) linesOrNil() []string {
	if f == nil {
		return nil
	}
	return f.Lines
}
