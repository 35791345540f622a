package image

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The three forms an image is handed over in are read through one small
// blob store: an OCI layout folder (through os.Root, so no symlink leads
// out of it), or a tarball, docker save's or an OCI layout's, whose members
// are indexed once and then read in place with section readers. Nothing is
// extracted: go-containerregistry's tarball.Image would hash (and for
// uncompressed docker save layers, gzip) every layer to build a manifest,
// and its layout package only reads folders.

// maxMetadata bounds the JSON documents read whole (index, manifests,
// config): real ones are kilobytes, a config with a long history a few
// hundred.
const maxMetadata = 16 << 20

// maxMembers bounds the members of an image tarball that are indexed.
const maxMembers = 1 << 20

// store reads the members of an image by their slash path.
type store interface {
	open(name string) (io.ReadCloser, int64, error)
	close() error
}

// dirStore is an OCI layout folder.
type dirStore struct{ root *os.Root }

func (d dirStore) open(name string) (io.ReadCloser, int64, error) {
	f, err := d.root.Open(name)
	if err != nil {
		return nil, 0, err
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s is not a regular file", name)
		}
		return nil, 0, err
	}
	return f, info.Size(), nil
}

func (d dirStore) close() error { return d.root.Close() }

// tarStore is an image tarball: its regular members by cleaned name.
type tarStore struct {
	file    *os.File
	members map[string]member
}

type member struct{ offset, size int64 }

func openTar(name string) (*tarStore, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	s := &tarStore{file: f, members: map[string]member{}}
	// tar.Reader skips member data by seeking when it can, so indexing a
	// multi-gigabyte tarball reads only its headers.
	tr := tar.NewReader(f)
	links := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("reading the image tarball: %w (truncated or not a tar archive?)", err)
		}
		if len(s.members) >= maxMembers {
			f.Close()
			return nil, fmt.Errorf("reading the image tarball: more than %d members", maxMembers)
		}
		clean := path.Clean(strings.TrimPrefix(h.Name, "./"))
		switch h.Typeflag {
		case tar.TypeReg:
			off, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				f.Close()
				return nil, err
			}
			s.members[clean] = member{offset: off, size: h.Size}
		case tar.TypeSymlink, tar.TypeLink:
			// docker save links identical layers to one another.
			target := h.Linkname
			if h.Typeflag == tar.TypeSymlink {
				target = path.Join(path.Dir(clean), h.Linkname)
			}
			links[clean] = path.Clean(target)
		}
	}
	for name, target := range links {
		for range 8 {
			next, ok := links[target]
			if !ok {
				break
			}
			target = next
		}
		if m, ok := s.members[target]; ok {
			s.members[name] = m
		}
	}
	if st, err := f.Stat(); err == nil {
		for name, m := range s.members {
			if m.offset+m.size > st.Size() {
				f.Close()
				return nil, fmt.Errorf("reading the image tarball: member %q is truncated", name)
			}
		}
	}
	return s, nil
}

func (s *tarStore) open(name string) (io.ReadCloser, int64, error) {
	m, ok := s.members[path.Clean(name)]
	if !ok {
		return nil, 0, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return io.NopCloser(io.NewSectionReader(s.file, m.offset, m.size)), m.size, nil
}

func (s *tarStore) close() error { return s.file.Close() }

// readJSON reads a bounded metadata member and decodes it into v.
func readJSON(s store, name string, v any) error {
	rc, size, err := s.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	if size > maxMetadata {
		return fmt.Errorf("%s: %d bytes, more than the %d read for metadata", name, size, maxMetadata)
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxMetadata))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// built is one image as read from its store.
type built struct {
	config   *v1.ConfigFile
	platform string // os/arch[/variant], "" when the index does not say
	layers   []layerRef
}

// layerRef is one layer blob.
type layerRef struct {
	digest    v1.Hash
	size      int64 // compressed size; 0 when not known
	mediaType types.MediaType
	st        store
	name      string // member path in the store
}

// compressedLayer gives go-containerregistry what it needs to decompress a
// layer (gzip, zstd or none, by its first bytes).
type compressedLayer struct{ l layerRef }

func (c compressedLayer) Digest() (v1.Hash, error) { return c.l.digest, nil }
func (c compressedLayer) Compressed() (io.ReadCloser, error) {
	rc, _, err := c.l.st.open(c.l.name)
	return rc, err
}
func (c compressedLayer) Size() (int64, error)                { return c.l.size, nil }
func (c compressedLayer) MediaType() (types.MediaType, error) { return c.l.mediaType, nil }

// uncompressed opens the layer's tar stream.
func (l layerRef) uncompressed() (io.ReadCloser, error) {
	layer, err := partial.CompressedToLayer(compressedLayer{l})
	if err != nil {
		return nil, err
	}
	return layer.Uncompressed()
}

// errPlatform is a manifest list without the wanted platform.
var errPlatform = errors.New("no image for the platform")

// open reads the image at name: an OCI layout folder, an OCI layout
// tarball, or a docker save tarball. platform chooses among the images of a
// multi-platform index.
func open(name string, platform v1.Platform) (*built, store, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, nil, err
	}
	var st store
	if info.IsDir() {
		root, err := os.OpenRoot(name)
		if err != nil {
			return nil, nil, err
		}
		st = dirStore{root}
	} else {
		ts, err := openTar(name)
		if err != nil {
			return nil, nil, err
		}
		st = ts
	}
	img, err := readImage(st, platform)
	if err != nil {
		st.close()
		return nil, nil, err
	}
	return img, st, nil
}

