package ghtest

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-github/v60/github"
)

func TestTokensAnswerWhoTheyAre(t *testing.T) {
	s := New(t)
	s.Prefix = "/api/v3"
	s.AddRepo("acme/app")
	s.AddToken("pat", Token{Login: "sec-team-bot"})
	s.AddToken("ghs", Token{Login: "github-actions[bot]", ReadOnly: true})
	ctx := context.Background()

	u, _, err := client(t, s, "pat").Users.Get(ctx, "")
	if err != nil || u.GetLogin() != "sec-team-bot" || u.GetType() != "User" {
		t.Errorf("GET /user with a personal token: %+v, %v", u, err)
	}
	_, _, err = client(t, s, "ghs").Users.Get(ctx, "")
	if er, ok := err.(*github.ErrorResponse); !ok || er.Response.StatusCode != http.StatusForbidden || er.Message != "Resource not accessible by integration" {
		t.Errorf("GET /user with an installation token: %v, want 403 Resource not accessible by integration", err)
	}

	// GraphQL sits beside /api/v3 and answers a read-only token's query.
	c := client(t, s, "ghs")
	req, err := c.NewRequest(http.MethodPost, s.URL+"/api/graphql", map[string]string{"query": "query{viewer{login}}"})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Data struct{ Viewer struct{ Login string } }
	}
	if _, err := c.Do(ctx, req, &out); err != nil || out.Data.Viewer.Login != "github-actions[bot]" {
		t.Errorf("GraphQL viewer: %+v, %v", out, err)
	}
}

func TestWriteAccessEditsAnyonesComment(t *testing.T) {
	s := New(t)
	s.AddRepo("acme/app")
	s.AddToken("t", Token{Login: "github-actions[bot]"})
	s.AddPR("acme/app", &PR{Number: 1, Author: "octocat", Head: "1111111111111111111111111111111111111111"}, nil)
	human := s.AddComment("acme/app", 1, &Comment{User: "octocat", Path: "Dockerfile", Line: 1, Body: "mine"})
	rv := s.AddReview("acme/app", 1, &Review{User: "reviewer-rita", State: "CHANGES_REQUESTED", Body: "fix it"})
	c := client(t, s, "t")
	ctx := context.Background()
	if _, _, err := c.PullRequests.EditComment(ctx, "acme", "app", human.ID, &github.PullRequestComment{Body: github.String("edited")}); err != nil {
		t.Errorf("editing another user's comment: %v", err)
	}
	if _, _, err := c.PullRequests.DismissReview(ctx, "acme", "app", 1, rv.ID, &github.PullRequestReviewDismissalRequest{Message: github.String("x")}); err != nil {
		t.Errorf("dismissing another user's review: %v", err)
	}
	pr := s.Snapshot("acme/app", 1)
	if pr.Comments[0].Body != "edited" || pr.Reviews[0].State != "DISMISSED" {
		t.Errorf("GitHub lets write access do both: %+v %+v", pr.Comments[0], pr.Reviews[0])
	}
}
