package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/stowaway-dev/stowaway/checks"
)

// Limits bound what one image check reads. A bound that is hit is a
// notification (a scan.Problem), never a silent gap.
type Limits struct {
	// FileBytes is the largest file whose content is read (1 MiB); a larger
	// one is judged by its name.
	FileBytes int64
	// ContentBytes is the content read from files in all (256 MiB).
	ContentBytes int64
	// LayerBytes bounds the uncompressed bytes of one layer (16 GiB).
	LayerBytes int64
	// Ratio bounds a layer's uncompressed size as a multiple of its
	// compressed size (1000), against gzip bombs; layers of any ratio are
	// read up to 64 MiB.
	Ratio int64
	// Entries bounds the entries of one layer (1,000,000).
	Entries int
}

func (l Limits) orDefaults() Limits {
	if l.FileBytes <= 0 {
		l.FileBytes = 1 << 20
	}
	if l.ContentBytes <= 0 {
		l.ContentBytes = 256 << 20
	}
	if l.LayerBytes <= 0 {
		l.LayerBytes = 16 << 30
	}
	if l.Ratio <= 0 {
		l.Ratio = 1000
	}
	if l.Entries <= 0 {
		l.Entries = 1_000_000
	}
	return l
}

// ratioFloor is what any layer may expand to, whatever its ratio.
const ratioFloor = 64 << 20

var errBound = errors.New("bound")

// boundedReader stops with errBound after limit bytes.
type boundedReader struct {
	r     io.Reader
	n     int64
	limit int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.n >= b.limit {
		return 0, errBound
	}
	if int64(len(p)) > b.limit-b.n {
		p = p[:b.limit-b.n]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

// fileHit is a secret file found in a layer.
type fileHit struct {
	layer int
	path  string // absolute slash path inside the image
	kind  string
}

// layerWalk is the state of the layer walk of one image.
type layerWalk struct {
	hits      []fileHit
	whiteouts map[string][]int // deleted path (or folder, for opaque ones) -> layers
	opaque    map[string][]int
	read      int64 // content bytes read in all
	spent     bool  // ContentBytes reached, said once
	buf       []byte
}

// checkLayers streams every layer's tar and judges each file by its name
// and, for small files whose name calls for it, its content. Nothing is
// written to disk and no entry's path is joined onto the local filesystem.
func (c *checker) checkLayers(ctx context.Context) error {
	w := &layerWalk{whiteouts: map[string][]int{}, opaque: map[string][]int{}}
	for i, l := range c.img.layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.walkLayer(i, l, w)
	}
	for _, h := range w.hits {
		msg := fmt.Sprintf("%s holds %s, %s", capitalize(c.loc.layerName(h.layer)), h.path, article(h.kind))
		if d := w.deletedAfter(h); d >= 0 {
			msg += fmt.Sprintf("; layer %d deletes it, but its bytes stay in layer %d", d, h.layer)
		}
		c.report(checks.ImageSecretFile, c.loc.layer(h.layer), "", msg, fmt.Sprintf("file:%s:%d", h.path, len(c.img.layers)-1-h.layer))
	}
	return nil
}

func (c *checker) walkLayer(i int, l layerRef, w *layerWalk) {
	lim := c.opts.Limits
	name := c.loc.layerName(i)
	rc, err := l.uncompressed()
	if err != nil {
		c.problem(checks.Error, "cannot read %s: %v", name, err)
		return
	}
	defer rc.Close()
	limit := lim.LayerBytes
	if l.size > 0 {
		limit = min(limit, max(l.size*lim.Ratio, ratioFloor))
	}
	br := &boundedReader{r: rc, limit: limit}
	tr := tar.NewReader(br)
	var escapes, links, entries int
	var firstEscape string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errBound) {
			c.problem(checks.Warning, "stopped reading %s after %d MiB (the bound for a layer of %d bytes): its remaining files were not checked", name, br.n>>20, l.size)
			break
		}
		if err != nil {
			c.problem(checks.Error, "%s is corrupt or truncated after %d entries: %v; its remaining files were not checked", name, entries, err)
			break
		}
		entries++
		if entries > lim.Entries {
			c.problem(checks.Warning, "stopped reading %s after %d entries: its remaining files were not checked", name, lim.Entries)
			break
		}
		if escapesRoot(h.Name) {
			if escapes == 0 {
				firstEscape = h.Name
			}
			escapes++
		}
		p := slashPath(h.Name)
		dir, base := path.Split(p)
		if rest, ok := strings.CutPrefix(base, ".wh."); ok {
			if rest == ".wh..opq" {
				d := path.Clean(dir)
				w.opaque[d] = append(w.opaque[d], i)
			} else {
				d := path.Join(dir, rest)
				w.whiteouts[d] = append(w.whiteouts[d], i)
			}
			continue
		}
		switch h.Typeflag {
		case tar.TypeSymlink:
			if !path.IsAbs(h.Linkname) && escapesRoot(path.Join(strings.TrimPrefix(dir, "/"), h.Linkname)) {
				links++
			}
		case tar.TypeReg, tar.TypeLink:
			if packageFile(p) {
				continue
			}
			size := h.Size
			read := false
			content := func() ([]byte, bool) {
				if h.Typeflag != tar.TypeReg || read {
					return nil, false
				}
				read = true
				return w.content(c, tr, size, lim)
			}
			if kind, ok := checks.ContextFileSecret(p[1:], content, c.opts.Settings); ok {
				w.hits = append(w.hits, fileHit{layer: i, path: p, kind: kind})
			} else if !read && h.Typeflag == tar.TypeReg && !checks.ThirdPartyPath(p[1:]) {
				if kind := w.pem(c, tr, size, lim); kind != "" {
					w.hits = append(w.hits, fileHit{layer: i, path: p, kind: kind})
				}
			}
		}
	}
	if escapes > 0 {
		c.problem(checks.Warning, "%s has %s whose path leaves the root (the first: %q); they were read as paths inside the image", name, plural(escapes, "entry", "entries"), firstEscape)
	}
	if links > 0 {
		c.problem(checks.Note, "%s has %s pointing out of the root; links are never followed", name, plural(links, "symbolic link", "symbolic links"))
	}
}

