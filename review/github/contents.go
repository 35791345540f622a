package github

// GitHub's contents API answers a file of up to 1 MB with its content in
// base64; a larger one comes with encoding "none" and no content, a folder
// as a list, and a missing path (or ref) with 404. A token with
// `contents: read`, the default of every workflow token, fork pull requests
// included, may read it.

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-github/v60/github"
)

// Contents is the part of go-github's RepositoriesService that reads a file
// at a commit.
type Contents interface {
	GetContents(ctx context.Context, owner, repo, path string, opts *github.RepositoryContentGetOptions) (*github.RepositoryContent, []*github.RepositoryContent, *github.Response, error)
}

var _ Contents = (*github.RepositoriesService)(nil)

// ErrNotFile says that a path names something other than a file.
var ErrNotFile = errors.New("not a file")

// FileAt returns the content of the file at path (a slash path from the
// repository root) in commit ref; found is false when no such file exists.
func (c *Client) FileAt(ctx context.Context, path, ref string) (content []byte, found bool, err error) {
	file, dir, _, err := c.Contents.GetContents(ctx, c.Owner, c.Repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if status(err) == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, c.apiError(err, fmt.Sprintf("reading %s at %s", path, short(ref)))
	}
	if file == nil || dir != nil || file.GetType() != "file" {
		return nil, false, fmt.Errorf("reading %s at %s: %w", path, short(ref), ErrNotFile)
	}
	if file.GetEncoding() == "none" {
		return nil, false, fmt.Errorf("reading %s at %s: the file is over the API's 1 MB limit", path, short(ref))
	}
	s, err := file.GetContent()
	if err != nil {
		return nil, false, fmt.Errorf("reading %s at %s: %w", path, short(ref), err)
	}
	return []byte(s), true, nil
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
