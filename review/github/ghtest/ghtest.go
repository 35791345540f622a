// Package ghtest is a stateful fake of the parts of GitHub's REST API that
// Stowaway uses: pull requests with their files, reviews and review comments,
// and code scanning's SARIF uploads. It validates requests the way GitHub
// does (a review with one comment off the diff is refused whole, read-only
// tokens get 403, uploads must be gzipped and base64-encoded), paginates
// with Link headers, and injects faults: rate limits, 5xx answers, and the
// hostile answers of hostile.go (redirects, stalls, invalid JSON).
//
// Tests drive a real go-github client against it and assert on what it
// stored.
package ghtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// MaxFiles is the most files GitHub lists for a pull request.
const MaxFiles = 3000

// Server is the fake. Its fields are set before the first request.
type Server struct {
	*httptest.Server
	// Prefix is the REST root's path, "" on github.com and "/api/v3" on
	// GitHub Enterprise Server.
	Prefix string
	// Now is the fake's clock for rate limits; nil is time.Now.
	Now func() time.Time

	t      testing.TB
	mu     sync.Mutex
	tokens map[string]Token
	repos  map[string]*Repo
	faults []*Fault
	log    []Request
	nextID int64
	limit  *rateLimit

	hostile hostileState
}

// Token is what a token may do.
type Token struct {
	Login string
	// Kind says how GitHub treats the token (identity.go); the zero value
	// infers it from Login.
	Kind TokenKind
	// ReadOnly tokens read everything and write nothing, like the token of a
	// pull_request run from a fork.
	ReadOnly bool
	// NoSecurityEvents tokens lack security-events: write.
	NoSecurityEvents bool
}

// Repo is a repository.
type Repo struct {
	Owner, Name string
	PRs         map[int]*PR
	// Branches maps refs (refs/heads/main) to their commit, for uploads.
	Branches map[string]string
	Uploads  []*Upload
	// Commits maps a commit SHA to its tree (slash path to content), for
	// the contents API; see AddCommit.
	Commits map[string]map[string]string
}

// PR is a pull request.
type PR struct {
	Number             int
	Author             string
	HeadRef            string
	HeadRepo, BaseRepo string
	// Head is the current head commit; Diffs holds the files as of every
	// head the pull request had, and review comments are checked against
	// the diff of their commit_id.
	Head     string
	Diffs    map[string][]File
	Reviews  []*Review
	Comments []*Comment
}

// File is a changed file as GitHub lists it. An empty Patch is sent as no
// patch at all, as GitHub does for large and binary diffs.
type File struct {
	Filename, Status, Patch, PreviousFilename string
}

// Review is a stored review.
type Review struct {
	ID       int64
	User     string
	Body     string
	State    string // PENDING, COMMENTED, CHANGES_REQUESTED, APPROVED, DISMISSED
	CommitID string
}

// Comment is a stored review comment.
type Comment struct {
	ID, ReviewID    int64
	User            string
	Body            string
	Path            string
	Line, StartLine int
	Side, StartSide string
	CommitID        string
	InReplyTo       int64
}

// Upload is a stored SARIF upload.
type Upload struct {
	ID        string
	CommitSHA string
	Ref       string
	SARIF     []byte // decoded: the JSON log
	// Statuses are answered to successive status reads; the last one
	// repeats. New uploads get pending, then complete.
	Statuses []string
	Errors   []string
	reads    int
}

// Fault answers matching requests instead of the API.
type Fault struct {
	Method string
	Path   *regexp.Regexp // matched against the path after Prefix
	Status int
	Header http.Header
	Body   string
	// Times is how many requests it answers; 0 means one.
	Times int
	// Stored lets the request reach the store first and then answers with
	// the fault: a POST applied but whose answer was lost.
	Stored bool
	used   int
}

// Request is one logged request.
type Request struct {
	Method, Path string
	Status       int
}

type rateLimit struct {
	limit, remaining int
	reset            time.Time
}

// New starts a fake; it stops at the end of the test.
func New(t testing.TB) *Server {
	s := &Server{t: t, tokens: map[string]Token{}, repos: map[string]*Repo{}, nextID: 1000}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIURL is the REST root, as GITHUB_API_URL holds it.
func (s *Server) APIURL() string { return s.URL + s.Prefix }

// AddToken registers a token.
func (s *Server) AddToken(token string, tk Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = tk
}

// AddRepo registers a repository ("owner/name") and returns it.
func (s *Server) AddRepo(full string) *Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	owner, name, _ := strings.Cut(full, "/")
	r := &Repo{Owner: owner, Name: name, PRs: map[int]*PR{}, Branches: map[string]string{}}
	s.repos[full] = r
	return r
}

