package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var writers = []struct {
	name  string // golden file suffix
	write func(io.Writer, *scan.Result) error
}{
	{"txt", func(w io.Writer, r *scan.Result) error { return Text(w, r, TextOptions{}) }},
	{"color.txt", func(w io.Writer, r *scan.Result) error { return Text(w, r, TextOptions{Color: true}) }},
	{"json", JSON},
	{"github.txt", GitHub},
	{"checkstyle.xml", Checkstyle},
	{"gitlab.json", GitLab},
}

func TestGolden(t *testing.T) {
	for _, fx := range []struct {
		name string
		res  func() *scan.Result
	}{
		{"findings", scantest.Fixture},
		{"clean", scantest.Empty},
	} {
		for _, w := range writers {
			golden := filepath.Join("testdata", fx.name+"."+w.name)
			t.Run(golden, func(t *testing.T) {
				var buf bytes.Buffer
				if err := w.write(&buf, fx.res()); err != nil {
					t.Fatalf("write: %v", err)
				}
				if *update {
					if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./report/ -update)", err)
				}
				if diff := cmp.Diff(string(want), buf.String()); diff != "" {
					t.Errorf("output mismatch with %s (-want +got):\n%s", golden, diff)
				}
			})
		}
	}
}

func TestTextColorOnlyWhenAsked(t *testing.T) {
	var plain, color bytes.Buffer
	if err := Text(&plain, scantest.Fixture(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Text(&color, scantest.Fixture(), TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b") {
		t.Error("Text without Color wrote an escape sequence")
	}
	if !strings.Contains(color.String(), sgrRed+"error"+sgrReset) {
		t.Error("Text with Color did not colour the level")
	}
}

func TestTextNeutralisesControlCharacters(t *testing.T) {
	res := &scan.Result{Findings: []scan.Finding{{
		RuleID:  "secret-env",
		Level:   checks.Error,
		Path:    "evil\x1b[2J\n/Dockerfile",
		Message: "ENV \"X\" stores a credential\nDockerfile:1:1: error fake: forged line",
		Region:  scan.Region{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 4},
	}}}
	var buf bytes.Buffer
	if err := Text(&buf, res, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `evil\x1b[2J\x0a/Dockerfile:1:1: error secret-env: ENV "X" stores a credential\x0aDockerfile:1:1: error fake: forged line` + "\n" +
		"1 error in 1 file\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("Text() (-want +got):\n%s", diff)
	}
}

// TestTextStartsNoWorkflowCommand: a path that starts with "::" leads its
// line, and a "##[" is read as a command anywhere in a line of a workflow's
// log.
func TestTextStartsNoWorkflowCommand(t *testing.T) {
	res := &scan.Result{
		Findings: []scan.Finding{{
			RuleID:  "secret-env",
			Level:   checks.Error,
			Path:    "::stop-commands::tok/Dockerfile",
			Message: `ENV "API_TOKEN##[error]x" stores a credential`,
			Region:  scan.Region{StartLine: 1, StartColumn: 1, EndLine: 1, EndColumn: 4},
		}},
		Problems: []scan.Problem{{Path: "::add-mask::x/Dockerfile", Level: checks.Warning, Message: "::add-mask::x/Dockerfile is larger than 1 bytes; not scanned"}},
	}
	var buf bytes.Buffer
	if err := Text(&buf, res, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	want := `\x3a:stop-commands::tok/Dockerfile:1:1: error secret-env: ENV "API_TOKEN##\x5berror]x" stores a credential` + "\n" +
		`\x3a:add-mask::x/Dockerfile: warning: \x3a:add-mask::x/Dockerfile is larger than 1 bytes; not scanned` + "\n" +
		"1 error in 1 file; 1 problem\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("Text() (-want +got):\n%s", diff)
	}
}

func TestSummary(t *testing.T) {
	for _, tc := range []struct {
		c    counts
		want string
	}{
		{counts{Files: 4}, "no findings in 4 files"},
		{counts{Files: 1}, "no findings in 1 file"},
		{counts{Files: 3, Suppressed: 2}, "no findings in 3 files; 2 suppressed"},
		{counts{Errors: 3, Warnings: 1, FilesWithFindings: 2, Suppressed: 1}, "3 errors, 1 warning in 2 files; 1 suppressed"},
		{counts{Notes: 1, FilesWithFindings: 1, Problems: 2}, "1 note in 1 file; 2 problems"},
		{counts{Errors: 1, Warnings: 2, Notes: 3, FilesWithFindings: 1, Problems: 1}, "1 error, 2 warnings, 3 notes in 1 file; 1 problem"},
	} {
		if got := tc.c.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.c, got, tc.want)
		}
	}
}

func TestCount(t *testing.T) {
	got := count(scantest.Fixture())
	// Four errors and three warnings besides the two suppressed findings:
	// secret-arg, a warning rule, is an error by configuration.
	want := counts{Errors: 4, Warnings: 3, Suppressed: 2, Problems: 2, Files: 5, FilesWithFindings: 4}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("count() (-want +got):\n%s", diff)
	}
}

func TestJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, scantest.Fixture()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version  int              `json:"version"`
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("JSON output does not parse: %v", err)
	}
	if doc.Version != JSONVersion {
		t.Errorf("version = %d, want %d", doc.Version, JSONVersion)
	}
	// Every finding has every key, so that consumers never test for one.
	keys := []string{"rule", "level", "path", "line", "column", "endLine", "endColumn", "message",
		"evidence", "fix", "suggestion", "fingerprint", "suppressed", "related"}
	for i, f := range doc.Findings {
		for _, k := range keys {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %d lacks %q", i, k)
			}
		}
		if len(f) != len(keys) {
			t.Errorf("finding %d has %d keys, want the %d documented in docs/json-schema.md", i, len(f), len(keys))
		}
	}
}

