package action

// The scan phase and the scope phase: the scan of the whole tree, then the
// findings the pull request is responsible for.

import (
	"context"
	"errors"
	"fmt"

	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/review/github"
	"github.com/stowaway-dev/stowaway/scan"
)

// scan scans the path input with the configuration configure chose, under
// the commands' memory policy; api-timeout starts again when it ends.
func (a *actionRun) scan(ctx context.Context) (err error) {
	opts := a.opts
	opts.Timeout = a.in.scanTimeout
	a.res, err = scan.Scan(ctx, a.tree.FS(), []string{a.in.path}, opts)
	a.restartAPITime()
	return err
}

// scopeFindings lists the pull request's files and keeps the findings it is
// responsible for (scan: changed). When the files cannot be listed, the
// scope is the whole tree and no review is posted.
func (a *actionRun) scopeFindings(ctx context.Context) {
	a.scoped = a.res.Findings
	a.scope = "the whole tree"
	if a.in.path != "." {
		a.scope = "`" + a.in.path + "`"
	}
	if !a.listsFiles() {
		return
	}
	if a.client == nil {
		a.stale = true
		a.apiFailure(fmt.Sprintf("Stowaway could not read the pull request's files (%v): it reports on the whole tree and posts no review.", errNoToken))
		return
	}
	pr := a.pr
	head, changed, err := a.client.Head(ctx, pr.Number)
	if err == nil && head != pr.HeadSHA {
		a.stale = true
		a.notes = append(a.notes, fmt.Sprintf("The pull request moved on to %s while this run checked %s: the run for the new commit reviews it.", short(head), short(pr.HeadSHA)))
	}
	var complete bool
	if err == nil {
		a.files, complete, err = a.client.ListFiles(ctx, pr.Number)
	}
	switch {
	case errors.Is(err, github.ErrReadOnly):
		a.notes = append(a.notes, "The token cannot read the pull request's files (the workflow needs `pull-requests: read`): Stowaway scanned the whole tree and posts no review.")
		a.stale = true
	case err != nil:
		a.stale = true
		a.apiFailure(fmt.Sprintf("Stowaway could not read the pull request's files (%v): it reports on the whole tree and posts no review.", err))
	case a.mode == "changed" && (!complete || changed > len(a.files)):
		a.notes = append(a.notes, fmt.Sprintf("The pull request changes more than the %d files GitHub lists: Stowaway reports on the whole tree.", github.MaxFiles))
	case a.mode == "changed":
		// The base commit's configuration governs the run, so a change to
		// the pull request's own does not widen the scope.
		a.scoped = a.untiedImageFindings(review.Scope(a.res, a.files, ""))
		a.scope = "the files this pull request changes"
	}
}

// short is a commit SHA as a log line shows it.
func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
