package checks

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// randomName makes a name of letters, digits and punctuation, with the
// shapes names have: humps, capital runs, digits, separators.
func randomName(rng *rand.Rand) string {
	const alphabet = "aAbBkKpPsSzZ019_-.:/ =$"
	var b strings.Builder
	for range rng.Intn(14) {
		b.WriteByte(alphabet[rng.Intn(len(alphabet))])
	}
	return b.String()
}

// TestSplitASCIIWords checks the ASCII path of SplitWords against the rune
// path on random ASCII names: a name and the same name with a non-ASCII
// letter after a separator split alike but for that last word.
func TestSplitASCIIWords(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		name := randomName(rng)
		got := splitASCIIWords(name)
		// The rune path on name + " é" gives name's words, then "é".
		ref := SplitWords(name + " é")
		if len(ref) == 0 || ref[len(ref)-1] != "é" {
			t.Fatalf("%q: rune path gave %q", name, ref)
		}
		if want := ref[:len(ref)-1]; !slices.Equal(got, want) {
			t.Fatalf("%q: ASCII path %q, rune path %q", name, got, want)
		}
		if !isASCII(name) {
			t.Fatalf("%q is not ASCII", name)
		}
	}
}

// TestClassifyNameASCII checks that classifyName's ASCII shortcuts (the
// path name compared without a copy, the second reading skipped where no
// word was split inside a run) answer as the full reading does.
func TestClassifyNameASCII(t *testing.T) {
	full := func(name string, s *Settings) nameClass {
		if pathNames[strings.ToLower(name)] {
			return notSecret
		}
		class := classifyWords(SplitWords(name), s)
		if class != strongSecret {
			class = max(class, classifyWords(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r)
			}), s))
		}
		return class
	}
	settings := []*Settings{nil, {SecretWords: []string{"pin", "api_key"}}}
	parts := []string{"db", "DB", "password", "Password", "PASS", "pas", "S", "token", "Token", "key", "KEY", "Key", "api", "API",
		"secret", "site", "public", "has", "file", "path", "pwd", "PWD", "pin", "2", "3", "x", "ID", "Id", "google", "application",
		"credentials", "GOOGLE_APPLICATION_CREDENTIALS", "auth", "Auth", "gpg", "access", "AccessKey", "root", "_", "-", ".", "__"}
	rng := rand.New(rand.NewSource(2))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.Intn(5) {
			b.WriteString(parts[rng.Intn(len(parts))])
			if rng.Intn(2) == 0 {
				b.WriteByte("_-."[rng.Intn(3)])
			}
		}
		name := b.String()
		for _, s := range settings {
			if got, want := classifyName(name, s), full(name, s); got != want {
				t.Fatalf("%q: classifyName %v, full reading %v", name, got, want)
			}
		}
	}
	for _, name := range []string{"google_application_credentials", "Google_Application_Credentials", "GOOGLE_APPLICATION_CREDENTIALS"} {
		if got := classifyName(name, nil); got != notSecret {
			t.Errorf("%q: %v, want notSecret", name, got)
		}
	}
}

// TestURLWithCredentialsPrefilter checks the literal prefilter of
// URLWithCredentials against the regexp alone on random values.
func TestURLWithCredentialsPrefilter(t *testing.T) {
	pieces := []string{"https", "git+ssh", "://", ":/", "/", "@", "user", ":", "pa ss", "x", "\n", "host", ".", "9", "é"}
	rng := rand.New(rand.NewSource(3))
	matched := 0
	for range 50000 {
		var b strings.Builder
		for range rng.Intn(8) {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		v := b.String()
		want := userinfoURL().MatchString(v)
		if got := URLWithCredentials(v); got != want {
			t.Fatalf("%q: URLWithCredentials %v, the regexp %v", v, got, want)
		}
		if want {
			matched++
		}
	}
	if matched < 100 {
		t.Fatalf("only %d random values held a URL with credentials", matched)
	}
}
