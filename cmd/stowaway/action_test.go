package main

// The Action's container: the image is built from the Dockerfile's COPY
// list and the .dockerignore; the Action's run itself is package action's,
// tested there in-process.

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/scan"
)

// TestDockerfileCopiesEveryPackage keeps the image's explicit COPY list in
// step with the packages the binary imports.
func TestDockerfileCopiesEveryPackage(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/stowaway-dev/stowaway/"
	need := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, module); ok {
			need[strings.Split(rest, "/")[0]] = true
		}
	}
	df, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	copied := map[string]bool{}
	for _, g := range regexp.MustCompile(`(?m)^COPY ([a-z]+)/ `).FindAllStringSubmatch(string(df), -1) {
		copied[g[1]] = true
	}
	for dir := range need {
		if !copied[dir] {
			t.Errorf("the Dockerfile does not COPY %s/, which the binary imports", dir)
		}
	}
}

// TestActionImagePassesItsOwnScan scans the action's Dockerfile and
// .dockerignore.
func TestActionImagePassesItsOwnScan(t *testing.T) {
	res, err := scan.Scan(context.Background(), os.DirFS(filepath.Join("..", "..")), []string{"Dockerfile", ".dockerignore"}, scan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Errorf("%s:%d: %s: %s", f.Path, f.Region.StartLine, f.RuleID, f.Message)
	}
	for _, p := range res.Problems {
		t.Errorf("%s: %s", p.Path, p.Message)
	}
	if len(res.Files) != 2 {
		t.Errorf("scanned %v, want the Dockerfile and its ignore file", res.Files)
	}
}

// TestActionCommand checks the driver: it refuses arguments, and hands the
// process's environment and streams to action.Run.
func TestActionCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"action", "extra"}, func(string) string { return "" }, &out, &errb); code != exitError || !strings.Contains(errb.String(), "takes no arguments") {
		t.Errorf("with an argument: exit %d, stderr %q", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"action"}, func(string) string { return "" }, &out, &errb); code != exitError || !strings.Contains(out.String(), "::error::stowaway: GITHUB_WORKSPACE is not set") {
		t.Errorf("outside a runner: exit %d, stdout %q", code, out.String())
	}
}
