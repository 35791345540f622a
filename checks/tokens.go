package checks

// Known token formats come from gitleaks' maintained default rule set, used
// as a library. Three things about gitleaks shape this file:
//   - Its Detector keeps findings and a commit map, but only DetectSource and
//     AddFinding touch them; Detect/DetectString only read the config and add
//     to an atomic byte counter, so one detector serves every goroutine
//     (TestFindTokensConcurrent, under -race).
//   - It logs through a package-level zerolog logger that writes to stderr;
//     it is replaced by a no-op logger before the first detector is built.
//   - Detect walks all its rules on each call and runs the regexps of those
//     whose keywords occur in the text. Some keywords are common substrings
//     ("ey" for JSON Web Tokens, "s." for Vault tokens), and their regexps
//     over long RUN instructions are most of the cost. So each rule gets a
//     detector of its own, and a keyword automaton of ours picks the ones to
//     run: none for 89% of the instructions of real Dockerfiles, and with a
//     narrower keyword where the regexp implies one (BenchmarkFindTokens).

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	"github.com/zricethezav/gitleaks/v8/report"
)

// Token is a known token format found in a text.
type Token struct {
	RuleID      string // gitleaks rule ID, e.g. "github-pat"
	Description string // e.g. "GitHub Personal Access Token"
	Secret      string // the matched secret
	Start, End  int    // byte offsets of Secret in the text
	// Prefixed reports a token that carries its format's mark (ghp_, AKIA,
	// xoxb-, a BEGIN line): one of its rule's keywords is inside the secret,
	// not only next to it (a vendor's name before 32 hex digits). Only such
	// a token is a leak of the repository by itself, wherever it is written.
	Prefixed bool
}

// FindTokens returns the known token formats in text, ordered by offset,
// without overlaps. It is safe for concurrent use.
func FindTokens(text string) []Token {
	return tokenFinder().find(text)
}

// excludedTokenRules are default gitleaks rules that are not known token
// formats, with the reason. Generic and context rules match a secret-named
// assignment or a command shape, which our own name and value logic decides
// with its placeholder and reference filters; public keys and identifiers
// are not secrets. Rules scoped to a file path (nuget.config, *.tf, *.yaml,
// *.php, *.p12) are dropped separately: FindTokens has no path, so they
// would never match.
var excludedTokenRules = map[string]string{
	"generic-api-key":        "generic secret-named assignment with entropy",
	"curl-auth-header":       "curl command shape, read by hardcoded-secret's header logic",
	"curl-auth-user":         "curl command shape, read by hardcoded-secret's -u logic",
	"adobe-client-id":        "client identifier",
	"asana-client-id":        "client identifier",
	"bitbucket-client-id":    "client identifier",
	"discord-client-id":      "client identifier",
	"linkedin-client-id":     "client identifier",
	"looker-client-id":       "client identifier",
	"messagebird-client-id":  "client identifier",
	"plaid-client-id":        "client identifier",
	"new-relic-user-api-id":  "account identifier",
	"sendbird-access-id":     "application identifier",
	"sumologic-access-id":    "access identifier",
	"flutterwave-public-key": "public key",
	"lob-pub-api-key":        "publishable key",
	"mailgun-pub-key":        "public validation key",
	"kubernetes-secret-yaml": "path-scoped (*.yaml)",
	"hashicorp-tf-password":  "path-scoped (*.tf, *.hcl)",
	"nuget-config-password":  "path-scoped (nuget.config)",
	"freemius-secret-key":    "path-scoped (*.php)",
	"pkcs12-file":            "path-only rule (*.p12, *.pfx)",
}

// narrowerKeywords replace the keywords of rules whose gitleaks keyword is a
// common substring, by one their regexp implies: a JSON Web Token's payload
// starts with ".ey", so "ey" (in key, they, keyserver) need not run the jwt
// regexp, the costliest of the rule set over long RUN instructions.
var narrowerKeywords = map[string][]string{"jwt": {".ey"}}

