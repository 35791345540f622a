package saferoot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// beneathFS is a folder whose paths are resolved by the kernel, in one
// openat2 call each, never above the folder (RESOLVE_BENEATH: no "..", no
// absolute path, no symbolic link that leads out) nor through /proc's
// magic links.
type beneathFS struct {
	dir   string // the folder, for the names of opened files
	fd    int
	guard gitGuard
}

// openBeneath opens dir as a beneathFS, or reports that openat2 cannot be
// used here.
func openBeneath(dir string) (*Root, bool) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, false // os.OpenRoot gives the error
	}
	b := &beneathFS{dir: dir, fd: fd, guard: newGitGuard(dir)}
	probe, err := b.openat(".", unix.O_PATH)
	if err != nil {
		unix.Close(fd)
		return nil, false
	}
	unix.Close(probe)
	return &Root{fsys: b, close: func() error { return unix.Close(fd) }}, true
}

func (b *beneathFS) openat(name string, flags int) (int, error) {
	return b.openat2(name, flags, 0)
}

func (b *beneathFS) openat2(name string, flags int, resolve uint64) (int, error) {
	how := unix.OpenHow{
		Flags:   uint64(flags | unix.O_CLOEXEC),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS | resolve,
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

// openGuarded opens name to read it (a file's content or a folder's
// entries), refusing it where it resolves into a .git folder. It first
// opens without following any link, so that a path without one, nearly
// every path, costs nothing more: it is where it says.
func (b *beneathFS) openGuarded(name string, flags int, dir bool) (int, error) {
	fd, err := b.openat2(name, flags, unix.RESOLVE_NO_SYMLINKS)
	linked := err == unix.ELOOP
	if linked {
		fd, err = b.openat(name, flags)
	}
	if err != nil || !linked && !hasGitElem(name) {
		return fd, err
	}
	if !dir {
		var st unix.Stat_t
		if err := ignoringEINTR(func() error { return unix.Fstat(fd, &st) }); err == nil {
			dir = st.Mode&unix.S_IFMT == unix.S_IFDIR
		}
	}
	refused := !dir // not linked: a file in .git by its own name
	if linked {
		// The kernel's name for what was opened; gitGuard resolves the
		// links itself where /proc is not mounted.
		real, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
		if err != nil {
			real = ""
		}
		refused = b.guard.refuse(name, real, dir)
	}
	if refused {
		unix.Close(fd)
		return -1, ErrIntoGit
	}
	return fd, nil
}

// Open opens a file for reading. A regular file is read through its
// descriptor alone: an *os.File costs a system call more (os.NewFile asks
// for the descriptor's flags) and a cleanup to register, for every file.
func (b *beneathFS) Open(name string) (fs.File, error) {
	if !validPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	// O_NONBLOCK: a named pipe swapped in for a file must not hang the
	// scan; it changes nothing for files and folders.
	fd, err := b.openGuarded(name, unix.O_RDONLY|unix.O_NONBLOCK, false)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Fstat(fd, &st) }); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	info := newStatInfo(path.Base(name), &st)
	if !info.mode.IsRegular() {
		f := os.NewFile(uintptr(fd), filepath.Join(b.dir, filepath.FromSlash(name)))
		return &beneathFile{File: f, fsys: b, name: name}, nil
	}
	return &fdFile{fd: fd, name: name, info: info}, nil
}

// ReadDir lists a folder sorted by name, as fs.ReadDir does. The entries'
// Info asks this file system, not the path the os package would use.
func (b *beneathFS) ReadDir(name string) ([]fs.DirEntry, error) {
	l, err := b.ListDir(name)
	if err != nil {
		return nil, err
	}
	out := make([]fs.DirEntry, l.Len())
	for i := range out {
		out[i] = beneathEntry{name: l.Name(i), mode: l.Modes[i], fsys: b, dir: name}
	}
	return out, nil
}

