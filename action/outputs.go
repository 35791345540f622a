package action

// The outputs phase: the SARIF log in the workspace, the annotations and
// the step's outputs.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/sarif"
	"github.com/stowaway-dev/stowaway/scan"
)

// writeSARIF writes the log of the whole scan: code scanning compares it
// with the base branch's analysis, and a partial one would mark every
// other alert fixed. One category per scanned path, so that runs over
// different folders of a monorepo do not replace each other's analysis.
func (a *actionRun) writeSARIF() {
	category := "stowaway"
	if a.in.path != "." {
		category += "/" + a.in.path
	}
	var log bytes.Buffer
	if err := sarif.Write(&log, a.res, sarif.Options{Version: a.version, Category: category, Baseline: a.known}); err != nil {
		a.failure(fmt.Sprintf("Stowaway could not build the SARIF log: %v.", err))
		return
	}
	a.sarifLog = log.Bytes()
	written, err := writeSARIF(a.root, a.in.sarifFile, a.sarifLog)
	a.sarifPath = written
	switch {
	case err != nil && written != "":
		a.failure(fmt.Sprintf("%v: the SARIF log is in `%s` instead, which the sarif-file output names.", err, written))
	case err != nil:
		a.failure(fmt.Sprintf("No SARIF file was written: %v.", err))
	}
}

// report writes the annotations and sets the outputs.
func (a *actionRun) report() {
	counts := countFindings(a.scoped)
	fmt.Fprintf(a.stdout, "Stowaway scanned %d files: %s in %s.\n", len(a.res.Files), counts, actionlog.Line(strings.Trim(a.scope, "`")))
	scoped := *a.res
	scoped.Findings = a.scoped
	if err := report.GitHub(a.stdout, &scoped); err != nil {
		a.failure(fmt.Sprintf("Stowaway could not write its annotations: %v.", err))
	}
	a.safely("the outputs", func() {
		a.setOutput("sarif-file", a.sarifPath)
		a.setOutput("findings", strconv.Itoa(counts.total))
		a.setOutput("errors", strconv.Itoa(counts.errors))
		a.setOutput("warnings", strconv.Itoa(counts.warnings))
	})
}

func (a *actionRun) setOutput(name, value string) {
	if a.getenv("GITHUB_OUTPUT") != "" {
		a.gha.SetOutput(name, value)
	}
}

// writeSARIF writes the log to name and returns the path it wrote. Inside
// the workspace it writes through root, so that a symlink committed in the
// pull request cannot send it out (to the runner's output files, say), and
// never through a symlink or over a folder that the pull request committed
// under that name: then the log goes to name-2.sarif (or -3 … -9), and the
// error says why; an absolute name is the workflow's choice.
func writeSARIF(root *os.Root, name string, log []byte) (written string, err error) {
	if filepath.IsAbs(name) {
		if fi, err := os.Lstat(name); err == nil && !fi.Mode().IsRegular() {
			return "", fmt.Errorf("%s exists and is not a regular file", name)
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(name, log, 0o644); err != nil {
			return "", err
		}
		return name, nil
	}
	rel, err := workspacePath("sarif-file", name)
	if err != nil {
		return "", err
	}
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
	}
	first := writeRegular(root, rel, log)
	if first == nil || !errors.Is(first, errNotRegular) {
		if first != nil {
			return "", first
		}
		return rel, nil
	}
	ext := path.Ext(rel)
	for n := 2; n <= 9; n++ {
		alt := fmt.Sprintf("%s-%d%s", strings.TrimSuffix(rel, ext), n, ext)
		if err := writeRegular(root, alt, log); err == nil {
			return alt, first
		} else if !errors.Is(err, errNotRegular) {
			return "", fmt.Errorf("%w; writing %s instead: %v", first, alt, err)
		}
	}
	return "", first
}

var errNotRegular = errors.New("not a regular file")

// writeRegular writes a file of the workspace unless something other than
// a regular file is in its place.
func writeRegular(root *os.Root, rel string, data []byte) error {
	if fi, err := root.Lstat(rel); err == nil && !fi.Mode().IsRegular() {
		what := "a folder"
		if fi.Mode()&fs.ModeSymlink != 0 {
			what = "a symlink"
		} else if !fi.IsDir() {
			what = "a special file"
		}
		return fmt.Errorf("`%s` in the workspace is %s (%w)", rel, what, errNotRegular)
	}
	return root.WriteFile(rel, data, 0o644)
}

type findingCounts struct {
	total, errors, warnings, notes int
}

func countFindings(fs []scan.Finding) findingCounts {
	var c findingCounts
	for _, f := range fs {
		if f.Suppressed != nil {
			continue
		}
		c.total++
		switch f.LevelOrDefault(nil) {
		case checks.Error:
			c.errors++
		case checks.Warning:
			c.warnings++
		default:
			c.notes++
		}
	}
	return c
}

// incomplete reports a file that a bound kept from being fully analysed,
// at or above the threshold: what it would have found is unknown.
func incomplete(ps []scan.Problem, threshold checks.Level) bool {
	for _, p := range ps {
		if p.Incomplete && p.Level >= threshold {
			return true
		}
	}
	return false
}

func (c findingCounts) atLeast(l checks.Level) int {
	n := c.errors
	if l <= checks.Warning {
		n += c.warnings
	}
	if l <= checks.Note {
		n += c.notes
	}
	return n
}

func (c findingCounts) String() string {
	if c.total == 0 {
		return "no findings"
	}
	return fmt.Sprintf("%d findings (%d errors, %d warnings, %d notes)", c.total, c.errors, c.warnings, c.notes)
}
