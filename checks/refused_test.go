package checks_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// TestRefusedNotifications: files that are not Dockerfiles (empty, a
// template, a fragment without FROM) are notes of the scan, not findings;
// a Dockerfile that BuildKit refuses for a mistake is not a note.
func TestRefusedNotifications(t *testing.T) {
	res, err := scan.Scan(context.Background(), os.DirFS("testdata/parse-error"), nil, scan.Options{Rules: []*checks.Rule{checks.ParseError}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range res.Problems {
		if strings.HasSuffix(p.Path, ".dockerignore") {
			continue // an ignore file BuildKit refuses: not this test's
		}
		if p.Level != checks.Note {
			t.Errorf("%s: problem at level %s: %s", p.Path, p.Level, p.Message)
		}
		got[p.Path] = p.Message
	}
	want := map[string]string{
		"comment-only/Dockerfile":                                  "is empty or holds only comments",
		"empty/Dockerfile":                                         "is empty or holds only comments",
		"fragment/Dockerfile.envs":                                 "has no FROM instruction",
		"template/Dockerfile.template":                             "is a template, not a Dockerfile",
		"template-block/eng/dockerfile-templates/Dockerfile.linux": "is a template, not a Dockerfile",
	}
	kinds := map[string]string{}
	for p, msg := range got {
		kinds[p] = "?"
		for _, k := range want {
			if strings.Contains(msg, k) {
				kinds[p] = k
			}
		}
		// The problem's path names the file in every output; the note
		// says what the file is without repeating it.
		if strings.Contains(msg, p) {
			t.Errorf("%s: the note repeats the path its problem carries: %s", p, msg)
		}
	}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	for _, f := range res.Findings {
		if _, ok := want[f.Path]; ok {
			t.Errorf("%s:%d: a file that is not a Dockerfile has a parse-error finding: %s", f.Path, f.Region.StartLine, f.Message)
		}
	}
}
