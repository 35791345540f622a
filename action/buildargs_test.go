package action

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestActionWorkflowBuildArg runs the Action on a pull request that changes
// one workflow line, to pass a CI secret as a build argument: the unchanged
// Dockerfile's ARG records it, and the workflow line gets the comment.
func TestActionWorkflowBuildArg(t *testing.T) {
	e := newE2E(t, bot)
	head := tree(t, "ci-secret/head")
	e.openPR(tree(t, "ci-secret/base"), head, false)
	r := e.run(invocation{head: head})
	if r.code != exitFindings {
		t.Errorf("exit %d, want %d\n%s", r.code, exitFindings, r.stderr)
	}
	pr := e.srv.Snapshot(e2eRepo, 7)
	if len(pr.Reviews) != 1 {
		t.Fatalf("%d reviews, want 1", len(pr.Reviews))
	}
	want := []placement{{".github/workflows/image.yml", 0, 13}}
	if diff := cmp.Diff(want, placements(pr)); diff != "" {
		t.Errorf("inline comments (-want +got):\n%s", diff)
	}
	if len(pr.Comments) == 1 {
		wantContains(t, "comment", pr.Comments[0].Body, "`build-arg-secret`", "REGISTRY_AUTH", "secrets:")
	}
	wantOutputs(t, r, 1, 1, 0)
	wantContains(t, "log", r.stdout, "::error file=.github/workflows/image.yml,line=13")
}
