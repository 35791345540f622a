package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/stowaway-dev/stowaway/checks"
)

// MaxFileSize is the largest Dockerfile or ignore file read; a larger one is
// reported as a problem, not read.
const MaxFileSize = 1 << 20

// kind is what a target is.
type kind int

const (
	dockerfileKind kind = iota + 1
	ignoreKind
)

type target struct {
	path string
	kind kind
	// uses are a Dockerfile's build contexts, from planContexts.
	uses []contextUse
}

// skipDirs are folders never walked: version control and vendored trees.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "node_modules": true, "vendor": true,
}

// TargetName tells whether discovery takes a file of this name as a
// Dockerfile or as an ignore file.
func TargetName(name string) (dockerfile, ignore bool) {
	k := classify(name)
	return k == dockerfileKind, k == ignoreKind
}

// SkippedFolder tells whether discovery leaves out a folder of this name
// (below the folders it is given).
func SkippedFolder(name string) bool { return skipDirs[name] }

// classify tells whether a file name is a Dockerfile or an ignore file.
func classify(name string) kind {
	var buf [32]byte
	lower := name
	if lowered, ok := checks.LowerASCIIName(&buf, name); ok {
		lower = string(lowered)
	} else {
		lower = strings.ToLower(name)
	}
	switch {
	case strings.HasSuffix(lower, ".dockerignore"):
		return ignoreKind
	case lower == "dockerfile", lower == "containerfile",
		strings.HasSuffix(lower, ".dockerfile"), strings.HasSuffix(lower, ".containerfile"):
		return dockerfileKind
	case strings.HasPrefix(lower, "dockerfile.") || strings.HasPrefix(lower, "containerfile."):
		// Dockerfile.dev is a Dockerfile; Dockerfile.md is its documentation.
		switch path.Ext(lower) {
		case ".md", ".txt", ".rst", ".orig", ".bak", ".swp", ".sh", ".yml", ".yaml", ".json", ".tmpl", ".patch", ".diff":
			return 0
		}
		return dockerfileKind
	}
	return 0
}

// foundDir is what discovery finds in one folder: its subfolders, targets
// and problems, in name order. prefetch fills it on all cores as it lists
// the folder, so that discovery, which runs before any rule, only strings
// the folders together: classifying and joining the paths of every file of
// a monorepo was most of the scan's time on one core.
type foundDir struct {
	path  string
	err   error // the listing's; nothing is found then
	items []foundItem
}

// foundItem is one of a folder's findings: a subfolder (walked in its
// place), a problem or a target.
type foundItem struct {
	dir     *foundDir
	problem *Problem
	target  target
}

// find lists d and fills it: the folders to walk, each target with, for a
// Dockerfile, its default build context (its own folder with the ignore
// file BuildKit reads for it, found in this listing), and the links that
// cannot be followed.
func (c *dirCache) find(d *foundDir) {
	l, _, err := c.list(d.path)
	if err != nil {
		d.err = err
		return
	}
	for i := range l.len() {
		name, mode := l.name(i), l.modes[i]
		if mode.IsDir() {
			if !skipDirs[name] {
				d.items = append(d.items, foundItem{dir: &foundDir{path: joinRel(d.path, name)}})
			}
			continue
		}
		k := classify(name)
		if k == 0 {
			continue
		}
		p := joinRel(d.path, name)
		if mode&fs.ModeSymlink != 0 {
			// The file system refuses links that leave the tree; a
			// link inside it is read as the file it names.
			info, err := fs.Stat(c.fsys, p)
			if err != nil {
				d.items = append(d.items, foundItem{problem: &Problem{Path: p, Level: checks.Warning, Message: fmt.Sprintf("%s is a symbolic link that leaves the scanned tree or is broken; not followed", p)}})
				continue
			}
			if !info.Mode().IsRegular() {
				continue
			}
		} else if !mode.IsRegular() {
			continue
		}
		t := target{path: p, kind: k}
		if k == dockerfileKind {
			// effectiveIgnorePath's answer, from the listing at hand.
			ign := ""
			if c.fileIn(l, name+".dockerignore") {
				ign = p + ".dockerignore"
			} else if c.fileIn(l, ".dockerignore") {
				ign = joinRel(d.path, ".dockerignore")
			}
			t.uses = []contextUse{{dir: d.path, from: "default", ignore: ign}}
		}
		d.items = append(d.items, foundItem{target: t})
	}
}

