package scan

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/ulikunitz/xz"

	"github.com/stowaway-dev/stowaway/checks"
)

// An archive that ADD unpacks is read the way BuildKit's file op decides to
// unpack it (go-archive's DecompressStream, then one tar header): by its
// magic bytes, never its name, and a file whose first tar header does not
// read is not an archive, since BuildKit then copies it as it is. Reading
// is streamed and bounded; a bound hit or a corrupt archive is a warning
// that names the archive, so the entries not seen are never a silent pass.

// archiveLimits bound the reading of one archive.
type archiveLimits struct {
	entries int   // tar entries
	bytes   int64 // uncompressed bytes, content skipped included
}

var defaultArchiveLimits = archiveLimits{entries: 10_000, bytes: 256 << 20}

// archiveProblems collects the problems of the archives of one build
// context; each Dockerfile that asks reports those known so far, and the
// scan keeps one of each.
type archiveProblems struct {
	mu   sync.Mutex
	list []Problem
}

func (a *archiveProblems) add(p Problem) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !slices.Contains(a.list, p) {
		a.list = append(a.list, p)
	}
}

func (a *archiveProblems) all() []Problem {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.list)
}

var (
	gzipMagic  = []byte{0x1f, 0x8b, 0x08}
	bzip2Magic = []byte("BZh")
	xzMagic    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	zstdMagic  = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// unpack implements checks.BuildContext.Unpack for the context in dir.
func (e *engine) unpack(dir string, ign *checks.IgnoreFile, probs *archiveProblems, lim archiveLimits, p string, visit func(name string, read func() ([]byte, bool)) bool) bool {
	if p == "" || ign.Excludes(p) {
		return false
	}
	repo := path.Join(dir, p)
	f, err := e.dc.Open(repo)
	if err != nil {
		return false
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return false
	}
	br := bufio.NewReader(f)
	magic, _ := br.Peek(6)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return false
		}
		defer zr.Close()
		r = zr
	case bytes.HasPrefix(magic, bzip2Magic):
		r = bzip2.NewReader(br)
	case bytes.HasPrefix(magic, xzMagic):
		// The dictionary is the reader's default 8 MiB: an archive that
		// asks for more is corrupt to us, not a large allocation.
		xr, err := xz.NewReader(br)
		if err != nil {
			return false
		}
		r = xr
	case bytes.HasPrefix(magic, zstdMagic):
		probs.add(Problem{Path: repo, Level: checks.Warning,
			Message: fmt.Sprintf("%s is a zstd archive that ADD unpacks; Stowaway does not read zstd, so its files were not checked for secrets", repo)})
		return true
	}
	// Content skipped between headers is decompressed too: the byte bound
	// counts it.
	counted := &countingReader{r: r, left: lim.bytes}
	tr := tar.NewReader(counted)
	hdr, err := tr.Next()
	if err != nil {
		return false
	}
	stopped := func(why string) {
		probs.add(Problem{Path: repo, Level: checks.Warning,
			Message: fmt.Sprintf("%s, which ADD unpacks, %s; the rest of its files were not checked for secrets", repo, why)})
	}
	for n := 1; ; n++ {
		if n > lim.entries {
			stopped(fmt.Sprintf("holds more than %d entries", lim.entries))
			return true
		}
		if hdr.Typeflag == tar.TypeReg {
			name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
			var readErr error
			read := func() ([]byte, bool) {
				if hdr.Size > e.limits.FileBytes {
					return nil, false
				}
				b, err := io.ReadAll(io.LimitReader(tr, hdr.Size))
				if err != nil {
					readErr = err
					return nil, false
				}
				return b, true
			}
			if name != "" && !visit(name, read) {
				return true
			}
			if readErr != nil {
				stopped(archiveError(readErr, lim))
				return true
			}
		}
		hdr, err = tr.Next()
		if err == io.EOF {
			return true
		}
		if err != nil {
			stopped(archiveError(err, lim))
			return true
		}
	}
}

// archiveError says why reading an archive stopped.
func archiveError(err error, lim archiveLimits) string {
	if errors.Is(err, errArchiveBytes) {
		return fmt.Sprintf("unpacks to more than %d bytes", lim.bytes)
	}
	return fmt.Sprintf("cannot be read to its end (%s)", redactWords(err.Error()))
}

var errArchiveBytes = errors.New("archive byte bound reached")

// countingReader fails once more than left bytes were read.
type countingReader struct {
	r    io.Reader
	left int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errArchiveBytes
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
