package review

// Outside code, GitHub turns text into links and notifications: URLs
// (https://…, www.…), @mentions, #12, GH-12, owner/repo#12, commit SHAs and
// e-mail addresses; inside code spans and blocks it does not.

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/stowaway-dev/stowaway/checks"
)

// levelMark is a level's emoji and word in Markdown; a level not listed
// reads as a note.
func levelMark(l checks.Level) (emoji, word string) {
	switch l {
	case checks.Error:
		return ":no_entry:", "Error"
	case checks.Warning:
		return ":warning:", "Warning"
	}
	return ":information_source:", "Note"
}

// LevelEmoji is a level's emoji, as comments and the summary show it.
func LevelEmoji(l checks.Level) string {
	emoji, _ := levelMark(l)
	return emoji
}

func levelBadge(l checks.Level) string {
	emoji, word := levelMark(l)
	return emoji + " **" + word + "**"
}

// Text makes text from outside Stowaway safe to show as Markdown: a
// host's error messages, which can quote the repository's paths.
func Text(s string) string { return text(s) }

// Code is s in a code span that nothing in s can close or turn into an
// HTML comment.
func Code(s string) string { return code(s) }

// text makes repository text safe to show as Markdown: no control
// characters, no HTML (which could fake a marker), no emphasis or links made
// of glob patterns such as **/.env, and no autolinks (unlink). Code spans
// stay as written, since they render literally, except for the start of an
// HTML comment.
func text(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	prose := strings.NewReplacer("<", "&lt;", ">", "&gt;", "@", "@\u2060",
		`\`, `\\`, "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "~", `\~`)
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			b.WriteString(unlink(prose.Replace(s)))
			break
		}
		b.WriteString(unlink(prose.Replace(s[:i])))
		n := len(s[i:]) - len(strings.TrimLeft(s[i:], "`"))
		rest := s[i+n:]
		j := closingRun(rest, n)
		if j < 0 {
			// An unmatched run of backticks is literal text.
			b.WriteString(s[i : i+n])
			s = rest
			continue
		}
		b.WriteString(s[i:i+n] + noComment(rest[:j]) + s[i:i+n])
		s = rest[j+n:]
	}
	return strings.TrimSpace(b.String())
}

// wj is the word joiner: invisible, and not part of any word, name or
// number that GitHub links.
const wj = "\u2060"

var (
	// linkRE finds what GitHub would turn into a link or a notification,
	// in text already escaped by text (an @ is already followed by wj);
	// a word joiner before its last character breaks it.
	linkRE = regexp.MustCompile(`(?i)#\d|://|www\.|[a-z]-\d`)
	// hexRE is a run that could be a commit SHA: 7 to 40 hex digits; a
	// longer run (a sha256 digest) is not one.
	hexRE = regexp.MustCompile(`[0-9A-Fa-f]{7,}`)
)

// unlink breaks the autolinks of prose with word joiners: #12, GH-12 (and
// any PREFIX-12 a repository configures), owner/repo#12, https://…, www.…,
// and runs of hex digits long enough to be a commit SHA, every 6 digits.
func unlink(s string) string {
	s = linkRE.ReplaceAllStringFunc(s, func(m string) string { return m[:len(m)-1] + wj + m[len(m)-1:] })
	return hexRE.ReplaceAllStringFunc(s, func(h string) string {
		if len(h) > 40 {
			return h
		}
		var b strings.Builder
		for i := 0; i < len(h); i += 6 {
			if i > 0 {
				b.WriteString(wj)
			}
			b.WriteString(h[i:min(i+6, len(h))])
		}
		return b.String()
	})
}

// noComment keeps text that GitHub shows literally (code) from opening an
// HTML comment in the body's source, where markers are read.
func noComment(s string) string { return strings.ReplaceAll(s, "<!--", "<!\u200b--") }

// closingRun returns the index of the first run of exactly n backticks in
// s, or -1.
func closingRun(s string, n int) int {
	for i := 0; i < len(s); {
		if s[i] != '`' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '`' {
			j++
		}
		if j-i == n {
			return i
		}
		i = j
	}
	return -1
}

// code wraps s in a code span that no backtick in s can close.
func code(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = noComment(s)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// block wraps s in a fenced code block of the given info string. An empty
// suggestion block deletes the lines it is on; one holding an empty line
// would leave a blank line.
func block(info, s string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	if s == "" {
		return fence + info + "\n" + fence
	}
	return fence + info + "\n" + s + "\n" + fence
}

func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}

// Plural is n and unit, with an s when n is not 1.
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
