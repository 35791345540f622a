package scan

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"github.com/stowaway-dev/stowaway/checks"
)

// Masking by source span.
//
// A finding's Secret is the value as BuildKit reads it: its shell lexer drops
// quotes and escapes, folds line continuations, skips the comment lines
// inside them and expands references (to nothing: the scan has no
// environment). The raw lines may therefore spell the secret in pieces
// ("ghp_ab\" then "cd…", "ghp_"'ab', ghp_ab${EMPTY}cd), and replacing the
// value as a string finds none of them. So the engine maps each secret of a
// file back to the raw ranges it occupies, by walking the lines and the
// value together and letting the walk step over what the lexer removes,
// and every text built from raw lines is masked by those ranges. The engine
// does it, not the rules: a rule cannot forget, and it runs only for the
// files that have findings with secrets.

// maxAlignSteps bounds the walk for one secret over one instruction; past
// it the ranges found so far are kept, and the net (checks.SecretLikeRanges)
// covers what is left.
const maxAlignSteps = 1 << 18

// lineMask is a raw line that holds a piece of a secret, and its masked form.
type lineMask struct {
	line        int // 1-based
	raw, masked string
	// tail is the line from its first masked byte on, for a line that a
	// text copies behind words of its own (the RUN that gains a mount).
	tail, maskedTail string
	segs             []segment // for texts that copy part of the line
}

// segment is one masked piece of a line.
type segment struct {
	raw, masked string
	plain       bool // of a secret that is a plain word (IsPlainWord)
}

// spanMask masks the texts built from one file's raw lines.
type spanMask struct {
	lines map[int]*lineMask // by 1-based line number
	order []*lineMask       // the same, in line order
	work  int               // steps the walks took (a test bounds it)
}

// foundSecret is a secret a finding reported, and the line of the finding:
// the secret is looked for in the instruction holding that line, where the
// rule read it. Walking every secret over the whole file cost seconds for a
// file of thousands of secrets; a copy elsewhere in the file is masked as a
// string (masker) or by the net (redactWords).
type foundSecret struct {
	secret string
	line   int
	// endLine is where the finding's span ends: a secret of several lines
	// (a key block on lines BuildKit refused) may run past the instruction.
	endLine int
}

// newSpanMask maps each secret to the raw ranges it occupies in the
// instruction of s where it was found.
func newSpanMask(s source, found []foundSecret) *spanMask {
	sm := &spanMask{}
	if len(found) == 0 || len(s.lines) == 0 {
		return sm
	}
	escape := s.escape
	if escape == 0 {
		escape = '\\'
	}
	// ranges[line] are the masked ranges of a line (0-based), each with its
	// text.
	type rng struct {
		start, end int
		repl       string
		plain      bool
	}
	ranges := map[int][]rng{}
	done := map[foundSecret]bool{}
	for _, fs := range found {
		from, to := s.instruction(fs.line)
		from, to = max(from, 1), min(max(to, fs.endLine), len(s.lines))
		if fs.secret == "" || from > to || done[foundSecret{fs.secret, from, to}] {
			continue
		}
		done[foundSecret{fs.secret, from, to}] = true
		lines := s.lines[from-1 : to]
		text := strings.Join(lines, "\n")
		starts := make([]int, len(lines)) // byte offset of each line in text
		for i, off := 1, 0; i < len(lines); i++ {
			off += len(lines[i-1]) + 1
			starts[i] = off
		}
		a := &aligner{text: text, secret: fs.secret, escape: byte(escape), steps: maxAlignSteps}
		plain := IsPlainWord(fs.secret)
		for _, occ := range a.all() {
			// One range per line, from the first to the last character of
			// the secret on it: the first line shows the redacted form, the
			// others an ellipsis.
			first := true
			for k := 0; k < len(occ); {
				ln := lineOf(starts, occ[k])
				eol := starts[ln] + len(lines[ln])
				if occ[k] >= eol {
					k++ // a newline of the secret: no line holds it
					continue
				}
				j := k
				for j+1 < len(occ) && occ[j+1] < eol {
					j++
				}
				r := rng{start: occ[k] - starts[ln], end: occ[j] + 1 - starts[ln], repl: "…", plain: plain}
				if first {
					r.repl, first = Redact(fs.secret), false
				}
				ranges[from-1+ln] = append(ranges[from-1+ln], r)
				k = j + 1
			}
		}
		sm.work += maxAlignSteps - a.steps
	}
	if len(ranges) == 0 {
		return sm
	}
	sm.lines = make(map[int]*lineMask, len(ranges))
	for ln, rs := range ranges {
		raw := s.lines[ln]
		// Ranges of two secrets that overlap (one holds the other) become
		// one, shown as the longer one.
		slices.SortFunc(rs, func(a, b rng) int { return cmp.Compare(a.start, b.start) })
		keep := rs[:1]
		for _, r := range rs[1:] {
			k := &keep[len(keep)-1]
			if r.start >= k.end {
				keep = append(keep, r)
				continue
			}
			if r.end-r.start > k.end-k.start {
				k.repl = r.repl
			}
			k.end, k.plain = max(k.end, r.end), k.plain && r.plain
		}
		lm := &lineMask{line: ln + 1, raw: raw}
		var b strings.Builder
		at := 0
		for _, r := range keep {
			b.WriteString(raw[at:r.start])
			b.WriteString(r.repl)
			lm.segs = append(lm.segs, segment{raw[r.start:r.end], r.repl, r.plain})
			at = r.end
		}
		b.WriteString(raw[at:])
		lm.masked = b.String()
		lm.tail = raw[keep[0].start:]
		lm.maskedTail = lm.masked[keep[0].start:]
		sm.lines[ln+1] = lm
		sm.order = append(sm.order, lm)
	}
	// Sorted, not looked up line by line: a file of thousands of lines has
	// secrets on a few.
	slices.SortFunc(sm.order, func(a, b *lineMask) int { return cmp.Compare(a.line, b.line) })
	return sm
}

