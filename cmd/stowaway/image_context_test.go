package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// TestActionImageContextSendsEveryFile holds the Action image's
// .dockerignore to what its build reads: go.mod, go.sum and every Go file
// and embedded file of the packages the binary is built from must reach the
// build context, or `docker build` of the Action fails.
func TestActionImageContextSendsEveryFile(t *testing.T) {
	root := filepath.Join("..", "..")
	f, err := os.Open(filepath.Join(root, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	patterns, err := ignorefile.ReadAll(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "list", "-deps", "-f",
		"{{if not .Standard}}{{.ImportPath}}\t{{.Dir}}\t{{join .GoFiles \" \"}} {{join .EmbedFiles \" \"}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	need := []string{"go.mod", "go.sum"}
	const module = "github.com/stowaway-dev/stowaway"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != 3 || !strings.HasPrefix(fields[0], module) {
			continue
		}
		dir, err := filepath.Rel(abs, fields[1])
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range strings.Fields(fields[2]) {
			need = append(need, filepath.ToSlash(filepath.Join(dir, name)))
		}
	}
	if len(need) < 10 {
		t.Fatalf("go list named %d files: %q", len(need), need)
	}
	for _, p := range need {
		excluded, err := pm.MatchesOrParentMatches(p)
		if err != nil {
			t.Fatal(err)
		}
		if excluded {
			t.Errorf(".dockerignore leaves %s out of the Action image's build context", p)
		}
	}
}
