package ghreview

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/ghreview/ghtest"
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
