package main

// Workflow-command injection: file names, Dockerfile text and problem
// messages that hold line breaks, a leading "::" or "##[" must start no
// command in any output of scan, on either stream.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
			code := run(context.Background(), append(append([]string{"scan"}, args...), dir), func(string) string { return "" }, &stdout, &stderr)
			if code != exitFindings {
				t.Fatalf("exit %d, want %d (findings)\n%s", code, exitFindings, stderr.String())
			}
			for name, log := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
				if c := scantest.ForgedCommands(log); len(c) != 0 {
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
