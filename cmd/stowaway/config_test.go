package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/scan/scantest"
)

const gitHead = "ref: refs/heads/main\n"

// leakyDockerfile has one secret-env error finding.
const leakyDockerfile = "FROM alpine\nENV DB_PASSWORD=correct-horse-battery-staple\n"

// TestConfigFoundAbove: a scan of a subfolder reads the repository's
// configuration, under either name, and its paths stay relative to the
// configuration's folder; the walk stops at the folder holding .git.
func TestConfigFoundAbove(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		args  []string
		code  int
		want  string // in the output
	}{
		{"yml at the repository root", map[string]string{".git/HEAD": gitHead, ".stowaway.yml": "rules: {secret-env: off}\n"}, []string{"scan"}, exitOK, "no findings"},
		{"yaml at the repository root", map[string]string{".git/HEAD": gitHead, ".stowaway.yaml": "rules: {secret-env: off}\n"}, []string{"scan"}, exitOK, "no findings"},
		{"git as a file (a worktree)", map[string]string{".git": "gitdir: elsewhere\n", ".stowaway.yml": "rules: {secret-env: off}\n"}, []string{"scan", "."}, exitOK, "no findings"},
		{"nearest wins", map[string]string{".git/HEAD": gitHead, ".stowaway.yml": "rules: {secret-env: off}\n", "svc/.stowaway.yml": "rules: {broad-copy: off}\n"}, []string{"scan"}, exitFindings, "Dockerfile:2"},
		{"not above the repository", map[string]string{"repo/.git/HEAD": gitHead, ".stowaway.yml": "rules: {secret-env: off}\n"}, []string{"scan"}, exitFindings, "Dockerfile:2"},
		{"--config wins", map[string]string{".git/HEAD": gitHead, ".stowaway.yml": "rules: {secret-env: off}\n", "other.yml": "rules: {broad-copy: off}\n"}, []string{"scan", "--config", "../other.yml"}, exitFindings, "Dockerfile:2"},
		{"allow.paths from the root", map[string]string{".git/HEAD": gitHead, ".stowaway.yml": "allow: {paths: [svc/Dockerfile]}\n"}, []string{"scan"}, exitOK, "no findings in 0 files"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			scantest.WriteFiles(t, top, tc.files)
			svc := filepath.Join(top, "svc")
			if tc.files["repo/.git/HEAD"] != "" {
				svc = filepath.Join(top, "repo", "svc")
			}
			scantest.WriteFiles(t, svc, map[string]string{"Dockerfile": leakyDockerfile})
			out, stderr, code := runIn(t, svc, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want %d and %q in the output:\n%s\nstderr: %s", code, tc.code, tc.want, out, stderr)
			}
			if strings.Contains(out, "svc/Dockerfile") {
				t.Errorf("paths are not relative to the current folder:\n%s", out)
			}
		})
	}
}

// TestConfigBothNames: .stowaway.yml and .stowaway.yaml in one folder is an
// error, not a choice.
func TestConfigBothNames(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, map[string]string{".git/HEAD": gitHead, ".stowaway.yml": "", ".stowaway.yaml": "", "Dockerfile": leakyDockerfile})
	_, stderr, code := runIn(t, dir, "scan")
	if code != exitError || !strings.Contains(stderr, "both present") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestConfigDifferentPaths: paths under two configurations are refused.
