package checks

// What a file of a build context holds: whether its name or its content
// makes it a credential, read by the context rules and stowaway image.

import (
	"bytes"
	"encoding/base64"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// ContextFileSecret decides whether a file of a build context holds a
// credential, and what kind. p is its slash path relative to the scan root.
// read returns the file's content, or false when it was not read (too large,
// the read budget spent, unreadable); it is called only when the name calls
// for a look at the content. Names decide alone for formats that are
// credentials by construction (keystores, Terraform state); a name whose
// file often holds no credential (.npmrc with only a registry, .env.example,
// a kubeconfig that runs a login plugin) counts only when its content holds
// one; an unread file keeps the verdict of its name.
func ContextFileSecret(p string, read func() ([]byte, bool), s *Settings) (string, bool) {
	// Every file of every build context comes here: the folders are looked
	// at in one pass, without splitting the path.
	name, fixture, secretDir := p, false, false
	for rest := p; ; {
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			name = rest
			break
		}
		d := rest[:i]
		if dependencyDirs[d] || d == ".git" {
			// Installed packages carry their own test keys, and .git
			// history is advice in broad-copy's fix.
			return "", false
		}
		fixture = fixture || fixtureDirs[strings.ToLower(d)]
		secretDir = secretDir || secretPathDir(d)
		rest = rest[i+1:]
	}
	var buf [32]byte
	base := name
	if lowered, ok := LowerASCIIName(&buf, name); ok {
		base = string(lowered)
	} else {
		base = strings.ToLower(name)
	}
	kind, named := contextSecretPath(p, name, secretDir)
	if named && strings.HasSuffix(kind, "folder") {
		named = false
	}
	if named {
		b, ok := read()
		if !ok || credentialContent(kind, b, s) {
			return kind, true
		}
		return "", false
	}
	if envTemplate(base) {
		// .env.example and friends count when they hold real values.
		if b, ok := read(); ok && dotenvSecret(b, s) {
			return "dotenv file", true
		}
		return "", false
	}
	if !tokenCandidate(name, base, fixture) {
		if !contentCandidate(base, fixture) {
			return "", false
		}
		// Whatever its name (haproxy.pem, deploy, key.bak): a private key or
		// a token that carries its format's mark is a credential by itself;
		// an unprefixed one next to a vendor's name is too weak outside a
		// settings file.
		b, ok := read()
		if !ok || isBinaryContent(b) {
			return "", false
		}
		for _, t := range textTokens(string(b), s) {
			if t.Prefixed {
				return "file holding " + article(t.Description), true
			}
		}
		return "", false
	}
	b, ok := read()
	if !ok || isBinaryContent(b) {
		return "", false
	}
	// One copy of the content serves both searches.
	text := string(b)
	if toks := textTokens(text, s); len(toks) > 0 {
		return "file holding " + article(toks[0].Description), true
	}
	// A settings file's URL with a password (pip.conf's index-url) is one,
	// judged as url-credentials judges it in a Dockerfile.
	if slices.ContainsFunc(URLCredentialSecrets(text), func(u string) bool { return s == nil || !s.Allowed(u) }) {
		return "file holding URL credentials", true
	}
	// Both of the pattern's orders hold the quoted type: most JSON files
	// (every package.json) are ruled out without the regexp.
	if strings.HasSuffix(base, ".json") && strings.Contains(text, serviceAccountType) && serviceAccountJSON().Match(b) {
		return "service account key", true
	}
	return "", false
}

// contextSecretPath is SecretPath(p) for the path p of a file called name,
// where secretDir says whether a folder of p may be one of the folders
// SecretPath reads (secretPathDir). Without one, and for a name and a
// path that SecretPath reads as they are (no backslash, space at either
// end, variable or dot name), the name decides alone: the folders of
// every file of a tree are then not searched again for each.
func contextSecretPath(p, name string, secretDir bool) (string, bool) {
	if secretDir || len(name) == len(p) || name == "" || name == "." || name == ".." || name[0] == '$' ||
		strings.IndexByte(p, '\\') >= 0 || strings.TrimSpace(p) != p || strings.TrimSpace(name) != name {
		return SecretPath(p)
	}
	return SecretPath(name)
}

// secretPathDir reports a folder name that SecretPath may read as a
// credential folder, or one above a credential file (.ssh, .aws, ...),
// lower-cased as SecretPath lower-cases it.
func secretPathDir(d string) bool {
	if len(d) < 4 || d[0] != '.' {
		return false
	}
	switch strings.ToLower(d) {
	case ".ssh", ".aws", ".gnupg", ".kube", ".docker", ".cargo", ".gem", ".config":
		return true
	}
	return false
}

// ThirdPartyPath reports a slash path inside a folder of installed
// third-party packages (node_modules, vendor, site-packages...), whose
// test keys ContextFileSecret leaves out.
func ThirdPartyPath(p string) bool {
	parts := strings.Split(p, "/")
	for _, d := range parts[:len(parts)-1] {
		if dependencyDirs[d] {
			return true
		}
	}
	return false
}

