package checks

// Known token formats come from gitleaks' maintained default rule set
// (token_rules.go reads and matches it). gitleaks runs the regexps of the
// rules whose keywords occur in the text. Some keywords are common
// substrings ("ey" for JSON Web Tokens, "s." for Vault tokens), and their
// regexps over long RUN instructions are most of the cost. So a keyword
// automaton of ours picks the rules to run: none for 89% of the
// instructions of real Dockerfiles, and with a narrower keyword where the
// regexp implies one (BenchmarkFindTokens).

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
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
	// rules holds every kept rule, by ID; ordered by ID too.
	rules   map[string]*tokenRule
	ordered []*tokenRule
	global  []*tokenAllowlist // allowlists of every rule
	// keywords holds every lower-case keyword of the kept rules, byWord
	// the rules that have it, by its index; keywords is nil when the
	// prefilter is off.
	keywords *keywordIndex
	words    []string // the keywords by their index in keywords
	byWord   [][]keywordRule
	// always are the rules without keywords, run on every text.
	always []*tokenRule
}

var (
	tokensOnce sync.Once
	tokensVal  *tokenScanner
)

func tokenFinder() *tokenScanner {
	tokensOnce.Do(func() { tokensVal = newTokenScanner(gitleaksTOML, true) })
	return tokensVal
}

// newTokenScanner loads a gitleaks rule file (the default rules, but in
// tests) without the excluded rules. The default rules are embedded, so an
// error is a programming error and panics. prefilter false picks the rules
// to run as gitleaks does, by looking for each of their keywords in the
// lower-cased text, for tests and measurements.
func newTokenScanner(file string, prefilter bool) *tokenScanner {
	set, err := loadTokenRules(file)
	if err != nil {
		panic(fmt.Sprintf("checks: loading gitleaks rules: %v", err))
	}
	s := &tokenScanner{rules: map[string]*tokenRule{}, global: set.global}
	for id, r := range set.rules {
		if _, ok := excludedTokenRules[id]; ok || r.pathScoped || r.pattern == "" {
			continue
		}
		s.rules[id] = r
	}
	ids := make([]string, 0, len(s.rules))
	for id := range s.rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := s.rules[id]
		s.ordered = append(s.ordered, r)
		if len(r.keywords) == 0 {
			s.always = append(s.always, r)
		}
	}
	if !prefilter {
		return s
	}
	byKeyword := map[string][]keywordRule{}
	for _, r := range s.ordered {
		id := r.id
		keywords := r.keywords
		if nk, ok := narrowerKeywords[id]; ok {
			keywords = nk
		}
		for _, k := range keywords {
			byKeyword[k] = append(byKeyword[k], keywordRule{r, keywordGuards[id][k]})
		}
	}
	words := make([]string, 0, len(byKeyword))
	for k := range byKeyword {
		words = append(words, k)
	}
	sort.Strings(words)
	for _, w := range words {
		s.byWord = append(s.byWord, byKeyword[w])
	}
	s.keywords = newKeywordIndex(words)
	s.words = words
	return s
}

// keywordRule is a rule reached through one keyword, with the rule's guard
// for that keyword (nil: none).
type keywordRule struct {
	r     *tokenRule
	guard func(string) bool
}

// candidates returns the rules that may find a token in text.
func (s *tokenScanner) candidates(text string) []*tokenRule {
	rs := slices.Clip(s.always) // appending never writes to the shared array
	if s.keywords == nil {
		lower := strings.ToLower(text)
		for _, r := range s.ordered {
			if slices.ContainsFunc(r.keywords, func(k string) bool { return strings.Contains(lower, k) }) {
				rs = append(rs, r)
			}
		}
		return rs
	}
	// gitleaks looks for its keywords in lower-cased text; the index folds
	// ASCII itself.
	// A text has few candidates: a look through them beats a set.
	always := len(rs)
	s.keywords.walk(lowerBeyondASCII(text), func(word, _ int) {
		for _, kr := range s.byWord[word] {
			if r := kr.r; !slices.Contains(rs[always:], r) && (kr.guard == nil || kr.guard(text)) {
				rs = append(rs, r)
			}
		}
	})
	return rs
}

func (s *tokenScanner) find(text string) []Token {
	if text == "" {
		return nil
	}
	var toks []Token
	for _, r := range s.candidates(text) {
		for _, m := range r.matches(text, s.global) {
			secret := text[m.start:m.end]
			toks = append(toks, Token{
				RuleID:      r.id,
				Description: r.kind,
				Secret:      secret,
				Start:       m.start,
				End:         m.end,
				Prefixed:    r.marked(secret),
			})
		}
	}
	return dropOverlaps(toks)
}

// marked reports whether one of the rule's keywords is inside secret.
func (r *tokenRule) marked(secret string) bool {
	lower := strings.ToLower(secret)
	for _, k := range r.keywords {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// dropOverlaps keeps, among tokens that overlap (several rules matching the
// same secret, such as gitlab-pat and gitlab-pat-routable), the longest one,
// then the first in rule-ID order, so the result does not depend on map order.
func dropOverlaps(toks []Token) []Token {
	if len(toks) < 2 {
		return toks // most texts: nothing to sort, no sorter to allocate
	}
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

var kindPrefix = lazyRegexp(`^(?:(?:Identified|Detected|Found|Discovered|Uncovered)\s+(?:an?\s+)?(?:(?:potential|possible|pattern (?:that resembles|resembling) an?)\s+)?)?`)

// tokenKind turns a gitleaks description ("Uncovered a GitHub Personal
// Access Token, potentially leading to ...") into the token's kind for a
// message ("GitHub Personal Access Token").
func tokenKind(id, desc string) string {
	if k, ok := tokenKindOverrides[id]; ok {
		return k
	}
	k := kindPrefix().ReplaceAllString(strings.TrimSpace(desc), "")
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
