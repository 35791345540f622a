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
	lower := strings.ToLower(name)
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

// discover lists the targets under paths.
func discover(dc *dirCache, paths []string, cfg *Config) ([]target, []Problem) {
	var targets []target
	var problems []Problem
	// One walk meets each path once; only paths given twice, or one inside
	// another, can repeat one, so only then is a set of them kept.
	var seen map[string]bool
	if len(paths) > 1 {
		seen = map[string]bool{}
	}
	add := func(p string, k kind) {
		if seen[p] || cfg.pathAllowed(p) {
			return
		}
		if seen != nil {
			seen[p] = true
		}
		targets = append(targets, target{path: p, kind: k})
	}
	for _, root := range paths {
		root = path.Clean(root)
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
			add(root, k)
			continue
		}
		// fs.WalkDir's order and outcome, over the cached listings: WalkDir
		// joined a path and made an entry for every file of the tree.
		var walk func(dir string)
		walk = func(dir string) {
			l, _, err := dc.list(dir)
			if err != nil {
				problems = append(problems, Problem{Path: dir, Level: checks.Warning, Message: fmt.Sprintf("cannot read %s: %s", dir, reason(err)), Unread: true})
				return
			}
			for i := range l.len() {
				name, mode := l.name(i), l.modes[i]
				if mode.IsDir() {
					if !skipDirs[name] {
						walk(path.Join(dir, name))
					}
					continue
				}
				k := classify(name)
				if k == 0 {
					continue
				}
				p := path.Join(dir, name)
				if mode&fs.ModeSymlink != 0 {
					// The file system refuses links that leave the tree; a
					// link inside it is read as the file it names.
					info, err := fs.Stat(dc, p)
					if err != nil {
						problems = append(problems, Problem{Path: p, Level: checks.Warning, Message: fmt.Sprintf("%s is a symbolic link that leaves the scanned tree or is broken; not followed", p)})
						continue
					}
					if !info.Mode().IsRegular() {
						continue
					}
				} else if !mode.IsRegular() {
					continue
				}
				add(p, k)
			}
		}
		walk(root)
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
// gave the caller, or -1 to stat it here.
func readAll(f fs.File, size, limit int64) ([]byte, error) {
	if size < 0 {
		if info, err := f.Stat(); err == nil && info.Mode().IsRegular() {
			size = info.Size()
		}
	}
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
		if err == io.EOF {
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
