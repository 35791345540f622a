package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// URLCredentials reports URLs that carry a literal password or token in
// their user information (scheme://user:password@host, https://TOKEN@host)
// in any instruction: RUN, ADD, ENV, ARG defaults, LABEL, heredocs, and the
// comments inside a continuation.
var URLCredentials = &Rule{
	ID: "url-credentials", Name: "URLCredentials", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "URL with a literal password or token in its user information",
	Help:             mustDoc("url-credentials"),
	Check:            checkURLCredentials,
}

func checkURLCredentials(p *Pass) {
	df := p.Dockerfile
	if df == nil {
		return
	}
	// Comments between instructions are left out: they are mostly usage
	// notes, whose URLs hold example credentials.
	one := []lineRole{roleCommand}
	for _, in := range df.Instructions {
		reportURLCredentials(p, in, in.StartLine, urlRoles(df, in, one))
	}
	// Lines BuildKit refused, read as raw text: committed all the same.
	if m := df.refused(); m != nil {
		reportURLCredentials(p, nil, 1, m.all)
	}
}

// urlRoles is instructionRoles(df, in), with one, the roles of a line
// that is a command, for an instruction on one line: most are, and a
// slice for each cost an allocation per instruction.
func urlRoles(df *Dockerfile, in *Instruction, one []lineRole) []lineRole {
	if min(in.EndLine, len(df.Lines)) == in.StartLine {
		return one
	}
	return instructionRoles(df, in)
}

func reportURLCredentials(p *Pass, in *Instruction, first int, roles []lineRole) {
	text, ok := maskedText(p.Dockerfile, first, roles)
	if !ok {
		return
	}
	for _, c := range findURLCredentials(text) {
		span := offsetSpan(text, first, c.start, c.end)
		role := roles[span.Line-first]
		secret := text[c.secretStart:c.secretEnd]
		what := "a password"
		if c.token {
			what = "a token"
		}
		toks := FindTokens(secret)
		key, again := redeclared(p.Dockerfile, in, secret)
		if !historyShips(in) && again == nil && localHost(c.host) && (len(toks) == 0 || !toks[0].Prefixed) {
			// Nothing of the stage reaches an image: a password for a
			// database of the build's own (localhost, a compose service) is
			// a throw-away; a remote host's password or a marked token is
			// a leak of the repository.
			continue
		}
		if len(toks) > 0 {
			what = withArticle(toks[0].Description)
		}
		what += " in a URL"
		if c.host != "" {
			what += " for " + c.host
		}
		f := Finding{
			Span:    span,
			Message: urlMessage(in, role, what, secret),
			Secret:  secret,
			Fix:     urlFix(role),
		}
		if again != nil {
			f.Message = fmt.Sprintf("ARG %q before the first FROM contains %s that ships in the image history: line %d declares it again in a stage the image inherits", key, what, again.StartLine)
			f.Related = []Related{{Path: p.Dockerfile.Path, Span: Span{Line: again.StartLine, EndLine: again.EndLine},
				Message: "this ARG takes the default, and the image history records it"}}
		}
		p.Report(f)
	}
}

// redeclared finds, for a global ARG whose default holds secret, the first
// ARG of a stage the image inherits that declares the name again without a
// default: that stage's history entry, and every later RUN's, record the
// global default. It returns the name and that ARG, or nil.
func redeclared(df *Dockerfile, in *Instruction, secret string) (string, *Instruction) {
	if in == nil || in.Stage != nil {
		return "", nil
	}
	a, ok := in.Command.(*instructions.ArgCommand)
	if !ok {
		return "", nil
	}
	for _, kv := range a.Args {
		if kv.Value == nil || !strings.Contains(*kv.Value, secret) {
			continue
		}
		for _, st := range df.Stages {
			if !st.Inherited {
				continue
			}
			for _, x := range st.Instructions {
				if b, ok := x.Command.(*instructions.ArgCommand); ok && slices.ContainsFunc(b.Args, func(o instructions.KeyValuePairOptional) bool {
					return o.Key == kv.Key && o.Value == nil
				}) {
					return kv.Key, x
				}
			}
		}
	}
	return "", nil
}

