package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// linkedVersion is the version cliBinary links in as the release workflow
// links its own (-ldflags "-s -w -X main.version=..."), so that one build
// serves TestVersion too; SARIF reads it 0.0.0-linked, which versionRE
// replaces in goldens.
const linkedVersion = "v0.0.0-linked"

// cliBinary builds the command once per test run; the CLI tests run it as a
// user would, from the repository root.
func cliBinary(t *testing.T) string {
	t.Helper()
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stowaway-cli")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "stowaway")
		out, err := exec.Command("go", "build", "-ldflags", "-s -w -X main.version="+linkedVersion, "-o", cliPath, ".").CombinedOutput()
		if err != nil {
			cliErr = errors.New(string(out))
		}
	})
	if cliErr != nil {
		t.Fatalf("building stowaway: %v", cliErr)
	}
	return cliPath
}

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(cliBinary(t), args...)
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestScanExamples checks every output format of a scan of the shipped
// examples against golden files (go test ./cmd/stowaway -update rewrites them).
func TestScanExamples(t *testing.T) {
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			out, stderr, code := runCLI(t, "scan", "--format", format, "testdata/examples")
			if code != exitFindings {
				t.Errorf("exit code %d, want %d (the leaky examples have errors); stderr: %s", code, exitFindings, stderr)
			}
			out = versionRE.ReplaceAllString(out, `"version": "0.0.0-golden"`)
			golden := "examples." + format + ".golden"
			switch format {
			case "sarif":
				golden = "examples.sarif"
			case "checkstyle":
				golden = "examples.checkstyle.xml"
			case "gitlab":
				golden = "examples.gitlab.json"
			}
			goldenFile(t, golden, out)
			for _, secret := range plantedSecrets(t) {
				if strings.Contains(out, secret) || strings.Contains(stderr, secret) {
					t.Errorf("output holds the planted secret %q", secret[:4])
				}
			}
		})
	}
}

// The driver version differs between builds; goldens hold a placeholder.
var versionRE = regexp.MustCompile(`"version": "[^"]*-devel[^"]*"|"version": "0\.0\.0[^"]*"`)

// plantedSecrets are the fake credentials the examples carry.
func plantedSecrets(t *testing.T) []string {
	return []string{
		"ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
		"correct-horse-battery-staple",
		"sk_test_EXAMPLEexampleEXAMPLEexample00",
		"ghp_FAKEexampleR8vQ2mXk4LpZ9tYw3NcJ7sHd5",
	}
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"clean app", []string{"scan", "../../testdata/examples/go-clean"}, exitOK},
		{"findings", []string{"scan", "../../testdata/examples/node-leaky"}, exitFindings},
		{"fail-on never", []string{"scan", "--fail-on", "never", "../../testdata/examples"}, exitOK},
		{"warnings fail", []string{"scan", "--fail-on", "warning", "../../testdata/examples/python-buildarg"}, exitFindings},
		{"errors only", []string{"scan", "../../testdata/examples/python-buildarg"}, exitOK},
		{"flags after paths", []string{"scan", "../../testdata/examples/node-leaky", "--fail-on", "never"}, exitOK},
		{"missing path", []string{"scan", "no/such/dir"}, exitError},
		{"bad format", []string{"scan", "--format", "xml", "."}, exitError},
		{"bad fail-on", []string{"scan", "--fail-on", "loud", "."}, exitError},
		{"unknown command", []string{"scna"}, exitError},
		{"rules", []string{"rules"}, exitOK},
		{"one rule", []string{"rules", "secret-env"}, exitOK},
		{"unknown rule", []string{"rules", "secret-envs"}, exitError},
		{"retired rule", []string{"rules", "dockerignore-gap"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, func(string) string { return "" }, &out, &errb)
			if code != tc.code {
				t.Errorf("run(%q) = %d, want %d; stderr: %s", tc.args, code, tc.code, errb.String())
			}
		})
	}
}

