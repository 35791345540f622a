package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan"
)

func TestRedirectElsewhereNeverCarriesTheToken(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			e := newEnv(t, bot)
			e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, []ghtest.File{{Filename: "Dockerfile", Status: "added", Patch: "@@ -0,0 +1 @@\n+FROM alpine"}})
			sink := ghtest.NewSink(t)
			e.srv.AddHostile(ghtest.Redirect(http.MethodGet, `/pulls/7/files$`, code, sink.URL))
			e.srv.AddHostile(ghtest.Redirect(http.MethodPost, `/code-scanning/sarifs$`, code, sink.URL))

			_, _, err := e.client.ListFiles(context.Background(), 7)
			if !errors.Is(err, ErrRedirect) {
				t.Errorf("ListFiles redirected to another host: %v, want ErrRedirect", err)
			}
			_, err = e.client.UploadSARIF(context.Background(), []byte(sarifLog), headSHA, "refs/pull/7/head", UploadOptions{})
			if !errors.Is(err, ErrRedirect) {
				t.Errorf("UploadSARIF redirected to another host: %v, want ErrRedirect", err)
			}
			if got := sink.Requests(); len(got) != 0 {
				t.Errorf("the other host got %+v, want nothing", got)
			}
			if n := len(e.srv.Uploads(repoName)); n != 0 {
				t.Errorf("%d uploads stored", n)
			}
		})
	}
}

func TestRedirectToAnotherSchemeIsNotFollowed(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	// The same host and port under https: a change of scheme is another
	// origin, as a downgrade from https to http is.
	e.srv.AddHostile(ghtest.Redirect(http.MethodGet, `/pulls/7$`, http.StatusFound, strings.Replace(e.srv.URL, "http://", "https://", 1)))
	if _, _, err := e.client.Head(context.Background(), 7); !errors.Is(err, ErrRedirect) {
		t.Errorf("Head redirected to https: %v, want ErrRedirect", err)
	}
}

func TestRedirectWithinTheAPIIsFollowed(t *testing.T) {
	// GitHub answers 301 for a renamed repository, on its own host.
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, []ghtest.File{{Filename: "Dockerfile", Status: "added", Patch: "@@ -0,0 +1 @@\n+FROM alpine"}})
	h := ghtest.Redirect(http.MethodGet, `/pulls/7/files$`, http.StatusMovedPermanently, e.srv.URL)
	h.Times = 1
	e.srv.AddHostile(h)
	files, _, err := e.client.ListFiles(context.Background(), 7)
	if err != nil || len(files) != 1 {
		t.Fatalf("ListFiles through a redirect on the API host: %d files, %v", len(files), err)
	}
}

func TestNewClientRefusesPlainHTTPOffLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://api.github.com", true},
		{"https://ghe.example.com/api/v3", true},
		{"http://127.0.0.1:8080", true},
		{"http://127.3.2.1", true},
		{"http://localhost:1234/api/v3", true},
		{"http://[::1]:1234", true},
		{"http://example.com", false},
		{"http://api.github.com", false},
		{"http://localhost.example.com", false},
		{"http://127.0.0.1.example.com", false},
		{"http://10.0.0.1", false},
		{"ftp://example.com", false},
	}
	for _, tt := range tests {
		_, err := NewClient(repoName, tt.url, token, &Transport{})
		if (err == nil) != tt.ok {
			t.Errorf("NewClient(%q) = %v, want ok %v", tt.url, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), tt.url) {
			t.Errorf("NewClient(%q): %v does not name the URL", tt.url, err)
		}
	}
}

func TestIsOrigin(t *testing.T) {
	tests := []struct {
		u, origin string
		want      bool
	}{
		{"https://api.github.com/repos/a/b", "https://api.github.com/", true},
		{"https://API.github.com:443/repos/a/b", "https://api.github.com/", true},
		{"http://api.github.com/repos/a/b", "https://api.github.com/", false},
		{"https://api.github.com:8443/x", "https://api.github.com/", false},
		{"https://uploads.github.com/x", "https://api.github.com/", false},
		{"http://127.0.0.1:80/x", "http://127.0.0.1/", true},
		{"http://[::1]:8080/x", "http://[::1]:8080/", true},
		{"http://[::1]:8081/x", "http://[::1]:8080/", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.u)
		o, _ := url.Parse(tt.origin)
		if got := isOrigin(u, o); got != tt.want {
			t.Errorf("isOrigin(%s, %s) = %v, want %v", tt.u, tt.origin, got, tt.want)
		}
	}
}

