package checks

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// ReadValue skips BuildKit's lexer for a plain word and for one reference
// in plain words: checked against the lexer (lexValue) on random words of
// printable ASCII rich in $, braces and name bytes, with both escape
// tokens.
func TestReadValueShortcutsAreWhatTheLexerReads(t *testing.T) {
	words := []string{"", "value", "a b c", "s3cr3t-P@ss.word_1", "https://example.com/x?y=1&z=2", "~/.npmrc",
		"${VERSION}", "$VERSION", "v${VERSION}-rc", "$A.b", "${A}}", "$_x9", "${9}", "$1", "$$", "${A:-b}", "${A", "$", "a$"}
	alphabet := []byte(" !#%&()*+,-./0123456789:;=>?@ABZ[]^_`abz{|}~$$$$\\\"'<")
	r := rand.New(rand.NewPCG(1, 2))
	for range 40000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		words = append(words, string(b))
	}
	shortcuts := map[bool]int{}
	for _, escape := range []rune{'\\', '`'} {
		for _, w := range words {
			_, _, _, ref := oneReference(w, escape)
			plain := plainWord(w, escape)
			if !plain && !ref {
				continue
			}
			shortcuts[plain]++
			if got, want := ReadValue(w, escape), (*State)(nil).lexValue(w, escape); !reflect.DeepEqual(got, want) {
				t.Errorf("ReadValue(%q, %q) = %#v, the lexer reads %#v", w, escape, got, want)
			}
		}
	}
	for _, w := range []string{"$X$Y", `a\b`, "'q'", `"q"`, "<<EOF", "caf\u00e9", "a\tb", "${X:-y}", "$1"} {
		if _, _, _, ref := oneReference(w, '\\'); plainWord(w, '\\') || ref {
			t.Errorf("%q read without the lexer", w)
		}
	}
	if shortcuts[true] < 1000 || shortcuts[false] < 1000 {
		t.Fatalf("too few words checked: %d plain, %d with one reference", shortcuts[true], shortcuts[false])
	}
}
