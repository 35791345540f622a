package action

// The event phase: the inputs, the workspace, the event payload, and the
// API client when the run needs one.

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/stowaway-dev/stowaway/review/github"
	"github.com/stowaway-dev/stowaway/scan"
)

// event reads the inputs, opens the workspace and reads the event.
func (a *actionRun) event() (err error) {
	if a.in, err = readInputs(a.gha); err != nil {
		return err
	}
	ws := a.getenv("GITHUB_WORKSPACE")
	if ws == "" {
		return errors.New("GITHUB_WORKSPACE is not set: the action runs inside GitHub Actions (use stowaway scan elsewhere)")
	}
	if a.root, err = os.OpenRoot(ws); err != nil {
		return fmt.Errorf("opening the workspace: %w", err)
	}
	if a.tree, err = scan.OpenRoot(ws); err != nil {
		return fmt.Errorf("opening the workspace: %w", err)
	}
	ev := &github.Event{}
	if p := a.getenv("GITHUB_EVENT_PATH"); p != "" {
		if ev, err = github.LoadEvent(p); err != nil {
			return err
		}
	}
	a.pr = ev.PullRequest
	a.mode = a.in.scan
	if a.mode == "" {
		a.mode = "all"
		if a.pr != nil {
			a.mode = "changed"
		}
	}
	if a.mode == "changed" && a.pr == nil {
		a.gha.Noticef("scan: changed needs a pull request event; this %s run scans everything", orDefault(a.getenv("GITHUB_EVENT_NAME"), "workflow"))
		a.mode = "all"
	}
	return nil
}

func (a *actionRun) close() {
	if a.tree != nil {
		a.tree.Close()
	}
	if a.root != nil {
		a.root.Close()
	}
}

// listsFiles reports whether the run reads the pull request's files.
func (a *actionRun) listsFiles() bool {
	return a.pr != nil && (a.mode == "changed" || a.in.review)
}

// connect makes the API client when the run needs one. A pull request's
// run also reads the base commit's configuration with it. Without a token
// there is no client: a token input made of a secret is empty on a fork's
// pull request, which secrets do not reach, and the scan is reported all
// the same; each phase that needs the API says it could not (errNoToken).
func (a *actionRun) connect() (err error) {
	if a.in.token == "" || !a.in.uploadSARIF && !a.listsFiles() && a.pr == nil {
		return nil
	}
	a.transport = &github.Transport{Base: a.http, Log: a.stdout, Clock: a.clock}
	a.restartAPITime()
	a.client, err = github.NewClient(a.getenv("GITHUB_REPOSITORY"), a.getenv("GITHUB_API_URL"), a.in.token, a.transport)
	return err
}

// restartAPITime gives the API calls that follow the whole of api-timeout.
func (a *actionRun) restartAPITime() {
	if a.transport != nil {
		a.transport.Deadline = a.now().Add(a.in.apiTimeout)
	}
}

func (a *actionRun) now() time.Time {
	if a.clock == nil {
		return time.Now()
	}
	return a.clock.Now()
}

var errNoToken = errors.New("input github-token is empty")
