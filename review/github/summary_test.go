package github

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

func TestWriteSummary(t *testing.T) {
	pipe := finding("svc/Dockerfile", 4, "A|B")
	pipe.Region.EndLine = 6
	quiet := finding("Dockerfile", 9, "QUIET_TOKEN")
	quiet.Suppressed = &checks.Suppression{Kind: "inSource", Reason: "test fixture"}
	var b strings.Builder
	err := WriteSummary(&b, Summary{
		Findings:  []scan.Finding{finding("Dockerfile", 2, "AWS_SECRET_ACCESS_KEY"), pipe, quiet},
		Problems:  []scan.Problem{{Path: "huge/Dockerfile", Level: checks.Warning, Message: "file is larger than 1 MiB"}},
		Scope:     "the files this pull request changes",
		Notes:     []string{"No review: the token is read-only."},
		ServerURL: "https://github.com", Owner: "acme", Repo: "app", SHA: headSHA,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"2 errors in the files this pull request changes. 1 finding suppressed.",
		"> No review: the token is read-only.",
		"| File | Line | Rule | Message |",
		"| [`Dockerfile`](https://github.com/acme/app/blob/" + headSHA + "/Dockerfile#L2) | [2](https://github.com/acme/app/blob/" + headSHA + "/Dockerfile#L2) | :no_entry: `secret-env` |",
		"svc/Dockerfile#L4-L6",
		`A\|B`,
		"`huge/Dockerfile`: file is larger than 1 MiB",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "QUIET_TOKEN") {
		t.Errorf("summary lists a suppressed finding:\n%s", got)
	}
}

func TestSummaryStaysUnderGitHubsLimit(t *testing.T) {
	long := strings.Repeat("very-long-directory-name/", 12)
	var fs []scan.Finding
	for i := range 4000 {
		f := finding(fmt.Sprintf("%ssvc%04d/Dockerfile", long, i), 2, fmt.Sprintf("TOKEN_%04d", i))
		if i%3 != 0 {
			f.Level = checks.Warning
		}
		fs = append(fs, f)
	}
	var problems []scan.Problem
	for i := range 3000 {
		problems = append(problems, scan.Problem{Path: fmt.Sprintf("%sbroken%04d/Dockerfile", long, i), Message: "file is larger than 1 MiB"})
	}
	var b strings.Builder
	err := WriteSummary(&b, Summary{Findings: fs, Problems: problems, Scope: "the whole tree", Notes: []string{"A note."},
		ServerURL: "https://github.com", Owner: "acme", Repo: "app", SHA: headSHA, SARIFFile: "stowaway.sarif"})
	if err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if len(got) > MaxSummary {
		t.Fatalf("summary of %d bytes, over %d", len(got), MaxSummary)
	}
	rows := strings.Count(got, " `secret-env` | ")
	m := regexp.MustCompile(`…(\d+) findings left out of this summary, which lists the most severe first: the SARIF file ` + "`stowaway.sarif`").FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("the summary does not say what it left out:\n%s", got[len(got)-2000:])
	}
	t.Logf("%d bytes: %d rows, %s findings left out", len(got), rows, m[1])
	if left := atoi(t, m[1]); rows+left != len(fs) || rows < 100 {
		t.Errorf("%d rows and %d left out, want %d in all", rows, left, len(fs))
	}
	// The errors (every third finding) come first.
	lastError, firstWarning := strings.LastIndex(got, ":no_entry: `secret-env`"), strings.Index(got, ":warning: `secret-env`")
	if lastError < 0 || firstWarning >= 0 && firstWarning < lastError {
		t.Errorf("a warning comes before an error")
	}
	if !strings.Contains(got, "more: see the SARIF file.\n\n</details>") || !strings.Contains(got, "3000 files not fully scanned") {
		t.Errorf("the problems are not capped with a closing line")
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
