package github

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan"
)

// placed is where a stored comment sits.
type placed struct {
	Path            string
	StartLine, Line int
}

func placements(pr ghtest.PR) []placed {
	var out []placed
	for _, c := range pr.Comments {
		out = append(out, placed{c.Path, c.StartLine, c.Line})
	}
	return out
}

func submitted(pr ghtest.PR) []*ghtest.Review {
	var out []*ghtest.Review
	for _, r := range pr.Reviews {
		if r.State != "PENDING" {
			out = append(out, r)
		}
	}
	return out
}

// leakyPR modifies a Dockerfile: lines 3 and 4 are added, line 2 is not.
func leakyPR(t *testing.T, e *env) []*review.ChangedFile {
	base := map[string]string{
		"Dockerfile":    "FROM alpine:3.20\nENV OLD_TOKEN=x\nRUN true\n",
		".dockerignore": ".git\n",
	}
	head := map[string]string{
		"Dockerfile":    "FROM alpine:3.20\nENV OLD_TOKEN=x\nENV AWS_SECRET_ACCESS_KEY=x\nENV GITHUB_TOKEN=x\nRUN true\n",
		".dockerignore": ".git\n",
	}
	return e.openPR(t, base, head)
}

func TestReviewPostsOneReviewOnAddedLines(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	withFix := finding("Dockerfile", 4, "GITHUB_TOKEN")
	withFix.Suggestion = &checks.Suggestion{StartLine: 4, EndLine: 4, Text: "ARG GITHUB_TOKEN"}
	fs := []scan.Finding{
		finding("Dockerfile", 2, "OLD_TOKEN"), // on a line the PR did not add
		finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY"),
		withFix,
	}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs, ServerURL: "https://github.com"})
	if err != nil {
		t.Fatalf("Review: %v", err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	reviews := submitted(pr)
	if len(reviews) != 1 {
		t.Fatalf("%d reviews stored, want 1", len(reviews))
	}
	rv := reviews[0]
	if rv.State != "COMMENTED" || rv.CommitID != headSHA {
		t.Errorf("review state %s on %s, want COMMENTED on the head %s", rv.State, rv.CommitID, headSHA)
	}
	want := []placed{{"Dockerfile", 0, 3}, {"Dockerfile", 0, 4}}
	if diff := cmp.Diff(want, placements(pr)); diff != "" {
		t.Errorf("inline comments (-want +got):\n%s", diff)
	}
	for _, c := range pr.Comments {
		for _, s := range []string{"<!-- stowaway:fp=", "secret-env", "AKIA…(20 chars)", "**Fix:**"} {
			if !strings.Contains(c.Body, s) {
				t.Errorf("comment on line %d lacks %q:\n%s", c.Line, s, c.Body)
			}
		}
	}
	if !strings.Contains(pr.Comments[1].Body, "```suggestion\nARG GITHUB_TOKEN\n```") {
		t.Errorf("the comment with a mechanical fix has no suggestion block:\n%s", pr.Comments[1].Body)
	}
	if strings.Contains(pr.Comments[0].Body, "```suggestion") {
		t.Errorf("a comment without a fix has a suggestion block:\n%s", pr.Comments[0].Body)
	}
	if !strings.Contains(rv.Body, `OLD\_TOKEN`) || !strings.Contains(rv.Body, "not on a line this pull request adds") {
		t.Errorf("the review body does not list the finding outside the diff:\n%s", rv.Body)
	}
	if !strings.Contains(rv.Body, "https://github.com/acme/app/blob/"+headSHA+"/Dockerfile#L2") {
		t.Errorf("the review body does not link the line:\n%s", rv.Body)
	}
	if got := (ReviewResult{URL: res.URL, Inline: 2, InBody: 1}); *res != got {
		t.Errorf("result %+v, want %+v", *res, got)
	}
}

func TestReviewPostsNothingWithoutFindings(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files})
	if err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 0 || len(pr.Comments) != 0 || res.URL != "" {
		t.Errorf("posted %d reviews and %d comments for a clean pull request", len(pr.Reviews), len(pr.Comments))
	}
	for _, r := range e.srv.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("a clean pull request got a mutation: %s %s", r.Method, r.Path)
		}
	}
}

