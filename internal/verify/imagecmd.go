package main

// The comparison with `stowaway image`, kept apart so that it can follow
// that command's contract as it lands: `stowaway image --format json
// [--dockerfile FILE] IMAGE.tar` writes the document of docs/json-schema.md,
// its findings located on Dockerfile lines when --dockerfile is given.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

type jsonReport struct {
	Version  int `json:"version"`
	Findings []struct {
		Rule       string          `json:"rule"`
		Level      string          `json:"level"`
		Path       string          `json:"path"`
		Line       int             `json:"line"`
		Message    string          `json:"message"`
		Evidence   string          `json:"evidence"`
		Suppressed json.RawMessage `json:"suppressed"`
	} `json:"findings"`
}

// ImageCommandMissing says why `stowaway image` cannot be used, or "" when
// it can.
func ImageCommandMissing(stowaway string) string {
	out, _ := exec.Command(stowaway, "image", "-h").CombinedOutput()
	if bytes.Contains(out, []byte(`unknown command "image"`)) {
		return "this stowaway has no `image` command"
	}
	if !bytes.Contains(out, []byte("-dockerfile")) {
		return "`stowaway image -h` does not list --dockerfile"
	}
	return ""
}

func runJSON(dir, bin string, args ...string) (*jsonReport, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("%s %s: %v: %s", filepath.Base(bin), args[0], err, strings.TrimSpace(stderr.String()))
	}
	var r jsonReport
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("%s %s: not the JSON report: %v", filepath.Base(bin), args[0], err)
	}
	return &r, nil
}

// CompareImageCommand runs `stowaway scan` over the case and `stowaway
// image` over its built tarball and compares them line by line: every
// unsuppressed static error on a shipped stage's line has an image finding
// on that line, and every image error on a Dockerfile line has a static
// finding (of any level, suppressed or not) there. Rules may differ: the
// image sees a value, the Dockerfile the instruction that put it there.
func CompareImageCommand(stowaway, root string, paths []string, c Case, p *Plan, tar string) ([]string, error) {
	static, err := runJSON(root, stowaway, append([]string{"scan", "--format", "json", "--fail-on", "never"}, paths...)...)
	if err != nil {
		return nil, err
	}
	image, err := runJSON(root, stowaway, "image", "--format", "json", "--fail-on", "never", "--dockerfile", c.Dockerfile, tar)
	if err != nil {
		return nil, err
	}
	return compareReports(static, image, c, p, filepath.Join(root, filepath.FromSlash(c.Dockerfile))), nil
}

// compareReports compares the two JSON documents line by line; dfAbs is the
// Dockerfile's absolute path, which `stowaway image` may report instead.
func compareReports(static, image *jsonReport, c Case, p *Plan, dfAbs string) []string {
	onDF := func(p string) bool {
		return p == c.Dockerfile || p == dfAbs || strings.HasSuffix(p, "/"+c.Dockerfile)
	}
	imageLines, staticLines := map[int]bool{}, map[int]bool{}
	for _, f := range image.Findings {
		if onDF(f.Path) && f.Line > 0 {
			imageLines[f.Line] = true
		}
	}
	for _, f := range static.Findings {
		if onDF(f.Path) {
			staticLines[f.Line] = true
		}
	}
	var out []string
	for _, f := range static.Findings {
		if !onDF(f.Path) || f.Level != "error" || string(f.Suppressed) != "null" || !p.InShipped(f.Line) || imageLines[f.Line] {
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d %s: static error, but `stowaway image` reports nothing on that line", f.Path, f.Line, f.Rule))
	}
	for _, f := range image.Findings {
		if onDF(f.Path) && f.Line > 0 && f.Level == "error" && !staticLines[f.Line] {
			out = append(out, fmt.Sprintf("%s:%d %s: `stowaway image` finds %s there, the static scan nothing", f.Path, f.Line, f.Rule, f.Evidence))
		}
	}
	return out
}