func TestJSONEmptyListsAreArrays(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, &scan.Result{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"findings": []`, `"problems": []`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("JSON of an empty result lacks %s:\n%s", want, buf.String())
		}
	}
}

func TestGitHubRegionProps(t *testing.T) {
	for _, tc := range []struct {
		name string
		g    scan.Region
		want []string
	}{
		{"range on one line", scan.Region{StartLine: 3, StartColumn: 5, EndLine: 3, EndColumn: 9},
			[]string{"line", "3", "endLine", "3", "col", "5", "endColumn", "8"}},
		{"one character", scan.Region{StartLine: 3, StartColumn: 5, EndLine: 3, EndColumn: 6},
			[]string{"line", "3", "endLine", "3", "col", "5", "endColumn", "5"}},
		{"empty range", scan.Region{StartLine: 3, StartColumn: 5, EndLine: 3, EndColumn: 5},
			[]string{"line", "3", "endLine", "3", "col", "5"}},
		{"several lines drop columns", scan.Region{StartLine: 3, StartColumn: 5, EndLine: 4, EndColumn: 2},
			[]string{"line", "3", "endLine", "4"}},
		{"whole line", scan.Region{StartLine: 7},
			[]string{"line", "7", "endLine", "7"}},
		{"whole file", scan.Region{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, regionProps(tc.g)); diff != "" {
				t.Errorf("regionProps(%+v) (-want +got):\n%s", tc.g, diff)
			}
		})
	}
}

func TestGitHubOneCommandPerLine(t *testing.T) {
	var buf bytes.Buffer
	if err := GitHub(&buf, scantest.Fixture()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	// Seven findings that are not suppressed, and two problems.
	if len(lines) != 9 {
		t.Fatalf("got %d lines, want 9:\n%s", len(lines), buf.String())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "::error ") && !strings.HasPrefix(l, "::warning ") && !strings.HasPrefix(l, "::notice ") {
			t.Errorf("line is not an annotation command: %q", l)
		}
	}
}

// TestJSONStreamsOneDocument checks that JSON, which writes a finding at a
// time, writes exactly what one json.Encoder writes for the whole report.
func TestJSONStreamsOneDocument(t *testing.T) {
	one := scantest.Fixture()
	one.Findings, one.Problems = one.Findings[:1], nil
	for name, res := range map[string]*scan.Result{"findings": scantest.Fixture(), "clean": scantest.Empty(), "one": one, "zero": {}} {
		doc := jsonReport{Version: JSONVersion, Findings: []jsonFinding{}, Problems: []jsonProblem{}}
		for _, f := range res.Findings {
			doc.Findings = append(doc.Findings, newJSONFinding(&f, f.LevelOrDefault(res.Rules)))
		}
		for _, p := range res.Problems {
			doc.Problems = append(doc.Problems, jsonProblem{Path: p.Path, Level: problemLevel(p).String(), Message: p.Message})
		}
		c := count(res)
		doc.Summary = jsonSummary(c)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := JSON(&got, res); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want.String(), got.String()); diff != "" {
			t.Errorf("%s: streamed JSON differs from one encoding (-want +got):\n%s", name, diff)
		}
	}
}

// count is the summary of res as the Writers count it, for the tests.
func count(res *scan.Result) counts {
	c := counts{Problems: len(res.Problems), Files: len(res.Files)}
	files := map[string]bool{}
	for _, f := range res.Findings {
		if f.Suppressed != nil {
			c.Suppressed++
			continue
		}
		files[f.Path] = true
		switch f.LevelOrDefault(res.Rules) {
		case checks.Error:
			c.Errors++
		case checks.Warning:
			c.Warnings++
		default:
			c.Notes++
		}
	}
	c.FilesWithFindings = len(files)
	return c
}

// TestWriterCountsFilesInAnyOrder checks the files with findings that the
// summary counts, with the findings sorted as a scan's are and not.
func TestWriterCountsFilesInAnyOrder(t *testing.T) {
	res := scantest.Fixture()
	orders := map[string][]scan.Finding{"sorted": res.Findings, "reversed": slices.Clone(res.Findings)}
	slices.Reverse(orders["reversed"])
	// A path again after another: counted once.
	orders["back"] = append(slices.Clone(res.Findings), res.Findings[0])
	for name, fs := range orders {
		r := *res
		r.Findings = fs
		var buf bytes.Buffer
		if err := Text(&buf, &r, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(buf.String(), "\n")
		if got, want := lines[len(lines)-2], count(&r).String()+"\n"; got != want {
			t.Errorf("%s: summary %q, want %q", name, got, want)
		}
	}
}

// TestNthLine compares nthLine with strings.Split.
func TestNthLine(t *testing.T) {
	for _, s := range []string{"", "a", "a\n", "\n", "a\nb", "a\r\nb\n\nc", "\n\n"} {
		lines := strings.Split(s, "\n")
		for i := range len(lines) + 2 {
			got, ok := nthLine(s, i)
			if want := i < len(lines); ok != want || ok && got != lines[i] {
				t.Errorf("nthLine(%q, %d) = %q, %v; want %v", s, i, got, ok, want)
			}
		}
	}
}
