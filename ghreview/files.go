package ghreview

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
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/sourcegraph/go-diff/diff"
)

// MaxFiles is the most files GitHub lists for one pull request.
const MaxFiles = 3000

// ChangedFile is a file that a pull request changed.
type ChangedFile struct {
	Path         string
	PreviousPath string // the old name of a renamed file
	Status       string // added, removed, modified, renamed, copied, changed, unchanged
	// added maps each line the pull request added, on the RIGHT side, to the
	// index of its hunk; nil when GitHub sent no patch.
	added map[int]int
}

// Removed reports whether the pull request deleted the file.
func (f *ChangedFile) Removed() bool { return f.Status == "removed" }

// LinesKnown reports whether the added lines are known: false when GitHub
// sent no patch, so the file changed but no line can take a comment.
func (f *ChangedFile) LinesKnown() bool { return f.added != nil }

// Added reports whether the pull request added line (1-based, RIGHT side).
func (f *ChangedFile) Added(line int) bool {
	_, ok := f.added[line]
	return ok
}

// Commentable reports whether a review comment may span lines start to end:
// both ends added by the pull request, in the same hunk.
func (f *ChangedFile) Commentable(start, end int) bool {
	hs, ok1 := f.added[start]
	he, ok2 := f.added[end]
	return ok1 && ok2 && hs == he && start <= end
}

// ParsePatch reads a hunk-only patch and returns, for each added line on the
// RIGHT side, the index of its hunk.
func ParsePatch(patch string) (map[int]int, error) {
	added := map[int]int{}
	if strings.TrimSpace(patch) == "" {
		return added, nil
	}
	if !strings.HasSuffix(patch, "\n") {
		patch += "\n"
	}
	hunks, err := diff.ParseHunks([]byte(patch))
	if err != nil {
		return nil, err
	}
	for i, h := range hunks {
		line := int(h.NewStartLine)
		for _, l := range strings.SplitAfter(string(h.Body), "\n") {
			if l == "" {
				continue
			}
			switch l[0] {
			case '+':
				added[line] = i
				line++
			case ' ':
				line++
			case '\n', '\r':
				// An empty context line whose leading space an editor removed.
				line++
			}
		}
		if end := int(h.NewStartLine + h.NewLines); line != end {
			return nil, fmt.Errorf("hunk %d: header says the new side ends before line %d, its body before line %d", i+1, end, line)
		}
	}
	return added, nil
}

// ListFiles returns the files that pull request number changes, following
// every page. complete is false when GitHub stopped at MaxFiles.
func (c *Client) ListFiles(ctx context.Context, number int) (files []*ChangedFile, complete bool, err error) {
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
			cf := &ChangedFile{Path: f.GetFilename(), PreviousPath: f.GetPreviousFilename(), Status: f.GetStatus()}
			if f.Patch != nil {
				added, err := ParsePatch(f.GetPatch())
				if err != nil {
					// A patch we cannot read: the file changed, its lines
					// are unknown, and its findings go in the review body.
					c.logf("Cannot read the diff of %s: %v", cf.Path, err)
				}
				cf.added = added
			}
			files = append(files, cf)
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
