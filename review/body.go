package review

// GitHub renders review comments and review bodies as Markdown, with
// ```suggestion blocks that replace the commented lines, and allows at most
// 65,536 characters in a body: a review body lists what has no inline
// comment in that room, and says how many more there are.

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/stowaway-dev/stowaway/scan"
)

// MaxBody is GitHub's limit on a comment or review body, in characters;
// the bodies built here stay under it counting bytes.
const MaxBody = 65536

// RuleDocs is where a rule's documentation lives; the rule's ID and ".md"
// follow.
const RuleDocs = "https://github.com/stowaway-dev/stowaway/blob/main/checks/docs/"

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
