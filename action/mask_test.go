package action

import (
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

// TestActionMasksHostileText: the review, its suggestion blocks, the SARIF
// file, the log and the summary of a pull request that adds the hostile
// tree.
func TestActionMasksHostileText(t *testing.T) {
	e := newE2E(t, bot)
	head := hostileTree()
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
		checkNoPiece(t, where, text)
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
