package stowaway_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// layers is ARCHITECTURE.md's import rule: a package imports only packages
// of a lower layer (the standard library and third-party modules aside).
// A package missing here fails the test, so that a new one gets its place
// in ARCHITECTURE.md and in this table.
var layers = map[string]int{
	"checks":               0,
	"actionlog":            0,
	"internal/saferoot":    0,
	"scan":                 1,
	"sarif":                2,
	"report":               2,
	"review":               2,
	"image":                2,
	"scan/scantest":        2,
	"review/github":        3,
	"baseline":             3,
	"checks/checktest":     3,
	"review/github/ghtest": 3,
	"image/imagetest":      3,
	"internal/verify":      3,
	"bench":                3,
	"action":               4,
	"bench/gen":            4,
	"bench/probe":          4,
	"cmd/stowaway":         5,
}

// TestImportsPointDown checks every package's imports, as go list reports
// them for the build (test files aside), against layers.
func TestImportsPointDown(t *testing.T) {
	const module = "github.com/stowaway-dev/stowaway/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			continue // the module's root: this test alone
		}
		layer, ok := layers[pkg]
		if !ok {
			t.Errorf("%s has no layer: give it one in ARCHITECTURE.md and in layers", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if depLayer, known := layers[dep]; known && depLayer >= layer {
				t.Errorf("%s (layer %d) imports %s (layer %d): imports point down only", pkg, layer, dep, depLayer)
			}
		}
	}
}

// maxLines bounds a file of code (tests aside): a longer one holds more than
// one idea and is split by what its parts do.
const maxLines = 800

func TestFilesStaySmall(t *testing.T) {
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if n := bytes.Count(b, []byte("\n")); n > maxLines {
			t.Errorf("%s: %d lines, more than %d", p, n, maxLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
