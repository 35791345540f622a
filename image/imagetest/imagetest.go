// Package imagetest builds small images for the tests of the image check:
// layers from a list of files, a config with the Env, Labels and history a
// test plants, written as a docker save tarball, an OCI layout folder or
// an OCI layout tarball with go-containerregistry's own writers.
package imagetest

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Spec describes an image. Its JSON form is the image.json of rule test
// cases.
type Spec struct {
	Env        []string          `json:"env,omitempty"`
	Labels     map[string]string `json:"labels,omitempty"`
	Cmd        []string          `json:"cmd,omitempty"`
	Entrypoint []string          `json:"entrypoint,omitempty"`
	User       string            `json:"user,omitempty"`
	OnBuild    []string          `json:"onbuild,omitempty"`
	History    []v1.History      `json:"history,omitempty"`
	Layers     [][]File          `json:"layers,omitempty"`
	// Platform is os/arch; default linux/amd64.
	Platform string `json:"platform,omitempty"`
}

// File is one tar entry of a layer.
type File struct {
	Name string `json:"name"`
	Body string `json:"body,omitempty"`
	// Link makes a symbolic link to this target.
	Link string `json:"link,omitempty"`
	// Zeros makes a regular file of this many zero bytes instead of Body.
	Zeros int64 `json:"zeros,omitempty"`
}

// LayerTar returns the uncompressed tar of files.
func LayerTar(files []File) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeLayerTar(&buf, files); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeLayerTar(w io.Writer, files []File) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		h := &tar.Header{Name: f.Name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(f.Body))}
		switch {
		case f.Link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, f.Link, 0
		case f.Zeros > 0:
			h.Size = f.Zeros
		case strings.HasSuffix(f.Name, "/"):
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		var err error
		if f.Zeros > 0 {
			_, err = io.CopyN(tw, zeros{}, f.Zeros)
		} else {
			_, err = io.WriteString(tw, f.Body)
		}
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Build makes the image of s, its layers gzip-compressed.
func Build(s Spec) (v1.Image, error) {
	img := empty.Image
	for _, files := range s.Layers {
		// The tar is written as it is read, not held: a layer of Zeros
		// (a gzip bomb of 80 MiB) cost more to grow in a buffer than to
		// compress; the compressed layer, small for zeros, is kept
		// instead of compressed again for each write.
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			r, w := io.Pipe()
			go func() { w.CloseWithError(writeLayerTar(w, files)) }()
			return r, nil
		}, tarball.WithCompressedCaching)
		if err != nil {
			return nil, err
		}
		if img, err = mutate.AppendLayers(img, l); err != nil {
			return nil, err
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	p := v1.Platform{OS: "linux", Architecture: "amd64"}
	if s.Platform != "" {
		pp, err := v1.ParsePlatform(s.Platform)
		if err != nil {
			return nil, err
		}
		p = *pp
	}
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	cfg.Config.Env, cfg.Config.Labels, cfg.Config.Cmd = s.Env, s.Labels, s.Cmd
	cfg.Config.Entrypoint, cfg.Config.User, cfg.Config.OnBuild = s.Entrypoint, s.User, s.OnBuild
	cfg.History = s.History
	return mutate.ConfigFile(img, cfg)
}

// ReadSpec reads a Spec from a JSON file.
func ReadSpec(fsys fs.FS, name string) (Spec, error) {
	var s Spec
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

// WriteDockerSave writes img as docker save does.
func WriteDockerSave(file string, img v1.Image) error {
	ref, err := name.ParseReference("stowaway.test/image:latest")
	if err != nil {
		return err
	}
	return tarball.WriteToFile(file, ref, img)
}

// WriteLayout writes an OCI layout folder holding imgs; more than one
// image makes a multi-platform index, each image under the platform of
// its config.
func WriteLayout(dir string, imgs ...v1.Image) error {
	var idx v1.ImageIndex = empty.Index
	for _, img := range imgs {
		cfg, err := img.ConfigFile()
		if err != nil {
			return err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			Platform: &v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant},
		}})
	}
	_, err := layout.Write(dir, idx)
	return err
}

// WriteOCITar writes imgs as an OCI layout tarball (what docker buildx
// build --output type=oci,dest=FILE writes).
func WriteOCITar(file string, imgs ...v1.Image) error {
	dir, err := os.MkdirTemp(filepath.Dir(file), "layout")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := WriteLayout(dir, imgs...); err != nil {
		return err
	}
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(out)
	err = tw.AddFS(os.DirFS(dir))
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
