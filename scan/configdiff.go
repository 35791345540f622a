package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/checks"
)

// CompareConfig checks the configuration a pull request proposes (the file
// name, with content src) against base, the configuration that governs the
// run (nil: the defaults), and returns a config-weakened finding for each
// change that lets more through, on the line that makes it. A file that does
// not parse is one finding at the line of the error. The base configuration
// may turn the rule off or change its level like any other. fsys, when not
// nil, is the tree the paths of the configuration are in: a change of
// targets is then judged by the stages that ship from the Dockerfile.
func CompareConfig(base *Config, name string, src []byte, fsys fs.FS) []Finding {
	if base == nil {
		base = &Config{}
	}
	rules, levels := base.rules([]*checks.Rule{checks.ConfigWeakened})
	if len(rules) == 0 {
		return nil
	}
	d := &configDiff{name: name, lines: checks.SplitLines(src), level: checks.ConfigWeakened.Level, fsys: fsys}
	if lv, ok := levels[checks.ConfigWeakened.ID]; ok {
		d.level = lv
	}
	head, err := ParseConfig(name, src)
	if err != nil {
		d.report(configErrorLine(err, d.lines), fmt.Sprintf("%s cannot be read (%s): once merged, every scan of the branch stops with this error", name, maskQuoted(strings.TrimPrefix(err.Error(), name+": "))),
			"Fix the file; `stowaway scan` reads it the same way and names the problem.", "parse")
		return d.out
	}
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) == nil && len(doc.Content) > 0 {
		d.root = doc.Content[0]
	}
	d.rules(base, head)
	d.secretWords(base, head)
	d.allowPaths(base, head)
	d.allowValues(base, head)
	d.contexts(base, head)
	d.targets(base, head)
	sortFindings(d.out)
	return d.out
}

// AddFindings puts findings made outside a scan (CompareConfig's) into the
// result, in the result's order, with their rules.
func (r *Result) AddFindings(fs []Finding) {
	if len(fs) == 0 {
		return
	}
	for _, f := range fs {
		if !slices.Contains(r.Rules, f.Rule) {
			r.Rules = append(r.Rules, f.Rule)
		}
	}
	r.Findings = append(r.Findings, fs...)
	sortFindings(r.Findings)
}

type configDiff struct {
	fsys  fs.FS // nil: Dockerfiles are not read
	name  string
	lines []string
	root  *yaml.Node // the document's top mapping; nil for an empty file
	level checks.Level
	out   []Finding
}

// report adds a finding on line (1 when the line is unknown); key tells the
// change apart from others on the same line, for the fingerprint.
func (d *configDiff) report(line int, msg, fix, key string) {
	if line < 1 || line > len(d.lines) {
		line = 1
	}
	f := Finding{
		RuleID: checks.ConfigWeakened.ID, Level: d.level, Path: d.name,
		Region:      resolve(d.lines, checks.Span{Line: line, EndLine: line}),
		Message:     msg,
		Fix:         fix,
		Fingerprint: fingerprint(checks.ConfigWeakened.ID, d.name, key, 0),
		Rule:        checks.ConfigWeakened,
	}
	if line <= len(d.lines) {
		f.Snippet, f.SnippetLine = maskTokens(d.lines[line-1]), line
	}
	d.out = append(d.out, f)
}

// node returns the value at a key path of the document, and the line of its
// key; the line of the deepest key found when the path stops short.
func (d *configDiff) node(keys ...string) (*yaml.Node, int) {
	n, line := d.root, 1
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil, line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next, line = n.Content[i+1], n.Content[i].Line
				break
			}
		}
		if next == nil {
			return nil, line
		}
		n = next
	}
	return n, line
}

// itemLine returns the line of the list item (or the scalar) equal to v
// under keys, else the line of the deepest key.
func (d *configDiff) itemLine(v string, keys ...string) int {
	n, line := d.node(keys...)
	if n == nil {
		return line
	}
	if n.Kind == yaml.ScalarNode {
		return n.Line
	}
	for _, it := range n.Content {
		if it.Kind == yaml.ScalarNode && it.Value == v {
			return it.Line
		}
	}
	return line
}

func ruleLevel(c *Config, r *checks.Rule) checks.Level {
	switch v := strings.ToLower(c.Rules[r.ID]); v {
	case "off":
		return 0
	case "", "on":
		return r.Level
	default:
		lv, _ := checks.ParseLevel(v)
		return lv
	}
}

func levelName(l checks.Level) string {
	if l == 0 {
		return "off"
	}
	return l.String()
}

