package checks

// The secret-name and secret-value classifier that the ENV, ARG and LABEL
// rules share. Precision is the point: a finding on ENV GPG_KEY=<fingerprint>
// or ARG PASSWORD_FILE costs a user as much as a miss, so a name is only
// suspicious when a secret word is the head of it, and a value only counts
// when it can be a credential.
//
// Names are split into words; English compounds are head-final, so the last
// telling word decides: DB_PASSWORD_FILE is a file, FILE_PASSWORD a
// password, API_KEY_ID an identifier. Words are strong (password, token,
// secret, api key...: any literal value is a secret) or weak (key, auth:
// GPG_KEY, SITE_KEY and AUTH_METHOD are usually public, so only a value that
// looks random counts).
//
// Weak default passwords (changeme, changeit, admin, postgres) are secrets:
// an image that ships ENV ADMIN_PASSWORD=changeme runs with that password
// wherever nobody overrides it, and the fix is the same runtime injection.
// Only values that describe themselves as not being a value (placeholder,
// <your-token>, REPLACE_ME, dummy, xxx) are placeholders.

import (
	"math"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitWords splits a variable name into lower-case words at _, -, ., any
// other non-alphanumeric character, camelCase humps and letter-digit
// boundaries: "dbPassword2" is db, password, 2; "APIKey" is api, key.
func SplitWords(name string) []string {
	if isASCII(name) {
		return splitASCIIWords(name)
	}
	var words []string
	rs := []rune(name)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsDigit(r) != unicode.IsDigit(prev):
			flush(i)
			start = i
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush(i)
			start = i
		case unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			// The last capital of a run starts the next word: APIKey.
			flush(i)
			start = i
		}
	}
	flush(len(rs))
	return words
}

// splitASCIIWords is SplitWords for an ASCII name: the same boundaries read
// on bytes, without the copy to runes and a copy of each word.
func splitASCIIWords(name string) []string {
	var words []string
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(name[start:end]))
		}
		start = -1
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isASCIIAlnum(c) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := name[i-1]
		switch {
		case isASCIIDigit(c) != isASCIIDigit(prev):
			flush(i)
			start = i
		case isASCIIUpper(c) && isASCIILower(prev):
			flush(i)
			start = i
		case isASCIIUpper(c) && isASCIIUpper(prev) && i+1 < len(name) && isASCIILower(name[i+1]):
			flush(i)
			start = i
		}
	}
	flush(len(name))
	return words
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }
func isASCIIUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
func isASCIILower(c byte) bool { return 'a' <= c && c <= 'z' }
func isASCIIAlnum(c byte) bool { return isASCIIDigit(c) || isASCIIUpper(c) || isASCIILower(c) }

// asciiRuns counts the runs of letters and digits of an ASCII name: the
// words of the name split at punctuation only.
func asciiRuns(name string) int {
	n := 0
	for i := 0; i < len(name); i++ {
		if isASCIIAlnum(name[i]) && (i == 0 || !isASCIIAlnum(name[i-1])) {
			n++
		}
	}
	return n
}

// nameClass says how strongly a name suggests a credential.
type nameClass int

const (
	notSecret nameClass = iota
	// weakSecret names hold key or auth as their head: a secret only when the
	// value looks random.
	weakSecret
	// strongSecret names hold password, token, secret...: any literal value
	// is a secret.
	strongSecret
)

// strongWords make a name secret wherever they stand, unless a qualifier
// follows them.
var strongWords = wordSet(
	"password", "passwords", "passwd", "pword", "passphrase", "psw",
	"secret", "secrets", "token", "tokens", "apikey", "apikeys",
	"credential", "credentials", "creds", "cred",
	"privatekey", "secretkey", "accesskey", "authkey", "apisecret",
)

