package action

// Workflow-command injection through the API's answers and the pull
// request's file names: nothing may start a command in the Action's log.

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// TestActionForgesNoWorkflowCommand feeds the action text from the API
// that tries to forge commands: a changed file's name (with a patch that
// does not parse, which the log names), the review's URL, the upload's ID.
func TestActionForgesNoWorkflowCommand(t *testing.T) {
	e := newE2E(t, bot)
	base, head := tree(t, "leaky/base"), tree(t, "leaky/head")
	files := append(ghtest.Diff(base, head), ghtest.File{Filename: "evil\n::error::forged-diff\r::add-mask::forged-cr", Status: "added", Patch: "@@ -x +y @@\n+FROM alpine"})
	e.srv.AddPR(e2eRepo, &ghtest.PR{Number: 7, Author: "octocat", HeadRef: "feature/npm-publish", Head: headSHA}, files)
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodPost, Path: regexp.MustCompile(`/pulls/7/reviews$`), Status: http.StatusOK, Stored: true,
		Body: `{"id":1,"html_url":"https://github.com/acme/app/pull/7\n::add-mask::forged-url"}`})
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodPost, Path: regexp.MustCompile(`/code-scanning/sarifs$`), Status: http.StatusAccepted, Stored: true,
		Body: `{"id":"u\n::stop-commands::forged-id","url":"x"}`})
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/code-scanning/sarifs/`), Status: http.StatusOK,
		Body: `{"processing_status":"complete"}`})
	r := e.run(invocation{head: head, inputs: map[string]string{"upload-sarif": "true"}})
	// The token's mask is Stowaway's own first line (checkNoLeak sees to it).
	stdout := strings.TrimPrefix(r.stdout, "::add-mask::"+e2eToken+"\n")
	for name, log := range map[string]string{"stdout": stdout, "stderr": r.stderr} {
		if c := scantest.ForgedCommands(log); len(c) != 0 {
			t.Errorf("%s holds commands that Stowaway did not write: %q", name, c)
		}
	}
	wantContains(t, "log", r.stdout, `Cannot read the diff of evil\x0a::error::forged-diff\x0d::add-mask::forged-cr`,
		`Posted a review: https://github.com/acme/app/pull/7\x0a::add-mask::forged-url`,
		`(upload u\x0a::stop-commands::forged-id: complete)`)
}