func (d *configDiff) rules(base, head *Config) {
	for _, r := range checks.All() {
		was, now := ruleLevel(base, r), ruleLevel(head, r)
		if now >= was {
			continue
		}
		_, line := d.node("rules", r.ID)
		msg := fmt.Sprintf("rules: %s goes from %s to %s", r.ID, levelName(was), levelName(now))
		if now == 0 {
			msg = fmt.Sprintf("rules: %s is turned off (the base branch runs it at %s)", r.ID, levelName(was))
		}
		d.report(line, msg, "Keep the rule at its level; suppress a single reviewed finding with a `# stowaway:ignore` pragma and a reason instead.", "rules:"+r.ID)
	}
}

func (d *configDiff) secretWords(base, head *Config) {
	var gone []string
	for _, w := range base.SecretWords {
		if !slices.Contains(head.SecretWords, w) && !slices.Contains(gone, w) {
			gone = append(gone, w)
		}
	}
	if len(gone) == 0 {
		return
	}
	sort.Strings(gone)
	shown := make([]string, len(gone))
	for i, w := range gone {
		shown[i] = maskTokens(w)
	}
	_, line := d.node("secret-words")
	d.report(line, fmt.Sprintf("secret-words drops %s: names holding it are no longer secret-looking", strings.Join(shown, ", ")),
		"Keep the words of the base branch's configuration.", "secret-words:"+strings.Join(gone, ","))
}

func (d *configDiff) allowPaths(base, head *Config) {
	had := map[string]bool{}
	for _, p := range base.Allow.Paths {
		had[cleanPattern(p)] = true
	}
	has := map[string]bool{}
	for _, p := range head.Allow.Paths {
		has[cleanPattern(p)] = true
		if strings.HasPrefix(cleanPattern(p), "!") || had[cleanPattern(p)] {
			continue
		}
		d.report(d.itemLine(p, "allow", "paths"), fmt.Sprintf("allow.paths gains %s: the files it matches are no longer scanned", quote(maskTokens(p))),
			"Allow the narrowest path that holds the reviewed fixture, never a pattern that covers Dockerfiles or build contexts in general.", "allow.paths:"+p)
	}
	for _, p := range base.Allow.Paths {
		if !strings.HasPrefix(cleanPattern(p), "!") || has[cleanPattern(p)] {
			continue
		}
		_, line := d.node("allow", "paths")
		d.report(line, fmt.Sprintf("allow.paths drops the exception %s: the files it kept in the scan leave it", quote(maskTokens(p))),
			"Keep the exception of the base branch's configuration.", "allow.paths:"+p)
	}
}

// cleanPattern is an allow.paths pattern as the matcher reads it, so that
// `test/**/` and `test/**` are one pattern.
func cleanPattern(p string) string {
	p = strings.TrimSpace(p)
	neg := strings.HasPrefix(p, "!")
	p = path.Clean(strings.TrimPrefix(p, "!"))
	if neg {
		return "!" + p
	}
	return p
}

func (d *configDiff) allowValues(base, head *Config) {
	for _, v := range head.Allow.Values {
		if slices.Contains(base.Allow.Values, v) {
			continue
		}
		// The pattern may spell out the very secret it lets through.
		d.report(d.itemLine(v, "allow", "values"), fmt.Sprintf("allow.values gains a pattern (%s): values it matches are never reported", Redact(v)),
			"Allow only placeholder shapes anchored at both ends (`^dummy-[a-z]+$`); rotate a real credential instead of allowing it.", "allow.values:"+fingerprint("", "", v, 0))
	}
}

// contexts reports Dockerfiles that are no longer checked against a build
// context folder: one the base branch names, or the Dockerfile's own
// folder when it names none.
func (d *configDiff) contexts(base, head *Config) {
	for _, df := range unionKeys(base.Contexts, head.Contexts) {
		was, now := contextDirs(base, df), contextDirs(head, df)
		var gone []string
		for _, dir := range was {
			if !slices.Contains(now, dir) {
				gone = append(gone, quote(dir))
			}
		}
		if len(gone) == 0 {
			continue
		}
		d.report(d.keyLine("contexts", df), fmt.Sprintf("contexts: %s is no longer checked against the build context %s", quote(df), strings.Join(gone, ", ")),
			"Add folders to a Dockerfile's contexts; keep the ones it is built from.", "contexts:"+df)
	}
}

func contextDirs(c *Config, df string) []string {
	dirs := lookup(c.Contexts, df)
	if dirs == nil {
		return []string{path.Dir(df)}
	}
	out := make([]string, len(dirs))
	for i, dir := range dirs {
		out[i] = path.Clean(dir)
	}
	return out
}