func TestReviewRerunPostsNothingNew(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	fs := []scan.Finding{finding("Dockerfile", 2, "OLD_TOKEN"), finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
	r := Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs}
	if _, err := e.client.Review(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	// The second run sees the same findings one line lower: same
	// fingerprints.
	for i := range fs {
		fs[i].Region.StartLine++
		fs[i].Region.EndLine++
	}
	res, err := e.client.Review(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 || len(pr.Comments) != 1 {
		t.Errorf("after a re-run: %d reviews, %d comments; want 1 and 1", len(pr.Reviews), len(pr.Comments))
	}
	if res.Known != 2 || res.URL != "" {
		t.Errorf("re-run result %+v, want 2 known findings and no review", *res)
	}
}

func TestReviewMarksFixedFindings(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	outside := finding("Dockerfile", 2, "OLD_TOKEN")
	inline := finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")
	stays := finding("Dockerfile", 4, "GITHUB_TOKEN")
	fs := []scan.Finding{outside, inline, stays}
	if _, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs}); err != nil {
		t.Fatal(err)
	}

	// A later commit removes two of the secrets.
	e.srv.Push(repoName, 7, secondSHA, files2(t))
	files, _, err := e.client.ListFiles(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	now := []scan.Finding{stays}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: secondSHA, Files: files, Findings: now, Current: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fixed != 2 || res.URL != "" {
		t.Errorf("result %+v, want 2 fixed and no new review", *res)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 {
		t.Errorf("%d reviews, want the first one only", len(pr.Reviews))
	}
	for _, c := range pr.Comments {
		fixed := strings.Contains(c.Body, "<!-- stowaway:fixed=")
		if want := c.Line == 3; fixed != want {
			t.Errorf("comment on line %d marked fixed: %v, want %v\n%s", c.Line, fixed, want, c.Body)
		}
		if fixed && (!strings.Contains(c.Body, "**Fixed** in 2222222") || strings.Contains(c.Body, "```suggestion")) {
			t.Errorf("fixed comment does not say so:\n%s", c.Body)
		}
	}
	body := pr.Reviews[0].Body
	if !regexp.MustCompile(`<!-- stowaway:fixed=[0-9a-f]+ --> ~~.*OLD\\_TOKEN.*~~ Fixed in 2222222`).MatchString(body) {
		t.Errorf("the review body does not mark the finding outside the diff fixed:\n%s", body)
	}

	// A third run with nothing new changes nothing.
	before := e.srv.Snapshot(repoName, 7)
	if _, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: secondSHA, Files: files, Findings: now, Current: now}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, e.srv.Snapshot(repoName, 7)); diff != "" {
		t.Errorf("a run with nothing new changed the pull request (-before +after):\n%s", diff)
	}
}

func files2(t *testing.T) []ghtest.File {
	return ghtest.Diff(
		map[string]string{"Dockerfile": "FROM alpine:3.20\nENV OLD_TOKEN=x\nRUN true\n"},
		map[string]string{"Dockerfile": "FROM alpine:3.20\nRUN true\nENV GITHUB_TOKEN=x\nRUN true\n"},
	)
}

func TestReviewCapsInlineComments(t *testing.T) {
	e := newEnv(t, bot)
	files := e.openPR(t, map[string]string{}, map[string]string{"Dockerfile": dockerfile(40, "API_TOKEN")})
	var fs []scan.Finding
	for i := range 40 {
		fs = append(fs, finding("Dockerfile", i+2, "API_TOKEN_"+string(rune('A'+i%26))+strings.Repeat("X", i)))
	}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs})
	if err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 || len(pr.Comments) != review.MaxInline {
		t.Fatalf("%d reviews with %d comments, want 1 with %d", len(pr.Reviews), len(pr.Comments), review.MaxInline)
	}
	if n := strings.Count(pr.Reviews[0].Body, "over the limit of 30 inline comments"); n != 10 {
		t.Errorf("the body lists %d findings over the limit, want 10", n)
	}
	if res.Inline != 30 || res.InBody != 10 {
		t.Errorf("result %+v", *res)
	}
}

func TestReviewIsolatesARefusedComment(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	// Our view of the diff says line 40 was added; GitHub's does not (a
	// patch that changed under us).
	files[0] = review.NewChangedFile(files[0].Path, files[0].PreviousPath, files[0].Status, map[int]int{3: 0, 4: 0, 40: 0})
	fs := []scan.Finding{
		finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY"),
		finding("Dockerfile", 4, "GITHUB_TOKEN"),
		finding("Dockerfile", 40, "NPM_TOKEN"),
	}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs})
	if err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 || pr.Reviews[0].State != "COMMENTED" {
		t.Fatalf("reviews left: %+v, want one submitted review and no probe", pr.Reviews)
	}
	want := []placed{{"Dockerfile", 0, 3}, {"Dockerfile", 0, 4}}
	if diff := cmp.Diff(want, placements(pr)); diff != "" {
		t.Errorf("inline comments (-want +got):\n%s", diff)
	}
	if !strings.Contains(pr.Reviews[0].Body, `NPM\_TOKEN`) || !strings.Contains(pr.Reviews[0].Body, "GitHub refused the inline comment") {
		t.Errorf("the refused comment is not in the body:\n%s", pr.Reviews[0].Body)
	}
	if res.Refused != 1 {
		t.Errorf("result %+v, want 1 refused", *res)
	}
}

