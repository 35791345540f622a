package checks

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMemoIgnoreGapsMatchesFresh checks that broad-copy's memo of
// ignoreGaps answers what a fresh reading does, on random ignore files and
// --exclude lists drawn from lines that exclude, re-include or break the
// standard set, each asked twice of one scan's state so that the second
// answer is a hit; and that a caller appending to an answer leaves the
// memo's copy as it was.
func TestMemoIgnoreGapsMatchesFresh(t *testing.T) {
	pool := []string{
		".git", "!.git/config", "**/.env", ".env", "!.env", ".env*", "**/.env.*",
		"!config/.env.production", "*", "!src", "**/.aws", ".aws/", "**/.ssh",
		"!home/.ssh/id_ed25519", "*.pem", "**/*.key", "certs", "**/.npmrc",
		".netrc", "home", "**/.pypirc", ".git-credentials", "**", "[", "a[",
		"node_modules", "**/**/.env", "/.ssh", "#.aws", "",
	}
	pick := func(rng *rand.Rand, n int) []string {
		out := make([]string, rng.Intn(n+1))
		for i := range out {
			out[i] = pool[rng.Intn(len(pool))]
		}
		return out
	}
	rng := rand.New(rand.NewSource(14))
	st := NewState()
	for i := 0; i < 3000; i++ {
		var ign *IgnoreFile
		src := "(no ignore file)"
		if rng.Intn(5) > 0 {
			src = strings.Join(pick(rng, 6), "\n")
			ign = st.ParseIgnoreFile(".dockerignore", []byte(src))
		}
		excludes := pick(rng, 2)
		want := ignoreGaps(ign, excludes)
		for round := 0; round < 2; round++ {
			got := memoIgnoreGaps(st, ign, excludes)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("ignore %q, excludes %q, round %d (-fresh +memo):\n%s", src, excludes, round, diff)
			}
			_ = append(got, "appended by a caller")
		}
	}
	if len(st.gaps.m) < 100 {
		t.Fatalf("the random files made only %d distinct keys", len(st.gaps.m))
	}
}