// dependencyDirs hold installed third-party packages.
var dependencyDirs = map[string]bool{
	"node_modules": true, "bower_components": true, "vendor": true, "site-packages": true,
	"dist-packages": true, ".venv": true, "venv": true, ".tox": true,
}

// fixtureDirs hold test data, whose fake tokens have real shapes; a file
// there counts by its name only.
var fixtureDirs = map[string]bool{
	"testdata": true, "fixtures": true, "__fixtures__": true, "__snapshots__": true,
}

// envTemplate reports .env templates, which SecretPath clears by name.
func envTemplate(base string) bool {
	return strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env.example") ||
		strings.HasSuffix(base, ".env.sample") || strings.HasSuffix(base, ".env.template")
}

// configExts are text formats that hold settings, where a token is a
// credential rather than code.
var configExts = map[string]bool{
	".json": true, ".yaml": true, ".yml": true, ".toml": true, ".ini": true, ".cfg": true, ".conf": true,
	".cnf": true, ".config": true, ".properties": true, ".env": true, ".txt": true, ".xml": true,
	".tfvars": true, ".secret": true, ".secrets": true, ".token": true, ".cred": true, ".creds": true,
}

var secretNameWords = []string{"secret", "secrets", "token", "tokens", "credential", "credentials", "creds",
	"password", "passwords", "passwd", "apikey", "auth"}

// tokenCandidate reports the files whose content is searched for known
// token formats: settings files and files named after a credential, outside
// test data (fixture: a folder of the path holds it) and lock files. Source
// code is left to the Dockerfile rules. base is name lower-cased.
func tokenCandidate(name, base string, fixture bool) bool {
	if fixture || lockFile(base) {
		return false
	}
	if configExts[path.Ext(base)] {
		return true
	}
	if strings.HasPrefix(base, ".") && (strings.HasSuffix(base, "rc") || strings.HasSuffix(base, "cfg")) {
		return true
	}
	return nameHasWord(name, secretNameWords)
}

// LowerASCIIName lower-cases into buf a short ASCII name that holds upper
// case and returns it; ok is false for any other name, which
// strings.ToLower lower-cases (without a copy when it has no upper case).
// string(lowered), when the string does not escape, stays on the caller's
// stack: every file of a tree is classified by its lower-cased name, and
// strings.ToLower allocated for each Dockerfile and README.md.
func LowerASCIIName(buf *[32]byte, name string) (lowered []byte, ok bool) {
	if len(name) > len(buf) {
		return nil, false
	}
	upper := false
	for i := range len(name) {
		c := name[i]
		if c >= utf8.RuneSelf {
			return nil, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			upper = true
		}
		buf[i] = c
	}
	return buf[:len(name)], upper
}

// nameHasWord is hasAnyWord(fileNameWords(name), set) for a set of
// lower-case ASCII words, without making the words of an ASCII name: every
// file of every build context is asked.
func nameHasWord(name string, set []string) bool {
	start := -1 // the current word's start, -1 between words
	for i := 0; i <= len(name); i++ {
		var c byte
		if i < len(name) {
			c = name[i]
		}
		switch {
		case c >= utf8.RuneSelf:
			return hasAnyWord(fileNameWords(name), set)
		case i == len(name) || !isLetter(c) || c >= 'A' && c <= 'Z' && i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z':
			// The end of a word, as asciiFileNameWords splits them.
			// The word and the set's are ASCII: only one of the same
			// length can be equal, and most are not.
			if start >= 0 && slices.ContainsFunc(set, func(w string) bool { return len(w) == i-start && strings.EqualFold(name[start:i], w) }) {
				return true
			}
			start = -1
			if i < len(name) && isLetter(c) {
				start = i
			}
		case start < 0:
			start = i
		}
	}
	return false
}

// lockFile reports a package manager's lock file, whose hashes and
// registry URLs look like tokens.
func lockFile(base string) bool {
	return strings.HasSuffix(base, ".lock") || strings.HasSuffix(base, "-lock.json") || strings.HasSuffix(base, "-lock.yaml") ||
		base == "npm-shrinkwrap.json" || base == "go.sum"
}

// isBinaryContent reports a NUL byte in the first 8 KiB, as git does.
func isBinaryContent(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8<<10)], 0) >= 0
}

// contentTokens returns the known token formats of a text file that the
// configuration does not allow.
func contentTokens(b []byte, s *Settings) []Token {
	if isBinaryContent(b) {
		return nil
	}
	return textTokens(string(b), s)
}

// textTokens is contentTokens for a text known not to be binary.
func textTokens(text string, s *Settings) []Token {
	var out []Token
	for _, t := range FindTokens(text) {
		if s == nil || !s.Allowed(t.Secret) {
			out = append(out, t)
		}
	}
	return out
}

// serviceAccountType is the literal that every match of serviceAccountJSON
// holds.
const serviceAccountType = `"service_account"`

