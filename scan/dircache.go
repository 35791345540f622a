package scan

import (
	"hash/maphash"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stowaway-dev/stowaway/internal/saferoot"
)

// dirCache lists each folder of the scanned tree once per scan. Discovery,
// the context plan and every build-context walk list the same folders, and
// each listing and each stat costs system calls; the walks and the
// ignore-file look-ups are then answered from the listings.
//
// Each entry keeps only its name and type, packed per folder (listing):
// the entries os.Root returns hold a full lstat result and their folder's
// path, about 400 bytes each, 27 MiB of live heap on a 10,000-service
// monorepo, and asking for a regular file's size on every entry was one
// lstat per file of the tree.
//
// Once the build contexts are planned (drop), the listings of folders
// inside a context move into one pointer-free arena (frozenListings) and
// the others go; nothing more is cached. Kept as they were, the listings
// were a third of the live heap, and under the memory limit the collector
// paid for them about what listing the folders again costs.
type dirCache struct {
	fsys    fs.FS
	mu      sync.Mutex
	dirs    map[string]*listing
	dropped bool            // drop was called: nothing more is cached
	frozen  *frozenListings // after drop, the listings the walks read
}

// listing is a folder's entries, sorted by name, packed: the names in one
// string, an end offset and a type per entry (about 8 bytes an entry and
// its name, against 48 for an entry value and a string of its own).
type listing struct {
	dir   string
	names string
	ends  []uint32
	modes []fs.FileMode // the type bits
	// compose says that a regular file's name starts as a Compose file's
	// does, found as the folder is listed (on all cores): composeFiles
	// looks at the folder of every Dockerfile and its parents.
	compose bool
}

// packListing packs the n entries of folder dir, given in name order.
func packListing(dir string, n int, entry func(i int) (string, fs.FileMode)) *listing {
	l := &listing{dir: dir, ends: make([]uint32, n), modes: make([]fs.FileMode, n)}
	size := 0
	for i := range n {
		name, _ := entry(i)
		size += len(name)
	}
	var names strings.Builder
	names.Grow(size)
	for i := range n {
		name, mode := entry(i)
		names.WriteString(name)
		l.ends[i], l.modes[i] = uint32(names.Len()), mode
	}
	l.names = names.String()
	return l
}

// len is the number of entries; a nil listing (a folder that could not be
// listed) has none.
func (l *listing) len() int {
	if l == nil {
		return 0
	}
	return len(l.ends)
}

func (l *listing) name(i int) string {
	start := uint32(0)
	if i > 0 {
		start = l.ends[i-1]
	}
	return l.names[start:l.ends[i]]
}

// entries unpacks the listing for a reader.
func (l *listing) entries(c *dirCache) []cachedEntry {
	out := make([]cachedEntry, l.len())
	for i := range out {
		out[i] = cachedEntry{name: l.name(i), mode: l.modes[i], dir: l.dir, c: c}
	}
	return out
}

// cachedEntry is a folder entry as the scan needs it; Info asks the file
// system.
type cachedEntry struct {
	name string
	mode fs.FileMode // the type bits
	dir  string
	c    *dirCache
}

func (d *cachedEntry) Name() string      { return d.name }
func (d *cachedEntry) IsDir() bool       { return d.mode.IsDir() }
func (d *cachedEntry) Type() fs.FileMode { return d.mode }
func (d *cachedEntry) Info() (fs.FileInfo, error) {
	return fs.Lstat(d.c.fsys, path.Join(d.dir, d.name))
}

func newDirCache(fsys fs.FS) *dirCache {
	return &dirCache{fsys: fsys, dirs: map[string]*listing{}}
}

func (c *dirCache) Open(name string) (fs.File, error) { return c.fsys.Open(name) }

// ReadDir returns the folder's entries, sorted by name, from the cache.
func (c *dirCache) ReadDir(name string) ([]fs.DirEntry, error) {
	l, listed, err := c.list(name)
	if err != nil {
		return listed, err
	}
	entries := l.entries(c)
	out := make([]fs.DirEntry, len(entries))
	for i := range entries {
		out[i] = &entries[i]
	}
	return out, nil
}

// cached returns the listing of name made in the cache's first life, or
// the frozen store that may hold it.
func (c *dirCache) cached(name string) (*listing, *frozenListings, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.dirs[name]
	return l, c.frozen, ok
}

