package action

// The upload phase: the SARIF log to code scanning.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/review/github"
)

// upload sends the SARIF log to code scanning.
func (a *actionRun) upload(ctx context.Context) {
	if !a.in.uploadSARIF {
		return
	}
	switch {
	case a.sarifLog == nil:
		a.apiFailure("SARIF was not uploaded: there is no log to upload.")
		return
	case a.client == nil:
		a.apiFailure(fmt.Sprintf("SARIF was not uploaded: %v.", errNoToken))
		return
	}
	sha, ref := a.getenv("GITHUB_SHA"), a.getenv("GITHUB_REF")
	if a.pr != nil {
		sha, ref = a.pr.HeadSHA, a.pr.Ref()
	}
	up, err := a.client.UploadSARIF(ctx, a.sarifLog, sha, ref, github.UploadOptions{})
	switch {
	case err != nil && up != nil && len(up.Errors) > 0:
		// Code scanning took the log and refused it (too many runs for
		// the commit, a location it cannot read): a failure of the upload,
		// not of the step, and the log itself is what its errors are about.
		errs := strings.Join(up.Errors, "; ")
		a.apiFailed = true
		a.gha.Warningf("Code scanning could not process the SARIF upload %s: %s", up.ID, errs)
		a.notes = append(a.notes, fmt.Sprintf("SARIF was uploaded but code scanning could not process it: %s.", review.Text(errs)))
	case errors.Is(err, github.ErrReadOnly):
		a.gha.Warningf("Stowaway cannot upload SARIF with this token (a fork's pull request, or a workflow without `security-events: write`): %v", err)
		a.notes = append(a.notes, "SARIF was not uploaded: the token is read-only.")
	case err != nil:
		a.apiFailure(fmt.Sprintf("SARIF was not uploaded: %v.", err))
	default:
		fmt.Fprintf(a.stdout, "Uploaded SARIF to code scanning (upload %s: %s).\n", actionlog.Line(up.ID), actionlog.Line(up.Status))
	}
}
