package scan

import (
	"bytes"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// WithFile returns fsys with one more regular file, name (a slash path
// whose folder is in fsys), holding content: a Dockerfile read from
// standard input is scanned as if it were there, next to that folder's
// ignore file and inside its build context. A file already at name is
// hidden by it.
func WithFile(fsys fs.FS, name string, content []byte) fs.FS {
	return &overlayFS{FS: fsys, name: path.Clean(name), content: content}
}

type overlayFS struct {
	fs.FS
	name    string
	content []byte
}

func (o *overlayFS) Open(name string) (fs.File, error) {
	if name == o.name {
		return &memFile{Reader: bytes.NewReader(o.content), info: o.info()}, nil
	}
	return o.FS.Open(name)
}

func (o *overlayFS) Stat(name string) (fs.FileInfo, error) {
	if name == o.name {
		return o.info(), nil
	}
	return fs.Stat(o.FS, name)
}

func (o *overlayFS) Lstat(name string) (fs.FileInfo, error) {
	if name == o.name {
		return o.info(), nil
	}
	return fs.Lstat(o.FS, name)
}

func (o *overlayFS) ReadLink(name string) (string, error) {
	if name == o.name {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return fs.ReadLink(o.FS, name)
}

// ReadDir lists the folder with the file in place of any entry of its name.
func (o *overlayFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(o.FS, name)
	if err != nil || name != path.Dir(o.name) {
		return entries, err
	}
	base := path.Base(o.name)
	entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == base })
	i, _ := slices.BinarySearchFunc(entries, base, func(e fs.DirEntry, n string) int { return strings.Compare(e.Name(), n) })
	return slices.Insert(entries, i, fs.FileInfoToDirEntry(o.info())), nil
}

func (o *overlayFS) info() fs.FileInfo {
	return memInfo{name: path.Base(o.name), size: int64(len(o.content))}
}

var _ interface {
	fs.ReadDirFS
	fs.StatFS
	fs.ReadLinkFS
} = (*overlayFS)(nil)

type memFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
