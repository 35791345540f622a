package report

import (
	"io"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// GitLab Code Quality (artifacts:reports:codequality) reads a JSON array of
// Code Climate issues, of which it uses description, check_name,
// fingerprint, severity (info, minor, major, critical or blocker),
// location.path and location.lines.begin. type and location.lines.end are
// Code Climate's and cost nothing.
type gitlabIssue struct {
	Type        string         `json:"type"`
	CheckName   string         `json:"check_name"`
	Description string         `json:"description"`
	Severity    string         `json:"severity"`
	Fingerprint string         `json:"fingerprint"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// GitLab writes the findings that are not suppressed as a GitLab Code
// Quality report. GitLab compares the fingerprints of a merge request's
// report with its target branch's to tell new findings from fixed ones: the
// engine's fingerprint does not move when lines are added above a finding.
// A finding about a whole file sits on line 1, as GitLab needs a line.
// Problems are not written: the CLI prints them on standard error.
func GitLab(w io.Writer, res *scan.Result) error {
	return res.Stream(NewGitLab(w))
}

// NewGitLab is the Writer of GitLab.
func NewGitLab(w io.Writer) *Writer {
	jw := newJSONWriter(w)
	first := true
	return &Writer{
		finding: func(f *scan.Finding, lvl checks.Level) error {
			if f.Suppressed != nil {
				return nil
			}
			if first {
				jw.raw("[\n  ")
			} else {
				jw.raw(",\n  ")
			}
			first = false
			begin := max(f.Region.StartLine, 1)
			jw.value("  ", gitlabIssue{
				Type:        "issue",
				CheckName:   f.RuleID,
				Description: findingText(f),
				// An error is critical, a warning major and a note info;
				// no level of a rule maps to blocker or minor.
				Severity:    byLevel(lvl, "critical", "major", "info"),
				Fingerprint: f.Fingerprint,
				Location: gitlabLocation{
					Path:  f.Path,
					Lines: gitlabLines{Begin: begin, End: max(f.Region.EndLine, begin)},
				},
			})
			return jw.err
		},
		end: func(*scan.Result, counts) error {
			if first {
				jw.raw("[]\n")
			} else {
				jw.raw("\n]\n")
			}
			return jw.close("GitLab")
		},
	}
}
