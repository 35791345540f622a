package scantest

import (
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The job token as actions/checkout leaves it with its default
// persist-credentials: an http.extraheader line of .git/config, the token
// base64-encoded after "x-access-token:". Fake, in the real shape; split so
// that secret scanners reading this file see none.
var (
	CheckoutToken  = "gh" + "s_" + "FakeCheckoutTokenNotReal0123456789ab"
	CheckoutHeader = base64.StdEncoding.EncodeToString([]byte("x-access-token:" + CheckoutToken))
	CheckoutLine   = "extraheader = AUTHORIZATION: basic " + CheckoutHeader
)

// GitLinks are symbolic links that a pull request can add, each resolving
// into .git inside the tree: from a Dockerfile or an ignore file that the
// scan reads, through "..", a linked folder, a chain of links, a
// submodule's git folder and its .git file. WriteCheckout makes sub/ and
// the targets.
var GitLinks = map[string]string{
	"app/.dockerignore": "../.git/config",
	"app/Dockerfile":    "../sub/../.git/config",
	"gitdir":            ".git",
	"web/.dockerignore": "../gitdir/config",
	"hop2":              ".git/config",
	"hop1":              "hop2",
	"api/Dockerfile":    "../hop1",
	"mod/Dockerfile":    "../.git/modules/sub/config",
	"wt/Dockerfile":     "../sub/.git",
	"cfg/.env":          "../.git/config",
	"Dockerfile.git":    ".git/config",
}

// WriteCheckout writes into dir a .git folder as actions/checkout leaves
// it (its config holding CheckoutLine), a submodule sub whose git folder
// is .git/modules/sub, and GitLinks. It skips the test where links cannot
// be made.
func WriteCheckout(t testing.TB, dir string) {
	t.Helper()
	config := "[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = https://github.com/octo/app\n" +
		"[http \"https://github.com/\"]\n\t" + CheckoutLine + "\n"
	files := map[string]string{
		".git/config":             config,
		".git/HEAD":               "ref: refs/heads/main\n",
		".git/modules/sub/config": config,
		"sub/.git":                "gitdir: ../.git/modules/sub\n",
	}
	WriteFiles(t, dir, files)
	for link, target := range GitLinks {
		p := filepath.Join(dir, filepath.FromSlash(link))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Skipf("symbolic links: %v", err)
		}
	}
}

// CheckoutLeak returns what out holds of the checkout's credentials (the
// token, its header, the config line), "" when nothing.
func CheckoutLeak(out string) string {
	for _, s := range []string{CheckoutToken, CheckoutHeader, "extraheader", CheckoutToken[4:20], CheckoutHeader[8:30]} {
		if strings.Contains(out, s) {
			return s
		}
	}
	return ""
}

// WriteFiles writes files (slash path -> content) into dir, making their
// folders.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ReadFiles reads the files below dir as slash path -> content, WriteFiles'
// inverse; flat reads dir's own files only, not its sub-folders'.
func ReadFiles(t testing.TB, dir string, flat bool) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if flat && p != dir {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