// AddPR opens a pull request at head with the given files.
func (s *Server) AddPR(repo string, pr *PR, files []File) *PR {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr.Diffs == nil {
		pr.Diffs = map[string][]File{}
	}
	pr.Diffs[pr.Head] = files
	if pr.BaseRepo == "" {
		pr.BaseRepo = repo
	}
	if pr.HeadRepo == "" {
		pr.HeadRepo = repo
	}
	s.repos[repo].PRs[pr.Number] = pr
	return pr
}

// Push moves a pull request to a new head with the given files.
func (s *Server) Push(repo string, number int, head string, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.repos[repo].PRs[number]
	pr.Head = head
	pr.Diffs[head] = files
}

// AddFault queues a fault.
func (s *Server) AddFault(f *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// SecondaryLimit is a fault like GitHub's secondary rate limit: status 403
// or 429 with Retry-After.
func SecondaryLimit(method, path string, status, retryAfter int) *Fault {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(retryAfter))
	return &Fault{
		Method: method, Path: regexp.MustCompile(path), Status: status, Header: h,
		Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
	}
}

// ServerError is a one-shot 502 as GitHub's proxies send it.
func ServerError(method, path string) *Fault {
	return &Fault{Method: method, Path: regexp.MustCompile(path), Status: http.StatusBadGateway,
		Body: `{"message":"Server Error"}`}
}

// SetRateLimit gives the primary rate limit: remaining calls until reset,
// then limit calls again.
func (s *Server) SetRateLimit(limit, remaining int, reset time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = &rateLimit{limit: limit, remaining: remaining, reset: reset}
}

// Requests returns the requests served so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Snapshot returns a deep copy of a pull request's state.
func (s *Server) Snapshot(repo string, number int) PR {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := *s.repos[repo].PRs[number]
	pr.Reviews = nil
	for _, r := range s.repos[repo].PRs[number].Reviews {
		c := *r
		pr.Reviews = append(pr.Reviews, &c)
	}
	pr.Comments = nil
	for _, c := range s.repos[repo].PRs[number].Comments {
		cc := *c
		pr.Comments = append(pr.Comments, &cc)
	}
	return pr
}

// Uploads returns copies of a repository's SARIF uploads.
func (s *Server) Uploads(repo string) []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Upload
	for _, u := range s.repos[repo].Uploads {
		out = append(out, *u)
	}
	return out
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// recorder keeps the status for the log.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	if s.serveHostile(w, req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := &recorder{ResponseWriter: w, status: http.StatusOK}
	defer func() { s.log = append(s.log, Request{req.Method, req.URL.Path, rec.status}) }()
	w = rec

	if !strings.HasPrefix(req.URL.Path, s.Prefix+"/") && req.URL.Path != s.graphQLPath() {
		s.t.Errorf("ghtest: request outside the API root %q: %s %s", s.Prefix, req.Method, req.URL.Path)
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	p := strings.TrimPrefix(req.URL.Path, s.Prefix)

	auth := req.Header.Get("Authorization")
	tok, ok := s.tokens[strings.TrimPrefix(auth, "Bearer ")]
	if !ok || !strings.HasPrefix(auth, "Bearer ") {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}

	if l := s.limit; l != nil {
		if !s.now().Before(l.reset) && l.remaining == 0 {
			l.remaining, l.reset = l.limit, s.now().Add(time.Hour)
		}
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(l.limit))
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(l.reset.Unix(), 10))
		if l.remaining == 0 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			writeJSON(w, http.StatusForbidden, map[string]string{
				"message":           "API rate limit exceeded for installation ID 1.",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
			})
			return
		}
		l.remaining--
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(l.remaining))
	}

	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	for _, f := range s.faults {
		times := max(f.Times, 1)
		if f.used >= times || f.Method != req.Method || !f.Path.MatchString(p) {
			continue
		}
		f.used++
		if f.Stored {
			s.route(httptest.NewRecorder(), req, p, body, tok)
		}
		for k, v := range f.Header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
		return
	}
	s.route(w, req, p, body, tok)
}

var (
	prPath       = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)$`)
	filesPath    = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)/files$`)
	commentsPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)/comments$`)
	commentPath  = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/comments/(\d+)$`)
	reviewsPath  = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)/reviews$`)
	reviewPath   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)/reviews/(\d+)$`)
	dismissPath  = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/(\d+)/reviews/(\d+)/dismissals$`)
	sarifsPath   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/code-scanning/sarifs$`)
	sarifPath    = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/code-scanning/sarifs/([^/]+)$`)
	contentsPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/contents/(.+)$`)
)

