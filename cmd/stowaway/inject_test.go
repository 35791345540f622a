package main

// Workflow-command injection: file names, Dockerfile text and problem
// messages that hold line breaks, a leading "::" or "##[" must start no
// command in any output of scan, on either stream.

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// injectionTree writes a tree whose names and content try to forge
// commands, and returns its folder.
func injectionTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	const secret = "ghp_FAKEstowawayInject000000000000000000"
	files := map[string]string{
		"x\n::error::forged-name/Dockerfile":             "FROM alpine:3.20\nENV API_TOKEN=" + secret + "\n",
		"y\r::add-mask::forged-mask/Dockerfile":          "FROM alpine:3.20\nENV API_TOKEN=" + secret + "\n",
		"::stop-commands::tok/Dockerfile":                "FROM alpine:3.20\nENV API_TOKEN=" + secret + "\n",
		"v\n::stop-commands::forged-stop/Dockerfile":     "FROM alpine:3.20\nENV API_TOKEN=" + secret + "\n",
		"z##[stop-commands]tok2/Dockerfile":              "FROM alpine:3.20\nENV API_TOKEN=" + secret + "\n",
		"content/Dockerfile":                             "FROM alpine:3.20\nENV API_TOKEN##[error]forged=" + secret + "\n",
		"w\n::warning::forged-nonutf8/Dockerfile.broken": "FROM alpine:3.20\nLABEL x=\"\xff\"\n",
	}
	scantest.WriteFiles(t, dir, files)
	// A problem whose message names the file.
	if err := os.Symlink(filepath.Join(dir, "missing"), filepath.Join(dir, "Dockerfile.\n::add-mask::forged-link")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// ourCommand is a command Stowaway writes itself, its data escaped.
var ourCommand = regexp.MustCompile(`^::(error|warning|notice)( [^:]*)?::[^\r\n]*$`)

// forgedCommands returns the lines of log that the Actions runner would
// read as commands Stowaway did not write, splitting lines as the runner
// does. A line that is one of ours is read as that command: the runner
// looks for the legacy "##[" only in lines that are not.
func forgedCommands(log string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(log, func(r rune) bool { return r == '\n' || r == '\r' }) {
		trimmed := strings.TrimSpace(l)
		if ourCommand.MatchString(trimmed) {
			continue
		}
		if strings.HasPrefix(trimmed, "::") || strings.Contains(l, "##[") {
			out = append(out, l)
		}
	}
	return out
}

func TestScanForgesNoWorkflowCommand(t *testing.T) {
	dir := injectionTree(t)
	out := filepath.Join(t.TempDir(), "report")
	for _, args := range [][]string{
		{"--format", "text"},
		{"--format", "json"},
		{"--format", "sarif"},
		{"--format", "github"},
		{"--format", "text", "--output", out},
		{"--format", "sarif", "--output", out},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(append([]string{"scan"}, args...), dir), func(string) string { return "" }, &stdout, &stderr, nil)
			if code != exitFindings {
				t.Fatalf("exit %d, want %d (findings)\n%s", code, exitFindings, stderr.String())
			}
			for name, log := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				if c := forgedCommands(log); len(c) != 0 {
					t.Errorf("%s holds commands that Stowaway did not write: %q", name, c)
				}
			}
			// The hostile files were reported, not skipped.
			report, _ := os.ReadFile(out)
			all := stdout.String() + stderr.String() + string(report)
			for _, s := range []string{"forged-name", "forged-mask", "forged-stop", "tok/Dockerfile", "forged-link"} {
				if !strings.Contains(all, s) {
					t.Errorf("nothing about %q in the output", s)
				}
			}
		})
	}
}

// TestActionForgesNoWorkflowCommand feeds the action text from the API
// that tries to forge commands: a changed file's name (with a patch that
// does not parse, which the log names), the review's URL, the upload's ID.
func TestActionForgesNoWorkflowCommand(t *testing.T) {
	e := newE2E(t, bot)
	base, head := tree(t, "leaky/base"), tree(t, "leaky/head")
	files := append(ghtest.Diff(base, head), ghtest.File{Filename: "evil\n::error::forged-diff\r::add-mask::forged-cr", Status: "added", Patch: "@@ -x +y @@\n+FROM alpine"})
	e.srv.AddPR(e2eRepo, &ghtest.PR{Number: 7, Author: "octocat", HeadRef: "feature/npm-publish", Head: headSHA}, files)
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodPost, Path: regexp.MustCompile(`/pulls/7/reviews$`), Status: http.StatusOK, Stored: true,
		Body: `{"id":1,"html_url":"https://github.com/acme/app/pull/7\n::add-mask::forged-url"}`})
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodPost, Path: regexp.MustCompile(`/code-scanning/sarifs$`), Status: http.StatusAccepted, Stored: true,
		Body: `{"id":"u\n::stop-commands::forged-id","url":"x"}`})
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodGet, Path: regexp.MustCompile(`/code-scanning/sarifs/`), Status: http.StatusOK,
		Body: `{"processing_status":"complete"}`})
	r := e.run(invocation{head: head, inputs: map[string]string{"upload-sarif": "true"}})
	// The token's mask is Stowaway's own first line (checkNoLeak sees to it).
	stdout := strings.TrimPrefix(r.stdout, "::add-mask::"+e2eToken+"\n")
	for name, log := range map[string]string{"stdout": stdout, "stderr": r.stderr} {
		if c := forgedCommands(log); len(c) != 0 {
			t.Errorf("%s holds commands that Stowaway did not write: %q", name, c)
		}
	}
	wantContains(t, "log", r.stdout, `Cannot read the diff of evil\x0a::error::forged-diff\x0d::add-mask::forged-cr`,
		`Posted a review: https://github.com/acme/app/pull/7\x0a::add-mask::forged-url`,
		`(upload u\x0a::stop-commands::forged-id: complete)`)
}
