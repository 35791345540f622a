package scantest

import (
	"regexp"
	"strings"
	"testing"
)

// The hostile tokens (HostileGitHub, HostileAWS, HostileWord) are built from
// pieces so that no scanner of this repository's own files takes them for
// real ones. Tests of every output plant them with HostileTree and check
// with CheckNoPiece that no output holds a piece of them.
var (
	HostileGitHub = "ghp_" + "q8Xw2Lm5FAKERt9Vy3Np" + "7Kd1Hs6Bf4Gj0CxZ"
	HostileAWS    = "AKIA" + "QX7ZFAKER2LW5NT3"
	// HostileWord is no token format: only its randomness gives it away.
	HostileWord = "Rt9Vy3Np7Kd1" + "Hs6Bf4GjQ8Xw2L"
)

// split writes the token with sep between its halves.
func split(tok, sep string) string { return tok[:16] + sep + tok[16:] }

// HostileTree is a repository whose Dockerfiles, ignore file, pragmas and
// YAML files spell tokens in every way the lexer reads and a string search
// does not. Each Dockerfile gets an ARG -> secret mount suggestion, whose
// edits repeat the RUN and not the lines between, which hold the token;
// inrun's RUN holds one.
func HostileTree() map[string]string {
	mount := func(lines ...string) string {
		return "FROM alpine\nARG NPM_TOKEN\n" + strings.Join(lines, "\n") + "\nRUN npm ci --token=$NPM_TOKEN\n"
	}
	g := HostileGitHub
	return map[string]string{
		"continuation/Dockerfile": mount("ENV GH_TOKEN=" + split(g, "\\\n")),
		"backtick/Dockerfile":     "# escape=`\n" + mount("ENV GH_TOKEN="+split(g, "`\n")),
		"escape/Dockerfile":       mount("ENV GH_TOKEN=" + split(g, "\\")),
		"quotes/Dockerfile":       mount(`ENV GH_TOKEN="` + split(g, `"'`) + `'`),
		"concat/Dockerfile":       mount("ENV GH_TOKEN=" + split(g, "${EMPTY}")),
		"comment/Dockerfile":      mount("ENV GH_TOKEN=" + split(g, "\\\n# the rest\n")),
		"aws/Dockerfile":          mount("ENV AWS_ACCESS_KEY_ID=" + HostileAWS[:10] + "\\\n" + HostileAWS[10:]),
		// No rule reads a token split inside a RUN: only the net stops the
		// suggestion that repeats it.
		"run/Dockerfile":   "FROM alpine\nARG NPM_TOKEN\nRUN echo " + split(g, "\\\n") + " && npm ci --token=$NPM_TOKEN\n",
		"inrun/Dockerfile": "FROM alpine\nARG NPM_TOKEN\nRUN curl -H \"Authorization: token " + g + "\" https://api.github.com/user && npm ci --token=$NPM_TOKEN\n",
		// The ignore file's last line is the line its suggestion anchors on.
		"ignore/Dockerfile":    "FROM alpine\nCOPY . /app\n",
		"ignore/.dockerignore": "node_modules\n" + g + "\n",
		"pragma/Dockerfile": "FROM alpine\n# stowaway:ignore secret-env -- rotated " + HostileAWS + "\nENV API_PASSWORD=hunter2hunter2x\n" +
			"# check=skip=SecretsUsedInArgOrEnv " + g + "\nENV DB_PASSWORD=hunter3hunter3y\n" +
			"# stowaway:ignore secret-env -- key " + HostileWord + "\nENV API_SECRET=hunter4hunter4z\n",
		"compose/docker-compose.yml": "services:\n  web:\n    build:\n      context: ${CTX:?" + g + "}\n",
		".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    steps:\n      - name: build " + HostileAWS +
			"\n        run: docker build -f ${{ secrets.X }} .\n",
	}
}

// CheckNoPiece fails when text holds a token or any 8 bytes of it.
func CheckNoPiece(t *testing.T, where, text string) {
	t.Helper()
	for _, tok := range []string{HostileGitHub, HostileAWS, HostileWord} {
		for i := 0; i+8 <= len(tok); i++ {
			if strings.Contains(text, tok[i:i+8]) {
				t.Errorf("%s holds %q of a planted token:\n%s", where, tok[i:i+8], text)
				break
			}
		}
	}
}

// ourCommand is a command Stowaway writes itself, its data escaped.
var ourCommand = regexp.MustCompile(`^::(error|warning|notice)( [^:]*)?::[^\r\n]*$`)

// ForgedCommands returns the lines of log that the Actions runner would
// read as commands Stowaway did not write, splitting lines as the runner
// does. A line that is one of ours is read as that command: the runner
// looks for the legacy "##[" only in lines that are not.
func ForgedCommands(log string) []string {
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