func TestConfigFlag(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "stowaway.yml")
	if err := os.WriteFile(cfg, []byte("rules:\n  secret-env: off\n  arg-persisted: off\n  hardcoded-secret: off\n  url-credentials: off\n  context-secret-shipped: off\n  dockerignore-missing: warning\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCLI(t, "scan", "--config", cfg, "--format", "json", "testdata/examples/node-leaky")
	if code != exitOK {
		t.Errorf("exit %d with the error rules off; stderr: %s\n%s", code, stderr, out)
	}
	if err := os.WriteFile(cfg, []byte("rule:\n  secret-env: off\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = runCLI(t, "scan", "--config", cfg, "testdata/examples")
	if code != exitError || !strings.Contains(stderr, "field rule not found") {
		t.Errorf("unknown key: exit %d, stderr %q", code, stderr)
	}
}

func TestOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.sarif")
	stdout, stderr, code := runCLI(t, "scan", "--format", "sarif", "--output", out, "testdata/examples")
	if code != exitFindings {
		t.Errorf("exit %d; stderr %s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout not empty with --output: %q", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(b, []byte(`"version": "2.1.0"`)) {
		t.Errorf("no SARIF written: %v", err)
	}
	if !strings.Contains(stderr, "secret-env") {
		t.Errorf("stderr does not summarise the findings: %q", stderr)
	}
}

// TestReadmeRulesTable keeps the README's rules table in step with the rules.
func TestReadmeRulesTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "<!-- rules table")
	end := strings.Index(readme, "<!-- end of rules table -->")
	if start < 0 || end < start {
		t.Fatal("README has no rules table markers")
	}
	var got []string
	for _, line := range strings.Split(readme[start:end], "\n") {
		if strings.HasPrefix(line, "| `") {
			got = append(got, line)
		}
	}
	var want []string
	for _, r := range checks.All() {
		want = append(want, "| `"+r.ID+"` | "+r.Level.String()+" | "+r.Summary+" |")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README rules table (-want +got):\n%s", diff)
	}
	for _, cmd := range []string{"go run ./cmd/stowaway scan testdata/examples", "go test ./..."} {
		if !strings.Contains(readme[:strings.Index(readme, "## What it catches")], cmd) {
			t.Errorf("README's first screen lacks %q", cmd)
		}
	}
}

// TestScanOutsideCurrentFolder scans a folder that the current folder does
// not hold: results stay relative to the current folder, and the scanned
// tree is the folder given, not a common ancestor such as /.
func TestScanOutsideCurrentFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM alpine\nENV DB_PASSWORD=correct-horse-battery-staple\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runCLI(t, "scan", "--format", "json", dir)
	if code != exitFindings {
		t.Fatalf("exit %d; stderr %s", code, stderr)
	}
	cwd, _ := filepath.Abs("../..")
	want, _ := filepath.Rel(cwd, filepath.Join(dir, "Dockerfile"))
	if !strings.Contains(out, `"path": "`+filepath.ToSlash(want)+`"`) {
		t.Errorf("no finding at %s in %s", want, out)
	}
	if strings.Contains(out, "correct-horse-battery-staple") {
		t.Error("output holds the secret")
	}
}

// TestScanNeverReadsGit is a pull request that points an ignore file and
// Dockerfiles into .git, where actions/checkout keeps the job's token: the
// scan says it did not read them, and no output holds the token.
func TestScanNeverReadsGit(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteCheckout(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM alpine\nCOPY . /app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".git/config", filepath.Join(dir, ".dockerignore")); err != nil {
		t.Fatal(err)
	}
	for _, format := range formats {
		t.Run(format, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"scan", "--format", format, dir}, func(string) string { return "" }, &out, &errb)
			if code == exitError {
				t.Errorf("exit %d; stderr: %s", code, errb.String())
			}
			if leak := scantest.CheckoutLeak(out.String() + errb.String()); leak != "" {
				t.Errorf("output holds %q of .git/config", leak)
			}
			if !strings.Contains(out.String()+errb.String(), ".dockerignore: resolves into .git/, never read") {
				t.Errorf("no word of the .dockerignore that was not read:\n%s\n%s", out.String(), errb.String())
			}
		})
	}
}

// TestScanNonUTF8Folder is a secret file and a Dockerfile in a folder whose
// name is not UTF-8: both are read, and fail-on error fails.
func TestScanNonUTF8Folder(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "\xff\xfe")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Skipf("a name that is not UTF-8: %v", err)
	}
	for name, body := range map[string]string{
		filepath.Join(dir, "Dockerfile"): "FROM alpine\nCOPY . /app\n",
		filepath.Join(bad, ".env"):       "DB_PASSWORD=correct-horse-battery-staple\n",
		filepath.Join(bad, "Dockerfile"): "FROM alpine\nCOPY . /srv\n",
	} {
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"scan", "--format", "json", dir}, func(string) string { return "" }, &out, &errb)
	if code != exitFindings {
		t.Errorf("exit %d, want %d; stderr: %s\n%s", code, exitFindings, errb.String(), out.String())
	}
	var res struct {
		Findings []struct {
			Rule, Level, Path, Message string
		}
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Level == "error" {
			got = append(got, f.Rule+" "+path.Base(f.Path)+" "+strings.TrimPrefix(f.Message, "COPY . copies the whole build context into the image; the context has no .dockerignore and "))
		}
	}
	// JSON shows each byte that is not UTF-8 as U+FFFD.
	want := []string{"dockerignore-missing Dockerfile holds \ufffd\ufffd/.env (dotenv file)", "dockerignore-missing Dockerfile holds \ufffd\ufffd/.env (dotenv file)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s\n%s", diff, out.String())
	}
	if errb.Len() > 0 {
		t.Errorf("stderr: %s", errb.String())
	}
}

// TestRulesRetired checks that a retired rule ID stays known: the list
// shows it without a level, and asking for it says where its cases went.
func TestRulesRetired(t *testing.T) {
	const why = "dockerignore-gap is retired: its cases are reported by broad-copy and context-secret-shipped"
	for _, args := range [][]string{{"rules"}, {"rules", "dockerignore-gap"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, func(string) string { return "" }, &out, &errb); code != exitOK {
			t.Errorf("run(%q) = %d; stderr: %s", args, code, errb.String())
		}
		if !strings.Contains(out.String(), why) {
			t.Errorf("run(%q) does not say %q:\n%s", args, why, out.String())
		}
	}
}

// TestScanTimeout runs a scan whose time limit has passed before it starts:
// every file is an error-level "not fully analysed" problem, which fails
// the run at --fail-on error and not at --fail-on never.
func TestScanTimeout(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM alpine\nRUN echo hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"scan", "--timeout", "1ns", "--format", "json", dir}, exitFindings},
		{[]string{"scan", "--timeout", "1ns", "--format", "json", "--fail-on", "never", dir}, exitOK},
		{[]string{"scan", "--timeout", "0", "--format", "json", dir}, exitOK},
		{[]string{"scan", "--format", "json", dir}, exitOK},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, func(string) string { return "" }, &out, &errb)
		if code != tc.code {
			t.Errorf("run(%q) = %d, want %d; stderr: %s", tc.args, code, tc.code, errb.String())
		}
		limited := tc.args[1] == "--timeout" && tc.args[2] == "1ns"
		if got := strings.Contains(out.String(), `"message": "not fully analysed: the scan's time limit (1ns) ran out before it was checked"`); got != limited {
			t.Errorf("run(%q): not-fully-analysed problem in the report %v, want %v:\n%s", tc.args, got, limited, out.String())
		}
	}
}
