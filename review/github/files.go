package github

// GitHub's "list pull request files" endpoint pages through at most 3,000
// files (100 a page) and omits the patch of a file whose diff is too large,
// of a binary file and of a pure rename. Its patch is hunk-only: "@@" headers
// and their lines, without the "---"/"+++" file header.
//
// Review comments are validated against the diff of their commit_id: a line
// (and a start_line) must lie on the RIGHT side of one hunk.

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/stowaway-dev/stowaway/review"
)

// MaxFiles is the most files GitHub lists for one pull request.
const MaxFiles = 3000

// ListFiles returns the files that pull request number changes, following
// every page. complete is false when GitHub stopped at MaxFiles.
func (c *Client) ListFiles(ctx context.Context, number int) (files []*review.ChangedFile, complete bool, err error) {
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.PRs.ListFiles(ctx, c.Owner, c.Repo, number, opts)
		if err != nil {
			return nil, false, c.apiError(err, fmt.Sprintf("listing files of pull request #%d", number))
		}
		for _, f := range page {
			if f == nil { // null in a list that is not GitHub's
				continue
			}
			var added map[int]int
			if f.Patch != nil {
				var err error
				added, err = review.ParsePatch(f.GetPatch())
				if err != nil {
					// A patch we cannot read: the file changed, its lines
					// are unknown, and its findings go in the review body.
					c.logf("Cannot read the diff of %s: %v", f.GetFilename(), err)
				}
			}
			files = append(files, review.NewChangedFile(f.GetFilename(), f.GetPreviousFilename(), f.GetStatus(), added))
		}
		if resp.NextPage == 0 || len(files) >= MaxFiles {
			break
		}
		opts.Page = resp.NextPage
	}
	return files, len(files) < MaxFiles, nil
}

// Head returns the commit that pull request number points at now, and
// GitHub's count of its changed files.
func (c *Client) Head(ctx context.Context, number int) (sha string, changedFiles int, err error) {
	pr, _, err := c.PRs.Get(ctx, c.Owner, c.Repo, number)
	if err != nil {
		return "", 0, c.apiError(err, fmt.Sprintf("reading pull request #%d", number))
	}
	return pr.GetHead().GetSHA(), pr.GetChangedFiles(), nil
}
