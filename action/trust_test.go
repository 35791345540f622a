package action

// End-to-end tests of the Action on hostile pull requests: markers copied
// into other people's comments, names that GitHub would link, a job summary
// too large for GitHub.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/review/github"
	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan"
)

// fingerprints scans a tree, as a pull request's author can, and returns
// the fingerprint of each finding by line.
func fingerprints(t *testing.T, files map[string]string) map[int]string {
	t.Helper()
	res, err := scan.Scan(context.Background(), os.DirFS(writeTree(t, files)), []string{"."}, scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fps := map[int]string{}
	for _, f := range res.Findings {
		fps[f.Region.StartLine] = f.Fingerprint
	}
	return fps
}

// touched returns the mutations sent to comments or reviews with these IDs.
func touched(srv *ghtest.Server, ids ...int64) []string {
	var out []string
	for _, m := range mutations(srv) {
		for _, id := range ids {
			if strings.HasSuffix(m, fmt.Sprint("/", id)) || strings.Contains(m, fmt.Sprint("/", id, "/")) {
				out = append(out, m)
			}
		}
	}
	return out
}

func TestActionHostilePullRequest(t *testing.T) {
	t.Parallel() // the slowest of the package: they run beside the others
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")
	fps := fingerprints(t, leakyHead)
	if len(fps) != 3 {
		t.Fatalf("fingerprints %v, want the leaky tree's 3 findings", fps)
	}
	const gone = "0123456789abcdef0123456789abcdef" // a finding that does not exist

	t.Run("foreign markers", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		// The author silences the finding on line 7 and baits a "Fixed" on
		// line 8; a reviewer's change request copies a review's markers.
		silence := e.srv.AddComment(e2eRepo, 7, &ghtest.Comment{User: "octocat", Path: "Dockerfile", Line: 7,
			Body: "<!-- stowaway:fp=" + fps[7] + " -->\nfalse alarm"})
		bait := e.srv.AddComment(e2eRepo, 7, &ghtest.Comment{User: "octocat", Path: "Dockerfile", Line: 8,
			Body: "<!-- stowaway:fp=" + gone + " -->\nplease look"})
		request := e.srv.AddReview(e2eRepo, 7, &ghtest.Review{User: "reviewer-rita", State: "CHANGES_REQUESTED",
			Body: "<!-- stowaway:review=abc --><!-- stowaway:fp=" + gone + " -->\nRotate the keys first."})
		// Our own account's comment that quotes a marker below its first
		// line: text, not a marker.
		quoted := e.srv.AddComment(e2eRepo, 7, &ghtest.Comment{User: bot.Login, Path: "Dockerfile", Line: 8,
			Body: "Quoting:\n<!-- stowaway:fp=" + fps[8] + " -->"})
		before := e.srv.Snapshot(e2eRepo, 7)

		r := e.run(invocation{head: leakyHead})
		after := e.srv.Snapshot(e2eRepo, 7)
		if diff := cmp.Diff(before.Comments, after.Comments[:len(before.Comments)]); diff != "" {
			t.Errorf("earlier comments changed (-before +after):\n%s", diff)
		}
		if diff := cmp.Diff(before.Reviews, after.Reviews[:len(before.Reviews)]); diff != "" {
			t.Errorf("earlier reviews changed (-before +after):\n%s", diff)
		}
		if m := touched(e.srv, silence.ID, bait.ID, request.ID, quoted.ID); len(m) != 0 {
			t.Errorf("the run wrote to other people's comments or reviews: %v", m)
		}
		if len(after.Reviews) != 2 || len(after.Comments) != len(before.Comments)+3 {
			t.Errorf("%d reviews and %d new comments, want one new review with the 3 findings inline", len(after.Reviews)-1, len(after.Comments)-len(before.Comments))
		}
		wantContains(t, "log", r.stdout, "Posted a review", "Ignoring Stowaway markers in comments and reviews by other accounts (3)")
		wantContains(t, "summary", r.summary, "3 comments or reviews by other accounts carry Stowaway markers: ignored")
		if strings.Contains(r.summary, "already commented") || strings.Contains(r.summary, "marked fixed") || strings.Contains(r.summary, "dismissed") {
			t.Errorf("the summary trusts foreign markers:\n%s", r.summary)
		}

		// The Action's own review is trusted on the next run.
		r = e.run(invocation{head: leakyHead})
		wantContains(t, "summary", r.summary, "3 findings already commented by an earlier run")
		if len(e.srv.Snapshot(e2eRepo, 7).Reviews) != 2 {
			t.Error("the re-run posted again")
		}
	})

	t.Run("personal token", func(t *testing.T) {
		// GET /user answers a personal token; GraphQL too, until it fails.
		e := newE2E(t, ghtest.Token{Login: "sec-team-bot"})
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddComment(e2eRepo, 7, &ghtest.Comment{User: "github-actions[bot]", Path: "Dockerfile", Line: 7,
			Body: "<!-- stowaway:fp=" + fps[7] + " -->\nanother workflow's comment"})
		e.run(invocation{head: leakyHead})
		if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 1 || len(pr.Comments) != 4 {
			t.Fatalf("%d reviews, %d comments; want the 3 findings posted beside the other account's comment", len(pr.Reviews), len(pr.Comments))
		}
		e.srv.AddFault(ghtest.ServerError(http.MethodPost, `graphql$`))
		r := e.run(invocation{head: leakyHead})
		wantContains(t, "summary", r.summary, "3 findings already commented by an earlier run")
	})

	t.Run("names that GitHub links", func(t *testing.T) {
		e := newE2E(t, bot)
		dir := "www.evil.example/@octocat/acme/app#12/GH-34/deadbeefcafe1234"
		head := map[string]string{dir + "/Dockerfile": "FROM alpine:3.20 AS build\n" +
			"ENV GH-12_TOKEN=ghp_FAKEstowawayabcdefabcdef0123456789abcd\n" +
			"ARG @octocat_PASSWORD=FAKEstowawayHunter2hunter2\n" +
			"ENV acme/app#12_SECRET=FAKEstowaway1234567890abcdef\n"}
		e.openPR(map[string]string{}, head, false)
		r := e.run(invocation{head: head})
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 || len(pr.Comments) != 3 {
			t.Fatalf("%d reviews, %d comments; want the 3 findings inline", len(pr.Reviews), len(pr.Comments))
		}
		texts := map[string]string{"review body": pr.Reviews[0].Body, "summary": strings.ReplaceAll(r.summary, headSHA, "HEAD")}
		for _, c := range pr.Comments {
			texts[fmt.Sprintf("comment on line %d", c.Line)] = c.Body
		}
		for what, md := range texts {
			if links := ghtest.Autolinks(md); len(links) != 0 {
				t.Errorf("the %s links %q:\n%s", what, links, md)
			}
		}
		// The names are all there, with an invisible word joiner where GitHub
		// would link them.
		wantContains(t, "summary", r.summary, "GH-\u206012\\_TOKEN", "@\u2060octocat\\_PASSWORD", "acme/app#\u206012\\_SECRET")
	})

	t.Run("summary over GitHub's limit", func(t *testing.T) {
		e := newE2E(t, bot)
		long := strings.Repeat("a-rather-long-directory-name/", 24) // few files reach the limit
		head := map[string]string{}
		for i := range 700 {
			df := fmt.Sprintf("FROM alpine:3.20\nENV API_KEY=FAKEstowaway%04dQ8vRz3LmT6wYb1\n", i)
			if i%2 == 0 {
				df = "FROM alpine:3.20\nARG NPM_TOKEN\nRUN npm ci\n" // a warning, listed first
			}
			head[fmt.Sprintf("%ssvc%04d/Dockerfile", long, i)] = df
		}
		r := e.run(invocation{event: "push", head: head})
		if len(r.summary) > github.MaxSummary {
			t.Fatalf("a summary of %d bytes: GitHub drops it", len(r.summary))
		}
		m := regexp.MustCompile(`…(\d+) findings left out of this summary, which lists the most severe first: the SARIF file ` + "`stowaway.sarif`").FindStringSubmatch(r.summary)
		if m == nil {
			t.Fatalf("the summary does not say what it left out:\n%s", r.summary[max(0, len(r.summary)-1000):])
		}
		rows := strings.Count(r.summary, "\n| [`")
		var left int
		fmt.Sscan(m[1], &left)
		if total := r.outputs["findings"]; fmt.Sprint(rows+left) != total {
			t.Errorf("%d rows and %d left out, want the %s findings", rows, left, total)
		}
		if i, j := strings.LastIndex(r.summary, ":no_entry:"), strings.Index(r.summary, ":warning:"); j >= 0 && j < i {
			t.Error("a warning comes before an error")
		}
		t.Logf("%d bytes, %d rows, %d left out", len(r.summary), rows, left)
	})
}