func readImage(st store, platform v1.Platform) (*built, error) {
	var index v1.IndexManifest
	ierr := readJSON(st, "index.json", &index)
	if ierr == nil && len(index.Manifests) > 0 {
		return readOCI(st, &index, platform)
	}
	var manifest tarball.Manifest
	merr := readJSON(st, "manifest.json", &manifest)
	if merr == nil {
		return readDockerSave(st, manifest)
	}
	if errors.Is(ierr, fs.ErrNotExist) && errors.Is(merr, fs.ErrNotExist) {
		return nil, errors.New("not an image: neither an OCI layout (index.json) nor a docker save tarball (manifest.json)")
	}
	if ierr == nil {
		return nil, errors.New("index.json lists no image")
	}
	if !errors.Is(ierr, fs.ErrNotExist) {
		return nil, ierr
	}
	return nil, merr
}

func readDockerSave(st store, m tarball.Manifest) (*built, error) {
	if len(m) != 1 {
		return nil, fmt.Errorf("manifest.json lists %d images; save one image per tarball", len(m))
	}
	d := m[0]
	var cfg v1.ConfigFile
	if err := readJSON(st, d.Config, &cfg); err != nil {
		return nil, fmt.Errorf("reading the config: %w", err)
	}
	img := &built{config: &cfg, platform: platformOf(&cfg)}
	for i, p := range d.Layers {
		l := layerRef{st: st, name: p, mediaType: types.DockerLayer}
		// The member's size bounds what the layer may expand to.
		if rc, size, err := st.open(p); err == nil {
			rc.Close()
			l.size = size
		}
		if i < len(cfg.RootFS.DiffIDs) {
			l.digest = cfg.RootFS.DiffIDs[i]
		}
		img.layers = append(img.layers, l)
	}
	return img, nil
}

// maxIndexDepth bounds nested indexes.
const maxIndexDepth = 4

func readOCI(st store, index *v1.IndexManifest, want v1.Platform) (*built, error) {
	for range maxIndexDepth {
		var images []v1.Descriptor
		var nested []v1.Descriptor
		for _, d := range index.Manifests {
			switch {
			case d.MediaType.IsImage():
				if d.Platform != nil && d.Platform.OS == "unknown" {
					continue // BuildKit's attestation manifests
				}
				images = append(images, d)
			case d.MediaType.IsIndex():
				nested = append(nested, d)
			}
		}
		var chosen *v1.Descriptor
		var offered []string
		for i := range images {
			d := &images[i]
			if d.Platform == nil || d.Platform.Satisfies(want) {
				if chosen == nil {
					chosen = d
				}
			}
			if d.Platform != nil {
				offered = append(offered, d.Platform.String())
			}
		}
		if chosen != nil {
			return readManifest(st, *chosen)
		}
		if len(images) == 0 && len(nested) == 1 {
			var next v1.IndexManifest
			if err := readJSON(st, blobPath(nested[0].Digest), &next); err != nil {
				return nil, fmt.Errorf("reading the image index: %w", err)
			}
			index = &next
			continue
		}
		if len(images) > 0 {
			return nil, fmt.Errorf("%w %s (the image has %s; choose one with --platform)", errPlatform, want.String(), strings.Join(offered, ", "))
		}
		return nil, errors.New("index.json names no image manifest")
	}
	return nil, errors.New("image indexes nested too deeply")
}

func blobPath(h v1.Hash) string {
	return path.Join("blobs", h.Algorithm, h.Hex)
}

func readManifest(st store, d v1.Descriptor) (*built, error) {
	var m v1.Manifest
	if err := readJSON(st, blobPath(d.Digest), &m); err != nil {
		return nil, fmt.Errorf("reading the image manifest: %w", err)
	}
	var cfg v1.ConfigFile
	if err := readJSON(st, blobPath(m.Config.Digest), &cfg); err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	img := &built{config: &cfg, platform: platformOf(&cfg)}
	for _, l := range m.Layers {
		img.layers = append(img.layers, layerRef{digest: l.Digest, size: l.Size, mediaType: l.MediaType, st: st, name: blobPath(l.Digest)})
	}
	return img, nil
}

func platformOf(cfg *v1.ConfigFile) string {
	if cfg.OS == "" {
		return ""
	}
	p := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	return p.String()
}
