package ghtest

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-github/v60/github"
)

func client(t *testing.T, s *Server, token string) *github.Client {
	t.Helper()
	c := github.NewClient(nil).WithAuthToken(token)
	u, err := url.Parse(s.APIURL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL = u
	return c
}

func status(err error) int {
	if er, ok := err.(*github.ErrorResponse); ok {
		return er.Response.StatusCode
	}
	return 0
}

func TestReviewWithOneCommentOffTheDiffIsRefusedWhole(t *testing.T) {
	s := New(t)
	s.AddRepo("acme/app")
	s.AddToken("t", Token{Login: "bot"})
	sha := "1111111111111111111111111111111111111111"
	s.AddPR("acme/app", &PR{Number: 1, Head: sha}, Diff(
		map[string]string{"Dockerfile": "FROM a\nRUN b\nRUN c\nRUN d\nRUN e\nRUN f\nRUN g\nRUN h\nRUN i\n"},
		map[string]string{"Dockerfile": "FROM a\nENV X=y\nRUN b\nRUN c\nRUN d\nRUN e\nRUN f\nRUN g\nRUN h\nRUN i\n"},
	))
	c := client(t, s, "t")
	comment := func(line int) *github.DraftReviewComment {
		return &github.DraftReviewComment{Path: github.String("Dockerfile"), Body: github.String("x"), Line: github.Int(line), Side: github.String("RIGHT")}
	}
	_, _, err := c.PullRequests.CreateReview(context.Background(), "acme", "app", 1, &github.PullRequestReviewRequest{
		CommitID: github.String(sha), Event: github.String("COMMENT"),
		Comments: []*github.DraftReviewComment{comment(2), comment(10)},
	})
	if status(err) != http.StatusUnprocessableEntity {
		t.Fatalf("review with a comment outside every hunk: %v, want 422", err)
	}
	if pr := s.Snapshot("acme/app", 1); len(pr.Reviews) != 0 || len(pr.Comments) != 0 {
		t.Errorf("a refused review left %d reviews and %d comments", len(pr.Reviews), len(pr.Comments))
	}
	// A context line inside the hunk is part of the diff.
	if _, _, err := c.PullRequests.CreateReview(context.Background(), "acme", "app", 1, &github.PullRequestReviewRequest{
		CommitID: github.String(sha), Event: github.String("COMMENT"),
		Comments: []*github.DraftReviewComment{comment(2), comment(5)},
	}); err != nil {
		t.Errorf("review on an added line and a context line: %v", err)
	}
}

func TestReadOnlyTokenCannotWrite(t *testing.T) {
	s := New(t)
	s.AddRepo("acme/app")
	s.AddToken("ro", Token{Login: "bot", ReadOnly: true})
	s.AddPR("acme/app", &PR{Number: 1, Head: "1111111111111111111111111111111111111111"}, nil)
	c := client(t, s, "ro")
	if _, _, err := c.PullRequests.ListFiles(context.Background(), "acme", "app", 1, nil); err != nil {
		t.Errorf("a read-only token cannot read: %v", err)
	}
	_, _, err := c.PullRequests.CreateReview(context.Background(), "acme", "app", 1, &github.PullRequestReviewRequest{Body: github.String("x"), Event: github.String("COMMENT")})
	if er, ok := err.(*github.ErrorResponse); !ok || er.Response.StatusCode != http.StatusForbidden || er.Message != "Resource not accessible by integration" {
		t.Errorf("review with a read-only token: %v, want 403 Resource not accessible by integration", err)
	}
}

func TestUploadMustBeGzippedAndBase64(t *testing.T) {
	s := New(t)
	s.AddRepo("acme/app").Branches["refs/heads/main"] = "1111111111111111111111111111111111111111"
	s.AddToken("t", Token{Login: "bot"})
	c := client(t, s, "t")
	_, _, err := c.CodeScanning.UploadSarif(context.Background(), "acme", "app", &github.SarifAnalysis{
		CommitSHA: github.String("1111111111111111111111111111111111111111"), Ref: github.String("refs/heads/main"),
		Sarif: github.String(`{"version":"2.1.0","runs":[]}`),
	})
	if status(err) != http.StatusBadRequest {
		t.Errorf("upload of plain JSON: %v, want 400", err)
	}
	if ups := s.Uploads("acme/app"); len(ups) != 0 {
		t.Errorf("a refused upload was stored: %+v", ups)
	}
}