func TestReviewStoredDespiteAnError(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	f := ghtest.ServerError(http.MethodPost, `/pulls/7/reviews$`)
	f.Stored = true
	e.srv.AddFault(f)
	fs := []scan.Finding{finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs})
	if err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 || len(pr.Comments) != 1 {
		t.Errorf("%d reviews, %d comments after a 502 on a stored review; want 1 and 1", len(pr.Reviews), len(pr.Comments))
	}
	if res.URL == "" {
		t.Error("the stored review's URL is not reported")
	}
}

func TestReviewRetriesAfterA502(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	e.srv.AddFault(ghtest.ServerError(http.MethodPost, `/pulls/7/reviews$`))
	fs := []scan.Finding{finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
	if _, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs}); err != nil {
		t.Fatal(err)
	}
	if pr := e.srv.Snapshot(repoName, 7); len(pr.Reviews) != 1 || len(pr.Comments) != 1 {
		t.Errorf("%d reviews, %d comments; want 1 and 1", len(pr.Reviews), len(pr.Comments))
	}
}

func TestReviewWaitsOutSecondaryRateLimits(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := newEnv(t, bot)
			files := leakyPR(t, e)
			e.srv.AddFault(ghtest.SecondaryLimit(http.MethodPost, `/pulls/7/reviews$`, status, 37))
			fs := []scan.Finding{finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
			if _, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs}); err != nil {
				t.Fatal(err)
			}
			if pr := e.srv.Snapshot(repoName, 7); len(pr.Reviews) != 1 || len(pr.Comments) != 1 {
				t.Errorf("%d reviews, %d comments; want 1 and 1", len(pr.Reviews), len(pr.Comments))
			}
			if !strings.Contains(e.log.String(), "secondary rate limit on POST") || !strings.Contains(e.log.String(), "waiting 37s") {
				t.Errorf("the log does not say it waited 37s:\n%s", e.log)
			}
		})
	}
}

func TestReviewReadOnlyToken(t *testing.T) {
	e := newEnv(t, ghtest.Token{Login: "github-actions[bot]", ReadOnly: true})
	files := leakyPR(t, e)
	fs := []scan.Finding{finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
	_, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("Review with a read-only token: %v, want ErrReadOnly", err)
	}
	if pr := e.srv.Snapshot(repoName, 7); len(pr.Reviews) != 0 {
		t.Errorf("a read-only token stored %d reviews", len(pr.Reviews))
	}
}

func TestReviewCannotRequestChangesOnOwnPR(t *testing.T) {
	e := newEnv(t, ghtest.Token{Login: "octocat"}) // the pull request's author
	files := leakyPR(t, e)
	fs := []scan.Finding{finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
	if _, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Event: "REQUEST_CHANGES", Files: files, Findings: fs, Current: fs}); err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 || pr.Reviews[0].State != "COMMENTED" || len(pr.Comments) != 1 {
		t.Errorf("reviews %+v, comments %d; want one COMMENTED review with its comment", pr.Reviews, len(pr.Comments))
	}
}

func TestReviewDismissesFixedChangeRequest(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	fs := []scan.Finding{finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
	if _, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Event: "REQUEST_CHANGES", Files: files, Findings: fs, Current: fs}); err != nil {
		t.Fatal(err)
	}
	res, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Event: "REQUEST_CHANGES", Files: files})
	if err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 || pr.Reviews[0].State != "DISMISSED" || res.Dismissed != 1 {
		t.Errorf("reviews %+v, result %+v; want the change request dismissed", pr.Reviews, *res)
	}
}

func TestReviewDeletesLeftoverProbe(t *testing.T) {
	e := newEnv(t, bot)
	files := leakyPR(t, e)
	// A run that died while probing left a pending review behind.
	if _, err := e.client.probe(context.Background(), 7, headSHA, nil); err != nil {
		t.Fatal(err)
	}
	pending := &ghtest.Fault{Method: http.MethodDelete, Path: regexp.MustCompile(`/reviews/\d+$`), Status: http.StatusBadGateway, Body: `{}`, Times: 4}
	e.srv.AddFault(pending)
	if _, err := e.client.probe(context.Background(), 7, headSHA, nil); err == nil {
		t.Fatal("the probe's delete failed, yet probe reported no error")
	}
	fs := []scan.Finding{finding("Dockerfile", 3, "AWS_SECRET_ACCESS_KEY")}
	if _, err := e.client.Review(context.Background(), Review{Number: 7, HeadSHA: headSHA, Files: files, Findings: fs, Current: fs}); err != nil {
		t.Fatal(err)
	}
	pr := e.srv.Snapshot(repoName, 7)
	if len(pr.Reviews) != 1 || pr.Reviews[0].State != "COMMENTED" {
		t.Errorf("reviews %+v, want only the submitted one", pr.Reviews)
	}
}
