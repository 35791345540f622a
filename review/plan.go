package review

// What one run decides about a change, before any host is called: which
// findings are new, which earlier comments and review bodies now say
// "fixed", which change requests are dismissed, and how the new findings
// are laid out as inline comments and body entries. The host's adapter
// (review/github) lists what earlier runs wrote, asks Decide, posts Layout's
// draft and applies the edits, so that another host reuses all of it.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// MaxInline is the most inline comments one review carries; the rest go in
// its body.
const MaxInline = 30

// Run is what one run has to say on a change.
type Run struct {
	HeadSHA string // the commit the comments point at
	Files   []*ChangedFile
	// Findings are those the change is responsible for (see Scope),
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
}

// Comment is an earlier inline comment, as the host lists it.
type Comment struct {
	ID       int64
	ReviewID int64 // the review it belongs to
	Path     string
	Body     string
	Author   string
	Reply    bool // an answer in a thread, which holds no finding of ours
}

// Earlier is an earlier submitted review, as the host lists it.
type Earlier struct {
	ID               int64
	Body             string
	Author           string
	Pending          bool // visible only to its author: a probe left behind
	ChangesRequested bool
}

// Rewrite is a new body for an earlier comment or review; Fixed counts the
// findings it marks fixed.
type Rewrite struct {
	ID    int64
	Body  string
	Fixed int
}

// Plan is what a run does besides posting its new findings.
type Plan struct {
	Fresh      []*scan.Finding // findings no earlier run posted, unsuppressed
	Suppressed int             // findings in scope that a pragma or the configuration silenced
	Known      int             // findings an earlier run already posted
	Ignored    int             // others' comments and reviews holding markers, not trusted
	// DeletePending are our pending reviews, left behind by a run that
	// died while probing comments: they would block the next probe, and
	// nobody else can see them.
	DeletePending []int64
	Comments      []Rewrite // earlier comments whose finding is gone
	Reviews       []Rewrite // earlier review bodies with entries now gone
	Dismiss       []int64   // earlier change requests with nothing left open
}

// DismissMessage is the message of a dismissed change request.
const DismissMessage = "Every finding of this Stowaway review is fixed."

// Decide reads what earlier runs wrote and decides what this run changes.
// Earlier runs are the comments and reviews whose author owns says is the
// token's own; owns is asked only about a body that holds a marker, and
// nobody else's are read for markers or changed.
func Decide(r Run, comments []Comment, reviews []Earlier, owns func(author string) bool) Plan {
	var p Plan
	mine := func(author, body string) bool {
		if !anyMarker.MatchString(body) {
			return false
		}
		if owns(author) {
			return true
		}
		p.Ignored++
		return false
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
	reviewFPs := map[int64][]string{} // fingerprints each of our reviews raised
	outOfScope := map[int64]bool{}    // our reviews with findings this run cannot judge
	for _, cm := range comments {
		if cm.Reply || !mine(cm.Author, cm.Body) {
			continue
		}
		for _, fp := range parseMarkers(cm.Body).open {
			seen[fp] = true
			if !r.judges(cm.Path) {
				outOfScope[cm.ReviewID] = true
				continue
			}
			reviewFPs[cm.ReviewID] = append(reviewFPs[cm.ReviewID], fp)
			if why := gone(fp); why != "" {
				p.Comments = append(p.Comments, Rewrite{ID: cm.ID, Body: fixedBody(cm.Body, fp, r.HeadSHA, why), Fixed: 1})
			}
		}
	}
	var ours []Earlier
	for _, rv := range reviews {
		if !mine(rv.Author, rv.Body) {
			continue
		}
		m := reviewMarkers(rv.Body)
		if m.review == "" {
			continue
		}
		if rv.Pending {
			p.DeletePending = append(p.DeletePending, rv.ID)
			continue
		}
		for _, fp := range m.open {
			seen[fp] = true
		}
		for _, fp := range m.seen {
			seen[fp] = true
		}
		if !r.judgesAll(m.paths) {
			outOfScope[rv.ID] = true
			continue
		}
		ours = append(ours, rv)
		reviewFPs[rv.ID] = append(reviewFPs[rv.ID], m.open...)
		reviewFPs[rv.ID] = append(reviewFPs[rv.ID], m.seen...)
	}

	for i := range r.Findings {
		f := &r.Findings[i]
		switch {
		case f.Suppressed != nil:
			p.Suppressed++
		case seen[fingerprint(f)] || seen[shortFP(fingerprint(f))]:
			p.Known++
		default:
			p.Fresh = append(p.Fresh, f)
		}
	}

	for _, rv := range ours {
		if body, n := markFixed(rv.Body, gone, r.HeadSHA); n > 0 {
			p.Reviews = append(p.Reviews, Rewrite{ID: rv.ID, Body: body, Fixed: n})
		}
	}
	for _, rv := range ours {
		if !rv.ChangesRequested || outOfScope[rv.ID] {
			continue
		}
		open := false
		for _, fp := range reviewFPs[rv.ID] {
			open = open || gone(fp) == ""
		}
		if !open {
			p.Dismiss = append(p.Dismiss, rv.ID)
		}
	}
	return p
}

// scanned returns the paths the run scanned, "." when none are given.
func (r Run) scanned() []string {
	if len(r.Paths) == 0 {
		return []string{"."}
	}
	return r.Paths
}

// judges reports whether the run can tell that an earlier finding in the
// file at p is gone: p is inside the scanned paths and was fully analysed.
func (r Run) judges(p string) bool {
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
func (r Run) judgesAll(earlier []string) bool {
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

// Inline is an inline comment: lines StartLine..Line of Path on the new
// side (StartLine 0 for one line).
type Inline struct {
	Finding         *scan.Finding
	Path            string
	StartLine, Line int
	Body            string
}

// Draft is the review a run posts: inline comments, and the body that
// lists the rest.
type Draft struct {
	// Key identifies the review by what it posts, so that a retry can tell
	// whether an earlier attempt was stored (ReviewKey).
	Key        string
	Inline     []Inline
	entries    []bodyEntry
	fresh      []*scan.Finding
	suppressed int
	paths      []string
}

// Layout places fresh findings: inline where their lines are added lines
// of one hunk, the most serious first and at most MaxInline of them, in the
// body otherwise. It sorts fresh.
func Layout(r Run, fresh []*scan.Finding, suppressed int) *Draft {
	files := map[string]*ChangedFile{}
	for _, f := range r.Files {
		files[f.Path] = f
	}
	// The inline slots go to the most serious findings first.
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].LevelOrDefault(nil) > fresh[j].LevelOrDefault(nil) })
	d := &Draft{Key: reviewKey(r.HeadSHA, fresh), fresh: fresh, suppressed: suppressed, paths: r.scanned()}
	for _, f := range fresh {
		cf := files[f.Path]
		c, ok := Place(f, cf)
		switch {
		case !ok && cf == nil:
			d.entries = append(d.entries, bodyEntry{f, "file not changed by this pull request"})
		case !ok:
			d.entries = append(d.entries, bodyEntry{f, "not on a line this pull request adds"})
		case len(d.Inline) >= MaxInline:
			d.entries = append(d.entries, bodyEntry{f, fmt.Sprintf("over the limit of %d inline comments", MaxInline)})
		default:
			d.Inline = append(d.Inline, c)
		}
	}
	return d
}

