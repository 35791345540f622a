package scan

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSuggestionSaysItIsRedacted: a suggestion whose edit quotes a line
// holding a secret comes out masked and says so, so that no consumer
// offers to commit "ghp_…(40 chars)"; one without a secret says nothing.
func TestSuggestionSaysItIsRedacted(t *testing.T) {
	tok := "ghp_" + "q8Xw2Lm5FAKERt9Vy3Np" + "7Kd1Hs6Bf4Gj0CxZ"
	fsys := fstest.MapFS{
		"inrun/Dockerfile": {Data: []byte("FROM alpine\nARG NPM_TOKEN\nRUN curl -H \"Authorization: token " + tok + "\" https://api.github.com/user && npm ci --token=$NPM_TOKEN\n")},
		"plain/Dockerfile": {Data: []byte("FROM alpine\nARG NPM_TOKEN\nRUN npm ci --token=$NPM_TOKEN\n")},
	}
	res, err := Scan(context.Background(), fsys, []string{"."}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range res.Findings {
		s := f.Suggestion
		if s == nil {
			continue
		}
		seen[f.Path] = true
		want := f.Path == "inrun/Dockerfile"
		if s.Redacted != want {
			t.Errorf("%s: %s: Redacted %v, want %v", f.Path, f.RuleID, s.Redacted, want)
		}
		for _, e := range s.Edits() {
			if strings.Contains(e.Text, tok[4:12]) {
				t.Errorf("%s: an edit holds the secret", f.Path)
			}
		}
	}
	if !seen["inrun/Dockerfile"] || !seen["plain/Dockerfile"] {
		t.Fatalf("suggestions on %v, want both Dockerfiles", seen)
	}
}