func TestStalledCallTimesOut(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	var stalls atomic.Int32
	h := ghtest.Stall(http.MethodGet, `/pulls/7$`)
	h.Stalled = func() { stalls.Add(1); e.clock.Advance(attemptTimeout) }
	e.srv.AddHostile(h)
	_, _, err := e.client.Head(context.Background(), 7)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Deadline || te.After != attemptTimeout {
		t.Fatalf("Head of a stalled API: %v, want a *TimeoutError after %s", err, attemptTimeout)
	}
	if !strings.Contains(err.Error(), "no complete answer within 30s") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q", err)
	}
	if want := "GitHub API: GET /repos/acme/app/pulls/7: no complete answer within 30s; retrying in 1s\n"; !strings.HasPrefix(e.log.String(), want) {
		t.Errorf("log %q, want it to start with %q", e.log, want)
	}
	// A stalled GET is tried again, like a 5xx, then given up.
	if n := stalls.Load(); n != 1+maxServerRetries {
		t.Errorf("%d requests, want %d", n, 1+maxServerRetries)
	}
}

func TestStalledBodyTimesOut(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	h := ghtest.StallBody(http.MethodGet, `/pulls/7/files$`, `[{"filename":"Dockerfile","status":"add`)
	h.Stalled = func() { e.clock.Advance(attemptTimeout) }
	e.srv.AddHostile(h)
	_, _, err := e.client.ListFiles(context.Background(), 7)
	var te *TimeoutError
	if !errors.As(err, &te) || te.Deadline {
		t.Fatalf("ListFiles of an answer that stops mid-body: %v, want a *TimeoutError", err)
	}
	if !strings.HasPrefix(err.Error(), "listing files of pull request #7: ") {
		t.Errorf("error %q does not say what it was doing", err)
	}
}

func TestDeadlineBoundsAllCalls(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	start := e.clock.Now()
	deadline := start.Add(time.Minute)
	c, err := NewClient(repoName, e.srv.APIURL(), token, &Transport{Clock: e.clock, Deadline: deadline})
	if err != nil {
		t.Fatal(err)
	}
	var stalls atomic.Int32
	h := ghtest.Stall(http.MethodGet, `/pulls/7$`)
	h.Stalled = func() { stalls.Add(1); e.clock.Advance(attemptTimeout) }
	e.srv.AddHostile(h)
	// 30s, a retry a second later, then the 29s left.
	_, _, err = c.Head(context.Background(), 7)
	var te *TimeoutError
	if !errors.As(err, &te) || !te.Deadline || !strings.Contains(err.Error(), "api-timeout") {
		t.Fatalf("Head past the deadline: %v, want the deadline's *TimeoutError", err)
	}
	if n := stalls.Load(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if now := e.clock.Now(); now.After(deadline.Add(attemptTimeout)) {
		t.Errorf("the call ended %s after it started, past the deadline of 1m", now.Sub(start))
	}
	// Once the deadline has passed, no call is sent at all.
	_, _, err = c.ListFiles(context.Background(), 7)
	if !errors.As(err, &te) || !te.Deadline || te.After != 0 {
		t.Errorf("ListFiles after the deadline: %v, want the deadline's *TimeoutError before any attempt", err)
	}
}

func TestWaitsThatPassTheDeadlineFailAtOnce(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration // of the transport; 0: none
		ctx      time.Duration // of the context; 0: none
	}{
		{"transport deadline", time.Minute, 0},
		{"context deadline", 0, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, bot)
			e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
			tr := &Transport{Clock: e.clock, MaxWait: 24 * time.Hour}
			if tt.deadline > 0 {
				tr.Deadline = e.clock.Now().Add(tt.deadline)
			}
			c, err := NewClient(repoName, e.srv.APIURL(), token, tr)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tt.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctx)
				defer cancel()
			}
			// Two hours: longer than either deadline.
			e.srv.AddFault(ghtest.SecondaryLimit(http.MethodGet, `/pulls/7$`, http.StatusTooManyRequests, 7200))
			_, _, err = c.Head(ctx, 7)
			var rl *RateLimitError
			if !errors.As(err, &rl) {
				t.Fatalf("Head under a 2h limit: %v, want a *RateLimitError", err)
			}
			if len(e.clock.Slept()) != 0 {
				t.Errorf("waited %v", e.clock.Slept())
			}
		})
	}
}

