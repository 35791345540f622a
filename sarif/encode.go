package sarif

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// The results, which are most of a log, are appended as bytes rather than
// built as go-sarif structs and marshalled by reflection: the bytes are
// exactly what encoding/json writes for those structs (TestEncodeResult
// compares the two on many findings), in a fraction of the time and
// allocations.

// jsonOut appends indented JSON as json.Encoder with SetIndent(prefix, "  ")
// and SetEscapeHTML(false) writes it, but without the final newline.
type jsonOut struct {
	b    []byte
	more []bool // per open object or array: it has a member already
	// lines is a newline, the prefix that begins every line but the
	// first, and the indents of a few levels, of which newline writes
	// what a level needs.
	lines string
}

// newJSONOut returns a jsonOut of lines after the first beginning with
// prefix.
func newJSONOut(prefix string) jsonOut {
	return jsonOut{lines: "\n" + prefix + strings.Repeat("  ", 12)}
}

// prefix is the jsonOut's line prefix.
func (o *jsonOut) prefix() string { return o.lines[1 : len(o.lines)-24] }

func (o *jsonOut) newline() {
	if n := len(o.lines) - 24 + 2*len(o.more); n <= len(o.lines) {
		o.b = append(o.b, o.lines[:n]...)
		return
	}
	o.b = append(o.b, o.lines...)
	for range len(o.more) - 12 {
		o.b = append(o.b, "  "...)
	}
}

// open starts an object ('{') or an array ('[').
func (o *jsonOut) open(c byte) {
	o.b = append(o.b, c)
	o.more = append(o.more, false)
}

// close ends what open started; an empty one stays on its line ("{}").
func (o *jsonOut) close(c byte) {
	n := len(o.more) - 1
	had := o.more[n]
	o.more = o.more[:n]
	if had {
		o.newline()
	}
	o.b = append(o.b, c)
}

// elem starts an element of the array open.
func (o *jsonOut) elem() {
	n := len(o.more) - 1
	if o.more[n] {
		o.b = append(o.b, ',')
	}
	o.more[n] = true
	o.newline()
}

// key starts the member k of the object open.
func (o *jsonOut) key(k string) {
	o.elem()
	o.b = appendString(o.b, k)
	o.b = append(o.b, ':', ' ')
}

// list writes the member k: an array of the one element that write writes.
func (o *jsonOut) list(k string, write func()) {
	o.key(k)
	o.open('[')
	o.elem()
	write()
	o.close(']')
}

func (o *jsonOut) str(s string) { o.b = appendString(o.b, s) }

func (o *jsonOut) int(n int) { o.b = strconv.AppendInt(o.b, int64(n), 10) }

// text is a message object whose text is sentence(s).
func (o *jsonOut) text(s string) {
	o.open('{')
	o.key("text")
	s = strings.TrimSpace(s)
	o.b = appendString(o.b, s)
	if s != "" && !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, "?") {
		o.b[len(o.b)-1] = '.'
		o.b = append(o.b, '"')
	}
	o.close('}')
}

// region is a region object; zero fields are absent (region and lines
// never set one to zero).
func (o *jsonOut) region(startLine, startColumn, endLine, endColumn int) {
	o.open('{')
	for _, m := range [...]struct {
		name string
		n    int
	}{{"startLine", startLine}, {"startColumn", startColumn}, {"endLine", endLine}, {"endColumn", endColumn}} {
		if m.n != 0 {
			o.key(m.name)
			o.int(m.n)
		}
	}
	o.close('}')
}

// findingRegion is region(g) written.
func (o *jsonOut) findingRegion(g scan.Region) {
	if g.StartLine < 1 {
		o.region(1, 0, 0, 0)
		return
	}
	start, end := lineRange(g.StartLine, g.EndLine)
	startCol, endCol := 0, 0
	if g.StartColumn > 0 {
		startCol = g.StartColumn
		if g.EndColumn > 0 && (g.EndLine > g.StartLine || g.EndColumn > g.StartColumn) {
			endCol = g.EndColumn
		}
	}
	o.region(start, startCol, end, endCol)
}

// linesRegion is lines(start, end) written.
func (o *jsonOut) linesRegion(start, end int) {
	start, end = lineRange(start, end)
	o.region(start, 0, end, 0)
}

// artifact is artifact(p) written, uri being relativeURI(p).
func (o *jsonOut) artifact(uri string) {
	o.open('{')
	o.key("uri")
	o.str(uri)
	o.key("uriBaseId")
	o.str(SourceRoot)
	o.close('}')
}

