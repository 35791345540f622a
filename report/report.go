package report

import (
	"fmt"
	"strings"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// problemLevel is a problem's level; a problem without one is a warning.
func problemLevel(p scan.Problem) checks.Level {
	if p.Level == 0 {
		return checks.Warning
	}
	return p.Level
}

// byLevel is a format's name for a level: errorName, warningName, or
// noteName for a note.
func byLevel(l checks.Level, errorName, warningName, noteName string) string {
	switch l {
	case checks.Error:
		return errorName
	case checks.Warning:
		return warningName
	}
	return noteName
}

// counts summarises a Result the same way in every format; a Writer
// counts as the findings go by.
type counts struct {
	Errors, Warnings, Notes int
	Suppressed, Problems    int
	Files                   int // files scanned
	FilesWithFindings       int // files with a finding that is not suppressed
}

// String is the closing line of the text report, for example
// "3 errors, 1 warning in 2 files; 1 suppressed".
func (c counts) String() string {
	var found []string
	for _, n := range []struct {
		n    int
		unit string
	}{{c.Errors, "error"}, {c.Warnings, "warning"}, {c.Notes, "note"}} {
		if n.n > 0 {
			found = append(found, Plural(n.n, n.unit))
		}
	}
	var s string
	if len(found) == 0 {
		s = fmt.Sprintf("no findings in %s", Plural(c.Files, "file"))
	} else {
		s = strings.Join(found, ", ") + " in " + Plural(c.FilesWithFindings, "file")
	}
	if c.Suppressed > 0 {
		s += fmt.Sprintf("; %d suppressed", c.Suppressed)
	}
	if c.Problems > 0 {
		s += "; " + Plural(c.Problems, "problem")
	}
	return s
}

// Plural is n and unit, with an s for any count but one: "1 file", "3 files".
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// clean makes s safe to print on one line: control characters, which a
// file name or a Dockerfile can carry (an escape sequence, a newline that
// forges an extra report line), are shown as Go escapes, and nothing in it
// can start a workflow command when the report is printed in a GitHub
// Actions log.
func clean(s string) string {
	return actionlog.Line(s)
}