var (
	serviceAccountJSON = lazyRegexp(`"type"\s*:\s*"service_account"[\s\S]*"private_key"\s*:\s*"-----BEGIN|"private_key"\s*:\s*"-----BEGIN[\s\S]*"type"\s*:\s*"service_account"`)
	// Spaces around "=" are [ \t]*, never \s*: a key left empty must not
	// take the next line as its value.
	npmrcCredential = lazyRegexp(`(?im)^[ \t]*(?:\S*:)?(?:_authtoken|_auth|_password)[ \t]*=[ \t]*(.*)$`)
	pypircPassword  = lazyRegexp(`(?im)^[ \t]*password[ \t]*[=:][ \t]*(.*)$`)
	netrcPassword   = lazyRegexp(`(?i)(?:^|\s)password\s+(\S+)`)
	dockerAuth      = lazyRegexp(`"(auth|identitytoken|registrytoken|password)"\s*:\s*"([^"]*)"`)
	kubeCredential  = lazyRegexp(`(?m)^[ \t]*(?:token|client-key-data|password)[ \t]*:[ \t]*(.*)$`)
	awsCredential   = lazyRegexp(`(?im)^[ \t]*(?:aws_secret_access_key|aws_session_token)[ \t]*[=:][ \t]*(.*)$`)
	privateKeyBlock = lazyRegexp(`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-`)
)

// contentVerifiers decide, for credential files that often hold none,
// whether the content holds one. Known token formats count for every kind.
var contentVerifiers = map[string]func([]byte, *Settings) bool{
	"dotenv file":             dotenvSecret,
	"npm credentials file":    literalGroup(npmrcCredential),
	"PyPI credentials file":   literalGroup(pypircPassword),
	"netrc credentials file":  literalGroup(netrcPassword),
	"Git credentials file":    func(b []byte, _ *Settings) bool { return URLWithCredentials(string(b)) },
	"Docker credentials file": dockerCredential,
	"kubeconfig":              literalGroup(kubeCredential),
	"AWS credentials file":    literalGroup(awsCredential),
	"SSH private key":         privateKeyContent,
	"SSH host private key":    privateKeyContent,
	"private key":             privateKeyContent,
	"PuTTY private key":       privateKeyContent,
}

// credentialContent reports whether b, the content of a credential file
// of the given kind, holds a credential: kinds that often hold none (an
// .npmrc with only a registry or ${NPM_TOKEN}) count only when their content
// does; the others whenever they are not empty.
func credentialContent(kind string, b []byte, s *Settings) bool {
	if len(bytes.TrimSpace(b)) == 0 {
		return false
	}
	if verify, ok := contentVerifiers[kind]; ok {
		return verify(b, s) || len(contentTokens(b, s)) > 0
	}
	return true
}

// literalGroup reports a match of re whose first group is a literal value:
// not empty, not a reference (${NPM_TOKEN}) and not a placeholder.
func literalGroup(re func() *regexp.Regexp) func([]byte, *Settings) bool {
	return func(b []byte, s *Settings) bool {
		for _, m := range re().FindAllSubmatch(b, -1) {
			v := strings.Trim(strings.TrimSpace(string(m[1])), `"'`)
			if literalValue(v, s) {
				return true
			}
		}
		return false
	}
}

// dockerCredential reports a Docker config entry that holds a credential.
// "auth" is base64(user:password): its password is what must be literal,
// so that a login with an empty password ("ci:") is none.
func dockerCredential(b []byte, s *Settings) bool {
	for _, m := range dockerAuth().FindAllSubmatch(b, -1) {
		v := string(m[2])
		if string(m[1]) == "auth" {
			if dec, err := base64.StdEncoding.DecodeString(v); err == nil {
				if _, pass, ok := strings.Cut(string(dec), ":"); ok {
					v = pass
				}
			}
		}
		if literalValue(v, s) {
			return true
		}
	}
	return false
}

func literalValue(v string, s *Settings) bool {
	if len(v) < 4 || HarmlessValue("", ReadValue(v, '\\')) {
		return false
	}
	return s == nil || !s.Allowed(v)
}

// article puts "a" or "an" before a kind.
func article(kind string) string {
	if kind != "" && strings.ContainsRune("AEIOUaeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

// privateKeyContent reports key material: a private key block, or a binary
// (DER) file; a text file without a key block (a license key, a public key
// saved as .key) is not one.
func privateKeyContent(b []byte, _ *Settings) bool {
	return isBinaryContent(b) || privateKeyBlock().Match(b)
}

// dotenvSecret reports a dotenv file that assigns a literal secret: a
// secret name with a real-looking value, a known token format or a URL
// with credentials or a connection string with its password.
func dotenvSecret(b []byte, s *Settings) bool {
	if isBinaryContent(b) {
		return false
	}
	for _, line := range SplitLines(b) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, raw, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		raw = strings.TrimSpace(raw)
		if !strings.HasPrefix(raw, `"`) && !strings.HasPrefix(raw, "'") {
			if i := strings.Index(raw, " #"); i >= 0 {
				raw = strings.TrimSpace(raw[:i])
			}
		}
		v := ReadValue(raw, '\\')
		if JudgeAssignment(name, v, s).Secret() {
			return true
		}
	}
	return false
}
