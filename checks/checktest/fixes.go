package checktest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// RunWithSuggestedFixes checks the suggestions that rules make in every
// case folder of dir (cases as Run finds them), as analysistest's
// RunWithSuggestedFixes checks an analyzer's fixes: each suggestion, its
// Also edits included, is applied to a copy of the case, which is scanned
// again with the same rules. The test fails when the finding is still
// reported, when a finding appears that the case did not have, or when the
// edits fall outside the file or overlap. A suggestion that repeats a
// redacted value is a display, not a fix (reviews do not offer it), and is
// not applied. It returns how many suggestions it applied, so that a caller
// can tell that it checked some.
func RunWithSuggestedFixes(t *testing.T, dir string, rules ...*checks.Rule) int {
	t.Helper()
	applied := 0
	for _, c := range caseDirs(t, dir) {
		t.Run(filepath.Base(c), func(t *testing.T) { applied += fixCase(t, rules, c, c == dir) })
	}
	return applied
}

// caseDirs returns the case folders of dir: each sub-folder, and dir itself
// when files lie directly in it.
func caseDirs(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading test data: %v", err)
	}
	var cases []string
	hasFiles := false
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, filepath.Join(dir, e.Name()))
		} else {
			hasFiles = true
		}
	}
	if hasFiles {
		cases = append(cases, dir)
	}
	if len(cases) == 0 {
		t.Fatalf("no test cases in %s", dir)
	}
	return cases
}

// deferring lists the rules that stay silent on a line while another rule
// reports a secret going through it, and speak once that is fixed:
// broad-copy leaves a COPY . to the finding that names the file it sends.
// What such a rule reports on a line the fix left alone was there before.
var deferring = map[string]bool{checks.BroadCopy.ID: true}

func fixCase(t *testing.T, rules []*checks.Rule, dir string, flat bool) int {
	t.Helper()
	files := scantest.ReadFiles(t, dir, flat)
	before, err := scanFiles(t, files, rules)
	if err != nil {
		// A configuration the scan refuses: nothing to fix.
		t.Logf("scan: %v", err)
		return 0
	}
	applied := 0
	for _, f := range before {
		s := f.Suggestion
		if f.Suppressed != nil || s == nil {
			continue
		}
		if s.Redacted {
			continue
		}
		edits := s.Edits()
		where := fmt.Sprintf("%s:%d: %s", f.Path, f.Region.StartLine, f.RuleID)
		fixed, touched, err := applyEdits(files[f.Path], edits)
		if err != nil {
			t.Errorf("%s: suggestion: %v", where, err)
			continue
		}
		applied++
		tree := make(map[string]string, len(files))
		for p, b := range files {
			tree[p] = b
		}
		tree[f.Path] = fixed
		after, err := scanFiles(t, tree, rules)
		if err != nil {
			t.Errorf("%s: scan after the suggestion: %v", where, err)
			continue
		}
		left := counts(before)
		for _, g := range after {
			if g.Suppressed != nil {
				continue
			}
			k := key(g)
			if left[k] == 0 {
				if deferring[g.RuleID] && !(g.Path == f.Path && touched(g.Region.StartLine, g.Region.EndLine)) {
					t.Logf("%s: once the suggestion is applied, %s speaks on %s:%d, a line it left alone", where, g.RuleID, g.Path, g.Region.StartLine)
					continue
				}
				t.Errorf("%s: applying the suggestion brings a new finding at line %d: %s: %s\n%s",
					where, g.Region.StartLine, g.RuleID, g.Message, fixed)
				continue
			}
			left[k]--
			if k == key(f) && left[k] == 0 {
				t.Errorf("%s: the finding is still reported once its suggestion is applied (line %d): %s\n%s",
					where, g.Region.StartLine, f.Message, fixed)
			}
		}
	}
	return applied
}

// findingKey identifies a finding across an edit that moves lines: its rule,
// file and message, where line numbers are left out.
type findingKey struct{ rule, path, message string }

var lineNumber = regexp.MustCompile(`\bline \d+`)

func key(f scan.Finding) findingKey {
	return findingKey{f.RuleID, f.Path, lineNumber.ReplaceAllString(f.Message, "line N")}
}

func counts(fs []scan.Finding) map[findingKey]int {
	out := map[findingKey]int{}
	for _, f := range fs {
		if f.Suppressed == nil {
			out[key(f)]++
		}
	}
	return out
}

// scanFiles writes files to a new folder and scans it.
func scanFiles(t *testing.T, files map[string]string, rules []*checks.Rule) ([]scan.Finding, error) {
	t.Helper()
	root := t.TempDir()
	scantest.WriteFiles(t, root, files)
	res, err := scan.Scan(context.Background(), os.DirFS(root), []string{"."}, scan.Options{Rules: rules})
	if err != nil {
		return nil, err
	}
	for _, p := range res.Problems {
		if p.Level == checks.Error {
			t.Errorf("scan problem: %s", p.Message)
		}
	}
	return res.Findings, nil
}

// applyEdits replaces the lines of each edit (in line order, none
// overlapping) as GitHub applies a suggestion: by Text, or by nothing when
// it is empty. touched says whether a line of the result holds an edit's
// text.
func applyEdits(src string, edits []checks.Edit) (fixed string, touched func(start, end int) bool, err error) {
	lines := checks.SplitLines([]byte(src))
	var out []string
	var spans [][2]int // lines of the result that edits wrote
	next := 1
	for _, e := range edits {
		if e.StartLine < next || e.EndLine < e.StartLine || e.EndLine > len(lines) {
			return "", nil, fmt.Errorf("lines %d-%d are outside the file's %d lines or overlap another edit", e.StartLine, e.EndLine, len(lines))
		}
		out = append(out, lines[next-1:e.StartLine-1]...)
		if e.Text != "" {
			spans = append(spans, [2]int{len(out) + 1, len(out) + strings.Count(e.Text, "\n") + 1})
			out = append(out, strings.Split(e.Text, "\n")...)
		}
		next = e.EndLine + 1
	}
	out = append(out, lines[next-1:]...)
	touched = func(start, end int) bool {
		for _, sp := range spans {
			if start <= sp[1] && sp[0] <= max(start, end) {
				return true
			}
		}
		return false
	}
	return strings.Join(out, "\n") + "\n", touched, nil
}