// tailWords are secret words only as the last word of a name: DB_PASS,
// ROOT_PW, GITHUB_PAT and MYSQL_PWD are secrets; PASS_THROUGH, PW_TEST_DIR
// (Playwright) and PAT_VERSION are not, and PWD alone is the shell's
// working directory.
var tailWords = wordSet("pass", "pw", "pwd", "pat")

// weakWords make a name suspicious only with a random-looking value.
var weakWords = wordSet("key", "keys", "auth")

// keyCompounds are words that, right before key, name a credential:
// API_KEY, SSH_KEY, LICENSE_KEY, APP_KEY (Laravel), AUTH_KEY (WordPress).
var keyCompounds = wordSet(
	"api", "access", "secret", "private", "priv", "ssh", "signing", "sign",
	"encryption", "encrypt", "enc", "crypt", "crypto", "cipher", "aes",
	"master", "license", "licence", "client", "app", "session", "jwt", "hmac",
	"deploy", "account", "storage", "subscription", "shared", "admin", "root",
	"service", "role", "cookie", "auth", "write", "secure",
)

// fusedSuffixes are secret words that end a fused word: ROOTPASSWORD,
// ACCESSTOKEN, CLIENTSECRET.
var fusedSuffixes = []string{"password", "passwd", "passphrase", "secret", "token", "apikey", "secretkey", "accesskey", "privatekey"}

// fusedPass are fused words ending in pass or pwd that are not passwords.
var fusedPass = wordSet(
	"bypass", "compass", "surpass", "trespass", "overpass", "underpass",
	"encompass", "keepass", "multipass", "onepass", "twopass", "singlepass",
	"firstpass", "secondpass", "impass", "oldpwd",
)

// nameQualifiers, after the last secret word, make the name about something
// else than the secret: its file, its length, its user, its identifier.
var nameQualifiers = wordSet(
	"file", "files", "path", "paths", "dir", "dirs", "directory", "folder",
	"location", "loc", "url", "urls", "uri", "uris", "host", "hosts",
	"hostname", "port", "name", "names", "id", "ids", "keyid", "user", "users",
	"username", "usr", "login", "version", "ver", "enabled", "enable",
	"disabled", "disable", "required", "optional", "type", "kind", "header",
	"length", "len", "size", "limit", "expiry", "expires", "expiration",
	"expire", "ttl", "lifetime", "timeout", "seconds", "secs", "minutes",
	"hours", "days", "ms", "endpoint", "server", "provider", "method", "mode",
	"realm", "domain", "region", "issuer", "audience", "scope", "scopes",
	"format", "algorithm", "alg", "policy", "prefix", "suffix", "field", "hint",
	"param", "mount", "store", "helper", "helpers", "cmd", "command", "script",
	"program", "sock", "socket", "agent", "addr", "address", "fingerprint",
	"fpr", "count", "retries", "attempts", "interval", "check",
	"rotation", "ref", "reference", "arn", "schema", "scheme", "pattern",
	"regex", "template", "tmpl", "keyring", "keyserver", "mechanism", "plugin",
	"backend", "strategy", "module", "alias", "manager", "source", "engine",
	"driver", "class", "handler", "resolver", "loader", "generator", "hasher",
	"encoder", "encoding", "validator", "cache", "storage", "level", "retry",
	"complexity", "strength", "rules", "request",
)

// nameModifiers clear a name wherever they stand: PUBLIC_KEY,
// NEXT_PUBLIC_API_KEY, MAX_TOKENS; keys public by design
// (STRIPE_PUBLISHABLE_KEY, SUPABASE_ANON_KEY); and switches, whose value
// turns a behaviour on and is not a secret (MYSQL_ALLOW_EMPTY_PASSWORD,
// MYSQL_RANDOM_ROOT_PASSWORD, GENERATE_SECRET_KEY).
var nameModifiers = wordSet("public", "pub", "max", "min", "num", "total", "no", "skip", "without",
	"publishable", "anon", "allow", "random", "generate",
	// A yes/no flag about a secret (HAS_NPM_TOKEN, IS_PASSWORD_SET,
	// ENABLE_AUTH_TOKEN) holds no secret.
	"has", "is", "enable", "enabled", "disable", "disabled")

