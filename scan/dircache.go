package scan

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
)

// dirCache lists each folder of the scanned tree once per scan. Discovery,
// the context plan and every build-context walk list the same folders, and
// through os.Root each listing and each stat costs system calls; the walks
// and the ignore-file look-ups are then answered from the listings.
type dirCache struct {
	fsys fs.FS
	mu   sync.Mutex
	dirs map[string][]fs.DirEntry
}

func newDirCache(fsys fs.FS) *dirCache {
	return &dirCache{fsys: fsys, dirs: map[string][]fs.DirEntry{}}
}

func (c *dirCache) Open(name string) (fs.File, error) { return c.fsys.Open(name) }

// ReadDir returns the folder's entries, sorted by name, from the cache.
func (c *dirCache) ReadDir(name string) ([]fs.DirEntry, error) {
	c.mu.Lock()
	entries, ok := c.dirs[name]
	c.mu.Unlock()
	if !ok {
		var err error
		entries, err = fs.ReadDir(c.fsys, name)
		if err != nil {
			return entries, err
		}
		c.mu.Lock()
		c.dirs[name] = entries
		c.mu.Unlock()
	}
	return slices.Clone(entries), nil
}

// Stat answers from the parent folder's listing when it is cached: a name
// absent from it does not exist, and a regular file's entry holds its
// information. Links and everything else go to the file system.
func (c *dirCache) Stat(name string) (fs.FileInfo, error) {
	if name != "." && !strings.HasSuffix(name, "/") {
		c.mu.Lock()
		entries, ok := c.dirs[path.Dir(name)]
		c.mu.Unlock()
		if ok {
			base := path.Base(name)
			i := sort.Search(len(entries), func(i int) bool { return entries[i].Name() >= base })
			if i == len(entries) || entries[i].Name() != base {
				return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
			}
			if entries[i].Type().IsRegular() {
				if info, err := entries[i].Info(); err == nil {
					return info, nil
				}
			}
		}
	}
	return fs.Stat(c.fsys, name)
}

func (c *dirCache) ReadLink(name string) (string, error) { return fs.ReadLink(c.fsys, name) }

func (c *dirCache) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(c.fsys, name) }
