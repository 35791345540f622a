package checks

import (
	"embed"
	"fmt"
	"slices"
	"strings"
)

// Level is how serious a finding is. Its zero value is invalid, so a rule
// that forgets to set one is caught by Validate.
type Level int

// The levels, least serious first; they map to SARIF's levels.
const (
	_ Level = iota
	Note
	Warning
	Error
)

func (l Level) String() string {
	switch l {
	case Note:
		return "note"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel reads "note", "warning" or "error".
func ParseLevel(s string) (Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "note":
		return Note, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown level %q (want note, warning or error)", s)
}

// Rule is one check with its documentation.
type Rule struct {
	ID        string // stable kebab-case identifier: SARIF ruleId, pragmas, config
	Name      string // PascalCase name, the Go variable's name
	Level     Level  // default level of its findings
	Precision string // SARIF precision: very-high, high, medium or low
	// SecuritySeverity is GitHub's security-severity score, "0.0" to "10.0".
	SecuritySeverity string
	Tags             []string
	Summary          string // one line, sentence case, no trailing period
	Help             string // Markdown from docs/<id>.md: what, why, Bad, Good
	Check            func(*Pass)
}

// Doc returns the rule's Markdown documentation.
func (r *Rule) Doc() string { return r.Help }

//go:embed docs/*.md
var docs embed.FS

// mustDoc returns the embedded docs/<id>.md; a missing doc is a programming
// error caught by the tests, so it panics at start-up.
func mustDoc(id string) string {
	b, err := docs.ReadFile("docs/" + id + ".md")
	if err != nil {
		panic(fmt.Sprintf("checks: no documentation for rule %s: %v", id, err))
	}
	return string(b)
}

var (
	idPattern   = lazyRegexp(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	namePattern = lazyRegexp(`^[A-Z][A-Za-z0-9]*$`)
	precisions  = map[string]bool{"very-high": true, "high": true, "medium": true, "low": true}
	severityPat = lazyRegexp(`^(10\.0|[0-9]\.[0-9])$`)
)

// Validate reports the first malformed or duplicated rule.
func Validate(rules []*Rule) error {
	seen := map[string]bool{}
	for _, r := range rules {
		switch {
		case r == nil:
			return fmt.Errorf("nil rule")
		case !idPattern().MatchString(r.ID):
			return fmt.Errorf("rule %q: malformed ID", r.ID)
		case seen[r.ID]:
			return fmt.Errorf("rule %q: duplicate ID", r.ID)
		case !namePattern().MatchString(r.Name):
			return fmt.Errorf("rule %s: malformed name %q", r.ID, r.Name)
		case r.Level < Note || r.Level > Error:
			return fmt.Errorf("rule %s: invalid level %d", r.ID, r.Level)
		case !precisions[r.Precision]:
			return fmt.Errorf("rule %s: invalid precision %q", r.ID, r.Precision)
		case !severityPat().MatchString(r.SecuritySeverity):
			return fmt.Errorf("rule %s: invalid security-severity %q", r.ID, r.SecuritySeverity)
		case strings.TrimSpace(r.Summary) == "" || strings.HasSuffix(r.Summary, "."):
			return fmt.Errorf("rule %s: summary must be one sentence without a trailing period", r.ID)
		case !strings.Contains(r.Help, "## Bad") || !strings.Contains(r.Help, "## Good"):
			return fmt.Errorf("rule %s: documentation lacks Bad and Good examples", r.ID)
		case r.Check == nil:
			return fmt.Errorf("rule %s: no Check function", r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}

// ByID returns the rule with the given ID, or nil.
func ByID(id string) *Rule {
	for _, r := range All() {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Span is a range in a file. Lines are 1-based. Columns are 1-based byte
// offsets into the line, EndCol exclusive; a zero Col means the whole line
// (from its first non-blank character to its end). The engine converts columns
// to the units an output needs.
type Span struct {
	Line, Col       int
	EndLine, EndCol int
}

// Related is a second place that explains a finding: the ARG declared there,
// the file that would be shipped.
type Related struct {
	Path    string // slash path relative to the scan root
	Span    Span
	Message string
}

// Suggestion is a mechanical fix: lines StartLine..EndLine of the finding's
// file replaced by Text (no trailing newline; empty Text deletes the lines).
// Those lines are the finding's own instruction, so that a review comment on
// the finding can offer them; a fix that must also change another
// instruction (the RUN that mounts the secret an ARG held) has that change
// in Also, one Edit per instruction, to be applied together with it.
type Suggestion struct {
	StartLine, EndLine int
	Text               string
	Also               []Edit
	// Redacted says that an edit holds a secret's redacted form: shown, it
	// says what was there; applied, it would write "ghp_…(40 chars)" into
	// the file. The engine sets it when it masks the edits; rules leave it.
	Redacted bool
}

// Edit replaces lines StartLine..EndLine by Text, as Suggestion does.
type Edit struct {
	StartLine, EndLine int
	Text               string
}

// Edits returns every edit of the fix, in line order.
func (s *Suggestion) Edits() []Edit {
	out := append([]Edit{{s.StartLine, s.EndLine, s.Text}}, s.Also...)
	slices.SortFunc(out, func(a, b Edit) int { return a.StartLine - b.StartLine })
	return out
}

// Suppression records why a pragma silenced a finding.
type Suppression struct {
	Kind   string // "inSource" (pragma) or "external" (config)
	Reason string
	Line   int // the pragma's line; 0 for config
}

// Finding is one problem as a rule reports it. The engine turns it into
// what the outputs read (scan.Finding): it redacts every field that shows
// text, stores the redacted form of Secret as the evidence, makes the
// fingerprint from Key and resolves the spans to regions; Secret, Key and
// Span go no further.
type Finding struct {
	RuleID  string
	Level   Level  // zero: the rule's default level
	Path    string // slash path relative to the scan root
	Span    Span
	Message string // sentence case, no trailing period, never the value
	// Secret is the raw value that makes this a finding. The engine replaces
	// every occurrence of it in Message, Fix and Suggestion by its redacted
	// form, which it keeps as the finding's evidence.
	Secret     string
	Fix        string      // how to fix this finding, one or two sentences
	Suggestion *Suggestion // set only where the fix is mechanical
	Related    []Related
	// Key identifies the finding across line shifts for the fingerprint; by
	// default the engine uses the rule, the path and the normalised
	// instruction text with secrets masked.
	Key string
}
