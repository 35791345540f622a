package action

// End-to-end tests of pull requests that try to silence the Action: with
// their own configuration, with a file in the SARIF log's place, or by
// meeting an API that fails after the scan.

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
)

// baseSHA is the base commit of the event payloads' pull request.
const baseSHA = "0123456789abcdef0123456789abcdef01234567"

// sarifRules returns the rule IDs of a SARIF log's results.
func sarifRules(t *testing.T, b []byte) []string {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("SARIF log: %v (%d bytes)", err, len(b))
	}
	var ids []string
	for _, r := range log.Runs[0].Results {
		ids = append(ids, r.RuleID)
	}
	return ids
}

func count(ids []string, id string) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

// wantReadThroughAPI checks that the run read the file name of the
// repository through the contents API.
func wantReadThroughAPI(t *testing.T, e *e2e, name string) {
	t.Helper()
	for _, q := range e.srv.Requests() {
		if q.Path == "/repos/acme/app/contents/"+name && q.Status == http.StatusOK {
			return
		}
	}
	t.Errorf("the run did not read %s through the contents API: %v", name, e.srv.Requests())
}

// withFiles returns a copy of tree with files added.
func withFiles(tree map[string]string, files map[string]string) map[string]string {
	out := map[string]string{}
	for p, c := range tree {
		out[p] = c
	}
	for p, c := range files {
		out[p] = c
	}
	return out
}

const allowEverything = `# Our fixtures hold sample tokens.
rules:
  secret-env: off
allow:
  paths: ['**']
  values: ['.*']
`

