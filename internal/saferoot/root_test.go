package saferoot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestRootMatchesOSRoot checks that the file system of Open, and its
// fallback, answer as os.Root's does: the same files and folders, the same links followed
// inside the tree, the same refusals of every way out of it.
func TestRootMatchesOSRoot(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("outside-value\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeTree(t, dir)
	links := map[string]string{
		"in-file":      "Dockerfile",
		"in-dir":       "app",
		"app/up":       "../Dockerfile",
		"abs-out":      filepath.Join(outside, "secret"),
		"rel-out":      "../" + filepath.Base(outside) + "/secret",
		"dir-out":      outside,
		"etc":          "/etc",
		"broken":       "missing",
		"app/loop":     "loop",
		"app/src/deep": "../../in-dir/src/main.go",
	}
	for link, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Skipf("symbolic links: %v", err)
		}
	}
	osRoot, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer osRoot.Close()
	root, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()

	paths := []string{".", "Dockerfile", "app", "app/.dockerignore", "app/src", "app/src/main.go",
		"in-file", "in-dir", "in-dir/src/main.go", "app/up", "abs-out", "rel-out", "dir-out", "dir-out/secret",
		"etc", "etc/passwd", "broken", "app/loop", "app/src/deep", "missing", "app/missing",
		"../x", "/etc/passwd", "app/../Dockerfile", "", "app/"}
	describe := func(fsys fs.FS, p string) map[string]string {
		out := map[string]string{}
		if b, err := fs.ReadFile(fsys, p); err != nil {
			out["read"] = errKind(err)
		} else {
			out["read"] = string(b)
		}
		if entries, err := fs.ReadDir(fsys, p); err != nil {
			out["readdir"] = errKind(err)
		} else {
			s := ""
			for _, d := range entries {
				info, err := d.Info()
				mode := "?"
				if err == nil {
					mode = info.Mode().Type().String()
				}
				s += d.Name() + ":" + d.Type().String() + ":" + mode + " "
			}
			out["readdir"] = s
		}
		if info, err := fs.Stat(fsys, p); err != nil {
			out["stat"] = errKind(err)
		} else {
			out["stat"] = info.Name() + " " + info.Mode().Type().String()
		}
		if info, err := fs.Lstat(fsys, p); err != nil {
			out["lstat"] = errKind(err)
		} else {
			out["lstat"] = info.Name() + " " + info.Mode().Type().String()
		}
		if target, err := fs.ReadLink(fsys, p); err != nil {
			out["readlink"] = errKind(err)
		} else {
			out["readlink"] = target
		}
		return out
	}
	fallback, err := OpenOS(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fallback.Close()
	for name, fsys := range map[string]fs.FS{"Open": root.FS(), "fallback": fallback.FS()} {
		for _, p := range paths {
			want, got := describe(osRoot.FS(), p), describe(fsys, p)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%q (-os.Root +%s):\n%s", p, name, diff)
			}
		}
	}
}

func TestRootFS(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir)
	if err := os.Symlink("app/src", filepath.Join(dir, "src")); err != nil {
		t.Skipf("symbolic links: %v", err)
	}
	root, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := fstest.TestFS(root.FS(), "Dockerfile", "app/.dockerignore", "app/src/main.go"); err != nil {
		t.Error(err)
	}
}

// errKind names an error by what callers test for, not by its text, which
// differs between os.Root's and openat2's ways of saying the same thing.
func errKind(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "error: not exist"
	case errors.Is(err, fs.ErrInvalid):
		return "error: invalid"
	case err != nil:
		var pe *fs.PathError
		if errors.As(err, &pe) && (pe.Err.Error() == errPathEscapes.Error()) {
			return "error: escapes"
		}
		return "error: other"
	}
	return ""
}

// writeTree writes the small tree the tests read: a Dockerfile, and an
// ignore file and a source file two folders down.
func writeTree(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "app", "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"Dockerfile": "FROM alpine\n", "app/.dockerignore": "*\n", "app/src/main.go": "package main\n"} {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
