package scan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/stowaway-dev/stowaway/checks"
)

// packedOut is a target's findings and build contexts encoded into one
// byte slice, the form they wait in until the scan ends. Kept as Finding
// and BuildContext values (strings, slices and pointers) those of a large
// tree were a quarter of the live heap, which the collector traced again on
// every cycle; under the memory limit that was a seventh of a monorepo
// scan's time. A byte slice holds no pointers: the collector skips its
// contents.
type packedOut []byte

// packer packs and unpacks the findings and build contexts of one scan.
// Texts that many share (rule IDs, messages, suggestions, snippets, kinds
// of secret files) are kept once in its table and packed as their number;
// the others (paths, fixes that name files, fingerprints) are packed whole.
type packer struct {
	// The rules a finding may name: the engine's rules and the
	// invalid-pragma rule, which reports even when turned off.
	rules     []*checks.Rule
	ruleIndex map[*checks.Rule]int

	mu    sync.Mutex
	texts []string
	ids   map[string]uint64
}

func newPacker(rules []*checks.Rule) *packer {
	t := &packer{ruleIndex: make(map[*checks.Rule]int, len(rules)+1), ids: map[string]uint64{}}
	for _, r := range slices.Concat(rules, []*checks.Rule{checks.InvalidPragma}) {
		if _, ok := t.ruleIndex[r]; !ok {
			t.ruleIndex[r] = len(t.rules)
			t.rules = append(t.rules, r)
		}
	}
	return t
}

// appendText packs a shared text as its number in the table.
func (t *packer) appendText(b []byte, s string) []byte {
	t.mu.Lock()
	id, ok := t.ids[s]
	if !ok {
		id = uint64(len(t.texts))
		s = strings.Clone(s) // a snippet must not hold its whole file
		t.texts = append(t.texts, s)
		t.ids[s] = id
	}
	t.mu.Unlock()
	return binary.AppendUvarint(b, id)
}

// pack encodes fs and cs; nil when there are none. A rule missing from the
// table is recorded as none.
func (t *packer) pack(fs []Finding, cs []BuildContext) packedOut {
	if len(fs)+len(cs) == 0 {
		return nil
	}
	// Written into a scratch buffer, kept in one of the exact size: the
	// slack of a grown slice would wait with it to the end of the scan.
	scratch := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(scratch)
	b := (*scratch)[:0]
	defer func() { *scratch = b[:0] }()
	b = binary.AppendUvarint(b, uint64(len(fs)))
	for i := range fs {
		f := &fs[i]
		rule, ok := t.ruleIndex[f.Rule]
		if !ok || f.Rule == nil {
			rule = -1
		}
		b = binary.AppendVarint(b, int64(rule))
		b = t.appendText(b, f.RuleID)
		b = binary.AppendVarint(b, int64(f.Level))
		b = appendString(b, f.Path)
		b = appendSpan(b, f.Span)
		b = t.appendText(b, f.Message)
		b = appendString(b, f.Secret)
		b = appendString(b, f.Fix)
		if sg := f.Suggestion; sg != nil {
			b = append(b, suggestionTag(sg))
			b = appendInts(b, sg.StartLine, sg.EndLine)
			b = t.appendText(b, sg.Text)
			b = binary.AppendUvarint(b, uint64(len(sg.Also)))
			for _, e := range sg.Also {
				b = appendInts(b, e.StartLine, e.EndLine)
				b = t.appendText(b, e.Text)
			}
		} else {
			b = append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(len(f.Related)))
		for _, r := range f.Related {
			b = appendString(b, r.Path)
			b = appendSpan(b, r.Span)
			b = t.appendText(b, r.Message)
		}
		b = t.appendText(b, f.Key)
		b = appendString(b, f.Evidence)
		b = t.appendText(b, f.Snippet)
		b = appendInts(b, f.SnippetLine)
		b = appendString(b, f.Fingerprint)
		if s := f.Suppressed; s != nil {
			b = append(b, 1)
			b = t.appendText(b, s.Kind)
			b = t.appendText(b, s.Reason)
			b = appendInts(b, s.Line)
		} else {
			b = append(b, 0)
		}
		g := f.Region
		b = appendInts(b, g.StartLine, g.StartColumn, g.EndLine, g.EndColumn)
	}
	b = binary.AppendUvarint(b, uint64(len(cs)))
	for i := range cs {
		c := &cs[i]
		b = appendString(b, c.Dockerfile)
		b = appendString(b, c.Dir)
		b = appendString(b, c.Ignore)
		b = t.appendText(b, c.From)
		if c.Complete {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(len(c.Secrets)))
		for _, s := range c.Secrets {
			b = appendString(b, s.Path)
			b = t.appendText(b, s.Kind)
		}
		b = binary.AppendUvarint(b, uint64(len(c.Shipments)))
		for _, s := range c.Shipments {
			b = appendInts(b, s.Line, s.From, s.To)
		}
	}
	return packedOut(bytes.Clone(b))
}

