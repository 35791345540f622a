package ghtest

// The review endpoints: review comments, reviews (pending, submitted,
// dismissed) and their validation against the pull request's diff.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/sourcegraph/go-diff/diff"
)

func (s *Server) commentJSON(r *Repo, pr *PR, c *Comment) map[string]any {
	j := map[string]any{
		"id": c.ID, "pull_request_review_id": c.ReviewID, "body": c.Body, "path": c.Path,
		"line": c.Line, "side": c.Side, "commit_id": c.CommitID, "original_commit_id": c.CommitID,
		"user":     userJSON(c.User),
		"html_url": fmt.Sprintf("%s/%s/%s/pull/%d#discussion_r%d", s.URL, r.Owner, r.Name, pr.Number, c.ID),
	}
	if c.StartLine != 0 {
		j["start_line"], j["start_side"] = c.StartLine, c.StartSide
	}
	if c.InReplyTo != 0 {
		j["in_reply_to_id"] = c.InReplyTo
	}
	return j
}

func (s *Server) reviewJSON(r *Repo, pr *PR, rv *Review) map[string]any {
	return map[string]any{
		"id": rv.ID, "body": rv.Body, "state": rv.State, "commit_id": rv.CommitID,
		"user":     userJSON(rv.User),
		"html_url": fmt.Sprintf("%s/%s/%s/pull/%d#pullrequestreview-%d", s.URL, r.Owner, r.Name, pr.Number, rv.ID),
	}
}

// review finds the review that the path names (…/pulls/N/reviews/ID),
// answering the request itself, as GitHub does, when there is none.
func (s *Server) review(w http.ResponseWriter, g []string) (*Repo, *PR, *Review) {
	r, pr := s.pr(w, g)
	if pr == nil {
		return nil, nil, nil
	}
	id, _ := strconv.ParseInt(g[4], 10, 64)
	rv := s.reviewByID(pr, id)
	if rv == nil {
		notFound(w)
		return nil, nil, nil
	}
	return r, pr, rv
}

func (s *Server) reviewByID(pr *PR, id int64) *Review {
	for _, rv := range pr.Reviews {
		if rv.ID == id {
			return rv
		}
	}
	return nil
}

func (s *Server) listComments(w http.ResponseWriter, req *http.Request, g []string) {
	r, pr := s.pr(w, g)
	if pr == nil {
		return
	}
	// Comments of pending reviews are not listed.
	var visible []*Comment
	for _, c := range pr.Comments {
		if rv := s.reviewByID(pr, c.ReviewID); rv == nil || rv.State != "PENDING" {
			visible = append(visible, c)
		}
	}
	writePage(w, req, visible, func(c *Comment) map[string]any { return s.commentJSON(r, pr, c) })
}

func (s *Server) editComment(w http.ResponseWriter, g []string, body []byte, tok Token) {
	r := s.repos[g[1]+"/"+g[2]]
	if r == nil {
		notFound(w)
		return
	}
	id, _ := strconv.ParseInt(g[3], 10, 64)
	for _, pr := range r.PRs {
		for _, c := range pr.Comments {
			if c.ID != id {
				continue
			}
			if text, ok := s.newBody(w, body, fmt.Sprintf("editing comment %d", id)); ok {
				c.Body = text
				writeJSON(w, http.StatusOK, s.commentJSON(r, pr, c))
			}
			return
		}
	}
	notFound(w)
}

func (s *Server) listReviews(w http.ResponseWriter, req *http.Request, g []string, tok Token) {
	r, pr := s.pr(w, g)
	if pr == nil {
		return
	}
	var visible []*Review
	for _, rv := range pr.Reviews {
		if rv.State != "PENDING" || rv.User == tok.Login {
			visible = append(visible, rv)
		}
	}
	writePage(w, req, visible, func(rv *Review) map[string]any { return s.reviewJSON(r, pr, rv) })
}

type draftComment struct {
	Path      string `json:"path"`
	Position  *int   `json:"position"`
	Body      string `json:"body"`
	Line      int    `json:"line"`
	Side      string `json:"side"`
	StartLine int    `json:"start_line"`
	StartSide string `json:"start_side"`
}

