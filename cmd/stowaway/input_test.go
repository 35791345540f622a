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