// keywordGuards are cheap conditions that a rule's regexp implies when the
// text holds one of its keywords: a text where the guard fails cannot match,
// so the regexp is not run. Vault's "s." is in 8% of the instructions of real
// Dockerfiles (apt-get's "ubuntu.s.", "*.so.s." ...) and ran the costliest
// regexp of the scan; its short token is "s." then 24 letters or digits
// (hvs. tokens have their own keyword).
var keywordGuards = map[string]map[string]func(string) bool{
	"vault-service-token": {"s.": hasShortVaultToken},
}

// hasShortVaultToken reports "s." followed by 24 runes that are ASCII letters
// or digits, or not ASCII (case folding of (?i:[a-z0-9]) admits ſ and the
// Kelvin sign; admitting every non-ASCII rune keeps the guard a superset).
func hasShortVaultToken(text string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], "s.")
		if j < 0 {
			return false
		}
		i += j + 2
		n := 0
		for _, r := range text[i:] {
			if !(r >= 0x80 || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				break
			}
			if n++; n == 24 {
				return true
			}
		}
		i--
	}
}

// tokenKindOverrides names the token of rules whose gitleaks description is
// not of the form "Found a <kind>, ...".
var tokenKindOverrides = map[string]string{
	"aws-access-token":                       "AWS access key ID",
	"aws-amazon-bedrock-api-key-long-lived":  "Amazon Bedrock API key",
	"aws-amazon-bedrock-api-key-short-lived": "Amazon Bedrock API key",
	"cisco-meraki-api-key":                   "Cisco Meraki API key",
	"clickhouse-cloud-api-secret-key":        "ClickHouse Cloud API secret key",
	"private-key":                            "private key",
	"sourcegraph-access-token":               "Sourcegraph access token",
}

type tokenScanner struct {
	// all holds every kept rule: FindTokens without the prefilter.
	all *lazyDetector
	// keywords holds every lower-case keyword of the kept rules, byKeyword
	// the detectors of the rules that have it; keywords is nil when the
	// prefilter is off.
	keywords  *keywordIndex
	words     []string // the keywords by their index in keywords
	byKeyword map[string][]keywordDetector
	// always are the detectors of rules without keywords, run on every text.
	always []*lazyDetector
	kinds  map[string]string // rule ID -> short token kind
	// marks are each rule's lower-case keywords, for Token.Prefixed.
	marks map[string][]string
}

var (
	tokensOnce  sync.Once
	tokensVal   *tokenScanner
	silenceOnce sync.Once
)

func tokenFinder() *tokenScanner {
	tokensOnce.Do(func() { tokensVal = newTokenScanner(true) })
	return tokensVal
}

// newTokenScanner loads gitleaks' default rules without the excluded ones.
// The configuration is embedded in gitleaks, so an error is a programming
// error and panics. prefilter false runs gitleaks' own detector alone, for
// measurements.
func newTokenScanner(prefilter bool) *tokenScanner {
	silenceOnce.Do(func() { logging.Logger = zerolog.Nop() })
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		panic(fmt.Sprintf("checks: loading gitleaks' default rules: %v", err))
	}
	rules := make(map[string]config.Rule, len(d.Config.Rules))
	for id, r := range d.Config.Rules {
		if _, ok := excludedTokenRules[id]; ok || r.Path != nil || r.Regex == nil {
			continue
		}
		rules[id] = r
	}
	// The detectors keep base, not gitleaks' full rule map: the excluded
	// generic-api-key rule holds a stop-word trie of 8 MiB.
	base := d.Config
	base.Rules = nil
	s := &tokenScanner{all: ruleDetector(base, rules), kinds: map[string]string{}, marks: map[string][]string{}}
	for id, r := range rules {
		s.kinds[id] = tokenKind(id, r.Description)
		for _, k := range r.Keywords {
			s.marks[id] = append(s.marks[id], strings.ToLower(k))
		}
	}
	if !prefilter {
		return s
	}
	s.byKeyword = map[string][]keywordDetector{}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the order findings come in, before dropOverlaps
	for _, id := range ids {
		r := rules[id]
		one := map[string]config.Rule{id: r}
		for _, req := range r.RequiredRules {
			if rr, ok := d.Config.Rules[req.RuleID]; ok {
				one[req.RuleID] = rr
			}
		}
		rd := ruleDetector(base, one)
		if len(r.Keywords) == 0 {
			s.always = append(s.always, rd)
		}
		keywords := r.Keywords
		if nk, ok := narrowerKeywords[id]; ok {
			keywords = nk
		}
		for _, k := range keywords {
			k = strings.ToLower(k)
			s.byKeyword[k] = append(s.byKeyword[k], keywordDetector{rd, keywordGuards[id][k]})
		}
	}
	words := make([]string, 0, len(s.byKeyword))
	for k := range s.byKeyword {
		words = append(words, k)
	}
	sort.Strings(words)
	s.keywords = newKeywordIndex(words)
	s.words = words
	return s
}