func TestConfigDifferentPaths(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteFiles(t, dir, map[string]string{".git/HEAD": gitHead, "a/.stowaway.yml": "", "a/Dockerfile": leakyDockerfile, "b/Dockerfile": leakyDockerfile})
	_, stderr, code := runIn(t, dir, "scan", "a", "b")
	if code != exitError || !strings.Contains(stderr, "different configurations") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestConfigNamesExist: a Dockerfile, folder or stage that contexts or
// targets names and that does not exist is an error at its line, not a
// silent fall back to the defaults.
func TestConfigNamesExist(t *testing.T) {
	const df = "FROM alpine AS build\nRUN true\nFROM alpine AS release\nCOPY --from=build /x /x\n"
	for _, tc := range []struct {
		name, config string
		want         []string // lines of stderr, in order; none: the scan runs
	}{
		{"all exist", "contexts:\n  svc/Dockerfile: [., svc]\ntargets:\n  svc/Dockerfile: Release\n", nil},
		{"stage typo", "targets:\n  svc/Dockerfile: [build, relase]\n", []string{`stowaway: .stowaway.yml:2: targets: svc/Dockerfile: no stage "relase" (its named stages: build, release)`}},
		{"stage on its own line", "targets:\n  svc/Dockerfile:\n    - release\n    - prod\n", []string{`stowaway: .stowaway.yml:4: targets: svc/Dockerfile: no stage "prod" (its named stages: build, release)`}},
		{"Dockerfile typos", "contexts:\n  svc/Dockerfle: .\ntargets:\n  Dockerfile: [release]\n", []string{
			"stowaway: .stowaway.yml:2: contexts: no Dockerfile svc/Dockerfle",
			"stowaway: .stowaway.yml:4: targets: no Dockerfile Dockerfile",
		}},
		{"folder typo", "contexts:\n  svc/Dockerfile:\n    - .\n    - sevrices\n", []string{"stowaway: .stowaway.yml:4: contexts: svc/Dockerfile: no folder sevrices"}},
		{"a folder is no Dockerfile", "contexts:\n  svc: .\n", []string{"stowaway: .stowaway.yml:2: contexts: no Dockerfile svc"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			scantest.WriteFiles(t, dir, map[string]string{".git/HEAD": gitHead, ".stowaway.yml": tc.config, "svc/Dockerfile": df})
			_, stderr, code := runIn(t, dir, "scan")
			if tc.want == nil {
				if code != exitOK {
					t.Errorf("exit %d; stderr: %s", code, stderr)
				}
				return
			}
			if code != exitError || stderr != strings.Join(tc.want, "\n")+"\n" {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", code, stderr, exitError, strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestConfigIntoGit: a configuration that links into .git, where
// actions/checkout keeps the job's token, is found by its name and never
// read.
func TestConfigIntoGit(t *testing.T) {
	dir := t.TempDir()
	scantest.WriteCheckout(t, dir)
	scantest.WriteFiles(t, dir, map[string]string{"svc/Dockerfile": leakyDockerfile})
	if err := os.Symlink(".git/config", filepath.Join(dir, ".stowaway.yml")); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runIn(t, filepath.Join(dir, "svc"), "scan")
	if code != exitError || !strings.Contains(stderr, "resolves into .git/, never read") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if leak := scantest.CheckoutLeak(out + stderr); leak != "" {
		t.Errorf("output holds %q of .git/config", leak)
	}
}

// TestConfigNamedAsFound: --config naming a file in the repository, in a
// folder that holds the scanned paths, reads its paths from that folder as
// when it is found; one kept elsewhere (outside the repository, or in a
// folder beside the paths) names them from the scanned tree.
func TestConfigNamedAsFound(t *testing.T) {
	top := t.TempDir()
	const cfg = "rules: {secret-env: off}\ntargets:\n  svc/Dockerfile: [release]\n"
	const outside = "rules: {secret-env: off}\ntargets:\n  Dockerfile: [release]\n"
	scantest.WriteFiles(t, top, map[string]string{
		"outside.yml":         outside,
		"repo/.git/HEAD":      gitHead,
		"repo/.stowaway.yml":  cfg,
		"repo/ci/beside.yml":  cfg,
		"repo/svc/Dockerfile": "FROM alpine AS release\nENV DB_PASSWORD=correct-horse-battery-staple\n",
	})
	svc, repo := filepath.Join(top, "repo", "svc"), filepath.Join(top, "repo")
	for _, tc := range []struct {
		name, dir string
		args      []string
	}{
		{"found", svc, []string{"scan"}},
		{"named from below", svc, []string{"scan", "--config", "../.stowaway.yml"}},
		{"named from the root", repo, []string{"scan", "--config", ".stowaway.yml", "svc"}},
		{"outside the repository", svc, []string{"scan", "--config", "../../outside.yml"}},
		{"beside the paths", repo, []string{"scan", "--config", "ci/beside.yml", "."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runIn(t, tc.dir, tc.args...)
			// targets: names exist (or exit 2) and rules: applies.
			if code != exitOK || !strings.Contains(out, "no findings in 1 file") {
				t.Errorf("exit %d, want %d with the configuration applied:\n%s\nstderr: %s", code, exitOK, out, stderr)
			}
		})
	}
	_, stderr, code := runIn(t, svc, "scan", "--config", "../nope.yml")
	if want := "stowaway: --config: open ../nope.yml: no such file or directory\n"; code != exitError || stderr != want {
		t.Errorf("missing --config: exit %d, stderr %q; want %d and %q", code, stderr, exitError, want)
	}
}
