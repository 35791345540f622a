package checks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseIgnoreFileLines(t *testing.T) {
	src := "\xef\xbb\xbf# comment\r\n\r\n.git\r\n   \n  # not a comment for BuildKit\n!/keep.env\nsub/../**/*.pem\n"
	f := ParseIgnoreFile(".dockerignore", []byte(src))
	want := []IgnorePattern{
		{Line: 3, Pattern: ".git"},
		{Line: 5, Pattern: "# not a comment for BuildKit"},
		{Line: 6, Pattern: "keep.env", Negate: true},
		{Line: 7, Pattern: "**/*.pem"},
	}
	if diff := cmp.Diff(want, f.Patterns); diff != "" {
		t.Errorf("patterns (-want +got):\n%s", diff)
	}
	if f.Err != nil || !f.Valid() {
		t.Fatalf("Err = %v, Valid = %v", f.Err, f.Valid())
	}
	for p, want := range map[string]bool{".git/config": true, "a/b/key.pem": true, "keep.env": false, "src/main.go": false} {
		if got := f.Excludes(p); got != want {
			t.Errorf("Excludes(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestParseIgnoreFileLongLine(t *testing.T) {
	src := ".git\n" + strings.Repeat("a", 70<<10) + "\n**/.env\n"
	f := ParseIgnoreFile(".dockerignore", []byte(src))
	if f.Err == nil {
		t.Error("a line longer than BuildKit's reader takes is not reported")
	}
	if !f.Excludes("x/.env") || !f.Excludes(".git") {
		t.Error("the other lines no longer count")
	}
}
