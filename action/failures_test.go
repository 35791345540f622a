package action

// End-to-end tests of an API that fails after the scan: code scanning
// refusing the upload, GitHub refusing the review, an API that is down from
// the start. Each run must still write the SARIF file, the outputs and the
// job summary (saying what failed), exit as fail-on says, and call the
// failure a warning unless fail-on-api-error asks for a failed step.

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
)

// fault answers every matching request (up to 20) with status and body.
func fault(method, path string, status int, body string) func(*e2e) {
	return func(e *e2e) {
		e.srv.AddFault(&ghtest.Fault{Method: method, Path: regexp.MustCompile(path), Status: status, Body: body, Times: 20})
	}
}

// stall holds every matching request until the fake clock passes the
// attempt's timeout.
func stall(method, path string) func(*e2e) {
	return func(e *e2e) {
		h := ghtest.Stall(method, path)
		h.Stalled = func() { e.clock.Advance(time.Minute) }
		e.srv.AddHostile(h)
	}
}

func TestActionReportsWhenTheAPIFails(t *testing.T) {
	t.Parallel() // the slowest of the package: they run beside the others
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")
	const (
		sarifs  = `/code-scanning/sarifs$`
		status  = `/code-scanning/sarifs/`
		reviews = `/pulls/7/reviews$`
	)
	tests := []struct {
		name  string
		setup func(*e2e)
		env   []string
		// said is what the summary says failed.
		said     string
		readOnly bool // the token's missing permission: not an API failure
		posted   bool // the review is posted all the same
	}{
		{name: "upload refused: more runs than allowed", posted: true,
			setup: fault(http.MethodPost, sarifs, http.StatusUnprocessableEntity, `{"message":"Invalid request.\n\nmore runs than allowed (21 > 20)"}`),
			said:  "SARIF was not uploaded: uploading SARIF: POST"},
		{name: "upload processing failed: more runs than allowed", posted: true,
			setup: fault(http.MethodGet, status, http.StatusOK, `{"processing_status":"failed","errors":["rejecting SARIF, as there are more runs than allowed (21 > 20)"]}`),
			said:  "code scanning could not process it: rejecting SARIF, as there are more runs than allowed (21 &gt; 20)"},
		{name: "code scanning not enabled", posted: true,
			setup: fault(http.MethodPost, sarifs, http.StatusForbidden, `{"message":"Code scanning is not enabled for this repository. Please enable code scanning in the repository settings."}`),
			said:  "Code scanning is not enabled for this repository"},
		{name: "Advanced Security off", posted: true,
			setup: fault(http.MethodPost, sarifs, http.StatusForbidden, `{"message":"Advanced Security must be enabled for this repository to use code scanning."}`),
			said:  "Advanced Security must be enabled"},
		{name: "upload answers 404", posted: true,
			setup: fault(http.MethodPost, sarifs, http.StatusNotFound, `{"message":"Not Found"}`),
			said:  "SARIF was not uploaded"},
		{name: "upload answers 503", posted: true,
			setup: fault(http.MethodPost, sarifs, http.StatusServiceUnavailable, `{"message":"Service Unavailable"}`),
			said:  "SARIF was not uploaded"},
		{name: "upload stalls", posted: true,
			setup: stall(http.MethodPost, sarifs),
			said:  "SARIF was not uploaded"},
		{name: "upload with a token without security-events: write", posted: true, readOnly: true,
			setup: func(e *e2e) { e.srv.AddToken(e2eToken, ghtest.Token{Login: bot.Login, NoSecurityEvents: true}) },
			said:  "SARIF was not uploaded: the token is read-only"},
		{name: "review refused", setup: fault(http.MethodPost, reviews, http.StatusUnprocessableEntity,
			`{"message":"Unprocessable Entity","errors":["Review cannot be created"]}`),
			said: "Stowaway could not post its whole review"},
		{name: "review answers 502", setup: fault(http.MethodPost, reviews, http.StatusBadGateway, `{"message":"Server Error"}`),
			said: "Stowaway could not post its whole review"},
		{name: "review stalls", setup: stall(http.MethodPost, reviews),
			said: "Stowaway could not post its whole review"},
		{name: "read-only token", readOnly: true,
			setup: func(e *e2e) { e.srv.AddToken(e2eToken, ghtest.Token{Login: bot.Login, ReadOnly: true}) },
			said:  "No review: the token is read-only"},
		{name: "API down from the start", env: []string{"GITHUB_API_URL=http://127.0.0.1:1"},
			said: "Stowaway could not read the pull request's files"},
		{name: "no token (a secret that does not reach a fork's pull request)", env: []string{"INPUT_GITHUB-TOKEN="},
			said: "Stowaway could not read the pull request's files (input github-token is empty)"},
	}
	for _, tc := range tests {
		for _, opt := range []struct{ failOn, failOnAPIError string }{{"error", "false"}, {"never", "false"}, {"never", "true"}} {
			t.Run(fmt.Sprintf("%s/fail-on %s, fail-on-api-error %s", tc.name, opt.failOn, opt.failOnAPIError), func(t *testing.T) {
				e := newE2E(t, bot)
				e.srv.AddCommit(e2eRepo, baseSHA, leakyBase)
				e.openPR(leakyBase, leakyHead, false)
				if tc.setup != nil {
					tc.setup(e)
				}
				r := e.run(invocation{head: leakyHead, env: tc.env, inputs: map[string]string{
					"upload-sarif": "true", "fail-on": opt.failOn, "fail-on-api-error": opt.failOnAPIError,
				}})
				want := exitFindings
				switch {
				case opt.failOnAPIError == "true" && !tc.readOnly:
					want = exitError
				case opt.failOn == "never":
					want = exitOK
				}
				if r.code != want {
					t.Errorf("exit %d, want %d\n%s%s", r.code, want, r.stdout, r.stderr)
				}
				if diff := cmp.Diff(map[string]string{"sarif-file": "stowaway.sarif", "findings": "3", "errors": "2", "warnings": "1"}, r.outputs); diff != "" {
					t.Errorf("outputs (-want +got):\n%s", diff)
				}
				if ids := sarifRules(t, r.sarif); len(ids) != 3 {
					t.Errorf("SARIF results %v, want 3", ids)
				}
				wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=7", "::error file=Dockerfile,line=8", "::warning file=Dockerfile,line=4")
				wantContains(t, "summary", r.summary, "| File | Line | Rule | Message |", "GITHUB\\_TOKEN", tc.said)
				// The failure is said once as a warning, or a notice for a
				// missing permission; never as an error, which reads as
				// the step's failure.
				for _, line := range strings.Split(r.stdout, "\n") {
					if strings.HasPrefix(line, "::error::") {
						t.Errorf("an error annotation for what is a warning: %s", line)
					}
				}
				kind := regexp.MustCompile(`(?m)^::warning::`)
				if tc.readOnly {
					kind = regexp.MustCompile(`(?m)^::(warning|notice)::`)
				}
				if !kind.MatchString(r.stdout) {
					t.Errorf("no annotation matching %s:\n%s", kind, r.stdout)
				}
				if pr := e.srv.Snapshot(e2eRepo, 7); (len(pr.Reviews) == 1) != tc.posted {
					t.Errorf("%d reviews stored, want the review posted: %v", len(pr.Reviews), tc.posted)
				}
			})
		}
	}
}
