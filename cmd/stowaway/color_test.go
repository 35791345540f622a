package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestColorFlags: --color and --no-color through run. Standard output and
// error here are buffers or /dev/null, never a terminal, so auto is plain.
func TestColorFlags(t *testing.T) {
	const leaky = "../../testdata/examples/node-leaky"
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	if isTerminal(devNull) {
		t.Errorf("%s taken for a terminal", os.DevNull)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		noColor string // NO_COLOR
		color   bool
	}{
		{"auto, not a terminal", nil, "", false},
		{"always", []string{"--color=always"}, "", true},
		{"always beats NO_COLOR", []string{"--color", "always"}, "1", true},
		{"never", []string{"--color=never"}, "", false},
		{"no-color beats always", []string{"--color=always", "--no-color"}, "", false},
		{"no-color after the path", []string{leaky, "--no-color"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"scan"}, tc.args...)
			if !strings.Contains(strings.Join(args, " "), leaky) {
				args = append(args, leaky)
			}
			var out, errb bytes.Buffer
			getenv := func(k string) string {
				if k == "NO_COLOR" {
					return tc.noColor
				}
				return ""
			}
			if code := run(context.Background(), args, getenv, &out, &errb); code != exitFindings {
				t.Fatalf("exit %d; stderr %s", code, errb.String())
			}
			if got := strings.Contains(out.String(), "\x1b["); got != tc.color {
				t.Errorf("coloured %v, want %v:\n%s", got, tc.color, out.String())
			}
		})
	}

	// A report file gets colours only when asked; the summary on standard
	// error follows the same flag.
	for _, tc := range []struct {
		args  []string
		color bool
	}{
		{[]string{"--format", "text"}, false},
		{[]string{"--format", "text", "--color=always"}, true},
		{[]string{"--format", "json", "--color=always"}, true},
	} {
		file := filepath.Join(t.TempDir(), "report")
		var out, errb bytes.Buffer
		args := append(append([]string{"scan", "--output", file}, tc.args...), leaky)
		run(context.Background(), args, func(string) string { return "" }, &out, &errb)
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text := string(body)
		if tc.args[1] == "json" {
			text = errb.String()
			if strings.Contains(string(body), "\x1b[") {
				t.Errorf("%v: the JSON report holds colours", tc.args)
			}
		}
		if got := strings.Contains(text, "\x1b["); got != tc.color {
			t.Errorf("%v: coloured %v, want %v", tc.args, got, tc.color)
		}
	}

	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"image", "--color=sometimes", "x.tar"}, func(string) string { return "" }, &out, &errb); code != exitError || !strings.Contains(errb.String(), "want always, never or auto") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}
