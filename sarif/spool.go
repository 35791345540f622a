package sarif

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// spool holds the encoded results until the log around them can be
// written: in a temporary file, so that a large log does not wait in
// memory, or in memory when no file can be made.
type spool struct {
	file *os.File
	*bufio.Writer
	mem bytes.Buffer
}

// spoolBuffer is the size of the spool's writes: a monorepo's results are
// megabytes, which writes of 4 KiB take thousands of system calls to spool.
const spoolBuffer = 64 << 10

func (s *spool) open() {
	f, err := os.CreateTemp("", "stowaway-sarif-*")
	if err != nil {
		s.Writer = bufio.NewWriterSize(&s.mem, spoolBuffer)
		return
	}
	// Gone from the folder at once where the system allows it (not on
	// Windows), so that a scan that stops half-way leaves nothing behind.
	os.Remove(f.Name())
	s.file, s.Writer = f, bufio.NewWriterSize(f, spoolBuffer)
}

// copyTo writes what the spool holds to w.
func (s *spool) copyTo(w io.Writer) error {
	if err := s.Flush(); err != nil {
		return err
	}
	if s.file == nil {
		_, err := s.mem.WriteTo(w)
		return err
	}
	if _, err := s.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.file)
	return err
}

func (s *spool) close() {
	if s.file != nil {
		s.file.Close()
		os.Remove(s.file.Name())
		s.file = nil
	}
}
