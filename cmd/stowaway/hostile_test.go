package main

// The Action against a hostile or broken API: redirects, stalls, answers
// that are not JSON. Each run must end, with an error that says what
// happened, and the token must reach no other host.

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stowaway-dev/stowaway/ghreview/ghtest"
)

// runHostile runs the action on the leaky pull request against a fake that
// answers h's requests its way.
func runHostile(t *testing.T, bin string, h *ghtest.Hostile, inputs map[string]string) result {
	e := newE2E(t, bin, bot)
	head := tree(t, "leaky/head")
	e.openPR(tree(t, "leaky/base"), head, false)
	e.srv.AddHostile(h)
	return e.run(invocation{head: head, inputs: inputs})
}

func TestActionRefusesPlainHTTPAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newE2E(t, cliBinary(t), bot)
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")
	e.openPR(leakyBase, leakyHead, false)
	r := e.run(invocation{head: leakyHead, env: []string{"GITHUB_API_URL=http://example.com"}})
	wantContains(t, "log", r.stdout, `::error::stowaway: API URL "http://example.com" is plain http`)
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the API", n)
	}
}

func TestActionRedirectNeverCarriesTheToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := cliBinary(t)
	// A 302 turns a POST into a GET; a 307 sends it again, body and all.
	// ghreview's tests go through every redirect status.
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect} {
		for _, call := range []struct{ method, path string }{
			{http.MethodGet, `/pulls/7$`},
			{http.MethodGet, `/pulls/7/files$`},
			{http.MethodPost, `/pulls/7/reviews$`},
			{http.MethodPost, `/code-scanning/sarifs$`},
		} {
			t.Run(fmt.Sprint(code, call.method, call.path), func(t *testing.T) {
				sink := ghtest.NewSink(t)
				r := runHostile(t, bin, ghtest.Redirect(call.method, call.path, code, sink.URL), map[string]string{"upload-sarif": "true"})
				if got := sink.Requests(); len(got) != 0 {
					t.Errorf("the other host got %+v", got)
				}
				wantContains(t, "log", r.stdout, "redirected the call to another host or scheme; not followed")
			})
		}
	}
}
