package scan

import (
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// dirCache lists each folder of the scanned tree once per scan. Discovery,
// the context plan and every build-context walk list the same folders, and
// through os.Root each listing and each stat costs system calls; the walks
// and the ignore-file look-ups are then answered from the listings.
//
// The listings are kept for the whole scan, so each entry keeps only its
// name, type and a regular file's size: the entries os.Root returns hold a
// full lstat result and their folder's path, about 400 bytes each, 27 MiB
// of live heap on a 10,000-service monorepo.
type dirCache struct {
	fsys fs.FS
	mu   sync.Mutex
	dirs map[string][]cachedEntry
}

// cachedEntry is a folder entry as the scan needs it. Info answers from the
// listing for a regular file (no modification time nor Sys: nothing reads
// them) and asks the file system for anything else.
type cachedEntry struct {
	name string
	mode fs.FileMode // the full mode of a regular file, else the type bits
	size int64
	info bool // mode and size come from the entry's information
	dir  *string
	c    *dirCache
}

func (d *cachedEntry) Name() string      { return d.name }
func (d *cachedEntry) IsDir() bool       { return d.mode.IsDir() }
func (d *cachedEntry) Type() fs.FileMode { return d.mode.Type() }
func (d *cachedEntry) Info() (fs.FileInfo, error) {
	if d.info {
		return d, nil
	}
	return fs.Lstat(d.c.fsys, path.Join(*d.dir, d.name))
}

// The fs.FileInfo of a regular file, from the listing.
func (d *cachedEntry) Size() int64        { return d.size }
func (d *cachedEntry) Mode() fs.FileMode  { return d.mode }
func (d *cachedEntry) ModTime() time.Time { return time.Time{} }
func (d *cachedEntry) Sys() any           { return nil }

func newDirCache(fsys fs.FS) *dirCache {
	return &dirCache{fsys: fsys, dirs: map[string][]cachedEntry{}}
}

func (c *dirCache) Open(name string) (fs.File, error) { return c.fsys.Open(name) }

// ReadDir returns the folder's entries, sorted by name, from the cache.
func (c *dirCache) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, listed, err := c.list(name)
	if err != nil {
		return listed, err
	}
	out := make([]fs.DirEntry, len(entries))
	for i := range entries {
		out[i] = &entries[i]
	}
	return out, nil
}

// list returns the cached listing of a folder, listing it on first use; on
// an error, nothing is cached and listed holds what the file system gave.
func (c *dirCache) list(name string) (entries []cachedEntry, listed []fs.DirEntry, err error) {
	c.mu.Lock()
	entries, ok := c.dirs[name]
	c.mu.Unlock()
	if !ok {
		listed, err := fs.ReadDir(c.fsys, name)
		if err != nil {
			return nil, listed, err
		}
		dir := &name
		entries = make([]cachedEntry, len(listed))
		for i, d := range listed {
			entries[i] = cachedEntry{name: d.Name(), mode: d.Type(), dir: dir, c: c}
			if d.Type().IsRegular() {
				// Free for os.Root's entries, which carry their lstat.
				if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
					entries[i].mode, entries[i].size, entries[i].info = info.Mode(), info.Size(), true
				}
			}
		}
		c.mu.Lock()
		c.dirs[name] = entries
		c.mu.Unlock()
	}
	return entries, nil, nil
}

// prefetch lists, on workers goroutines, the folders that discovery walks
// under roots (all but skipDirs below a root), so that its serial walk,
// which runs before any rule, is answered from the cache: through os.Root
// the listings are system calls, a fifth of a monorepo scan's wall time
// when made one after the other. A folder that cannot be listed is left to
// discovery, which reports it.
func (c *dirCache) prefetch(roots []string, workers int) {
	var mu sync.Mutex
	more := sync.NewCond(&mu)
	queue := slices.Clone(roots)
	pending := len(queue) // queued or being listed
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			mu.Lock()
			defer mu.Unlock()
			for {
				for len(queue) == 0 && pending > 0 {
					more.Wait()
				}
				if pending == 0 {
					return
				}
				dir := queue[len(queue)-1]
				queue = queue[:len(queue)-1]
				mu.Unlock()
				entries, _, _ := c.list(dir)
				mu.Lock()
				for i := range entries {
					if d := &entries[i]; d.IsDir() && !skipDirs[d.name] {
						queue = append(queue, path.Join(dir, d.name))
						pending++
					}
				}
				pending--
				more.Broadcast()
			}
		})
	}
	wg.Wait()
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
			i := sort.Search(len(entries), func(i int) bool { return entries[i].name >= base })
			if i == len(entries) || entries[i].name != base {
				return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
			}
			if entries[i].info {
				return &entries[i], nil
			}
		}
	}
	return fs.Stat(c.fsys, name)
}

func (c *dirCache) ReadLink(name string) (string, error) { return fs.ReadLink(c.fsys, name) }

func (c *dirCache) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(c.fsys, name) }
