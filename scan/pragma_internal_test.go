package scan

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// TestBuildKitDirectiveHead checks that reading the check directive from the
// file's leading comment lines finds what BuildKit finds in the whole file.
func TestBuildKitDirectiveHead(t *testing.T) {
	for _, text := range []string{
		"",
		"# check=error=true",
		"# check=error=true\nFROM alpine",
		"#!/usr/bin/env buildctl\n# check=skip=all\nFROM alpine",
		"# syntax=docker/dockerfile:1\n# check=skip=SecretsUsedInArgOrEnv;error=true\nFROM alpine\n",
		"FROM alpine\n# check=error=true\n",
		"\n# check=error=true\nFROM alpine",
		" # check=error=true\nFROM alpine",
		"# a comment\n# check=error=true\nFROM alpine",
		"# escape=`\n#\n# check=error=true\n",
		"# check=error=true\n# check=skip=all\nFROM alpine",
		"# check=nonsense\nFROM alpine",
	} {
		lines := strings.Split(text, "\n")
		got := source{lines: lines}.buildkitDirective()
		v, _, loc, ok := parser.ParseDirective("check", []byte(text))
		if !ok {
			if got != nil {
				t.Errorf("%q: directive at line %d, BuildKit reads none", text, got.line)
			}
			continue
		}
		want := 1
		if len(loc) > 0 {
			want = loc[0].Start.Line
		}
		cfg, err := linter.ParseLintOptions(v)
		if err != nil {
			if got != nil {
				t.Errorf("%q: directive read, BuildKit cannot read %q", text, v)
			}
			continue
		}
		if got == nil {
			t.Errorf("%q: no directive, BuildKit reads %q", text, v)
			continue
		}
		if got.line != want || got.cfg.ReturnAsError != cfg.ReturnAsError || got.cfg.SkipAll != cfg.SkipAll {
			t.Errorf("%q: directive at line %d %+v, BuildKit at %d %+v", text, got.line, *got.cfg, want, *cfg)
		}
	}
}

// TestBuildKitDirectivePrefilter checks mayNameCheck on random file heads:
// whenever BuildKit reads a check directive from a head, some line of it
// passes the prefilter.
func TestBuildKitDirectivePrefilter(t *testing.T) {
	pick := func(rng *rand.Rand, xs ...string) string { return xs[rng.Intn(len(xs))] }
	rng := rand.New(rand.NewSource(1))
	found := 0
	for range 50000 {
		var lines []string
		for range 1 + rng.Intn(4) {
			lines = append(lines, pick(rng, "#", "# ", "#\t", "#!", "", " #", "//")+
				pick(rng, "check", "CHECK", "Check", "cHeCk", "syntax", "escape", "chec", "xcheck", "ch\u212aeck", "")+
				pick(rng, "=", " = ", "\t=", "", " ")+
				pick(rng, "error=true", "skip=all", "docker/dockerfile:1", "", "`", " x"))
		}
		_, _, _, ok := parser.ParseDirective("check", []byte(strings.Join(lines, "\n")))
		if !ok {
			continue
		}
		found++
		passes := false
		for _, l := range lines {
			passes = passes || mayNameCheck(l)
		}
		if !passes {
			t.Fatalf("%q: BuildKit reads a check directive, the prefilter passes over it", lines)
		}
	}
	if found < 100 {
		t.Fatalf("only %d random heads held a check directive", found)
	}
}
