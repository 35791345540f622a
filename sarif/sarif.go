package sarif

// What GitHub code scanning and the SARIF Multitool expect, and how this file
// meets it:
//
//   - GitHub needs tool.driver.rules, a results array (even empty), a ruleId
//     on every result, and a physical location with a relative uri and a
//     region whose startLine is set. A finding without a line is placed on
//     line 1, where GitHub can show it.
//   - The Multitool (SARIF2005) wants driver.version to start with a
//     digit, so "v1.4.0" is written "1.4.0" and a development build
//     "0.0.0-devel".
//   - GitHub reads security-severity only from rules tagged "security", so
//     that tag is added to every rule.
//   - GitHub's category is runAutomationDetails.id up to its last slash;
//     results of runs with different categories never close each other.
//   - partialFingerprints are GitHub's way to follow an alert across line
//     shifts; ours hash the rule, the path and the normalised instruction.
//     The same fingerprints match results with a baseline's, which sets
//     baselineState on every result (SARIF wants all or none).
//   - SARIF asks for messages that are complete sentences ending with a
//     period (§3.11.5); Stowaway's messages elsewhere have none, so one is
//     added here.
//   - go-sarif v2.3.3 marshals a suppression's status, location and guid as
//     null when they are unset. The Multitool reads null as absent, but the
//     schema allows no null and GitHub's upload checks the JSON as written,
//     so all three are always set.
//   - Findings carry no code snippet: the file holds the secret and the
//     snippet is redacted, so it would not match the text of the region that
//     consumers compare it with.
//   - Related locations have the regions the engine resolved
//     (Related.Region), columns in UTF-16 code units as the result's own;
//     none at all for a related file as a whole (the secret file that would
//     be shipped). A finding made outside the engine (an image's) has lines
//     only.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// ToolName is the driver's name in every log.
const ToolName = "stowaway"

// SourceRoot is the uriBaseId that every location is relative to: the
// folder that result paths are relative to, the repository root in CI.
const SourceRoot = "%SRCROOT%"

// FingerprintKey names Stowaway's partial fingerprint. Its version changes
// when the fingerprint's recipe does, so that old alerts are not matched with
// a different hash.
const FingerprintKey = "stowaway/v1"

// DefaultInformationURI is the driver's informationUri when Options leaves
// it empty.
const DefaultInformationURI = "https://github.com/stowaway-dev/stowaway"

// Options describe the tool and the run.
type Options struct {
	// Version is the tool's version, such as "1.4.0" or Go's "v1.4.0";
	// "" or "(devel)" writes "0.0.0-devel".
	Version string
	// InformationURI is the tool's home page; "" writes DefaultInformationURI.
	InformationURI string
	// Category keeps GitHub alerts of this run apart from those of other
	// runs on the same commit (for example one per monorepo service); ""
	// is "stowaway".
	Category string
	// ID tells runs of one category apart; it may be empty.
	ID string
	// ConfigFile is the slash path, relative to the source root, of the
	// configuration file where external suppressions live; "" is
	// scan.ConfigFile.
	ConfigFile string
	// Baseline, when not nil, holds the fingerprints of an earlier run's
	// findings: every result gets a baselineState, "unchanged" when its
	// fingerprint is there and "new" when not.
	Baseline map[string]bool
}

// Write writes res as an indented SARIF 2.1.0 log with one run.
func Write(w io.Writer, res *scan.Result, opts Options) error {
	return res.Stream(NewWriter(w, opts))
}

// Writer writes the SARIF log of a scan as it goes: a scan.Sink. The log
// is byte for byte what one json.Encoder writes for the whole log. Its
// run's invocation, which holds the problems, comes before the results,
// and the problems are known only at the end: the results are encoded as
// they come into a spool (a temporary file, or memory when none can be
// made), and the log is written around them at the end.
type Writer struct {
	w      io.Writer
	opts   Options
	rules  []*checks.Rule // the Result's, then those only findings name
	index  map[string]int // of each rule ID in rules
	indent string         // of the results array in the log
	spool  spool
	n      int
	item   jsonOut // a result's encoding, its prefix that of the results
}

