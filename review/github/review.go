package github

// How GitHub treats a review, as this file relies on it:
//
//   - A review is created in one call with its comments; if any comment is
//     not on the diff of commit_id, GitHub answers 422 for the whole review,
//     stores nothing and does not say which comment it refused.
//   - A review created without an event is PENDING: it is validated the same
//     way, is visible only to its author, can be deleted, and a user may hold
//     only one per pull request. Pending reviews are how a refused comment is
//     found without posting anything that others see.
//   - A POST that timed out or got a 5xx may still have been stored, so the
//     reviews are listed before any retry.
//   - A token without write access (a fork's pull_request run) gets 403
//     "Resource not accessible by integration".
//   - Nobody may request changes on their own pull request (422).
//   - Anyone can post a comment that copies a marker, and a token with
//     write access may edit or dismiss anyone's comment and review:
//     markers are read, and edits made, only where the token is the author
//     (identity.go).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/scan"
)

// ErrReadOnly means the token may read the pull request but not comment on
// it: a pull request from a fork, or a workflow without
// "pull-requests: write".
var ErrReadOnly = errors.New("the token cannot write to this pull request")

// Review is what one run has to say on a pull request.
type Review struct {
	Number  int
	HeadSHA string // the commit the comments point at
	// Event is COMMENT (the default) or REQUEST_CHANGES.
	Event string
	Files []*review.ChangedFile
	// Findings, Current, Paths and Unjudged are review.Run's.
	Findings []scan.Finding
	Current  []scan.Finding
	Paths    []string
	Unjudged []string
	// ServerURL is the web root for links (https://github.com).
	ServerURL string
}

func (r Review) run() review.Run {
	return review.Run{HeadSHA: r.HeadSHA, Files: r.Files, Findings: r.Findings, Current: r.Current, Paths: r.Paths, Unjudged: r.Unjudged}
}

// ReviewResult says what Review did.
type ReviewResult struct {
	URL       string // the review posted; "" when none was
	Inline    int    // findings commented on their lines
	InBody    int    // findings listed in the review body
	Refused   int    // inline comments GitHub refused, moved to the body
	Known     int    // findings that an earlier run already posted
	Fixed     int    // earlier comments and entries marked fixed
	Dismissed int    // earlier change requests dismissed
	Ignored   int    // others' comments and reviews holding Stowaway markers, not trusted
}

// Review posts the findings that no earlier run posted as one review, marks
// earlier comments whose finding is gone as fixed, and dismisses earlier
// change requests that have nothing left open (review.Decide says which).
// Earlier runs are the comments and reviews written by the token's own
// account; nobody else's are read for markers or changed. With nothing new
// and nothing fixed it posts nothing. A read-only token makes it return an
// error that wraps ErrReadOnly, before anything is posted.
func (c *Client) Review(ctx context.Context, r Review) (*ReviewResult, error) {
	out := &ReviewResult{}
	if r.Event == "" {
		r.Event = "COMMENT"
	}
	// Who the token is matters only once a body holds a marker: a first
	// run on a quiet pull request asks nothing.
	var me *identity
	who := func() identity {
		if me == nil {
			id := c.whoAmI(ctx)
			me = &id
		}
		return *me
	}
	comments, err := c.listComments(ctx, r.Number)
	if err != nil {
		return out, err
	}
	reviews, err := c.listReviews(ctx, r.Number)
	if err != nil {
		return out, err
	}
	var earlierComments []review.Comment
	for _, cm := range comments {
		if cm == nil { // null in a list that is not GitHub's
			continue
		}
		earlierComments = append(earlierComments, review.Comment{
			ID: cm.GetID(), ReviewID: cm.GetPullRequestReviewID(), Path: cm.GetPath(), Body: cm.GetBody(),
			Author: cm.GetUser().GetLogin(), Reply: cm.InReplyTo != nil,
		})
	}
	var earlierReviews []review.Earlier
	for _, rv := range reviews {
		if rv == nil {
			continue
		}
		earlierReviews = append(earlierReviews, review.Earlier{
			ID: rv.GetID(), Body: rv.GetBody(), Author: rv.GetUser().GetLogin(),
			Pending: rv.GetState() == "PENDING", ChangesRequested: rv.GetState() == "CHANGES_REQUESTED",
		})
	}
	// Logins are case-insensitive; a comment without a user is nobody's.
	owns := func(author string) bool { return author != "" && strings.EqualFold(author, who().login) }
	plan := review.Decide(r.run(), earlierComments, earlierReviews, owns)
	for _, id := range plan.DeletePending {
		if _, _, err := c.PRs.DeletePendingReview(ctx, c.Owner, c.Repo, r.Number, id); err != nil {
			return out, c.apiError(err, "deleting a leftover pending review")
		}
	}

	out.Ignored = plan.Ignored
	if plan.Ignored > 0 {
		c.logf("Ignoring Stowaway markers in comments and reviews by other accounts (%d): only those of %s, this token's account, are read", plan.Ignored, who().login)
	}
	out.Known = plan.Known

	var errs []error
	if len(plan.Fresh) > 0 {
		author, err := c.post(ctx, r, who, review.Layout(r.run(), plan.Fresh, plan.Suppressed), out)
		if err != nil {
			if errors.Is(err, ErrReadOnly) {
				return out, err
			}
			errs = append(errs, err)
		}
		if me != nil && author != "" && !strings.EqualFold(author, me.login) {
			// The earlier comments chosen above are another account's.
			c.logf("The review was posted as %s, not %s: Stowaway leaves earlier comments as they are in this run", author, me.login)
			return out, errors.Join(errs...)
		}
	}

	for _, s := range plan.Comments {
		if _, _, err := c.PRs.EditComment(ctx, c.Owner, c.Repo, s.ID, &github.PullRequestComment{Body: github.String(s.Body)}); err != nil {
			err = c.apiError(err, "marking a fixed comment")
			if errors.Is(err, ErrReadOnly) {
				return out, err
			}
			errs = append(errs, err)
			continue
		}
		out.Fixed += s.Fixed
	}
	for _, rv := range plan.Reviews {
		if _, _, err := c.PRs.UpdateReview(ctx, c.Owner, c.Repo, r.Number, rv.ID, rv.Body); err != nil {
			err = c.apiError(err, "marking fixed findings in an earlier review")
			if errors.Is(err, ErrReadOnly) {
				return out, err
			}
			errs = append(errs, err)
			continue
		}
		out.Fixed += rv.Fixed
	}
	for _, id := range plan.Dismiss {
		if _, _, err := c.PRs.DismissReview(ctx, c.Owner, c.Repo, r.Number, id, &github.PullRequestReviewDismissalRequest{Message: github.String(review.DismissMessage)}); err != nil {
			// Dismissal may be restricted to admins; the comments already
			// say what is fixed.
			c.logf("Cannot dismiss the earlier change request: %v", err)
			continue
		}
		out.Dismissed++
	}
	return out, errors.Join(errs...)
}

