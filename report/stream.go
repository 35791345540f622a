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
	rules   []*checks.Rule
	tally   counts
	files   map[string]bool // with a finding that is not suppressed
	last    string          // the path of the finding before, in files
	begin   func()          // optional
	finding func(f *scan.Finding, level checks.Level) error
	end     func(rest *scan.Result, c counts) error
}

// Begin starts the report.
func (w *Writer) Begin(head *scan.Result) error {
	w.rules, w.files = head.Rules, map[string]bool{}
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
		// Findings come by path: most are on the path before.
		if f.Path != w.last || len(w.files) == 0 {
			w.files[f.Path], w.last = true, f.Path
		}
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

// End writes the problems and the summary, as the format has them, and
// flushes the report.
func (w *Writer) End(rest *scan.Result) error {
	c := w.tally
	c.Problems, c.Files, c.FilesWithFindings = len(rest.Problems), len(rest.Files), len(w.files)
	return w.end(rest, c)
}
