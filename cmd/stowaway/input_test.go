package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// TestNamedPathNotScanned: a path named on the command line that is not
// read, or a named file that is not scanned, is an error, not "no findings".
func TestNamedPathNotScanned(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, map[string]string{
		".git/HEAD":          gitHead,
		".stowaway.yml":      "allow: {paths: [legacy/**]}\n",
		"legacy/Dockerfile":  leakyDockerfile,
		"big/Dockerfile":     "FROM alpine\n" + strings.Repeat("# padding\n", scan.MaxFileSize/10),
		"bin/Dockerfile":     "FROM alpine\n\x00\n",
		"outside/Dockerfile": leakyDockerfile,
	})
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, want string
	}{
		{"legacy/Dockerfile", "stowaway: legacy/Dockerfile is not scanned: the configuration's allow.paths leaves it out"},
		{"big/Dockerfile", "stowaway: cannot scan big/Dockerfile: big/Dockerfile is larger than 1048576 bytes; not scanned"},
		{"bin/Dockerfile", "stowaway: cannot scan bin/Dockerfile: bin/Dockerfile is a binary file, not a Dockerfile; not scanned"},
		{"fifo", "stowaway: cannot scan fifo: not a regular file (to scan standard input, use `stowaway scan -`)"},
		{"no/such/Dockerfile", "stowaway: cannot read no/such/Dockerfile: no such file or directory"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, stderr, code := runIn(t, dir, "scan", tc.path)
			if code != exitError || stderr != tc.want+"\n" {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", code, stderr, exitError, tc.want)
			}
		})
	}
	// A link that leaves the tree is refused when named.
	repo := filepath.Join(dir, "repo")
	scantest.WriteFiles(t, repo, map[string]string{".git/HEAD": gitHead})
	if err := os.Symlink("../outside/Dockerfile", filepath.Join(repo, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runIn(t, repo, "scan", "Dockerfile")
	if want := "stowaway: cannot scan Dockerfile: cannot read Dockerfile: path escapes from parent\n"; code != exitError || stderr != want {
		t.Errorf("link out of the tree: exit %d, stderr %q, want %q", code, stderr, want)
	}
	// The folder walk still only reports what it left out.
	out, stderr, code := runIn(t, dir, "scan", "--fail-on", "never", ".")
	if code != exitOK || !strings.Contains(out, "larger than") {
		t.Errorf("walk: exit %d\n%s\nstderr: %s", code, out, stderr)
	}
}

// TestScanStdin: `stowaway scan -` scans standard input as the Dockerfile
// --stdin-filename names, with that folder's ignore file, build context and
// configuration; output paths show the name.
func TestScanStdin(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, map[string]string{
		".git/HEAD":         gitHead,
		"svc/.env":          "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY42\n",
		"svc/.dockerignore": "*\n!app\n",
		"svc/app/main.go":   "package main\n",
		"off/.stowaway.yml": "rules: {secret-env: off}\n",
		"real/Dockerfile":   leakyDockerfile,
		"leak/.env":         "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAKEKEY42\n",
	})
	const copyAll = "FROM alpine\nCOPY . /src\n"
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		out, err    string // in standard output, equal to standard error
	}{
		{"findings", leakyDockerfile, []string{"scan", "-"}, exitFindings, "Dockerfile:2", ""},
		{"fail-on never", leakyDockerfile, []string{"scan", "--fail-on", "never", "-"}, exitOK, "Dockerfile:2", ""},
		{"clean", "FROM alpine\nRUN true\n", []string{"scan", "-"}, exitOK, "no findings in 1 file", ""},
		{"named in a folder", leakyDockerfile, []string{"scan", "--stdin-filename", "svc/Dockerfile", "-"}, exitFindings, "svc/Dockerfile:2", ""},
		{"its context is its folder", copyAll, []string{"scan", "--stdin-filename", "leak/Dockerfile", "-"}, exitFindings, "leak/Dockerfile:2", ""},
		{"its ignore file applies", copyAll, []string{"scan", "--stdin-filename", "svc/Dockerfile", "-"}, exitOK, "no findings in 1 file", ""},
		{"its configuration applies", leakyDockerfile, []string{"scan", "--stdin-filename", "off/Dockerfile", "-"}, exitOK, "no findings in 1 file", ""},
		{"in place of the file on disk", "FROM alpine\nRUN true\n", []string{"scan", "--stdin-filename", "real/Dockerfile", "-"}, exitOK, "no findings in 1 file", ""},
		{"too large", "FROM alpine\n" + strings.Repeat("#\n", scan.MaxFileSize/2), []string{"scan", "-"}, exitError, "", "stowaway: standard input is larger than 1048576 bytes, the limit of a Dockerfile; not scanned\n"},
		{"binary", "FROM alpine\n\x00", []string{"scan", "-"}, exitError, "", "stowaway: cannot scan Dockerfile: Dockerfile is a binary file, not a Dockerfile; not scanned\n"},
		{"with other paths", leakyDockerfile, []string{"scan", "-", "svc"}, exitError, "", "stowaway: PATH - (standard input) is scanned alone\n"},
		{"name without -", leakyDockerfile, []string{"scan", "--stdin-filename", "x/Dockerfile", "svc"}, exitError, "", "stowaway: --stdin-filename names the Dockerfile read from standard input: give PATH -\n"},
		{"no such folder", leakyDockerfile, []string{"scan", "--stdin-filename", "nope/Dockerfile", "-"}, exitError, "", "stowaway: --stdin-filename nope/Dockerfile: its folder does not exist\n"},
		{"a folder", leakyDockerfile, []string{"scan", "--stdin-filename", "svc", "-"}, exitError, "", "stowaway: --stdin-filename svc is a folder; name a file in it\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := stdin
			stdin = strings.NewReader(tc.stdin)
			t.Cleanup(func() { stdin = old })
			out, stderr, code := runIn(t, dir, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || stderr != tc.err {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr: %q, want %q (stdout holding %q)", code, tc.code, out, stderr, tc.err, tc.out)
			}
			if strings.Contains(out+stderr, "FAKEKEY42") || strings.Contains(out+stderr, "correct-horse") {
				t.Error("output holds a secret")
			}
		})
	}
}
