package checks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks/checktest"
	"github.com/stowaway-dev/stowaway/scan"
)

// TestConfigWeakened runs scan.CompareConfig over the cases of
// testdata/config-weakened: each folder holds the base commit's
// base.stowaway.yml (absent: the defaults) and the pull request's
// .stowaway.yml, whose want annotations (YAML comments) are checktest's.
func TestConfigWeakened(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata/config-weakened", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var base *scan.Config
			if src, err := os.ReadFile(filepath.Join(dir, "base.stowaway.yml")); err == nil {
				if base, err = scan.ParseConfig("base.stowaway.yml", src); err != nil {
					t.Fatal(err)
				}
			}
			src, err := os.ReadFile(filepath.Join(dir, ".stowaway.yml"))
			if err != nil {
				t.Fatal(err)
			}
			found := scan.CompareConfig(base, ".stowaway.yml", src, os.DirFS(dir))
			for _, f := range found {
				for _, field := range []string{f.Message, f.Fix, f.Snippet, f.Evidence} {
					if strings.Contains(field, "FAKEstowaway") {
						t.Errorf("line %d: a field holds the planted token: %q", f.Region.StartLine, field)
					}
				}
				if f.RuleID != "config-weakened" || f.Rule == nil || f.Fingerprint == "" {
					t.Errorf("line %d: finding %+v", f.Region.StartLine, f)
				}
			}
			checktest.CheckWants(t, os.DirFS(dir), ".stowaway.yml", found)
		})
	}
}