// siteKeyWords, right before key, name a key that is public by design:
// RECAPTCHA_SITE_KEY, HCAPTCHA_SITEKEY's site key.
var siteKeyWords = wordSet("site")

// pathNames are conventional variables that hold the path of a credential
// file, not the credential.
var pathNames = wordSet("google_application_credentials")

// pathNameASCII is pathNames[strings.ToLower(name)] for an ASCII name.
func pathNameASCII(name string) bool {
	for p := range pathNames {
		if strings.EqualFold(p, name) {
			return true
		}
	}
	return false
}

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// SecretName reports whether name names a credential strongly enough that
// any literal value of it, or its mere use as a build argument, is a secret:
// DB_PASSWORD, GITHUB_TOKEN, API_KEY, DB_CREDS_PSW. Names that only might be
// secrets (GPG_KEY, AUTH) are not; see LiteralSecret.
func SecretName(name string, s *Settings) bool {
	return classifyName(name, s) == strongSecret
}

func classifyName(name string, s *Settings) nameClass {
	ascii := isASCII(name)
	if ascii && pathNameASCII(name) || !ascii && pathNames[strings.ToLower(name)] {
		return notSecret
	}
	words := SplitWords(name)
	class := classifyWords(words, s)
	if ascii && len(words) == asciiRuns(name) {
		// No word was split at a hump or a digit: the reading at
		// punctuation only has the same words.
		return class
	}
	if class != strongSecret {
		// Odd casing splits a word in two (dockle's PasS): read the name
		// split at punctuation only, too.
		class = max(class, classifyWords(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}), s))
	}
	return class
}

// classifyWords classifies the words of a name. The last telling word
// decides: a qualifier clears, a secret word sets.
func classifyWords(words []string, s *Settings) nameClass {
	class := notSecret
	for i, w := range words {
		if nameModifiers[w] {
			return notSecret
		}
		switch {
		case nameQualifiers[w]:
			class = notSecret
		case strongWords[w], extraWordAt(words, i, s):
			class = strongSecret
		case tailWords[w] || fusedTail(w):
			if i == len(words)-1 && !(len(words) == 1 && w == "pwd") {
				class = strongSecret
			}
		case fusedSecret(w):
			class = strongSecret
		case (w == "key" || w == "keys") && i > 0 && siteKeyWords[words[i-1]]:
			class = notSecret
		case w == "sitekey":
			class = notSecret
		case (w == "key" || w == "keys") && i > 0 && keyCompounds[words[i-1]]:
			class = strongSecret
		case weakWords[w]:
			class = weakSecret
		}
	}
	return class
}