// NewWriter returns the Writer of a log to w.
func NewWriter(w io.Writer, opts Options) *Writer {
	return &Writer{w: w, opts: opts.withDefaults()}
}

// emptyResults is where the results go in the log: the run's results are
// its only "results" member.
const emptyResults = `"results": []`

// Begin opens the spool of the results.
func (sw *Writer) Begin(head *scan.Result) error {
	sw.index = map[string]int{}
	for _, r := range head.Rules {
		if _, dup := sw.index[r.ID]; !dup {
			sw.index[r.ID] = len(sw.rules)
			sw.rules = append(sw.rules, r)
		}
	}
	// The indent of the results depends on the log's shape alone.
	frame, err := sw.frame(nil)
	if err != nil {
		return err
	}
	at := bytes.Index(frame, []byte(emptyResults))
	sw.indent = string(frame[bytes.LastIndexByte(frame[:at], '\n')+1 : at])
	sw.item = newJSONOut(sw.indent + "  ")
	sw.spool.open()
	return nil
}

// Finding encodes f into the spool.
func (sw *Writer) Finding(f scan.Finding) error {
	// A finding of a rule that the Result does not list (the engine's own
	// pragma checks, say) still needs a descriptor for its ruleIndex.
	if _, ok := sw.index[f.RuleID]; !ok {
		if f.Rule == nil || f.Rule.ID != f.RuleID {
			return fmt.Errorf("finding at %s:%d: unknown rule %q", f.Path, f.Region.StartLine, f.RuleID)
		}
		sw.index[f.RuleID] = len(sw.rules)
		sw.rules = append(sw.rules, f.Rule)
	}
	o := &sw.item
	o.b = o.b[:0]
	if sw.n > 0 {
		o.b = append(o.b, ',')
	}
	sw.n++
	o.newline()
	o.result(&f, sw.index[f.RuleID], sw.rules, &sw.opts)
	_, err := sw.spool.Write(o.b)
	return err
}

// End writes the log around the spooled results.
func (sw *Writer) End(rest *scan.Result) error {
	defer sw.spool.close()
	frame, err := sw.frame(rest.Problems)
	if err != nil {
		return err
	}
	at := bytes.Index(frame, []byte(emptyResults))
	if sw.n == 0 {
		_, err := sw.w.Write(frame)
		return err
	}
	bw := bufio.NewWriter(sw.w)
	bw.Write(frame[:at+len(emptyResults)-1])
	if err := sw.spool.copyTo(bw); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	bw.WriteString("\n" + sw.indent + "]")
	bw.Write(frame[at+len(emptyResults):])
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return nil
}

// frame is the log without its results.
func (sw *Writer) frame(problems []scan.Problem) ([]byte, error) {
	log, err := build(sw.rules, problems, sw.opts)
	if err != nil {
		return nil, err
	}
	var frame bytes.Buffer
	if err := encode(&frame, "", log); err != nil {
		return nil, fmt.Errorf("writing SARIF: %w", err)
	}
	return frame.Bytes(), nil
}

