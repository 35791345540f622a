package checks

import (
	"regexp"
	"testing"
)

// TestLazyPatternsCompile compiles every pattern that compiles on first
// use, so that a bad one fails here rather than in the scan that first
// meets it.
func TestLazyPatternsCompile(t *testing.T) {
	if len(lazyPatterns) == 0 {
		t.Fatal("no lazy patterns registered")
	}
	for _, p := range lazyPatterns {
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%q: %v", p, err)
		}
	}
}
