package review

// GitHub renders review comments and review bodies as Markdown, with
// ```suggestion blocks that replace the commented lines, and allows at most
// 65,536 characters in a body. Hidden HTML comments survive rendering and
// come back from the API, so markers there make re-runs idempotent.
//
// Markers count only on a body's first line, which holds nothing else: the
// rest of a body quotes the repository. Outside code, GitHub turns text into
// links and notifications: URLs (https://…, www.…), @mentions, #12, GH-12,
// owner/repo#12, commit SHAs and e-mail addresses; inside code spans and
// blocks it does not.

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// MaxBody is GitHub's limit on a comment or review body, in characters;
// the bodies built here stay under it counting bytes.
const MaxBody = 65536

// RuleDocs is where a rule's documentation lives; the rule's ID and ".md"
// follow.
const RuleDocs = "https://github.com/stowaway-dev/stowaway/blob/main/checks/docs/"

var (
	// anyMarker is anything that looks like one of our markers.
	anyMarker = regexp.MustCompile(`(?i)<!--\s*stowaway`)
	markerRE  = regexp.MustCompile(`<!-- stowaway:(fp|fixed|review)=([0-9A-Za-z._-]{1,128}) -->`)
	// listRE is a compact marker: seen lists the short fingerprints of the
	// findings that did not fit in a review body, gone those of them since
	// fixed, paths the scanned paths of the run that wrote the review
	// (base64url), comma-separated.
	listRE = regexp.MustCompile(`<!-- stowaway:(seen|gone|paths)=([0-9A-Za-z._,-]+) -->`)
	fpRE   = regexp.MustCompile(`^[0-9A-Za-z._-]{1,128}$`)
	// markerLineRE is a first line that holds markers and nothing else.
	markerLineRE = regexp.MustCompile(`^(?:<!-- stowaway:[a-z]+=[0-9A-Za-z._,-]+ -->)+$`)
	// Review bodies written before markers moved to the first line kept
	// each entry's marker at the start of its line and the compact marker
	// on a line of its own.
	legacyEntryRE = regexp.MustCompile(`^- <!-- stowaway:(fp|fixed)=([0-9A-Za-z._-]{1,128}) -->`)
	legacySeenRE  = regexp.MustCompile(`^<!-- stowaway:seen=([0-9A-Za-z._,-]+) -->$`)
)

// shortFP is the prefix of a fingerprint kept in the compact marker: 64
// bits, plenty to tell one pull request's findings apart.
func shortFP(fp string) string { return fp[:min(len(fp), 16)] }

func fpMarker(fp string) string      { return "<!-- stowaway:fp=" + fp + " -->" }
func fixedMarker(fp string) string   { return "<!-- stowaway:fixed=" + fp + " -->" }
func reviewMarker(key string) string { return "<!-- stowaway:review=" + key + " -->" }

// markers are the markers of one body.
type markers struct {
	open, fixed []string
	seen, gone  []string // short fingerprints
	review      string
	// paths are the paths the review's run scanned; nil for a review
	// written before they were recorded.
	paths []string
}

// parseMarkers reads the markers of a body: its first line, when that line
// is made of markers only.
func parseMarkers(body string) markers {
	first, _, _ := strings.Cut(body, "\n")
	first = strings.TrimSuffix(first, "\r")
	var m markers
	if !markerLineRE.MatchString(first) {
		return m
	}
	for _, g := range markerRE.FindAllStringSubmatch(first, -1) {
		switch g[1] {
		case "fp":
			m.open = append(m.open, g[2])
		case "fixed":
			m.fixed = append(m.fixed, g[2])
		case "review":
			m.review = g[2]
		}
	}
	for _, g := range listRE.FindAllStringSubmatch(first, -1) {
		list := strings.Split(g[2], ",")
		switch g[1] {
		case "seen":
			m.seen = append(m.seen, list...)
		case "gone":
			m.gone = append(m.gone, list...)
		case "paths":
			for _, e := range list {
				if p, err := base64.RawURLEncoding.DecodeString(e); err == nil {
					m.paths = append(m.paths, string(p))
				}
			}
		}
	}
	return m
}

