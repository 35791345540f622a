package bench

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/scan"
)

// writeSharedContextRepo writes the generated monorepo with a compose.yaml
// at its root that builds every service's Dockerfile from the repository
// root: one build context holding the whole tree, shared by every
// Dockerfile. It returns the number of services mapped.
func writeSharedContextRepo(tb testing.TB, dir string, services int) int {
	tb.Helper()
	if _, err := WriteMonorepo(dir, MonorepoOptions{Services: services, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("services:\n")
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "Dockerfile" {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "  svc-%05d:\n    build:\n      context: .\n      dockerfile: %s\n", n, filepath.ToSlash(rel))
		n++
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return n
}

// BenchmarkScanSharedContext is the full scan of the generated monorepo
// (-monorepo.services, 10,000 by default) when every service is built from
// the repository root: the root context is walked once, its secret files
// classified once, and every Dockerfile's COPY sources are resolved against
// it. Compare with BenchmarkScan/monorepo, where each service is its own
// context.
func BenchmarkScanSharedContext(b *testing.B) {
	dir := b.TempDir()
	mapped := writeSharedContextRepo(b, dir, *monorepoServices)
	root, err := scan.OpenRoot(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer root.Close()
	var res *scan.Result
	measure(b, func() int {
		var err error
		res, err = scan.Scan(context.Background(), root.FS(), []string{"."}, scan.Options{Workers: runtime.GOMAXPROCS(0)})
		if err != nil {
			b.Fatal(err)
		}
		return len(res.Files)
	})
	shared, secrets, shipped := 0, 0, 0
	for _, c := range res.Contexts {
		if c.Dir == "." {
			shared++
			secrets = len(c.Secrets)
			for _, s := range c.Shipments {
				shipped += s.To - s.From
			}
		}
	}
	if shared != mapped {
		b.Fatalf("%d Dockerfiles built from the root context, want %d", shared, mapped)
	}
	b.ReportMetric(float64(len(res.Findings)), "findings/op")
	b.ReportMetric(float64(secrets), "root-secrets")
	b.ReportMetric(float64(shipped), "files-shipped")
}
