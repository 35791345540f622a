package checks

// gitleaks' default rules are read from its own rule file and matched here,
// as its detector matches them, without the detector: gitleaks' config and
// detect packages also link viper and its decoders, archive readers and
// git sources, which a scan never runs, and building their configuration
// compiles every regexp of the rule set at each process start. Here a
// rule's regexp is compiled when its keyword first occurs in a text.
// TestTokenMatchesGitleaks compares the findings with gitleaks' detector.

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// gitleaksTOML is gitleaks' default configuration, config/gitleaks.toml of
// the version go.mod requires, byte for byte (gitleaks.toml.LICENSE):
// gitleaks embeds it in its config package, which links viper.
// TestGitleaksRulesCopy keeps the copy in step with go.mod.
//
//go:embed gitleaks.toml
var gitleaksTOML string

// gitleaksFile is the part of gitleaks' configuration format that the
// default rules use (config.ViperConfig). Loading fails on any other key,
// so a new feature of the rule file is not silently ignored.
type gitleaksFile struct {
	Title      string `toml:"title"`
	MinVersion string `toml:"minVersion"`
	// AllowList is the older spelling of Allowlists, which the default
	// configuration still uses for its global allowlist.
	AllowList  *gitleaksAllowlist  `toml:"allowlist"`
	Allowlists []gitleaksAllowlist `toml:"allowlists"`
	Rules      []gitleaksRule      `toml:"rules"`
}

type gitleaksRule struct {
	ID          string              `toml:"id"`
	Description string              `toml:"description"`
	Regex       string              `toml:"regex"`
	Path        string              `toml:"path"`
	SecretGroup int                 `toml:"secretGroup"`
	Entropy     float64             `toml:"entropy"`
	Keywords    []string            `toml:"keywords"`
	Tags        []string            `toml:"tags"`
	AllowList   *gitleaksAllowlist  `toml:"allowlist"`
	Allowlists  []gitleaksAllowlist `toml:"allowlists"`
}

