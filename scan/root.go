package scan

import (
	"errors"
	"io/fs"
	"os"
)

// Root is a folder opened for scanning: its FS reads files and folders
// inside it and refuses every path, symbolic links included, that would
// lead out of it, like os.Root.
//
// On Linux it resolves each path in one openat2 call with
// RESOLVE_BENEATH, where os.Root opens every component of the path in turn
// (two system calls per folder level, a sixth of a monorepo scan's time).
// Where openat2 is missing (other systems, Linux before 5.6, seccomp
// filters that refuse it) it is os.Root.
type Root struct {
	fsys  fs.FS
	close func() error
}

// errPathEscapes is os.Root's error for a path that leaves the root, so that
// messages read the same whichever implementation answered.
var errPathEscapes = errors.New("path escapes from parent")

// OpenRoot opens dir for scanning.
func OpenRoot(dir string) (*Root, error) {
	if r, ok := openBeneath(dir); ok {
		return r, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Root{fsys: root.FS(), close: root.Close}, nil
}

// FS returns the file system of the folder.
func (r *Root) FS() fs.FS { return r.fsys }

// Close releases the folder.
func (r *Root) Close() error { return r.close() }
