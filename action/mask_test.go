package action

import (
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// TestActionMasksHostileText: the review, its suggestion blocks, the SARIF
// file, the log and the summary of a pull request that adds the hostile
// tree.
func TestActionMasksHostileText(t *testing.T) {
	e := newE2E(t, bot)
	head := scantest.HostileTree()
	e.openPR(map[string]string{"README.md": "app\n"}, head, false)
	r := e.run(invocation{head: head})
	if r.code != exitFindings {
		t.Errorf("exit %d, want %d\n%s", r.code, exitFindings, r.stderr)
	}
	pr := e.srv.Snapshot(e2eRepo, 7)
	if len(pr.Reviews) != 1 {
		t.Fatalf("%d reviews, want 1", len(pr.Reviews))
	}
	for where, text := range map[string]string{
		"review": transcript(pr), "SARIF file": string(r.sarif), "log": r.stdout + r.stderr, "summary": r.summary, "outputs": r.outputsRaw,
	} {
		scantest.CheckNoPiece(t, where, text)
	}
	if strings.Contains(transcript(pr), "```suggestion\nENV GH_TOKEN") {
		t.Errorf("the review offers a suggestion holding a masked token:\n%s", transcript(pr))
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, files)
	return dir
}
