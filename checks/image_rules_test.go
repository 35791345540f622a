package checks_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
	"github.com/stowaway-dev/stowaway/image"
	"github.com/stowaway-dev/stowaway/image/imagetest"
)

// TestImageRules builds, for each case, the image that image.json
// describes (history as BuildKit writes it for the case's Dockerfile) and
// checks it with that Dockerfile: every finding must sit on the Dockerfile
// line its want annotation names.
func TestImageRules(t *testing.T) {
	for _, dir := range []string{"testdata/image-secret-config", "testdata/image-secret-history", "testdata/image-secret-file"} {
		cases, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil || len(cases) == 0 {
			t.Fatalf("%s: no cases (%v)", dir, err)
		}
		for _, c := range cases {
			t.Run(c, func(t *testing.T) {
				fsys := os.DirFS(c)
				spec, err := imagetest.ReadSpec(fsys, "image.json")
				if err != nil {
					t.Fatal(err)
				}
				img, err := imagetest.Build(spec)
				if err != nil {
					t.Fatal(err)
				}
				layout := filepath.Join(t.TempDir(), "layout")
				if err := imagetest.WriteLayout(layout, img); err != nil {
					t.Fatal(err)
				}
				src, err := os.ReadFile(filepath.Join(c, "Dockerfile"))
				if err != nil {
					t.Fatal(err)
				}
				df, err := checks.ParseDockerfile("Dockerfile", src, nil)
				if err != nil {
					t.Fatal(err)
				}
				res, err := image.Check(context.Background(), layout, image.Options{Dockerfile: df})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range res.Problems {
					t.Errorf("problem: %s", p.Message)
				}
				checktest.CheckWants(t, fsys, "Dockerfile", res.Findings)
			})
		}
	}
}
