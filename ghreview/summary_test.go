package ghreview

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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

func TestReviewBodyStaysUnderGitHubsLimit(t *testing.T) {
	var entries []bodyEntry
	for i := range 3000 {
		f := finding("Dockerfile", i+1, strings.Repeat("K", 40)+string(rune('a'+i%26))+strings.Repeat("x", i%50))
		f.Fingerprint = ""
		f.Key = string(rune(i))
		entries = append(entries, bodyEntry{&f, "not on a line this pull request adds"})
	}
	body := reviewBody(bodyInput{key: "k", intro: "### Stowaway", entries: entries, suppressed: 3},
		func(string, int, int) string { return "https://github.com/acme/app/blob/x/Dockerfile" })
	if len(body) >= MaxBody {
		t.Fatalf("body of %d bytes, over GitHub's limit", len(body))
	}
	if !strings.Contains(body, "more: see the job summary") || !strings.Contains(body, "3 findings suppressed") {
		t.Errorf("the cut body does not say what it left out:\n%s", body[len(body)-500:])
	}
	if m := parseMarkers(body); len(m.open)+len(m.seen) != len(entries) {
		got := len(m.open) + len(m.seen)
		t.Errorf("%d markers in the body, want one per finding (%d): a re-run would post the rest again", got, len(entries))
	}
}

// TestMarkFixedReachesEveryFinding: a body cut to GitHub's limit, whose
// findings are all gone, is rewritten under the limit with every marker
// fixed, those past its room included; the paths it records stay.
func TestMarkFixedReachesEveryFinding(t *testing.T) {
	var entries []bodyEntry
	for i := range 3000 {
		f := finding(fmt.Sprintf("svc%04d/Dockerfile", i), 2, "ENV token")
		f.Fingerprint = fmt.Sprintf("%032x", i)
		entries = append(entries, bodyEntry{&f, "file not changed by this pull request"})
	}
	paths := []string{"services/api", ".stowaway.yml"}
	body := reviewBody(bodyInput{key: "k", paths: paths, intro: "### Stowaway", entries: entries},
		func(p string, _, _ int) string { return "https://github.com/acme/app/blob/" + headSHA + "/" + p })
	before := parseMarkers(body)
	if len(before.seen) == 0 || len(before.open) == 0 {
		t.Fatalf("%d open and %d seen markers: the test needs both", len(before.open), len(before.seen))
	}
	got, n := markFixed(body, func(string) string { return "Fixed" }, secondSHA)
	if n != len(entries) {
		t.Errorf("%d marked fixed, want %d", n, len(entries))
	}
	if len(got) > MaxBody {
		t.Errorf("a rewritten body of %d bytes", len(got))
	}
	want := markers{review: "k", fixed: before.open, gone: before.seen, paths: paths}
	if diff := cmp.Diff(want, parseMarkers(got), cmp.AllowUnexported(markers{})); diff != "" {
		t.Errorf("markers of the rewritten body (-want +got):\n%s", diff)
	}
	for _, s := range []string{"~~`svc0000/Dockerfile:2`~~ Fixed in 2222222", "of them no longer reported in 2222222"} {
		if !strings.Contains(got, s) {
			t.Errorf("the rewritten body lacks %q", s)
		}
	}
}

func TestCommentTextIsNeutralised(t *testing.T) {
	f := finding("Dockerfile", 2, "X")
	f.Message = "ENV \"<!-- stowaway:fp=forged -->\" names @octocat\nand `ticks`"
	f.Evidence = "ab``cd"
	body := inlineBody(&f, false)
	if m := parseMarkers(body); len(m.open) != 1 || m.open[0] != f.Fingerprint {
		t.Errorf("markers %+v: a message can forge a marker", m)
	}
	if strings.Contains(body, "@octocat") {
		t.Errorf("the comment mentions a user:\n%s", body)
	}
	if !strings.Contains(body, "```ab``cd```") {
		t.Errorf("evidence with backticks is not fenced safely:\n%s", body)
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain <b> & @octocat", "plain &lt;b&gt; & @\u2060octocat"},
		{"add **/.env and [x](y) ~z_", `add \*\*/.env and \[x\](y) \~z\_`},
		{"run `RUN --mount <command>` then", "run `RUN --mount <command>` then"},
		{"``a ` b`` <x>", "``a ` b`` &lt;x&gt;"},
		{"unmatched ` <x>", "unmatched ` &lt;x&gt;"},
		{"`<!-- stowaway:fp=x -->`", "`<!\u200b-- stowaway:fp=x -->`"},
		{"line\nbreak", "line break"},
	}
	for _, tt := range tests {
		if got := text(tt.in); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
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
