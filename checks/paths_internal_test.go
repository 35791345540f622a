package checks

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestASCIIFileNameWords(t *testing.T) {
	for _, name := range []string{
		"", "server-key.pem", "serverKey.PEM", "ID_RSA", "aB", "Ab", "a1B", "x", "..", "id_ed25519",
		"myAWSCredentials.json", "ABCdef", "abcDEF", "a--b__c", "9lives", "prod.env.local", "KeyStoreJKS",
	} {
		ascii, got := asciiFileNameWords(name)
		if want := runeFileNameWords(name); !ascii || !slices.Equal(got, want) {
			t.Errorf("asciiFileNameWords(%q) = %v, %v; want true, %v", name, ascii, got, want)
		}
	}
	if ascii, _ := asciiFileNameWords("clé.pem"); ascii {
		t.Error("asciiFileNameWords took a non-ASCII name")
	}
}

// TestSecretPathPrefilterOnRandomPaths checks on random paths made of the
// pieces SecretPath reads (its folder and file names in both cases, the
// Kelvin sign that lower-cases to k, separators of both kinds) that what it
// accepts holds one of secretPathWords, so that the prefilter drops nothing.
func TestSecretPathPrefilterOnRandomPaths(t *testing.T) {
	pieces := []string{"/", "\\", ".", "..", " ", "$", "{", "}", "_", "-", "a", "x", "pub", "ssh", ".SSH", ".ssh", "id_", "RSA",
		"rsa", "ed25519", ".aws", ".config", "gcloud", ".kube", "config", ".env", ".ENV", "env", ".example", ".key", ".Key",
		".\u212aey", ".pem", "private", ".p12", ".jks", "credentials", "Credentials", ".json", "service", "account",
		"client", "secret", "kubeconfig", "netrc", "_netrc", ".tfstate", ".backup", "AWS_CONFIG_FILE", "KUBECONFIG", "host"}
	accepted := 0
	randomJoins(3, pieces, 6, 200000, func(p string) {
		if _, ok := secretPath(p); ok {
			accepted++
			if !runTextHas(secretPathIndex(), p) {
				t.Errorf("secretPath accepts %q, which holds none of secretPathWords", p)
			}
		}
	})
	if accepted < 1000 {
		t.Fatalf("only %d random paths accepted", accepted)
	}
}

// randomJoins calls fn with n strings, each of 1 to most pieces drawn at
// random (seeded: the same strings every run).
func randomJoins(seed uint64, pieces []string, most, n int, fn func(string)) {
	r := rand.New(rand.NewPCG(seed, seed+1))
	for range n {
		var b strings.Builder
		for range 1 + r.IntN(most) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		fn(b.String())
	}
}
