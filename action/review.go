package action

// The review phase: one review on the pull request, through review/github.

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/review/github"
	"github.com/stowaway-dev/stowaway/scan"
)

func (a *actionRun) postReview(ctx context.Context) {
	if a.pr == nil || !a.in.review || a.stale {
		return
	}
	if note := a.review(ctx, a.client, a.pr, a.files, a.scoped, a.res.Findings); note != "" {
		a.notes = append(a.notes, note)
	}
}

// review posts the review and says what became of it, for the summary.
func (a *actionRun) review(ctx context.Context, client *github.Client, pr *github.PullRequest, files []*review.ChangedFile, scoped, all []scan.Finding) string {
	out, err := client.Review(ctx, github.Review{
		Number: pr.Number, HeadSHA: pr.HeadSHA, Event: a.in.reviewEvent,
		Files: files, Findings: scoped, Current: all, Paths: a.scannedPaths(), Unjudged: a.unjudged(),
		ServerURL: orDefault(a.getenv("GITHUB_SERVER_URL"), "https://github.com"),
	})
	switch {
	case errors.Is(err, github.ErrReadOnly):
		// Said once, as a notice: a fork's pull request is not a failure.
		a.gha.Noticef("Stowaway cannot comment on this pull request: the token is read-only (a pull request from a fork, or a workflow without `pull-requests: write`). The findings are in the annotations and the job summary.")
		return "No review: the token is read-only (a fork's pull request, or no `pull-requests: write`). The annotations and this summary hold every finding."
	case err != nil:
		// The findings are in the annotations and the summary, and the exit
		// status still follows fail-on: a broken review is not a reason to
		// fail the pull request.
		a.apiFailure(fmt.Sprintf("Stowaway could not post its whole review: %v.", err))
	}
	var parts []string
	if out.URL != "" {
		parts = append(parts, fmt.Sprintf("[Review posted](%s): %d inline, %d in its body", out.URL, out.Inline, out.InBody))
		fmt.Fprintf(a.stdout, "Posted a review: %s (%d inline comments, %d findings in its body).\n", actionlog.Line(out.URL), out.Inline, out.InBody)
	}
	if out.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d inline comments refused by GitHub and moved to the body", out.Refused))
	}
	if out.Known > 0 {
		parts = append(parts, fmt.Sprintf("%d findings already commented by an earlier run", out.Known))
	}
	if out.Fixed > 0 {
		parts = append(parts, fmt.Sprintf("%d earlier comments marked fixed", out.Fixed))
		fmt.Fprintf(a.stdout, "Marked %d earlier comments fixed.\n", out.Fixed)
	}
	if out.Dismissed > 0 {
		parts = append(parts, fmt.Sprintf("%d change requests dismissed", out.Dismissed))
	}
	if out.Ignored > 0 {
		parts = append(parts, fmt.Sprintf("%d comments or reviews by other accounts carry Stowaway markers: ignored", out.Ignored))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

// scannedPaths are the paths whose findings the run reports: the path
// input, the configuration file it compares on a pull request, and the
// image input's files.
func (a *actionRun) scannedPaths() []string {
	var more []string
	if a.pr != nil {
		more = append(more, a.configFile)
	}
	if a.in.image != "" {
		more = append(more, a.in.image, a.in.imageDockerfile)
	}
	paths := []string{a.in.path}
	for _, p := range more {
		if a.in.path != "." && p != a.in.path && !strings.HasPrefix(p, a.in.path+"/") {
			paths = append(paths, p)
		}
	}
	return paths
}

// unjudged are the files the scan could not fully analyse ("." when a
// problem names none): their earlier findings may stand although this run
// did not report them.
func (a *actionRun) unjudged() []string {
	var out []string
	for _, p := range a.res.Problems {
		switch {
		case p.Path != "":
			out = append(out, p.Path)
		case p.Incomplete:
			out = append(out, ".")
		}
	}
	return out
}