// InBody is how many findings the body lists.
func (d *Draft) InBody() int { return len(d.entries) }

// Refuse moves inline comments to the body, saying why.
func (d *Draft) Refuse(bad []Inline, why string) {
	drop := map[*scan.Finding]bool{}
	for _, c := range bad {
		drop[c.Finding] = true
		d.entries = append(d.entries, bodyEntry{c.Finding, why})
	}
	var keep []Inline
	for _, c := range d.Inline {
		if !drop[c.Finding] {
			keep = append(keep, c)
		}
	}
	d.Inline = keep
}

// Body is the review's body; link returns the web address of lines start
// to end of a file, or "".
func (d *Draft) Body(link func(path string, start, end int) string) string {
	return reviewBody(bodyInput{
		key:        d.Key,
		paths:      d.paths,
		intro:      intro(d.fresh, len(d.Inline)),
		entries:    d.entries,
		suppressed: d.suppressed,
	}, link)
}

// Place returns the inline comment for f, when its lines are added lines
// of one hunk of cf. The comment spans the lines of the finding, or those
// of its instruction that its suggestion replaces, so that the host can
// apply it; never lines of other instructions, which a reader would take
// for findings. A change the fix also makes elsewhere is shown in its text.
func Place(f *scan.Finding, cf *ChangedFile) (Inline, bool) {
	if cf == nil {
		return Inline{}, false
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
		return Inline{}, false
	}
	apply := s != nil && sStart == start && sEnd == end
	c := Inline{Finding: f, Path: f.Path, Line: end, Body: inlineBody(f, apply)}
	if start < end {
		c.StartLine = start
	}
	return c, true
}

// applicable returns the finding's suggestion when applying it is safe: a
// suggestion that holds a redacted value (the engine says so) would write
// "ghp_…(40 chars)" over a line of the Dockerfile, and one that holds a
// marker would commit it (GitHub applies a suggestion verbatim).
func applicable(f *scan.Finding) *checks.Suggestion {
	s := f.Suggestion
	if s == nil || s.Redacted {
		return nil
	}
	for _, e := range s.Edits() {
		if e.StartLine <= 0 || anyMarker.MatchString(e.Text) {
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
			parts = append(parts, Plural(n, l.String()))
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
