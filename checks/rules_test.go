package checks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
)

func TestValidate(t *testing.T) {
	if err := checks.Validate(checks.All()); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejects(t *testing.T) {
	good := *checks.ParseError
	for _, tc := range []struct {
		name   string
		mutate func(r *checks.Rule)
	}{
		{"zero level", func(r *checks.Rule) { r.Level = 0 }},
		{"bad id", func(r *checks.Rule) { r.ID = "Parse_Error" }},
		{"bad precision", func(r *checks.Rule) { r.Precision = "great" }},
		{"bad severity", func(r *checks.Rule) { r.SecuritySeverity = "11" }},
		{"no docs", func(r *checks.Rule) { r.Help = "" }},
		{"period", func(r *checks.Rule) { r.Summary = "Ends with a period." }},
		{"no check", func(r *checks.Rule) { r.Check = nil }},
	} {
		r := good
		tc.mutate(&r)
		if err := checks.Validate([]*checks.Rule{&r}); err == nil {
			t.Errorf("%s: Validate accepted %+v", tc.name, r)
		}
	}
	if err := checks.Validate([]*checks.Rule{&good, &good}); err == nil {
		t.Error("Validate accepted a duplicate ID")
	}
}

// TestEveryRuleHasDocsAndTests keeps the four spellings of a rule in step:
// its ID, its docs file, its test data with positive cases, and a test.
func TestEveryRuleHasDocsAndTests(t *testing.T) {
	tests := readAll(t, "*_test.go")
	for _, r := range checks.All() {
		if _, err := os.Stat(filepath.Join("docs", r.ID+".md")); err != nil {
			t.Errorf("%s: no docs/%s.md", r.ID, r.ID)
		}
		data := readAll(t, filepath.Join("testdata", r.ID, "*", "*"), filepath.Join("testdata", r.ID, "*", ".*"))
		if !strings.Contains(data, "# want") {
			t.Errorf("%s: testdata/%s has no positive case (# want)", r.ID, r.ID)
		}
		if !strings.Contains(tests, `"testdata/`+r.ID+`"`) {
			t.Errorf("%s: no checktest.Run over testdata/%s", r.ID, r.ID)
		}
	}
}

func readAll(t *testing.T, globs ...string) string {
	t.Helper()
	var b strings.Builder
	for _, g := range globs {
		files, err := filepath.Glob(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if info, err := os.Stat(f); err != nil || info.IsDir() {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(data)
		}
	}
	return b.String()
}
