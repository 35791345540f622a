package scan

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
)

// walkDirTargets is discovery as fs.WalkDir and a stat per path give it,
// with each Dockerfile's default build context and its ignore file: the
// reference for what prefetch finds folder by folder.
func walkDirTargets(t *testing.T, fsys fs.FS, paths []string) ([]target, []Problem) {
	t.Helper()
	isFile := func(p string) bool {
		info, err := fs.Stat(fsys, p)
		return err == nil && info.Mode().IsRegular()
	}
	var targets []target
	var problems []Problem
	seen := map[string]bool{}
	// walked: found in a folder, where discovery finds the default context
	// too; a file named alone gets it from planContexts.
	add := func(p string, k kind, walked bool) {
		if seen[p] {
			return
		}
		seen[p] = true
		tg := target{path: p, kind: k}
		if k == dockerfileKind && walked {
			dir, ign := path.Dir(p), ""
			for _, q := range []string{p + ".dockerignore", path.Join(dir, ".dockerignore")} {
				if isFile(q) {
					ign = q
					break
				}
			}
			tg.uses = []contextUse{{dir: dir, from: "default", ignore: ign}}
		}
		targets = append(targets, tg)
	}
	for _, root := range paths {
		info, err := fs.Stat(fsys, root)
		if err != nil {
			problems = append(problems, Problem{Path: root, Level: checks.Error, Message: fmt.Sprintf("cannot read %s: %s", root, reason(err)), Unread: true})
			continue
		}
		if !info.IsDir() {
			add(root, dockerfileKind, false)
			continue
		}
		err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && skipDirs[d.Name()] {
					return fs.SkipDir
				}
				return nil
			}
			k := classify(d.Name())
			if k == 0 {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				if _, err := fs.Stat(fsys, p); err != nil {
					problems = append(problems, Problem{Path: p, Level: checks.Warning, Message: fmt.Sprintf("%s is a symbolic link that leaves the scanned tree or is broken; not followed", p)})
					return nil
				}
			}
			if isFile(p) {
				add(p, k, true)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return targets, problems
}

// TestDiscoveryAsWalkDir checks that discovery over what prefetch finds on
// all cores gives fs.WalkDir's targets, in its order, with its problems, and
// the ignore file of each Dockerfile's default context: links in and out of
// the tree, skipped folders, nested and repeated paths, a file named alone.
func TestDiscoveryAsWalkDir(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write(t, outside, "Dockerfile", "FROM a\n")
	write(t, outside, ".dockerignore", ".env\n")
	for _, f := range []string{
		"Dockerfile", "a/Dockerfile", "a/Dockerfile.dockerignore", "a/.dockerignore", "a/b/prod.Dockerfile",
		"a/b/.dockerignore", "a/b/c/Containerfile", "d/Dockerfile.dev", "d/x.dockerignore", "e/Dockerfile",
		"node_modules/p/Dockerfile", "a/vendor/Dockerfile", "f/notes.txt", "g/h/i/j/Dockerfile",
	} {
		write(t, dir, f, "FROM a\n")
	}
	links := map[string]string{
		"e/.dockerignore":       "../a/.dockerignore",                    // inside: read as the file
		"d/Dockerfile":          filepath.Join(outside, "Dockerfile"),    // out of the tree
		"f/Dockerfile":          filepath.Join(outside, "Dockerfile"),    // its ignore file below is out too
		"f/.dockerignore":       filepath.Join(outside, ".dockerignore"), // not a file of the tree
		"g/Dockerfile":          "missing",                               // broken
		"g/h/Dockerfile":        "../../a/b",                             // a folder: no target
		"g/h/i/j/.dockerignore": "../../../../a",                         // a folder: no ignore file
		"k":                     "a",                                     // a link to a folder: not walked
	}
	for name, to := range links {
		if err := os.Symlink(to, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Skip("symlinks unsupported:", err)
		}
	}
	fsys := openScanRoot(t, dir)
	for _, paths := range [][]string{
		{"."}, {"a"}, {"a", "a/b"}, {"a/b", "a"}, {".", "."}, {"a/Dockerfile", "d"}, {"missing", "e"}, {"node_modules"},
	} {
		dc := newDirCache(fsys)
		found := dc.prefetch(paths, 3)
		got, gotProblems := discover(dc, paths, found, &Config{})
		want, wantProblems := walkDirTargets(t, fsys, paths)
		opt := cmp.AllowUnexported(target{}, contextUse{})
		if diff := cmp.Diff(want, got, opt); diff != "" {
			t.Errorf("%q: targets (-walkdir +discover):\n%s", paths, diff)
		}
		if diff := cmp.Diff(wantProblems, gotProblems); diff != "" {
			t.Errorf("%q: problems (-walkdir +discover):\n%s", paths, diff)
		}
	}
}

// unlistable is a file system whose folder bad cannot be listed.
type unlistable struct {
	fstest.MapFS
	bad string
}

func (u unlistable) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == u.bad {
		return nil, &fs.PathError{Op: "readdirent", Path: name, Err: fs.ErrPermission}
	}
	return u.MapFS.ReadDir(name)
}

