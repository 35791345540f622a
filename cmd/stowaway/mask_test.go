package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/scan/scantest"
)

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, files)
	return dir
}

func TestHostileTextMasked(t *testing.T) {
	dir := writeTree(t, scantest.HostileTree())
	for _, format := range formats {
		stdout, stderr, code := runCLI(t, "scan", "--format", format, dir)
		if code != exitFindings {
			t.Errorf("%s: exit %d, want %d\n%s", format, code, exitFindings, stderr)
		}
		scantest.CheckNoPiece(t, format+" output", stdout+stderr)
		// The text report quotes the lines it reports, masked as the
		// engine masks its snippets.
		if format == "text" && !strings.Contains(stdout, "\n    ENV GH_TOKEN=ghp_…(40 chars)\\\n        ^\n") {
			t.Errorf("text output shows no masked source line with its caret:\n%s", stdout)
		}
		if format != "json" {
			continue
		}
		var rep struct {
			Findings []struct {
				Rule, Path string
				Suggestion *struct {
					Text string
					Also []struct{ Text string }
				}
				Suppressed *struct{ Reason string }
			}
			Problems []struct{ Message string }
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		suggested, reasons := map[string]string{}, 0
		for _, f := range rep.Findings {
			if s := f.Suggestion; s != nil {
				text := s.Text
				for _, e := range s.Also {
					text += "\n" + e.Text
				}
				suggested[strings.Join(strings.Split(f.Path, "/")[max(0, strings.Count(f.Path, "/")-1):], "/")] = text
			}
			if f.Suppressed != nil {
				reasons++
				if strings.HasPrefix(f.Suppressed.Reason, "rotated") && f.Suppressed.Reason != "rotated AKIA…(20 chars)" {
					t.Errorf("suppression reason %q, want the key redacted", f.Suppressed.Reason)
				}
			}
		}
		// The suggestions leave the lines between the ARG and its RUN
		// alone; a masked one stays (the review does not offer it); the
		// ones the net caught are gone with their lines.
		for _, p := range []string{"continuation", "backtick", "escape", "quotes", "concat", "comment"} {
			if s, ok := suggested[p+"/Dockerfile"]; !ok || strings.Contains(s, "GH_TOKEN") {
				t.Errorf("%s: suggestion %q (%v), want one that does not repeat the ENV", p, s, ok)
			}
		}
		if s := suggested["inrun/Dockerfile"]; !strings.Contains(s, "ghp_…(40 chars)") {
			t.Errorf("inrun: suggestion %q, want it with the token masked", s)
		}
		for _, p := range []string{"run/Dockerfile", "ignore/.dockerignore"} {
			if s, ok := suggested[p]; ok {
				t.Errorf("%s: suggestion %q, want none", p, s)
			}
		}
		if reasons != 3 {
			t.Errorf("%d suppressed findings, want 3 (two pragmas and the check directive)", reasons)
		}
		if len(rep.Problems) < 2 {
			t.Errorf("problems %+v, want the compose and workflow notes", rep.Problems)
		}
	}
}

// TestHostileConfigMasked: .stowaway.yml errors quote what they reject.
func TestHostileConfigMasked(t *testing.T) {
	for name, cfg := range map[string]string{
		"rule ID":      "rules:\n  " + scantest.HostileGitHub + ": off\n",
		"secret word":  "secret-words: [\"" + scantest.HostileGitHub + " x\"]\n",
		"value regexp": "allow:\n  values: [\"(" + scantest.HostileGitHub + "\"]\n",
		"anchor":       "rules: *" + scantest.HostileGitHub + "\n",
		"context":      "contexts:\n  ../" + scantest.HostileGitHub + ": [.]\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{".stowaway.yml": cfg, "Dockerfile": "FROM alpine\n"})
			stdout, stderr, code := runCLI(t, "scan", "--config", filepath.Join(dir, ".stowaway.yml"), dir)
			if code != exitError {
				t.Errorf("exit %d, want %d\n%s", code, exitError, stderr)
			}
			if !strings.Contains(stderr, "…(") {
				t.Errorf("stderr %q, want the rejected value redacted", stderr)
			}
			scantest.CheckNoPiece(t, "output", stdout+stderr)
		})
	}
}