// discover lists the targets under paths (clean); found holds what
// prefetch found in each of them.
func discover(dc *dirCache, paths []string, found []*foundDir, cfg *Config) ([]target, []Problem) {
	var targets []target
	var problems []Problem
	// One walk meets each path once; only paths given twice, or one inside
	// another, can repeat one, so only then is a set of them kept.
	var seen map[string]bool
	if len(paths) > 1 {
		seen = map[string]bool{}
	}
	add := func(t target) {
		if seen[t.path] || cfg.pathAllowed(t.path) {
			return
		}
		if seen != nil {
			seen[t.path] = true
		}
		targets = append(targets, t)
	}
	// fs.WalkDir's order and outcome, over what prefetch found.
	var walk func(d *foundDir)
	walk = func(d *foundDir) {
		if d.err != nil {
			problems = append(problems, Problem{Path: d.path, Level: checks.Warning, Message: fmt.Sprintf("cannot read %s: %s", d.path, reason(d.err)), Unread: true})
			return
		}
		for _, it := range d.items {
			switch {
			case it.dir != nil:
				walk(it.dir)
			case it.problem != nil:
				problems = append(problems, *it.problem)
			default:
				add(it.target)
			}
		}
	}
	for i, root := range paths {
		info, err := fs.Stat(dc, root)
		if err != nil {
			problems = append(problems, Problem{Path: root, Level: checks.Error, Message: fmt.Sprintf("cannot read %s: %s", root, reason(err)), Unread: true})
			continue
		}
		if !info.IsDir() {
			k := classify(path.Base(root))
			if k == 0 {
				k = dockerfileKind // named explicitly: the user says it is one
			}
			add(target{path: root, kind: k})
			continue
		}
		walk(found[i])
	}
	return targets, problems
}

// readFile reads a target with the size cap; it returns a problem instead
// of content for a file that is too large, binary or unreadable.
func readFile(fsys fs.FS, p string) ([]byte, *Problem) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, &Problem{Path: p, Level: checks.Warning, Message: fmt.Sprintf("cannot read %s: %s", p, reason(err)), Unread: true}
	}
	defer f.Close()
	src, err := readAll(f, -1, MaxFileSize)
	if err != nil {
		return nil, &Problem{Path: p, Level: checks.Warning, Message: fmt.Sprintf("cannot read %s: %s", p, reason(err)), Unread: true}
	}
	if len(src) > MaxFileSize {
		return nil, &Problem{Path: p, Level: checks.Warning, Message: fmt.Sprintf("%s is larger than %d bytes; not scanned", p, MaxFileSize), Unread: true}
	}
	if isBinary(src) {
		return nil, &Problem{Path: p, Level: checks.Warning, Message: fmt.Sprintf("%s is a binary file, not a Dockerfile; not scanned", p), Unread: true}
	}
	return src, nil
}

// readAll reads f up to limit+1 bytes, into a buffer sized from the file's
// size, as os.ReadFile does: io.ReadAll's doubling from 512 bytes allocated
// about three times what a Dockerfile holds. size is the size a stat of f
// gave the caller, or -1 to stat it here. Once it has read as many bytes as
// the stat said, it stops: the read that would say the end is reached was
// a system call per file read, a tenth of those of a monorepo scan (the
// stat is as much a snapshot of a file that is being written).
func readAll(f fs.File, size, limit int64) ([]byte, error) {
	if size < 0 {
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			size = info.Size()
		}
	}
	known := size // the stat's size; 0 and less say nothing
	if size < 0 {
		size = 511
	}
	size = min(size, limit) + 1 // one more to see the end
	r := io.LimitReader(f, limit+1)
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF || err == nil && known > 0 && known <= limit && int64(len(buf)) == known {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// isBinary reports a NUL byte in the first 8 KiB, as git does.
func isBinary(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8<<10)], 0) >= 0
}

// reason shortens a file-system error to its cause.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
