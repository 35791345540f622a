package review

// A host lists a change's files with hunk-only patches: "@@" headers and
// their lines, without the "---"/"+++" file header (GitHub's pull request
// files, GitLab's merge request diffs). A review comment must lie on the
// new side of one hunk, on lines the change added.

import (
	"fmt"
	"strings"

	"github.com/sourcegraph/go-diff/diff"
)

// ChangedFile is a file that a pull request changed.
type ChangedFile struct {
	Path         string
	PreviousPath string // the old name of a renamed file
	Status       string // added, removed, modified, renamed, copied, changed, unchanged
	// added maps each line the pull request added, on the RIGHT side, to the
	// index of its hunk; nil when the host sent no patch.
	added map[int]int
}

// Removed reports whether the pull request deleted the file.
func (f *ChangedFile) Removed() bool { return f.Status == "removed" }

// LinesKnown reports whether the added lines are known: false when the host
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

// NewChangedFile is a changed file whose added lines are those ParsePatch
// returned; nil added means the host sent no patch.
func NewChangedFile(path, previousPath, status string, added map[int]int) *ChangedFile {
	return &ChangedFile{Path: path, PreviousPath: previousPath, Status: status, added: added}
}
