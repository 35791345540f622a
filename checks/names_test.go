package checks_test

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stowaway-dev/stowaway/checks"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"DB_PASSWORD", []string{"db", "password"}},
		{"dbPassword2", []string{"db", "password", "2"}},
		{"APIKey", []string{"api", "key"}},
		{"x-api-key", []string{"x", "api", "key"}},
		{"npm.config.token", []string{"npm", "config", "token"}},
		{"OAUTH2_PROXY_VERSION", []string{"oauth", "2", "proxy", "version"}},
		{"DefaultProcess__Filters__0__Key", []string{"default", "process", "filters", "0", "key"}},
		{"SUPER_Secret", []string{"super", "secret"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, checks.SplitWords(tt.name)); diff != "" {
				t.Errorf("SplitWords(%q) mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestSecretName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		// Secret words, in every spelling.
		{"DATABASE_PASSWORD", true},
		{"GITHUB_TOKEN", true},
		{"AWS_SECRET_ACCESS_KEY", true},
		{"API_KEY", true},
		{"apiKey", true},
		{"apikey", true},
		{"OPENAI_API_KEY", true},
		{"SSH_PRIVATE_KEY", true},
		{"SSH_KEY", true},
		{"LICENSE_KEY", true},
		{"CLIENT_SECRET", true},
		{"SECRET_KEY_BASE", true},
		{"SECRET_PASSPHRASE", true},
		{"super_duper_secret_token", true},
		{"SUPER_Secret", true},
		{"DB_PASS", true},
		{"PASS", true},
		{"PasS", true},
		{"TokenURL", false},
		{"MYSQL_PWD", true},
		{"ROOT_PW", true},
		{"GITHUB_PAT", true},
		{"ACCESSTOKEN", true},
		{"LDAP_ROOTPASS", true},
		{"USER_PASSWORD", true},
		{"DB_LOGIN_PASSWORD", true},
		// Jenkins credentials(): _PSW is the password, _USR the user name.
		{"DB_CREDS_PSW", true},
		{"ARTIFACTORY_PSW", true},
		{"DB_CREDS", true},
		{"DB_CREDS_USR", false},
		{"ARTIFACTORY_USR", false},
		// A qualifier after the secret word makes it about something else.
		{"PASSWORD_FILE", false},
		{"SECRET_PASSPHRASE_FILE", false},
		{"password_file", false},
		{"secret_File", false},
		{"TOKEN_URL", false},
		{"AUTH_ENABLED", false},
		{"AUTH_MODULE_VERSION", false},
		{"AWS_ACCESS_KEY_ID", false},
		{"VITE_AWS_ACCESS_KEY_ID", false},
		{"API_KEY_ID", false},
		{"PASSWORD_MIN_LENGTH", false},
		{"TOKEN_EXPIRY_SECONDS", false},
		{"POSTGRES_HOST_AUTH_METHOD", false},
		{"SSH_AUTH_SOCK", false},
		{"SECRET_NAME", false},
		{"PASSWORD_HINT", false},
		{"SIGNING_KEY_ALIAS", false},
		{"SECRET_MANAGER", false},
		{"AZURE_STORAGE_KEY", true},
		// Switches: the value turns a behaviour on.
		{"MYSQL_ALLOW_EMPTY_PASSWORD", false},
		{"MYSQL_RANDOM_ROOT_PASSWORD", false},
		// Yes/no flags about a secret.
		{"HAS_NPM_TOKEN", false},
		{"IS_PASSWORD_SET", false},
		{"ENABLE_AUTH_TOKEN", false},
		{"TOKEN_AUTH_ENABLED", false},
		{"DISABLE_API_KEY_CHECK", false},
		{"THIS_API_TOKEN", true},
		// Keys public by design.
		{"STRIPE_PUBLISHABLE_KEY", false},
		{"RECAPTCHA_SITE_KEY", false},
		{"RECAPTCHA_SECRET_KEY", true},
		{"SUPABASE_ANON_KEY", false},
		// By convention the path of a key file, not the key.
		{"GOOGLE_APPLICATION_CREDENTIALS", false},
		{"DB_PASSWORD_PATH", false},
		{"GPG_KEYID", false},
		// Public or counted things.
		{"PUBLIC_KEY", false},
		{"public_token", false},
		{"NEXT_PUBLIC_API_KEY", false},
		{"MAX_TOKENS", false},
		// Names that only contain the letters of a secret word.
		{"NODE_VERSION", false},
		{"KEYCLOAK_VERSION", false},
		{"TOKENIZERS_PARALLELISM", false},
		{"OAUTH2_PROXY_VERSION", false},
		{"KEEPASSXC_VERSION", false},
		{"HTTP_BYPASS", false},
		{"PASS_THROUGH", false},
		{"PWD", false},
		{"OLDPWD", false},
		{"PATH", false},
		// Weak words: suspicious only with a random value.
		{"GPG_KEY", false},
		{"GPG_KEYS", false},
		{"SITE_KEY", false},
		{"AUTH", false},
		{"git_key", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checks.SecretName(tt.name, nil); got != tt.want {
				t.Errorf("SecretName(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestSecretNameSettings(t *testing.T) {
	s := &checks.Settings{SecretWords: []string{"sesame", "magic_word"}}
	tests := []struct {
		name string
		want bool
	}{
		{"OPEN_SESAME", true},
		{"THE_MAGIC_WORD", true},
		{"MAGIC", false},
		{"SESAME_FILE", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checks.SecretName(tt.name, s); got != tt.want {
				t.Errorf("SecretName(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestReadValue(t *testing.T) {
	tests := []struct {
		raw         string
		wantLiteral string
		wantRefs    bool
		wantDefault bool
	}{
		{`SuperSecretSauce`, "SuperSecretSauce", false, false},
		{`"Super Secret"`, "Super Secret", false, false},
		{`'single'`, "single", false, false},
		{`$NPM_TOKEN`, "", true, false},
		{`${NPM_TOKEN}`, "", true, false},
		{`Bearer ${TOKEN}`, "Bearer ", true, false},
		{`${DB_PASSWORD:-hunter2}`, "hunter2", true, true},
		{`"unterminated`, "unterminated", false, false},
		// Special and positional parameters: nothing sets them, BuildKit
		// expands them to "", and the rest is a literal.
		{`k3j$$x9Qm2Lp`, "k3jx9Qm2Lp", false, false},
		{`"k3j$1x9Qm2Lp"`, "k3jx9Qm2Lp", false, false},
		{`a$12b$@c`, "abc", false, false},
		{`$$ ${TOKEN}`, " ", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			v := checks.ReadValue(tt.raw, 0)
			if v.Literal != tt.wantLiteral || (len(v.Refs) > 0) != tt.wantRefs || v.Defaulted != tt.wantDefault {
				t.Errorf("ReadValue(%q) = literal %q refs %v defaulted %v, want %q %v %v",
					tt.raw, v.Literal, v.Refs, v.Defaulted, tt.wantLiteral, tt.wantRefs, tt.wantDefault)
			}
		})
	}
}

func TestReadValueEscape(t *testing.T) {
	v := checks.ReadValue(`C:\Users\app\.aws`, '`')
	if v.Literal != `C:\Users\app\.aws` {
		t.Errorf("with escape=` the backslashes must stay, got %q", v.Literal)
	}
}

func TestHarmlessValue(t *testing.T) {
	tests := []struct {
		name, raw string
		want      bool
	}{
		{"DB_PASSWORD", ``, true},
		{"DB_PASSWORD", `""`, true},
		{"NPM_TOKEN", `$NPM_TOKEN`, true},
		{"APP_SECRET", `${APP_SECRET}`, true},
		{"AUTH_HEADER_VALUE", `"Bearer ${TOKEN}"`, true},
		{"DB_PASSWORD", `${DB_PASSWORD:-hunter2}`, false},
		{"DB_PASSWORD", `/run/secrets/db_password`, true},
		{"DB_PASSWORD", `$(cat /run/secrets/db)`, true},
		{"SSL_KEY", `/etc/ssl/private/server.key`, true},
		{"SSL_KEY", `./certs/server.key`, true},
		{"GOOGLE_APPLICATION_CREDENTIALS", `google-storage-service.json`, true},
		{"SECRET", `/x8KdQz3LmPw9RtY2vBnC7`, false},
		{"TOKEN_REQUIRED", `true`, true},
		{"AUTH", `off`, true},
		{"TOKEN", `42`, true},
		{"DB_PASSWORD", `1`, true},
		{"DB_PASSWORD", `x`, true},
		{"MYSQL_ALLOW_EMPTY_PASSWORD", `yes`, true},
		{"DB_PASSWORD", `123123`, false},
		{"OIDC_TOKEN", `https://token.actions.githubusercontent.com`, true},
		{"DB_PASSWORD", `postgres://app:hunter2@db/app`, false},
		{"SAS_TOKEN", `https://acct.blob.core.windows.net/c?sv=2022&sig=abcDEF123`, false},
		{"GPG_KEY", `7169605F62C751356D054A26A821E680E5FA6305`, true},
		{"GPG_KEYS", `1198C0117593497A5EC5C199286AF1F9897469DC C28D937575603EB4ABB725861C0779DC5C0A9DE4`, true},
		{"LICENSE_KEY", `7169605F62C751356D054A26A821E680E5FA6305`, false},
		{"GITHUB_TOKEN", `<your-token>`, true},
		{"GITHUB_TOKEN", `placeholder`, true},
		{"GITHUB_TOKEN", `your_github_token_here`, true},
		{"GITHUB_TOKEN", `REPLACE_ME`, true},
		{"GITHUB_TOKEN", `{{ .Token }}`, true},
		{"GITHUB_TOKEN", `__GITHUB_TOKEN__`, true},
		{"GITHUB_TOKEN", `xxxxxxxx`, true},
		{"SECRET_KEY_BASE", `dummy`, true},
		// Values that ask to be changed are placeholders (DESIGN.md); a
		// weak password that does not is the one the container runs with.
		{"ADMIN_PASSWORD", `changeme`, true},
		{"KEYSTORE_PASSWORD", `changeit`, true},
		{"DATABASE_PASSWORD", `"SuperSecretSauce"`, false},
		{"PASS", `ADMIN`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.raw, func(t *testing.T) {
			if got := checks.HarmlessValue(tt.name, checks.ReadValue(tt.raw, 0)); got != tt.want {
				t.Errorf("HarmlessValue(%q, %q) = %v, want %v", tt.name, tt.raw, got, tt.want)
			}
		})
	}
}

func TestLiteralSecret(t *testing.T) {
	allow := &checks.Settings{AllowValues: []*regexp.Regexp{regexp.MustCompile(`^insecure-dev-`)}}
	tests := []struct {
		name, raw string
		s         *checks.Settings
		want      bool
	}{
		{"DATABASE_PASSWORD", `"SuperSecretSauce"`, nil, true},
		{"password", `bar`, nil, true},
		{"PASS", `ADMIN`, nil, true},
		{"admin_password", `123123`, nil, true},
		{"DB_CREDS_PSW", `s3cr3t-Pa55`, nil, true},
		{"PASSWORD_FILE", `/run/secrets/db`, nil, false},
		{"password_file", `bar`, nil, false},
		{"TOKEN_URL", `https://auth.example.com/token`, nil, false},
		{"AUTH_ENABLED", `true`, nil, false},
		{"PUBLIC_KEY", `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB`, nil, false},
		{"NPM_TOKEN", `$NPM_TOKEN`, nil, false},
		{"USERNAME", `admin`, nil, false},
		{"git_key", ``, nil, false},
		// Weak names need a random-looking value.
		{"GPG_KEY", `A035C8C19219BA821ECEA86B64E628F8D684696D`, nil, false},
		{"SITE_KEY", `abc`, nil, false},
		{"DefaultProcess__Filters__0__Key", `ProcessId`, nil, false},
		{"AUTH", `basic`, nil, false},
		{"STRIPE_KEY", `kq8Zr2LmPw9RtY2vBnC7xT4e`, nil, true},
		{"AUTH", `dXNlcjpQYTU1d29yZEFiYzEyMw==`, nil, true},
		// Values allowed by the configuration.
		{"DB_PASSWORD", `insecure-dev-password`, allow, false},
		{"DB_PASSWORD", `other-password`, allow, true},
		// Configured secret words.
		{"OPEN_SESAME", `letmein`, &checks.Settings{SecretWords: []string{"sesame"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.raw, func(t *testing.T) {
			if got := checks.LiteralSecret(tt.name, checks.ReadValue(tt.raw, 0), tt.s); got != tt.want {
				t.Errorf("LiteralSecret(%q, %q) = %v, want %v", tt.name, tt.raw, got, tt.want)
			}
		})
	}
}
