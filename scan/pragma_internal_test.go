package scan

import (
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
