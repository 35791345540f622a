package main

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
)

// TestMover checks that mover's shortcut moves every path as relTo of the
// joined path does, for trees beside, below and above the current folder.
func TestMover(t *testing.T) {
	segs := []string{"a", "b", "ab", "..", ".", "", "a b", "a:b", `a\b`, "é"}
	r := rand.New(rand.NewPCG(7, 8))
	randomPath := func(n int) string {
		var p []string
		for range r.IntN(n + 1) {
			p = append(p, segs[r.IntN(len(segs))])
		}
		return strings.Join(p, "/")
	}
	abs := func() string { return filepath.Clean(filepath.FromSlash("/" + randomPath(4))) }
	for range 20000 {
		cwd, root := abs(), abs()
		if r.IntN(3) == 0 {
			root = filepath.Join(cwd, filepath.FromSlash(randomPath(2)))
		}
		p := randomPath(4)
		want := relTo(cwd, filepath.Join(root, filepath.FromSlash(p)))
		if got := mover(cwd, root)(p); got != want {
			t.Fatalf("mover(%q, %q)(%q) = %q, want %q", cwd, root, p, got, want)
		}
	}
}
