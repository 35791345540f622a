package action

// The Action against a hostile or broken API: redirects, stalls, answers
// that are not JSON. Each run must end, with an error that says what
// happened, and the token must reach no other host.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
)

// runHostile runs the action on the leaky pull request against a fake that
// answers h's requests its way.
func runHostile(t *testing.T, h *ghtest.Hostile, inputs map[string]string) result {
	e := newE2E(t, bot)
	// A stalled request lasts until the fake clock passes its timeout.
	h.Stalled = func() { e.clock.Advance(time.Minute) }
	head := tree(t, "leaky/head")
	e.openPR(tree(t, "leaky/base"), head, false)
	e.srv.AddHostile(h)
	return e.run(invocation{head: head, inputs: inputs})
}

func TestActionRefusesPlainHTTPAPI(t *testing.T) {
	e := newE2E(t, bot)
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")
	e.openPR(leakyBase, leakyHead, false)
	r := e.run(invocation{head: leakyHead, env: []string{"GITHUB_API_URL=http://example.com"}})
	wantContains(t, "log", r.stdout, `::error::stowaway: API URL "http://example.com" is plain http`)
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the API", n)
	}
}

func TestActionRedirectNeverCarriesTheToken(t *testing.T) {
	// A 302 turns a POST into a GET; a 307 sends it again, body and all.
	// review/github's tests go through every redirect status.
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		for _, call := range []struct{ method, path string }{
			{http.MethodGet, `/pulls/7$`},
			{http.MethodGet, `/pulls/7/files$`},
			{http.MethodPost, `/pulls/7/reviews$`},
			{http.MethodPost, `/code-scanning/sarifs$`},
		} {
			t.Run(fmt.Sprint(code, call.method, call.path), func(t *testing.T) {
				sink := ghtest.NewSink(t)
				r := runHostile(t, ghtest.Redirect(call.method, call.path, code, sink.URL), map[string]string{"upload-sarif": "true"})
				if got := sink.Requests(); len(got) != 0 {
					t.Errorf("the other host got %+v", got)
				}
				wantContains(t, "log", r.stdout, "redirected the call to another host or scheme; not followed")
			})
		}
	}
}

func TestActionStalledAPIEnds(t *testing.T) {
	for _, h := range []*ghtest.Hostile{
		ghtest.Stall(http.MethodGet, `/pulls/7/files$`),
		ghtest.StallBody(http.MethodGet, `/pulls/7$`, `{"number":7,"head":{"sha":"`),
	} {
		t.Run(h.Path.String(), func(t *testing.T) {
			r := runHostile(t, h, map[string]string{"api-timeout": "1s"})
			wantContains(t, "log", r.stdout, "the time allowed for API calls (api-timeout) ran out")
		})
	}
}

// TestActionInvalidJSONIsNoCrash: review/github's tests cover every endpoint
// and body; here the Action meets a few.
func TestActionInvalidJSONIsNoCrash(t *testing.T) {
	for _, call := range []struct {
		method, path string
		status       int
		body, want   string
	}{
		{http.MethodGet, `/pulls/7/files$`, 0, "<html>Bad Gateway</html>", "listing files of pull request #7: GitHub's answer is not the JSON its API sends"},
		{http.MethodPost, `/code-scanning/sarifs$`, http.StatusAccepted, `[1,2,3]`, "uploading SARIF: GitHub's answer is not the JSON its API sends"},
		{http.MethodGet, `/code-scanning/sarifs/`, 0, `{"processing_status":`, "reading the SARIF upload's status: GitHub's answer is not the JSON its API sends"},
	} {
		t.Run(call.method+call.path, func(t *testing.T) {
			h := ghtest.InvalidJSON(call.method, call.path, call.body)
			h.Status = call.status
			r := runHostile(t, h, map[string]string{"upload-sarif": "true"})
			if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("the run crashed:\n%s", r.stderr)
			}
			wantContains(t, "log", r.stdout, call.want)
		})
	}
}
