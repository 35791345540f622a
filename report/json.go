package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// JSONVersion is the version of the JSON report's schema. It changes only
// when a field is removed or changes meaning; new fields keep the version.
const JSONVersion = 1

// The JSON report's schema, documented in docs/json-schema.md; JSON writes
// a jsonReport piece by piece. Every field is always present (null, "" or
// [] when it does not apply) so that consumers never need to tell a missing
// key from an empty one.
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
	StartLine int        `json:"startLine"`
	EndLine   int        `json:"endLine"`
	Text      string     `json:"text"`
	Also      []jsonEdit `json:"also"`
}

type jsonEdit struct {
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
//
// The document is written a finding at a time, byte for byte what one
// json.Encoder with two-space indents would write for the whole report: a
// monorepo's report is megabytes, and encoding it whole held it twice in
// memory at the end of a scan.
func JSON(w io.Writer, res *scan.Result) error {
	return res.Stream(NewJSON(w))
}

// NewJSON is the Writer of JSON.
func NewJSON(w io.Writer) *Writer {
	jw := newJSONWriter(w)
	var items jsonArray
	return &Writer{
		begin: func() { jw.raw(fmt.Sprintf("{\n  \"version\": %d,\n  \"findings\": ", JSONVersion)) },
		finding: func(f *scan.Finding, lvl checks.Level) error {
			items.item(jw, newJSONFinding(f, lvl))
			return jw.err
		},
		end: func(rest *scan.Result, c counts) error {
			items.close(jw)
			jw.raw(",\n  \"problems\": ")
			var probs jsonArray
			for _, p := range rest.Problems {
				probs.item(jw, jsonProblem{Path: p.Path, Level: problemLevel(p).String(), Message: p.Message})
			}
			probs.close(jw)
			jw.raw(",\n  \"summary\": ")
			jw.value("  ", jsonSummary(c))
			jw.raw("\n}\n")
			return jw.close("JSON")
		},
	}
}

func newJSONFinding(f *scan.Finding, lvl checks.Level) jsonFinding {
	jf := jsonFinding{
		Rule:        f.RuleID,
		Level:       lvl.String(),
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
		jf.Suggestion = &jsonSuggestion{StartLine: s.StartLine, EndLine: s.EndLine, Text: s.Text, Also: []jsonEdit{}}
		for _, e := range s.Also {
			jf.Suggestion.Also = append(jf.Suggestion.Also, jsonEdit{StartLine: e.StartLine, EndLine: e.EndLine, Text: e.Text})
		}
	}
	if s := f.Suppressed; s != nil {
		jf.Suppressed = &jsonSuppression{Kind: s.Kind, Reason: s.Reason, Line: s.Line}
	}
	for _, r := range f.Related {
		jf.Related = append(jf.Related, jsonRelated{Path: r.Path, Line: r.Region.StartLine, EndLine: max(r.Region.EndLine, r.Region.StartLine), Message: r.Message})
	}
	return jf
}

// jsonWriter writes an indented JSON document piece by piece; the first
// error stops it.
type jsonWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	enc *json.Encoder
	err error
}

func newJSONWriter(w io.Writer) *jsonWriter {
	jw := &jsonWriter{w: bufio.NewWriter(w)}
	jw.enc = json.NewEncoder(&jw.buf)
	// Messages quote Dockerfile text such as <none> and &&; \u003c escapes
	// would only make the report harder to read.
	jw.enc.SetEscapeHTML(false)
	return jw
}

// close flushes the document and says which report failed, if one did.
func (jw *jsonWriter) close(format string) error {
	if jw.err == nil {
		jw.err = jw.w.Flush()
	}
	if jw.err != nil {
		return fmt.Errorf("writing %s report: %w", format, jw.err)
	}
	return nil
}

func (jw *jsonWriter) raw(s string) {
	if jw.err == nil {
		_, jw.err = jw.w.WriteString(s)
	}
}

// value writes v as it appears at the given indent inside the document.
func (jw *jsonWriter) value(indent string, v any) {
	if jw.err != nil {
		return
	}
	jw.buf.Reset()
	jw.enc.SetIndent(indent, "  ")
	if jw.err = jw.enc.Encode(v); jw.err != nil {
		return
	}
	_, jw.err = jw.w.Write(bytes.TrimSuffix(jw.buf.Bytes(), []byte("\n")))
}

// jsonArray writes a top-level member's array an item at a time.
type jsonArray struct{ n int }

func (a *jsonArray) item(jw *jsonWriter, v any) {
	if a.n == 0 {
		jw.raw("[\n    ")
	} else {
		jw.raw(",\n    ")
	}
	a.n++
	jw.value("    ", v)
}

func (a *jsonArray) close(jw *jsonWriter) {
	if a.n == 0 {
		jw.raw("[]")
		return
	}
	jw.raw("\n  ]")
}
