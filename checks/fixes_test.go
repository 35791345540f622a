package checks_test

import (
	"path/filepath"
	"testing"

	"github.com/stowaway-dev/stowaway/checks/checktest"
)

// TestSuggestedFixes applies every suggestion that the rules make over
// their test data and over the examples, and scans again with every rule:
// each must remove its finding and bring no other.
func TestSuggestedFixes(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, filepath.Join("..", "testdata", "examples"))
	applied := 0
	for _, d := range dirs {
		t.Run(filepath.Base(d), func(t *testing.T) { applied += checktest.RunWithSuggestedFixes(t, d) })
	}
	if applied == 0 {
		t.Error("no suggestion was applied: the test checks nothing")
	}
	t.Logf("%d suggestions applied", applied)
}
