package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"
	"github.com/stowaway-dev/stowaway/actionlog"
)

// PullRequests is the part of go-github's PullRequestsService that a review
// needs.
type PullRequests interface {
	Get(ctx context.Context, owner, repo string, number int) (*github.PullRequest, *github.Response, error)
	ListFiles(ctx context.Context, owner, repo string, number int, opts *github.ListOptions) ([]*github.CommitFile, *github.Response, error)
	ListComments(ctx context.Context, owner, repo string, number int, opts *github.PullRequestListCommentsOptions) ([]*github.PullRequestComment, *github.Response, error)
	EditComment(ctx context.Context, owner, repo string, commentID int64, comment *github.PullRequestComment) (*github.PullRequestComment, *github.Response, error)
	ListReviews(ctx context.Context, owner, repo string, number int, opts *github.ListOptions) ([]*github.PullRequestReview, *github.Response, error)
	CreateReview(ctx context.Context, owner, repo string, number int, review *github.PullRequestReviewRequest) (*github.PullRequestReview, *github.Response, error)
	UpdateReview(ctx context.Context, owner, repo string, number int, reviewID int64, body string) (*github.PullRequestReview, *github.Response, error)
	DeletePendingReview(ctx context.Context, owner, repo string, number int, reviewID int64) (*github.PullRequestReview, *github.Response, error)
	DismissReview(ctx context.Context, owner, repo string, number int, reviewID int64, review *github.PullRequestReviewDismissalRequest) (*github.PullRequestReview, *github.Response, error)
}

// CodeScanning is the part of go-github's CodeScanningService that uploads
// SARIF.
type CodeScanning interface {
	UploadSarif(ctx context.Context, owner, repo string, sarif *github.SarifAnalysis) (*github.SarifID, *github.Response, error)
}

// SARIFStatuses reads the processing status of an upload. go-github v60's
// GetSARIF drops the "errors" field that says why processing failed, so
// this one is ours.
type SARIFStatuses interface {
	SARIFStatus(ctx context.Context, owner, repo, id string) (*SARIFStatus, error)
}

var (
	_ PullRequests  = (*github.PullRequestsService)(nil)
	_ CodeScanning  = (*github.CodeScanningService)(nil)
	_ SARIFStatuses = sarifStatusClient{}
)

// SARIFStatus is GitHub's view of one SARIF upload.
type SARIFStatus struct {
	ProcessingStatus string   `json:"processing_status"` // pending, complete or failed
	AnalysesURL      string   `json:"analyses_url"`
	Errors           []string `json:"errors"`
}

type sarifStatusClient struct{ c *github.Client }

func (s sarifStatusClient) SARIFStatus(ctx context.Context, owner, repo, id string) (*SARIFStatus, error) {
	u := fmt.Sprintf("repos/%s/%s/code-scanning/sarifs/%s", url.PathEscape(owner), url.PathEscape(repo), url.PathEscape(id))
	req, err := s.c.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	st := new(SARIFStatus)
	if _, err := s.c.Do(ctx, req, st); err != nil {
		return nil, err
	}
	return st, nil
}

// Client is one repository on one GitHub host, seen through the interfaces
// above.
type Client struct {
	PRs          PullRequests
	CodeScanning CodeScanning
	SARIF        SARIFStatuses
	Contents     Contents
	// Viewer and Users tell who the token is (identity.go), unless Login
	// already says so.
	Viewer      Viewer
	Users       Users
	Login       string
	Owner, Repo string
	// Clock paces the polling of SARIF uploads; nil is the real clock.
	Clock Clock
	// Log receives one line per notable event (a wait, a retry); nil
	// discards them.
	Log io.Writer
}

// NewClient returns a Client for repository ("owner/name") on the REST API at
// apiURL ($GITHUB_API_URL: https://api.github.com, or
// https://HOST/api/v3 on GitHub Enterprise Server), authenticated with token
// and sending every request through t.
func NewClient(repository, apiURL, token string, t *Transport) (*Client, error) {
	owner, repo, ok := strings.Cut(repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("repository %q is not owner/name", repository)
	}
	if apiURL == "" {
		apiURL = "https://api.github.com"
	}
	base, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("API URL %q is not an http(s) URL", apiURL)
	}
	if base.Scheme == "http" && !loopback(base.Hostname()) {
		return nil, fmt.Errorf("API URL %q is plain http: the token would cross the network unencrypted (http is accepted only for a loopback host)", apiURL)
	}
	// go-github's WithAuthToken sets the header on every request, the
	// targets of redirects included; the token goes only to the API's own
	// scheme and host, and a redirect elsewhere is not followed.
	gh := github.NewClient(&http.Client{
		Transport:     &authTransport{next: t, token: token, origin: base},
		CheckRedirect: sameOrigin(base),
	})
	// GITHUB_API_URL is the REST root as it is; WithEnterpriseURLs would
	// append /api/v3/ and break GHE.com and the test server.
	gh.BaseURL = base
	gh.UploadURL = base
	gh.UserAgent = "stowaway"
	return &Client{
		PRs:          gh.PullRequests,
		CodeScanning: gh.CodeScanning,
		SARIF:        sarifStatusClient{gh},
		Viewer:       graphQLClient{gh, graphQLURL(base)},
		Users:        gh.Users,
		Contents:     gh.Repositories,
		Owner:        owner,
		Repo:         repo,
		Clock:        t.clock(),
		Log:          t.Log,
	}, nil
}

// logf writes one line to the log, which is the workflow's: file names and
// GitHub's messages in it are escaped so that they start no command.
func (c *Client) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintln(c.Log, actionlog.Line(fmt.Sprintf(format, args...)))
	}
}

func (c *Client) clock() Clock {
	if c.Clock == nil {
		return realClock{}
	}
	return c.Clock
}

// authTransport adds the token to requests for the API's origin only.
type authTransport struct {
	next   http.RoundTripper
	token  string
	origin *url.URL
}

func (a *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if a.token == "" || !isOrigin(req.URL, a.origin) {
		return a.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+a.token)
	return a.next.RoundTrip(r)
}

// ErrRedirect is a redirect away from the API's scheme and host, which is
// not followed.
var ErrRedirect = errors.New("GitHub API redirected the call to another host or scheme; not followed, so that the token and the request stay with the API")

func sameOrigin(origin *url.URL) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !isOrigin(req.URL, origin) {
			return ErrRedirect
		}
		if len(via) >= 10 {
			return errors.New("GitHub API redirected the call 10 times")
		}
		return nil
	}
}

// isOrigin reports whether u has origin's scheme, host and port.
func isOrigin(u, origin *url.URL) bool {
	return strings.EqualFold(u.Scheme, origin.Scheme) && strings.EqualFold(hostPort(u), hostPort(origin))
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	port := "443"
	if strings.EqualFold(u.Scheme, "http") {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// loopback reports whether host is localhost or a loopback address.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
