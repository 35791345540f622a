package checks

// Value classes: the kinds of literal that are not a credential even when a
// secret-named variable holds them. An error means "rotate this", and
// nobody rotates ENV POSTGRES_PASSWORD=SECRET_PASSWORD, ACCESS_KEY="key",
// sk_test_xxxx or a Stripe publishable key. Each class is a row of
// valueClasses with the examples it clears and the secrets it must keep;
// values_test.go checks every example against its class and against
// LiteralSecret, so a class is changed in one place, with its evidence.

import (
	"strings"
	"unicode/utf8"
)

// assignment is a name=value pair as the classes read it.
type assignment struct {
	name  string
	v     Value
	lit   string // the literal, trimmed
	lower string // lit in lower case
}

// valueClass is one reason a literal is not a credential.
type valueClass struct {
	id string
	// clean are name=value pairs (values as written in a Dockerfile) that
	// the class clears; kept are pairs under secret names that it must not.
	clean, kept [][2]string
	match       func(a assignment) bool
}

// valueClasses are tried in order; the first that matches clears a value.
var valueClasses = []valueClass{
	{
		id:    "short",
		clean: [][2]string{{"DB_PASSWORD", ``}, {"DB_PASSWORD", `x`}, {"DB_PASSWORD", `""`}},
		kept:  [][2]string{{"DB_PASSWORD", `k9!`}},
		match: func(a assignment) bool { return utf8.RuneCountInString(a.lit) < 3 },
	},
	{
		// An Authorization scheme with no credential after it: what
		// "Bearer ${TOKEN}" becomes in an image when TOKEN was unset.
		id:    "scheme",
		clean: [][2]string{{"AUTHORIZATION_TOKEN", `"Bearer "`}, {"AUTH_HEADER", `Basic`}},
		kept:  [][2]string{{"AUTHORIZATION_TOKEN", `"Bearer k9Zq2LmX8vR4wT7n"`}},
		match: func(a assignment) bool { return len(a.v.Refs) == 0 && authSchemes[a.lower] },
	},
	{
		// Markers that a template engine, a CI system or a person replaces:
		// <token>, {{ .Values.x }}, __TOKEN__, @TOKEN@, %TOKEN%, #{TOKEN}
		// (Azure DevOps and Octopus token replacement), ${{ secrets.X }}.
		id: "template",
		clean: [][2]string{{"API_TOKEN", `<your-api-token>`}, {"RENDERED_SECRET", `"{{ .Values.secret }}"`},
			{"GITHUB_TOKEN", `__GITHUB_TOKEN__`}, {"SECRET_KEY", `#{SECRET_KEY}`}, {"DB_PASSWORD", `@DB_PASSWORD@`},
			{"DB_PASSWORD", `%DB_PASSWORD%`}, {"JWT_SECRET", `"${{ secrets.JWT_SECRET }}"`}},
		kept:  [][2]string{{"DB_PASSWORD", `#hunter2#`}},
		match: func(a assignment) bool { return templateMarker().MatchString(a.lit) },
	},
	{
		// References glued with fixed text ("Bearer $TOKEN", "$HOME/.key"):
		// the text around them is not the secret. A default that a reference
		// falls back to is a literal, and so is random text of 16 characters
		// or more around them: a generated key whose `$` happens to precede
		// a letter ($mQ…) reads as a reference that nothing sets, BuildKit
		// expands it to nothing and the image gets the rest.
		id: "reference",
		clean: [][2]string{{"NPM_TOKEN", `npm-$NPM_TOKEN`}, {"APP_SECRET", `app-${APP_SECRET}`},
			{"AUTH_HEADER", `"Bearer ${TOKEN}"`}, {"DB_PASSWORD", `"$(openssl rand -hex 32)"`},
			{"DB_PASSWORD", "`cat /run/secrets/db`"}},
		kept: [][2]string{{"REDIS_PASSWORD", `${REDIS_PASSWORD:-hunter2hunter2}`},
			{"SECRET_KEY", `"k3j9#x2Q$mZ7LpR4vB8nT!w6@Yq^e5"`}},
		match: func(a assignment) bool {
			raw := strings.Trim(strings.TrimSpace(a.v.Raw), `"'`)
			if strings.HasPrefix(raw, "$(") || strings.HasPrefix(raw, "`") {
				return true
			}
			return len(a.v.Refs) > 0 && !a.v.Defaulted && !randomText(a.lit)
		},
	},
	{
		// A path, a URL without credentials, a boolean, a number (but a long
		// one under a password name), OpenPGP fingerprints under a GPG name.
		id: "other-kind",
		clean: [][2]string{{"DB_PASSWORD", `/run/secrets/db_password`}, {"SSL_KEY", `./certs/server.key`},
			{"OIDC_TOKEN", `https://token.actions.githubusercontent.com`}, {"TOKEN_REQUIRED", `true`},
			{"TOKEN", `3600`}, {"GPG_KEY", `7169605F62C751356D054A26A821E680E5FA6305`}},
		kept: [][2]string{{"DB_PASSWORD", `123123`}, {"DB_PASSWORD", `postgres://app:hunter2@db/app`},
			{"SECRET", `/x8KdQz3LmPw9RtY2vBnC7`}},
		match: func(a assignment) bool { return NonSecretKind(a.name, a.v) },
	},
	{
		// Values that say they are not one: placeholder, REPLACE_ME,
		// your-api-key-here, changeme.
		id: "placeholder",
		clean: [][2]string{{"GITHUB_TOKEN", `placeholder`}, {"SLACK_TOKEN", `your_slack_token_here`},
			{"STRIPE_SECRET_KEY", `REPLACE_ME`}, {"SECRET_KEY_BASE", `dummy`}, {"ADMIN_PASSWORD", `changeme`},
			{"KEYSTORE_PASSWORD", `changeit`}, {"JWT_SECRET", `"CHANGE_IT"`}, {"API_KEY", `insert-key-here`}},
		kept:  [][2]string{{"DATABASE_PASSWORD", `"SuperSecretSauce"`}, {"DB_PASSWORD", `example5Quail`}},
		match: func(a assignment) bool { return placeholderValue(a.lower) },
	},
	{
		// A masked value: a run of x or * stands where the secret would
		// (sk_test_xxxx, AKIAXXXXXXXXXXXXXXXX, ****).
		id: "masked",
		clean: [][2]string{{"STRIPE_SECRET_KEY", `sk_test_xxxx`}, {"DB_PASSWORD", `xxxxxxxx`},
			{"AWS_SECRET_ACCESS_KEY", `AKIAXXXXXXXXXXXXXXXX`}, {"DB_PASSWORD", `"********"`}},
		kept:  [][2]string{{"DB_PASSWORD", `xkcd-Horse-3xx`}},
		match: func(a assignment) bool { return maskedRun().MatchString(a.lit) },
	},
	{
		// A value made only of words of its own name, secret words, filler
		// and owner words (my, no, set, root, user), with a word of its name
		// or a secret word among them:
		// POSTGRES_PASSWORD=SECRET_PASSWORD, ACCESS_KEY="key",
		// MYSQL_ROOT_PASSWORD=my-secret-pw, GOOGLE_API_KEY=NO_API_KEY_SET,
		// GF_SECURITY_ADMIN_PASSWORD=admin. A few digits do not make it a
		// secret (password1); any other word does (SuperSecretSauce).
		id: "name-echo",
		clean: [][2]string{{"POSTGRES_PASSWORD", `SECRET_PASSWORD`}, {"ACCESS_KEY", `"key"`}, {"ACCESS_KEY", `"key",`},
			{"SECRET_ACCESS_KEY", `"s_key"`}, {"MYSQL_ROOT_PASSWORD", `my-secret-pw`}, {"MYSQL_PASSWORD", `mypassword`},
			{"MYSQL_ROOT_PASSWORD", `root_password`}, {"MYSQL_PASSWORD", `user_password`},
			{"POSTGRES_PASSWORD", `postgres`}, {"POSTGRES_PASSWORD", `secret`}, {"POSTGRES_PASSWORD", `password`},
			{"GOOGLE_API_KEY", `NO_API_KEY_SET`}, {"GF_SECURITY_ADMIN_PASSWORD", `admin`},
			{"SECRET_WORD", `"MySecret"`}, {"DB_PASSWORD", `password1`}, {"DB_PASSWORD", `rootpass`}},
		kept: [][2]string{{"DATABASE_PASSWORD", `"SuperSecretSauce"`}, {"MYSQL_ROOT_PASSWORD", `Abc123456*`},
			{"PASS", `ADMIN`}, {"GITHUB_TOKEN", `test`}, {"MYSQL_PASSWORD", `root`}, {"RABBITMQ_DEFAULT_PASS", `guest`},
			{"POSTGRES_PASSWORD", `postgres2024!x`}, {"DB_PASSWORD", `password12345678`},
			{"SPRING_DATASOURCE_PASSWORD", `enactor`}, {"MYSQL_PWD", `Str0ng-Passw0rd`}},
		match: nameEcho,
	},
	{
		// Keys that are public by design: Stripe's and Clerk's publishable
		// keys (pk_live_, pk_test_) and Mapbox's public tokens (pk.) are
		// meant for browsers.
		id: "public",
		clean: [][2]string{{"STRIPE_KEY", `pk_live_51HxFakeFAKEfake0123456789abcdefGHIJ`},
			{"CLERK_KEY", `pk_test_Y2xlcmsuZXhhbXBsZS5jb20k`},
			{"MAPBOX_TOKEN", `pk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2Zha2UifQ.FAKEfakeFAKEfake012345`}},
		kept:  [][2]string{{"STRIPE_KEY", `sk_live_51HxFakeFAKEfake0123456789abcdefGHIJ`}},
		match: func(a assignment) bool { return publicKeyValue().MatchString(a.lit) },
	},
}

