package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestVersion checks both ways the version is set: at link time, as the
// release workflow builds the binaries and the image, and otherwise "dev"
// (a test binary records no module version). -trimpath, which the release
// adds, is left out: it would compile every package again, uncached.
func TestVersion(t *testing.T) {
	var out bytes.Buffer
	for _, arg := range []string{"version", "--version", "-v"} {
		out.Reset()
		if code := run(context.Background(), []string{arg}, os.Getenv, &out, &out); code != exitOK || out.String() != "stowaway dev\n" {
			t.Errorf("stowaway %s: exit %d, %q; want 0, \"stowaway dev\\n\"", arg, code, out.String())
		}
	}
	b, err := exec.Command(cliBinary(t), "version").Output()
	if want := "stowaway " + linkedVersion + "\n"; err != nil || string(b) != want {
		t.Errorf("built with -X main.version=%s: %q, %v; want %q", linkedVersion, b, err, want)
	}
}

func readYAML(t *testing.T, name string) map[string]any {
	t.Helper()
	src, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(src, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestReleaseActionYML runs the script the release workflow rewrites
// action.yml with: the release's action.yml runs the pushed image and keeps
// everything else, every input and output with its default.
func TestReleaseActionYML(t *testing.T) {
	script := filepath.Join("..", "..", "scripts", "release-action-yml")
	ref := "docker://ghcr.io/stowaway-dev/stowaway:1.2.3@sha256:" + strings.Repeat("0123456789abcdef", 4)
	file := filepath.Join(t.TempDir(), "action.yml")
	src, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(script, ref, file).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", script, err, b)
	}
	want, got := readYAML(t, filepath.Join("..", "..", "action.yml")), readYAML(t, file)
	runs, _ := want["runs"].(map[string]any)
	if runs["using"] != "docker" || runs["image"] != "Dockerfile" {
		t.Fatalf("main's action.yml runs %v, want a docker action built from the Dockerfile", runs)
	}
	if inputs, _ := want["inputs"].(map[string]any); len(inputs) == 0 {
		t.Fatal("action.yml has no inputs")
	}
	runs["image"] = ref
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the release's action.yml differs from main's by more than runs.image (-want +got):\n%s", diff)
	}

	// What the script refuses: a reference without a digest (a tag can be
	// moved), one that is not docker://, no reference, and an action.yml
	// already rewritten.
	for _, args := range [][]string{
		{"docker://ghcr.io/stowaway-dev/stowaway:1.2.3", file},
		{"ghcr.io/stowaway-dev/stowaway@sha256:" + strings.Repeat("ab", 32), file},
		{"docker://ghcr.io/Stowaway-Dev/stowaway@sha256:" + strings.Repeat("ab", 32), file},
		{},
		{ref, file},
	} {
		if b, err := exec.Command(script, args...).CombinedOutput(); err == nil {
			t.Errorf("%s %q: succeeded, want a refusal\n%s", script, args, b)
		}
	}
}

// TestReadmeInstall keeps the README's install commands in step with what
// the release publishes and the module path.
func TestReadmeInstall(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	workflow, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	module, _, _ := strings.Cut(strings.TrimPrefix(string(gomod), "module "), "\n")
	repo := strings.TrimPrefix(module, "github.com/")
	for _, s := range []string{
		"go install " + module + "/cmd/stowaway@latest",
		"https://github.com/" + repo + "/releases/download/v$v",
		`"$base/stowaway_${v}_${os}_${arch}"`,
		"checksums.txt",
		"docker run --rm -v \"$PWD:/src\" -w /src ghcr.io/" + strings.ToLower(repo) + ":",
		"- repo: https://github.com/" + repo,
		"- id: stowaway",
	} {
		if !bytes.Contains(readme, []byte(s)) {
			t.Errorf("README lacks %q", s)
		}
	}
	// The names the README downloads are those the workflow builds.
	for _, s := range []string{`-o "dist/stowaway_${VERSION#v}_${goos}_${goarch}${ext}"`, "sha256sum stowaway_* > checksums.txt"} {
		if !bytes.Contains(workflow, []byte(s)) {
			t.Errorf("release.yml lacks %q", s)
		}
	}
}