// reviewMarkers reads the markers of one of our own review bodies, in the
// current format or the earlier one, whose first line held the review
// marker alone. Only our own bodies are read this way: their lines are
// ours, and repository text in them is neutralised (text, code).
func reviewMarkers(body string) markers {
	m := parseMarkers(body)
	if m.review == "" || len(m.open)+len(m.fixed)+len(m.seen) > 0 {
		return m
	}
	lines := strings.Split(body, "\n")
	for _, l := range lines[1:] {
		l = strings.TrimSuffix(l, "\r")
		if g := legacyEntryRE.FindStringSubmatch(l); g != nil {
			if g[1] == "fp" {
				m.open = append(m.open, g[2])
			} else {
				m.fixed = append(m.fixed, g[2])
			}
		} else if g := legacySeenRE.FindStringSubmatch(l); g != nil {
			m.seen = append(m.seen, strings.Split(g[1], ",")...)
		}
	}
	return m
}

// String is the first line that holds the markers.
func (m markers) String() string {
	var b strings.Builder
	if m.review != "" {
		b.WriteString(reviewMarker(m.review))
	}
	for _, fp := range m.open {
		b.WriteString(fpMarker(fp))
	}
	for _, fp := range m.fixed {
		b.WriteString(fixedMarker(fp))
	}
	if len(m.seen) > 0 {
		b.WriteString(listMarker("seen", m.seen))
	}
	if len(m.gone) > 0 {
		b.WriteString(listMarker("gone", m.gone))
	}
	if len(m.paths) > 0 {
		enc := make([]string, len(m.paths))
		for i, p := range m.paths {
			enc[i] = base64.RawURLEncoding.EncodeToString([]byte(p))
		}
		b.WriteString(listMarker("paths", enc))
	}
	return b.String()
}

func listMarker(kind string, list []string) string {
	return "<!-- stowaway:" + kind + "=" + strings.Join(list, ",") + " -->"
}

// fingerprint is the finding's marker key: the engine's fingerprint, or a
// hash of it when it holds characters a marker cannot.
func fingerprint(f *scan.Finding) string {
	fp := f.Fingerprint
	if fp == "" {
		fp = f.RuleID + "\x00" + f.Path + "\x00" + f.Key + "\x00" + f.Message
	}
	if fpRE.MatchString(fp) {
		return fp
	}
	sum := sha256.Sum256([]byte(fp))
	return hex.EncodeToString(sum[:16])
}

func levelBadge(l checks.Level) string {
	switch l {
	case checks.Error:
		return ":no_entry: **Error**"
	case checks.Warning:
		return ":warning: **Warning**"
	}
	return ":information_source: **Note**"
}

// Text makes text from outside Stowaway safe to show as Markdown: a
// host's error messages, which can quote the repository's paths.
func Text(s string) string { return text(s) }

// Code is s in a code span that nothing in s can close or turn into an
// HTML comment.
func Code(s string) string { return code(s) }

// ReviewKey is the key in the markers of a review body, "" for none.
func ReviewKey(body string) string { return parseMarkers(body).review }

// ProbeBody is the body of a review posted only to learn whether the host
// accepts its comments, and deleted at once.
const ProbeBody = "<!-- stowaway:review=probe -->"

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

func ruleTitle(f *scan.Finding) string {
	title := fmt.Sprintf("[%s](%s%s.md)", code(f.RuleID), RuleDocs, f.RuleID)
	if f.Rule != nil && f.Rule.Summary != "" {
		title += " · " + text(f.Rule.Summary)
	}
	return title
}

// inlineBody is the body of the review comment on a finding. withSuggestion
// says whether the comment spans exactly the lines the finding's
// Suggestion replaces, so that GitHub can apply it.
func inlineBody(f *scan.Finding, withSuggestion bool) string {
	var b strings.Builder
	b.WriteString(fpMarker(fingerprint(f)) + "\n")
	fmt.Fprintf(&b, "%s · %s\n\n%s\n", levelBadge(f.LevelOrDefault(nil)), ruleTitle(f), text(f.Message))
	if f.Evidence != "" {
		fmt.Fprintf(&b, "\nEvidence: %s\n", code(f.Evidence))
	}
	if f.Fix != "" {
		fmt.Fprintf(&b, "\n**Fix:** %s\n", text(f.Fix))
	}
	if s := applicable(f); s != nil {
		if withSuggestion {
			b.WriteString("\n" + block("suggestion", s.Text) + "\n")
		} else {
			fmt.Fprintf(&b, "\nSuggested change for %s:\n\n%s\n", lineLabel(s.StartLine, s.EndLine), editBlock(s.Text))
		}
		// A suggestion replaces only the lines its comment spans: the rest
		// of the fix is shown, to be made in the same commit.
		for _, e := range s.Also {
			fmt.Fprintf(&b, "\nIn the same commit, replace %s with this (a suggestion covers only the lines of its comment):\n\n%s\n",
				lineLabel(e.StartLine, e.EndLine), editBlock(e.Text))
		}
	}
	return clip(b.String())
}

