// Package action is the GitHub Action: its run reads the inputs, the
// event, the configuration and the baseline, scans the workspace, decides
// the pull request's scope, writes the SARIF log, the annotations and the
// outputs, posts the review, uploads SARIF and writes the job summary, in
// that order (actionRun.run). The
// clock and the HTTP transport of its API calls come from Options, so that
// its end-to-end tests run in-process against a fake GitHub without
// sleeping; cmd/stowaway's action command only calls Run.
package action

// How GitHub runs a Docker container action, as this file relies on it:
//
//   - Inputs arrive as INPUT_<NAME> with the name upper-cased and hyphens
//     kept (INPUT_GITHUB-TOKEN); outputs and the job summary go to the files
//     named by GITHUB_OUTPUT and GITHUB_STEP_SUMMARY; workflow commands
//     (annotations, ::add-mask::) are lines on standard output.
//   - The checked-out tree is GITHUB_WORKSPACE (/github/workspace); on a
//     pull request it is the PR's code, so nothing read from it may reach an
//     output: go-githubactions writes outputs with a fixed heredoc delimiter
//     that such text could close.
//   - GITHUB_API_URL is the REST root (GitHub Enterprise Server included);
//     GITHUB_SHA on pull_request events is a merge commit that review
//     comments cannot point at, so the head SHA comes from the event.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/sethvargo/go-githubactions"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/review/github"
	"github.com/stowaway-dev/stowaway/scan"
)

// Options are what a run takes from its process: cmd/stowaway passes the
// process's, tests their own.
type Options struct {
	Getenv         func(string) string
	Stdout, Stderr io.Writer
	// Clock paces the API calls (waits, retries, api-timeout); nil is the
	// real clock.
	Clock github.Clock
	// HTTP sends the API calls; nil is http.DefaultTransport.
	HTTP http.RoundTripper
	// Version is Stowaway's, as the SARIF log names it.
	Version string
}

// Exit codes, the CLI's: findings at or above fail-on, or a run that could
// not report (or an API failure with fail-on-api-error).
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

// Run runs the Action once and returns its exit code.
func Run(ctx context.Context, o Options) (code int) {
	gha := githubactions.New(githubactions.WithWriter(o.Stdout), githubactions.WithGetenv(o.Getenv))
	// go-githubactions panics when it cannot write a command or file.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(o.Stderr, "stowaway: %s\n", actionlog.Line(fmt.Sprint(r)))
			code = exitError
		}
	}()
	if tok := gha.GetInput("github-token"); tok != "" {
		gha.AddMask(tok)
	}
	a := &actionRun{gha: gha, getenv: o.Getenv, stdout: o.Stdout, clock: o.Clock, http: o.HTTP, version: o.Version}
	if err := a.run(ctx); err != nil {
		gha.Errorf("stowaway: %s", err)
		return exitError
	}
	return a.code
}

// actionRun is one run of the action. Its phases run in order. Until the
// scan has results, a failure stops the run (exit 2); after it, a phase that
// fails says so (a warning, and a line of the job summary) and the run goes
// on, so that neither the pull request's content nor the API can keep the
// annotations, the outputs, the summary and the SARIF log from being
// written. The exit status then follows fail-on (and fail-on-api-error).
type actionRun struct {
	gha    *githubactions.Action
	getenv func(string) string
	stdout io.Writer
	clock  github.Clock      // nil is the real clock
	http   http.RoundTripper // nil is http.DefaultTransport
	// version is Stowaway's, for the SARIF log.
	version string
	in      actionInputs
	code    int

	// event
	root   *os.Root // writes the SARIF log; scan.Root reads faster for the scan
	tree   *scan.Root
	pr     *github.PullRequest
	mode   string // changed or all
	client *github.Client
	// transport carries the client's calls; its deadline (api-timeout)
	// covers reading the base configuration, then starts again when the
	// scan ends.
	transport *github.Transport

	// configuration
	opts       scan.Options
	configFile string // the configuration's slash path
	baseKnown  bool   // on a pull request: the base commit's configuration governs
	// known holds the fingerprints of the baseline that governs the run;
	// nil without one.
	known map[string]bool

	// scan and scope
	res    *scan.Result
	files  []*review.ChangedFile
	scoped []scan.Finding
	scope  string
	stale  bool // no review: the files are unknown or the pull request moved on

	sarifLog  []byte
	sarifPath string // as written, for the output; "" when none was
	notes     []string
	apiFailed bool
}

func (a *actionRun) run(ctx context.Context) error {
	defer a.close()
	if err := a.event(); err != nil {
		return err
	}
	if err := a.connect(); err != nil {
		return err
	}
	if err := a.configure(ctx); err != nil {
		return err
	}
	if err := a.loadBaseline(ctx); err != nil {
		return err
	}
	if err := a.scan(ctx); err != nil {
		return err
	}
	// From here on, a failure is reported and the run goes on.
	a.checkImage(ctx)
	a.checkConfig()
	a.scopeFindings(ctx)
	a.applyBaseline()
	a.writeSARIF()
	a.report()
	a.postReview(ctx)
	a.upload(ctx)
	a.summarize()
	a.exit()
	return nil
}

// safely runs f, which writes one of the runner's files through
// go-githubactions: that panics when it cannot write, and the panic is a
// failure of this phase only.
func (a *actionRun) safely(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			a.failure(fmt.Sprintf("Stowaway could not write %s: %v.", what, r))
		}
	}()
	f()
}

// failure reports a phase that failed after the scan: a warning now and a
// line of the job summary. It does not change the exit status.
func (a *actionRun) failure(note string) {
	a.gha.Warningf("%s", note)
	a.notes = append(a.notes, note)
}

// apiFailure is a failure of the API, which fails the step only with
// fail-on-api-error.
func (a *actionRun) apiFailure(note string) {
	a.apiFailed = true
	a.failure(note)
}