func (s *Server) route(w http.ResponseWriter, req *http.Request, p string, body []byte, tok Token) {
	m := func(re *regexp.Regexp) []string { return re.FindStringSubmatch(p) }
	if s.identity(w, req, p, body, tok) {
		return
	}
	mutation := req.Method != http.MethodGet
	if mutation && tok.ReadOnly {
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest",
		})
		return
	}
	switch {
	case req.Method == http.MethodGet && m(prPath) != nil:
		s.getPR(w, m(prPath))
	case req.Method == http.MethodGet && m(filesPath) != nil:
		s.listFiles(w, req, m(filesPath))
	case req.Method == http.MethodGet && m(commentsPath) != nil:
		s.listComments(w, req, m(commentsPath))
	case req.Method == http.MethodPatch && m(commentPath) != nil:
		s.editComment(w, m(commentPath), body, tok)
	case req.Method == http.MethodGet && m(reviewsPath) != nil:
		s.listReviews(w, req, m(reviewsPath), tok)
	case req.Method == http.MethodPost && m(reviewsPath) != nil:
		s.createReview(w, m(reviewsPath), body, tok)
	case req.Method == http.MethodPut && m(reviewPath) != nil:
		s.updateReview(w, m(reviewPath), body, tok)
	case req.Method == http.MethodDelete && m(reviewPath) != nil:
		s.deletePending(w, m(reviewPath), tok)
	case req.Method == http.MethodPut && m(dismissPath) != nil:
		s.dismiss(w, m(dismissPath), body)
	case req.Method == http.MethodPost && m(sarifsPath) != nil:
		s.uploadSARIF(w, m(sarifsPath), body, tok)
	case req.Method == http.MethodGet && m(sarifPath) != nil:
		s.sarifStatus(w, m(sarifPath))
	case req.Method == http.MethodGet && m(contentsPath) != nil:
		s.getContents(w, req, m(contentsPath))
	default:
		s.t.Errorf("ghtest: unexpected request %s %s", req.Method, p)
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func unprocessable(w http.ResponseWriter, errs ...string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Unprocessable Entity",
		"errors":            errs,
		"documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
	})
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
}

func (s *Server) pr(w http.ResponseWriter, g []string) (*Repo, *PR) {
	r := s.repos[g[1]+"/"+g[2]]
	if r == nil {
		notFound(w)
		return nil, nil
	}
	n, _ := strconv.Atoi(g[3])
	pr := r.PRs[n]
	if pr == nil {
		notFound(w)
		return nil, nil
	}
	return r, pr
}

// page applies GitHub's pagination to n items: per_page (default 30, at
// most 100) and page, with a Link header.
// writePage answers a list request with the page of items it asks for,
// each encoded by item, and GitHub's Link header.
func writePage[T any](w http.ResponseWriter, req *http.Request, items []T, item func(T) map[string]any) {
	from, to := page(w, req, len(items))
	out := []map[string]any{}
	for _, it := range items[from:to] {
		out = append(out, item(it))
	}
	writeJSON(w, http.StatusOK, out)
}

func page(w http.ResponseWriter, req *http.Request, n int) (from, to int) {
	q := req.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per <= 0 {
		per = 30
	}
	per = min(per, 100)
	pg, err := strconv.Atoi(q.Get("page"))
	if err != nil || pg <= 0 {
		pg = 1
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		u := *req.URL
		u.Scheme, u.Host = "http", req.Host
		v := u.Query()
		v.Set("page", strconv.Itoa(p))
		v.Set("per_page", strconv.Itoa(per))
		u.RawQuery = v.Encode()
		return fmt.Sprintf(`<%s>; rel="%s"`, u.String(), rel)
	}
	var links []string
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"), link(pg-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	from = min((pg-1)*per, n)
	return from, min(from+per, n)
}

func (s *Server) getPR(w http.ResponseWriter, g []string) {
	_, pr := s.pr(w, g)
	if pr == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"number":        pr.Number,
		"state":         "open",
		"user":          map[string]any{"login": pr.Author},
		"head":          map[string]any{"sha": pr.Head, "ref": pr.HeadRef, "repo": map[string]any{"full_name": pr.HeadRepo}},
		"base":          map[string]any{"ref": "main", "repo": map[string]any{"full_name": pr.BaseRepo}},
		"changed_files": len(pr.Diffs[pr.Head]),
	})
}

func (s *Server) listFiles(w http.ResponseWriter, req *http.Request, g []string) {
	_, pr := s.pr(w, g)
	if pr == nil {
		return
	}
	files := pr.Diffs[pr.Head]
	writePage(w, req, files[:min(len(files), MaxFiles)], func(f File) map[string]any {
		j := map[string]any{"sha": strings.Repeat("a", 40), "filename": f.Filename, "status": f.Status}
		if f.Patch != "" {
			j["patch"] = f.Patch
		}
		if f.PreviousFilename != "" {
			j["previous_filename"] = f.PreviousFilename
		}
		return j
	})
}
