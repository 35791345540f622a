package ghtest

// Who a token is, as GitHub answers it:
//
//   - A personal access token is a user: GET /user answers with its login
//     and type "User".
//   - An installation token (the workflow's GITHUB_TOKEN, whose account is
//     github-actions[bot], or a GitHub App's, <app-slug>[bot]) is refused
//     GET /user with 403 "Resource not accessible by integration"; GraphQL's
//     viewer answers its login for every kind of token.
//   - GraphQL is served at /graphql on github.com and at /api/graphql on
//     GitHub Enterprise Server (REST at /api/v3); a query is a POST that a
//     read-only token may send.
//   - Anyone with write access may edit anyone's comment or review body, and
//     dismiss anyone's review: a run that touches a human's comment is not
//     stopped by GitHub, so the fake does not stop it either.
//
// Hostile pull requests: AddComment and AddReview plant comments and
// reviews by other users (a pull request's author, a reviewer) holding
// whatever body a test gives, Stowaway's markers included.

import (
	"encoding/json"
	"net/http"
	"strings"
)

// TokenKind is how a token authenticates.
type TokenKind int

const (
	// Inferred is the zero value: an installation token when the login ends
	// in [bot], else a personal access token.
	Inferred TokenKind = iota
	// Personal is a personal access token (classic or fine-grained).
	Personal
	// Installation is a GitHub App installation token, the workflow's
	// GITHUB_TOKEN included.
	Installation
)

func (tk Token) kind() TokenKind {
	if tk.Kind != Inferred {
		return tk.Kind
	}
	if strings.HasSuffix(tk.Login, "[bot]") {
		return Installation
	}
	return Personal
}

// userJSON is a user as the REST API embeds it.
func userJSON(login string) map[string]any {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return map[string]any{"login": login, "type": typ}
}

// graphQLPath is where GraphQL is served: next to the REST root.
func (s *Server) graphQLPath() string {
	if p, ok := strings.CutSuffix(s.Prefix, "/v3"); ok {
		return p + "/graphql"
	}
	return s.Prefix + "/graphql"
}

// identity answers GET /user and GraphQL's viewer query; it reports
// whether the request was one of them.
func (s *Server) identity(w http.ResponseWriter, req *http.Request, p string, body []byte, tok Token) bool {
	switch {
	case req.Method == http.MethodGet && p == "/user":
		if tok.kind() == Installation {
			writeJSON(w, http.StatusForbidden, map[string]string{
				"message":           "Resource not accessible by integration",
				"documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
				"status":            "403",
			})
			return true
		}
		writeJSON(w, http.StatusOK, userJSON(tok.Login))
		return true
	case req.Method == http.MethodPost && req.URL.Path == s.graphQLPath():
		s.graphQL(w, body, tok)
		return true
	}
	return false
}

// graphQL answers the one query Stowaway sends, viewer { login }; GraphQL
// reports errors in a 200 answer.
func (s *Server) graphQL(w http.ResponseWriter, body []byte, tok Token) {
	var in struct {
		Query string `json:"query"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	if strings.Join(strings.Fields(strings.NewReplacer("{", " { ", "}", " } ").Replace(in.Query)), " ") != "query { viewer { login } }" {
		s.t.Errorf("ghtest: unexpected GraphQL query %q", in.Query)
		writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]string{{"message": "this fake answers only viewer { login }"}}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"viewer": map[string]string{"login": tok.Login}}})
}

// AddComment stores a review comment written by someone other than the
// token, as it is, and returns it with its ID. Its body is not checked:
// a hostile author writes what they like.
func (s *Server) AddComment(repo string, number int, c *Comment) *Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := s.repos[repo].PRs[number]
	s.nextID++
	c.ID = s.nextID
	if c.Side == "" {
		c.Side = "RIGHT"
	}
	if c.CommitID == "" {
		c.CommitID = pr.Head
	}
	pr.Comments = append(pr.Comments, c)
	return c
}

// AddReview stores a submitted review written by someone other than the
// token, with its comments, and returns it with its ID.
func (s *Server) AddReview(repo string, number int, rv *Review, comments ...*Comment) *Review {
	s.mu.Lock()
	pr := s.repos[repo].PRs[number]
	s.nextID++
	rv.ID = s.nextID
	if rv.CommitID == "" {
		rv.CommitID = pr.Head
	}
	pr.Reviews = append(pr.Reviews, rv)
	s.mu.Unlock()
	for _, c := range comments {
		c.ReviewID = rv.ID
		if c.User == "" {
			c.User = rv.User
		}
		s.AddComment(repo, number, c)
	}
	return rv
}