// list returns the cached listing of a folder, listing it on first use; on
// an error, nothing is cached and listed holds what the file system gave.
func (c *dirCache) list(name string) (l *listing, listed []fs.DirEntry, err error) {
	l, frozen, ok := c.cached(name)
	if !ok && frozen != nil {
		l, ok = frozen.get(name)
	}
	if !ok {
		if lister, ok := c.fsys.(saferoot.Lister); ok {
			packed, err := lister.ListDir(name)
			if err != nil {
				return nil, nil, err
			}
			l = &listing{dir: name, names: packed.Names, ends: packed.Ends, modes: packed.Modes}
		} else {
			listed, err := fs.ReadDir(c.fsys, name)
			if err != nil {
				return nil, listed, err
			}
			l = packListing(name, len(listed), func(i int) (string, fs.FileMode) { return listed[i].Name(), listed[i].Type() })
		}
		l.compose = l.hasComposeName()
		c.mu.Lock()
		if !c.dropped {
			c.dirs[name] = l
		}
		c.mu.Unlock()
	}
	return l, nil, nil
}

// hasComposeName reports a regular file whose name may be a Compose file's.
func (l *listing) hasComposeName() bool {
	for i := range l.len() {
		if l.modes[i].IsRegular() && composePrefix(l.name(i)) {
			return true
		}
	}
	return false
}

// composePrefix reports a name that, lower-cased, starts with "compose" or
// "docker-compose", as a Compose file's does: the cheap test before
// composeName's regexp.
func composePrefix(name string) bool {
	return lowerHasPrefix(name, "compose") || lowerHasPrefix(name, "docker-compose")
}

// lowerHasPrefix is strings.HasPrefix(strings.ToLower(s), prefix) for a
// lower-case ASCII prefix, without lower-casing s when its start is ASCII.
func lowerHasPrefix(s, prefix string) bool {
	for i := range len(prefix) {
		if i == len(s) {
			return false
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.HasPrefix(strings.ToLower(s), prefix)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// drop ends the cache's first life: the listings of folders inside a
// build context (contexts holds the context folders) move to a frozen
// store for the walks, the rest go, and nothing more is cached. It runs
// beside the first walks, which read the listings as they were until the
// frozen store takes their place.
func (c *dirCache) drop(contexts map[string]bool) {
	c.mu.Lock()
	dirs := c.dirs
	c.dropped = true // dirs is no longer written: read it unlocked
	c.mu.Unlock()
	var kept []*listing
	names, entries := 0, 0
	for dir, l := range dirs {
		if underAny(dir, contexts) {
			kept = append(kept, l)
			names += len(dir) + len(l.names)
			entries += l.len()
		}
	}
	f := newFrozenListings(kept, names, entries)
	c.mu.Lock()
	c.frozen, c.dirs = f, map[string]*listing{}
	c.mu.Unlock()
}

// underAny reports whether dir, a clean slash path relative to the root,
// is one of folders or inside one ("." is the root, around every folder).
func underAny(dir string, folders map[string]bool) bool {
	for {
		if folders[dir] {
			return true
		}
		i := strings.LastIndexByte(dir, '/')
		if i < 0 {
			return folders["."]
		}
		dir = dir[:i]
	}
}

// frozenListings holds listings packed into one string and two number
// slices, which the collector does not trace, found by a hash of their
// folder's path: kept as listings, they made every collection of a
// monorepo scan longer and, under the memory limit, more frequent, and
// listing the folders again cost as much in system calls. A listing read
// back is slices of them, not a copy.
type frozenListings struct {
	names string        // each folder's path, then its entries' names
	ends  []uint32      // each entry's name's end, from its folder's first name
	modes []fs.FileMode // each entry's type bits
	index map[uint64]frozenAt
	seed  maphash.Seed
}

// frozenAt places one folder's listing in a frozenListings.
type frozenAt struct {
	path, names uint32 // where the folder's path and its names start in names
	first, n    uint32 // its entries in ends and modes
	compose     bool
}

// newFrozenListings freezes the listings, which hold names bytes of paths
// and names and entries entries in all.
func newFrozenListings(listings []*listing, names, entries int) *frozenListings {
	f := &frozenListings{ends: make([]uint32, 0, entries), modes: make([]fs.FileMode, 0, entries),
		index: make(map[uint64]frozenAt, len(listings)), seed: maphash.MakeSeed()}
	var b strings.Builder
	b.Grow(names)
	for _, l := range listings {
		h := maphash.String(f.seed, l.dir)
		if _, taken := f.index[h]; taken || b.Len()+len(l.dir)+len(l.names) > math.MaxUint32 || len(f.ends)+l.len() > math.MaxUint32 {
			continue // a hash taken by another folder, or a huge tree: listed again
		}
		at := frozenAt{path: uint32(b.Len()), first: uint32(len(f.ends)), n: uint32(l.len()), compose: l.compose}
		b.WriteString(l.dir)
		at.names = uint32(b.Len())
		b.WriteString(l.names)
		f.ends = append(f.ends, l.ends...)
		f.modes = append(f.modes, l.modes...)
		f.index[h] = at
	}
	f.names = b.String()
	return f
}

// find places the listing of dir; false when it is not here.
func (f *frozenListings) find(dir string) (frozenAt, bool) {
	at, ok := f.index[maphash.String(f.seed, dir)]
	if !ok || f.names[at.path:at.names] != dir {
		return frozenAt{}, false
	}
	return at, true
}

// get returns the listing of dir, made of slices of the frozen store; false
// when it is not here.
func (f *frozenListings) get(dir string) (*listing, bool) {
	at, ok := f.find(dir)
	if !ok {
		return nil, false
	}
	l := &listing{dir: dir, ends: f.ends[at.first : at.first+at.n : at.first+at.n], modes: f.modes[at.first : at.first+at.n : at.first+at.n], compose: at.compose}
	size := uint32(0)
	if at.n > 0 {
		size = l.ends[at.n-1]
	}
	l.names = f.names[at.names : at.names+size]
	return l, true
}

// prefetch lists, on workers goroutines, the folders that discovery walks
// under roots (clean paths; all but skipDirs below a root) and finds in
// each what discovery needs (find), so that its serial walk, which runs
// before any rule, is answered from the cache: through os.Root the
// listings are system calls, a fifth of a monorepo scan's wall time when
// made one after the other. It returns what it found in each root.
func (c *dirCache) prefetch(roots []string, workers int) []*foundDir {
	found := make([]*foundDir, len(roots))
	var mu sync.Mutex
	more := sync.NewCond(&mu)
	queue := make([]*foundDir, len(roots))
	for i, r := range roots {
		found[i] = &foundDir{path: r}
		queue[i] = found[i]
	}
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
				d := queue[len(queue)-1]
				queue = queue[:len(queue)-1]
				mu.Unlock()
				c.find(d)
				mu.Lock()
				for _, it := range d.items {
					if it.dir != nil {
						queue = append(queue, it.dir)
						pending++
					}
				}
				pending--
				more.Broadcast()
			}
		})
	}
	wg.Wait()
	return found
}

