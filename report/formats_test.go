package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// The types of reviewdog's checkstyle parser (parser/checkstyle.go), which
// decodes the report with encoding/xml into them.
type reviewdogCheckstyle struct {
	XMLName xml.Name `xml:"checkstyle"`
	Version string   `xml:"version,attr"`
	Files   []struct {
		Name   string `xml:"name,attr"`
		Errors []struct {
			Column   int    `xml:"column,attr,omitempty"`
			Line     int    `xml:"line,attr"`
			Message  string `xml:"message,attr"`
			Severity string `xml:"severity,attr,omitempty"`
			Source   string `xml:"source,attr,omitempty"`
		} `xml:"error"`
	} `xml:"file,omitempty"`
}

// TestCheckstyleAsReviewdogReadsIt decodes the report as reviewdog does and
// checks the structure Checkstyle consumers expect: one <file> per path,
// every unsuppressed finding once, with a known severity and its rule.
func TestCheckstyleAsReviewdogReadsIt(t *testing.T) {
	res := scantest.Fixture()
	var buf bytes.Buffer
	if err := Checkstyle(&buf, res); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("report does not start with the XML declaration:\n%s", buf.String())
	}
	var cs reviewdogCheckstyle
	dec := xml.NewDecoder(&buf)
	if err := dec.Decode(&cs); err != nil {
		t.Fatalf("reviewdog cannot decode the report: %v", err)
	}
	if cs.Version == "" {
		t.Error("no version attribute on <checkstyle>")
	}
	var want []string
	for _, f := range res.Findings {
		if f.Suppressed == nil {
			want = append(want, f.Path+":"+f.RuleID)
		}
	}
	var got []string
	seen := map[string]bool{}
	for _, file := range cs.Files {
		if seen[file.Name] {
			t.Errorf("file %q has two <file> elements", file.Name)
		}
		seen[file.Name] = true
		for _, e := range file.Errors {
			got = append(got, file.Name+":"+strings.TrimPrefix(e.Source, "stowaway."))
			switch e.Severity {
			case "error", "warning", "info":
			default:
				t.Errorf("%s: severity %q", file.Name, e.Severity)
			}
			if e.Line < 0 || e.Message == "" {
				t.Errorf("%s: line %d, message %q", file.Name, e.Line, e.Message)
			}
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings in the report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCheckstyleHostileText: a path and message with markup, line breaks
// and workflow commands stay one well-formed element per line.
func TestCheckstyleHostileText(t *testing.T) {
	res := &scan.Result{Rules: []*checks.Rule{checks.SecretEnv}}
	res.Findings = []scan.Finding{{
		RuleID: "secret-env", Path: `a"<b>&.Dockerfile`, Level: checks.Error,
		Message: "x\n::error::forged\n##[error]forged </error>\x01",
		Region:  scan.Region{StartLine: 2, StartColumn: 1},
	}}
	var buf bytes.Buffer
	if err := Checkstyle(&buf, res); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "::") || strings.Contains(line, "##[") {
			t.Errorf("line %q could start a workflow command", line)
		}
	}
	var cs reviewdogCheckstyle
	if err := xml.Unmarshal(buf.Bytes(), &cs); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if len(cs.Files) != 1 || cs.Files[0].Name != `a"<b>&.Dockerfile` || len(cs.Files[0].Errors) != 1 {
		t.Fatalf("decoded %+v", cs)
	}
	if msg := cs.Files[0].Errors[0].Message; !strings.HasPrefix(msg, "x\n::error::forged\n##[error]forged </error>") {
		t.Errorf("message decoded as %q", msg)
	}
}

// TestGitLabCodeQuality checks the report against the fields GitLab's Code
// Quality documentation requires (no JSON schema of the format is
// published): description, check_name, fingerprint, one of the five
// severities, location.path and location.lines.begin, a line number from 1;
// fingerprints are unique, as GitLab deduplicates on them.
func TestGitLabCodeQuality(t *testing.T) {
	res := scantest.Fixture()
	var buf bytes.Buffer
	if err := GitLab(&buf, res); err != nil {
		t.Fatal(err)
	}
	var issues []map[string]any
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	if err := dec.Decode(&issues); err != nil {
		t.Fatal(err)
	}
	unsuppressed := 0
	for _, f := range res.Findings {
		if f.Suppressed == nil {
			unsuppressed++
		}
	}
	if len(issues) != unsuppressed || len(issues) == 0 {
		t.Errorf("%d issues, want %d", len(issues), unsuppressed)
	}
	hex := regexp.MustCompile(`^[0-9a-f]{32}$`)
	fingerprints := map[string]bool{}
	for i, is := range issues {
		str := func(k string) string { s, _ := is[k].(string); return s }
		if str("description") == "" || str("check_name") == "" {
			t.Errorf("issue %d: description %q, check_name %q", i, str("description"), str("check_name"))
		}
		switch str("severity") {
		case "info", "minor", "major", "critical", "blocker":
		default:
			t.Errorf("issue %d: severity %q", i, str("severity"))
		}
		fp := str("fingerprint")
		if !hex.MatchString(fp) || fingerprints[fp] {
			t.Errorf("issue %d: fingerprint %q missing, malformed or repeated", i, fp)
		}
		fingerprints[fp] = true
		loc, _ := is["location"].(map[string]any)
		lines, _ := loc["lines"].(map[string]any)
		begin, _ := lines["begin"].(json.Number)
		if n, err := begin.Int64(); err != nil || n < 1 {
			t.Errorf("issue %d: location.lines.begin %v", i, lines["begin"])
		}
		if p, _ := loc["path"].(string); p == "" {
			t.Errorf("issue %d: no location.path", i)
		}
	}
}

func TestGitLabEmptyIsArray(t *testing.T) {
	var buf bytes.Buffer
	if err := GitLab(&buf, scantest.Empty()); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("got %q, want an empty array", buf.String())
	}
}
