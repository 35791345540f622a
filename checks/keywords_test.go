package checks

import (
	"math/rand"
	"slices"
	"strings"
	"testing"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// TestKeywordIndexMatchesAhoCorasick checks the index against the
// Aho-Corasick automaton gitleaks uses, on gitleaks' own keywords and texts
// built from them: the same keywords found in every text.
func TestKeywordIndexMatchesAhoCorasick(t *testing.T) {
	words := tokenFinder().words
	if len(words) < 100 {
		t.Fatalf("only %d keywords", len(words))
	}
	x := newKeywordIndex(words)
	ac := ahocorasick.NewTrieBuilder().AddStrings(words).Build()
	rng := rand.New(rand.NewSource(1))
	noise := []string{"", " ", "=", "_", "x", "\n", "a", "-", "é", "0"}
	for range 3000 {
		var b strings.Builder
		for range rng.Intn(8) {
			b.WriteString(noise[rng.Intn(len(noise))])
			w := words[rng.Intn(len(words))]
			if rng.Intn(3) == 0 {
				w = w[:rng.Intn(len(w))+1] // a prefix: mostly no keyword
			}
			b.WriteString(w)
		}
		text := []byte(b.String())
		var got, want []int
		x.walk(string(text), func(w, _ int) { got = append(got, w) })
		ac.Walk(text, func(_, _, p int64) bool { want = append(want, int(p)); return true })
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("%q: index finds %v, Aho-Corasick %v", text, got, want)
		}
	}
}

func TestKeywordIndexEdges(t *testing.T) {
	x := newKeywordIndex([]string{"ab", "abc", "b", "", "bc"})
	var got []int
	var starts []int
	x.walk("xabcab", func(w, at int) { got, starts = append(got, w), append(starts, at) })
	want := []int{0, 1, 2, 4, 0, 2} // by start: ab, abc | b, bc | ab | b
	if !slices.Equal(got, want) {
		t.Errorf("found %v, want %v", got, want)
	}
	if want := []int{1, 1, 2, 2, 4, 5}; !slices.Equal(starts, want) {
		t.Errorf("at %v, want %v", starts, want)
	}
	got = nil
	x.walk("", func(w, _ int) { got = append(got, w) })
	if len(got) != 0 {
		t.Errorf("empty text: %v", got)
	}
	// ASCII case is folded: the same keywords at the same places.
	got, starts = nil, nil
	x.walk("xABcAb", func(w, at int) { got, starts = append(got, w), append(starts, at) })
	if want := []int{0, 1, 2, 4, 0, 2}; !slices.Equal(got, want) || !slices.Equal(starts, []int{1, 1, 2, 2, 4, 5}) {
		t.Errorf("upper case: found %v at %v", got, starts)
	}
}

// TestKeywordsAreLowerCase guards what the folding walk relies on.
func TestKeywordsAreLowerCase(t *testing.T) {
	for _, w := range slices.Concat(tokenFinder().words, commandKeywords().words) {
		if w != strings.ToLower(w) {
			t.Errorf("keyword %q has upper case", w)
		}
	}
}

func BenchmarkKeywordIndex(b *testing.B) {
	words := tokenFinder().words
	x := newKeywordIndex(words)
	ac := ahocorasick.NewTrieBuilder().AddStrings(words).Build()
	text := strings.Repeat(`run apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && curl -fsSL https://example.com/install.sh | sh -s -- --token "$npm_token" `, 4)
	b.Run("index", func(b *testing.B) {
		for b.Loop() {
			x.walk(text, func(int, int) {})
		}
	})
	b.Run("aho-corasick", func(b *testing.B) {
		bytes := []byte(text)
		for b.Loop() {
			ac.Walk(bytes, func(_, _, _ int64) bool { return true })
		}
	})
}
