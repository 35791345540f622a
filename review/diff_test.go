package review

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePatch(t *testing.T) {
	tests := []struct {
		name  string
		patch string
		want  map[int]int
	}{
		{"empty", "", map[int]int{}},
		{
			"new file",
			"@@ -0,0 +1,3 @@\n+FROM alpine\n+ENV A=b\n+RUN true",
			map[int]int{1: 0, 2: 0, 3: 0},
		},
		{
			"modified with context",
			"@@ -1,4 +1,5 @@\n FROM alpine\n-ENV A=b\n+ENV A=c\n+ENV D=e\n RUN true\n RUN false",
			map[int]int{2: 0, 3: 0},
		},
		{
			"two hunks, short headers",
			"@@ -2 +2 @@ FROM alpine\n-ENV A=b\n+ENV A=c\n@@ -10,2 +10,3 @@\n RUN a\n+RUN b\n RUN c\n",
			map[int]int{2: 0, 11: 1},
		},
		{
			"no newline at end of file",
			"@@ -1,2 +1,2 @@\n FROM alpine\n-RUN a\n\\ No newline at end of file\n+RUN b\n\\ No newline at end of file",
			map[int]int{2: 0},
		},
		{
			"deleted file",
			"@@ -1,2 +0,0 @@\n-FROM alpine\n-RUN a",
			map[int]int{},
		},
		{
			"empty context line without its space",
			"@@ -1,3 +1,4 @@\n FROM alpine\n\n+RUN b\n RUN c",
			map[int]int{3: 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePatch(tt.patch)
			if err != nil {
				t.Fatalf("ParsePatch: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("added lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePatchRejectsInconsistentHunk(t *testing.T) {
	if _, err := ParsePatch("@@ -1,1 +1,5 @@\n+FROM alpine\n"); err == nil {
		t.Error("ParsePatch accepted a hunk whose header counts five new lines and whose body has one")
	}
}

func TestCommentable(t *testing.T) {
	added, err := ParsePatch("@@ -1,2 +1,4 @@\n FROM alpine\n+ENV A=b\n+ENV C=d\n RUN x\n@@ -9,2 +11,3 @@\n RUN y\n+RUN z\n RUN w")
	if err != nil {
		t.Fatal(err)
	}
	f := &ChangedFile{Path: "Dockerfile", added: added}
	tests := []struct {
		start, end int
		want       bool
	}{
		{2, 2, true},
		{2, 3, true},
		{1, 2, false},  // starts on a context line
		{3, 12, false}, // spans two hunks
		{12, 12, true},
		{11, 11, false},
		{5, 5, false}, // outside every hunk
		{3, 2, false},
	}
	for _, tt := range tests {
		if got := f.Commentable(tt.start, tt.end); got != tt.want {
			t.Errorf("Commentable(%d, %d) = %v, want %v", tt.start, tt.end, got, tt.want)
		}
	}
	if unknown := (&ChangedFile{Path: "big"}); unknown.LinesKnown() || unknown.Commentable(1, 1) {
		t.Error("a file without a patch has known lines")
	}
}
