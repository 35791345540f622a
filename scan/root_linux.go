package scan

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// errPathEscapes is os.Root's error for a path that leaves the root, so that
// messages read the same whichever implementation answered.
var errPathEscapes = errors.New("path escapes from parent")

// beneathFS is a folder whose paths are resolved by the kernel, in one
// openat2 call each, never above the folder (RESOLVE_BENEATH: no "..", no
// absolute path, no symbolic link that leads out) nor through /proc's
// magic links.
type beneathFS struct {
	dir string // the folder, for the names of opened files
	fd  int
}

// openBeneath opens dir as a beneathFS, or reports that openat2 cannot be
// used here.
func openBeneath(dir string) (*Root, bool) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false // os.OpenRoot gives the error
	}
	b := &beneathFS{dir: dir, fd: fd}
	probe, err := b.openat(".", unix.O_PATH)
	if err != nil {
		unix.Close(fd)
		return nil, false
	}
	unix.Close(probe)
	return &Root{fsys: b, close: func() error { return unix.Close(fd) }}, true
}

func (b *beneathFS) openat(name string, flags int) (int, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(b.fd, name, &how)
		if err == unix.EINTR || err == unix.EAGAIN {
			continue
		}
		if err == unix.EXDEV {
			err = errPathEscapes
		}
		return fd, err
	}
}

// file opens name with flags as an *os.File.
func (b *beneathFS) file(op, name string, flags int) (*os.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	fd, err := b.openat(name, flags)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return os.NewFile(uintptr(fd), filepath.Join(b.dir, filepath.FromSlash(name))), nil
}

func (b *beneathFS) Open(name string) (fs.File, error) {
	f, err := b.file("open", name, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	return &beneathFile{File: f, fsys: b, name: name}, nil
}

// ReadDir lists a folder sorted by name, as fs.ReadDir does. The entries'
// Info asks this file system, not the path the os package would use.
func (b *beneathFS) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := b.file("readdirent", name, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	out := make([]fs.DirEntry, len(entries))
	for i, d := range entries {
		out[i] = beneathEntry{DirEntry: d, fsys: b, dir: name}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int {
		return strings.Compare(a.Name(), b.Name())
	})
	if err != nil {
		err = &fs.PathError{Op: "readdirent", Path: name, Err: unwrapPath(err)}
	}
	return out, err
}

func (b *beneathFS) Stat(name string) (fs.FileInfo, error) {
	return b.stat("stat", name, unix.O_PATH)
}

func (b *beneathFS) Lstat(name string) (fs.FileInfo, error) {
	return b.stat("lstat", name, unix.O_PATH|unix.O_NOFOLLOW)
}

func (b *beneathFS) stat(op, name string, flags int) (fs.FileInfo, error) {
	f, err := b.file(op, name, flags)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: unwrapPath(err)}
	}
	return namedInfo{info, path.Base(name)}, nil
}

// namedInfo names a FileInfo by the path asked for ("." for the root), as
// os.Root does, not by the folder's own name.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (i namedInfo) Name() string { return i.name }

func (b *beneathFS) ReadLink(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	fd, err := b.openat(name, unix.O_PATH|unix.O_NOFOLLOW)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	defer unix.Close(fd)
	buf := make([]byte, 256)
	for {
		// An empty path reads the link the descriptor stands for.
		n, err := unix.Readlinkat(fd, "", buf)
		if err == unix.ENOENT {
			err = unix.EINVAL // not a link, as readlink(2) says it
		}
		if err != nil {
			return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
		}
		if n < len(buf) {
			return string(buf[:n]), nil
		}
		buf = make([]byte, 2*len(buf))
	}
}

// beneathFile is an opened file whose ReadDir entries answer Info through
// the file system.
type beneathFile struct {
	*os.File
	fsys *beneathFS
	name string
}

func (f *beneathFile) ReadDir(n int) ([]fs.DirEntry, error) {
	entries, err := f.File.ReadDir(n)
	for i, d := range entries {
		entries[i] = beneathEntry{DirEntry: d, fsys: f.fsys, dir: f.name}
	}
	return entries, err
}

type beneathEntry struct {
	fs.DirEntry
	fsys *beneathFS
	dir  string
}

func (d beneathEntry) Info() (fs.FileInfo, error) {
	return d.fsys.Lstat(joinPath(d.dir, d.Name()))
}

func joinPath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// unwrapPath drops the os package's PathError, whose path is the absolute
// one, keeping its cause.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

var _ interface {
	fs.ReadDirFS
	fs.StatFS
	fs.ReadLinkFS
} = (*beneathFS)(nil)
