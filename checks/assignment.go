package checks

import "strings"

// Assignment is what the value of one NAME=value assignment holds, judged
// once for every reader of assignments: ENV and LABEL pairs, ARG defaults,
// the ENV and ARG lines of a file BuildKit refuses, and the lines of a
// .env file a COPY sends. At most one of its kinds is set, in the order
// the fields are declared: a URL with credentials is url-credentials'
// finding, a known token format says what it is, a literal secret is
// judged by the name, and a connection string's password is one whatever
// the name.
type Assignment struct {
	URL          bool    // a URL with user information
	Tokens       []Token // known token formats, offsets within the literal
	Literal      bool    // a literal secret for the name (LiteralSecret)
	ConnPassword string  // the literal password of a connection string
}

// JudgeAssignment judges name=v. Values the configuration allows, whole or
// token by token, are never secrets.
func JudgeAssignment(name string, v Value, s *Settings) Assignment {
	lit := strings.TrimSpace(v.Literal)
	if lit == "" || s.Allowed(lit) {
		return Assignment{}
	}
	if URLWithCredentials(lit) {
		return Assignment{URL: true}
	}
	var toks []Token
	for _, t := range ValueTokens(name, lit) {
		if !s.Allowed(t.Secret) {
			toks = append(toks, t)
		}
	}
	if len(toks) > 0 {
		return Assignment{Tokens: toks}
	}
	if LiteralSecret(name, v, s) {
		return Assignment{Literal: true}
	}
	if pw, ok := ConnectionPassword(v, s); ok {
		return Assignment{ConnPassword: pw}
	}
	return Assignment{}
}

// Secret reports whether the value holds a secret of any kind.
func (a Assignment) Secret() bool {
	return a.URL || len(a.Tokens) > 0 || a.Literal || a.ConnPassword != ""
}
