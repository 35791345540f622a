package action

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/sarif"
)

// sarifFix is the part of a SARIF result that the review test reads.
type sarifFix struct {
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation struct{ URI string } `json:"artifactLocation"`
			Region           struct{ StartLine, EndLine int }
		} `json:"physicalLocation"`
	}
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Fixes               []struct {
		ArtifactChanges []struct {
			Replacements []struct {
				DeletedRegion   struct{ StartLine, EndLine int } `json:"deletedRegion"`
				InsertedContent struct{ Text string }            `json:"insertedContent"`
			}
		} `json:"artifactChanges"`
	}
}

var (
	fpMarkerRE = regexp.MustCompile(`<!-- stowaway:fp=([0-9A-Za-z._-]+) -->`)
	// suggestionRE is a comment's suggestion block; alsoRE a change of the
	// same fix that the comment shows, on lines it does not span.
	suggestionRE = regexp.MustCompile("(?s)\n```suggestion\n(.*?)```\n")
	alsoRE       = regexp.MustCompile("(?s)In the same commit, replace lines? (\\d+)(?:–(\\d+))? with this[^\n]*\n\n```dockerfile\n(.*?)\n```\n")
)

// TestActionExamplesReview posts the review of a pull request that adds the
// example apps, and reads every comment as a reviewer would: each is
// anchored on its finding's lines, a suggestion spans only the instruction
// it changes, and what the comment offers and shows is the fix that the
// scan reports (which TestSuggestedFixes applies and rescans).
func TestActionExamplesReview(t *testing.T) {
	head := tree(t, filepath.Join("..", "examples"))
	e := newE2E(t, bot)
	e.openPR(map[string]string{}, head, false)
	r := e.run(invocation{head: head})
	if r.code != exitFindings {
		t.Fatalf("exit %d, want %d\n%s", r.code, exitFindings, r.stderr)
	}
	var log struct {
		Runs []struct{ Results []sarifFix } `json:"runs"`
	}
	if err := json.Unmarshal(r.sarif, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("SARIF file: %v", err)
	}
	results := map[string]sarifFix{}
	for _, res := range log.Runs[0].Results {
		results[res.PartialFingerprints[sarif.FingerprintKey]] = res
	}
	pr := e.srv.Snapshot(e2eRepo, 7)
	suggestions := 0
	for _, c := range pr.Comments {
		m := fpMarkerRE.FindStringSubmatch(c.Body)
		if m == nil {
			t.Errorf("comment on %s:%d has no marker", c.Path, c.Line)
			continue
		}
		res, ok := results[m[1]]
		if !ok || len(res.Locations) != 1 {
			t.Errorf("comment on %s:%d: no SARIF result with its fingerprint", c.Path, c.Line)
			continue
		}
		loc := res.Locations[0].PhysicalLocation
		start, end := loc.Region.StartLine, max(loc.Region.EndLine, loc.Region.StartLine)
		if got, want := lineRange(c), fmt.Sprint(start, "-", end); got != want || c.Path != loc.ArtifactLocation.URI {
			t.Errorf("comment on %s lines %s, its finding on %s lines %s", c.Path, got, loc.ArtifactLocation.URI, want)
		}
		suggested := suggestionRE.FindStringSubmatch(c.Body)
		if suggested == nil {
			continue
		}
		suggestions++
		if n := instructionsIn(t, head[c.Path], c.StartLine, c.Line); n != 1 {
			t.Errorf("%s:%d: the suggestion spans %d instructions, want 1", c.Path, c.Line, n)
		}
		if len(res.Fixes) != 1 || len(res.Fixes[0].ArtifactChanges) != 1 {
			t.Errorf("%s:%d: a suggestion without a SARIF fix", c.Path, c.Line)
			continue
		}
		// Every replacement of the fix is either the suggestion, on the
		// comment's lines, or shown in the comment's text.
		for _, rp := range res.Fixes[0].ArtifactChanges[0].Replacements {
			text := strings.TrimSuffix(rp.InsertedContent.Text, "\n")
			if fmt.Sprint(rp.DeletedRegion.StartLine, "-", rp.DeletedRegion.EndLine) == lineRange(c) {
				if got := strings.TrimSuffix(suggested[1], "\n"); got != text {
					t.Errorf("%s:%d: suggestion %q, the fix %q", c.Path, c.Line, got, text)
				}
				continue
			}
			shown := false
			for _, a := range alsoRE.FindAllStringSubmatch(c.Body, -1) {
				from, _ := strconv.Atoi(a[1])
				to := from
				if a[2] != "" {
					to, _ = strconv.Atoi(a[2])
				}
				shown = shown || from == rp.DeletedRegion.StartLine && to == rp.DeletedRegion.EndLine && a[3] == text
			}
			if !shown {
				t.Errorf("%s:%d: the comment does not show the fix's change of lines %d-%d:\n%s", c.Path, c.Line,
					rp.DeletedRegion.StartLine, rp.DeletedRegion.EndLine, c.Body)
			}
		}
	}
	if suggestions == 0 {
		t.Error("no comment offers a suggestion: the test checks none")
	}
}

// lineRange is a comment's lines as start-end.
func lineRange(c *ghtest.Comment) string {
	if c.StartLine == 0 {
		return fmt.Sprint(c.Line, "-", c.Line)
	}
	return fmt.Sprint(c.StartLine, "-", c.Line)
}

// instructionsIn counts the instructions of a Dockerfile that lines
// start..end touch; an ignore file's lines count one each.
func instructionsIn(t *testing.T, src string, start, end int) int {
	t.Helper()
	if start == 0 {
		start = end
	}
	df, err := checks.ParseDockerfile("Dockerfile", []byte(src), nil)
	if err != nil || len(df.Instructions) == 0 {
		return end - start + 1
	}
	n := 0
	for _, in := range df.Instructions {
		if in.StartLine <= end && start <= in.EndLine {
			n++
		}
	}
	return n
}
