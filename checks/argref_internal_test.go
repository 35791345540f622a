package checks

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
)

// TestArgRefMatchesRegexp compares argRef with the regular expression it
// stands for, on the cases that tell them apart most easily and on random
// text over the characters that matter.
func TestArgRefMatchesRegexp(t *testing.T) {
	names := []string{"NPM_TOKEN", "A", "a.b", "{X", "X}", "T-1", "é", ""}
	texts := []string{
		"", "$NPM_TOKEN", "${NPM_TOKEN}", "${NPM_TOKEN:-x}", "%NPM_TOKEN%", "$NPM_TOKENS", "${NPM_TOKEN_2}",
		"echo $NPM_TOKEN > .npmrc", "a$$NPM_TOKEN", "%NPM_TOKEN", "$$A$A", "$a.b.", "$a.bc", "${{X}", "$X}}",
		"%%A%%", "$T-1-", "$T-1x", "$é", "$éa", "$", "%", "${",
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "$%{}_A.-1aTébX "
	runes := []rune(alphabet)
	for range 20000 {
		b := make([]rune, r.IntN(12))
		for i := range b {
			b[i] = runes[r.IntN(len(runes))]
		}
		texts = append(texts, string(b))
	}
	for _, name := range names {
		q := regexp.QuoteMeta(name)
		re := regexp.MustCompile(`\$` + q + `\b|\$\{` + q + `\b|%` + q + `%`)
		ref := argRefPattern(name)
		for _, s := range texts {
			if got, want := ref.FindStringIndex(s), re.FindStringIndex(s); !slices.Equal(got, want) {
				t.Fatalf("name %q in %q: FindStringIndex %v, the regexp %v", name, s, got, want)
			}
			if got, want := ref.MatchString(s), re.MatchString(s); got != want {
				t.Fatalf("name %q in %q: MatchString %v, the regexp %v", name, s, got, want)
			}
		}
	}
}
