package saferoot

import (
	"path/filepath"
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
