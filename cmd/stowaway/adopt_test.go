package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// scanDir runs the command in-process over a folder of files it writes.
func scanDir(t *testing.T, files map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	args = append(args, dir)
	code = run(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return out.String(), errb.String(), code
}

// A name alone is a secret-arg warning; BuildKit's `check=error=true`
// makes it fail the build, and the scan at the default --fail-on.
func TestCheckErrorDirective(t *testing.T) {
	const body = "FROM alpine\nARG GITHUB_TOKEN\nRUN echo build\n"
	for _, tc := range []struct {
		name, head, level string
		code              int
	}{
		{"without", "", "warning", exitOK},
		{"error=true", "# check=error=true\n", "error", exitFindings},
		{"error=false", "# check=error=false\n", "warning", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := scanDir(t, map[string]string{"Dockerfile": tc.head + body}, "scan", "--format", "github")
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if want := "::" + tc.level + " "; !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
				t.Errorf("want one %s annotation, got:\n%s", tc.level, out)
			}
		})
	}
}

// runIn runs the command in-process in the folder dir.
func runIn(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Chdir(dir)
	var out, errb bytes.Buffer
	code = run(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return out.String(), errb.String(), code
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// goldenFile compares got with testdata/name, which -update rewrites.
func goldenFile(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join(testdataDir, name)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// testdataDir is absolute: the baseline tests change folder.
var testdataDir = func() string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return d
}()

const (
	// Two findings the repository has when it adopts Stowaway.
	adoptedDockerfile = "FROM alpine\nARG NPM_TOKEN=npm_FAKEexample0123456789abcdefABCDEF0123\nENV DB_PASSWORD=hunter3hunter3y\nRUN echo build\n"
	// The same file later: lines inserted above them, the ENV re-indented,
	// and one new finding.
	editedDockerfile = "# syntax=docker/dockerfile:1\nFROM alpine\nLABEL team=payments\n\nARG NPM_TOKEN=npm_FAKEexample0123456789abcdefABCDEF0123\nENV   DB_PASSWORD=hunter3hunter3y\nENV API_SECRET=s3cr3t-Passw0rd-42x\nRUN echo build\n"
)

// TestBaseline writes a baseline, edits the Dockerfile, and checks that the
// old findings stay hidden from text, JSON and the exit code while the new
// one shows, and that SARIF keeps all of them with their baselineState;
// a SARIF log of the first run serves as a baseline alike.
func TestBaseline(t *testing.T) {
	// The baselines sit beside the scanned folder, not in it: there, as
	// files of the build context, each scan would read them for tokens
	// (the SARIF log is 129 KB: a second of CPU over the test's scans).
	parent := t.TempDir()
	dir := filepath.Join(parent, "app")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"Dockerfile": adoptedDockerfile})
	if _, stderr, code := runIn(t, dir, "scan", "."); code != exitFindings {
		t.Fatalf("before the baseline: exit code %d, want %d; stderr: %s", code, exitFindings, stderr)
	}
	if _, stderr, code := runIn(t, dir, "baseline", "--output", "../baseline.json"); code != exitOK {
		t.Fatalf("baseline: exit code %d; stderr: %s", code, stderr)
	}
	sarifLog, _, _ := runIn(t, dir, "scan", "--format", "sarif", ".")
	writeFiles(t, parent, map[string]string{"baseline.sarif": sarifLog})
	if _, stderr, code := runIn(t, dir, "scan", "--baseline", "../baseline.json", "."); code != exitOK {
		t.Errorf("unchanged file: exit code %d, want %d; stderr: %s", code, exitOK, stderr)
	}

	writeFiles(t, dir, map[string]string{"Dockerfile": editedDockerfile})
	for _, name := range []string{"baseline.json", "baseline.sarif"} {
		t.Run(name, func(t *testing.T) {
			base := "../" + name
			text, stderr, code := runIn(t, dir, "scan", "--baseline", base, ".")
			if code != exitFindings {
				t.Errorf("exit code %d, want %d (the new finding is an error); stderr: %s", code, exitFindings, stderr)
			}
			goldenFile(t, "baseline.text.golden", text)
			if want := "stowaway: baseline " + base + ": 2 known findings not reported (they do not fail the scan)\n"; stderr != want {
				t.Errorf("stderr = %q, want %q", stderr, want)
			}

			js, _, _ := runIn(t, dir, "scan", "--format", "json", "--baseline", base, ".")
			var rep struct {
				Findings []struct {
					Rule string
					Line int
				}
			}
			if err := json.Unmarshal([]byte(js), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != 1 || rep.Findings[0].Line != 7 {
				t.Errorf("JSON findings = %+v, want the new one on line 7", rep.Findings)
			}

			sl, _, code := runIn(t, dir, "scan", "--format", "sarif", "--baseline", base, ".")
			if code != exitFindings {
				t.Errorf("SARIF: exit code %d, want %d", code, exitFindings)
			}
			goldenFile(t, "baseline.sarif", versionRE.ReplaceAllString(sl, `"version": "0.0.0-golden"`))
		})
	}
	if _, _, code := runIn(t, dir, "scan", "--baseline", "../baseline.json", "--fail-on", "never", "."); code != exitOK {
		t.Errorf("--fail-on never: exit code %d", code)
	}
}

// TestBaselineFromASubfolder: with a configuration at the repository root,
// the scanned tree is its folder wherever the scan starts, so a baseline
// written at the root hides the same findings in every format from a
// subfolder.
func TestBaselineFromASubfolder(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, map[string]string{".git/HEAD": gitHead, ".stowaway.yml": "", "svc/Dockerfile": adoptedDockerfile})
	if _, stderr, code := runIn(t, dir, "baseline", "--output", "baseline.json"); code != exitOK {
		t.Fatalf("baseline: exit code %d; stderr: %s", code, stderr)
	}
	for _, format := range formats {
		out, stderr, code := runIn(t, filepath.Join(dir, "svc"), "scan", "--format", format, "--baseline", "../baseline.json")
		if code != exitOK || !strings.Contains(stderr, "known finding") {
			t.Errorf("%s: exit code %d, want %d; stderr: %s", format, code, exitOK, stderr)
		}
		if format != "sarif" && strings.Contains(out, "secret-") {
			t.Errorf("%s shows a known finding:\n%s", format, out)
		}
	}
}

