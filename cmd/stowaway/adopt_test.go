package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scanDir runs the command in-process over a folder of files it writes.
func scanDir(t *testing.T, files map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	args = append(args, dir)
	code = run(context.Background(), args, func(string) string { return "" }, &out, &errb, nil)
	return out.String(), errb.String(), code
}

// A name alone is a secret-arg warning; BuildKit's `check=error=true`
// makes it fail the build, and the scan at the default --fail-on.
func TestCheckErrorDirective(t *testing.T) {
	const body = "FROM alpine\nARG GITHUB_TOKEN\nRUN echo build\n"
	for _, tc := range []struct {
		name, head, level string
		code              int
	}{
		{"without", "", "warning", exitOK},
		{"error=true", "# check=error=true\n", "error", exitFindings},
		{"error=false", "# check=error=false\n", "warning", exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := scanDir(t, map[string]string{"Dockerfile": tc.head + body}, "scan", "--format", "github")
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if want := "::" + tc.level + " "; !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
				t.Errorf("want one %s annotation, got:\n%s", tc.level, out)
			}
		})
	}
}
