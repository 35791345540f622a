package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/stowaway-dev/stowaway/review/github/ghtest"
)

func TestListFilesFollowsEveryPage(t *testing.T) {
	tests := []struct {
		n, want  int
		complete bool
	}{
		{1, 1, true},
		{250, 250, true},
		{MaxFiles, MaxFiles, false},
		{3500, MaxFiles, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			e := newEnv(t, bot)
			var files []ghtest.File
			for i := range tt.n {
				files = append(files, ghtest.File{Filename: fmt.Sprintf("svc%04d/Dockerfile", i), Status: "added", Patch: "@@ -0,0 +1 @@\n+FROM alpine"})
			}
			e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, files)
			got, complete, err := e.client.ListFiles(context.Background(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || complete != tt.complete {
				t.Errorf("ListFiles: %d files, complete %v; want %d, %v", len(got), complete, tt.want, tt.complete)
			}
			if last := got[len(got)-1]; last.Path != files[tt.want-1].Filename || !last.Added(1) {
				t.Errorf("last file %s (line 1 added: %v), want %s", last.Path, last.Added(1), files[tt.want-1].Filename)
			}
		})
	}
}

func TestListFilesRetriesA502(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, []ghtest.File{{Filename: "Dockerfile", Status: "added", Patch: "@@ -0,0 +1 @@\n+FROM alpine"}})
	e.srv.AddFault(ghtest.ServerError(http.MethodGet, `/pulls/7/files$`))
	files, _, err := e.client.ListFiles(context.Background(), 7)
	if err != nil || len(files) != 1 {
		t.Fatalf("ListFiles after a 502: %d files, %v", len(files), err)
	}
	if !strings.Contains(e.log.String(), "answered 502; retrying in 1s") {
		t.Errorf("the log does not mention the retry:\n%s", e.log)
	}
}

func TestListFilesKeepsAFileWithoutPatch(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, []ghtest.File{
		{Filename: "big/Dockerfile", Status: "modified"}, // GitHub omits large patches
		{Filename: "new/Dockerfile", Status: "renamed", PreviousFilename: "old/Dockerfile"},
	})
	files, _, err := e.client.ListFiles(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].LinesKnown() || files[1].PreviousPath != "old/Dockerfile" {
		t.Errorf("files %+v %+v: want both changed with unknown lines, the second renamed", *files[0], *files[1])
	}
}

func TestTransportWaitsForThePrimaryLimit(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	reset := e.clock.Now().Add(90 * time.Second)
	// One call left: the second call meets the limit. go-github, left to
	// itself, would refuse it locally until the wall-clock reset.
	e.srv.SetRateLimit(5000, 1, reset)
	ctx := context.Background()
	for i := range 3 {
		if _, _, err := e.client.ListFiles(ctx, 7); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	if e.clock.Now().Before(reset) {
		t.Errorf("the calls went through before the reset at %v (now %v)", reset, e.clock.Now())
	}
	if !strings.Contains(e.log.String(), "rate limit exhausted: waiting 1m31s") {
		t.Errorf("the log does not say it waited for the reset:\n%s", e.log)
	}
	var limited int
	for _, r := range e.srv.Requests() {
		if r.Status == http.StatusForbidden {
			limited++
		}
	}
	if limited != 0 {
		t.Errorf("%d requests spent on a known exhausted limit", limited)
	}
}

func TestTransportMeetsThePrimaryLimit(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	// The limit is already exhausted by another job using the same token.
	e.srv.SetRateLimit(5000, 0, e.clock.Now().Add(5*time.Minute))
	if _, _, err := e.client.ListFiles(context.Background(), 7); err != nil {
		t.Fatalf("ListFiles: %v", err)
	}
	if !strings.Contains(e.log.String(), "rate limit on GET") {
		t.Errorf("the log does not mention the limit:\n%s", e.log)
	}
}

func TestTransportGivesUpOnALongLimit(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	e.srv.SetRateLimit(5000, 0, e.clock.Now().Add(time.Hour))
	_, _, err := e.client.ListFiles(context.Background(), 7)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Secondary {
		t.Fatalf("ListFiles under an hour-long limit: %v, want a primary *RateLimitError", err)
	}
	if !strings.Contains(err.Error(), "rate limit exceeded until") {
		t.Errorf("error %q does not say until when", err)
	}
}

func TestTransportBacksOffA429WithoutRetryAfter(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/files$`), Status: http.StatusTooManyRequests, Body: `{"message":"Too many requests"}`, Times: 2})
	if _, _, err := e.client.ListFiles(context.Background(), 7); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"waiting 1m0s", "waiting 2m0s"} {
		if !strings.Contains(e.log.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, e.log)
		}
	}
}

func TestTransportDoesNotRepeatAPOSTAfterA5xx(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	f := ghtest.ServerError(http.MethodPost, `/reviews$`)
	f.Times = 10
	e.srv.AddFault(f)
	_, _, err := e.client.PRs.CreateReview(context.Background(), e.client.Owner, e.client.Repo, 7, &github.PullRequestReviewRequest{Body: github.String("x"), Event: github.String("COMMENT")})
	if status(err) != http.StatusBadGateway {
		t.Fatalf("CreateReview: %v, want the 502", err)
	}
	var posts int
	for _, r := range e.srv.Requests() {
		if r.Method == http.MethodPost {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("the transport sent the POST %d times", posts)
	}
}

func TestTransportSpacesMutations(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	ctx := context.Background()
	for range 3 {
		if _, err := e.client.probe(ctx, 7, headSHA, nil); err != nil {
			t.Fatal(err)
		}
	}
	var gaps int
	for _, d := range e.clock.Slept() {
		if d == time.Second {
			gaps++
		}
	}
	// Six mutations (three creates, three deletes) in an instant: five gaps.
	if gaps != 5 {
		t.Errorf("waits between mutations %v, want five of 1s", e.clock.Slept())
	}
}

func TestTransportHonoursTheAPIRoot(t *testing.T) {
	// GitHub Enterprise Server serves the API under /api/v3.
	srv := ghtest.New(t)
	srv.Prefix = "/api/v3"
	srv.AddRepo(repoName)
	srv.AddToken(token, bot)
	srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, []ghtest.File{{Filename: "Dockerfile", Status: "added", Patch: "@@ -0,0 +1 @@\n+FROM alpine"}})
	c, err := NewClient(repoName, srv.APIURL(), token, &Transport{Clock: ghtest.NewClock()})
	if err != nil {
		t.Fatal(err)
	}
	files, _, err := c.ListFiles(context.Background(), 7)
	if err != nil || len(files) != 1 {
		t.Fatalf("ListFiles on GHES: %d files, %v", len(files), err)
	}
}