func (s *Server) createReview(w http.ResponseWriter, g []string, body []byte, tok Token) {
	r, pr := s.pr(w, g)
	if pr == nil {
		return
	}
	var in struct {
		CommitID string         `json:"commit_id"`
		Body     string         `json:"body"`
		Event    string         `json:"event"`
		Comments []draftComment `json:"comments"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.t.Errorf("ghtest: creating a review: %v in %s", err, body)
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	commit := in.CommitID
	if commit == "" {
		commit = pr.Head
	}
	files, ok := pr.Diffs[commit]
	if !ok {
		unprocessable(w, "Commit "+commit+" is not part of the pull request")
		return
	}
	state := map[string]string{"": "PENDING", "COMMENT": "COMMENTED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "APPROVE": "APPROVED"}[in.Event]
	switch {
	case state == "":
		unprocessable(w, "Event "+in.Event+" is not one of APPROVE, REQUEST_CHANGES, COMMENT")
		return
	case (in.Event == "REQUEST_CHANGES" || in.Event == "APPROVE") && pr.Author == tok.Login:
		unprocessable(w, "Review Can not "+map[string]string{"REQUEST_CHANGES": "request changes on", "APPROVE": "approve"}[in.Event]+" your own pull request")
		return
	case (in.Event == "REQUEST_CHANGES" || in.Event == "COMMENT") && in.Body == "" && len(in.Comments) == 0:
		unprocessable(w, "Review body is required for "+in.Event)
		return
	case len(in.Body) > 65536:
		unprocessable(w, "Body is too long (maximum is 65536 characters)")
		return
	}
	if state == "PENDING" {
		for _, rv := range pr.Reviews {
			if rv.State == "PENDING" && rv.User == tok.Login {
				unprocessable(w, "User can only have one pending review per pull request")
				return
			}
		}
	}
	for _, c := range in.Comments {
		if msg := validComment(files, c); msg != "" {
			// GitHub refuses the whole review and does not say which
			// comment.
			unprocessable(w, msg)
			return
		}
	}
	s.nextID++
	rv := &Review{ID: s.nextID, User: tok.Login, Body: in.Body, State: state, CommitID: commit}
	pr.Reviews = append(pr.Reviews, rv)
	for _, c := range in.Comments {
		s.nextID++
		side := c.Side
		if side == "" {
			side = "RIGHT"
		}
		pr.Comments = append(pr.Comments, &Comment{
			ID: s.nextID, ReviewID: rv.ID, User: tok.Login, Body: c.Body, Path: c.Path,
			Line: c.Line, StartLine: c.StartLine, Side: side, StartSide: c.StartSide, CommitID: commit,
		})
	}
	writeJSON(w, http.StatusOK, s.reviewJSON(r, pr, rv))
}

// validComment returns why GitHub would refuse a review comment, or "".
func validComment(files []File, c draftComment) string {
	const offDiff = "Pull request review thread line must be part of the diff"
	if c.Position != nil {
		return "position comments are not supported by this fake"
	}
	if len(c.Body) > 65536 {
		return "Body is too long (maximum is 65536 characters)"
	}
	var f *File
	for i := range files {
		if files[i].Filename == c.Path {
			f = &files[i]
		}
	}
	if f == nil {
		return "Path could not be resolved"
	}
	if f.Patch == "" || c.Line <= 0 || (c.Side != "" && c.Side != "RIGHT") {
		return offDiff
	}
	hunks, err := diff.ParseHunks([]byte(f.Patch + "\n"))
	if err != nil {
		return offDiff
	}
	hunkOf := func(line int) int {
		for i, h := range hunks {
			if line >= int(h.NewStartLine) && line < int(h.NewStartLine+h.NewLines) {
				return i
			}
		}
		return -1
	}
	h := hunkOf(c.Line)
	if h < 0 {
		return offDiff
	}
	if c.StartLine != 0 {
		if c.StartSide != "" && c.StartSide != "RIGHT" {
			return offDiff
		}
		if c.StartLine > c.Line {
			return "Pull request review thread start line must precede the end line"
		}
		if hunkOf(c.StartLine) != h {
			return "Pull request review thread start line must be part of the same hunk as the line."
		}
	}
	return ""
}

func (s *Server) updateReview(w http.ResponseWriter, g []string, body []byte, tok Token) {
	r, pr, rv := s.review(w, g)
	if rv == nil {
		return
	}
	if text, ok := s.newBody(w, body, fmt.Sprintf("updating review %d", rv.ID)); ok {
		rv.Body = text
		writeJSON(w, http.StatusOK, s.reviewJSON(r, pr, rv))
	}
}

// newBody validates an edit of a comment's or review's body as GitHub does:
// the body is required and capped at 65,536 characters, and anyone with
// write access may change anyone's (read-only tokens never get here). It
// answers the request itself when the edit is refused.
func (s *Server) newBody(w http.ResponseWriter, body []byte, what string) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Body == nil {
		s.t.Errorf("ghtest: %s: body %s", what, body)
		unprocessable(w, "body is missing")
		return "", false
	}
	if len(*in.Body) > 65536 {
		unprocessable(w, "Body is too long (maximum is 65536 characters)")
		return "", false
	}
	return *in.Body, true
}

func (s *Server) deletePending(w http.ResponseWriter, g []string, tok Token) {
	r, pr, rv := s.review(w, g)
	if rv == nil {
		return
	}
	if rv.User != tok.Login {
		notFound(w)
		return
	}
	id := rv.ID
	if rv.State != "PENDING" {
		unprocessable(w, "Can not delete a non-pending pull request review")
		return
	}
	var reviews []*Review
	for _, x := range pr.Reviews {
		if x.ID != id {
			reviews = append(reviews, x)
		}
	}
	pr.Reviews = reviews
	var comments []*Comment
	for _, c := range pr.Comments {
		if c.ReviewID != id {
			comments = append(comments, c)
		}
	}
	pr.Comments = comments
	writeJSON(w, http.StatusOK, s.reviewJSON(r, pr, rv))
}

func (s *Server) dismiss(w http.ResponseWriter, g []string, body []byte) {
	r, pr, rv := s.review(w, g)
	if rv == nil {
		return
	}
	var in struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.Message == "" {
		unprocessable(w, "message is required")
		return
	}
	if rv.State != "CHANGES_REQUESTED" && rv.State != "APPROVED" {
		unprocessable(w, "Can not dismiss a "+strings.ToLower(rv.State)+" pull request review")
		return
	}
	rv.State = "DISMISSED"
	writeJSON(w, http.StatusOK, s.reviewJSON(r, pr, rv))
}
