package report

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// Checkstyle XML, as reviewdog's checkstyle parser (-f=checkstyle) and most
// CI tools read it:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<checkstyle version="4.3">
//	  <file name="Dockerfile">
//	    <error line="5" column="14" severity="error" message="…" source="stowaway.secret-env"/>
//	  </file>
//	</checkstyle>
//
// Every value sits in an attribute, where encoding/xml escapes newlines
// and the "[" of "##[" is written as a character reference: each element
// is one line, so no crafted text starts a workflow command in a CI log.
type checkstyleError struct {
	XMLName  xml.Name `xml:"error"`
	Line     int      `xml:"line,attr"`
	Column   int      `xml:"column,attr,omitempty"`
	Severity string   `xml:"severity,attr"`
	Message  string   `xml:"message,attr"`
	Source   string   `xml:"source,attr"`
}

// Checkstyle writes the findings that are not suppressed as Checkstyle XML,
// one <file> element per run of findings on the same path (the engine
// orders findings by path). Line 0 is a finding about a whole file.
// Problems are not written: they have no rule, and the CLI prints them on
// standard error.
func Checkstyle(w io.Writer, res *scan.Result) error {
	return res.Stream(NewCheckstyle(w))
}

// NewCheckstyle is the Writer of Checkstyle.
func NewCheckstyle(w io.Writer) *Writer {
	bw := bufio.NewWriter(w)
	open := false
	var path string
	return &Writer{
		begin: func() { bw.WriteString(xml.Header + `<checkstyle version="4.3">` + "\n") },
		finding: func(f *scan.Finding, lvl checks.Level) error {
			if f.Suppressed != nil {
				return nil
			}
			if !open || f.Path != path {
				if open {
					bw.WriteString("  </file>\n")
				}
				path, open = f.Path, true
				var name bytes.Buffer
				xml.EscapeText(&name, []byte(path))
				bw.WriteString(`  <file name="` + legacyCommand.Replace(name.String()) + "\">\n")
			}
			e := checkstyleError{
				Line:   f.Region.StartLine,
				Column: f.Region.StartColumn,
				// reviewdog maps Checkstyle's severities to its own.
				Severity: byLevel(lvl, "error", "warning", "info"),
				Message:  findingText(f),
				Source:   "stowaway." + f.RuleID,
			}
			b, err := xml.Marshal(e)
			if err != nil {
				return fmt.Errorf("writing Checkstyle report: %w", err)
			}
			bw.WriteString("    " + legacyCommand.Replace(string(b)) + "\n")
			return nil
		},
		end: func(*scan.Result, counts) error {
			if open {
				bw.WriteString("  </file>\n")
			}
			bw.WriteString("</checkstyle>\n")
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("writing Checkstyle report: %w", err)
			}
			return nil
		},
	}
}

var legacyCommand = strings.NewReplacer("##[", "##&#91;")

// findingText is a finding's message with its evidence, when the message
// does not already show it, and its fix, each on its own line: what a tool
// that has one text field per finding shows.
func findingText(f *scan.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	if f.Evidence != "" && !strings.Contains(f.Message, f.Evidence) {
		b.WriteString("\nEvidence: " + f.Evidence)
	}
	if f.Fix != "" {
		b.WriteString("\nFix: " + f.Fix)
	}
	return b.String()
}
