package scan

import (
	"strings"
	"unicode/utf8"

	"github.com/stowaway-dev/stowaway/checks"
)

// resolve turns a rule's span (byte columns, 0 for a whole line) into a
// region in UTF-16 code units, clamped to the file.
func resolve(lines []string, s checks.Span) Region {
	n := len(lines)
	clamp := func(l int) int {
		if l < 1 {
			return 1
		}
		if n > 0 && l > n {
			return n
		}
		if n == 0 {
			return 1
		}
		return l
	}
	line := func(l int) string {
		if l >= 1 && l <= n {
			return lines[l-1]
		}
		return ""
	}
	r := Region{StartLine: clamp(s.Line), EndLine: clamp(s.EndLine)}
	if s.EndLine < s.Line {
		r.EndLine = r.StartLine
	}
	if s.Col <= 0 {
		start := line(r.StartLine)
		indent := len(start) - len(strings.TrimLeft(start, " \t"))
		r.StartColumn = utf16Col(start, indent)
		end := line(r.EndLine)
		r.EndColumn = utf16Col(end, len(strings.TrimRight(end, " \t")))
	} else {
		r.StartColumn = utf16Col(line(r.StartLine), s.Col-1)
		r.EndColumn = utf16Col(line(r.EndLine), s.EndCol-1)
	}
	if r.StartLine == r.EndLine && r.EndColumn <= r.StartColumn {
		r.EndColumn = r.StartColumn + 1
	}
	return r
}

// utf16Col returns the 1-based UTF-16 column of byte offset off in line.
// Invalid UTF-8 bytes count one unit each.
func utf16Col(line string, off int) int {
	if off > len(line) {
		off = len(line)
	}
	if off < 0 {
		off = 0
	}
	units := 0
	for i := 0; i < off; {
		if line[i] < utf8.RuneSelf {
			units++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(line[i:])
		if r == utf8.RuneError && size <= 1 {
			units++
			i++
			continue
		}
		// A decoded rune is never a surrogate: two units past the basic
		// plane, one below it, counted without encoding it.
		if r >= 0x10000 {
			units += 2
		} else {
			units++
		}
		i += size
	}
	return units + 1
}
