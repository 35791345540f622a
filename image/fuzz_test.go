package image_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stowaway-dev/stowaway/image"
	"github.com/stowaway-dev/stowaway/image/imagetest"
)

// FuzzCheck feeds mutated image tarballs to the check: whatever the bytes,
// it returns an error or a result, never panics.
func FuzzCheck(f *testing.F) {
	dir := f.TempDir()
	small := leaky()
	small.Layers = small.Layers[1:3]
	small.History = nil
	img, err := imagetest.Build(small)
	if err != nil {
		f.Fatal(err)
	}
	for name, write := range map[string]func(string) error{
		"oci.tar":  func(p string) error { return imagetest.WriteOCITar(p, img) },
		"save.tar": func(p string) error { return imagetest.WriteDockerSave(p, img) },
	} {
		p := filepath.Join(dir, name)
		if err := write(p); err != nil {
			f.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "image.tar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := image.Check(context.Background(), p, image.Options{Limits: image.Limits{LayerBytes: 8 << 20, Entries: 1000}})
		if err == nil && res == nil {
			t.Fatal("no result and no error")
		}
	})
}