// extraWordAt reports whether one of the configured secret words, which may
// themselves be compounds (api_key), ends at words[i].
func extraWordAt(words []string, i int, s *Settings) bool {
	if s == nil {
		return false
	}
	for _, sw := range s.SecretWords {
		parts := SplitWords(sw)
		n := len(parts)
		if n == 0 || n > i+1 {
			continue
		}
		match := true
		for j, p := range parts {
			if words[i-n+1+j] != p {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// fusedSecret reports whether w is a secret word fused onto another:
// ACCESSTOKEN, ROOTPASSWORD.
func fusedSecret(w string) bool {
	for _, suf := range fusedSuffixes {
		if len(w) > len(suf) && strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// fusedTail reports whether w ends in pass or pwd fused onto another word:
// LDAP_ROOTPASS, DBPWD; but not BYPASS or OLDPWD.
func fusedTail(w string) bool {
	if fusedPass[w] {
		return false
	}
	return (len(w) > 4 && strings.HasSuffix(w, "pass")) || (len(w) > 3 && strings.HasSuffix(w, "pwd"))
}

// passwordName reports whether the name is about a password, for which a
// long number is the password itself rather than a count.
func passwordName(name string) bool {
	for _, w := range SplitWords(name) {
		switch {
		case w == "password" || w == "passwd" || w == "pword" || w == "passphrase" ||
			w == "psw" || w == "pass" || w == "pw" || w == "pwd":
			return true
		case strings.HasSuffix(w, "password") || fusedTail(w):
			return true
		}
	}
	return false
}

// gpgName reports whether the name is about OpenPGP keys, whose values are
// public fingerprints: GPG_KEY, GPG_KEYS, PGP_KEY_IDS.
func gpgName(name string) bool {
	for _, w := range SplitWords(name) {
		if w == "gpg" || w == "pgp" || w == "gnupg" {
			return true
		}
	}
	return false
}

// Value is an ENV, ARG or LABEL value as written, read the way BuildKit reads it.
type Value struct {
	Raw string // as written: quotes, escapes and references included
	// Literal is the value with quotes and escapes removed and references
	// replaced by their defaults (${X:-default}) or by nothing.
	Literal string
	// Refs are the variables the value references.
	Refs []string
	// Defaulted reports whether a reference default contributed to Literal.
	Defaulted bool
	// marked is Literal with each reference's expansion read as refMark,
	// set when the value has references.
	marked string
}

// noEnv is an environment in which no variable is set.
type noEnv struct{}

func (noEnv) Get(string) (string, bool) { return "", false }
func (noEnv) Keys() []string            { return nil }

// markEnv sets every variable to a marker, to tell the literal text of a value
// from what references contribute.
type markEnv struct{}

const refMark = "\x00"

func (markEnv) Get(name string) (string, bool) {
	if parameterName(name) {
		return "", false
	}
	return refMark, true
}
func (markEnv) Keys() []string { return nil }

// ReadValue reads a value as written in a Dockerfile whose escape token is
// escape (0 means the default backslash).
func ReadValue(raw string, escape rune) Value { return (*State)(nil).ReadValue(raw, escape) }

// ReadValue is the package's ReadValue with a word lexer lent by st.
func (st *State) ReadValue(raw string, escape rune) Value {
	if escape == 0 {
		escape = '\\'
	}
	// What BuildKit's lexer returns for a plain word, or for one reference
	// in plain text (APP_VERSION=${VERSION}), without the lexer.
	if plainWord(raw, escape) {
		return Value{Raw: raw, Literal: raw}
	}
	if pre, name, post, ok := oneReference(raw, escape); ok {
		return Value{Raw: raw, Literal: pre + post, Refs: []string{name}, marked: pre + refMark + post}
	}
	return st.lexValue(raw, escape)
}

// lexValue is ReadValue through BuildKit's lexer.
func (st *State) lexValue(raw string, escape rune) Value {
	v := Value{Raw: raw}
	lex, release := st.lexer(escape)
	defer release()
	res, err := lex.ProcessWordWithMatches(raw, noEnv{})
	if err != nil {
		// An unterminated quote or a ${X:?message}: read it as text.
		v.Literal = strings.Trim(raw, `"'`)
		if strings.Contains(raw, "$") {
			v.Refs = []string{""}
		}
		return v
	}
	v.Literal = res.Result
	for name := range res.Unmatched {
		if !parameterName(name) {
			v.Refs = append(v.Refs, name)
		}
	}
	if len(v.Refs) > 0 {
		marked, _, err := lex.ProcessWord(raw, markEnv{})
		v.Defaulted = err != nil || strings.ReplaceAll(marked, refMark, "") != v.Literal
		if err == nil {
			v.marked = marked
		}
	}
	return v
}

// plainWord reports whether BuildKit's word lexer reads raw as itself: it
// is printable ASCII with no quote, no $, no < (a heredoc's start) and no
// escape token. Most values are; the lexer cost a scanner and a
// strings.Builder each.
func plainWord(raw string, escape rune) bool {
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c < ' ' || c > '~', c == '$', c == '\'', c == '"', c == '<', rune(c) == escape:
			return false
		}
	}
	return true
}

// oneReference splits raw into plain words around one ${NAME} or $NAME
// reference to a variable (not a special or positional parameter).
func oneReference(raw string, escape rune) (pre, name, post string, ok bool) {
	i := strings.IndexByte(raw, '$')
	if i < 0 {
		return "", "", "", false
	}
	pre, rest := raw[:i], raw[i+1:]
	braced := strings.HasPrefix(rest, "{")
	if braced {
		rest = rest[1:]
	}
	n := 0
	for n < len(rest) && (isLetter(rest[n]) || rest[n] == '_' || n > 0 && rest[n] >= '0' && rest[n] <= '9') {
		n++
	}
	if n == 0 {
		return "", "", "", false
	}
	name, post = rest[:n], rest[n:]
	if braced {
		if !strings.HasPrefix(post, "}") {
			return "", "", "", false
		}
		post = post[1:]
	}
	if !plainWord(pre, escape) || !plainWord(post, escape) {
		return "", "", "", false
	}
	return pre, name, post, true
}

// parameterName reports whether a name the lexer reads after `$` is a shell
// special or positional parameter ($$, $1, $@, $?...). No ARG or ENV sets
// those, so BuildKit expands them to nothing and the value is the literal
// around them: SECRET_KEY=k3j$$x9 gives the image k3jx9, a literal.
func parameterName(name string) bool {
	if name == "" {
		return false
	}
	r := rune(name[0])
	return len(name) == 1 && strings.ContainsRune("@*#?-$!", r) || r >= '0' && r <= '9'
}

var (
	numberPattern = lazyRegexp(`^[+-]?[0-9]+(\.[0-9]+)?$`)
	hexIDPattern  = lazyRegexp(`^(0x)?[0-9A-Fa-f]{4,40}$`)
	schemePattern = lazyRegexp(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	drivePattern  = lazyRegexp(`^[A-Za-z]:[\\/]`)
	fileLike      = lazyRegexp(`(?i)^[\w.-]+(/[\w.-]+)*\.(json|pem|key|crt|cer|txt|ya?ml|env|conf|cfg|ini|p12|pfx|jks|keystore|gpg|asc|pub|der|toml|xml|properties)$`)
	userinfoURL   = lazyRegexp(`[A-Za-z][A-Za-z0-9+.-]*://[^/\s@]+@`)
)

var booleanValues = wordSet("true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled", "enable", "disable")

// HarmlessValue reports whether v, assigned to name, cannot be a literal
// secret: it falls in one of the value classes (values.go): too short,
// references, a template marker, a value of another kind (NonSecretKind), a
// placeholder, a masked value, an echo of its own name, or a key that is
// public by design.
func HarmlessValue(name string, v Value) bool {
	return harmlessClass(name, v) != ""
}

// NonSecretKind reports whether a literal value shows that the variable
// holds something else than a credential: a path (under /run/secrets or any
// other), a URL without credentials, a boolean, a number (but a long one is a
// password's PIN), or OpenPGP fingerprints for a GPG name. Unlike an empty or
// placeholder value, it tells what a build argument will be given too:
// ARG GOOGLE_APPLICATION_CREDENTIALS=./key.json takes paths.
func NonSecretKind(name string, v Value) bool {
	lit := strings.TrimSpace(v.Literal)
	if lit == "" || len(v.Refs) > 0 && !v.Defaulted {
		return false
	}
	switch {
	case strings.Contains(lit, "/run/secrets/"), booleanValues[strings.ToLower(lit)]:
		return true
	case numberPattern().MatchString(lit):
		return !(passwordName(name) && len(strings.TrimLeft(lit, "+-")) >= 4)
	case schemePattern().MatchString(lit):
		return credentialFreeURL(lit)
	case pathValue(lit):
		return true
	case gpgName(name) && gpgFingerprints(lit):
		return true
	}
	return false
}

// credentialFreeURL reports whether a URL carries no credential: no user
// information and no secret-named query parameter.
func credentialFreeURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.User != nil {
		return false
	}
	for k := range u.Query() {
		lk := strings.ToLower(k)
		if SecretName(k, nil) || lk == "sig" || lk == "signature" || lk == "key" || lk == "code" {
			return false
		}
	}
	return true
}

// pathValue reports whether s is a file system path. A base64 secret may
// start with a slash, so no segment may look generated.
func pathValue(s string) bool {
	if strings.ContainsAny(s, "\n\t") {
		return false
	}
	if !(strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") ||
		strings.HasPrefix(s, "~/") || drivePattern().MatchString(s) || fileLike().MatchString(s)) {
		return false
	}
	for _, seg := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' }) {
		if generatedValue(seg) {
			return false
		}
	}
	return true
}

// gpgFingerprints reports whether s is a list of OpenPGP key IDs or
// fingerprints, possibly written in groups of four.
func gpgFingerprints(s string) bool {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		if !hexIDPattern().MatchString(f) {
			return false
		}
	}
	return true
}

// generatedValue reports whether s looks like generated key material rather
// than a word, a version or an identifier: long enough, one token, mixed
// character classes (or long hex), and a high character entropy.
func generatedValue(s string) bool {
	if len(s) < 16 || strings.ContainsAny(s, " \t\n") {
		return false
	}
	var lower, upper, digit, other int
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower++
		case r >= 'A' && r <= 'Z':
			upper++
		case r >= '0' && r <= '9':
			digit++
		case strings.ContainsRune("+/=_-.~:", r):
			other++
		default:
			return false
		}
	}
	hex := strings.Trim(strings.ReplaceAll(s, "-", ""), "0123456789abcdefABCDEF") == ""
	switch {
	case hex && len(strings.ReplaceAll(s, "-", "")) >= 32 && digit > 0:
	case lower > 0 && upper > 0 && digit > 0:
	default:
		return false
	}
	return valueEntropy(s) >= 3.0
}

