package action

// End-to-end tests of runs that follow other runs on the same pull
// request: a change of the path input, and a review whose body could not
// list every finding.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
)

// fakeToken is a GitHub token of the right shape made of name, for a
// Dockerfile's ENV.
func fakeToken(name string) string {
	t := "ghp_FAKEstowawayE2E" + name
	return t + strings.Repeat("0", 40-len(t))
}

func envDockerfile(key, name string) string {
	return fmt.Sprintf("FROM alpine:3.20\nENV %s=%s\n", key, fakeToken(name))
}

const fix2SHA = "5c4b3a29181706f5e4d3c2b1a0f9e8d7c6b5a493"

func TestActionPathChangeMarksNothingOutsideFixed(t *testing.T) {
	// web/Dockerfile's token was there before the pull request, which adds
	// api/Dockerfile's: with scan all, the first lands in the review body,
	// the second inline.
	base := map[string]string{"web/Dockerfile": envDockerfile("WEB_TOKEN", "web")}
	head := withFiles(base, map[string]string{"api/Dockerfile": envDockerfile("API_TOKEN", "api")})
	e := newE2E(t, bot)
	e.openPR(base, head, false)
	r := e.run(invocation{head: head, inputs: map[string]string{"scan": "all"}})
	pr := e.srv.Snapshot(e2eRepo, 7)
	if len(pr.Reviews) != 1 || len(pr.Comments) != 1 || !strings.Contains(pr.Reviews[0].Body, "web/Dockerfile:2") {
		t.Fatalf("first run: %d reviews, %d comments, want one review listing web/Dockerfile with one inline comment\n%s", len(pr.Reviews), len(pr.Comments), r.stdout)
	}

	// The workflow now scans api only: web's finding is out of its
	// scope, not fixed.
	before := e.srv.Snapshot(e2eRepo, 7)
	r = e.run(invocation{head: head, inputs: map[string]string{"scan": "all", "path": "api"}})
	if diff := cmp.Diff(before, e.srv.Snapshot(e2eRepo, 7)); diff != "" {
		t.Errorf("a run over api changed the pull request (-before +after):\n%s", diff)
	}
	wantOutputs(t, r, 1, 1, 0)

	// api's token is removed: its comment is fixed; web's entry, in a
	// body written by a run over the whole tree, stays open.
	fixed := withFiles(base, map[string]string{"api/Dockerfile": "FROM alpine:3.20\n"})
	e.srv.Push(e2eRepo, 7, fixSHA, ghtest.Diff(base, fixed))
	r = e.run(invocation{head: fixed, sha: fixSHA, inputs: map[string]string{"scan": "all", "path": "api"}})
	pr = e.srv.Snapshot(e2eRepo, 7)
	if !strings.Contains(pr.Comments[0].Body, "<!-- stowaway:fixed=") {
		t.Errorf("api's comment is not marked fixed:\n%s", pr.Comments[0].Body)
	}
	if pr.Reviews[0].Body != before.Reviews[0].Body {
		t.Errorf("the review body changed:\n%s", pr.Reviews[0].Body)
	}
	wantContains(t, "summary", r.summary, "1 earlier comments marked fixed")

	// Back to the whole tree, with web's token gone too: now its entry
	// is fixed.
	clean := map[string]string{"web/Dockerfile": "FROM alpine:3.20\n", "api/Dockerfile": "FROM alpine:3.20\n"}
	e.srv.Push(e2eRepo, 7, fix2SHA, ghtest.Diff(base, clean))
	e.run(invocation{head: clean, sha: fix2SHA, inputs: map[string]string{"scan": "all"}})
	pr = e.srv.Snapshot(e2eRepo, 7)
	if body := pr.Reviews[0].Body; strings.Contains(body, "stowaway:fp=") || !strings.Contains(body, "~~") {
		t.Errorf("web's entry is not marked fixed:\n%s", body)
	}
}

func TestActionFindingsPastTheBodyAreFixedLater(t *testing.T) {
	t.Parallel() // the slowest of the package: they run beside the others
	const n = 400
	head := map[string]string{}
	for i := range n {
		head[fmt.Sprintf("services/svc%03d/Dockerfile", i)] = envDockerfile("SERVICE_TOKEN", fmt.Sprintf("many%03d", i))
	}
	e := newE2E(t, bot)
	e.openPR(map[string]string{}, head, false)
	r := e.run(invocation{head: head})
	wantOutputs(t, r, n, n, 0)
	pr := e.srv.Snapshot(e2eRepo, 7)
	if len(pr.Reviews) != 1 || len(pr.Comments) != 30 {
		t.Fatalf("%d reviews, %d comments; want one review with 30", len(pr.Reviews), len(pr.Comments))
	}
	body := pr.Reviews[0].Body
	if !strings.Contains(body, "<!-- stowaway:seen=") || len(body) > 65536 {
		t.Fatalf("a body of %d bytes without findings past its room; the test needs some", len(body))
	}

	// A re-run posts nothing: every finding left a marker.
	before := e.srv.Snapshot(e2eRepo, 7)
	r = e.run(invocation{head: head})
	if diff := cmp.Diff(before, e.srv.Snapshot(e2eRepo, 7)); diff != "" {
		t.Errorf("the re-run changed the pull request (-before +after):\n%s", diff)
	}
	wantContains(t, "summary", r.summary, fmt.Sprintf("%d findings already commented by an earlier run", n))

	// Every token removed: every finding is marked fixed, those past the
	// body's room included.
	fixed := map[string]string{}
	for p := range head {
		fixed[p] = "FROM alpine:3.20\n"
	}
	e.srv.Push(e2eRepo, 7, fixSHA, ghtest.Diff(map[string]string{}, fixed))
	r = e.run(invocation{head: fixed, sha: fixSHA})
	wantContains(t, "summary", r.summary, fmt.Sprintf("%d earlier comments marked fixed", n))
	pr = e.srv.Snapshot(e2eRepo, 7)
	body = pr.Reviews[0].Body
	first, _, _ := strings.Cut(body, "\n")
	if strings.Contains(first, "stowaway:fp=") || strings.Contains(first, "stowaway:seen=") || !strings.Contains(first, "<!-- stowaway:gone=") {
		t.Errorf("the body's markers still hold open findings: %s", first)
	}
	wantContains(t, "review body", body, "of them no longer reported in "+fixSHA[:7])
	if len(body) > 65536 {
		t.Errorf("the rewritten body has %d bytes", len(body))
	}
	for _, c := range pr.Comments {
		if !strings.Contains(c.Body, "<!-- stowaway:fixed=") {
			t.Errorf("comment on %s is not marked fixed", c.Path)
		}
	}
	// And they come back: posted again, as new.
	e.srv.Push(e2eRepo, 7, fix2SHA, ghtest.Diff(map[string]string{}, head))
	r = e.run(invocation{head: head, sha: fix2SHA})
	wantContains(t, "log", r.stdout, "Posted a review")
}