var (
	templateMarker = lazyRegexp(`^(<[^<>]*>|\$?\{\{.*\}\}|#\{[^{}]*\}|__[A-Za-z0-9_]+__|@[A-Za-z0-9_]+@|%[A-Za-z0-9_]+%|\.{3,}|-+|\?+)$`)
	maskedRun      = lazyRegexp(`[xX]{4,}|\*{3,}|•{3,}`)
	publicKeyValue = lazyRegexp(`^(?:pk_(?:live|test)_[A-Za-z0-9_=$-]{8,}|pk\.ey[A-Za-z0-9_.-]{20,})$`)
)

// placeholderValueWords make a value describe itself as not being a value.
var placeholderValueWords = wordSet(
	"placeholder", "dummy", "fake", "example", "sample", "replace", "replaceme",
	"redacted", "your", "yours", "here", "todo", "fixme", "tbd", "insert",
	"notasecret", "none", "null", "nil", "undefined", "unset", "notset",
	"changeme", "changeit",
)

// placeholderValue reports whether a lower-case value describes itself as not
// being a value: "your-api-key-here", "replace_me", "placeholder", "change_it".
func placeholderValue(lower string) bool {
	words := strings.FieldsFunc(lower, func(r rune) bool { return !isWordRune(r) })
	for _, w := range words {
		if placeholderValueWords[w] {
			return true
		}
	}
	if len(words) == 2 && words[0] == "change" && (words[1] == "me" || words[1] == "it" || words[1] == "this") {
		return true
	}
	return len(words) > 0 && (strings.HasPrefix(words[0], "your") || strings.HasPrefix(words[0], "replace"))
}

func isWordRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= utf8.RuneSelf
}

// Words an example value is made of besides the name's own: the secret
// words themselves, the filler of "my-secret-pw" and "NO_API_KEY_SET", and
// owners ("root_password", "user_password"). Owners alone are a weak
// password, not an echo: ENV PASS=ADMIN is the password the container runs
// with, so a value needs at least one word of its name or one secret word.
var (
	secretValueWords = wordSet(
		"password", "passwords", "passwd", "pass", "pw", "pwd", "psw", "passphrase", "secret", "secrets",
		"token", "key", "keys", "apikey", "api", "access", "private", "auth", "credential", "credentials", "creds",
	)
	fillerWords = wordSet("my", "your", "our", "the", "a", "an", "some", "this", "s", "no", "not", "set", "value", "me", "it", "change")
	ownerWords  = wordSet("root", "admin", "administrator", "user", "username", "db", "default")
)

// nameEcho reports whether every word of the value is a word of the name, a
// secret word, a filler or owner word, or a number of at most four digits,
// with at least one word of the name or one secret word. A word may be
// fused of a filler or owner and one of those: mypassword, rootpass.
func nameEcho(a assignment) bool {
	nameWords := wordSet(SplitWords(a.name)...)
	// A separator pasted after the value (ENV A="key", B=...) is not part
	// of it.
	lit := strings.TrimRight(a.lit, ",;")
	words := SplitWords(lit)
	if len(words) == 0 || strings.ContainsAny(lit, "!@#$%^&*()+=[]{}|;:,<>?/~") {
		// SplitWords drops punctuation: "Abc123456*" is not abc, 123456.
		return false
	}
	core := func(w string) bool { return nameWords[w] || secretValueWords[w] }
	echoed := false
	for _, w := range words {
		switch {
		case w[0] >= '0' && w[0] <= '9':
			if len(w) > 4 {
				return false
			}
		case core(w):
			echoed = true
		case fillerWords[w] || ownerWords[w]:
		case fusedCore(w, core):
			echoed = true
		default:
			return false
		}
	}
	return echoed
}

// fusedCore reports whether w is a filler or owner word fused onto a word
// of the name or a secret word: mypassword, rootpass, adminsecret.
func fusedCore(w string, core func(string) bool) bool {
	for i := 1; i < len(w); i++ {
		if (fillerWords[w[:i]] || ownerWords[w[:i]]) && core(w[i:]) {
			return true
		}
	}
	return false
}

// randomText reports whether s is one word of 16 characters or more that
// mixes three character classes at a high entropy: generated, not a
// phrase, a path or a URL.
func randomText(s string) bool {
	return utf8.RuneCountInString(s) >= 16 && !strings.ContainsAny(s, " \t\n/") &&
		charClasses(s) >= 3 && shannonEntropy(s) >= 3.5
}

// harmlessClass returns the class that clears name=v, or "".
func harmlessClass(name string, v Value) string {
	lit := strings.TrimSpace(v.Literal)
	a := assignment{name: name, v: v, lit: lit, lower: strings.ToLower(lit)}
	for _, c := range valueClasses {
		if c.match(a) {
			return c.id
		}
	}
	return ""
}