// keywordDetector is a rule's detector reached through one keyword, with the
// rule's guard for that keyword (nil: none).
type keywordDetector struct {
	d     *lazyDetector
	guard func(string) bool
}

// lazyDetector builds its detector on first use: each detector holds a
// keyword trie of its own (7 MiB for all the rules, kept for the whole
// process), and the keywords of most rules never occur in a scan.
type lazyDetector struct {
	once  sync.Once
	base  config.Config
	rules map[string]config.Rule
	d     *detect.Detector
}

func (l *lazyDetector) get() *detect.Detector {
	l.once.Do(func() { l.d = buildDetector(l.base, l.rules) })
	return l.d
}

// ruleDetector returns a detector, built on first use, over the given rules
// with the global allowlists of base.
func ruleDetector(base config.Config, rules map[string]config.Rule) *lazyDetector {
	return &lazyDetector{base: base, rules: rules}
}

func buildDetector(base config.Config, rules map[string]config.Rule) *detect.Detector {
	cfg := base
	cfg.Rules = rules
	cfg.Keywords = map[string]struct{}{}
	cfg.OrderedRules = nil
	for _, id := range base.OrderedRules {
		if r, ok := rules[id]; ok {
			cfg.OrderedRules = append(cfg.OrderedRules, id)
			for _, k := range r.Keywords {
				cfg.Keywords[strings.ToLower(k)] = struct{}{}
			}
		}
	}
	return detect.NewDetector(cfg)
}

// detectors returns the detectors that may find a token in text.
func (s *tokenScanner) detectors(text string) []*lazyDetector {
	if s.keywords == nil {
		return []*lazyDetector{s.all}
	}
	ds := slices.Clip(s.always) // appending never writes to the shared array
	// gitleaks looks for its keywords in lower-cased text; the index folds
	// ASCII itself.
	var seen map[*lazyDetector]bool
	s.keywords.walk(lowerBeyondASCII(text), func(word, _ int) {
		if seen == nil {
			seen = map[*lazyDetector]bool{}
		}
		for _, kd := range s.byKeyword[s.words[word]] {
			if d := kd.d; !seen[d] && (kd.guard == nil || kd.guard(text)) {
				seen[d] = true
				ds = append(ds, d)
			}
		}
	})
	return ds
}

func (s *tokenScanner) find(text string) []Token {
	if text == "" {
		return nil
	}
	ds := s.detectors(text)
	if len(ds) == 0 {
		return nil
	}
	var toks []Token
	lineStarts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	// A rule finds each occurrence once; taken keeps two findings of the
	// same token on one line from landing on the same offset.
	taken := map[string]bool{}
	var findings []report.Finding
	for _, d := range ds {
		findings = append(findings, d.get().DetectString(text)...)
	}
	for _, f := range findings {
		if f.Secret == "" {
			continue
		}
		start := locateSecret(text, lineStarts, f.StartLine, f.Match, f.Secret, func(at int) bool {
			return taken[f.RuleID+"\x00"+strconv.Itoa(at)]
		})
		if start < 0 {
			continue
		}
		taken[f.RuleID+"\x00"+strconv.Itoa(start)] = true
		toks = append(toks, Token{
			RuleID:      f.RuleID,
			Description: s.kinds[f.RuleID],
			Secret:      f.Secret,
			Start:       start,
			End:         start + len(f.Secret),
			Prefixed:    s.marked(f.RuleID, f.Secret),
		})
	}
	return dropOverlaps(toks)
}

