package checks

import (
	"slices"
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
