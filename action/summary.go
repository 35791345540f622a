package action

// The summary phase and the exit status.

import (
	"strings"

	"github.com/stowaway-dev/stowaway/review/github"
)

// summarize writes the job summary, with a line for each failure.
func (a *actionRun) summarize() {
	if a.getenv("GITHUB_STEP_SUMMARY") == "" {
		return
	}
	var sum strings.Builder
	sha := a.getenv("GITHUB_SHA")
	if a.pr != nil {
		sha = a.pr.HeadSHA
	}
	owner, repo, _ := strings.Cut(a.getenv("GITHUB_REPOSITORY"), "/")
	err := github.WriteSummary(&sum, github.Summary{
		Findings: a.scoped, Problems: a.res.Problems, Scope: a.scope, Notes: a.notes,
		ServerURL: orDefault(a.getenv("GITHUB_SERVER_URL"), "https://github.com"), Owner: owner, Repo: repo, SHA: sha,
		SARIFFile: a.sarifPath,
	})
	if err != nil {
		a.gha.Warningf("Stowaway could not write the job summary: %v", err)
		return
	}
	a.safely("the job summary", func() { a.gha.AddStepSummary(sum.String()) })
}

func (a *actionRun) exit() {
	if a.in.failOn != 0 && (countFindings(a.scoped).atLeast(a.in.failOn) > 0 || incomplete(a.res.Problems, a.in.failOn)) {
		a.code = exitFindings
	}
	if a.apiFailed && a.in.failOnAPIError {
		a.code = exitError
	}
}
