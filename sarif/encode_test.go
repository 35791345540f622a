package sarif

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// The reference of the results' encoding: the go-sarif structs of a result,
// which encoding/json marshals. jsonOut.result must write the same bytes.

func result(f scan.Finding, ruleIndex int, rules []*checks.Rule, opts Options) *sarif.Result {
	r := sarif.NewRuleResult(f.RuleID).
		WithRuleIndex(ruleIndex).
		WithLevel(f.LevelOrDefault(rules).String()).
		WithMessage(sarif.NewTextMessage(sentence(f.Message)))
	r.AddLocation(sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().WithArtifactLocation(artifact(f.Path)).WithRegion(region(f.Region))))
	for i, rel := range f.Related {
		pl := sarif.NewPhysicalLocation().WithArtifactLocation(artifact(rel.Path))
		if rel.Region.StartLine > 0 {
			pl.WithRegion(region(rel.Region))
		}
		loc := sarif.NewLocationWithPhysicalLocation(pl).WithId(i + 1)
		if rel.Message != "" {
			loc.WithDescriptionText(sentence(rel.Message))
		}
		r.AddRelatedLocation(loc)
	}
	if f.Fingerprint != "" {
		r.PartialFingerprints = map[string]any{FingerprintKey: f.Fingerprint}
	}
	if opts.Baseline != nil {
		state := "new"
		if opts.Baseline[f.Fingerprint] {
			state = "unchanged"
		}
		r.WithBaselineState(state)
	}
	if s := f.Suggestion; s != nil {
		// One change of the file, with a replacement for each edit of the
		// fix in line order: a consumer applies them together.
		change := sarif.NewArtifactChange(artifact(f.Path))
		for _, e := range s.Edits() {
			// Without columns the region is whole lines, their final
			// newline excluded, so Text (which has none) replaces them
			// exactly; an empty Text leaves one blank line.
			change.WithReplacement(sarif.NewReplacement(lines(e.StartLine, e.EndLine)).
				WithInsertedContent(sarif.NewArtifactContent().WithText(e.Text)))
		}
		fix := sarif.NewFix().WithArtifactChanges([]*sarif.ArtifactChange{change})
		if f.Fix != "" {
			fix.WithDescriptionText(sentence(f.Fix))
		}
		r.AddFix(fix)
	}
	if s := f.Suppressed; s != nil {
		r.AddSuppression(suppression(f, s, opts))
	}
	return r
}

func suppression(f scan.Finding, s *checks.Suppression, opts Options) *sarif.Suppression {
	kind := s.Kind
	if kind != "external" {
		kind = "inSource"
	}
	var loc *sarif.Location
	switch {
	case kind == "inSource":
		pl := sarif.NewPhysicalLocation().WithArtifactLocation(artifact(f.Path))
		if s.Line > 0 {
			pl.WithRegion(lines(s.Line, s.Line))
		}
		loc = sarif.NewLocationWithPhysicalLocation(pl)
	case isLocal(opts.ConfigFile):
		loc = sarif.NewLocationWithPhysicalLocation(
			sarif.NewPhysicalLocation().WithArtifactLocation(artifact(opts.ConfigFile)))
	default:
		// A configuration outside the source root has no relative uri.
		loc = sarif.NewLocation().WithDescriptionText("The configuration file.")
	}
	reason := s.Reason
	if reason == "" {
		reason = "No reason given."
	}
	return sarif.NewSuppression(kind).
		WithStatus("accepted").
		WithJustifcation(reason).
		WithLocation(loc).
		WithGuid(guid(kind, f.Fingerprint, f.RuleID, f.Path, fmt.Sprint(f.Region)))
}

func region(g scan.Region) *sarif.Region {
	if g.StartLine < 1 {
		return sarif.NewRegion().WithStartLine(1)
	}
	r := lines(g.StartLine, g.EndLine)
	if g.StartColumn > 0 {
		r.WithStartColumn(g.StartColumn)
		if g.EndColumn > 0 && (g.EndLine > g.StartLine || g.EndColumn > g.StartColumn) {
			r.WithEndColumn(g.EndColumn)
		}
	}
	return r
}

// lines is the region of whole lines start..end; a missing end is start.
func lines(start, end int) *sarif.Region {
	if start < 1 {
		start = 1
	}
	if end < start {
		end = start
	}
	return sarif.NewSimpleRegion(start, end)
}

