package checks_test

import (
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
)

func TestSecretPath(t *testing.T) {
	tests := []struct {
		path string
		kind string // "" when the path is not a secret
	}{
		{".env", "dotenv file"},
		{"app/.env", "dotenv file"},
		{"/app/.env/", "dotenv file"},
		{".env.local", "dotenv file"},
		{".env.production", "dotenv file"},
		{".env*", "dotenv file"},
		{".env.example", ""},
		{".env.sample", ""},
		{".env.template", ""},
		{".env.dist", ""},
		{".env.local.example", ""},
		{"library-scripts/meta.env", ""},
		{"*.env", ""},
		{".envrc", ""},
		{"environment", ""},

		{"id_rsa", "SSH private key"},
		{"keys/id_ed25519", "SSH private key"},
		{"id_ecdsa_deploy", "SSH private key"},
		{"id_dsa", "SSH private key"},
		{"id_rsa*", "SSH private key"},
		{"ID_RSA", "SSH private key"},
		{"id_rsa.pub", ""},
		{"id_ed25519.pub", ""},
		{"/etc/ssh/ssh_host_ed25519_key", "SSH host private key"},
		{"/etc/ssh/ssh_host_ed25519_key.pub", ""},
		{"deploy.ppk", "PuTTY private key"},

		{".ssh", "SSH folder"},
		{"/root/.ssh/", "SSH folder"},
		{"/root/.ssh/deploy", "SSH private key"},
		{"/root/.ssh/known_hosts", ""},
		{"/root/.ssh/authorized_keys", ""},
		{"/root/.ssh/config", ""},
		{"/home/app/.ssh/github.pub", ""},

		{".aws", "AWS credentials folder"},
		{".aws/credentials", "AWS credentials file"},
		{"/root/.aws/config", "AWS credentials file"},
		{".npmrc", "npm credentials file"},
		{"/root/.npmrc", "npm credentials file"},
		{"npmrc", ""},
		{".yarnrc", ""},
		{".netrc", "netrc credentials file"},
		{"_netrc", "netrc credentials file"},
		{".pypirc", "PyPI credentials file"},
		{".git-credentials", "Git credentials file"},
		{".gitconfig", ""},
		{"/root/.docker/config.json", "Docker credentials file"},
		{"config.json", ""},
		{".docker/nginx.conf", ""},
		{".docker", ""},
		{".dockercfg", "Docker credentials file"},
		{"kubeconfig", "kubeconfig"},
		{"deploy/kubeconfig.yaml", "kubeconfig"},
		{"/root/.kube/config", "kubeconfig"},
		{".kube", "kubeconfig folder"},
		{"/root/.kube/cache/discovery", ""},
		{"scripts/copy-kube-config.sh", ""},
		{".gnupg", "GnuPG folder"},
		{".gnupg/private-keys-v1.d/A1.key", "GnuPG private key"},
		{".gnupg/pubring.kbx", ""},
		{".config/gcloud", "gcloud credentials folder"},
		{"/root/.config/gcloud/credentials.db", "gcloud credentials"},
		{"application_default_credentials.json", "gcloud credentials"},
		{".cargo/credentials.toml", "Cargo credentials file"},
		{".cargo/config.toml", ""},
		{".gem/credentials", "RubyGems credentials file"},

		{"server.key", "private key"},
		{"certs/tls.key", "private key"},
		{"config/master.key", "private key"},
		{"ca.key", "private key"},
		{"*.key", "private key"},
		{"Release.key", ""},
		{"apt.key", ""},
		{"repo-pubkey.key", ""},
		{"public.key", ""},
		{"key.pem", "private key"},
		{"privkey.pem", "private key"},
		{"server-key.pem", "private key"},
		{"ca-key.pem", "private key"},
		{"tls.key.pem", "private key"},
		{"privateKey.pem", "private key"},
		{"server.pem", ""},
		{"cert.pem", ""},
		{"ca.pem", ""},
		{"fullchain.pem", ""},
		{"ca-certificates.pem", ""},
		{"public-key.pem", ""},
		{"pubkey.pem", ""},
		{"*.pem", ""},
		{"server.crt", ""},
		{"ca.cer", ""},
		{"client.p12", "PKCS#12 key bundle"},
		{"cert.pfx", "PKCS#12 key bundle"},
		{"truststore.p12", ""},
		{"app.jks", "Java keystore"},
		{"release.keystore", "Java keystore"},
		{"truststore.jks", ""},
		{"cacerts.jks", ""},

		{"credentials.json", "credentials file"},
		{"client_secret_123.apps.googleusercontent.com.json", "OAuth client secret"},
		{"service-account.json", "service account key"},
		{"service_account_key.json", "service account key"},
		{"terraform.tfstate", "Terraform state"},
		{"terraform.tfstate.backup", "Terraform state"},
		{"credentials.tfrc.json", "Terraform credentials file"},
		{".vault-token", "Vault token"},
		{"/usr/bin/vault", ""},
		{".pgpass", "PostgreSQL password file"},
		{".htpasswd", ""},

		{"$AWS_CONFIG_FILE", "AWS credentials file"},
		{"${GOOGLE_APPLICATION_CREDENTIALS}", "service account key"},
		{"$KUBECONFIG", "kubeconfig"},
		{"$APP_CONFIG_FILE", ""},
		{"$HOME", ""},
		{"$AWS_CONFIG_FILE/x", ""},

		{".", ""},
		{"", ""},
		{"/", ""},
		{"certs", ""},
		{"/etc/ssl/certs/", ""},
		{"src/", ""},
	}
	for _, tt := range tests {
		kind, ok := checks.SecretPath(tt.path)
		if ok != (tt.kind != "") || kind != tt.kind {
			t.Errorf("SecretPath(%q) = %q, %v; want %q", tt.path, kind, ok, tt.kind)
		}
		// The prefilter (SecretPath's own and the RUN walker's) passes over
		// no text that names a secret path.
		if _, ok := checks.SecretPathUnfiltered(tt.path); ok && !checks.MentionsSecretPath(tt.path) {
			t.Errorf("secretPathWords miss %q", tt.path)
		}
	}
}
