package checks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/patternmatcher"
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

// TestCollapseStars checks that a pattern with a run of `**/` is compiled
// as one and matches what BuildKit's matcher of the pattern as written
// matches.
func TestCollapseStars(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"**/**/**/x", "**/x"},
		{"a/**/**/b/**/**/**/*.pem", "a/**/b/**/*.pem"},
		{"!**/**/.env", "!**/.env"},
		{"x**/**/y", "x**/**/y"},     // nor here
		{"a***/**/b", "a***/**/b"},   // the run does not start a segment
		{`**/**/\*`, `**/**/\*`},     // an escape: kept as written
		{"**/**/[ab]", "**/**/[ab]"}, // a class: kept as written
		{"**/x", "**/x"},
	} {
		if got := collapseStars(tc.in); got != tc.want {
			t.Errorf("collapseStars(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	patterns := []string{"**/**/**/x", "a/**/**/b/**/**/**/*.pem", "!**/**/keep/**/**/x", "**/**/**"}
	collapsed, err := compilePatterns(patterns)
	if err != nil {
		t.Fatal(err)
	}
	asWritten, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"x", "d/x", "d/e/f/x", "xx", "a/b/c.pem", "a/q/b/c.pem", "a/q/r/b/s/t/c.pem", "b/c.pem", "keep/x", "z/keep/y/x", "a", "a/b"} {
		want, _ := asWritten.MatchesOrParentMatches(p)
		got, _ := collapsed.MatchesOrParentMatches(p)
		if got != want {
			t.Errorf("%s: excluded %v, BuildKit's matcher says %v", p, got, want)
		}
	}
	if got := collapsed.Patterns()[0].String(); got != "**/x" {
		t.Errorf("compiled pattern %q, want **/x", got)
	}
}
