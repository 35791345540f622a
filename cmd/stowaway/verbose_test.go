package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// TestScanVerbose checks what --verbose and -v say on stderr: the
// configuration found in a parent folder, the files read, the build context
// with its ignore file and the time taken; the report itself is unchanged.
func TestScanVerbose(t *testing.T) {
	root := t.TempDir()
	app := filepath.Join(root, "app")
	for _, d := range []string{filepath.Join(root, ".git"), app} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFiles(t, root, map[string]string{".stowaway.yml": "rules:\n  broad-copy: warning\n"})
	writeFiles(t, app, map[string]string{
		"Dockerfile":    "FROM alpine:3.20\nCOPY . .\n",
		".dockerignore": ".git\n",
	})
	quietOut, quietErr, quietCode := runIn(t, app, "scan")
	if quietErr != "" {
		t.Errorf("without --verbose, stderr = %q, want nothing", quietErr)
	}
	if !strings.Contains(quietOut, "broad-copy") {
		t.Fatalf("the report misses the broad-copy finding:\n%s", quietOut)
	}
	for _, flag := range []string{"--verbose", "-v"} {
		out, errs, code := runIn(t, app, "scan", flag)
		if out != quietOut || code != quietCode {
			t.Errorf("%s changed the report or exit code (%d, want %d):\n%s", flag, code, quietCode, out)
		}
		lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
		want := []string{
			"stowaway: config: ../.stowaway.yml",
			"stowaway: read .dockerignore",
			"stowaway: read Dockerfile",
			"stowaway: context: Dockerfile -> . -> .dockerignore",
		}
		if len(lines) != len(want)+1 {
			t.Fatalf("%s: stderr =\n%s\nwant %d lines", flag, errs, len(want)+1)
		}
		for i, w := range want {
			if lines[i] != w {
				t.Errorf("%s: line %d = %q, want %q", flag, i+1, lines[i], w)
			}
		}
		if last := lines[len(want)]; !regexp.MustCompile(`^stowaway: scanned 2 files in [0-9.]+[µnm]?s( \([0-9]+ files/s\))?$`).MatchString(last) {
			t.Errorf("%s: timing line = %q", flag, last)
		}
	}
}

// TestScanVerboseNoIgnoreFile checks that a context without an ignore file
// says so, and a scan without configuration says it runs on defaults.
func TestScanVerboseNoIgnoreFile(t *testing.T) {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, map[string]string{"Dockerfile": "FROM alpine:3.20\nCOPY app.py .\n"})
	_, errs, _ := runIn(t, root, "scan", "-v")
	for _, w := range []string{
		"stowaway: config: none (defaults)\n",
		"stowaway: context: Dockerfile -> . -> no ignore file\n",
	} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr misses %q:\n%s", w, errs)
		}
	}
}

// TestScanVerboseBuildFiles checks that --verbose lists the Compose and
// workflow files read for builds even when they name none, and that a
// context the configuration sets names the file read, under its own name
// and relative to the current folder.
func TestScanVerboseBuildFiles(t *testing.T) {
	root := t.TempDir()
	scantest.WriteFiles(t, root, map[string]string{
		".git/HEAD":                gitHead,
		".stowaway.yaml":           "contexts:\n  app/Dockerfile: [app]\n",
		"docker-compose.yml":       "services:\n  db:\n    image: postgres:16\n",
		".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n",
		"app/Dockerfile":           "FROM alpine:3.20\nCOPY app.py .\n",
	})
	_, errs, code := runIn(t, filepath.Join(root, "app"), "scan", "-v")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errs)
	}
	want := []string{
		"stowaway: config: ../.stowaway.yaml",
		"stowaway: read Dockerfile",
		"stowaway: read ../.github/workflows/ci.yml (for builds)",
		"stowaway: read ../docker-compose.yml (for builds)",
		"stowaway: context: Dockerfile -> . -> no ignore file (from ../.stowaway.yaml)",
	}
	lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
	if len(lines) != len(want)+1 || strings.Join(lines[:len(want)], "\n") != strings.Join(want, "\n") {
		t.Errorf("stderr =\n%s\nwant\n%s\nand the timing line", errs, strings.Join(want, "\n"))
	}
}

// TestScanVerboseIgnoreFile checks that the ignore file of a named
// Dockerfile's context, read though not scanned itself, is listed too.
func TestScanVerboseIgnoreFile(t *testing.T) {
	root := t.TempDir()
	scantest.WriteFiles(t, root, map[string]string{
		".git/HEAD":         gitHead,
		"svc/Dockerfile":    "FROM alpine:3.20\nCOPY app.py .\n",
		"svc/.dockerignore": ".git\n",
	})
	_, errs, _ := runIn(t, root, "scan", "-v", "svc/Dockerfile")
	for _, w := range []string{
		"stowaway: read svc/Dockerfile\nstowaway: read svc/.dockerignore (for contexts)\n",
		"stowaway: context: svc/Dockerfile -> svc -> svc/.dockerignore\n",
	} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr misses %q:\n%s", w, errs)
		}
	}
	if _, errs, _ := runIn(t, root, "scan", "-v", "svc"); strings.Contains(errs, "(for contexts)") {
		t.Errorf("an ignore file scanned itself is listed twice:\n%s", errs)
	}
}
