package action

// End-to-end tests of the baseline input: on a pull request the base
// commit's baseline governs, on a push the workspace's.

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/sarif"
)

const baselineName = ".stowaway-baseline.json"

// baselineOf is a JSON report holding these fingerprints, as
// `stowaway baseline` writes it (the fields a baseline reads).
func baselineOf(fps ...string) string {
	type finding struct {
		Fingerprint string `json:"fingerprint"`
	}
	doc := struct {
		Version  int       `json:"version"`
		Findings []finding `json:"findings"`
	}{Version: 1, Findings: []finding{}}
	for _, fp := range fps {
		doc.Findings = append(doc.Findings, finding{fp})
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

// withFile is a copy of tree with one more file.
func withFile(tree map[string]string, name, content string) map[string]string {
	out := map[string]string{name: content}
	for p, c := range tree {
		out[p] = c
	}
	return out
}

// baselineStates returns the SARIF log's baselineState by fingerprint.
func baselineStates(t *testing.T, log []byte) map[string]string {
	t.Helper()
	var doc struct {
		Runs []struct {
			Results []struct {
				BaselineState       string            `json:"baselineState"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(log, &doc); err != nil || len(doc.Runs) != 1 {
		t.Fatalf("SARIF file: %v, %d runs", err, len(doc.Runs))
	}
	out := map[string]string{}
	for _, r := range doc.Runs[0].Results {
		out[r.PartialFingerprints[sarif.FingerprintKey]] = r.BaselineState
	}
	return out
}

func commentedLines(t *testing.T, e *e2e) []int {
	t.Helper()
	var out []int
	for _, p := range placements(e.srv.Snapshot(e2eRepo, 7)) {
		out = append(out, p.Line)
	}
	return out
}

func TestActionBaseline(t *testing.T) {
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")
	fps := fingerprints(t, leakyHead) // line 4 a warning, lines 7 and 8 errors
	if len(fps) != 3 || fps[4] == "" || fps[7] == "" || fps[8] == "" {
		t.Fatalf("fingerprints %v, want the leaky tree's findings on lines 4, 7 and 8", fps)
	}
	in := map[string]string{"baseline": baselineName}

	t.Run("pull request with the base commit's baseline", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		known := baselineOf(fps[7])
		e.srv.AddCommit(e2eRepo, baseSHA, withFile(leakyBase, baselineName, known))
		r := e.run(invocation{head: withFile(leakyHead, baselineName, known), inputs: in})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d: line 8's error is new", r.code, exitFindings)
		}
		wantOutputs(t, r, 2, 1, 1)
		if got := commentedLines(t, e); !cmp.Equal(got, []int{4, 8}) {
			t.Errorf("comments on lines %v, want 4 and 8: line 7's finding is known", got)
		}
		if strings.Contains(r.stdout, "line=7") {
			t.Errorf("the known finding is annotated:\n%s", r.stdout)
		}
		msg := "The baseline " + baselineName + " holds 1 known finding: not reported"
		wantContains(t, "log", r.stdout, msg)
		wantContains(t, "summary", r.summary, msg)
		if strings.Contains(r.summary, "#L7") {
			t.Errorf("the summary lists the known finding:\n%s", r.summary)
		}
		want := map[string]string{fps[4]: "new", fps[7]: "unchanged", fps[8]: "new"}
		if diff := cmp.Diff(want, baselineStates(t, r.sarif)); diff != "" {
			t.Errorf("SARIF baselineState (-want +got):\n%s", diff)
		}
	})

	t.Run("every finding known", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		known := baselineOf(fps[4], fps[7], fps[8])
		e.srv.AddCommit(e2eRepo, baseSHA, withFile(leakyBase, baselineName, known))
		r := e.run(invocation{head: withFile(leakyHead, baselineName, known), inputs: in})
		if r.code != exitOK {
			t.Errorf("exit %d, want %d", r.code, exitOK)
		}
		wantOutputs(t, r, 0, 0, 0)
		if len(e.srv.Snapshot(e2eRepo, 7).Comments) != 0 {
			t.Error("known findings were commented")
		}
		if strings.Contains(r.stdout, "::error file=") || strings.Contains(r.stdout, "::warning file=") {
			t.Errorf("known findings were annotated:\n%s", r.stdout)
		}
	})

	t.Run("pull request that adds its own finding to the baseline", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddCommit(e2eRepo, baseSHA, withFile(leakyBase, baselineName, baselineOf(fps[7])))
		// The pull request's copy also holds its new finding on line 8.
		r := e.run(invocation{head: withFile(leakyHead, baselineName, baselineOf(fps[7], fps[8])), inputs: in})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d", r.code, exitFindings)
		}
		wantOutputs(t, r, 2, 1, 1)
		if got := commentedLines(t, e); !cmp.Equal(got, []int{4, 8}) {
			t.Errorf("comments on lines %v, want 4 and 8", got)
		}
		wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=8")
		wantContains(t, "summary", r.summary, "The pull request adds 1 finding to the baseline "+baselineName+": the base commit's baseline applies")
		if st := baselineStates(t, r.sarif); st[fps[8]] != "new" {
			t.Errorf("SARIF marks line 8's finding %q, want new", st[fps[8]])
		}
	})

	t.Run("base commit without a baseline", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddCommit(e2eRepo, baseSHA, leakyBase)
		r := e.run(invocation{head: withFile(leakyHead, baselineName, baselineOf(fps[4], fps[7], fps[8])), inputs: in})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d: the pull request's own baseline is not trusted", r.code, exitFindings)
		}
		wantOutputs(t, r, 3, 2, 1)
		note := "The base commit has no baseline " + baselineName + ": no baseline applies to this pull request"
		wantContains(t, "log", r.stdout, "::notice::"+note)
		wantContains(t, "summary", r.summary, note)
		if strings.Contains(string(r.sarif), "baselineState") {
			t.Error("SARIF has baseline states without a baseline")
		}
	})

	t.Run("base commit's baseline that does not parse", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddCommit(e2eRepo, baseSHA, withFile(leakyBase, baselineName, `{"version": 1}`))
		r := e.run(invocation{head: withFile(leakyHead, baselineName, baselineOf(fps[4], fps[7], fps[8])), inputs: in})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d", r.code, exitFindings)
		}
		wantOutputs(t, r, 3, 2, 1)
		wantContains(t, "log", r.stdout, "::warning::The base commit's baseline "+baselineName+" does not parse (neither a JSON report")
		wantContains(t, "summary", r.summary, "no baseline applies, and the pull request's copy is not trusted")
	})

	t.Run("pull request that breaks or deletes the baseline", func(t *testing.T) {
		for head, want := range map[string]string{
			"{": "The pull request's baseline " + baselineName + " is not a baseline (not a JSON report or SARIF log",
			"":  "The pull request deletes the baseline " + baselineName,
		} {
			e := newE2E(t, bot)
			e.openPR(leakyBase, leakyHead, false)
			e.srv.AddCommit(e2eRepo, baseSHA, withFile(leakyBase, baselineName, baselineOf(fps[7])))
			files := leakyHead
			if head != "" {
				files = withFile(leakyHead, baselineName, head)
			}
			r := e.run(invocation{head: files, inputs: in})
			wantOutputs(t, r, 2, 1, 1)
			wantContains(t, "summary", r.summary, want)
		}
	})

	t.Run("earlier comments on findings the baseline adopts", func(t *testing.T) {
		// The first run comments on all three; once the base commit holds a
		// baseline, line 7's comment stays: its finding is still there.
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.run(invocation{head: leakyHead})
		e.srv.AddCommit(e2eRepo, baseSHA, withFile(leakyBase, baselineName, baselineOf(fps[7])))
		before := e.srv.Snapshot(e2eRepo, 7)
		r := e.run(invocation{head: leakyHead, inputs: in})
		if diff := cmp.Diff(before, e.srv.Snapshot(e2eRepo, 7)); diff != "" {
			t.Errorf("the run with a baseline changed the pull request (-before +after):\n%s", diff)
		}
		if strings.Contains(r.summary, "marked fixed") {
			t.Errorf("a known finding's comment was marked fixed:\n%s", r.summary)
		}
	})

	t.Run("push with the workspace's baseline", func(t *testing.T) {
		e := newE2E(t, bot)
		r := e.run(invocation{event: "push", head: withFile(leakyHead, baselineName, baselineOf(fps[7], fps[8])), inputs: in})
		if r.code != exitOK {
			t.Errorf("exit %d, want %d: the one new finding is a warning", r.code, exitOK)
		}
		wantOutputs(t, r, 1, 0, 1)
		wantContains(t, "log", r.stdout, "::warning file=Dockerfile,line=4", "holds 2 known findings")
		want := map[string]string{fps[4]: "new", fps[7]: "unchanged", fps[8]: "unchanged"}
		if diff := cmp.Diff(want, baselineStates(t, r.sarif)); diff != "" {
			t.Errorf("SARIF baselineState (-want +got):\n%s", diff)
		}
		for _, q := range e.srv.Requests() {
			t.Errorf("a push run called %s %s", q.Method, q.Path)
		}
	})

	t.Run("bad baseline", func(t *testing.T) {
		for _, tc := range []struct {
			name     string
			files    map[string]string
			baseline string
			want     string
		}{
			{"missing", leakyHead, baselineName, "::error::stowaway: input baseline: open " + baselineName + ": "},
			{"not JSON", withFile(leakyHead, baselineName, "FROM alpine\n"), baselineName, "::error::stowaway: input baseline: " + baselineName + ": not a JSON report or SARIF log"},
			{"another tool's SARIF", withFile(leakyHead, "other.sarif", `{"runs": [{"tool": {"driver": {"name": "hadolint"}}, "results": []}]}`), "other.sarif", "::error::stowaway: input baseline: other.sarif: the SARIF log has no run of stowaway"},
			{"outside the workspace", leakyHead, "../baseline.json", `::error::stowaway: input baseline: "../baseline.json" is not a relative path inside the workspace`},
		} {
			e := newE2E(t, bot)
			r := e.run(invocation{event: "push", head: tc.files, inputs: map[string]string{"baseline": tc.baseline}})
			if r.code != exitError {
				t.Errorf("%s: exit %d, want %d", tc.name, r.code, exitError)
			}
			wantContains(t, "log", r.stdout, tc.want)
		}
	})
}
