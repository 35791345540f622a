package image_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stowaway-dev/stowaway/image"
	"github.com/stowaway-dev/stowaway/image/imagetest"
	"github.com/stowaway-dev/stowaway/scan"
)

func problems(res *scan.Result) string {
	var b strings.Builder
	for _, p := range res.Problems {
		b.WriteString(p.Level.String() + ": " + p.Message + "\n")
	}
	return b.String()
}

func hasFinding(res *scan.Result, substr string) bool {
	for _, f := range res.Findings {
		if strings.Contains(f.Message, substr) {
			return true
		}
	}
	return false
}

func TestUnreadableImages(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tar")
	if err := imagetest.WriteDockerSave(good, build(t, leaky())); err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, want string
		data       []byte
	}{
		{"truncated.tar", "truncated", whole[:len(whole)*2/3]},
		{"garbage.tar", "tar", []byte(strings.Repeat("not a tarball ", 100))},
		{"empty.tar", "not an image", nil},
		{"no-manifests.tar", "index.json lists no image", tarOf(t, "index.json", `{"schemaVersion":2,"manifests":[]}`)},
		{"bad-json.tar", "index.json", tarOf(t, "index.json", `{"manifests":`)},
		{"missing-blob.tar", "reading the image manifest", tarOf(t, "index.json", `{"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:`+strings.Repeat("ab", 32)+`","size":2}]}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			if err := os.WriteFile(p, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := image.Check(context.Background(), p, image.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestCorruptLayer: a layer that does not decompress is a problem; what
// the config and the other layers hold is still reported.
func TestCorruptLayer(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "layout")
	img := build(t, leaky())
	if err := imagetest.WriteLayout(dir, img); err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	d, err := layers[3].Digest()
	if err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(dir, "blobs", d.Algorithm, d.Hex)
	if err := os.WriteFile(blob, []byte("\x1f\x8b\x08\x00garbage after a gzip header"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := image.Check(context.Background(), dir, image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(problems(res), "error: ") || !strings.Contains(problems(res), "layer 3") {
		t.Errorf("problems:\n%s\nwant an error about layer 3", problems(res))
	}
	if !hasFinding(res, `Env "GITHUB_TOKEN"`) || !hasFinding(res, "/app/.npmrc") {
		t.Errorf("findings of the config and layer 1 lost: %v", findings(res))
	}
}

func TestHostileLayers(t *testing.T) {
	bomb := imagetest.File{Name: "var/zeros", Zeros: 80 << 20}
	after := imagetest.File{Name: "root/.ssh/id_rsa", Body: sshKey}
	for _, tc := range []struct {
		name   string
		files  []imagetest.File
		limits image.Limits
		want   []string // in the problems
		found  string   // a finding that must still be made, "" for none
	}{
		{
			name:  "paths out of the root",
			files: []imagetest.File{{Name: "../../root/.ssh/id_rsa", Body: sshKey}, {Name: "/etc/passwd", Body: "root:x:0:0::/root:/bin/sh\n"}, {Name: "app/link", Link: "../../../../etc/shadow"}},
			want:  []string{`2 entries whose path leaves the root (the first: "../../root/.ssh/id_rsa")`, "1 symbolic link pointing out of the root"},
			found: "/root/.ssh/id_rsa",
		},
		{
			name:   "gzip bomb",
			files:  []imagetest.File{bomb, after},
			limits: image.Limits{Ratio: 10},
			want:   []string{"stopped reading layer 0", "after 64 MiB"},
		},
		{
			name:   "huge layer",
			files:  []imagetest.File{{Name: "var/big", Zeros: 3 << 20}, after},
			limits: image.Limits{LayerBytes: 2 << 20},
			want:   []string{"stopped reading layer 0 (sha256:"},
		},
		{
			name:   "entries",
			files:  []imagetest.File{{Name: "a", Body: "a"}, {Name: "b", Body: "b"}, after},
			limits: image.Limits{Entries: 2},
			want:   []string{"after 2 entries"},
		},
		{
			name:   "content budget",
			files:  []imagetest.File{{Name: "app/settings.json", Body: `{"token": "` + ghToken + `"}`}},
			limits: image.Limits{ContentBytes: 10},
			want:   []string{"judged by their names only"},
		},
		{
			name:   "large secret file judged by its name",
			files:  []imagetest.File{{Name: "root/.ssh/id_rsa", Zeros: 4096}},
			limits: image.Limits{FileBytes: 1024},
			found:  "/root/.ssh/id_rsa",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "image.tar")
			if err := imagetest.WriteOCITar(p, build(t, imagetest.Spec{Layers: [][]imagetest.File{tc.files}})); err != nil {
				t.Fatal(err)
			}
			before := listDir(t, dir)
			res, err := image.Check(context.Background(), p, image.Options{Limits: tc.limits})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(problems(res), w) {
					t.Errorf("problems:\n%s\nwant %q", problems(res), w)
				}
			}
			if tc.want == nil && len(res.Problems) > 0 {
				t.Errorf("problems:\n%s", problems(res))
			}
			if tc.found != "" && !hasFinding(res, tc.found) {
				t.Errorf("findings %v, want %s", findings(res), tc.found)
			}
			if tc.found == "" && len(res.Findings) > 0 {
				t.Errorf("findings %v past the bound", findings(res))
			}
			if after := listDir(t, dir); after != before {
				t.Errorf("the check wrote to disk: %s, was %s", after, before)
			}
		})
	}
}

func listDir(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		names = append(names, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(names, ",")
}

func TestPlatforms(t *testing.T) {
	amd := build(t, imagetest.Spec{Platform: "linux/amd64", Env: []string{"GITHUB_TOKEN=" + ghToken}})
	arm := build(t, imagetest.Spec{Platform: "linux/arm64", Env: []string{"NPM_TOKEN=" + npmToken}})
	p := filepath.Join(t.TempDir(), "multi.tar")
	if err := imagetest.WriteOCITar(p, arm, amd); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		platform string
		want     string
	}{
		{"", `Env "GITHUB_TOKEN"`},
		{"linux/amd64", `Env "GITHUB_TOKEN"`},
		{"linux/arm64", `Env "NPM_TOKEN"`},
	} {
		var pf v1.Platform
		if tc.platform != "" {
			pp, err := v1.ParsePlatform(tc.platform)
			if err != nil {
				t.Fatal(err)
			}
			pf = *pp
		}
		res, err := image.Check(context.Background(), p, image.Options{Platform: pf})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 1 || !hasFinding(res, tc.want) {
			t.Errorf("platform %q: findings %v, want %s", tc.platform, findings(res), tc.want)
		}
	}
	_, err := image.Check(context.Background(), p, image.Options{Platform: v1.Platform{OS: "linux", Architecture: "s390x"}})
	if err == nil || !strings.Contains(err.Error(), "linux/arm64, linux/amd64") || !strings.Contains(err.Error(), "--platform") {
		t.Errorf("error %v, want one naming the platforms and --platform", err)
	}
}

// TestBombInDockerSave: a docker save tarball gives no compressed size in
// a manifest; the member's size bounds the layer as well.
func TestBombInDockerSave(t *testing.T) {
	p := filepath.Join(t.TempDir(), "image.tar")
	img := build(t, imagetest.Spec{Layers: [][]imagetest.File{{{Name: "var/zeros", Zeros: 80 << 20}}}})
	if err := imagetest.WriteDockerSave(p, img); err != nil {
		t.Fatal(err)
	}
	res, err := image.Check(context.Background(), p, image.Options{Limits: image.Limits{Ratio: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(problems(res), "stopped reading layer 0") {
		t.Errorf("problems:\n%s\nwant the layer stopped at its bound", problems(res))
	}
}

// tarOf is a tarball holding one file.
func tarOf(t *testing.T, name, body string) []byte {
	t.Helper()
	b, err := imagetest.LayerTar([]imagetest.File{{Name: name, Body: body}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
