package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxBlob bounds what is read of one file in a layer: test images hold
// small files, and the base's busybox binary is skipped by its layer.
const maxBlob = 4 << 20

// Image is what a built image carries where a secret can hide, read from an
// OCI tarball by this program itself, so that the comparison does not rest
// on `stowaway image` alone.
type Image struct {
	Config  []byte   // the image config, raw: env, labels, cmd, history
	History []string // created_by of each history entry, in order
	// Files are the regular files of every layer except the base's, deleted
	// ones included (an earlier layer keeps them), keyed "layer N:/path".
	Files map[string][]byte
}

type ociDescriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
}

type ociIndex struct {
	Manifests []ociDescriptor `json:"manifests"`
}

type ociManifest struct {
	Config ociDescriptor   `json:"config"`
	Layers []ociDescriptor `json:"layers"`
}

// ReadImage reads the single-platform OCI tarball BuildKit writes with
// --output type=oci,dest=FILE. Layers listed in skip (the base's) are not
// read.
func ReadImage(file string, skip map[string]bool) (*Image, error) {
	blobs, err := readTar(file)
	if err != nil {
		return nil, err
	}
	var idx ociIndex
	if err := json.Unmarshal(blobs["index.json"], &idx); err != nil || len(idx.Manifests) == 0 {
		return nil, fmt.Errorf("%s: no OCI index", file)
	}
	var m ociManifest
	if err := json.Unmarshal(blob(blobs, idx.Manifests[0].Digest), &m); err != nil {
		return nil, fmt.Errorf("%s: manifest: %v", file, err)
	}
	img := &Image{Config: blob(blobs, m.Config.Digest), Files: map[string][]byte{}}
	var cfg struct {
		History []struct {
			CreatedBy string `json:"created_by"`
		} `json:"history"`
	}
	if err := json.Unmarshal(img.Config, &cfg); err != nil {
		return nil, fmt.Errorf("%s: config: %v", file, err)
	}
	for _, h := range cfg.History {
		img.History = append(img.History, h.CreatedBy)
	}
	for i, l := range m.Layers {
		if skip[l.Digest] {
			continue
		}
		if err := readLayer(blob(blobs, l.Digest), fmt.Sprintf("layer %d:", i), img.Files); err != nil {
			return nil, fmt.Errorf("%s: layer %d: %v", file, i, err)
		}
	}
	return img, nil
}

// LayerDigests lists the layers of the image in an OCI layout folder.
func LayerDigests(layout string) (map[string]bool, error) {
	read := func(d string) ([]byte, error) {
		return os.ReadFile(path.Join(layout, "blobs", strings.Replace(d, ":", "/", 1)))
	}
	raw, err := os.ReadFile(path.Join(layout, "index.json"))
	if err != nil {
		return nil, err
	}
	var idx ociIndex
	if err := json.Unmarshal(raw, &idx); err != nil || len(idx.Manifests) == 0 {
		return nil, fmt.Errorf("%s: no OCI index", layout)
	}
	raw, err = read(idx.Manifests[0].Digest)
	if err != nil {
		return nil, err
	}
	var m ociManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, l := range m.Layers {
		out[l.Digest] = true
	}
	return out, nil
}

func blob(blobs map[string][]byte, digest string) []byte {
	return blobs["blobs/"+strings.Replace(digest, ":", "/", 1)]
}

func readTar(file string) (map[string][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		out[strings.TrimPrefix(h.Name, "./")] = b
	}
}

func readLayer(b []byte, prefix string, files map[string][]byte) error {
	var r io.Reader = bytes.NewReader(b)
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return err
		}
		r = zr
	}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := prefix + "/" + strings.TrimPrefix(h.Name, "./")
		if h.Typeflag != tar.TypeReg {
			// The name alone can carry a value (a folder named after a token).
			files[name] = nil
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxBlob))
		if err != nil {
			return err
		}
		files[name] = data
		if dec := decodeBase64Runs(data); len(dec) > 0 {
			// docker login keeps base64(user:password): search what it hides.
			files[name+" (base64-decoded)"] = dec
		}
	}
}

var base64Run = regexp.MustCompile(`[A-Za-z0-9+/]{12,}={0,2}`)

// decodeBase64Runs decodes every run of base64 in data that decodes to
// text, joined by newlines.
func decodeBase64Runs(data []byte) []byte {
	var out []byte
	for _, run := range base64Run.FindAll(data, -1) {
		dec, err := base64.StdEncoding.DecodeString(string(run))
		if err != nil || !utf8.Valid(dec) {
			continue
		}
		out = append(append(out, dec...), '\n')
	}
	return out
}

// Where lists the places in the image that hold s: "config", "history N",
// or a layer file. Empty when s is nowhere.
func (img *Image) Where(s string) []string {
	var out []string
	needle := []byte(s)
	for i, h := range img.History {
		if strings.Contains(h, s) {
			out = append(out, fmt.Sprintf("history %d", i))
		}
	}
	if len(out) == 0 && bytes.Contains(img.Config, needle) {
		out = append(out, "config")
	}
	for name, data := range img.Files {
		if strings.Contains(name, s) || bytes.Contains(data, needle) {
			out = append(out, name)
		}
	}
	return out
}
