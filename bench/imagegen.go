package bench

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// ImageOptions shape a generated image.
type ImageOptions struct {
	// Bytes is the uncompressed size to reach, roughly.
	Bytes int64
	// Layers is how many layers share it (8 by default).
	Layers int
	Seed   uint64
}

// ImageStats describe a generated image.
type ImageStats struct {
	Uncompressed, Compressed int64
	Files                    int
	Blobs                    []string // the layer blobs, for the gzip -dc baseline
}

// WriteImage writes an OCI image layout folder at dir: layers of many small
// files (source, settings files whose content is read, text) with a few
// large ones (binaries, half random, half repetitive, as real ones
// compress), streamed to disk as they are made, so that an image of
// gigabytes needs no memory of its size.
func WriteImage(dir string, o ImageOptions) (ImageStats, error) {
	if o.Layers <= 0 {
		o.Layers = 8
	}
	var st ImageStats
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return st, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	type desc struct {
		MediaType string `json:"mediaType"`
		Digest    string `json:"digest"`
		Size      int64  `json:"size"`
	}
	var layers []desc
	var diffIDs, history []string
	per := o.Bytes / int64(o.Layers)
	for i := range o.Layers {
		tmp := filepath.Join(blobs, "tmp")
		f, err := os.Create(tmp)
		if err != nil {
			return st, err
		}
		ch, uh := sha256.New(), sha256.New()
		cw := &countWriter{w: io.MultiWriter(f, ch)}
		zw, err := gzip.NewWriterLevel(cw, gzip.BestSpeed)
		if err != nil {
			return st, err
		}
		uw := &countWriter{w: io.MultiWriter(zw, uh)}
		n, err := writeLayer(uw, rng, i, per)
		if err == nil {
			err = zw.Close()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return st, err
		}
		digest := hex.EncodeToString(ch.Sum(nil))
		blob := filepath.Join(blobs, digest)
		if err := os.Rename(tmp, blob); err != nil {
			return st, err
		}
		st.Files += n
		st.Uncompressed += uw.n
		st.Compressed += cw.n
		st.Blobs = append(st.Blobs, blob)
		layers = append(layers, desc{"application/vnd.oci.image.layer.v1.tar+gzip", "sha256:" + digest, cw.n})
		diffIDs = append(diffIDs, "sha256:"+hex.EncodeToString(uh.Sum(nil)))
		history = append(history, fmt.Sprintf(`{"created_by":"COPY layer%d / # buildkit"}`, i))
	}
	config := fmt.Sprintf(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/bin:/bin"]},"rootfs":{"type":"layers","diff_ids":%s},"history":[%s]}`,
		mustJSON(diffIDs), strings.Join(history, ","))
	cd, err := writeBlob(blobs, []byte(config))
	if err != nil {
		return st, err
	}
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":%s}`,
		mustJSON(desc{"application/vnd.oci.image.config.v1+json", cd, int64(len(config))}), mustJSON(layers))
	md, err := writeBlob(blobs, []byte(manifest))
	if err != nil {
		return st, err
	}
	index := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}`,
		mustJSON(desc{"application/vnd.oci.image.manifest.v1+json", md, int64(len(manifest))}))
	if err := os.WriteFile(filepath.Join(dir, "index.json"), []byte(index), 0o644); err != nil {
		return st, err
	}
	return st, os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644)
}

// writeLayer writes a layer's tar of about size bytes: a quarter in two
// large binaries, the rest in small files.
func writeLayer(w io.Writer, rng *rand.Rand, layer int, size int64) (int, error) {
	tw := tar.NewWriter(w)
	files := 0
	add := func(name string, body []byte) error {
		files++
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(body))}); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	big := make([]byte, size/8)
	for i := 0; i < len(big)/2; i += 8 {
		v := rng.Uint64()
		for j := range 8 {
			big[i+j] = byte(v >> (8 * j))
		}
	}
	for i := len(big) / 2; i < len(big); i++ {
		big[i] = byte(i % 251 % 7)
	}
	for k := range 2 {
		if err := add(fmt.Sprintf("usr/lib/layer%d/big%d.so", layer, k), big); err != nil {
			return files, err
		}
	}
	written := 2 * int64(len(big))
	words := []string{"import", "func", "return", "value", "config", "server", "request", "handler", "error", "module", "package", "string"}
	var body []byte
	for i := 0; written < size; i++ {
		body = body[:0]
		n := 1024 + rng.IntN(8192)
		for len(body) < n {
			body = append(body, words[rng.IntN(len(words))]...)
			body = append(body, ' ')
			body = fmt.Appendf(body, "%x", rng.Uint32())
			body = append(body, '\n')
		}
		name := fmt.Sprintf("usr/lib/python3/layer%d/pkg%d/mod%d.py", layer, i/100, i)
		if i%20 == 0 {
			name = fmt.Sprintf("app/layer%d/conf%d/settings.json", layer, i)
		}
		if err := add(name, body); err != nil {
			return files, err
		}
		written += int64(len(body)) + 512
	}
	return files, tw.Close()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func writeBlob(dir string, b []byte) (string, error) {
	var h hash.Hash = sha256.New()
	h.Write(b)
	d := hex.EncodeToString(h.Sum(nil))
	return "sha256:" + d, os.WriteFile(filepath.Join(dir, d), b, 0o644)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
