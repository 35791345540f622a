package bench

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/stowaway-dev/stowaway/scan"
)

// BenchmarkHostile scans each hostile input of HostileInputs at the size the
// issue measured.
func BenchmarkHostile(b *testing.B) {
	for _, h := range HostileInputs(1) {
		b.Run(h.Name, func(b *testing.B) {
			fsys := fstest.MapFS{}
			for name, content := range h.Files {
				fsys[name] = &fstest.MapFile{Data: []byte(content)}
			}
			for b.Loop() {
				if _, err := scan.Scan(context.Background(), fsys, []string{"."}, scan.Options{Config: &scan.Config{}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