// encode writes v as the indented JSON of the log at the given indent.
func encode(w io.Writer, indent string, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent(indent, "  ")
	// Messages quote Dockerfile text such as <none> and &&; escaping them
	// as \u003c would only make the log harder to read.
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func (opts Options) withDefaults() Options {
	opts.Version = version(opts.Version)
	if opts.InformationURI == "" {
		opts.InformationURI = DefaultInformationURI
	}
	if opts.Category == "" {
		opts.Category = ToolName
	}
	if opts.ConfigFile == "" {
		opts.ConfigFile = scan.ConfigFile
	}
	return opts
}

// build makes the log without its results (Writer adds them).
func build(rules []*checks.Rule, problems []scan.Problem, opts Options) (*sarif.Report, error) {
	log, err := sarif.New(sarif.Version210)
	if err != nil {
		return nil, err
	}

	driver := sarif.NewVersionedDriver(ToolName, opts.Version).WithInformationURI(opts.InformationURI)
	for _, r := range rules {
		driver.Rules = append(driver.Rules, descriptor(r))
	}

	run := sarif.NewRun(sarif.Tool{Driver: driver})
	run.ColumnKind = "utf16CodeUnits"
	run.OriginalUriBaseIDs = map[string]*sarif.ArtifactLocation{
		SourceRoot: {Description: sarif.NewTextMessage("The folder that result paths are relative to: the repository root in CI.")},
	}
	run.AutomationDetails = sarif.NewRunAutomationDetails().WithID(opts.Category + "/" + opts.ID)
	run.Results = []*sarif.Result{}
	inv := sarif.NewInvocation().WithExecutionSuccess(true)
	for _, p := range problems {
		inv.AddTToolExecutionNotification(notification(p))
	}
	run.AddInvocations(inv)
	log.AddRun(run)
	return log, nil
}

// version makes v start with a digit: Go's "v1.4.0" is "1.4.0", and a
// version without a number ("", "(devel)") is a 0.0.0 pre-release.
func version(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	if v != "" && v[0] >= '0' && v[0] <= '9' {
		return v
	}
	tag := strings.Trim(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, v), "-.")
	if tag == "" {
		tag = "devel"
	}
	return "0.0.0-" + tag
}

func descriptor(r *checks.Rule) *sarif.ReportingDescriptor {
	tags := append([]string(nil), r.Tags...)
	if !slices.Contains(tags, "security") {
		tags = append([]string{"security"}, tags...)
	}
	d := sarif.NewRule(r.ID).
		WithName(r.Name).
		WithShortDescription(sarif.NewMultiformatMessageString(sentence(r.Summary))).
		WithFullDescription(sarif.NewMultiformatMessageString(sentence(fullDescription(r)))).
		WithTextHelp(r.Help).
		WithMarkdownHelp(r.Help).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(r.Level.String()))
	d.Properties = sarif.Properties{
		"tags":              tags,
		"precision":         r.Precision,
		"security-severity": r.SecuritySeverity,
	}
	return d
}

// fullDescription is the first paragraph of the rule's documentation (the
// one under its title), or its summary when the documentation has none.
func fullDescription(r *checks.Rule) string {
	for _, para := range strings.Split(strings.ReplaceAll(r.Help, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" || strings.HasPrefix(para, "#") || strings.HasPrefix(para, "```") {
			continue
		}
		return strings.Join(strings.Fields(para), " ")
	}
	return r.Summary
}

func notification(p scan.Problem) *sarif.Notification {
	lvl := p.Level
	if lvl == 0 {
		lvl = checks.Warning
	}
	n := sarif.NewNotification().WithLevel(lvl.String()).WithTextMessage(sentence(p.Message))
	if p.Path != "" {
		n.AddLocation(sarif.NewLocationWithPhysicalLocation(
			sarif.NewPhysicalLocation().WithArtifactLocation(artifact(p.Path))))
	}
	return n
}

func artifact(p string) *sarif.ArtifactLocation {
	return sarif.NewSimpleArtifactLocation(relativeURI(p)).WithUriBaseId(SourceRoot)
}

// relativeURI turns a slash path into a relative URI reference: every
// segment percent-encoded, and ":" too, so that a first segment such as
// "c:" is not read as a scheme.
func relativeURI(p string) string {
	if plainPath(p) {
		return p
	}
	return escapeURI(p)
}

// escapeURI is relativeURI done in full.
func escapeURI(p string) string {
	segs := strings.Split(path.Clean(p), "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/")
}

// plainPath reports a clean path of letters, digits and "-._~/" alone,
// which relativeURI leaves as it is: most are.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
			return false
		}
	}
	return p != "" && path.Clean(p) == p
}

func isLocal(p string) bool {
	return p != "" && !path.IsAbs(p) && path.Clean(p) != ".." && !strings.HasPrefix(path.Clean(p), "../")
}

// sentence ends s with a period unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}