// post sends the draft as one review, moving the inline comments GitHub
// refuses to its body. It returns the login the review was stored under.
func (c *Client) post(ctx context.Context, r Review, who func() identity, d *review.Draft, out *ReviewResult) (string, error) {
	link := func(p string, start, end int) string {
		return blobURL(r.ServerURL, c.Owner, c.Repo, r.HeadSHA, p, start, end)
	}
	event := r.Event
	isolated := false
	failures := 0
	for {
		req := &github.PullRequestReviewRequest{
			CommitID: github.String(r.HeadSHA),
			Event:    github.String(event),
			Body:     github.String(d.Body(link)),
			Comments: drafts(d.Inline),
		}
		rv, _, err := c.PRs.CreateReview(ctx, c.Owner, c.Repo, r.Number, req)
		if err == nil {
			out.URL = rv.GetHTMLURL()
			out.Inline, out.InBody = len(d.Inline), d.InBody()
			return rv.GetUser().GetLogin(), nil
		}
		if readOnly(err) {
			return "", fmt.Errorf("%w: %v", ErrReadOnly, err)
		}
		// GitHub may have stored the review although the call failed.
		if stored, ferr := c.findReview(ctx, r.Number, who(), d.Key); ferr == nil && stored != nil {
			out.URL = stored.GetHTMLURL()
			out.Inline, out.InBody = len(d.Inline), d.InBody()
			return stored.GetUser().GetLogin(), nil
		} else if ferr != nil {
			return "", ferr
		}
		switch {
		case status(err) == http.StatusUnprocessableEntity && event == "REQUEST_CHANGES" && strings.Contains(strings.ToLower(errorText(err)), "own pull request"):
			c.logf("GitHub does not let this token request changes on its own pull request: commenting instead")
			event = "COMMENT"
		case status(err) == http.StatusUnprocessableEntity && len(d.Inline) > 0:
			var bad []review.Inline
			if !isolated {
				c.logf("GitHub refused the review's inline comments (%v): finding the ones it refuses", errorText(err))
				bad, err = c.isolate(ctx, r.Number, r.HeadSHA, d.Inline)
				if err != nil {
					c.logf("Cannot tell which comment GitHub refuses (%v): moving every inline comment to the review body", err)
					bad = d.Inline
				}
				isolated = true
			} else {
				bad = d.Inline
			}
			if len(bad) == 0 {
				// Every comment passes alone: the review fails for another
				// reason, so the comments go in the body and it is tried once
				// more.
				bad = d.Inline
			}
			d.Refuse(bad, "GitHub refused the inline comment")
			out.Refused += len(bad)
		case transient(err) && failures < 3:
			failures++
			wait := time.Duration(1<<(failures-1)) * 2 * time.Second
			c.logf("Creating the review failed (%v): retrying in %s", err, wait)
			if err := c.clock().Sleep(ctx, wait); err != nil {
				return "", err
			}
		default:
			return "", fmt.Errorf("creating the review on pull request #%d: %w", r.Number, err)
		}
	}
}

