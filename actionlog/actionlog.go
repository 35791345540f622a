package actionlog

// The runner's rules, from actions/runner (src/Runner.Common/ActionCommand.cs
// and src/Runner.Worker/ActionCommandManager.cs):
//
//   - A line is split at "\r" and "\n". TryParseV2 trims leading white
//     space and requires the line to start with "::"; TryParse, tried when
//     it fails, looks for "##[" anywhere in the line. Both accept only
//     registered names, error, warning, notice, add-mask and stop-commands
//     among them.
//   - In a command, data unescapes %25, %0D and %0A; property values also
//     %3A and %2C (the toolkit's packages/core/src/command.ts escapes them
//     in that order, "%" first).

import (
	"fmt"
	"io"
	"strings"
	"unicode"
)

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	legacyEscaper   = strings.NewReplacer("##[", `##\x5b`)
)

// Data escapes a command's message. Control characters other than line
// breaks are shown as Go escapes first; line breaks get the runner's
// escapes, which it decodes back.
func Data(s string) string {
	return dataEscaper.Replace(controls(s, "\r\n"))
}

// Property escapes a command's property value, such as a file name.
func Property(s string) string {
	return propertyEscaper.Replace(controls(s, "\r\n"))
}

// Line makes s safe to print as, or in, one plain line of the log: control
// characters (line breaks included) are shown as Go escapes, as are the
// "[" of "##[" and the first ":" of a leading "::". The result reads as the
// text it stands for and can start no command.
func Line(s string) string {
	s = legacyEscaper.Replace(controls(s, ""))
	rest := strings.TrimLeftFunc(s, unicode.IsSpace)
	if strings.HasPrefix(rest, "::") {
		s = s[:len(s)-len(rest)] + `\x3a` + rest[1:]
	}
	return s
}

// controls shows the control characters of s, except those in keep, as Go
// escapes.
func controls(s, keep string) string {
	isControl := func(r rune) bool {
		return (r < 0x20 || (r >= 0x7f && r < 0xa0)) && !strings.ContainsRune(keep, r)
	}
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !isControl(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// JSON returns a writer that passes a JSON document on to w with the "[" of
// every "##[" written as \u005b. "#" is not JSON syntax, so such a "[" is
// always inside a string, and the document decodes to the same value.
// Line breaks need nothing: JSON strings cannot hold them raw.
func JSON(w io.Writer) io.Writer {
	return &jsonWriter{w: w}
}

type jsonWriter struct {
	w      io.Writer
	hashes int // how many "#" the text written so far ends with
}

func (j *jsonWriter) Write(p []byte) (int, error) {
	start := 0
	for i, c := range p {
		switch {
		case c == '#':
			j.hashes++
			continue
		case c == '[' && j.hashes >= 2:
			if _, err := j.w.Write(p[start:i]); err != nil {
				return start, err
			}
			if _, err := io.WriteString(j.w, `\u005b`); err != nil {
				return i, err
			}
			start = i + 1
		}
		j.hashes = 0
	}
	if _, err := j.w.Write(p[start:]); err != nil {
		return start, err
	}
	return len(p), nil
}