// hostile are pieces of text that JSON escapes, or that look as if it
// should: quotes, control characters, HTML, U+2028, invalid UTF-8.
var hostile = []string{
	"", " ", "a", "Dockerfile", `"`, `\`, "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\u0080", "\u009f",
	"<none>", "&&", ">", "\u2028", "\u2029", "\u2027", "\u202a", "é", "…", "日本", "😀", "\xff", "\xc3", "\xe2\x80", "\xed\xa0\x80",
	"%", ":", "c:", "?", "#", ";", ",", "/", "//", "./", "../", ".", "..", "@", "+", "=", "$", "~", " .", ".!", "?", "!",
	"ghp_…(40 chars)", "a b", "ENV A=${B}",
}

func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range r.IntN(n + 1) {
		b.WriteString(hostile[r.IntN(len(hostile))])
	}
	return b.String()
}

func randomPath(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return randomText(r, 4)
	}
	segs := []string{"svc", "api", "Dockerfile", ".dockerignore", "a-b_c.d~e", "x", "."}
	var p []string
	for range 1 + r.IntN(4) {
		p = append(p, segs[r.IntN(len(segs))])
	}
	return strings.Join(p, "/")
}

func randomRegion(r *rand.Rand) scan.Region {
	n := func() int { return r.IntN(6) - 1 }
	return scan.Region{StartLine: n(), StartColumn: n(), EndLine: n(), EndColumn: n()}
}

func randomFinding(r *rand.Rand, rules []*checks.Rule) scan.Finding {
	rule := rules[r.IntN(len(rules))]
	f := scan.Finding{
		RuleID:  rule.ID,
		Level:   checks.Level(r.IntN(4)),
		Path:    randomPath(r),
		Region:  randomRegion(r),
		Message: randomText(r, 5),
		Fix:     randomText(r, 2),
		Rule:    rule,
	}
	if r.IntN(2) == 0 {
		f.Fingerprint = fmt.Sprintf("%x", r.Uint64())
	}
	for range r.IntN(3) {
		rel := scan.Related{Path: randomPath(r), Message: randomText(r, 3)}
		if r.IntN(3) > 0 {
			rel.Region = randomRegion(r)
		}
		f.Related = append(f.Related, rel)
	}
	if r.IntN(2) == 0 {
		s := &checks.Suggestion{StartLine: r.IntN(5), EndLine: r.IntN(5), Text: randomText(r, 3)}
		for range r.IntN(3) {
			s.Also = append(s.Also, checks.Edit{StartLine: r.IntN(5), EndLine: r.IntN(5), Text: randomText(r, 3)})
		}
		f.Suggestion = s
	}
	if r.IntN(3) == 0 {
		f.Suppressed = &checks.Suppression{Kind: []string{"inSource", "external", "other", ""}[r.IntN(4)], Reason: randomText(r, 2), Line: r.IntN(3)}
	}
	return f
}

// TestEncodeResult checks that jsonOut.result writes, byte for byte, what
// encoding/json writes for the go-sarif result, on random findings of
// hostile text, with and without a baseline, with the configuration inside
// and outside the source root.
func TestEncodeResult(t *testing.T) {
	rules := scantest.Fixture().Rules
	r := rand.New(rand.NewPCG(1, 2))
	o := newJSONOut("      ")
	for i := range 3000 {
		opts := Options{ConfigFile: []string{"", ".stowaway.yml", "../outside.yml", "conf dir/a:b.yml"}[i%4]}
		if i%3 == 0 {
			opts.Baseline = map[string]bool{}
		}
		opts = opts.withDefaults()
		f := randomFinding(r, rules)
		if opts.Baseline != nil && f.Fingerprint != "" && r.IntN(2) == 0 {
			opts.Baseline[f.Fingerprint] = true
		}
		var want bytes.Buffer
		if err := encode(&want, o.prefix(), result(f, i%7, rules, opts)); err != nil {
			t.Fatal(err)
		}
		o.b = o.b[:0]
		o.result(&f, i%7, rules, &opts)
		if got := string(o.b) + "\n"; got != want.String() {
			t.Fatalf("finding %#v:\n got %q\nwant %q", f, got, want.String())
		}
	}
}

// TestAppendString compares appendString with encoding/json on every
// character that is escaped and on random byte strings.
func TestAppendString(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var cases []string
	for c := range 256 {
		cases = append(cases, string([]byte{byte(c)}), "x"+string(rune(c))+"y")
	}
	cases = append(cases, hostile...)
	for range 5000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		cases = append(cases, string(b), randomText(r, 6))
	}
	for _, s := range cases {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(appendString(nil, s)) + "\n"; got != want.String() {
			t.Errorf("appendString(%q) = %q, want %q", s, got, want.String())
		}
	}
}

// TestPlainPath checks relativeURI's shortcut: a path it leaves as it is
// is one that escaping leaves as it is.
func TestPlainPath(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	cases := []string{"", ".", "..", "/", "/a", "a/", "a//b", "./a", "a/./b", "a/../b", "~", "-", "a.b/c_d~e-f", "c:", "%41"}
	for range 5000 {
		cases = append(cases, randomPath(r))
	}
	for _, p := range cases {
		if got, want := relativeURI(p), escapeURI(p); got != want {
			t.Errorf("relativeURI(%q) = %q, want %q", p, got, want)
		}
	}
}

// BenchmarkWrite writes a log of 4,000 findings, those of the fixture
// repeated in as many folders, as a monorepo's scan has them.
func BenchmarkWrite(b *testing.B) {
	fx := scantest.Fixture()
	res := &scan.Result{Rules: fx.Rules, Problems: fx.Problems}
	for i := 0; len(res.Findings) < 4000; i++ {
		for _, f := range fx.Findings {
			f.Path = fmt.Sprintf("services/svc-%04d/%s", i, f.Path)
			res.Findings = append(res.Findings, f)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, res, Options{Version: "v1.2.3"}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestJSONOutDeep checks the indentation of levels deeper than those that
// jsonOut keeps ready.
func TestJSONOutDeep(t *testing.T) {
	o := newJSONOut("\t ")
	var v any = "x"
	for range 16 {
		v = map[string]any{"k": v}
	}
	for range 16 {
		o.open('{')
		o.key("k")
	}
	o.str("x")
	for range 16 {
		o.close('}')
	}
	var want bytes.Buffer
	if err := encode(&want, "\t ", v); err != nil {
		t.Fatal(err)
	}
	if got := string(o.b) + "\n"; got != want.String() {
		t.Errorf("got %q\nwant %q", got, want.String())
	}
}