// content reads a file's content from the tar stream, within the bounds.
func (w *layerWalk) content(c *checker, r io.Reader, size int64, lim Limits) ([]byte, bool) {
	if size > lim.FileBytes {
		return nil, false
	}
	if w.read+size > lim.ContentBytes {
		if !w.spent {
			w.spent = true
			c.problem(checks.Warning, "read the content of files up to %d MiB in all: later files are judged by their names only", lim.ContentBytes>>20)
		}
		return nil, false
	}
	if int64(cap(w.buf)) < size {
		w.buf = make([]byte, size)
	}
	b := w.buf[:size]
	n, err := io.ReadFull(r, b)
	w.read += int64(n)
	if err != nil {
		return nil, false
	}
	return b, true
}

// pemStart opens a PEM file.
const pemStart = "-----BEGIN "

// pem judges a small file that its name did not call for by its first
// bytes: a PEM file (server.pem, a bundle of a certificate and its key) is
// read whole and holds a private key when the token engine finds one.
// Certificates alone are public.
func (w *layerWalk) pem(c *checker, r io.Reader, size int64, lim Limits) string {
	if size < int64(len(pemStart)) || size > lim.FileBytes {
		return ""
	}
	var head [len(pemStart)]byte
	if _, err := io.ReadFull(r, head[:]); err != nil || string(head[:]) != pemStart {
		return ""
	}
	rest, ok := w.content(c, r, size-int64(len(head)), lim)
	if !ok {
		return ""
	}
	text := pemStart + string(rest)
	for _, t := range checks.FindTokens(text) {
		if strings.Contains(t.Secret, "PRIVATE KEY") && !c.opts.Settings.Allowed(t.Secret) {
			return "file holding " + article(t.Description)
		}
	}
	return ""
}

// deletedAfter returns the first layer after the hit's that deletes its
// file (a whiteout of it or of a folder above it, or an opaque folder
// above it), or -1.
func (w *layerWalk) deletedAfter(h fileHit) int {
	first := -1
	consider := func(layers []int) {
		for _, l := range layers {
			if l > h.layer && (first < 0 || l < first) {
				first = l
			}
		}
	}
	for p := h.path; p != "/"; p = path.Dir(p) {
		consider(w.whiteouts[p])
		if p != h.path {
			consider(w.opaque[p])
		}
	}
	consider(w.opaque["/"])
	return first
}

// escapesRoot reports a tar entry name that is absolute or climbs above
// the root with "..".
func escapesRoot(name string) bool {
	if path.IsAbs(name) {
		return true
	}
	c := path.Clean(name)
	return c == ".." || strings.HasPrefix(c, "../")
}

// systemFixtures are folders of installed system packages that hold test
// and example keys (Python's test suite, Go's testdata, documentation).
var systemFixtures = map[string]bool{
	"test": true, "tests": true, "testdata": true, "doc": true, "docs": true, "examples": true, "example": true,
}

// dependencyCaches are the download caches of package managers: like
// node_modules (which checks.ContextFileSecret leaves out), they hold
// third-party packages with their own test keys.
var dependencyCaches = []string{"/pkg/mod/", "/.cargo/registry/", "/.m2/repository/", "/.gradle/caches/", "/.npm/_cacache/", "/gems/"}

// packageFile reports a file that came with a third-party package: under
// /usr inside a test, documentation or example folder, or in a package
// manager's cache. Such keys are public with the package.
func packageFile(p string) bool {
	for _, c := range dependencyCaches {
		if strings.Contains(p, c) {
			return true
		}
	}
	if !strings.HasPrefix(p, "/usr/") {
		return false
	}
	parts := strings.Split(p[1:], "/")
	for _, d := range parts[:len(parts)-1] {
		if systemFixtures[d] {
			return true
		}
	}
	return false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// article puts "a" or "an" before a kind.
func article(kind string) string {
	if kind == "" {
		return kind
	}
	first, _, _ := strings.Cut(kind, " ")
	if strings.ContainsRune("aeiouAEIOU", rune(kind[0])) || anWords[first] {
		return "an " + kind
	}
	return "a " + kind
}

// anWords are initialisms read with a vowel sound.
var anWords = map[string]bool{"npm": true, "SSH": true, "RSA": true, "SSL": true, "HMAC": true, "LDAP": true, "MSSQL": true, "NPM": true}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