// valueEntropy is the Shannon entropy of s in bits per character.
func valueEntropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

// LiteralSecret reports whether the assignment name=v stores a literal
// secret: a secret name (SecretName) with a value that is not harmless, or a
// weak secret name (GPG_KEY, AUTH, LICENSE...) with a random-looking value.
// Values the configuration allows are never secrets. Known token formats are
// not decided here: see FindTokens.
func LiteralSecret(name string, v Value, s *Settings) bool {
	class := classifyName(name, s)
	if class == notSecret || HarmlessValue(name, v) {
		return false
	}
	lit := strings.TrimSpace(v.Literal)
	if s != nil && s.Allowed(lit) {
		return false
	}
	if class == weakSecret {
		return generatedValue(lit)
	}
	return true
}

// ValueTokens returns the known token formats in the value of name=value.
// The name is part of the text so that formats which gitleaks only trusts
// next to their vendor's name (a MailChimp key after "mailchimp") match; a
// token must lie in the value.
func ValueTokens(name, value string) []Token {
	prefix := name + "="
	var out []Token
	for _, t := range FindTokens(prefix + value) {
		if t.Start >= len(prefix) {
			t.Start -= len(prefix)
			t.End -= len(prefix)
			out = append(out, t)
		}
	}
	return out
}

// URLWithCredentials reports whether s holds a URL with user information
// (scheme://user:password@host, https://TOKEN@host). url-credentials reports
// those wherever they are, so the ENV and ARG rules leave them to it.
func URLWithCredentials(s string) bool {
	// The regexp has no literal prefix to skip to: its automaton would read
	// every value. What it must hold is checked first.
	if !strings.Contains(s, "://") || strings.IndexByte(s, '@') < 0 {
		return false
	}
	return userinfoURL().MatchString(s)
}
