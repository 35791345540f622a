package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// TextOptions tune Text.
type TextOptions struct {
	// Color adds ANSI colours. The CLI sets it by --color: with auto, when
	// the report goes to a terminal and NO_COLOR is unset.
	Color bool
}

// ANSI SGR sequences.
const (
	sgrReset  = "\x1b[0m"
	sgrBold   = "\x1b[1m"
	sgrDim    = "\x1b[2m"
	sgrRed    = "\x1b[1;31m"
	sgrYellow = "\x1b[1;33m"
	sgrCyan   = "\x1b[1;36m"
	sgrGreen  = "\x1b[32m"
)

// Text writes the findings for a person, one block per finding that is not
// suppressed:
//
//	Dockerfile:3:5: error secret-env: ENV "API_TOKEN" stores a credential in the image config
//	    ENV API_TOKEN=ghp_…(40 chars)
//	        ^
//	    evidence: ghp_…(40 chars)
//	    fix: Remove the ENV and mount the token as a build secret where it is used
//	    related: Dockerfile:1: ARG "API_TOKEN" is declared here
//
// then the problems, and a closing summary such as
// "3 errors, 1 warning in 2 files; 1 suppressed". Columns count UTF-16 code
// units, as in SARIF and the JSON report.
func Text(w io.Writer, res *scan.Result, opts TextOptions) error {
	return res.Stream(NewText(w, opts))
}

// NewText is the Writer of Text.
func NewText(w io.Writer, opts TextOptions) *Writer {
	// Larger than bufio's default: the report of a monorepo is megabytes.
	bw := bufio.NewWriterSize(w, 32<<10)
	paint := func(sgr, s string) string {
		if !opts.Color {
			return s
		}
		return sgr + s + sgrReset
	}
	// on is an SGR sequence when colours are on, off the reset that ends
	// it: the finding's lines are written piece by piece, as paint makes
	// them, without a format or a concatenation.
	on := func(sgr string) string {
		if !opts.Color {
			return ""
		}
		return sgr
	}
	off := on(sgrReset)
	put := func(ss ...string) {
		for _, s := range ss {
			bw.WriteString(s)
		}
	}
	return &Writer{
		finding: func(f *scan.Finding, lvl checks.Level) error {
			if f.Suppressed != nil {
				return nil
			}
			put(on(sgrBold), position(f.Path, f.Region), off, ": ",
				on(levelColor(lvl)), lvl.String(), off, " ",
				on(sgrDim), clean(f.RuleID), off, ": ", clean(f.Message), "\n")
			if line, pad, caret := sourceLine(f); line != "" {
				put("    ", line, "\n")
				if caret {
					put("    ", pad, on(levelColor(lvl)), "^", off, "\n")
				}
			}
			if f.Evidence != "" && !strings.Contains(f.Message, f.Evidence) {
				put("    evidence: ", clean(f.Evidence), "\n")
			}
			if f.Fix != "" {
				put("    ", on(sgrGreen), "fix:", off, " ", clean(f.Fix), "\n")
			}
			for _, r := range f.Related {
				put("    related: ", clean(r.Path))
				if r.Region.StartLine > 0 {
					put(":", strconv.Itoa(r.Region.StartLine))
				}
				if r.Message != "" {
					put(": ", clean(r.Message))
				}
				put("\n")
			}
			return nil
		},
		end: func(rest *scan.Result, c counts) error {
			for _, p := range rest.Problems {
				lvl := problemLevel(p)
				if p.Path != "" {
					fmt.Fprintf(bw, "%s: ", paint(sgrBold, clean(p.Path)))
				}
				fmt.Fprintf(bw, "%s: %s\n", paint(levelColor(lvl), lvl.String()), clean(p.Message))
			}
			fmt.Fprintln(bw, c)
			return bw.Flush()
		},
	}
}

// position is path:line:col, or path:line for a whole-line region, or path
// alone for a finding about a whole file.
func position(path string, g scan.Region) string {
	s := clean(path)
	if g.StartLine < 1 {
		return s
	}
	b := append(append(make([]byte, 0, len(s)+12), s...), ':')
	b = strconv.AppendInt(b, int64(g.StartLine), 10)
	if g.StartColumn > 0 {
		b = strconv.AppendInt(append(b, ':'), int64(g.StartColumn), 10)
	}
	return string(b)
}

func levelColor(l checks.Level) string {
	switch l {
	case checks.Error:
		return sgrRed
	case checks.Warning:
		return sgrYellow
	}
	return sgrCyan
}

// sourceLine is the finding's first line as the engine quoted it, masked,
// or "", and the white space that puts a caret under its start column. The
// caret is left out (false) when the quote is masked before that column: a redacted
// form is not as long as the text it stands for, so the column would point
// elsewhere. Masking keeps at most a secret's first four characters before
// its "…", so a prefix without "…" is the file's own text. Tabs stay tabs,
// in the line and under it, so that both line up in a terminal.
func sourceLine(f *scan.Finding) (line, pad string, caret bool) {
	i := f.Region.StartLine - f.SnippetLine
	if f.Snippet == "" || f.SnippetLine < 1 || i < 0 {
		return "", "", false
	}
	raw, ok := nthLine(f.Snippet, i)
	if !ok || strings.TrimSpace(raw) == "" {
		return "", "", false
	}
	raw = strings.TrimRight(raw, "\r")
	line = cleanKeepTabs(raw)
	if f.Region.StartColumn < 1 {
		return line, "", false
	}
	end, units := -1, 0 // units: UTF-16 code units before byte j, as columns count
	for j, r := range raw {
		if units == f.Region.StartColumn-1 {
			end = j
			break
		}
		units += utf16.RuneLen(r)
	}
	if end < 0 && units == f.Region.StartColumn-1 {
		end = len(raw) // just past the end: a missing part
	}
	if end < 0 || strings.Contains(raw[:end], "…") {
		return line, "", false
	}
	var b strings.Builder
	for _, r := range cleanKeepTabs(raw[:end]) {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return line, b.String(), true
}

// nthLine is line i of s, the lines split at "\n" as strings.Split splits
// them; false when s has fewer.
func nthLine(s string, i int) (string, bool) {
	for ; i > 0; i-- {
		j := strings.IndexByte(s, '\n')
		if j < 0 {
			return "", false
		}
		s = s[j+1:]
	}
	if j := strings.IndexByte(s, '\n'); j >= 0 {
		s = s[:j]
	}
	return s, true
}

// cleanKeepTabs is clean with tabs kept: they indent Dockerfile lines.
func cleanKeepTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return clean(s)
	}
	pieces := strings.Split(s, "\t")
	for j, p := range pieces {
		pieces[j] = clean(p)
	}
	return strings.Join(pieces, "\t")
}