var scratchPool = sync.Pool{New: func() any { return new([]byte) }}

// unpack decodes what pack encoded, appending the findings to fs and the
// build contexts to cs.
func (t *packer) unpack(p packedOut, fs []Finding, cs []BuildContext) ([]Finding, []BuildContext, error) {
	if len(p) == 0 {
		return fs, cs, nil
	}
	d := decoder{b: p}
	n := d.uint()
	for range n {
		var f Finding
		if rule := d.int(); rule >= 0 && rule < len(t.rules) {
			f.Rule = t.rules[rule]
		}
		f.RuleID = t.text(&d)
		f.Level = checks.Level(d.int())
		f.Path = d.string()
		f.Span = d.span()
		f.Message = t.text(&d)
		f.Secret = d.string()
		f.Fix = d.string()
		if tag := d.byte(); tag != 0 {
			sg := &checks.Suggestion{StartLine: d.int(), EndLine: d.int(), Redacted: tag == tagRedacted}
			sg.Text = t.text(&d)
			if k := d.uint(); k > 0 && k <= uint64(len(d.b)-d.off) {
				sg.Also = make([]checks.Edit, k)
				for j := range sg.Also {
					e := &sg.Also[j]
					e.StartLine, e.EndLine = d.int(), d.int()
					e.Text = t.text(&d)
				}
			}
			f.Suggestion = sg
		}
		if k := d.uint(); k > 0 && k <= uint64(len(d.b)-d.off) {
			f.Related = make([]checks.Related, k)
			for j := range f.Related {
				r := &f.Related[j]
				r.Path, r.Span, r.Message = d.string(), d.span(), t.text(&d)
			}
		}
		f.Key = t.text(&d)
		f.Evidence = d.string()
		f.Snippet = t.text(&d)
		f.SnippetLine = d.int()
		f.Fingerprint = d.string()
		if d.byte() == 1 {
			s := &checks.Suppression{Kind: t.text(&d), Reason: t.text(&d)}
			s.Line = d.int()
			f.Suppressed = s
		}
		f.Region = Region{StartLine: d.int(), StartColumn: d.int(), EndLine: d.int(), EndColumn: d.int()}
		if d.err != nil {
			return fs, cs, d.err
		}
		fs = append(fs, f)
	}
	n = d.uint()
	for range n {
		c := BuildContext{Dockerfile: d.string(), Dir: d.string(), Ignore: d.string(), From: t.text(&d), Complete: d.byte() == 1}
		if k := d.uint(); k > 0 && k <= uint64(len(d.b)-d.off) {
			c.Secrets = make([]ContextSecret, k)
			for j := range c.Secrets {
				c.Secrets[j] = ContextSecret{Path: d.string(), Kind: t.text(&d)}
			}
		}
		if k := d.uint(); k > 0 && k <= uint64(len(d.b)-d.off) {
			c.Shipments = make([]ContextShipment, k)
			for j := range c.Shipments {
				c.Shipments[j] = ContextShipment{Line: d.int(), From: d.int(), To: d.int()}
			}
		}
		if d.err != nil {
			return fs, cs, d.err
		}
		cs = append(cs, c)
	}
	return fs, cs, d.err
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendInts(b []byte, vs ...int) []byte {
	for _, v := range vs {
		b = binary.AppendVarint(b, int64(v))
	}
	return b
}

func appendSpan(b []byte, s checks.Span) []byte {
	return appendInts(b, s.Line, s.Col, s.EndLine, s.EndCol)
}

var errPacked = errors.New("packed findings are truncated")

// decoder reads what pack wrote; after the first error every read gives
// the zero value.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

// int reads what binary.AppendVarint wrote: zig-zag over Uvarint.
func (d *decoder) int() int {
	u := d.uint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return int(v)
}

func (d *decoder) byte() byte {
	if d.off == len(d.b) {
		d.fail()
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

// string reads a text packed whole.
func (d *decoder) string() string {
	n := d.uint()
	if n > uint64(len(d.b)-d.off) {
		d.fail()
		return ""
	}
	d.off += int(n)
	return string(d.b[d.off-int(n) : d.off])
}

// text reads a shared text: its number in the table.
func (t *packer) text(d *decoder) string {
	id := d.uint()
	t.mu.Lock()
	defer t.mu.Unlock()
	if id >= uint64(len(t.texts)) {
		d.fail()
		return ""
	}
	return t.texts[id]
}

func (d *decoder) span() checks.Span {
	return checks.Span{Line: d.int(), Col: d.int(), EndLine: d.int(), EndCol: d.int()}
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errPacked
	}
	d.off = len(d.b)
}

// A packed finding's suggestion starts with a tag: 0 for none, then
// whether it holds a redacted value.
const (
	tagSuggestion = 1
	tagRedacted   = 2
)

func suggestionTag(sg *checks.Suggestion) byte {
	if sg.Redacted {
		return tagRedacted
	}
	return tagSuggestion
}