// lineOf returns the 0-based line holding byte offset off.
func lineOf(starts []int, off int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// in returns the part of sm that masks texts built from lines from..to.
func (sm *spanMask) in(from, to int) *spanMask {
	if len(sm.order) == 0 {
		return sm
	}
	v := &spanMask{lines: sm.lines}
	if to-from+1 < len(sm.order) {
		for ln := from; ln <= to; ln++ {
			if lm := sm.lines[ln]; lm != nil {
				v.order = append(v.order, lm)
			}
		}
	} else {
		for _, lm := range sm.order {
			if lm.line >= from && lm.line <= to {
				v.order = append(v.order, lm)
			}
		}
	}
	return v
}

// minSegment is the shortest raw piece that is replaced wherever it appears
// in a text; a shorter piece is masked only where its whole line is copied,
// so that two letters of a secret at the start of a continuation line do not
// mask every word that holds them.
const minSegment = 6

// text masks a text that a rule built from the file's raw lines: a copied
// line is replaced by its masked form, a line behind words of the rule's own
// (the RUN that gains a secret mount) by its masked tail, and pieces long
// enough to be unambiguous wherever they are.
func (sm *spanMask) text(s string) string { return sm.mask(s, false) }

// prose masks a text a rule wrote: like text, but the pieces of a secret
// that is a plain word are the rule's own words (see maskProse).
func (sm *spanMask) prose(s string) string { return sm.mask(s, true) }

func (sm *spanMask) mask(s string, prose bool) string {
	if len(sm.order) == 0 || s == "" {
		return s
	}
	parts := strings.Split(s, "\n")
	changed := false
	for i, p := range parts {
		q := p
		if !prose {
			q = sm.maskLine(q)
		}
		for _, lm := range sm.order {
			for _, sg := range lm.segs {
				if len(sg.raw) >= minSegment && !(prose && sg.plain) && strings.Contains(q, sg.raw) {
					q = strings.ReplaceAll(q, sg.raw, sg.masked)
				}
			}
		}
		if q != p {
			parts[i], changed = q, true
		}
	}
	if !changed {
		return s
	}
	return strings.Join(parts, "\n")
}

// maskLine masks a line of a text: the raw line it copies, else the longest
// masked tail it ends with (lines of one secret often end alike).
func (sm *spanMask) maskLine(q string) string {
	var best *lineMask
	for _, lm := range sm.order {
		if q == lm.raw {
			return lm.masked
		}
		if len(lm.tail) >= minSegment && strings.HasSuffix(q, lm.tail) && (best == nil || len(lm.tail) > len(best.tail)) {
			best = lm
		}
	}
	if best == nil {
		return q
	}
	return q[:len(q)-len(best.tail)] + best.maskedTail
}

// aligner walks a secret along the raw text of a file.
type aligner struct {
	text, secret string
	escape       byte
	steps        int
	failed       map[[2]int]bool // states known not to complete the secret
	matched      []int           // offsets of text holding the secret's bytes
}

// all returns the raw offsets of each occurrence of the secret: for each,
// the offsets of text that hold its bytes, in order.
func (a *aligner) all() [][]int {
	if a.secret == "" {
		return nil
	}
	var out [][]int
	first := a.secret[0]
	for i := 0; i < len(a.text) && a.steps > 0; i++ {
		// The secret's second byte, or something the lexer drops, must
		// follow: most bytes equal to its first start nothing.
		if a.text[i] != first || len(a.secret) > 1 && i+1 < len(a.text) && a.text[i+1] != a.secret[1] && len(a.skips(i+1)) == 0 {
			continue
		}
		a.matched = a.matched[:0]
		if a.walk(i, 0) {
			occ := append([]int(nil), a.matched...)
			out = append(out, occ)
			i = occ[len(occ)-1]
		}
	}
	return out
}

// walk reports whether secret[j:] can be read from text[i:], recording the
// offsets it read; it may step over what the lexer drops between two bytes
// of the secret.
func (a *aligner) walk(i, j int) bool {
	if j == len(a.secret) {
		return true
	}
	if i >= len(a.text) || a.steps <= 0 {
		return false
	}
	a.steps--
	key := [2]int{i, j}
	if a.failed[key] {
		return false
	}
	if a.text[i] == a.secret[j] {
		a.matched = append(a.matched, i)
		if a.walk(i+1, j+1) {
			return true
		}
		a.matched = a.matched[:len(a.matched)-1]
	}
	if j > 0 {
		for _, n := range a.skips(i) {
			if a.walk(i+n, j) {
				return true
			}
		}
	}
	if a.failed == nil {
		a.failed = map[[2]int]bool{}
	}
	a.failed[key] = true
	return false
}

// skips returns the lengths of what the lexer may drop at text[i:]: a quote,
// an escape (the byte after it is read as is), a line continuation with the
// blank and comment lines after it, a reference ($X, ${X}) that expands to
// nothing, or the parts of ${X:-word} around its word.
func (a *aligner) skips(i int) []int {
	t := a.text
	c := t[i]
	switch {
	case c == '"' || c == '\'':
		return []int{1}
	case c == a.escape:
		if n := continuation(t, i); n > 0 {
			return []int{n}
		}
		return []int{1}
	case c == '}':
		return []int{1}
	case c == '$' && i+1 < len(t):
		if t[i+1] == '{' {
			end := strings.IndexByte(t[i:], '}')
			name := i + 2
			for name < len(t) && isNameChar(t[name]) {
				name++
			}
			var out []int
			if end > 0 {
				out = append(out, end+1)
			}
			// ${X:-word}, ${X-word}: the word is read, the rest dropped.
			if strings.HasPrefix(t[name:], ":-") {
				out = append(out, name+2-i)
			} else if strings.HasPrefix(t[name:], "-") {
				out = append(out, name+1-i)
			}
			return out
		}
		n := 1
		for i+n < len(t) && isNameChar(t[i+n]) {
			n++
		}
		if n > 1 {
			return []int{n}
		}
	}
	return nil
}

// continuation returns the length of a line continuation at text[i] (the
// escape, trailing blanks, the newline, and the blank and comment lines
// BuildKit drops after it), or 0.
func continuation(t string, i int) int {
	j := i + 1
	for j < len(t) && (t[j] == ' ' || t[j] == '\t') {
		j++
	}
	if j >= len(t) || t[j] != '\n' {
		return 0
	}
	j++
	for j < len(t) {
		end := strings.IndexByte(t[j:], '\n')
		if end < 0 {
			break
		}
		l := strings.TrimSpace(t[j : j+end])
		if l != "" && l[0] != '#' {
			break
		}
		j += end + 1
	}
	return j - i
}

func isNameChar(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// redactWords replaces each known token format and generated-looking word of
// s by its redacted form: the net for text that no rule's secret covers
// (suppression reasons, messages that quote YAML or a file's line).
func redactWords(s string) string {
	rs := checks.SecretLikeRanges(s)
	if len(rs) == 0 {
		return s
	}
	var b strings.Builder
	at := 0
	for _, r := range rs {
		if r[0] < at {
			continue
		}
		b.WriteString(s[at:r[0]])
		b.WriteString(Redact(s[r[0]:r[1]]))
		at = r[1]
	}
	b.WriteString(s[at:])
	return b.String()
}

// raw masks a text built from raw lines of a file whose span mask is sm: the
// secrets as values, then by span, then the words that look like secrets.
func (m *masker) raw(sm *spanMask, s string) string {
	return redactWords(sm.text(m.mask(s)))
}

// prose masks a text a rule wrote, which may quote a line of a file.
func (m *masker) prose(sm *spanMask, s string) string {
	s = sm.prose(m.maskProse(s))
	if m.clean == nil {
		return redactWords(s)
	}
	if m.clean.has(s) {
		return s
	}
	r := redactWords(s)
	if r == s {
		m.clean.add(s)
	}
	return r
}

// cleanProse holds, for one scan, rule-written texts in which redactWords
// found nothing to redact, so that the same text (a rule's fix, a message
// without a value) is not searched for tokens on every finding again. The
// bounds keep a scan of many distinct messages from growing it without
// limit.
type cleanProse struct {
	// A map under a lock: a sync.Map boxed every text looked up and cost
	// what the redaction it saved did.
	mu    sync.RWMutex
	texts map[string]struct{}
}

func (c *cleanProse) has(s string) bool {
	c.mu.RLock()
	_, ok := c.texts[s]
	c.mu.RUnlock()
	return ok
}

// add keeps s, within the bounds.
func (c *cleanProse) add(s string) {
	if len(s) > maxCleanProseLen {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.texts) >= maxCleanProse {
		return
	}
	if c.texts == nil {
		c.texts = map[string]struct{}{}
	}
	c.texts[s] = struct{}{}
}

const (
	maxCleanProse    = 4096
	maxCleanProseLen = 1024
)