func TestActionHostileConfig(t *testing.T) {
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")

	t.Run("the pull request's own configuration allows everything", func(t *testing.T) {
		e := newE2E(t, bot)
		e.srv.AddCommit(e2eRepo, baseSHA, leakyBase)
		head := withFiles(leakyHead, map[string]string{".stowaway.yml": allowEverything})
		e.openPR(leakyBase, head, false)
		r := e.run(invocation{head: head})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d\n%s", r.code, exitFindings, r.stdout)
		}
		// The Dockerfile's three findings, and one config-weakened finding
		// per weakening line.
		wantOutputs(t, r, 6, 5, 1)
		wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=8",
			"::error file=.stowaway.yml,line=3,", "rules: secret-env is turned off",
			"::error file=.stowaway.yml,line=5,", "allow.paths gains",
			"::error file=.stowaway.yml,line=6,", "allow.values gains a pattern")
		if ids := sarifRules(t, r.sarif); count(ids, "config-weakened") != 3 || len(ids) != 6 {
			t.Errorf("SARIF results %v, want the Dockerfile's findings and 3 config-weakened", ids)
		}
		wantContains(t, "SARIF rules", string(r.sarif), `"id": "config-weakened"`)
		pr := e.srv.Snapshot(e2eRepo, 7)
		var onConfig []int
		for _, c := range pr.Comments {
			if c.Path == ".stowaway.yml" {
				onConfig = append(onConfig, c.Line)
			}
		}
		if len(onConfig) != 3 {
			t.Errorf("inline comments on .stowaway.yml at lines %v, want 3, 5 and 6", onConfig)
		}
	})

	t.Run("the base commit's configuration governs", func(t *testing.T) {
		e := newE2E(t, bot)
		base := withFiles(leakyBase, map[string]string{
			".stowaway.yml":       "allow:\n  paths: ['fixtures/**']\n",
			"fixtures/Dockerfile": "FROM alpine:3.20\n",
		})
		e.srv.AddCommit(e2eRepo, baseSHA, base)
		// The pull request removes the configuration: were the workspace's
		// read, the fixture's token would be reported.
		head := withFiles(leakyBase, map[string]string{
			"fixtures/Dockerfile": "FROM alpine:3.20\nENV SAMPLE_TOKEN=ghp_FAKEstowawayE2Efixture0000000000000\n",
		})
		e.openPR(base, head, false)
		r := e.run(invocation{head: head, inputs: map[string]string{"scan": "all"}})
		if r.code != exitOK {
			t.Errorf("exit %d, want %d: the base configuration allows fixtures/**\n%s", r.code, exitOK, r.stdout)
		}
		wantOutputs(t, r, 0, 0, 0)
		if ids := sarifRules(t, r.sarif); len(ids) != 0 {
			t.Errorf("SARIF results %v, want none", ids)
		}
		wantReadThroughAPI(t, e, ".stowaway.yml")
	})

	t.Run("the pull request deletes the configuration", func(t *testing.T) {
		e := newE2E(t, bot)
		base := withFiles(leakyBase, map[string]string{".stowaway.yml": "rules:\n  secret-arg: error\nsecret-words: [passphrase]\n"})
		e.srv.AddCommit(e2eRepo, baseSHA, base)
		e.openPR(base, leakyHead, false)
		r := e.run(invocation{head: leakyHead})
		// The base configuration still governs: secret-arg is an error.
		wantOutputs(t, r, 3, 3, 0)
		want := "The pull request deletes .stowaway.yml, which weakens the configuration once merged: rules: secret-arg goes from error to warning; secret-words drops passphrase"
		wantContains(t, "log", r.stdout, "::warning::"+want)
		wantContains(t, "summary", r.summary, "The pull request deletes .stowaway.yml")
	})

	t.Run("base configuration unreadable", func(t *testing.T) {
		e := newE2E(t, bot)
		e.srv.AddCommit(e2eRepo, baseSHA, map[string]string{".stowaway.yml": "allow:\n  paths: ['**']\n"})
		e.srv.AddFault(retryNow(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/contents/`), Status: http.StatusInternalServerError, Body: `{"message":"Server Error"}`, Times: 4}))
		head := withFiles(leakyHead, map[string]string{".stowaway.yml": allowEverything})
		e.openPR(leakyBase, head, false)
		r := e.run(invocation{head: head})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d: the defaults govern\n%s", r.code, exitFindings, r.stdout)
		}
		wantOutputs(t, r, 3, 2, 1)
		wantContains(t, "log", r.stdout, "::warning::Stowaway could not read the base commit's .stowaway.yml", "it scans with the default configuration")
		wantContains(t, "summary", r.summary, "it scans with the default configuration")
	})

	t.Run("malformed configuration in the pull request", func(t *testing.T) {
		e := newE2E(t, bot)
		e.srv.AddCommit(e2eRepo, baseSHA, leakyBase)
		head := withFiles(leakyHead, map[string]string{".stowaway.yml": "rules:\n  secret-env: off\nallow: paths: ['**']\n"})
		e.openPR(leakyBase, head, false)
		r := e.run(invocation{head: head})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d\n%s", r.code, exitFindings, r.stdout)
		}
		wantOutputs(t, r, 4, 3, 1)
		wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=8", "::error file=.stowaway.yml,line=3,", "cannot be read (yaml: line 3: mapping values are not allowed")
		wantContains(t, "summary", r.summary, "config-weakened")
	})
}

// retryNow makes a 5xx fault say Retry-After: 0, so that the transport's
// retries do not sleep.
func retryNow(f *ghtest.Fault) *ghtest.Fault {
	f.Header = http.Header{"Retry-After": []string{"0"}}
	return f
}

func TestActionReportsWhateverFails(t *testing.T) {
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")

	// reported checks what every run below must still have written.
	reported := func(t *testing.T, r result, sarifFile string) {
		t.Helper()
		want := map[string]string{"sarif-file": sarifFile, "findings": "3", "errors": "2", "warnings": "1"}
		if diff := cmp.Diff(want, r.outputs); diff != "" {
			t.Errorf("outputs (-want +got):\n%s", diff)
		}
		wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=7", "::error file=Dockerfile,line=8", "::warning file=Dockerfile,line=4")
		wantContains(t, "summary", r.summary, "| File | Line | Rule | Message |", "GITHUB\\_TOKEN")
		b, err := os.ReadFile(filepath.Join(r.workspace, filepath.FromSlash(sarifFile)))
		if err != nil {
			t.Fatal(err)
		}
		if ids := sarifRules(t, b); len(ids) != 3 {
			t.Errorf("SARIF results %v, want 3", ids)
		}
	}

	t.Run("stowaway.sarif committed as a folder", func(t *testing.T) {
		e := newE2E(t, bot)
		head := withFiles(leakyHead, map[string]string{"stowaway.sarif/README": "not a log\n"})
		e.openPR(leakyBase, head, false)
		r := e.run(invocation{head: head})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d (fail-on error)\n%s", r.code, exitFindings, r.stdout)
		}
		reported(t, r, "stowaway-2.sarif")
		wantContains(t, "summary", r.summary, "`stowaway.sarif` in the workspace is a folder")
		if b, _ := os.ReadFile(filepath.Join(r.workspace, "stowaway.sarif", "README")); string(b) != "not a log\n" {
			t.Errorf("the folder's file was changed: %q", b)
		}
		if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 1 {
			t.Errorf("%d reviews, want 1", len(pr.Reviews))
		}
	})

	t.Run("stowaway.sarif committed as a symlink", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		r := e.run(invocation{head: leakyHead, links: map[string]string{"stowaway.sarif": "Dockerfile"},
			inputs: map[string]string{"fail-on": "never"}})
		if r.code != exitOK {
			t.Errorf("exit %d, want %d (fail-on never)\n%s", r.code, exitOK, r.stdout)
		}
		reported(t, r, "stowaway-2.sarif")
		wantContains(t, "summary", r.summary, "`stowaway.sarif` in the workspace is a symlink")
		if b, _ := os.ReadFile(filepath.Join(r.workspace, "Dockerfile")); string(b) != leakyHead["Dockerfile"] {
			t.Error("the SARIF log was written through the symlink over the Dockerfile")
		}
	})

	for _, tc := range []struct {
		name  string
		fault *ghtest.Fault
	}{
		{"listing files answers 500 every time", retryNow(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/pulls/7/files$`),
			Status: http.StatusInternalServerError, Body: `{"message":"Server Error"}`, Times: 10})},
		{"listing files answers invalid JSON", &ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/pulls/7/files$`),
			Status: http.StatusOK, Body: `[{"filename": "Dockerfile", `}},
		{"reading the pull request fails", retryNow(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/pulls/7$`),
			Status: http.StatusBadGateway, Body: `{"message":"Server Error"}`, Times: 10})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newE2E(t, bot)
			e.openPR(leakyBase, leakyHead, false)
			e.srv.AddFault(tc.fault)
			r := e.run(invocation{head: leakyHead})
			if r.code != exitFindings {
				t.Errorf("exit %d, want %d: the findings decide\n%s", r.code, exitFindings, r.stdout)
			}
			reported(t, r, "stowaway.sarif")
			wantContains(t, "log", r.stdout, "::warning::Stowaway could not read the pull request's files")
			wantContains(t, "summary", r.summary, "in the whole tree", "Stowaway could not read the pull request's files")
			if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 0 {
				t.Errorf("%d reviews without the list of files", len(pr.Reviews))
			}
		})
	}

	t.Run("fail-on-api-error", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddFault(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/pulls/7/files$`), Status: http.StatusOK, Body: `{`})
		r := e.run(invocation{head: leakyHead, inputs: map[string]string{"fail-on-api-error": "true"}})
		if r.code != exitError {
			t.Errorf("exit %d, want %d", r.code, exitError)
		}
		reported(t, r, "stowaway.sarif")
	})

	t.Run("review and upload refused", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddFault(&ghtest.Fault{Method: http.MethodPost, Path: regexp.MustCompile(`/pulls/7/reviews$`), Status: http.StatusUnprocessableEntity,
			Body: `{"message":"Unprocessable Entity","errors":["Review cannot be created"]}`, Times: 20})
		e.srv.AddFault(&ghtest.Fault{Method: http.MethodPost, Path: regexp.MustCompile(`/code-scanning/sarifs$`), Status: http.StatusBadRequest,
			Body: `{"message":"Invalid request"}`})
		r := e.run(invocation{head: leakyHead, inputs: map[string]string{"upload-sarif": "true"}})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d\n%s", r.code, exitFindings, r.stdout)
		}
		reported(t, r, "stowaway.sarif")
		wantContains(t, "summary", r.summary, "SARIF was not uploaded")
		if !strings.Contains(r.stdout, "::warning::SARIF was not uploaded") {
			t.Errorf("no warning for the upload:\n%s", r.stdout)
		}
	})
}

// TestActionReportsWithoutItsOutputFile runs the action in-process with
// GITHUB_OUTPUT naming a folder: the outputs cannot be written, and the
// annotations, the summary and the SARIF log still are.
func TestActionReportsWithoutItsOutputFile(t *testing.T) {
	ws, dir := t.TempDir(), t.TempDir()
	df := "FROM alpine:3.20\nENV GITHUB_TOKEN=ghp_FAKEstowawayE2Eoutputs00000000000000\n"
	if err := os.WriteFile(filepath.Join(ws, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(dir, "summary")
	env := map[string]string{"GITHUB_WORKSPACE": ws, "GITHUB_EVENT_NAME": "push", "GITHUB_OUTPUT": dir, "GITHUB_STEP_SUMMARY": summary}
	var stdout, stderr strings.Builder
	code := Run(context.Background(), Options{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr, Version: "dev"})
	if code != exitFindings {
		t.Errorf("exit %d, want %d\n%s%s", code, exitFindings, stdout.String(), stderr.String())
	}
	wantContains(t, "log", stdout.String(), "::error file=Dockerfile,line=2", "::warning::Stowaway could not write the outputs")
	sum, _ := os.ReadFile(summary)
	wantContains(t, "summary", string(sum), "| File | Line | Rule | Message |", "Stowaway could not write the outputs")
	if _, err := os.Stat(filepath.Join(ws, "stowaway.sarif")); err != nil {
		t.Error(err)
	}
	if strings.Contains(stdout.String()+string(sum), "FAKEstowaway") {
		t.Error("the planted token was written")
	}
}