// editBlock shows an edit's text as a Dockerfile block, or says that the
// lines go.
func editBlock(text string) string {
	if text == "" {
		return "_(the lines are removed)_"
	}
	return block("dockerfile", noComment(text))
}

func lineLabel(start, end int) string {
	if end > start {
		return fmt.Sprintf("lines %d–%d", start, end)
	}
	return fmt.Sprintf("line %d", start)
}

// fixedBody rewrites one of our earlier comments whose finding is gone.
// why is "fixed" or the reason of a suppression.
func fixedBody(old, fp, sha, why string) string {
	// The old text stays readable under a fold, minus its markers and with
	// its suggestion no longer applicable.
	old = strings.TrimSpace(markerRE.ReplaceAllString(old, ""))
	old = strings.ReplaceAll(old, "```suggestion", "```dockerfile")
	var b strings.Builder
	b.WriteString(fixedMarker(fp) + "\n")
	fmt.Fprintf(&b, ":white_check_mark: **%s** in %s: Stowaway no longer reports this.\n\n", why, shortSHA(sha))
	b.WriteString("<details><summary>Earlier comment</summary>\n\n" + old + "\n\n</details>\n")
	return clip(b.String())
}

// markFixed rewrites one of our review bodies for the findings that are
// gone (gone says why, or ""): their markers become fixed ones and their
// entries are struck out. It returns the body and how many it marked.
func markFixed(body string, gone func(fp string) string, sha string) (string, int) {
	if out, n := markFixedAs(body, gone, sha, false); len(out) <= MaxBody-100 {
		return out, n
	}
	// Struck out whole, the entries would not fit GitHub's limit: each
	// keeps its location only.
	return markFixedAs(body, gone, sha, true)
}

func markFixedAs(body string, gone func(fp string) string, sha string, short bool) (string, int) {
	m := reviewMarkers(body)
	var open, seen []string
	n := 0
	for _, fp := range m.open {
		why := gone(fp)
		if why == "" {
			open = append(open, fp)
			continue
		}
		body = fixedEntry(body, fp, sha, why, short)
		m.fixed = append(m.fixed, fp)
		n++
	}
	// The findings past the body's room have no line: their short
	// fingerprints move to the gone list, and the line that counts them
	// says so.
	for _, sfp := range m.seen {
		if gone(sfp) == "" {
			seen = append(seen, sfp)
			continue
		}
		m.gone = append(m.gone, sfp)
		n++
	}
	if n == 0 {
		return body, 0
	}
	if len(seen) < len(m.seen) {
		body = moreRE.ReplaceAllLiteralString(body, moreLine(len(seen), len(m.gone), sha))
	}
	m.open, m.seen = open, seen
	// The first line is rewritten whole, which also moves the markers of
	// a body in the earlier format there.
	_, rest, _ := strings.Cut(body, "\n")
	return m.String() + "\n" + rest, n
}

// entryLocation is the location's code span at the start of an entry,
// after its badge: bodyLine writes it so.
var entryLocation = regexp.MustCompile("^:[a-z_]+: \\*\\*[A-Za-z]+\\*\\* \\[?(`[^`]+`)")