func TestInvalidJSONIsAClearError(t *testing.T) {
	for _, body := range []string{"<html><body>502 Bad Gateway</body></html>", `[{"filename":"Dockerfile"`, `{"message":"not a list"}`} {
		t.Run(body, func(t *testing.T) {
			e := newEnv(t, bot)
			e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
			e.srv.AddHostile(ghtest.InvalidJSON(http.MethodGet, `/pulls/7/files$`, body))
			_, _, err := e.client.ListFiles(context.Background(), 7)
			if err == nil || !strings.Contains(err.Error(), "listing files of pull request #7: GitHub's answer is not the JSON its API sends") {
				t.Errorf("ListFiles of %q: %v", body, err)
			}
		})
	}
}

// TestNoAnswerCrashesTheClient sends every call of a run an answer that is
// not the JSON GitHub sends: each is an error or an empty result, never a
// panic.
func TestNoAnswerCrashesTheClient(t *testing.T) {
	calls := []struct{ method, path string }{
		{http.MethodGet, `/pulls/7$`},
		{http.MethodGet, `/pulls/7/files$`},
		{http.MethodGet, `/pulls/7/comments$`},
		{http.MethodGet, `/pulls/7/reviews$`},
		{http.MethodPost, `/pulls/7/reviews$`},
		{http.MethodPatch, `/pulls/comments/`},
		{http.MethodPost, `/code-scanning/sarifs$`},
		{http.MethodGet, `/code-scanning/sarifs/`},
	}
	bodies := []string{"", "[null]", "<html>Bad Gateway</html>", "null", "{}", "[]", `{"id":`, `[1,2,3]`, `{"id":"x","html_url":7,"head":[]}`, `[null,{"filename":null,"patch":7}]`}
	for _, call := range calls {
		for _, body := range bodies {
			t.Run(call.method+call.path+body, func(t *testing.T) {
				e := newEnv(t, bot)
				files := e.openPR(t, map[string]string{}, map[string]string{"Dockerfile": dockerfile(2, "API_TOKEN")})
				h := ghtest.InvalidJSON(call.method, call.path, body)
				if call.method == http.MethodPost && strings.Contains(call.path, "sarifs") {
					h.Status = http.StatusAccepted
				}
				e.srv.AddHostile(h)
				ctx := context.Background()
				_, _, _ = e.client.Head(ctx, 7)
				_, _, _ = e.client.ListFiles(ctx, 7)
				fs := []scan.Finding{finding("Dockerfile", 2, "API_TOKEN_0")}
				_, _ = e.client.Review(ctx, Review{Number: 7, HeadSHA: headSHA, Event: "COMMENT", Files: files, Findings: fs, Current: fs})
				_, _ = e.client.Review(ctx, Review{Number: 7, HeadSHA: headSHA, Event: "COMMENT", Files: files})
				_, _ = e.client.UploadSARIF(ctx, []byte(sarifLog), headSHA, "refs/pull/7/head", UploadOptions{})
			})
		}
	}
}

func TestUploadOutlivingTheDeadlineIsNoError(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	c, err := NewClient(repoName, e.srv.APIURL(), token, &Transport{Clock: e.clock, Log: e.log, Deadline: e.clock.Now().Add(10 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/code-scanning/sarifs/`), Status: http.StatusOK,
		Body: `{"processing_status":"pending"}`, Times: 100})
	up, err := c.UploadSARIF(context.Background(), []byte(sarifLog), headSHA, "refs/pull/7/head", UploadOptions{})
	if err != nil || up == nil || up.Status != "pending" {
		t.Fatalf("UploadSARIF whose processing outlives the deadline: %+v, %v; want it pending, no error", up, err)
	}
	if len(e.srv.Uploads(repoName)) != 1 {
		t.Errorf("uploads %+v", e.srv.Uploads(repoName))
	}
	wantLog := "still being processed; api-timeout leaves no time to wait longer"
	if !strings.Contains(e.log.String(), wantLog) {
		t.Errorf("log %q lacks %q", e.log, wantLog)
	}
}
