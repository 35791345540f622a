package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// randomText is a short string of random bytes drawn mostly from ASCII,
// multi-byte runes (two, three and four bytes), U+FFFD and broken UTF-8.
func randomText(rng *rand.Rand) string {
	pieces := []string{"a", "Z", " ", "\t", "\x00", "é", "€", "😀", "\uFFFD", "\xff", "\xe2\x82", "\xf0\x9f", "%d", "\\"}
	var b []byte
	for n := rng.Intn(12); n > 0; n-- {
		b = append(b, pieces[rng.Intn(len(pieces))]...)
	}
	return string(b)
}

// TestUTF16ColMatchesEncoding checks utf16Col, which counts units without
// encoding, against the count of utf16.Encode on random lines and offsets,
// out-of-range ones included.
func TestUTF16ColMatchesEncoding(t *testing.T) {
	encoded := func(line string, off int) int {
		off = min(max(off, 0), len(line))
		units := 0
		for i := 0; i < off; {
			r, size := utf8.DecodeRuneInString(line[i:])
			if r == utf8.RuneError && size <= 1 {
				units++
				i++
				continue
			}
			units += len(utf16.Encode([]rune{r}))
			i += size
		}
		return units + 1
	}
	rng := rand.New(rand.NewSource(14))
	for i := 0; i < 20000; i++ {
		line := randomText(rng)
		off := rng.Intn(len(line)+3) - 1
		if got, want := utf16Col(line, off), encoded(line, off); got != want {
			t.Fatalf("utf16Col(%q, %d) = %d, utf16.Encode counts %d", line, off, got, want)
		}
	}
}

// TestFingerprintAndRedactMatchFmt checks fingerprint and Redact, which
// append their bytes, against the fmt forms they replaced, on random texts.
func TestFingerprintAndRedactMatchFmt(t *testing.T) {
	viaFmt := func(rule, path, key string, occurrence int) string {
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d", rule, path, key, occurrence)
		return hex.EncodeToString(h.Sum(nil)[:16])
	}
	rng := rand.New(rand.NewSource(19))
	for i := 0; i < 5000; i++ {
		rule, path, key := randomText(rng), randomText(rng), randomText(rng)
		occ := rng.Intn(2000) - 5
		if got, want := fingerprint(rule, path, key, occ), viaFmt(rule, path, key, occ); got != want {
			t.Fatalf("fingerprint(%q, %q, %q, %d) = %s, fmt makes %s", rule, path, key, occ, got, want)
		}
		s := randomText(rng) + randomText(rng)
		prefix, n := "", utf8.RuneCountInString(s)
		if n >= 12 {
			// The first four runes as bytes: a broken byte is one rune.
			j, k := 0, 0
			for k = range s {
				if j == 4 {
					break
				}
				j++
			}
			prefix = s[:k]
		}
		if got, want := Redact(s), fmt.Sprintf("%s…(%d chars)", prefix, n); got != want {
			t.Fatalf("Redact(%q) = %q, fmt makes %q", s, got, want)
		}
	}
}
