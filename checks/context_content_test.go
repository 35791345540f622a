package checks

import (
	"strings"
	"testing"
)

// nameWordCases are file names whose words nameHasWord must read as
// fileNameWords splits them.
var nameWordCases = []string{
	"", "secret", "SECRET", "Secret.json", "mySecret.txt", "mysecret.txt", "my-secrets", "app_Token.yaml",
	"tokens", "tokenizer.py", "apiKey", "apikey.txt", "api-key", "AUTH", "oauth.cfg", "Auth2", "x.auth",
	"credentials", "CREDS.ini", "passwordReset.js", "pass-word", "README.md", "Dockerfile", "App.java",
	"sEcReT", "ABCSecret", "abcSECRET", "Ktoken", "\u212aey-secret", "ünïcode-secret", "ünïcode", "token\xff",
	"a1secret2b", "1token", "secret.", ".auth", "x--passwd--y", "xPasswd", "XPASSWDy",
}

// TestNameHasWord checks nameHasWord against the words fileNameWords makes.
func TestNameHasWord(t *testing.T) {
	for _, name := range nameWordCases {
		want := hasAnyWord(fileNameWords(name), secretNameWords)
		if got := nameHasWord(name, secretNameWords); got != want {
			t.Errorf("nameHasWord(%q) = %v, fileNameWords %q say %v", name, got, fileNameWords(name), want)
		}
	}
}

func FuzzNameHasWord(f *testing.F) {
	for _, name := range nameWordCases {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := nameHasWord(name, secretNameWords), hasAnyWord(fileNameWords(name), secretNameWords); got != want {
			t.Errorf("nameHasWord(%q) = %v, fileNameWords %q say %v", name, got, fileNameWords(name), want)
		}
	})
}

// TestContextFileSecretLowersNames checks that a name in upper case is
// judged as in lower case, short or long, ASCII or not.
func TestContextFileSecretLowersNames(t *testing.T) {
	read := func() ([]byte, bool) { return []byte("TOKEN=ghp_" + strings.Repeat("a1B2", 9) + "\n"), true }
	for _, name := range []string{"app/CONFIG.JSON", "app/" + strings.Repeat("X", 40) + ".JSON", "app/ÜBER.JSON", "app/.ENV", "app/Package-Lock.JSON"} {
		lower := name[:4] + strings.ToLower(name[4:])
		gotKind, got := ContextFileSecret(name, read, nil)
		wantKind, want := ContextFileSecret(lower, read, nil)
		if got != want || gotKind != wantKind {
			t.Errorf("ContextFileSecret(%q) = %q, %v; as %q: %q, %v", name, gotKind, got, lower, wantKind, want)
		}
	}
}