// search returns the index of name in the listing and whether it is there.
func (l *listing) search(name string) (int, bool) {
	i := sort.Search(l.len(), func(i int) bool { return l.name(i) >= name })
	return i, i < l.len() && l.name(i) == name
}

// fileIn reports whether the listing l of a folder holds name as a regular
// file or a link to one, as isFile does.
func (c *dirCache) fileIn(l *listing, name string) bool {
	i, ok := l.search(name)
	if !ok {
		return false
	}
	if mode := l.modes[i]; mode.IsRegular() || mode&fs.ModeSymlink == 0 {
		return mode.IsRegular()
	}
	info, err := fs.Stat(c.fsys, joinRel(l.dir, name))
	return err == nil && info.Mode().IsRegular()
}

// lookup finds name in its folder's cached listing: found is false when
// the folder is not cached or the name is "." or a folder path; exists
// says whether the listing holds the name, and mode is its type.
func (c *dirCache) lookup(name string) (mode fs.FileMode, exists, found bool) {
	if name == "." || strings.HasSuffix(name, "/") {
		return 0, false, false
	}
	c.mu.Lock()
	l, ok := c.dirs[path.Dir(name)]
	c.mu.Unlock()
	if !ok {
		return 0, false, false
	}
	i, ok := l.search(path.Base(name))
	if !ok {
		return 0, false, true
	}
	return l.modes[i], true, true
}

// Stat answers a name absent from its folder's cached listing without the
// file system.
func (c *dirCache) Stat(name string) (fs.FileInfo, error) {
	if _, exists, found := c.lookup(name); found && !exists {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
	}
	return fs.Stat(c.fsys, name)
}

// isFile reports whether name is a regular file or a link to one, from the
// cached listing when it can.
func (c *dirCache) isFile(name string) bool {
	if mode, exists, found := c.lookup(name); found {
		if !exists || mode.IsRegular() {
			return exists
		}
		if mode&fs.ModeSymlink == 0 {
			return false
		}
	}
	info, err := fs.Stat(c.fsys, name)
	return err == nil && info.Mode().IsRegular()
}

func (c *dirCache) ReadLink(name string) (string, error) { return fs.ReadLink(c.fsys, name) }

func (c *dirCache) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(c.fsys, name) }
