package report

import (
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// Writer is a report written as a scan goes: a scan.Sink that writes each
// finding when it comes and the problems and summary at the end. NewText,
// NewJSON, NewGitHub, NewCheckstyle and NewGitLab make one per format;
// Text, JSON, GitHub, Checkstyle and GitLab write a whole Result with one.
type Writer struct {
	rules []*checks.Rule
	tally counts
	// paths are those of the findings that are not suppressed, one for
	// each run of findings on a path: each path once while they come
	// sorted, as a scan's do. files holds them once they do not.
	paths   []string
	files   map[string]bool
	begin   func() // optional
	finding func(f *scan.Finding, level checks.Level) error
	end     func(rest *scan.Result, c counts) error
}

// Begin starts the report.
func (w *Writer) Begin(head *scan.Result) error {
	w.rules, w.paths, w.files = head.Rules, nil, nil
	if w.begin != nil {
		w.begin()
	}
	return nil
}

// Finding writes f, and counts it for the summary.
func (w *Writer) Finding(f scan.Finding) error {
	lvl := f.LevelOrDefault(w.rules)
	if f.Suppressed != nil {
		w.tally.Suppressed++
	} else {
		w.count(f.Path)
		switch lvl {
		case checks.Error:
			w.tally.Errors++
		case checks.Warning:
			w.tally.Warnings++
		default:
			w.tally.Notes++
		}
	}
	return w.finding(&f, lvl)
}

// count notes that path has a finding that is not suppressed.
func (w *Writer) count(path string) {
	n := len(w.paths)
	if n > 0 && path == w.paths[n-1] {
		return
	}
	if w.files == nil && n > 0 && path < w.paths[n-1] {
		w.files = make(map[string]bool, n+1)
		for _, p := range w.paths {
			w.files[p] = true
		}
	}
	w.paths = append(w.paths, path)
	if w.files != nil {
		w.files[path] = true
	}
}

// End writes the problems and the summary, as the format has them, and
// flushes the report.
func (w *Writer) End(rest *scan.Result) error {
	c := w.tally
	c.Problems, c.Files, c.FilesWithFindings = len(rest.Problems), len(rest.Files), len(w.paths)
	if w.files != nil {
		c.FilesWithFindings = len(w.files)
	}
	return w.end(rest, c)
}
