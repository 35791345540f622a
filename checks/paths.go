package checks

import (
	"path"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Which paths are secrets. Every decision below was checked against real
// Dockerfiles, where a false positive costs as much as a miss:
//   - Only private material counts. Certificates (*.crt, *.cer, ca.pem,
//     cert.pem, fullchain.pem), public keys (*.pub, known_hosts,
//     authorized_keys) and GPG repository keys (Release.key, apt.key) are
//     public and are copied into images on purpose.
//   - *.key is a private key unless its name says public, GPG or repository
//     key. *.pem holds certificates as often as keys, so it counts only when
//     its name says key (key.pem, privkey.pem, server-key.pem, ca-key.pem);
//     server.pem and cert.pem are left alone.
//   - .env and .env.<stage> count; templates (.env.example, .sample,
//     .template, .dist, .defaults) do not, and neither does <name>.env,
//     which real repositories use for version metadata (meta.env).
//   - .htpasswd holds password hashes that a web server needs at run time;
//     shipping it is intended, so it is not reported.

// SecretPath reports whether a slash path names a file or folder that holds
// credentials, and what kind; the kinds of folders end in "folder". It reads
// only the name, never the content; a glob such as *.key or id_rsa* is
// classified by its literal parts.
func SecretPath(p string) (kind string, ok bool) {
	// Most paths (every file of a build context is asked about) hold none
	// of the words that each accepted path holds: one walk of the keyword
	// index rules them out without splitting and lower-casing the path.
	if !runTextHas(secretPathIndex(), p) {
		return "", false
	}
	return secretPath(p)
}

// secretPathIndex indexes secretPathWords.
var secretPathIndex = sync.OnceValue(func() *keywordIndex { return newKeywordIndex(secretPathWords) })

// secretPath is SecretPath without the prefilter.
func secretPath(p string) (kind string, ok bool) {
	p = strings.TrimSpace(strings.ReplaceAll(p, `\`, "/"))
	p = strings.TrimRight(p, "/")
	if p == "" || p == "." {
		return "", false
	}
	if k, ok := credentialFileVars[strings.Trim(p, "${}")]; ok && strings.HasPrefix(p, "$") {
		return k, true
	}
	p = path.Clean(p)
	// A name (the usual question) is split into nothing; the words of the
	// name are made only for the extensions that read them.
	lower := strings.ToLower(p)
	parts := []string{lower}
	if strings.Contains(lower, "/") {
		parts = strings.Split(lower, "/")
	}
	base := parts[len(parts)-1]
	dirs := parts[:len(parts)-1]
	words := func() []string { return fileNameWords(path.Base(p)) }

	for i, d := range dirs {
		rest := parts[i+1:]
		switch d {
		case ".ssh":
			if publicSSHFile(base) {
				return "", false
			}
			return "SSH private key", true
		case ".aws":
			return "AWS credentials file", true
		case ".gnupg":
			if base == "secring.gpg" || slices.Contains(rest, "private-keys-v1.d") {
				return "GnuPG private key", true
			}
		case ".kube":
			if len(rest) == 1 && base == "config" {
				return "kubeconfig", true
			}
		case ".docker":
			if len(rest) == 1 && base == "config.json" {
				return "Docker credentials file", true
			}
		case ".cargo":
			if len(rest) == 1 && (base == "credentials" || base == "credentials.toml") {
				return "Cargo credentials file", true
			}
		case ".gem":
			if len(rest) == 1 && base == "credentials" {
				return "RubyGems credentials file", true
			}
		case ".config":
			if len(rest) >= 1 && rest[0] == "gcloud" {
				if len(rest) == 1 {
					return "gcloud credentials folder", true
				}
				return "gcloud credentials", true
			}
		}
	}

	switch base {
	case ".ssh":
		return "SSH folder", true
	case ".aws":
		return "AWS credentials folder", true
	case ".gnupg":
		return "GnuPG folder", true
	case ".kube":
		return "kubeconfig folder", true
	case ".env", ".env*":
		return "dotenv file", true
	case ".npmrc":
		return "npm credentials file", true
	case ".netrc", "_netrc":
		return "netrc credentials file", true
	case ".pypirc":
		return "PyPI credentials file", true
	case ".git-credentials":
		return "Git credentials file", true
	case ".dockercfg":
		return "Docker credentials file", true
	case ".vault-token":
		return "Vault token", true
	case ".pgpass":
		return "PostgreSQL password file", true
	case "credentials.json":
		return "credentials file", true
	case "application_default_credentials.json":
		return "gcloud credentials", true
	case "credentials.tfrc.json":
		return "Terraform credentials file", true
	}

	ext := path.Ext(base)
	switch {
	case strings.HasPrefix(base, ".env."):
		if hasAnyWord(strings.Split(base[len(".env."):], "."), envTemplateWords) {
			return "", false
		}
		return "dotenv file", true
	case base == "kubeconfig" || strings.HasPrefix(base, "kubeconfig.") || strings.HasPrefix(base, "kubeconfig-") || strings.HasPrefix(base, "kubeconfig_"):
		return "kubeconfig", true
	case sshPrivateKeyName(base):
		return "SSH private key", true
	case strings.HasPrefix(base, "ssh_host_") && strings.HasSuffix(base, "_key"):
		return "SSH host private key", true
	case ext == ".ppk":
		return "PuTTY private key", true
	case ext == ".key":
		if hasAnyWord(words(), publicKeyWords) {
			return "", false
		}
		return "private key", true
	case ext == ".pem":
		if hasAnyWord(words(), publicKeyWords) {
			return "", false
		}
		if hasAnyWord(words(), privateKeyWords) {
			return "private key", true
		}
		return "", false
	case ext == ".p12" || ext == ".pfx":
		if hasAnyWord(words(), keystoreTrustWords) {
			return "", false
		}
		return "PKCS#12 key bundle", true
	case ext == ".jks" || ext == ".keystore":
		if hasAnyWord(words(), keystoreTrustWords) {
			return "", false
		}
		return "Java keystore", true
	case ext == ".tfstate" || strings.HasSuffix(base, ".tfstate.backup"):
		return "Terraform state", true
	case ext == ".json" && strings.HasPrefix(base, "client_secret"):
		return "OAuth client secret", true
	case ext == ".json" && (strings.HasPrefix(base, "service-account") || strings.HasPrefix(base, "service_account") || strings.HasPrefix(base, "serviceaccount")):
		return "service account key", true
	}
	return "", false
}

// secretPathWords are words one of which every path that SecretPath accepts
// holds, ASCII letters folded to lower case (its directory names, file
// names, extensions and prefixes, and the variables of credentialFileVars):
// a text that holds none of them names no credential file. They follow
// SecretPath; TestSecretPath checks them against its cases.
var secretPathWords = []string{
	".ssh", ".aws", ".gnupg", ".kube", "kubeconfig", ".docker", ".cargo", ".gem", "gcloud",
	".env", ".npmrc", "netrc", ".pypirc", ".git-credentials", ".dockercfg", ".vault-token", "pgpass",
	"credentials", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "ssh_host_", ".ppk", ".key", ".pem",
	".p12", ".pfx", ".jks", ".keystore", ".tfstate", "client_secret", "service-account", "service_account",
	"serviceaccount", "aws_config_file", "npm_config_userconfig",
}

// credentialFileVars are variables that tools read a credential file's
// path from: COPY config $AWS_CONFIG_FILE writes that file.
var credentialFileVars = map[string]string{
	"AWS_SHARED_CREDENTIALS_FILE":    "AWS credentials file",
	"AWS_CONFIG_FILE":                "AWS credentials file",
	"GOOGLE_APPLICATION_CREDENTIALS": "service account key",
	"KUBECONFIG":                     "kubeconfig",
	"NPM_CONFIG_USERCONFIG":          "npm credentials file",
	"NETRC":                          "netrc credentials file",
	"PGPASSFILE":                     "PostgreSQL password file",
}

var (
	envTemplateWords   = []string{"example", "examples", "sample", "samples", "template", "tmpl", "tpl", "dist", "default", "defaults", "schema"}
	publicKeyWords     = []string{"pub", "public", "pubkey", "gpg", "pgp", "gpgkey", "asc", "release", "repo", "apt", "keyring", "archive"}
	privateKeyWords    = []string{"key", "privkey", "priv", "private", "privatekey"}
	keystoreTrustWords = []string{"trust", "truststore", "cacerts", "ca"}
	sshKeyPrefixes     = []string{"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"}
)

// sshPrivateKeyName reports names like id_rsa, id_ed25519_deploy or id_rsa*; the
// .pub halves are public.
func sshPrivateKeyName(base string) bool {
	if strings.HasSuffix(base, ".pub") {
		return false
	}
	for _, p := range sshKeyPrefixes {
		if strings.HasPrefix(base, p) {
			return true
		}
	}
	return false
}

// publicSSHFile reports the files of ~/.ssh that hold no secret.
func publicSSHFile(base string) bool {
	switch base {
	case "known_hosts", "known_hosts.old", "authorized_keys", "authorized_keys2", "config", "environment", "rc":
		return true
	}
	return strings.HasSuffix(base, ".pub")
}

// fileNameWords splits a file name into lower-case words at punctuation, digits
// and camelCase boundaries: "server-key.pem" -> server, key, pem.
func fileNameWords(name string) []string {
	if ascii, words := asciiFileNameWords(name); ascii {
		return words
	}
	return runeFileNameWords(name)
}

// runeFileNameWords is fileNameWords for any name.
func runeFileNameWords(name string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && unicode.IsLower(rs[i-1]):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}

// asciiFileNameWords is fileNameWords for an ASCII name, the usual case:
// the words are slices of name (lower-cased only when they hold upper case),
// without the rune slices. ascii is false for any other name.
func asciiFileNameWords(name string) (ascii bool, words []string) {
	start := -1 // the current word's start, -1 between words
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= utf8.RuneSelf:
			return false, nil
		case !isLetter(c):
			if start >= 0 {
				words = append(words, strings.ToLower(name[start:i]))
				start = -1
			}
		case c >= 'A' && c <= 'Z' && i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z':
			if start >= 0 {
				words = append(words, strings.ToLower(name[start:i]))
			}
			start = i
		case start < 0:
			start = i
		}
	}
	if start >= 0 {
		words = append(words, strings.ToLower(name[start:]))
	}
	return true, words
}

func hasAnyWord(words, set []string) bool {
	for _, w := range words {
		if slices.Contains(set, w) {
			return true
		}
	}
	return false
}
