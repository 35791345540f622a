package checks

import (
	"math/rand/v2"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// plainWord skips BuildKit's lexer only where the lexer would return the
// word as it is: checked against the lexer on the words it accepts from
// random printable ASCII, both escape tokens.
func TestPlainWordIsWhatTheLexerReads(t *testing.T) {
	words := []string{"", "value", "a b c", "s3cr3t-P@ss.word_1", "https://example.com/x?y=1&z=2", "~/.npmrc", "a=b;c", "{{ x }}", "100%"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(' ' + r.IntN('~'-' '+1))
		}
		words = append(words, string(b))
	}
	plain := 0
	for _, escape := range []rune{'\\', '`'} {
		for _, w := range words {
			if !plainWord(w, escape) {
				continue
			}
			plain++
			res, err := shell.NewLex(escape).ProcessWordWithMatches(w, noEnv{})
			if err != nil || res.Result != w || len(res.Unmatched) > 0 {
				t.Errorf("plainWord(%q, %q) but the lexer reads %q, unmatched %v, error %v", w, escape, res.Result, res.Unmatched, err)
			}
		}
		for _, w := range []string{"$X", `a\b`, "'q'", `"q"`, "<<EOF", "caf\u00e9", "a\tb"} {
			if escape == '\\' && plainWord(w, escape) {
				t.Errorf("plainWord(%q) = true, want false", w)
			}
		}
	}
	if plain < 1000 {
		t.Fatalf("only %d plain words checked", plain)
	}
}
