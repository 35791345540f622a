package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

func TestSourceLine(t *testing.T) {
	snippet := "RUN echo hi \\\n\t&& curl -u admin:S3cr…(16 chars) https://x.example"
	for _, tc := range []struct {
		name        string
		f           scan.Finding
		line, caret string // caret: the line under, "" for none
	}{
		{"first line", finding(snippet, 7, 7, 6), "RUN echo hi \\", "     ^"},
		{"tab kept under the tab", finding(snippet, 7, 8, 19), "\t&& curl -u admin:S3cr…(16 chars) https://x.example", "\t                 ^"},
		{"column 1", finding("COPY . .", 3, 3, 1), "COPY . .", "^"},
		{"just past the end", finding("FROM alpine AS", 1, 1, 15), "FROM alpine AS", "              ^"},
		{"masked before the column", finding(snippet, 7, 8, 48), "\t&& curl -u admin:S3cr…(16 chars) https://x.example", ""},
		{"whole line", finding("COPY . .", 3, 3, 0), "COPY . .", ""},
		{"column past the end", finding("COPY . .", 3, 3, 40), "COPY . .", ""},
		{"UTF-16 columns", finding("ENV CITY=Zürich 🚀 K=v", 2, 2, 20), "ENV CITY=Zürich 🚀 K=v", "                  ^"},
		{"control character", finding("ENV A=\x1b[31m B=x", 2, 2, 13), `ENV A=\x1b[31m B=x`, "               ^"},
		{"workflow command", finding("::error::x ##[error]y", 2, 2, 12), `\x3a:error::x ##\x5berror]y`, "              ^"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line, pad, caret := sourceLine(&tc.f)
			got := ""
			if caret {
				got = pad + "^"
			}
			if line != tc.line || got != tc.caret {
				t.Errorf("got\n%q\n%q\nwant\n%q\n%q", line, got, tc.line, tc.caret)
			}
		})
	}
	for name, f := range map[string]scan.Finding{
		"no snippet":       finding("", 0, 3, 1),
		"line before":      finding("COPY . .", 4, 3, 1),
		"line after":       finding("COPY . .", 3, 4, 1),
		"a blank line":     finding("RUN a \\\n\n  b", 3, 4, 1),
		"whole-file":       finding("COPY . .", 3, 0, 0),
		"no snippet start": finding("COPY . .", 0, 1, 1),
	} {
		if line, _, _ := sourceLine(&f); line != "" {
			t.Errorf("%s: line %q, want none", name, line)
		}
	}
}

func finding(snippet string, snippetLine, line, col int) scan.Finding {
	return scan.Finding{
		Snippet: snippet, SnippetLine: snippetLine,
		Region: scan.Region{StartLine: line, StartColumn: col, EndLine: line},
	}
}

// TestTextShowsSourceLine: the line and caret come right under the
// finding's own line, and the caret takes the level's colour.
func TestTextShowsSourceLine(t *testing.T) {
	f := finding("ENV GH_TOKEN=ghp_…(40 chars)", 5, 5, 14)
	f.RuleID, f.Path, f.Level, f.Message = "secret-env", "Dockerfile", checks.Error, "ENV stores a token"
	res := &scan.Result{Findings: []scan.Finding{f}, Files: []string{"Dockerfile"}}
	for color, want := range map[bool]string{
		false: "Dockerfile:5:14: error secret-env: ENV stores a token\n    ENV GH_TOKEN=ghp_…(40 chars)\n                 ^\n",
		true:  "    ENV GH_TOKEN=ghp_…(40 chars)\n                 " + sgrRed + "^" + sgrReset + "\n",
	} {
		var buf bytes.Buffer
		if err := Text(&buf, res, TextOptions{Color: color}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), want) {
			t.Errorf("color %v: got\n%s\nwant it to hold\n%s", color, buf.String(), want)
		}
	}
}