// result appends f as the Writer's result: what encoding/json writes for
// result(f, ruleIndex, rules, opts).
func (o *jsonOut) result(f *scan.Finding, ruleIndex int, rules []*checks.Rule, opts *Options) {
	uri := relativeURI(f.Path)
	o.open('{')
	o.key("ruleId")
	o.str(f.RuleID)
	o.key("ruleIndex")
	o.int(ruleIndex)
	o.key("level")
	o.str(f.LevelOrDefault(rules).String())
	o.key("message")
	o.text(f.Message)
	o.list("locations", func() {
		o.open('{')
		o.key("physicalLocation")
		o.open('{')
		o.key("artifactLocation")
		o.artifact(uri)
		o.key("region")
		o.findingRegion(f.Region)
		o.close('}')
		o.close('}')
	})
	if f.Fingerprint != "" {
		o.key("partialFingerprints")
		o.open('{')
		o.key(FingerprintKey)
		o.str(f.Fingerprint)
		o.close('}')
	}
	if len(f.Related) > 0 {
		o.key("relatedLocations")
		o.open('[')
		for i, rel := range f.Related {
			o.elem()
			o.open('{')
			o.key("id")
			o.int(i + 1)
			o.key("physicalLocation")
			o.open('{')
			o.key("artifactLocation")
			o.artifact(relativeURI(rel.Path))
			if rel.Region.StartLine > 0 {
				o.key("region")
				o.findingRegion(rel.Region)
			}
			o.close('}')
			if rel.Message != "" {
				o.key("message")
				o.text(rel.Message)
			}
			o.close('}')
		}
		o.close(']')
	}
	if s := f.Suppressed; s != nil {
		o.list("suppressions", func() { o.suppression(f, uri, s, opts) })
	}
	if opts.Baseline != nil {
		state := "new"
		if opts.Baseline[f.Fingerprint] {
			state = "unchanged"
		}
		o.key("baselineState")
		o.str(state)
	}
	if s := f.Suggestion; s != nil {
		o.list("fixes", func() { o.fix(f, uri, s) })
	}
	o.close('}')
}

func (o *jsonOut) fix(f *scan.Finding, uri string, s *checks.Suggestion) {
	o.open('{')
	if f.Fix != "" {
		o.key("description")
		o.text(f.Fix)
	}
	o.list("artifactChanges", func() {
		o.open('{')
		o.key("artifactLocation")
		o.artifact(uri)
		o.key("replacements")
		if edits := s.Edits(); len(edits) == 0 {
			o.b = append(o.b, "null"...)
		} else {
			o.open('[')
			for _, e := range edits {
				o.elem()
				o.open('{')
				o.key("deletedRegion")
				o.linesRegion(e.StartLine, e.EndLine)
				o.key("insertedContent")
				o.open('{')
				o.key("text")
				o.str(e.Text)
				o.close('}')
				o.close('}')
			}
			o.close(']')
		}
		o.close('}')
	})
	o.close('}')
}

func (o *jsonOut) suppression(f *scan.Finding, uri string, s *checks.Suppression, opts *Options) {
	kind := s.Kind
	if kind != "external" {
		kind = "inSource"
	}
	o.open('{')
	o.key("kind")
	o.str(kind)
	o.key("status")
	o.str("accepted")
	o.key("location")
	o.open('{')
	switch {
	case kind == "inSource":
		o.key("physicalLocation")
		o.open('{')
		o.key("artifactLocation")
		o.artifact(uri)
		if s.Line > 0 {
			o.key("region")
			o.linesRegion(s.Line, s.Line)
		}
		o.close('}')
	case isLocal(opts.ConfigFile):
		o.key("physicalLocation")
		o.open('{')
		o.key("artifactLocation")
		o.artifact(relativeURI(opts.ConfigFile))
		o.close('}')
	default:
		o.key("message")
		o.text("The configuration file.")
	}
	o.close('}')
	o.key("guid")
	o.str(guid(kind, f.Fingerprint, f.RuleID, f.Path, regionString(f.Region)))
	reason := s.Reason
	if reason == "" {
		reason = "No reason given."
	}
	o.key("justification")
	o.str(reason)
	o.close('}')
}

// regionString is fmt.Sprint(g), which the guid of a suppression hashes.
func regionString(g scan.Region) string {
	b := []byte{'{'}
	for i, n := range [...]int{g.StartLine, g.StartColumn, g.EndLine, g.EndColumn} {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendInt(b, int64(n), 10)
	}
	return string(append(b, '}'))
}

// lineRange is the start and end of lines(start, end).
func lineRange(start, end int) (int, int) {
	if start < 1 {
		start = 1
	}
	if end < start {
		end = start
	}
	return start, end
}

// guid is a stable UUID (version 5 layout, SHA-256 based) derived from parts.
func guid(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	b := h.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:36], b[10:16])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped exactly as encoding/json
// escapes it without HTML escaping: \" \\ \b \f \n \r \t, other control
// characters as \u00XX, invalid UTF-8 as \ufffd, and U+2028 and U+2029
// (which JavaScript reads as line ends) as \u2028 and \u2029.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
