package report

// GitHub workflow commands, as the Actions runner reads them:
//
//   - One command per line: "::error file=F,line=L,endLine=E,col=C,endColumn=D,title=T::message".
//     The runner turns error, warning and notice commands into annotations,
//     up to 10 of each kind per step (50 per job); the rest stay in the log.
//   - Data (the message) escapes "%", "\r" and "\n"; property values also
//     escape ":" and ",". These are the toolkit's rules
//     (actions/toolkit packages/core/src/command.ts), applied by package
//     actionlog; the command is written here so that properties come in a
//     fixed, readable order.
//   - col and endColumn are allowed only when line and endLine are equal.
//     endColumn is the last column, not one past it: the toolkit defaults it
//     to col, so a one-character range has col = endColumn.

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// GitHub writes one workflow command per finding that is not suppressed,
// and one per problem: errors as ::error, warnings as ::warning and notes as
// ::notice.
func GitHub(w io.Writer, res *scan.Result) error {
	return res.Stream(NewGitHub(w))
}

// NewGitHub is the Writer of GitHub.
func NewGitHub(w io.Writer) *Writer {
	bw := bufio.NewWriter(w)
	return &Writer{
		finding: func(f *scan.Finding, lvl checks.Level) error {
			if f.Suppressed != nil {
				return nil
			}
			props := []string{"file", f.Path}
			props = append(props, regionProps(f.Region)...)
			title := f.RuleID
			if f.Rule != nil && f.Rule.Summary != "" {
				title = f.Rule.Summary + " (" + f.RuleID + ")"
			}
			props = append(props, "title", title)
			writeCommand(bw, command(lvl), props, findingText(f))
			return nil
		},
		end: func(rest *scan.Result, _ counts) error {
			for _, p := range rest.Problems {
				var props []string
				if p.Path != "" {
					props = append(props, "file", p.Path)
				}
				props = append(props, "title", "Stowaway could not check everything")
				writeCommand(bw, command(problemLevel(p)), props, p.Message)
			}
			return bw.Flush()
		},
	}
}

// regionProps are the line and column properties of g, within what the
// runner accepts.
func regionProps(g scan.Region) []string {
	if g.StartLine < 1 {
		return nil
	}
	end := max(g.EndLine, g.StartLine)
	props := []string{"line", fmt.Sprint(g.StartLine), "endLine", fmt.Sprint(end)}
	if end == g.StartLine && g.StartColumn > 0 {
		props = append(props, "col", fmt.Sprint(g.StartColumn))
		// Region.EndColumn is exclusive; the runner's endColumn is not.
		if last := g.EndColumn - 1; last >= g.StartColumn {
			props = append(props, "endColumn", fmt.Sprint(last))
		}
	}
	return props
}

func command(l checks.Level) string { return byLevel(l, "error", "warning", "notice") }

// writeCommand writes "::name k=v,k=v::data"; props alternate keys and
// values.
func writeCommand(w io.Writer, name string, props []string, data string) {
	var b strings.Builder
	b.WriteString("::" + name)
	for i := 0; i+1 < len(props); i += 2 {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(props[i] + "=" + actionlog.Property(props[i+1]))
	}
	b.WriteString("::" + actionlog.Data(data) + "\n")
	io.WriteString(w, b.String())
}
