package action

// The baseline input: the findings a repository had when it adopted
// Stowaway (`stowaway baseline`), which a run neither reports nor fails on,
// as `stowaway scan --baseline`. On a pull request the checked-out file is
// the pull request's, which could add the pull request's own findings to
// it; so, as for the configuration, the base commit's file governs, read
// through the contents API, and a change the pull request makes to it
// applies once merged. A base commit without the file means no baseline on
// that pull request. On other events the workspace's file governs.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/baseline"
	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/scan"
)

// loadBaseline reads the baseline that governs the run. A workspace file
// that cannot be read or is not a baseline stops the run, as a bad
// configuration does; on a pull request, a base commit's file that cannot
// be read or parsed leaves the run without a baseline, which reports more,
// never less.
func (a *actionRun) loadBaseline(ctx context.Context) error {
	name := a.in.baseline
	if name == "" {
		return nil
	}
	if a.pr == nil {
		src, err := fs.ReadFile(a.tree.FS(), name)
		if err != nil {
			return fmt.Errorf("input baseline: %w", err)
		}
		if a.known, err = baseline.Read(src); err != nil {
			return fmt.Errorf("input baseline: %s: %w", name, err)
		}
		return nil
	}
	src, found, err := a.baseFile(ctx, name)
	switch {
	case err != nil:
		a.apiFailure(fmt.Sprintf("Stowaway could not read the base commit's baseline %s (%v): no baseline applies, and the pull request's copy is not trusted.", name, err))
	case !found:
		note := fmt.Sprintf("The base commit has no baseline %s: no baseline applies to this pull request (the pull request's own copy is not trusted; it applies once merged).", name)
		a.gha.Noticef("%s", note)
		a.notes = append(a.notes, note)
	default:
		known, err := baseline.Read(src)
		if err != nil {
			a.failure(fmt.Sprintf("The base commit's baseline %s does not parse (%v): no baseline applies, and the pull request's copy is not trusted.", name, err))
			return nil
		}
		a.known = known
		a.compareBaseline(name, src)
	}
	return nil
}

// baseFile reads a file of the pull request's base commit.
func (a *actionRun) baseFile(ctx context.Context, name string) (src []byte, found bool, err error) {
	if err := a.baseReadable(); err != nil {
		return nil, false, err
	}
	return a.client.FileAt(ctx, name, a.pr.BaseSHA)
}

// baseReadable says why the base commit's files cannot be read, if they
// cannot: no token, or an event that names no base commit.
func (a *actionRun) baseReadable() error {
	switch {
	case a.client == nil:
		return errNoToken
	case a.pr.BaseSHA == "":
		return errors.New("the event names no base commit")
	}
	return nil
}

// compareBaseline says what the pull request's own copy of the baseline
// would change once merged: findings it adds to the baseline (reported
// here all the same), or a file that runs on other events could not read.
func (a *actionRun) compareBaseline(name string, base []byte) {
	own, err := fs.ReadFile(a.tree.FS(), name)
	if err == nil && bytes.Equal(own, base) {
		return
	}
	var known map[string]bool
	if err == nil {
		known, err = baseline.Read(own)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		a.failure(fmt.Sprintf("The pull request deletes the baseline %s: once merged, runs on other events that name it fail.", name))
	case err != nil:
		// The error can quote the pull request's file.
		a.failure(fmt.Sprintf("The pull request's baseline %s is not a baseline (%s): once merged, runs on other events that name it fail.", name, review.Text(err.Error())))
	default:
		added := 0
		for fp := range known {
			if !a.known[fp] {
				added++
			}
		}
		if added > 0 {
			a.notes = append(a.notes, fmt.Sprintf("The pull request adds %s to the baseline %s: the base commit's baseline applies, so they are reported here.", report.Plural(added, "finding"), name))
		}
	}
}

// applyBaseline leaves the baseline's findings out of what the run
// reports: comments, annotations, the outputs' counts and fail-on. The
// SARIF log keeps them, marked unchanged (writeSARIF).
func (a *actionRun) applyBaseline() {
	if len(a.known) == 0 {
		return
	}
	kept := make([]scan.Finding, 0, len(a.scoped))
	for _, f := range a.scoped {
		if !a.known[f.Fingerprint] {
			kept = append(kept, f)
		}
	}
	n := len(a.scoped) - len(kept)
	a.scoped = kept
	if n == 0 {
		return
	}
	msg := fmt.Sprintf("The baseline %s holds %s: not reported, and they do not fail the step (the SARIF log marks them unchanged).", a.in.baseline, report.Plural(n, "known finding"))
	fmt.Fprintln(a.stdout, actionlog.Line(msg))
	a.notes = append(a.notes, msg)
}