// A baseline that cannot be read or is not a report of Stowaway ends the
// command before scanning: exit 2, saying why.
func TestBaselineUnreadable(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Dockerfile":   adoptedDockerfile,
		"garbage.json": "FROM alpine\n",
		"empty.json":   "{}",
		"future.json":  `{"version": 99, "findings": []}`,
		"other.sarif":  `{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "hadolint"}}, "results": []}]}`,
	})
	for file, want := range map[string]string{
		"missing.json": "--baseline: open missing.json: no such file or directory",
		"garbage.json": "--baseline garbage.json: not a JSON report or SARIF log: invalid character",
		"empty.json":   `--baseline empty.json: neither a JSON report (no "findings") nor a SARIF log (no "runs")`,
		"future.json":  "--baseline future.json: a JSON report of an unknown version (want 1 to 1)",
		"other.sarif":  "--baseline other.sarif: the SARIF log has no run of stowaway",
	} {
		t.Run(file, func(t *testing.T) {
			out, stderr, code := runIn(t, dir, "scan", "--baseline", file, ".")
			if code != exitError || out != "" {
				t.Errorf("exit code %d, stdout %q; want %d and nothing", code, out, exitError)
			}
			if !strings.HasPrefix(stderr, "stowaway: "+want) {
				t.Errorf("stderr = %q, want it to start with %q", stderr, want)
			}
		})
	}
}

// TestEnableDisable checks --enable and --disable against the
// configuration's rules: section (the flags win) and their errors.
func TestEnableDisable(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		".stowaway.yml": "rules:\n  secret-env: off\n  secret-arg: warning\n",
		"Dockerfile":    adoptedDockerfile,
	})
	for _, tc := range []struct {
		name  string
		flags []string
		want  string // the annotations, one "level rule" a line
		code  int
	}{
		{"configuration", nil, "warning secret-arg", exitOK},
		{"enable keeps the configured level", []string{"--enable", "secret-env,secret-arg"}, "warning secret-arg\nerror secret-env", exitFindings},
		{"disable wins over the configuration", []string{"--enable=secret-env", "--disable", "secret-arg"}, "error secret-env", exitFindings},
		{"repeated", []string{"--disable", "secret-arg", "--disable", "secret-env"}, "", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"scan", "--format", "github"}, tc.flags...), ".")
			out, stderr, code := runIn(t, dir, args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			var got []string
			for _, m := range annotationRE.FindAllStringSubmatch(out, -1) {
				got = append(got, m[1]+" "+m[2])
			}
			if s := strings.Join(got, "\n"); s != tc.want {
				t.Errorf("annotations:\n%s\nwant:\n%s", s, tc.want)
			}
		})
	}
	for _, tc := range []struct{ flag, want string }{
		{"--disable=secret-envs", `invalid value "secret-envs" for flag -disable: unknown rule "secret-envs" (rules: secret-env, secret-arg, `},
		{"--enable=secret-arg,", `invalid value "secret-arg," for flag -enable: unknown rule "" (rules: secret-env, `},
		{"--enable=dockerignore-gap", "dockerignore-gap is retired: its cases are reported by broad-copy and context-secret-shipped"},
	} {
		out, stderr, code := runIn(t, dir, "scan", tc.flag, ".")
		if code != exitError || out != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit code %d, stdout %q, stderr %q; want %d and %q", tc.flag, code, out, stderr, exitError, tc.want)
		}
	}
	_, stderr, code := runIn(t, dir, "scan", "--enable", "secret-env", "--disable", "secret-env", ".")
	if want := "secret-env is both enabled and disabled"; code != exitError || !strings.Contains(stderr, want) {
		t.Errorf("both: exit code %d, stderr %q; want %d and %q", code, stderr, exitError, want)
	}
}

var annotationRE = regexp.MustCompile(`(?m)^::(\w+) .*\((\S+)\)::`)