type gitleaksAllowlist struct {
	Description string   `toml:"description"`
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`
	Commits     []string `toml:"commits"`
	// TargetRules, on a global allowlist, makes it an allowlist of these
	// rules only.
	TargetRules []string `toml:"targetRules"`
}

// tokenRule is one gitleaks rule, matched as gitleaks' detector matches it.
type tokenRule struct {
	id      string
	kind    string // short token kind, for messages
	pattern string // "" for a rule of paths only
	// pathScoped reports a rule that matches only in files whose path
	// matches its own pattern.
	pathScoped  bool
	secretGroup int
	entropy     float64
	keywords    []string // lower case
	allowlists  []*tokenAllowlist

	once sync.Once
	re   *regexp.Regexp
}

func (r *tokenRule) regexp() *regexp.Regexp {
	r.once.Do(func() { r.re = regexp.MustCompile(r.pattern) })
	return r.re
}

// tokenAllowlist is a gitleaks allowlist, without what a text alone cannot
// match (a path, a commit).
type tokenAllowlist struct {
	and    bool   // all its conditions must hold, not one
	target string // what the regexes read: "" the secret, "match" or "line"
	// pattern is the regexes joined into one alternation, as gitleaks joins
	// them; "" when there are none.
	pattern   string
	stopWords []string // lower case
	// scoped reports paths or commits: a text has neither, so an allowlist
	// that needs all of its conditions never holds.
	scoped bool

	once sync.Once
	re   *regexp.Regexp
}

func (a *tokenAllowlist) allows(secret, match, line string) bool {
	target := secret
	switch a.target {
	case "match":
		target = match
	case "line":
		target = line
	}
	regexAllowed := a.pattern != "" && target != "" && a.regexp().MatchString(target)
	stopped := false
	lower := strings.ToLower(secret)
	for _, w := range a.stopWords {
		if strings.Contains(lower, w) {
			stopped = true
			break
		}
	}
	if !a.and {
		return regexAllowed || stopped
	}
	return !a.scoped && (a.pattern == "" || regexAllowed) && (len(a.stopWords) == 0 || stopped)
}

func (a *tokenAllowlist) regexp() *regexp.Regexp {
	a.once.Do(func() { a.re = regexp.MustCompile(a.pattern) })
	return a.re
}

// tokenRuleSet is the loaded rule file: its rules by ID and the allowlists
// that apply to every rule.
type tokenRuleSet struct {
	rules  map[string]*tokenRule
	global []*tokenAllowlist
}

// loadTokenRules reads a gitleaks rule file as gitleaks' config package
// translates it, compiling nothing. A rule that needs another rule's
// finding nearby, or only serves another, is refused: the default rules
// have none.
func loadTokenRules(file string) (*tokenRuleSet, error) {
	var f gitleaksFile
	md, err := toml.Decode(file, &f)
	if err != nil {
		return nil, err
	}
	if u := md.Undecoded(); len(u) > 0 {
		return nil, fmt.Errorf("unsupported keys in gitleaks rules: %v", u)
	}
	set := &tokenRuleSet{rules: make(map[string]*tokenRule, len(f.Rules))}
	for _, def := range f.Rules {
		if def.ID == "" {
			return nil, errors.New("gitleaks rule without id")
		}
		if _, dup := set.rules[def.ID]; dup {
			return nil, fmt.Errorf("gitleaks rule %s: defined twice", def.ID)
		}
		r := &tokenRule{
			id:          def.ID,
			kind:        tokenKind(def.ID, def.Description),
			pattern:     def.Regex,
			pathScoped:  def.Path != "",
			secretGroup: def.SecretGroup,
			entropy:     def.Entropy,
		}
		for _, k := range def.Keywords {
			r.keywords = append(r.keywords, strings.ToLower(k))
		}
		defs, err := allowlistDefs(def.Allowlists, def.AllowList)
		if err != nil {
			return nil, fmt.Errorf("gitleaks rule %s: %w", def.ID, err)
		}
		for _, d := range defs {
			a, err := newTokenAllowlist(d)
			if err != nil {
				return nil, fmt.Errorf("gitleaks rule %s: %w", def.ID, err)
			}
			r.allowlists = append(r.allowlists, a)
		}
		set.rules[def.ID] = r
	}
	globals, err := allowlistDefs(f.Allowlists, f.AllowList)
	if err != nil {
		return nil, fmt.Errorf("gitleaks global allowlists: %w", err)
	}
	for _, d := range globals {
		a, err := newTokenAllowlist(d)
		if err != nil {
			return nil, fmt.Errorf("gitleaks global allowlist: %w", err)
		}
		if len(d.TargetRules) == 0 {
			set.global = append(set.global, a)
			continue
		}
		for _, id := range d.TargetRules {
			r, ok := set.rules[id]
			if !ok {
				return nil, fmt.Errorf("gitleaks allowlist targets unknown rule %s", id)
			}
			r.allowlists = append(r.allowlists, a)
		}
	}
	return set, nil
}

// allowlistDefs returns the allowlists spelled either way; gitleaks refuses
// both spellings together.
func allowlistDefs(lists []gitleaksAllowlist, older *gitleaksAllowlist) ([]gitleaksAllowlist, error) {
	if older == nil {
		return lists, nil
	}
	if len(lists) > 0 {
		return nil, errors.New("[allowlist] cannot be used alongside [[allowlists]]")
	}
	return []gitleaksAllowlist{*older}, nil
}

func newTokenAllowlist(d gitleaksAllowlist) (*tokenAllowlist, error) {
	a := &tokenAllowlist{scoped: len(d.Paths) > 0 || len(d.Commits) > 0}
	switch strings.ToUpper(d.Condition) {
	case "AND", "&&":
		a.and = true
	case "", "OR", "||":
	default:
		return nil, fmt.Errorf("unknown allowlist condition %q", d.Condition)
	}
	switch d.RegexTarget {
	case "", "secret":
	case "match", "line":
		a.target = d.RegexTarget
	default:
		return nil, fmt.Errorf("unknown allowlist regexTarget %q", d.RegexTarget)
	}
	if len(d.Regexes) > 0 {
		a.pattern = "(?:" + strings.Join(d.Regexes, "|") + ")"
	}
	seen := map[string]bool{}
	for _, w := range d.StopWords {
		if w = strings.ToLower(w); !seen[w] {
			seen[w] = true
			a.stopWords = append(a.stopWords, w)
		}
	}
	if !a.scoped && a.pattern == "" && len(a.stopWords) == 0 {
		return nil, errors.New("empty allowlist")
	}
	return a, nil
}

// tokenMatch is a finding of a rule in a text, by byte offsets.
type tokenMatch struct {
	// from is where the rule's regexp matched; gitleaks trims newlines
	// around the match, which then spans [matchStart, matchEnd).
	from, matchStart, matchEnd int
	start, end                 int // the secret
}

// allowSignature on the line of a match makes gitleaks skip it.
const allowSignature = "gitleaks:allow"

// matches returns the findings of r in text, as gitleaks' detector finds
// them in a text without a path or commit: the secret is the rule's secret
// group of the match, else its first non-empty group, else the match; it
// must pass the rule's entropy threshold and no allowlist may hold.
func (r *tokenRule) matches(text string, global []*tokenAllowlist) []tokenMatch {
	if r.pattern == "" {
		return nil
	}
	re := r.regexp()
	var found []tokenMatch
	for _, m := range re.FindAllStringIndex(text, -1) {
		raw := text[m[0]:m[1]]
		match := strings.Trim(raw, "\n")
		at := m[0] + len(raw) - len(strings.TrimLeft(raw, "\n"))
		// gitleaks ends the match where its trimmed text would end if it
		// began where the regexp's match began.
		line := gitleaksLine(text, m[0], m[0]+len(match))
		if strings.Contains(line, allowSignature) {
			continue
		}
		// Groups come from matching the trimmed match again, alone.
		s, e := 0, len(match)
		if g := re.FindStringSubmatchIndex(match); len(g) >= 4 {
			if r.secretGroup > 0 {
				if len(g)/2 <= r.secretGroup {
					continue
				}
				s, e = g[2*r.secretGroup], g[2*r.secretGroup+1]
			} else {
				for i := 2; i < len(g); i += 2 {
					if g[i+1] > g[i] {
						s, e = g[i], g[i+1]
						break
					}
				}
			}
		}
		if s < 0 || s == e {
			continue // no secret to report
		}
		secret := match[s:e]
		if r.entropy != 0 && gitleaksEntropy(secret) <= r.entropy {
			continue
		}
		if anyAllows(global, secret, match, line) || anyAllows(r.allowlists, secret, match, line) {
			continue
		}
		found = append(found, tokenMatch{from: m[0], matchStart: at, matchEnd: at + len(match), start: at + s, end: at + e})
	}
	return found
}

func anyAllows(lists []*tokenAllowlist, secret, match, line string) bool {
	for _, a := range lists {
		if a.allows(secret, match, line) {
			return true
		}
	}
	return false
}

// gitleaksLine returns what gitleaks takes for the line of a match over
// [start, end) of text, which its allow signature and allowlists of
// lines read: from the newline before start (or the start of text) to the
// newline after end; when start is past the last newline, from the start of
// text to the end of the line, which a carriage return also ends.
func gitleaksLine(text string, start, end int) string {
	last := strings.LastIndexByte(text, '\n')
	if last < 0 {
		return text
	}
	if start >= last {
		i := end
		for i < len(text) && text[i] != '\n' && text[i] != '\r' {
			i++
		}
		return text[:i]
	}
	from := max(strings.LastIndexByte(text[:start+1], '\n'), 0)
	to := end
	if i := strings.IndexByte(text[end:], '\n'); i >= 0 {
		to = end + i
	}
	return text[from:to]
}

// gitleaksEntropy is gitleaks' Shannon entropy of s: over its runes, with
// frequencies relative to its length in bytes.
func gitleaksEntropy(s string) float64 {
	if s == "" {
		return 0
	}
	counts := map[rune]int{}
	for _, r := range s {
		counts[r]++
	}
	inv := 1 / float64(len(s))
	entropy := 0.0
	for _, r := range slices.Sorted(maps.Keys(counts)) {
		freq := float64(counts[r]) * inv
		entropy -= freq * math.Log2(freq)
	}
	return entropy
}
