package ghreview

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
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// MaxInline is the most inline comments one review carries; the rest go in
// its body.
const MaxInline = 30

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
	Files []*ChangedFile
	// Findings are those the pull request is responsible for (see Scope),
	// suppressed ones included.
	Findings []scan.Finding
	// Current holds every finding of the scan of the whole tree: an earlier
	// comment whose finding is not among them, or is suppressed, is marked
	// fixed. A finding merely out of scope is not.
	Current []scan.Finding
	// Paths are the slash paths the scan covered ("." is the whole tree;
	// none means the whole tree too). An earlier finding outside them is
	// out of this run's scope, not fixed: its comment, and a review body
	// written by a run that scanned beyond them, are left as they are. The
	// review records them for later runs.
	Paths []string
	// Unjudged are files (or folders, "." for the whole tree) the scan
	// could not fully analyse: their earlier findings are left as they are
	// too.
	Unjudged []string
	// ServerURL is the web root for links (https://github.com).
	ServerURL string
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

// draft is an inline comment and its finding.
type draft struct {
	f *scan.Finding
	c *github.DraftReviewComment
}

// Review posts the findings that no earlier run posted as one review, marks
// earlier comments whose finding is gone as fixed, and dismisses earlier
// change requests that have nothing left open. Earlier runs are the
// comments and reviews written by the token's own account; nobody else's
// are read for markers or changed. With nothing new and nothing fixed it
// posts nothing. A read-only token makes it return an error that wraps
// ErrReadOnly, before anything is posted.
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
	foreign := 0 // others' comments and reviews that hold a marker
	mine := func(u *github.User, body string) bool {
		if !anyMarker.MatchString(body) {
			return false
		}
		if who().owns(u) {
			return true
		}
		foreign++
		return false
	}
	comments, err := c.listComments(ctx, r.Number)
	if err != nil {
		return out, err
	}
	reviews, err := c.listReviews(ctx, r.Number)
	if err != nil {
		return out, err
	}

	current := map[string]*scan.Finding{}
	for i := range r.Current {
		fp := fingerprint(&r.Current[i])
		current[fp] = &r.Current[i]
		// Findings past a review body's room left a short fingerprint.
		if short := shortFP(fp); current[short] == nil {
			current[short] = &r.Current[i]
		}
	}
	// gone says why an earlier finding no longer stands, or "".
	gone := func(fp string) string {
		f, ok := current[fp]
		switch {
		case !ok:
			return "Fixed"
		case f.Suppressed != nil:
			return "Suppressed"
		}
		return ""
	}

	seen := map[string]bool{}
	type staleComment struct {
		c       *github.PullRequestComment
		fp, why string
	}
	var stale []staleComment
	reviewFPs := map[int64][]string{} // fingerprints each of our reviews raised
	outOfScope := map[int64]bool{}    // our reviews with findings this run cannot judge
	for _, cm := range comments {
		if cm == nil || cm.InReplyTo != nil || !mine(cm.GetUser(), cm.GetBody()) { // nil: null in a list that is not GitHub's
			continue
		}
		for _, fp := range parseMarkers(cm.GetBody()).open {
			seen[fp] = true
			if !r.judges(cm.GetPath()) {
				outOfScope[cm.GetPullRequestReviewID()] = true
				continue
			}
			reviewFPs[cm.GetPullRequestReviewID()] = append(reviewFPs[cm.GetPullRequestReviewID()], fp)
			if why := gone(fp); why != "" {
				stale = append(stale, staleComment{cm, fp, why})
			}
		}
	}
	var ours []*github.PullRequestReview
	for _, rv := range reviews {
		if !mine(rv.GetUser(), rv.GetBody()) {
			continue
		}
		m := reviewMarkers(rv.GetBody())
		if m.review == "" {
			continue
		}
		if rv.GetState() == "PENDING" {
			// Left behind by a run that died while probing comments: it
			// would block the next probe, and nobody else can see it.
			if _, _, err := c.PRs.DeletePendingReview(ctx, c.Owner, c.Repo, r.Number, rv.GetID()); err != nil {
				return out, c.apiError(err, "deleting a leftover pending review")
			}
			continue
		}
		for _, fp := range m.open {
			seen[fp] = true
		}
		for _, fp := range m.seen {
			seen[fp] = true
		}
		if !r.judgesAll(m.paths) {
			outOfScope[rv.GetID()] = true
			continue
		}
		ours = append(ours, rv)
		reviewFPs[rv.GetID()] = append(reviewFPs[rv.GetID()], m.open...)
		reviewFPs[rv.GetID()] = append(reviewFPs[rv.GetID()], m.seen...)
	}

	out.Ignored = foreign
	if foreign > 0 {
		c.logf("Ignoring Stowaway markers in comments and reviews by other accounts (%d): only those of %s, this token's account, are read", foreign, who().login)
	}

	var fresh []*scan.Finding
	suppressed := 0
	for i := range r.Findings {
		f := &r.Findings[i]
		switch {
		case f.Suppressed != nil:
			suppressed++
		case seen[fingerprint(f)] || seen[shortFP(fingerprint(f))]:
			out.Known++
		default:
			fresh = append(fresh, f)
		}
	}

	var errs []error
	if len(fresh) > 0 {
		author, err := c.post(ctx, r, who, fresh, suppressed, out)
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

	for _, s := range stale {
		body := fixedBody(s.c.GetBody(), s.fp, r.HeadSHA, s.why)
		if _, _, err := c.PRs.EditComment(ctx, c.Owner, c.Repo, s.c.GetID(), &github.PullRequestComment{Body: github.String(body)}); err != nil {
			err = c.apiError(err, "marking a fixed comment")
			if errors.Is(err, ErrReadOnly) {
				return out, err
			}
			errs = append(errs, err)
			continue
		}
		out.Fixed++
	}
	for _, rv := range ours {
		body, n := markFixed(rv.GetBody(), gone, r.HeadSHA)
		if n == 0 {
			continue
		}
		if _, _, err := c.PRs.UpdateReview(ctx, c.Owner, c.Repo, r.Number, rv.GetID(), body); err != nil {
			err = c.apiError(err, "marking fixed findings in an earlier review")
			if errors.Is(err, ErrReadOnly) {
				return out, err
			}
			errs = append(errs, err)
			continue
		}
		out.Fixed += n
	}
	for _, rv := range ours {
		if rv.GetState() != "CHANGES_REQUESTED" || outOfScope[rv.GetID()] {
			continue
		}
		open := false
		for _, fp := range reviewFPs[rv.GetID()] {
			open = open || gone(fp) == ""
		}
		if open {
			continue
		}
		msg := "Every finding of this Stowaway review is fixed."
		if _, _, err := c.PRs.DismissReview(ctx, c.Owner, c.Repo, r.Number, rv.GetID(), &github.PullRequestReviewDismissalRequest{Message: github.String(msg)}); err != nil {
			// Dismissal may be restricted to admins; the comments already
			// say what is fixed.
			c.logf("Cannot dismiss the earlier change request: %v", err)
			continue
		}
		out.Dismissed++
	}
	return out, errors.Join(errs...)
}

