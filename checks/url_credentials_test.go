package checks

import (
	"math/rand"
	"strings"
	"testing"
)

// TestMayHoldUserinfo checks that the prefilter never hides a match of
// urlUserinfoRE, on texts built from URL pieces.
func TestMayHoldUserinfo(t *testing.T) {
	pieces := []string{"https", "://", "git+ssh", "user", ":", "p4ss", "@", "host", "/", "?", "#", " ", "\t", "\n",
		"\"", "'", "`", "<", ">", "\\", "x", "-", ".", "9", "_", "$TOKEN", "%40", "é"}
	rng := rand.New(rand.NewSource(2))
	for range 20000 {
		var b strings.Builder
		for range rng.Intn(12) {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		text := b.String()
		if urlUserinfoRE().MatchString(text) && !mayHoldUserinfo(text) {
			t.Fatalf("%q: the regexp matches, the prefilter says no", text)
		}
	}
	for text, want := range map[string]bool{
		"curl https://example.com/a@b":        false, // @ after the path
		"git clone https://user:pw@host/repo": true,
		"see https://x.io and mail me@x.io":   false,
		"s://@h":                              false, // no user information
	} {
		if got := mayHoldUserinfo(text); got != want {
			t.Errorf("mayHoldUserinfo(%q) = %v, want %v", text, got, want)
		}
	}
}
