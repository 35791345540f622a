package checks

import (
	"math/rand"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// randomPathText joins random pieces of credential file names, tool
// words, quotes, separators and non-ASCII letters.
func randomPathText(rng *rand.Rand, pieces []string) string {
	return randomPieces(rng, pieces, 6)
}

// randomPieces joins fewer than n random pieces.
func randomPieces(rng *rand.Rand, pieces []string, n int) string {
	var b strings.Builder
	for range rng.Intn(n) {
		b.WriteString(pieces[rng.Intn(len(pieces))])
	}
	return b.String()
}

var prefilterPieces = []string{
	".ssh", ".Ssh", "/", "/root", "~", "$", "${", "}", ".", "..", "./", ".env", ".e", "nv", "id_", "rsa", "id_rsa.pub",
	".npmrc", ".np", "mrc", `"`, `'`, `\`, "\n", " ", "key", ".key", ".pem", "server", "-", "_", "credentials", "config",
	".aws", ".docker/", "config.json", "AWS_CONFIG_FILE", "kubeconfig", "\u212a", "é", "İ", "\xff", "gcloud", "auth",
	"login", "docker", "npm", "aws", "configure", "ssh-keygen", "*", "?", "[a]", "tmpl", "example", "http://", "git@",
	".netrc", "pgpass", ".tfstate", "service_account", "/run/secrets", "app", "a",
}

// TestRunMayWriteSecretPieces checks the prefilter's walk of the RUN's
// pieces one by one against a walk of the text they make joined.
func TestRunMayWriteSecretPieces(t *testing.T) {
	joined := func(run *instructions.RunCommand, st stageShellState) bool {
		x := runEffectsWords()
		found := make([]bool, x.n)
		x.index.walk(lowerBeyondASCII(runText(run)+"\n"+st.dir+"\n"+st.home), func(w, _ int) { found[w] = true })
		return effectsWordsFound(found)
	}
	rng := rand.New(rand.NewSource(3))
	in := &Instruction{Node: &parser.Node{}}
	hits := 0
	for range 30000 {
		run := &instructions.RunCommand{}
		for range rng.Intn(4) {
			run.CmdLine = append(run.CmdLine, randomPathText(rng, prefilterPieces))
		}
		for range rng.Intn(2) {
			run.Files = append(run.Files, instructions.ShellInlineFile{Data: randomPathText(rng, prefilterPieces)})
		}
		st := stageShellState{dir: randomPathText(rng, prefilterPieces), home: randomPathText(rng, prefilterPieces)}
		got, want := runMayWriteSecret(in, run, st), joined(run, st)
		if got != want {
			t.Fatalf("%q %+v %+v: pieces %v, joined text %v", run.CmdLine, run.Files, st, got, want)
		}
		if got {
			hits++
		}
	}
	if hits < 1000 || hits > 29000 {
		t.Fatalf("%d of 30000 random RUNs pass: the inputs do not test both answers", hits)
	}
}

// TestCopySecretWordGate checks the invariant addCopy's shortcut rests on:
// whenever SecretPath accepts a path addCopy asks about (the source, its
// base name, the destination, the destination joined with the base), the
// stage's folder, the destination as written or the source holds a word
// of SecretPath.
func TestCopySecretWordGate(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	hits := 0
	for range 50000 {
		dir, dest, src := randomPathText(rng, prefilterPieces), randomPathText(rng, prefilterPieces), randomPathText(rng, prefilterPieces)
		if rng.Intn(3) == 0 {
			dir = "/" + dir
		}
		joined := joinStagePath(dir, dest)
		base := path.Base(strings.TrimRight(src, "/"))
		named := false
		for _, p := range []string{src, base, joined, path.Join(joined, base)} {
			if _, ok := SecretPath(p); ok {
				named = true
			}
		}
		gate := namesSecretWord(dir) || namesSecretWord(dest) || namesSecretWord(src)
		if named && !gate {
			t.Fatalf("dir %q dest %q src %q: a path names a secret file, the gate holds no word", dir, dest, src)
		}
		if named {
			hits++
		}
	}
	if hits < 1000 {
		t.Fatalf("%d of 50000 random copies name a secret file: the inputs test little", hits)
	}
}

// TestServiceAccountPrefilter checks that every text serviceAccountJSON
// matches holds serviceAccountType, which ContextFileSecret looks for
// before the regexp.
func TestServiceAccountPrefilter(t *testing.T) {
	pieces := []string{`"type"`, `"TYPE"`, `:`, ` `, "\n", `"service_account"`, `"service_`, `account"`, `"private_key"`,
		`"-----BEGIN`, `"-----BEGIN PRIVATE KEY-----\n"`, `{`, `}`, `,`, `'service_account'`, `"type":"service_account"`, `"private_key":"-----BEGIN`}
	rng := rand.New(rand.NewSource(5))
	hits := 0
	for range 50000 {
		text := randomPieces(rng, pieces, 12)
		if serviceAccountJSON().MatchString(text) {
			hits++
			if !strings.Contains(text, serviceAccountType) {
				t.Fatalf("%q matches without %s", text, serviceAccountType)
			}
		}
	}
	if hits < 100 {
		t.Fatalf("%d of 50000 random texts match: the inputs test little", hits)
	}
}

// TestNameHasWordRandom checks nameHasWord, which compares only words of
// the same length, against the words fileNameWords makes of random names.
func TestNameHasWordRandom(t *testing.T) {
	pieces := []string{"secret", "Secret", "SECRETS", "token", "Tokens", "creds", "auth", "Auth", "apikey", "APIKey", "passwd",
		"password", "credential", "x", "ab", "é", "\u212a", ".", "-", "_", "1", "json", "s", "pass", "word"}
	rng := rand.New(rand.NewSource(6))
	hits := 0
	for range 30000 {
		name := randomPieces(rng, pieces, 5) + randomName(rng)
		want := hasAnyWord(fileNameWords(name), secretNameWords)
		if got := nameHasWord(name, secretNameWords); got != want {
			t.Fatalf("nameHasWord(%q) = %v, fileNameWords %q say %v", name, got, fileNameWords(name), want)
		}
		if want {
			hits++
		}
	}
	if hits < 1000 || hits > 29000 {
		t.Fatalf("%d of 30000 random names hold a word: the inputs do not test both answers", hits)
	}
}

// TestContextSecretPath checks ContextFileSecret's reading of a path by
// its name alone, when no folder is one SecretPath reads, against
// SecretPath on random paths.
func TestContextSecretPath(t *testing.T) {
	pieces := []string{"/", "/", "a", "App", ".ssh", ".SSH", ".\u212aube", ".confİg", ".ſsh", ".aws", ".gnupg", ".kube", ".docker",
		".cargo", ".gem", ".config", "gcloud", "config", "config.json", "credentials", "credentials.json", ".env", ".ENV", ".env.prod",
		"id_rsa", "id_rsa.pub", "key", ".key", "server-key.pem", "private-keys-v1.d", "secring.gpg", `\`, " ", "\u00a0", ".", "..", "$",
		"${", "}", "KUBECONFIG", "AWS_CONFIG_FILE", ".npmrc", "kubeconfig", ".tfstate", "known_hosts", "*", "é"}
	rng := rand.New(rand.NewSource(7))
	hits := 0
	for range 100000 {
		p := randomPieces(rng, pieces, 8)
		parts := strings.Split(p, "/")
		secretDir := slices.ContainsFunc(parts[:len(parts)-1], secretPathDir)
		gotKind, got := contextSecretPath(p, parts[len(parts)-1], secretDir)
		wantKind, want := SecretPath(p)
		if gotKind != wantKind || got != want {
			t.Fatalf("%q: by its name %q %v, SecretPath %q %v", p, gotKind, got, wantKind, want)
		}
		if want {
			hits++
		}
	}
	if hits < 5000 || hits > 95000 {
		t.Fatalf("%d of 100000 random paths name a secret file: the inputs do not test both answers", hits)
	}
}