// targets reports a change to the stages that count as built. With the
// Dockerfile at hand it is judged by what ships: a stage whose files, or
// whose config and history, reach an image under the base's targets but not
// under the pull request's. Without it, a stage dropped from a list, and a
// list that replaces (or returns to) the default, the last stage.
func (d *configDiff) targets(base, head *Config) {
	for _, df := range unionKeys(base.Targets, head.Targets) {
		was, now := lookup(base.Targets, df), lookup(head.Targets, df)
		if slices.Equal(was, now) {
			continue
		}
		var msg string
		lost, known := d.lostStages(df, was, now)
		switch {
		case known && len(lost) == 0:
			continue
		case known:
			msg = fmt.Sprintf("targets: with this change nothing of the stages %s of %s is checked as shipped any more", quoteAll(lost), quote(df))
		case was == nil:
			msg = fmt.Sprintf("targets: %s now names the stages that are built (%s) instead of its last stage: stages it leaves out are no longer checked as shipped", quote(df), quoteAll(now))
		case now == nil:
			msg = fmt.Sprintf("targets: %s no longer names the stages that are built (%s): only its last stage is checked as shipped", quote(df), quoteAll(was))
		default:
			var gone []string
			for _, s := range was {
				if !slices.Contains(now, s) {
					gone = append(gone, s)
				}
			}
			if len(gone) == 0 {
				continue
			}
			msg = fmt.Sprintf("targets: %s drops the stages %s: they are no longer checked as shipped", quote(df), quoteAll(gone))
		}
		d.report(d.keyLine("targets", df), msg, "Name every stage the repository builds and ships.", "targets:"+df)
	}
}

// lostStages parses the Dockerfile df with both lists of targets and returns
// the stages that ship less under now than under was; known is false when
// the Dockerfile cannot be read or parsed.
func (d *configDiff) lostStages(df string, was, now []string) (lost []string, known bool) {
	if d.fsys == nil {
		return nil, false
	}
	src, prob := readFile(d.fsys, df)
	if prob != nil {
		return nil, false
	}
	before, err := checks.ParseDockerfile(df, src, was)
	if err != nil {
		return nil, false
	}
	after, err := checks.ParseDockerfile(df, src, now)
	if err != nil || len(after.Stages) != len(before.Stages) {
		return nil, false
	}
	for i, s := range before.Stages {
		t := after.Stages[i]
		if s.Shipped && !t.Shipped || s.Inherited && !t.Inherited {
			name := s.Name
			if name == "" {
				name = strconv.Itoa(s.Index)
			}
			lost = append(lost, name)
		}
	}
	return lost, true
}

// keyLine is the line of a path-keyed entry of a section, else of the
// section.
func (d *configDiff) keyLine(section, key string) int {
	n, line := d.node(section)
	if n == nil || n.Kind != yaml.MappingNode {
		return line
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if path.Clean(n.Content[i].Value) == key {
			return n.Content[i].Line
		}
	}
	return line
}

// unionKeys returns the cleaned keys of both sections, sorted.
func unionKeys(a, b map[string]stringList) []string {
	seen := map[string]bool{}
	for _, m := range []map[string]stringList{a, b} {
		for k := range m {
			seen[path.Clean(k)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func quote(s string) string { return strconv.Quote(s) }

func quoteAll(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote(maskTokens(s))
	}
	return strings.Join(out, ", ")
}

// maskTokens redacts the known token formats in text from the pull request.
func maskTokens(s string) string {
	toks := checks.FindTokens(s)
	for i := len(toks) - 1; i >= 0; i-- {
		t := toks[i]
		s = s[:t.Start] + Redact(t.Secret) + s[t.End:]
	}
	return s
}

var (
	configLineRE = regexp.MustCompile(`\bline (\d+)\b`)
	plainWords   = regexp.MustCompile(`^[a-z][a-z -]*$`)
	quotedRE     = regexp.MustCompile("`[^`]*`|\"(?:[^\"\\\\]|\\\\.)*\"")
)

// configErrorLine is the line a YAML error names, else the first line that
// holds what a validation error quotes (an unknown rule ID), else 0.
func configErrorLine(err error, lines []string) int {
	// The error as the parser wrote it, before its words were redacted for
	// display: its quoted text finds the line.
	var ce *configError
	if errors.As(err, &ce) {
		err = ce.err
	}
	msg := err.Error()
	if m := configLineRE.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	if q := quotedRE.FindString(msg); q != "" {
		inner := q[1 : len(q)-1]
		if u, err := strconv.Unquote(q); err == nil {
			inner = u
		}
		for i, l := range lines {
			if inner != "" && strings.Contains(l, inner) && !strings.HasPrefix(strings.TrimSpace(l), "#") {
				return i + 1
			}
		}
	}
	return 0
}

// maskQuoted redacts what an error quotes from the file (a regular
// expression that does not compile may spell out a secret), except short
// words such as a misspelt key, a rule ID or `stowaway rules`.
func maskQuoted(s string) string {
	s = quotedRE.ReplaceAllStringFunc(s, func(q string) string {
		inner := q[1 : len(q)-1]
		if plainWords.MatchString(inner) || len(inner) < 12 && !strings.ContainsAny(inner, `\^$*+?()[]{}|`) {
			return q
		}
		return q[:1] + Redact(inner) + q[len(q)-1:]
	})
	return maskTokens(s)
}
