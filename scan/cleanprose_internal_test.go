package scan

import (
	"strconv"
	"strings"
	"testing"
)

// TestCleanProseBounds checks that the scan's set of clean texts keeps what
// it is given, within its bounds.
func TestCleanProseBounds(t *testing.T) {
	var c cleanProse
	if c.has("fix") {
		t.Fatal("an empty set has a text")
	}
	c.add("fix")
	if !c.has("fix") {
		t.Error("a text added is not kept")
	}
	long := strings.Repeat("x", maxCleanProseLen+1)
	c.add(long)
	if c.has(long) {
		t.Error("a text over maxCleanProseLen is kept")
	}
	for i := range 2 * maxCleanProse {
		c.add("text " + strconv.Itoa(i))
	}
	if n := len(c.texts); n != maxCleanProse {
		t.Errorf("%d texts kept, want the bound %d", n, maxCleanProse)
	}
}
