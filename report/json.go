package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/stowaway-dev/stowaway/scan"
)

// JSONVersion is the version of the JSON report's schema. It changes only
// when a field is removed or changes meaning; new fields keep the version.
const JSONVersion = 1

// The JSON report's schema, documented in docs/json-schema.md. Every field
// is always present (null, "" or [] when it does not apply) so that
// consumers never need to tell a missing key from an empty one.
type jsonReport struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Problems []jsonProblem `json:"problems"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonFinding struct {
	Rule        string           `json:"rule"`
	Level       string           `json:"level"`
	Path        string           `json:"path"`
	Line        int              `json:"line"`
	Column      int              `json:"column"`
	EndLine     int              `json:"endLine"`
	EndColumn   int              `json:"endColumn"`
	Message     string           `json:"message"`
	Evidence    string           `json:"evidence"`
	Fix         string           `json:"fix"`
	Suggestion  *jsonSuggestion  `json:"suggestion"`
	Fingerprint string           `json:"fingerprint"`
	Suppressed  *jsonSuppression `json:"suppressed"`
	Related     []jsonRelated    `json:"related"`
}

type jsonSuggestion struct {
	StartLine int    `json:"startLine"`
	EndLine   int    `json:"endLine"`
	Text      string `json:"text"`
}

type jsonSuppression struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	Line   int    `json:"line"`
}

type jsonRelated struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	EndLine int    `json:"endLine"`
	Message string `json:"message"`
}

type jsonProblem struct {
	Path    string `json:"path"`
	Level   string `json:"level"`
	Message string `json:"message"`
}

type jsonSummary struct {
	Errors            int `json:"errors"`
	Warnings          int `json:"warnings"`
	Notes             int `json:"notes"`
	Suppressed        int `json:"suppressed"`
	Problems          int `json:"problems"`
	Files             int `json:"files"`
	FilesWithFindings int `json:"filesWithFindings"`
}

// JSON writes res as an indented JSON document in the schema of
// docs/json-schema.md. Suppressed findings are included, with "suppressed"
// set; the summary counts them apart.
func JSON(w io.Writer, res *scan.Result) error {
	out := jsonReport{
		Version:  JSONVersion,
		Findings: []jsonFinding{},
		Problems: []jsonProblem{},
	}
	for _, f := range res.Findings {
		jf := jsonFinding{
			Rule:        f.RuleID,
			Level:       f.LevelOrDefault(res.Rules).String(),
			Path:        f.Path,
			Line:        f.Region.StartLine,
			Column:      f.Region.StartColumn,
			EndLine:     f.Region.EndLine,
			EndColumn:   f.Region.EndColumn,
			Message:     f.Message,
			Evidence:    f.Evidence,
			Fix:         f.Fix,
			Fingerprint: f.Fingerprint,
			Related:     []jsonRelated{},
		}
		if s := f.Suggestion; s != nil {
			jf.Suggestion = &jsonSuggestion{StartLine: s.StartLine, EndLine: s.EndLine, Text: s.Text}
		}
		if s := f.Suppressed; s != nil {
			jf.Suppressed = &jsonSuppression{Kind: s.Kind, Reason: s.Reason, Line: s.Line}
		}
		for _, r := range f.Related {
			end := r.Span.EndLine
			if end < r.Span.Line {
				end = r.Span.Line
			}
			jf.Related = append(jf.Related, jsonRelated{Path: r.Path, Line: r.Span.Line, EndLine: end, Message: r.Message})
		}
		out.Findings = append(out.Findings, jf)
	}
	for _, p := range res.Problems {
		out.Problems = append(out.Problems, jsonProblem{Path: p.Path, Level: problemLevel(p).String(), Message: p.Message})
	}
	c := count(res)
	out.Summary = jsonSummary{
		Errors: c.Errors, Warnings: c.Warnings, Notes: c.Notes,
		Suppressed: c.Suppressed, Problems: c.Problems,
		Files: c.Files, FilesWithFindings: c.FilesWithFindings,
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Messages quote Dockerfile text such as <none> and &&; \u003c escapes
	// would only make the report harder to read.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}