// marked reports whether one of the rule's keywords is inside secret.
func (s *tokenScanner) marked(id, secret string) bool {
	lower := strings.ToLower(secret)
	for _, k := range s.marks[id] {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// locateSecret returns the offset of secret in text, or -1. gitleaks
// reports the 0-based line of the match (its columns are off by one after
// the first line), the match, and the secret inside the match: the match is
// searched from the start of its line, skipping offsets already taken, and
// the secret inside it (the secret group is the value, which comes after any
// key in the match).
func locateSecret(text string, lineStarts []int, line int, match, secret string, taken func(int) bool) int {
	from := 0
	if line >= 0 && line < len(lineStarts) {
		from = lineStarts[line]
	}
	inMatch := strings.LastIndex(match, secret)
	if inMatch < 0 {
		match, inMatch = secret, 0
	}
	for _, start := range []int{from, 0} {
		for i := start; i <= len(text); {
			m := strings.Index(text[i:], match)
			if m < 0 {
				break
			}
			if at := i + m + inMatch; !taken(at) {
				return at
			}
			i += m + 1
		}
	}
	return -1
}

// dropOverlaps keeps, among tokens that overlap (several rules matching the
// same secret, such as gitlab-pat and gitlab-pat-routable), the longest one,
// then the first in rule-ID order, so the result does not depend on map order.
func dropOverlaps(toks []Token) []Token {
	sort.Slice(toks, func(i, j int) bool {
		a, b := toks[i], toks[j]
		if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
			return la > lb
		}
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return a.RuleID < b.RuleID
	})
	kept := firstOfOverlapping(toks, func(t Token) (int, int) { return t.Start, t.End })
	sort.Slice(kept, func(i, j int) bool { return kept[i].Start < kept[j].Start })
	return kept
}

var kindPrefix = regexp.MustCompile(`^(?:(?:Identified|Detected|Found|Discovered|Uncovered)\s+(?:an?\s+)?(?:(?:potential|possible|pattern (?:that resembles|resembling) an?)\s+)?)?`)

// tokenKind turns a gitleaks description ("Uncovered a GitHub Personal
// Access Token, potentially leading to ...") into the token's kind for a
// message ("GitHub Personal Access Token").
func tokenKind(id, desc string) string {
	if k, ok := tokenKindOverrides[id]; ok {
		return k
	}
	k := kindPrefix.ReplaceAllString(strings.TrimSpace(desc), "")
	if i := strings.IndexAny(k, ",("); i >= 0 {
		k = k[:i]
	}
	for _, sep := range []string{" which ", " that ", " posing ", " risking "} {
		if i := strings.Index(k, sep); i >= 0 {
			k = k[:i]
		}
	}
	return strings.TrimSuffix(strings.TrimSpace(k), ".")
}

// firstOfOverlapping keeps each item whose range [start, end) overlaps no
// item kept before it, in the order given.
func firstOfOverlapping[T any](items []T, span func(T) (int, int)) []T {
	var kept []T
	for _, it := range items {
		s, e := span(it)
		overlaps := false
		for _, k := range kept {
			ks, ke := span(k)
			if s < ke && ks < e {
				overlaps = true
				break
			}
		}
		if !overlaps {
			kept = append(kept, it)
		}
	}
	return kept
}

// lowerBeyondASCII is strings.ToLower(s) for text that is not all ASCII,
// and s itself for ASCII text, whose case the keyword index folds.
func lowerBeyondASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
	}
	return s
}