// TestDiscoveryUnreadableFolder checks that a folder that cannot be listed
// is a problem of discovery, in its place, and that the rest is found.
func TestDiscoveryUnreadableFolder(t *testing.T) {
	fsys := unlistable{MapFS: fstest.MapFS{
		"a/Dockerfile": {Data: []byte("FROM a\n")},
		"b/Dockerfile": {Data: []byte("FROM a\n")},
		"c/Dockerfile": {Data: []byte("FROM a\n")},
	}, bad: "b"}
	dc := newDirCache(fsys)
	got, problems := discover(dc, []string{"."}, dc.prefetch([]string{"."}, 2), &Config{})
	var paths []string
	for _, tg := range got {
		paths = append(paths, tg.path)
	}
	if diff := cmp.Diff([]string{"a/Dockerfile", "c/Dockerfile"}, paths); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	want := []Problem{{Path: "b", Level: checks.Warning, Message: "cannot read b: permission denied", Unread: true}}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// countedFile is a file of content whose reads are counted, whose stat
// says size.
type countedFile struct {
	content []byte
	size    int64
	reads   int
}

func (f *countedFile) Stat() (fs.FileInfo, error) { return nil, fs.ErrInvalid }
func (f *countedFile) Close() error               { return nil }
func (f *countedFile) Read(p []byte) (int, error) {
	f.reads++
	if len(f.content) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.content)
	f.content = f.content[n:]
	return n, nil
}

// TestReadAllStopsAtStatSize checks that readAll reads a file whose stat
// size it was given in one read, and that a file that is not the size its
// stat said, or larger than the limit, is read as it is.
func TestReadAllStopsAtStatSize(t *testing.T) {
	for _, tt := range []struct {
		content     string
		size, limit int64
		want        string
		reads       int
	}{
		{"FROM a\n", 7, 100, "FROM a\n", 1},
		{"FROM a\nRUN b\n", 7, 100, "FROM a\nRUN b\n", 3}, // grew since the stat
		{"FROM", 7, 100, "FROM", 2},                       // shrank
		{"", 0, 100, "", 1},
		{"FROM a\n", 0, 100, "FROM a\n", 3}, // a size of 0 says nothing (procfs)
		{"FROM a\n", -1, 100, "FROM a\n", 2},
		{"FROM a\n", 7, 4, "FROM ", 1}, // over the limit: one byte more to see it
	} {
		f := &countedFile{content: []byte(tt.content), size: tt.size}
		got, err := readAll(f, tt.size, tt.limit)
		if err != nil || string(got) != tt.want || f.reads != tt.reads {
			t.Errorf("readAll(%q, size %d, limit %d) = %q, %v in %d reads, want %q in %d", tt.content, tt.size, tt.limit, got, err, f.reads, tt.want, tt.reads)
		}
	}
}

// TestClassifyCase checks that classify reads names whatever their case,
// short or long, ASCII or not, as it reads them lower-cased.
func TestClassifyCase(t *testing.T) {
	for _, name := range []string{
		"Dockerfile", "DOCKERFILE", "dockerfile", "Containerfile", "App.Dockerfile", "Dockerfile.Dev", "Dockerfile.MD",
		"API.DOCKERIGNORE", ".dockerignore", "README.md", "Dockerfile." + strings.Repeat("X", 40), strings.Repeat("Y", 40) + ".Dockerfile",
		"Ünïcode.Dockerfile", "DOCKERFILE.\u212aEY", "x", "",
	} {
		want := classify(strings.ToLower(name))
		if got := classify(name); got != want {
			t.Errorf("classify(%q) = %v, lower-cased %v", name, got, want)
		}
	}
	if classify("Dockerfile") != dockerfileKind || classify("API.DOCKERIGNORE") != ignoreKind || classify("Dockerfile.MD") != 0 {
		t.Error("classify does not read upper case")
	}
}

// TestHasComposeName checks the flag composeFiles reads against the
// lower-cased names, for regular files only.
func TestHasComposeName(t *testing.T) {
	for _, tt := range []struct {
		name string
		mode fs.FileMode
		want bool
	}{
		{"compose.yaml", 0, true}, {"Docker-Compose.YML", 0, true}, {"COMPOSE", 0, true}, {"docker-compos", 0, false},
		{"compose.yaml", fs.ModeDir, false}, {"compose.yaml", fs.ModeSymlink, false}, {"Dockerfile", 0, false},
		{"\u212aompose.yaml", 0, false}, {"docker-\u212aompose", 0, false}, {"doc\u212aer-compose.yml", 0, true}, {"", 0, false},
	} {
		l := packListing(".", 1, func(int) (string, fs.FileMode) { return tt.name, tt.mode })
		want := tt.mode.IsRegular() && (strings.HasPrefix(strings.ToLower(tt.name), "compose") || strings.HasPrefix(strings.ToLower(tt.name), "docker-compose"))
		if got := l.hasComposeName(); got != want || got != tt.want {
			t.Errorf("hasComposeName(%q, %v) = %v, want %v", tt.name, tt.mode, got, want)
		}
	}
}