// drafts are the inline comments as go-github sends them.
func drafts(cs []review.Inline) []*github.DraftReviewComment {
	var out []*github.DraftReviewComment
	for _, ic := range cs {
		dc := &github.DraftReviewComment{
			Path: github.String(ic.Path),
			Body: github.String(ic.Body),
			Side: github.String("RIGHT"),
			Line: github.Int(ic.Line),
		}
		if ic.StartLine > 0 {
			dc.StartLine = github.Int(ic.StartLine)
			dc.StartSide = github.String("RIGHT")
		}
		out = append(out, dc)
	}
	return out
}

// isolate finds the comments that GitHub refuses, by bisecting them over
// pending reviews that are deleted at once. The whole set is known to fail.
func (c *Client) isolate(ctx context.Context, number int, sha string, cs []review.Inline) ([]review.Inline, error) {
	var bad []review.Inline
	var search func(ds []review.Inline, knownBad bool) error
	search = func(ds []review.Inline, knownBad bool) error {
		if !knownBad {
			ok, err := c.probe(ctx, number, sha, ds)
			if err != nil || ok {
				return err
			}
		}
		if len(ds) == 1 {
			bad = append(bad, ds[0])
			return nil
		}
		mid := len(ds) / 2
		if err := search(ds[:mid], false); err != nil {
			return err
		}
		return search(ds[mid:], false)
	}
	err := search(cs, true)
	return bad, err
}

// probe reports whether GitHub accepts the comments, as a pending review
// that it deletes right away.
func (c *Client) probe(ctx context.Context, number int, sha string, ds []review.Inline) (bool, error) {
	req := &github.PullRequestReviewRequest{
		CommitID: github.String(sha),
		Body:     github.String(review.ProbeBody),
		Comments: drafts(ds),
	}
	rv, _, err := c.PRs.CreateReview(ctx, c.Owner, c.Repo, number, req)
	if err != nil {
		if status(err) == http.StatusUnprocessableEntity && !strings.Contains(strings.ToLower(errorText(err)), "pending review") {
			return false, nil
		}
		return false, c.apiError(err, "probing review comments")
	}
	if _, _, err := c.PRs.DeletePendingReview(ctx, c.Owner, c.Repo, number, rv.GetID()); err != nil {
		return false, c.apiError(err, "deleting a probe review")
	}
	return true, nil
}

// findReview returns our submitted review with the given key, or nil.
func (c *Client) findReview(ctx context.Context, number int, me identity, key string) (*github.PullRequestReview, error) {
	reviews, err := c.listReviews(ctx, number)
	if err != nil {
		return nil, err
	}
	for _, rv := range reviews {
		if rv.GetState() != "PENDING" && me.owns(rv.GetUser()) && review.ReviewKey(rv.GetBody()) == key {
			return rv, nil
		}
	}
	return nil, nil
}

func (c *Client) listComments(ctx context.Context, number int) ([]*github.PullRequestComment, error) {
	var all []*github.PullRequestComment
	opts := &github.PullRequestListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.PRs.ListComments(ctx, c.Owner, c.Repo, number, opts)
		if err != nil {
			return nil, c.apiError(err, fmt.Sprintf("listing review comments of pull request #%d", number))
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

func (c *Client) listReviews(ctx context.Context, number int) ([]*github.PullRequestReview, error) {
	var all []*github.PullRequestReview
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.PRs.ListReviews(ctx, c.Owner, c.Repo, number, opts)
		if err != nil {
			return nil, c.apiError(err, fmt.Sprintf("listing reviews of pull request #%d", number))
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

// apiError adds context to err and marks a read-only token.
func (c *Client) apiError(err error, doing string) error {
	if readOnly(err) {
		return fmt.Errorf("%s: %w: %v", doing, ErrReadOnly, err)
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: GitHub's answer is not the JSON its API sends (%w)", doing, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

func readOnly(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden &&
		strings.Contains(er.Message, "Resource not accessible by")
}

func status(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

// errorText is GitHub's message with its listed errors.
func errorText(err error) string {
	var er *github.ErrorResponse
	if !errors.As(err, &er) {
		return err.Error()
	}
	parts := []string{er.Message}
	for _, e := range er.Errors {
		if e.Message != "" {
			parts = append(parts, e.Message)
		} else {
			parts = append(parts, e.Error())
		}
	}
	return strings.Join(parts, ": ")
}

// transient reports an error worth retrying: a 5xx, or no answer at all.
func transient(err error) bool {
	var rl *RateLimitError
	if errors.As(err, &rl) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrRedirect) {
		return false
	}
	s := status(err)
	return s >= 500 || s == 0
}