// ListDir lists a folder sorted by name, reading the kernel's directory
// entries itself into scratch buffers and packing them: through
// os.File.ReadDir each entry was two allocations, and the descriptor a
// system call more.
func (b *beneathFS) ListDir(name string) (Listing, error) {
	if !validPath(name) {
		return Listing{}, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	fd, err := b.openGuarded(name, unix.O_RDONLY|unix.O_DIRECTORY, true)
	if err != nil {
		return Listing{}, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer unix.Close(fd)
	s := listScratches.Get().(*listScratch)
	defer s.put()
	buf := s.dirents
	for {
		var n int
		err := ignoringEINTR(func() (err error) { n, err = unix.Getdents(fd, buf); return err })
		if err != nil {
			return Listing{}, &fs.PathError{Op: "readdirent", Path: name, Err: err}
		}
		if n <= 0 {
			break
		}
		// linux_dirent64: inode (8 bytes), offset (8), record length (2),
		// type (1), then the name, NUL-terminated.
		for off := 0; off+19 <= n; {
			reclen := int(binary.NativeEndian.Uint16(buf[off+16:]))
			if reclen < 19 || off+reclen > n {
				return Listing{}, &fs.PathError{Op: "readdirent", Path: name, Err: unix.EIO}
			}
			typ, raw := buf[off+18], buf[off+19:off+reclen]
			off += reclen
			if i := bytes.IndexByte(raw, 0); i >= 0 {
				raw = raw[:i]
			}
			if len(raw) == 0 || string(raw) == "." || string(raw) == ".." {
				continue
			}
			mode, known := direntMode(typ)
			if !known {
				// The file system did not say: ask, as os.ReadDir does.
				var st unix.Stat_t
				err := ignoringEINTR(func() error { return unix.Fstatat(fd, string(raw), &st, unix.AT_SYMLINK_NOFOLLOW) })
				if errors.Is(err, unix.ENOENT) {
					continue // removed since
				}
				if err != nil {
					return Listing{}, &fs.PathError{Op: "lstat", Path: joinPath(name, string(raw)), Err: err}
				}
				mode = statMode(st.Mode).Type()
			}
			start := uint32(len(s.names))
			s.names = append(s.names, raw...)
			s.entries = append(s.entries, scratchEntry{start, uint32(len(s.names)), mode})
		}
	}
	return s.pack(), nil
}

// listScratch is where ListDir gathers a folder's entries before packing
// them: the kernel's records, the names one after the other, and each
// entry's place among them.
type listScratch struct {
	dirents []byte
	names   []byte
	entries []scratchEntry
}

type scratchEntry struct {
	start, end uint32
	mode       fs.FileMode
}

// listScratches are ListDir's scratch buffers, the kernel's at the size os
// uses.
var listScratches = sync.Pool{New: func() any { return &listScratch{dirents: make([]byte, 8192)} }}

// put returns s to the pool, unless a huge folder made it huge.
func (s *listScratch) put() {
	if cap(s.names) > 1<<20 || cap(s.entries) > 1<<16 {
		return
	}
	s.names, s.entries = s.names[:0], s.entries[:0]
	listScratches.Put(s)
}

// pack sorts the gathered entries by name and packs them.
func (s *listScratch) pack() Listing {
	names := s.names
	slices.SortFunc(s.entries, func(a, b scratchEntry) int {
		return bytes.Compare(names[a.start:a.end], names[b.start:b.end])
	})
	l := Listing{Ends: make([]uint32, len(s.entries)), Modes: make([]fs.FileMode, len(s.entries))}
	var packed strings.Builder
	packed.Grow(len(names))
	for i, e := range s.entries {
		packed.Write(names[e.start:e.end])
		l.Ends[i], l.Modes[i] = uint32(packed.Len()), e.mode
	}
	l.Names = packed.String()
	return l
}

// direntMode is the type of an entry's d_type, as os reads it; known is
// false for DT_UNKNOWN.
func direntMode(typ byte) (mode fs.FileMode, known bool) {
	switch typ {
	case unix.DT_BLK:
		return fs.ModeDevice, true
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case unix.DT_DIR:
		return fs.ModeDir, true
	case unix.DT_FIFO:
		return fs.ModeNamedPipe, true
	case unix.DT_LNK:
		return fs.ModeSymlink, true
	case unix.DT_REG:
		return 0, true
	case unix.DT_SOCK:
		return fs.ModeSocket, true
	}
	return 0, false
}

// statMode is a stat result's mode as an fs.FileMode, as os computes it.
func statMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

func ignoringEINTR(fn func() error) error {
	for {
		if err := fn(); err != unix.EINTR {
			return err
		}
	}
}

// fdFile is a regular file open for reading, with the information read
// when it was opened.
type fdFile struct {
	fd   int
	name string
	info statInfo
}

func (f *fdFile) Stat() (fs.FileInfo, error) { return f.info, nil }

func (f *fdFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	err := ignoringEINTR(func() (err error) { n, err = unix.Read(f.fd, p); return err })
	switch {
	case err != nil:
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (f *fdFile) Close() error { return unix.Close(f.fd) }

func newStatInfo(name string, st *unix.Stat_t) statInfo {
	return statInfo{name: name, size: st.Size, mode: statMode(st.Mode), modTime: time.Unix(st.Mtim.Unix())}
}

// statInfo is a file's information from fstat.
type statInfo struct {
	name    string
	size    int64
	mode    fs.FileMode
	modTime time.Time
}

func (i statInfo) Name() string       { return i.name }
func (i statInfo) Size() int64        { return i.size }
func (i statInfo) Mode() fs.FileMode  { return i.mode }
func (i statInfo) ModTime() time.Time { return i.modTime }
func (i statInfo) IsDir() bool        { return i.mode.IsDir() }
func (i statInfo) Sys() any           { return nil }

func (b *beneathFS) Stat(name string) (fs.FileInfo, error) {
	return b.stat("stat", name, unix.O_PATH)
}

func (b *beneathFS) Lstat(name string) (fs.FileInfo, error) {
	return b.stat("lstat", name, unix.O_PATH|unix.O_NOFOLLOW)
}

func (b *beneathFS) stat(op, name string, flags int) (fs.FileInfo, error) {
	if !validPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	fd, err := b.openat(name, flags)
	if err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Fstat(fd, &st) }); err != nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	// Named by the path asked for ("." for the root), as os.Root does.
	return newStatInfo(path.Base(name), &st), nil
}

func (b *beneathFS) ReadLink(name string) (string, error) {
	if !validPath(name) {
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
		entries[i] = beneathEntry{name: d.Name(), mode: d.Type(), fsys: f.fsys, dir: f.name}
	}
	return entries, err
}

type beneathEntry struct {
	name string
	mode fs.FileMode // the type bits
	fsys *beneathFS
	dir  string
}

func (d beneathEntry) Name() string      { return d.name }
func (d beneathEntry) IsDir() bool       { return d.mode.IsDir() }
func (d beneathEntry) Type() fs.FileMode { return d.mode }
func (d beneathEntry) Info() (fs.FileInfo, error) {
	return d.fsys.Lstat(joinPath(d.dir, d.name))
}

func joinPath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

var _ interface {
	fs.ReadDirFS
	fs.StatFS
	fs.ReadLinkFS
	Lister
} = (*beneathFS)(nil)
