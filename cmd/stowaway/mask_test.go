package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// The hostile tokens are built from pieces so that no scanner of this
// repository's own files takes them for real ones.
var (
	hostileGitHub = "ghp_" + "q8Xw2Lm5FAKERt9Vy3Np" + "7Kd1Hs6Bf4Gj0CxZ"
	hostileAWS    = "AKIA" + "QX7ZFAKER2LW5NT3"
	// hostileWord is no token format: only its randomness gives it away.
	hostileWord = "Rt9Vy3Np7Kd1" + "Hs6Bf4GjQ8Xw2L"
)

// split writes the token with sep between its halves.
func split(tok, sep string) string { return tok[:16] + sep + tok[16:] }

// hostileTree is a repository whose Dockerfiles, ignore file, pragmas and
// YAML files spell tokens in every way the lexer reads and a string search
// does not. Each Dockerfile gets an ARG -> secret mount suggestion, whose
// edits repeat the RUN and not the lines between, which hold the token;
// inrun's RUN holds one.
func hostileTree() map[string]string {
	mount := func(lines ...string) string {
		return "FROM alpine\nARG NPM_TOKEN\n" + strings.Join(lines, "\n") + "\nRUN npm ci --token=$NPM_TOKEN\n"
	}
	g := hostileGitHub
	return map[string]string{
		"continuation/Dockerfile": mount("ENV GH_TOKEN=" + split(g, "\\\n")),
		"backtick/Dockerfile":     "# escape=`\n" + mount("ENV GH_TOKEN="+split(g, "`\n")),
		"escape/Dockerfile":       mount("ENV GH_TOKEN=" + split(g, "\\")),
		"quotes/Dockerfile":       mount(`ENV GH_TOKEN="` + split(g, `"'`) + `'`),
		"concat/Dockerfile":       mount("ENV GH_TOKEN=" + split(g, "${EMPTY}")),
		"comment/Dockerfile":      mount("ENV GH_TOKEN=" + split(g, "\\\n# the rest\n")),
		"aws/Dockerfile":          mount("ENV AWS_ACCESS_KEY_ID=" + hostileAWS[:10] + "\\\n" + hostileAWS[10:]),
		// No rule reads a token split inside a RUN: only the net stops the
		// suggestion that repeats it.
		"run/Dockerfile":   "FROM alpine\nARG NPM_TOKEN\nRUN echo " + split(g, "\\\n") + " && npm ci --token=$NPM_TOKEN\n",
		"inrun/Dockerfile": "FROM alpine\nARG NPM_TOKEN\nRUN curl -H \"Authorization: token " + g + "\" https://api.github.com/user && npm ci --token=$NPM_TOKEN\n",
		// The ignore file's last line is the line its suggestion anchors on.
		"ignore/Dockerfile":    "FROM alpine\nCOPY . /app\n",
		"ignore/.dockerignore": "node_modules\n" + g + "\n",
		"pragma/Dockerfile": "FROM alpine\n# stowaway:ignore secret-env -- rotated " + hostileAWS + "\nENV API_PASSWORD=hunter2hunter2x\n" +
			"# check=skip=SecretsUsedInArgOrEnv " + g + "\nENV DB_PASSWORD=hunter3hunter3y\n" +
			"# stowaway:ignore secret-env -- key " + hostileWord + "\nENV API_SECRET=hunter4hunter4z\n",
		"compose/docker-compose.yml": "services:\n  web:\n    build:\n      context: ${CTX:?" + g + "}\n",
		".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    steps:\n      - name: build " + hostileAWS +
			"\n        run: docker build -f ${{ secrets.X }} .\n",
	}
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, files)
	return dir
}

// checkNoPiece fails when text holds a token or any 8 bytes of it.
func checkNoPiece(t *testing.T, where, text string) {
	t.Helper()
	for _, tok := range []string{hostileGitHub, hostileAWS, hostileWord} {
		for i := 0; i+8 <= len(tok); i++ {
			if strings.Contains(text, tok[i:i+8]) {
				t.Errorf("%s holds %q of a planted token:\n%s", where, tok[i:i+8], text)
				break
			}
		}
	}
}

func TestHostileTextMasked(t *testing.T) {
	dir := writeTree(t, hostileTree())
	for _, format := range formats {
		stdout, stderr, code := runCLI(t, "scan", "--format", format, dir)
		if code != exitFindings {
			t.Errorf("%s: exit %d, want %d\n%s", format, code, exitFindings, stderr)
		}
		checkNoPiece(t, format+" output", stdout+stderr)
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
		"rule ID":      "rules:\n  " + hostileGitHub + ": off\n",
		"secret word":  "secret-words: [\"" + hostileGitHub + " x\"]\n",
		"value regexp": "allow:\n  values: [\"(" + hostileGitHub + "\"]\n",
		"anchor":       "rules: *" + hostileGitHub + "\n",
		"context":      "contexts:\n  ../" + hostileGitHub + ": [.]\n",
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
			checkNoPiece(t, "output", stdout+stderr)
		})
	}
}
