package scan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/sarif"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// roots opens dir both ways the scan reads a tree: OpenRoot (openat2 on
// Linux) and its os.Root fallback.
func roots(t *testing.T, dir string) map[string]fs.FS {
	t.Helper()
	out := map[string]fs.FS{}
	for name, open := range map[string]func(string) (*scan.Root, error){"OpenRoot": scan.OpenRoot, "os.Root": scan.OpenOSRoot} {
		r, err := open(dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		out[name] = r.FS()
	}
	return out
}

// TestRootNeverReadsGit checks that no path that resolves into a .git
// folder is read, whatever leads there, while the folder stays listable by
// its own name and everything else reads as before.
func TestRootNeverReadsGit(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteCheckout(t, dir)
	scantest.WriteFiles(t, dir, map[string]string{"Dockerfile": "FROM alpine\n", "sub/Dockerfile": "FROM alpine\n"})
	refused := []string{".git/config", ".git/HEAD", "sub/.git", ".git/modules/sub/config", ".GIT/config"}
	for link := range scantest.GitLinks {
		refused = append(refused, link)
	}
	refused = append(refused, "gitdir/config", "gitdir/modules/sub/config")
	for name, fsys := range roots(t, dir) {
		t.Run(name, func(t *testing.T) {
			for _, p := range refused {
				b, err := fs.ReadFile(fsys, p)
				if errors.Is(err, fs.ErrNotExist) && strings.HasPrefix(p, ".GIT") {
					continue // a case-sensitive file system: another folder
				}
				if !errors.Is(err, scan.ErrIntoGit) {
					t.Errorf("ReadFile(%q) = %q, %v; want it refused", p, b, err)
				}
			}
			for _, p := range []string{"gitdir", "gitdir/modules"} {
				if _, err := fs.ReadDir(fsys, p); !errors.Is(err, scan.ErrIntoGit) {
					t.Errorf("ReadDir(%q): %v; want it refused", p, err)
				}
			}
			// .git by its own name is listed, as BuildKit sends it.
			if entries, err := fs.ReadDir(fsys, ".git"); err != nil || len(entries) != 3 {
				t.Errorf("ReadDir(.git) = %v, %v", entries, err)
			}
			for _, p := range []string{"Dockerfile", "sub/Dockerfile"} {
				if _, err := fs.ReadFile(fsys, p); err != nil {
					t.Errorf("ReadFile(%q): %v", p, err)
				}
			}
			// The metadata of a link stays known: discovery finds the file
			// and says why it was not read.
			if info, err := fs.Stat(fsys, "app/Dockerfile"); err != nil || !info.Mode().IsRegular() {
				t.Errorf("Stat(app/Dockerfile) = %v, %v", info, err)
			}
		})
	}
}

// TestScanNeverReadsGit scans a tree whose pull request points files the
// scan reads into .git: each is a problem that says so, and no output
// holds the checkout's token.
func TestScanNeverReadsGit(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteCheckout(t, dir)
	scantest.WriteFiles(t, dir, map[string]string{
		"Dockerfile":     "FROM alpine\nCOPY . /app\n",
		"ctx/Dockerfile": "FROM alpine\nCOPY . /app\n",
		".stowaway.yml":  "contexts:\n  ctx/Dockerfile: [gitdir]\n",
		".git/.env":      "API_TOKEN=" + plantedGitHub + "\n",
	})
	if err := os.Symlink(".git/config", filepath.Join(dir, ".dockerignore")); err != nil {
		t.Fatal(err)
	}
	for name, fsys := range roots(t, dir) {
		t.Run(name, func(t *testing.T) {
			res, err := scan.Scan(context.Background(), fsys, []string{"."}, scan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{".dockerignore", "api/Dockerfile", "app/.dockerignore", "app/Dockerfile", "Dockerfile.git",
				"mod/Dockerfile", "web/.dockerignore", "wt/Dockerfile", "gitdir"}
			for _, p := range want {
				n := 0
				for _, pr := range res.Problems {
					if pr.Path == p && strings.Contains(pr.Message, "resolves into .git/") {
						n++
					}
				}
				// Once, though the root's ignore file is a target and
				// governs the root Dockerfile's context.
				if n != 1 {
					t.Errorf("%d problems say that %s resolves into .git/, want 1; problems: %+v", n, p, res.Problems)
				}
			}
			// The context that a link leads into .git is not walked: its
			// files are not the context's.
			for _, c := range res.Contexts {
				if c.Dir == "gitdir" && len(c.Secrets) > 0 {
					t.Errorf("context gitdir of %s sends %+v", c.Dockerfile, c.Secrets)
				}
			}
			out := outputs(t, res)
			if leak := scantest.CheckoutLeak(out); leak != "" {
				t.Errorf("an output holds %q of .git/config", leak)
			}
			if strings.Contains(out, plantedGitHub) {
				t.Error("an output holds the token of .git/.env")
			}
		})
	}
}

// outputs writes res in every format.
func outputs(t testing.TB, res *scan.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := sarif.Write(&b, res, sarif.Options{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, w := range []func() error{
		func() error { return report.JSON(&b, res) },
		func() error { return report.Text(&b, res, report.TextOptions{}) },
		func() error { return report.GitHub(&b, res) },
	} {
		if err := w(); err != nil {
			t.Fatal(err)
		}
	}
	// The fields as they are, before any writer escapes them.
	for _, f := range res.Findings {
		fmt.Fprintf(&b, "%+v\n", f)
	}
	for _, p := range res.Problems {
		fmt.Fprintln(&b, p.Message)
	}
	return b.String()
}

// TestScanNonUTF8Names checks that names that are not UTF-8 are read: a
// Dockerfile in such a folder is scanned, and a secret file in one is
// found in the build context that sends it.
func TestScanNonUTF8Names(t *testing.T) {
	dir := t.TempDir()
	bad := "\xff\xfe"
	if err := os.Mkdir(filepath.Join(dir, bad), 0o755); err != nil {
		t.Skipf("a name that is not UTF-8: %v", err)
	}
	scantest.WriteFiles(t, dir, map[string]string{
		"Dockerfile":           "FROM alpine\nCOPY . /app\n",
		bad + "/.env":          "DB_PASSWORD=Zq81vLx0-s3cr3t-fuzz\n",
		bad + "/Dockerfile":    "FROM alpine\nENV GITHUB_TOKEN=" + plantedGitHub + "\n",
		"conf/k\xe9y/id_rsa":   "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n",
		"conf/\xe9.dockerfile": "FROM alpine\n",
	})
	for name, fsys := range roots(t, dir) {
		t.Run(name, func(t *testing.T) {
			res, err := scan.Scan(context.Background(), fsys, []string{"."}, scan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range res.Problems {
				t.Errorf("problem: %s: %s", p.Path, p.Message)
			}
			for _, f := range []string{bad + "/Dockerfile", "conf/\xe9.dockerfile"} {
				if !slices.Contains(res.Files, f) {
					t.Errorf("%q not scanned; files: %q", f, res.Files)
				}
			}
			if !slices.ContainsFunc(res.Findings, func(f scan.Finding) bool {
				return f.Path == bad+"/Dockerfile" && f.Level == checks.Error
			}) {
				t.Errorf("no error on %q", bad+"/Dockerfile")
			}
			var root *scan.BuildContext
			for i, c := range res.Contexts {
				if c.Dockerfile == "Dockerfile" {
					root = &res.Contexts[i]
				}
			}
			if root == nil {
				t.Fatalf("no context for Dockerfile: %+v", res.Contexts)
			}
			for _, p := range []string{bad + "/.env", "conf/k\xe9y/id_rsa"} {
				if len(root.ShippedBy(p)) == 0 {
					t.Errorf("%q not shipped by Dockerfile; secrets %+v", p, root.Secrets)
				}
			}
			if !slices.ContainsFunc(res.Findings, func(f scan.Finding) bool {
				return f.Path == "Dockerfile" && f.Level == checks.Error && strings.Contains(f.Message, ".env")
			}) {
				t.Errorf("no error on Dockerfile for the .env: %+v", res.Findings)
			}
		})
	}
}

// TestRootThroughLinkReadsLinks opens the root through a link to it: links
// inside the tree still read, and those into .git are still refused.
func TestRootThroughLinkReadsLinks(t *testing.T) {
	real := t.TempDir()
	scantest.WriteCheckout(t, real)
	scantest.WriteFiles(t, real, map[string]string{"src/Dockerfile": "FROM alpine\n"})
	if err := os.Symlink("src/Dockerfile", filepath.Join(real, "Dockerfile")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "repo")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	for name, fsys := range roots(t, link) {
		t.Run(name, func(t *testing.T) {
			if b, err := fs.ReadFile(fsys, "Dockerfile"); err != nil || string(b) != "FROM alpine\n" {
				t.Errorf("ReadFile(Dockerfile) = %q, %v", b, err)
			}
			if _, err := fs.ReadFile(fsys, "app/Dockerfile"); !errors.Is(err, scan.ErrIntoGit) {
				t.Errorf("ReadFile(app/Dockerfile): %v; want it refused", err)
			}
		})
	}
}
