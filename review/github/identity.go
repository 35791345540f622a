package github

// Who the Action is, as GitHub answers it:
//
//   - GraphQL's viewer { login } answers for every kind of token: a user's
//     login for a personal access token, <app-slug>[bot] for a GitHub App
//     installation token, github-actions[bot] for the workflow's
//     GITHUB_TOKEN. The REST API reports the same logins as a comment's or
//     review's user.login.
//   - GET /user answers only for a user's token: installation tokens get
//     403 "Resource not accessible by integration" (the same words as a
//     read-only token's refusal, so that answer must not be read as one).
//   - GraphQL lives next to the REST root: https://api.github.com/graphql,
//     https://HOST/api/graphql beside https://HOST/api/v3 on GitHub
//     Enterprise Server.
//
// Anyone can write a marker into a comment, and anyone with write access
// may edit or dismiss anyone's comment and review, so Review reads markers
// only in comments and reviews whose user.login is the token's own, and
// writes to nothing else.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"
)

// workflowBot is the account of the workflow's GITHUB_TOKEN, the Action's
// default token.
const workflowBot = "github-actions[bot]"

// Users is the part of go-github's UsersService that tells who a personal
// token is.
type Users interface {
	Get(ctx context.Context, user string) (*github.User, *github.Response, error)
}

// Viewer tells who a token is through GraphQL.
type Viewer interface {
	ViewerLogin(ctx context.Context) (string, error)
}

var (
	_ Users  = (*github.UsersService)(nil)
	_ Viewer = graphQLClient{}
)

type graphQLClient struct {
	c   *github.Client
	url string
}

// graphQLURL is GraphQL's endpoint beside the REST root base (which ends in
// a slash).
func graphQLURL(base *url.URL) string {
	u := *base
	if p, ok := strings.CutSuffix(u.Path, "/v3/"); ok {
		u.Path = p + "/graphql"
	} else {
		u.Path += "graphql"
	}
	return u.String()
}

func (g graphQLClient) ViewerLogin(ctx context.Context) (string, error) {
	req, err := g.c.NewRequest(http.MethodPost, g.url, map[string]string{"query": "query { viewer { login } }"})
	if err != nil {
		return "", err
	}
	var out struct {
		Data struct {
			Viewer struct {
				Login string `json:"login"`
			} `json:"viewer"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if _, err := g.c.Do(ctx, req, &out); err != nil {
		return "", err
	}
	if len(out.Errors) > 0 {
		return "", errors.New(out.Errors[0].Message)
	}
	if out.Data.Viewer.Login == "" {
		return "", errors.New("GraphQL's viewer has no login")
	}
	return out.Data.Viewer.Login, nil
}

// identity is who the token writes as.
type identity struct {
	login string
	// guessed: neither GraphQL nor /user answered, and login is the
	// workflow token's account, taken on trust.
	guessed bool
}

// owns reports whether a comment or review by user was written with this
// token. Logins are case-insensitive.
func (id identity) owns(user *github.User) bool {
	return user != nil && strings.EqualFold(user.GetLogin(), id.login)
}

// whoAmI learns the token's login: c.Login when set, else GraphQL's viewer,
// else GET /user, else the workflow token's account.
func (c *Client) whoAmI(ctx context.Context) identity {
	if c.Login != "" {
		return identity{login: c.Login}
	}
	var errs []string
	if c.Viewer != nil {
		login, err := c.Viewer.ViewerLogin(ctx)
		if err == nil {
			c.Login = login
			return identity{login: login}
		}
		errs = append(errs, fmt.Sprintf("GraphQL viewer: %v", err))
	}
	if c.Users != nil {
		u, _, err := c.Users.Get(ctx, "")
		if err == nil && u.GetLogin() != "" {
			c.Login = u.GetLogin()
			return identity{login: c.Login}
		}
		errs = append(errs, fmt.Sprintf("GET /user: %v", err))
	}
	c.logf("Cannot tell which account this token writes as (%s): taking it for %s, the workflow token's account, until the review it posts says otherwise",
		strings.Join(errs, "; "), workflowBot)
	return identity{login: workflowBot, guessed: true}
}