// scanned returns the paths the run scanned, "." when none are given.
func (r Review) scanned() []string {
	if len(r.Paths) == 0 {
		return []string{"."}
	}
	return r.Paths
}

// judges reports whether the run can tell that an earlier finding in the
// file at p is gone: p is inside the scanned paths and was fully analysed.
func (r Review) judges(p string) bool {
	for _, u := range r.Unjudged {
		if under(p, u) {
			return false
		}
	}
	for _, s := range r.scanned() {
		if under(p, s) {
			return true
		}
	}
	return false
}

// judgesAll reports whether the run covers every path an earlier run
// scanned (the whole tree for a review that did not record them), with no
// file there that it could not fully analyse.
func (r Review) judgesAll(earlier []string) bool {
	if len(earlier) == 0 {
		earlier = []string{"."}
	}
	for _, e := range earlier {
		if !r.judges(e) {
			return false
		}
		for _, u := range r.Unjudged {
			if under(u, e) {
				return false
			}
		}
	}
	return true
}

// under reports whether slash path p is root or inside it.
func under(p, root string) bool {
	return root == "." || p == root || strings.HasPrefix(p, root+"/")
}

// post sends fresh findings as one review: inline where their lines are
// added lines of one hunk, in the body otherwise. It returns the login the
// review was stored under.
func (c *Client) post(ctx context.Context, r Review, who func() identity, fresh []*scan.Finding, suppressed int, out *ReviewResult) (string, error) {
	files := map[string]*ChangedFile{}
	for _, f := range r.Files {
		files[f.Path] = f
	}
	// The inline slots go to the most serious findings first.
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].LevelOrDefault(nil) > fresh[j].LevelOrDefault(nil) })

	var drafts []draft
	var entries []bodyEntry
	for _, f := range fresh {
		cf := files[f.Path]
		d, ok := placeComment(f, cf)
		switch {
		case !ok && cf == nil:
			entries = append(entries, bodyEntry{f, "file not changed by this pull request"})
		case !ok:
			entries = append(entries, bodyEntry{f, "not on a line this pull request adds"})
		case len(drafts) >= MaxInline:
			entries = append(entries, bodyEntry{f, fmt.Sprintf("over the limit of %d inline comments", MaxInline)})
		default:
			drafts = append(drafts, d)
		}
	}

	key := reviewKey(r.HeadSHA, fresh)
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
			Body: github.String(reviewBody(bodyInput{
				key:        key,
				paths:      r.scanned(),
				intro:      intro(fresh, len(drafts)),
				entries:    entries,
				suppressed: suppressed,
			}, link)),
		}
		for _, d := range drafts {
			req.Comments = append(req.Comments, d.c)
		}
		rv, _, err := c.PRs.CreateReview(ctx, c.Owner, c.Repo, r.Number, req)
		if err == nil {
			out.URL = rv.GetHTMLURL()
			out.Inline, out.InBody = len(drafts), len(entries)
			return rv.GetUser().GetLogin(), nil
		}
		if readOnly(err) {
			return "", fmt.Errorf("%w: %v", ErrReadOnly, err)
		}
		// GitHub may have stored the review although the call failed.
		if stored, ferr := c.findReview(ctx, r.Number, who(), key); ferr == nil && stored != nil {
			out.URL = stored.GetHTMLURL()
			out.Inline, out.InBody = len(drafts), len(entries)
			return stored.GetUser().GetLogin(), nil
		} else if ferr != nil {
			return "", ferr
		}
		switch {
		case status(err) == http.StatusUnprocessableEntity && event == "REQUEST_CHANGES" && strings.Contains(strings.ToLower(errorText(err)), "own pull request"):
			c.logf("GitHub does not let this token request changes on its own pull request: commenting instead")
			event = "COMMENT"
		case status(err) == http.StatusUnprocessableEntity && len(drafts) > 0:
			var bad []draft
			if !isolated {
				c.logf("GitHub refused the review's inline comments (%v): finding the ones it refuses", errorText(err))
				bad, err = c.isolate(ctx, r.Number, r.HeadSHA, drafts)
				if err != nil {
					c.logf("Cannot tell which comment GitHub refuses (%v): moving every inline comment to the review body", err)
					bad = drafts
				}
				isolated = true
			} else {
				bad = drafts
			}
			if len(bad) == 0 {
				// Every comment passes alone: the review fails for another
				// reason, so the comments go in the body and it is tried once
				// more.
				bad = drafts
			}
			drafts = without(drafts, bad)
			for _, d := range bad {
				entries = append(entries, bodyEntry{d.f, "GitHub refused the inline comment"})
			}
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

// placeComment returns the inline comment for f, when its lines are added
// lines of one hunk. The comment spans the lines of the finding, or those of
// its instruction that its suggestion replaces, so that GitHub can apply
// it; never lines of other instructions, which a reader would take for
// findings. A change the fix also makes elsewhere is shown in its text.
func placeComment(f *scan.Finding, cf *ChangedFile) (draft, bool) {
	if cf == nil {
		return draft{}, false
	}
	start, end := f.Region.StartLine, max(f.Region.EndLine, f.Region.StartLine)
	s := applicable(f)
	var sStart, sEnd int
	if s != nil {
		sStart, sEnd = s.StartLine, max(s.EndLine, s.StartLine)
	}
	switch {
	case s != nil && sStart <= start && end <= sEnd && cf.Commentable(sStart, sEnd):
		start, end = sStart, sEnd
	case cf.Commentable(start, end):
	default:
		return draft{}, false
	}
	apply := s != nil && sStart == start && sEnd == end
	c := &github.DraftReviewComment{
		Path: github.String(f.Path),
		Body: github.String(inlineBody(f, apply)),
		Side: github.String("RIGHT"),
		Line: github.Int(end),
	}
	if start < end {
		c.StartLine = github.Int(start)
		c.StartSide = github.String("RIGHT")
	}
	return draft{f, c}, true
}

var (
	// anyMarker is anything that looks like one of our markers.
	anyMarker = regexp.MustCompile(`(?i)<!--\s*stowaway`)
)

// applicable returns the finding's suggestion when applying it is safe: a
// suggestion that holds a redacted value would write "ghp_…(40 chars)" over
// a line of the Dockerfile, and one that holds a marker would commit it
// (GitHub applies a suggestion verbatim).
func applicable(f *scan.Finding) *checks.Suggestion {
	s := f.Suggestion
	if s == nil {
		return nil
	}
	for _, e := range s.Edits() {
		if e.StartLine <= 0 || scan.HoldsRedacted(e.Text) || anyMarker.MatchString(e.Text) {
			return nil
		}
	}
	return s
}

func intro(fresh []*scan.Finding, inline int) string {
	counts := map[checks.Level]int{}
	for _, f := range fresh {
		counts[f.LevelOrDefault(nil)]++
	}
	var parts []string
	for _, l := range []checks.Level{checks.Error, checks.Warning, checks.Note} {
		if n := counts[l]; n > 0 {
			parts = append(parts, plural(n, l.String()))
		}
	}
	s := "### Stowaway: " + strings.Join(parts, ", ") + " that a Docker build would bake into an image\n"
	switch {
	case inline == len(fresh):
		s += "\nEach is commented on its line below."
	case inline == 1:
		s += "\n1 finding is commented on its line; the others:"
	case inline > 1:
		s += fmt.Sprintf("\n%d findings are commented on their lines; the others:", inline)
	}
	return s
}

// isolate finds the comments that GitHub refuses, by bisecting them over
// pending reviews that are deleted at once. The whole set is known to fail.
func (c *Client) isolate(ctx context.Context, number int, sha string, drafts []draft) ([]draft, error) {
	var bad []draft
	var search func(ds []draft, knownBad bool) error
	search = func(ds []draft, knownBad bool) error {
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
	err := search(drafts, true)
	return bad, err
}

// probe reports whether GitHub accepts the comments, as a pending review
// that it deletes right away.
func (c *Client) probe(ctx context.Context, number int, sha string, ds []draft) (bool, error) {
	req := &github.PullRequestReviewRequest{
		CommitID: github.String(sha),
		Body:     github.String(reviewMarker("probe")),
	}
	for _, d := range ds {
		req.Comments = append(req.Comments, d.c)
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

func without(all, drop []draft) []draft {
	gone := map[*scan.Finding]bool{}
	for _, d := range drop {
		gone[d.f] = true
	}
	var keep []draft
	for _, d := range all {
		if !gone[d.f] {
			keep = append(keep, d)
		}
	}
	return keep
}

// findReview returns our submitted review with the given key, or nil.
func (c *Client) findReview(ctx context.Context, number int, me identity, key string) (*github.PullRequestReview, error) {
	reviews, err := c.listReviews(ctx, number)
	if err != nil {
		return nil, err
	}
	for _, rv := range reviews {
		if rv.GetState() != "PENDING" && me.owns(rv.GetUser()) && parseMarkers(rv.GetBody()).review == key {
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
