package checks_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ulikunitz/xz"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

const (
	fakeArchiveEnv = "DATABASE_PASSWORD=Xk9FAKEvalue7Qm2pLw\n"
	fakeArchiveKey = "-----BEGIN OPENSSH PRIVATE KEY-----\n" +
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" +
		"QyNTUxOQAAACBGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRQAAAJhGQUtFRkFL\n" +
		"-----END OPENSSH PRIVATE KEY-----\n"
	fakeArchiveCert = "-----BEGIN CERTIFICATE-----\n" +
		"RkFLRUNFUlRJRklDQVRFRkFLRUNFUlRJRklDQVRFRkFLRUNFUlRJRklDQVRFRkFL\n" +
		"-----END CERTIFICATE-----\n"
)

// tarOf returns a tar archive of files, in the order given (name, content).
func tarOf(t *testing.T, files ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := 0; i+1 < len(files); i += 2 {
		if err := tw.WriteHeader(&tar.Header{Name: files[i], Mode: 0o644, Size: int64(len(files[i+1])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xzOf(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	xw, err := xz.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := xw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeCases writes case folders (folder -> file -> content) under a
// temporary folder and returns it.
func writeCases(t *testing.T, cases map[string]map[string][]byte) string {
	t.Helper()
	root := t.TempDir()
	for c, files := range cases {
		for name, b := range files {
			p := filepath.Join(root, c, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return root
}

// TestContextSecretShippedArchives builds its archives here, so that no
// compressed binary is committed for them (testdata/context-secret-shipped/
// archive-bzip2 holds the one format the standard library cannot write).
func TestContextSecretShippedArchives(t *testing.T) {
	config := gzipOf(t, tarOf(t, "./.env", fakeArchiveEnv, "./app.conf", "port = 8080\n"))
	root := writeCases(t, map[string]map[string][]byte{
		"gzip": {
			"config.tar.gz": config,
			"Dockerfile": []byte("FROM alpine:3.20\n" +
				"# want `ADD config\\.tar\\.gz /etc/app/ unpacks config\\.tar\\.gz:\\.env \\(dotenv file\\) into the image`\n" +
				"ADD config.tar.gz /etc/app/\n" +
				"# COPY never unpacks.\n" +
				"COPY config.tar.gz /etc/app/\n" +
				"# A URL is downloaded, not read.\n" +
				"ADD https://example.com/config.tar.gz /etc/app/\n"),
		},
		"xz-content-decides": {
			// Named like a text file: BuildKit unpacks by content.
			"keys.txt": xzOf(t, tarOf(t, "deploy/id_rsa", fakeArchiveKey, "deploy/id_rsa.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZBS0VGQUtF deploy@example\n")),
			"Dockerfile": []byte("FROM alpine:3.20\n" +
				"# want `ADD keys\\.txt /root/ unpacks keys\\.txt:deploy/id_rsa \\(SSH private key\\) into the image`\n" +
				"ADD keys.txt /root/\n"),
		},
		"plain-tar-builder": {
			"bundle.tar": tarOf(t, "certs/haproxy.pem", fakeArchiveKey, "certs/ca.pem", fakeArchiveCert),
			"Dockerfile": []byte("FROM alpine:3.20 AS build\n" +
				"# want `ADD bundle\\.tar /src/ unpacks bundle\\.tar:certs/haproxy\\.pem \\(file holding a private key\\) into stage \"build\", and COPY --from on line 5 ships them`\n" +
				"ADD bundle.tar /src/\n" +
				"FROM alpine:3.20\n" +
				"COPY --from=build /src/certs /etc/ssl/\n"),
		},
		"negatives": {
			// Only public material, a text file that is no archive, and an
			// archive unpacked in a stage that does not ship.
			"public.tar.gz": gzipOf(t, tarOf(t, "ca.pem", fakeArchiveCert, "id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEZBS0VGQUtF deploy@example\n")),
			"notes.tar.gz":  []byte("not an archive\n"),
			"config.tar.gz": config,
			"Dockerfile": []byte("FROM alpine:3.20 AS unused\n" +
				"ADD config.tar.gz /etc/app/\n" +
				"FROM alpine:3.20\n" +
				"ADD public.tar.gz notes.tar.gz /etc/ssl/\n"),
		},
	})
	checktest.Run(t, checks.ContextSecretShipped, root)
}
