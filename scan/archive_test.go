package scan

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stowaway-dev/stowaway/checks"
)

func tarGz(t *testing.T, n int, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	add := func(name, body string) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i+1 < len(files); i += 2 {
		add(files[i], files[i+1])
	}
	for i := range n {
		add(fmt.Sprintf("filler/%05d.txt", i), "x\n")
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestUnpackProblems checks that an archive ADD unpacks but that cannot be
// read whole is a warning naming it, never a silent pass, and that what
// was read before still counts.
func TestUnpackProblems(t *testing.T) {
	const env = "DATABASE_PASSWORD=Xk9FAKEvalue7Qm2pLw\n"
	whole := tarGz(t, 0, ".env", env, "app/big.txt", strings.Repeat("lorem ipsum ", 4000))
	tests := []struct {
		name     string
		archive  []byte
		problem  string // "" for none
		findings int
	}{
		{"whole", whole, "", 1},
		{"truncated", whole[:len(whole)/2], "config.tar.gz, which ADD unpacks, cannot be read to its end", 1},
		{"too many entries", tarGz(t, defaultArchiveLimits.entries, ".env", env), fmt.Sprintf("holds more than %d entries", defaultArchiveLimits.entries), 1},
		{"zstd", append([]byte{0x28, 0xb5, 0x2f, 0xfd}, make([]byte, 64)...), "zstd archive that ADD unpacks", 0},
		{"not an archive", []byte("plain text\n"), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"Dockerfile":    {Data: []byte("FROM alpine:3.20\nADD config.tar.gz /etc/app/\n")},
				"config.tar.gz": {Data: tt.archive},
			}
			res, err := Scan(context.Background(), fsys, []string{"."}, Options{Rules: []*checks.Rule{checks.ContextSecretShipped}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range res.Problems {
				got = append(got, p.Message)
				if p.Level != checks.Warning || p.Path != "config.tar.gz" {
					t.Errorf("problem %q at %s, level %v; want a warning on config.tar.gz", p.Message, p.Path, p.Level)
				}
			}
			switch {
			case tt.problem == "" && len(got) > 0:
				t.Errorf("problems %q, want none", got)
			case tt.problem != "" && (len(got) != 1 || !strings.Contains(got[0], tt.problem)):
				t.Errorf("problems %q, want one holding %q", got, tt.problem)
			}
			if len(res.Findings) != tt.findings {
				t.Errorf("%d findings, want %d: %+v", len(res.Findings), tt.findings, res.Findings)
			}
		})
	}
}

// TestUnpackByteBound checks the bound on the bytes an archive unpacks to,
// content skipped between headers included.
func TestUnpackByteBound(t *testing.T) {
	archive := tarGz(t, 0, "big.bin", strings.Repeat("\x00", 64<<10), ".env", "DATABASE_PASSWORD=Xk9FAKEvalue7Qm2pLw\n")
	e := &engine{dc: newDirCache(fstest.MapFS{"config.tar.gz": {Data: archive}}), limits: DefaultContextLimits}
	var probs archiveProblems
	var seen []string
	ok := e.unpack(".", nil, &probs, archiveLimits{entries: 10, bytes: 32 << 10}, "config.tar.gz", func(name string, _ func() ([]byte, bool)) bool {
		seen = append(seen, name)
		return true
	})
	if !ok {
		t.Fatal("not taken for an archive")
	}
	if got := probs.all(); len(got) != 1 || !strings.Contains(got[0].Message, "unpacks to more than 32768 bytes") {
		t.Errorf("problems %+v, want the byte bound", got)
	}
	if len(seen) != 1 || seen[0] != "big.bin" {
		t.Errorf("visited %q, want only big.bin before the bound", seen)
	}
}