// urlMessage names the ENV or ARG key that holds the URL, where there is
// one, and otherwise says it as hardcoded-secret does.
func urlMessage(in *Instruction, role lineRole, what, secret string) string {
	if role != roleCommand {
		return secretMessage(in, role, what)
	}
	key := ""
	switch c := in.Command.(type) {
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			if strings.Contains(kv.Value, secret) {
				key = kv.Key
				break
			}
		}
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			if kv.Value != nil && strings.Contains(*kv.Value, secret) {
				key = kv.Key
				break
			}
		}
	}
	if key == "" {
		return secretMessage(in, role, what)
	}
	return placeMessage(fmt.Sprintf("%s %q", strings.ToUpper(in.Cmd), key), in, role, what)
}

func urlFix(role lineRole) string {
	if role == roleComment {
		return "Remove the credentials from the URL and revoke them: they are in the repository's history."
	}
	return "Revoke the credentials and keep them out of the URL: read them at build time from `RUN --mount=type=secret` (for git, a credential helper or `--mount=type=ssh`)."
}

// urlCredential is the user information of one URL.
type urlCredential struct {
	start, end             int // user information, user and password
	secretStart, secretEnd int // the password, or the token used as user name
	token                  bool
	host                   string
}

var (
	// urlUserinfoRE finds scheme://userinfo@; the user information stops at
	// the first character that cannot be in it unencoded.
	urlUserinfoRE = lazyRegexp(`\b[A-Za-z][A-Za-z0-9+.\-]*://([^\s/?#@"'\x60<>\\]+)@([^\s/?#:"'\x60<>\\]*)`)
	// windowsVarRE is a %NAME% reference; %40-style escapes are not.
	windowsVarRE = lazyRegexp(`%[A-Za-z_][A-Za-z0-9_]*%`)
)

// findURLCredentials returns the URLs of text whose user information holds
// a literal password, or a token as the whole user information.
// mayHoldUserinfo reports whether some "://" in text is followed by user
// information and an "@", as urlUserinfoRE requires: most texts with URLs
// have none, and the regexp over a long RUN script was most of this rule's
// cost.
func mayHoldUserinfo(text string) bool {
	for i := 0; ; {
		k := strings.Index(text[i:], "://")
		if k < 0 {
			return false
		}
		j := i + k + 3
		for j < len(text) && !userinfoStop(text[j]) {
			j++
		}
		if j < len(text) && text[j] == '@' && j > i+k+3 {
			return true
		}
		i += k + 3
	}
}

// userinfoStop reports the bytes that end user information in
// urlUserinfoRE: white space, / ? # @ " ' ` < > and backslash.
func userinfoStop(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\f', '\r', '/', '?', '#', '@', '"', '\'', '`', '<', '>', '\\':
		return true
	}
	return false
}

