// Package saferoot opens a folder for reading so that no path, symbolic
// links included, leads out of it nor into a .git folder inside it.
//
// It exists for one reason beyond os.Root: speed. On Linux it resolves
// each path in one openat2 call with RESOLVE_BENEATH, where os.Root opens
// every component of the path in turn (two system calls per folder level).
// When os.Root does the same (golang/go#73077, "os: os.Root: use openat2
// with RESOLVE_BENEATH on Linux"), root_linux.go and Lister can go and Open
// becomes OpenOS, whose .git guard and byte names stay.
package saferoot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Root is a folder opened for reading: its FS reads files and folders
// inside it and refuses every path, symbolic links included, that would
// lead out of it, like os.Root.
//
// On Linux each path is one openat2 call (see the package comment).
// Where openat2 is missing (other systems, Linux before 5.6, seccomp
// filters that refuse it) it is os.Root.
//
// Either way it never reads a file inside a .git folder, nor lists a
// folder that a symbolic link leads into one (ErrIntoGit): actions/checkout
// leaves the job's token in .git/config, and a pull request can point any
// file the scan reads there. A .git folder reached by its own name is
// listed, as BuildKit sends it in a build context.
//
// Names are byte strings, as the kernel gives them: io/fs refuses names
// that are not UTF-8, and a folder so named would hide its Dockerfiles and
// secret files from the scan while BuildKit sends them.
type Root struct {
	fsys  fs.FS
	close func() error
}

// errPathEscapes is os.Root's error for a path that leaves the root, so that
// messages read the same whichever implementation answered.
var errPathEscapes = errors.New("path escapes from parent")

// ErrIntoGit refuses a path whose real location is inside a .git folder.
var ErrIntoGit = errors.New("resolves into .git/, never read")

// Listing is a folder's entries sorted by name, packed: the names one
// after the other in Names, entry i's ending at Ends[i], and their type
// bits. A string per name and an fs.DirEntry per entry were most of the
// allocations of listing a tree.
type Listing struct {
	Names string
	Ends  []uint32
	Modes []fs.FileMode
}

// Len is the number of entries.
func (l *Listing) Len() int { return len(l.Ends) }

// Name is entry i's name.
func (l *Listing) Name(i int) string {
	start := uint32(0)
	if i > 0 {
		start = l.Ends[i-1]
	}
	return l.Names[start:l.Ends[i]]
}

// Lister is implemented by a Root's FS that lists a folder packed, without
// an fs.DirEntry per entry.
type Lister interface {
	ListDir(name string) (Listing, error)
}

// Open opens dir.
func Open(dir string) (*Root, error) {
	if r, ok := openBeneath(dir); ok {
		return r, nil
	}
	return OpenOS(dir)
}

// OpenOS opens dir through os.Root, with the same .git guard and byte
// names: what Open falls back to where openat2 cannot be used.
func OpenOS(dir string) (*Root, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Root{fsys: &osRootFS{root: root, guard: newGitGuard(dir)}, close: root.Close}, nil
}

// FS returns the file system of the folder.
func (r *Root) FS() fs.FS { return r.fsys }

// Close releases the folder.
func (r *Root) Close() error { return r.close() }

// validPath is fs.ValidPath without its UTF-8 test (and, as os.Root's FS,
// without backslashes on Windows).
func validPath(name string) bool {
	if name == "." {
		return true
	}
	if runtime.GOOS == "windows" && strings.IndexByte(name, '\\') >= 0 {
		return false
	}
	for {
		elem, rest, more := strings.Cut(name, "/")
		if elem == "" || elem == "." || elem == ".." {
			return false
		}
		if !more {
			return true
		}
		name = rest
	}
}

// gitGuard tells whether a path of the root resolves into a .git folder.
type gitGuard struct {
	abs  string // the root, absolute
	real string // the root, absolute, its links resolved
}

func newGitGuard(dir string) gitGuard {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		real = abs
	}
	return gitGuard{abs: abs, real: real}
}

// hasGitElem reports whether a slash path has a .git element. Case is
// ignored: on a case-insensitive file system .GIT is the same folder.
func hasGitElem(p string) bool {
	for p != "" {
		elem, rest, _ := strings.Cut(p, "/")
		if strings.EqualFold(elem, ".git") {
			return true
		}
		p = rest
	}
	return false
}

// refuse decides on name, opened, a folder or not: a file whose real
// location real (an absolute path; "" to resolve name's links here) is in
// a .git folder is refused, and so is such a folder unless name itself
// goes through .git.
func (g gitGuard) refuse(name, real string, dir bool) bool {
	if dir && hasGitElem(name) {
		return false
	}
	if real == "" {
		var err error
		if real, err = filepath.EvalSymlinks(filepath.Join(g.abs, filepath.FromSlash(name))); err != nil {
			return true // opened but not resolvable: not known to be outside
		}
	}
	rel, err := filepath.Rel(g.real, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false // outside the root: the opening refused it already
	}
	return hasGitElem(filepath.ToSlash(rel))
}

// osRootFS is an os.Root read with byte names and the .git guard.
type osRootFS struct {
	root  *os.Root
	guard gitGuard
}

func (r *osRootFS) Open(name string) (fs.File, error) {
	if !validPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := r.root.Open(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if r.guard.refuse(name, "", info.IsDir()) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrIntoGit}
	}
	return f, nil
}

// ReadDir lists a folder sorted by name, as os.Root's FS does.
func (r *osRootFS) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := r.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dir, ok := f.(fs.ReadDirFile)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not implemented")}
	}
	entries, err := dir.ReadDir(-1)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, err
}

func (r *osRootFS) Stat(name string) (fs.FileInfo, error) {
	if !validPath(name) {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrInvalid}
	}
	return r.root.Stat(name)
}

func (r *osRootFS) Lstat(name string) (fs.FileInfo, error) {
	if !validPath(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrInvalid}
	}
	return r.root.Lstat(name)
}

func (r *osRootFS) ReadLink(name string) (string, error) {
	if !validPath(name) {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return r.root.Readlink(name)
}

var _ interface {
	fs.ReadDirFS
	fs.StatFS
	fs.ReadLinkFS
} = (*osRootFS)(nil)
