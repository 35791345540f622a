package saferoot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRootOpenDoesNotHangOnAPipe checks that opening a named pipe returns
// instead of waiting for a writer.
func TestRootOpenDoesNotHangOnAPipe(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "Dockerfile"), 0o644); err != nil {
		t.Skipf("named pipes: %v", err)
	}
	root, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		if f, err := root.FS().Open("Dockerfile"); err == nil {
			f.Close()
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Open of a named pipe blocked")
	}
}

// TestListDirPacked checks ListDir against os.ReadDir on a folder whose
// entries take several reads of the kernel's records, with names that are
// not UTF-8, and that the scratch buffers it reuses leave nothing of one
// folder in the next.
func TestListDirPacked(t *testing.T) {
	dir := t.TempDir()
	for i := range 400 {
		name := fmt.Sprintf("entry-%03d-%s", i, strings.Repeat("x", i%40))
		if i%7 == 0 {
			name += "\xff\xfe" // bytes, not UTF-8
		}
		if i%5 == 0 {
			if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "small"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "small", "only"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	osEntries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	root, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	lister, ok := root.FS().(Lister)
	if !ok {
		t.Skip("openat2 unavailable")
	}
	for range 2 { // the second time from reused scratch buffers
		l, err := lister.ListDir(".")
		if err != nil {
			t.Fatal(err)
		}
		if l.Len() != len(osEntries) {
			t.Fatalf("ListDir gave %d entries, os.ReadDir %d", l.Len(), len(osEntries))
		}
		for i, e := range osEntries {
			if l.Name(i) != e.Name() || l.Modes[i] != e.Type() {
				t.Errorf("entry %d: %q %v, want %q %v", i, l.Name(i), l.Modes[i], e.Name(), e.Type())
			}
		}
		small, err := lister.ListDir("small")
		if err != nil || small.Len() != 1 || small.Name(0) != "only" || small.Names != "only" {
			t.Errorf("ListDir(small) = %+v, %v; want only", small, err)
		}
	}
}