func findURLCredentials(text string) []urlCredential {
	if !mayHoldUserinfo(text) {
		return nil
	}
	var out []urlCredential
	for _, m := range urlUserinfoRE().FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2], m[3]
		info := text[start:end]
		host := text[m[4]:m[5]]
		if strings.ContainsAny(host, "$%{") {
			host = ""
		}
		c := urlCredential{start: start, end: end, host: host}
		user, pass, hasPass := strings.Cut(info, ":")
		switch {
		case hasPass && strings.EqualFold(pass, "x-oauth-basic"):
			// GitHub's convention: the token is the user name.
			if !urlToken(user) {
				continue
			}
			c.secretStart, c.secretEnd, c.token = start, start+len(user), true
		case hasPass && pass != "":
			if isAnonymous(user) || !urlPassword(pass) {
				continue
			}
			c.secretStart, c.secretEnd = start+len(user)+1, end
		case !hasPass && sentryDSN(user, host, text[m[5]:]):
			// A Sentry DSN's key is public by design: browsers send it.
			continue
		case !hasPass && urlToken(user):
			c.secretStart, c.secretEnd, c.token = start, end, true
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// namingPasswords name what they stand for: user:password@host is the
// documentation's placeholder.
var namingPasswords = map[string]bool{"password": true, "passwd": true, "pass": true, "pwd": true, "secret": true, "token": true}

// urlPassword reports whether the password of a URL is a literal secret.
// Weak and default passwords (postgres, guest, changeme) are: the image
// hands them to whoever pulls it, as secret-env says of ENV
// DB_PASSWORD=changeme. Placeholders are not: values that name what they
// stand for (password), or that say they are not one (your-password,
// REPLACE_ME, xxx).
func urlPassword(p string) bool {
	if !literalCredential(p) || namingPasswords[strings.ToLower(p)] {
		return false
	}
	return len(FindTokens(p)) > 0 || !HarmlessValue("password", Value{Raw: p, Literal: p})
}

// urlToken reports whether a user name alone is a token rather than a
// user name: a known token format, or a long random-looking string that is
// not a placeholder (YOUR_PERSONAL_ACCESS_TOKEN).
func urlToken(u string) bool {
	if !literalCredential(u) {
		return false
	}
	if len(FindTokens(u)) > 0 {
		return true
	}
	return len(u) >= 20 && !strings.ContainsAny(u, ".@") && charClasses(u) >= 2 && shannonEntropy(u) >= 3.5 &&
		!HarmlessValue("token", Value{Raw: u, Literal: u})
}

// urlCredentialRanges returns the user information ranges that
// url-credentials reports, so that hardcoded-secret leaves them to it.
func urlCredentialRanges(facts *textFacts, text string) [][2]int {
	var out [][2]int
	for _, c := range facts.findURLCredentials(text) {
		out = append(out, [2]int{c.start, c.end})
	}
	return out
}

// literalCredential reports whether the user information of a URL is a
// literal: not a reference ($X, ${X}, $(cmd), %X%), a template ({{ }}), a
// placeholder (***, [password]) or a pattern (.*, [^@]).
func literalCredential(s string) bool {
	if strings.ContainsAny(s, "$`{}[]*^|\\()") || windowsVarRE().MatchString(s) {
		return false
	}
	return strings.Trim(s, "x.*-_") != ""
}

var (
	sentryKey  = lazyRegexp(`^[0-9a-f]{32}$`)
	sentryPath = lazyRegexp(`^(?::[0-9]+)?/(?:[^\s/"'\x60]+/)*[0-9]+(?:$|[^\w/])`)
)

// sentryDSN reports a Sentry DSN (https://KEY@o1.ingest.sentry.io/42): its
// user information is the project's public key, sent by every browser that
// reports an error. rest is the text after the host.
func sentryDSN(user, host, rest string) bool {
	return sentryKey().MatchString(user) && (strings.Contains(strings.ToLower(host), "sentry") || sentryPath().MatchString(rest))
}

// localHost reports a host that only a build or its test services reach:
// loopback, or a single-label name (db, redis, a compose service).
func localHost(host string) bool {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h, "]") {
		h = h[:i]
	}
	h = strings.Trim(h, "[]")
	return h == "localhost" || strings.HasSuffix(h, ".localhost") || strings.HasPrefix(h, "127.") ||
		h == "0.0.0.0" || h == "::1" || (h != "" && !strings.Contains(h, ".") && !strings.Contains(h, ":"))
}

func isAnonymous(user string) bool {
	u := strings.ToLower(user)
	return u == "anonymous" || u == "ftp"
}

// URLCredentialSecrets returns the secrets of the URLs in text that
// url-credentials reports: each literal password, or token used as the
// user name. The image command judges history and config text by it, so
// that both read a URL alike.
func URLCredentialSecrets(text string) []string {
	var out []string
	for _, c := range findURLCredentials(text) {
		out = append(out, text[c.secretStart:c.secretEnd])
	}
	return out
}
