package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/scan"
)

// preCommitHook is a hook of .pre-commit-hooks.yaml, with the fields
// pre-commit documents for hook definitions.
type preCommitHook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Description   string `yaml:"description"`
	Entry         string `yaml:"entry"`
	Language      string `yaml:"language"`
	Files         string `yaml:"files"`
	Exclude       string `yaml:"exclude"`
	PassFilenames *bool  `yaml:"pass_filenames"`
	RequireSerial bool   `yaml:"require_serial"`
}

func readPreCommitHook(t *testing.T) preCommitHook {
	t.Helper()
	src, err := os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []preCommitHook
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(&hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 {
		t.Fatalf("got %d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	if h.ID != "stowaway" || h.Name == "" || h.Language != "golang" {
		t.Errorf("hook id %q, name %q, language %q; want id stowaway, a name, language golang (pre-commit builds it with go install ./...)", h.ID, h.Name, h.Language)
	}
	// The scan covers the repository: the Dockerfiles a staged ignore file
	// governs are not among the staged names.
	if h.PassFilenames == nil || *h.PassFilenames {
		t.Error("pass_filenames must be false")
	}
	return h
}

// TestPreCommitHookFiles holds the hook's files and exclude patterns to the
// names the scan takes for Dockerfiles and ignore files. pre-commit searches
// the staged paths with Python's re; these patterns mean the same in RE2.
func TestPreCommitHookFiles(t *testing.T) {
	h := readPreCommitHook(t)
	files, err := regexp.Compile(h.Files)
	if err != nil {
		t.Fatalf("files: %v", err)
	}
	exclude, err := regexp.Compile(h.Exclude)
	if err != nil {
		t.Fatalf("exclude: %v", err)
	}
	names := []string{
		"Dockerfile", "dockerfile", "DOCKERFILE", "svc/api/Dockerfile", "Containerfile",
		"Dockerfile.dev", "deploy/Dockerfile.prod", "Dockerfile.", "Dockerfile.md.dev",
		"app.Dockerfile", "build/web.dockerfile", "x.containerfile",
		".dockerignore", "svc/.dockerignore", "Dockerfile.dockerignore", "web.Dockerfile.dockerignore",
		"Dockerfile.json.dockerignore", "Dockerfile.yml.dockerfile",
		// Not targets.
		"Dockerfile.md", "docs/Dockerfile.dev.md", "Dockerfile.txt", "Dockerfile.sh", "Dockerfile.yaml",
		"Dockerfile.orig", "Containerfile.patch", "app.Dockerfile.md", "x.dockerignore.bak",
		"mydockerfile", "Dockerfiles", "dockerfiles/README.md", "dockerfile/main.go", "docker-compose.yml",
		"dockerignore", ".dockerignore/x", "README.md", ".github/workflows/ci.yml",
	}
	for _, name := range names {
		dockerfile, ignore := scan.TargetName(path.Base(name))
		want := dockerfile || ignore
		if got := files.MatchString(name) && !exclude.MatchString(name); got != want {
			t.Errorf("%s: hook runs %v, want %v (scan takes it as a Dockerfile %v, ignore file %v)", name, got, want, dockerfile, ignore)
		}
	}
}

// TestPreCommitHookRuns runs the hook's entry with the built binary in a
// repository whose commit stages only a .dockerignore that stops leaving
// out .env: the hook must fail on the Dockerfile the ignore file governs.
func TestPreCommitHookRuns(t *testing.T) {
	h := readPreCommitHook(t)
	entry := strings.Fields(h.Entry)
	if len(entry) == 0 || entry[0] != "stowaway" {
		t.Fatalf("entry %q does not run stowaway, the binary go install builds from cmd/stowaway", h.Entry)
	}
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hook := func() (string, int) {
		t.Helper()
		cmd := exec.Command(cliBinary(t), entry[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	write("svc/Dockerfile", "FROM alpine:3.20\nCOPY . /app\n")
	write("svc/.env", "DB_PASSWORD=s3cr3t-Zq81vLx0\n")
	write("svc/.dockerignore", "**/.env\n")
	if out, code := hook(); code != exitOK {
		t.Fatalf("before the change: exit %d, want %d\n%s", code, exitOK, out)
	}
	write("svc/.dockerignore", "node_modules\n")
	out, code := hook()
	if code != exitFindings || !strings.Contains(out, "svc/Dockerfile:2:") || !strings.Contains(out, "context-secret-shipped") {
		t.Fatalf("after the ignore file stopped leaving out .env: exit %d, want %d with context-secret-shipped on svc/Dockerfile:2\n%s", code, exitFindings, out)
	}
	if strings.Contains(out, "s3cr3t-Zq81vLx0") {
		t.Errorf("the hook's output holds the secret:\n%s", out)
	}
}