// fixedEntry rewrites the line of a review body that lists a finding which is
// gone; other lines stay as they are. The first line, the markers', is
// markFixed's. A short entry keeps only the finding's location.
func fixedEntry(body, fp, sha, why string, short bool) string {
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		if i == 0 {
			continue
		}
		m := fpMarker(fp)
		j := strings.Index(l, m)
		if j < 0 {
			continue
		}
		rest := strings.TrimSpace(l[j+len(m):])
		if short {
			rest = ""
			if g := entryLocation.FindStringSubmatch(strings.TrimSpace(l[j+len(m):])); g != nil {
				rest = g[1]
			}
		}
		entry := fixedMarker(fp)
		switch {
		case rest != "":
			entry += " ~~" + rest + "~~ " + why + " in " + shortSHA(sha)
		case short:
			entry += " " + why + " in " + shortSHA(sha)
		}
		lines[i] = l[:j] + entry
	}
	return strings.Join(lines, "\n")
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// clip keeps a body under GitHub's limit; only a pathological suggestion
// gets there.
func clip(s string) string {
	const limit = MaxBody - 100
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "\n\n… (cut to fit GitHub's limit)"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// bodyInput is what a review body lists.
type bodyInput struct {
	key        string   // review marker
	paths      []string // the scanned paths, recorded for later runs
	intro      string
	entries    []bodyEntry
	suppressed int
}

type bodyEntry struct {
	f   *scan.Finding
	why string // "outside the diff", "over the inline limit", "GitHub refused the inline comment"
}

// reviewBody builds the body of a review: a first line of markers (the
// review's, and one for each finding it lists), a headline, one line per
// finding that has no inline comment, and a compact marker for the findings
// that did not fit.
func reviewBody(in bodyInput, link func(path string, start, end int) string) string {
	var b strings.Builder
	m := markers{review: in.key, paths: in.paths}
	b.WriteString(in.intro + "\n")
	var footer strings.Builder
	if in.suppressed > 0 {
		fmt.Fprintf(&footer, "\n_%s suppressed by `stowaway:ignore` pragmas or the configuration._\n", Plural(in.suppressed, "finding"))
	}
	if len(in.entries) > 0 {
		b.WriteString("\n")
	}
	// Every finding leaves a marker, so that a re-run does not post it
	// again: its fingerprint and a line when there is room, else a short
	// fingerprint in the compact marker, whose room is kept from the start.
	budget := MaxBody - 1024 - footer.Len() - len(m.String())
	used := 0 // by the markers of the lines written
	for i, e := range in.entries {
		fp := fingerprint(e.f)
		line := bodyLine(e, link) + "\n"
		if used+b.Len()+len(fpMarker(fp))+len(line)+17*(len(in.entries)-i-1) > budget {
			for _, rest := range in.entries[i:] {
				m.seen = append(m.seen, shortFP(fingerprint(rest.f)))
			}
			break
		}
		b.WriteString(line)
		m.open = append(m.open, fp)
		used += len(fpMarker(fp))
	}
	if len(m.seen) > 0 {
		b.WriteString("\n" + moreLine(len(m.seen), 0, "") + "\n")
	}
	b.WriteString(footer.String())
	return m.String() + "\n" + b.String()
}

// moreRE is the line of a review body that counts the findings past its
// room ("…and 3 more" in the earlier format).
var moreRE = regexp.MustCompile(`(?m)^…and \d+ (?:findings? )?more: see the job summary or the SARIF file\.[^\n]*$`)

func moreLine(open, gone int, sha string) string {
	line := fmt.Sprintf("…and %s more: see the job summary or the SARIF file.", Plural(open+gone, "finding"))
	if gone > 0 {
		line += fmt.Sprintf(" %d of them no longer reported in %s.", gone, shortSHA(sha))
	}
	return line
}

func bodyLine(e bodyEntry, link func(path string, start, end int) string) string {
	f := e.f
	loc := code(fmt.Sprintf("%s:%d", f.Path, f.Region.StartLine))
	if u := link(f.Path, f.Region.StartLine, f.Region.EndLine); u != "" {
		loc = fmt.Sprintf("[%s](%s)", loc, u)
	}
	line := fmt.Sprintf("- %s %s %s %s: %s", fpMarker(fingerprint(f)), levelBadge(f.LevelOrDefault(nil)), loc, code(f.RuleID), text(f.Message))
	if f.Evidence != "" {
		line += " (evidence " + code(f.Evidence) + ")"
	}
	if f.Fix != "" {
		line += ". **Fix:** " + text(f.Fix)
	}
	if e.why != "" {
		line += " _(" + e.why + ")_"
	}
	return line
}

// Plural is n and unit, with an s when n is not 1.
func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// reviewKey identifies a review by what it posts, so that a retry can tell
// whether an earlier attempt was stored.
func reviewKey(sha string, fs []*scan.Finding) string {
	keys := make([]string, len(fs))
	for i, f := range fs {
		keys[i] = fingerprint(f)
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write([]byte(sha))
	for _, k := range keys {
		h.Write([]byte{0})
		h.Write([]byte(k))
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}
