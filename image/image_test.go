package image_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/image"
	"github.com/stowaway-dev/stowaway/image/imagetest"
	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/scan"
)

// Planted fake secrets: real shapes, obviously fake.
const (
	ghToken  = "ghp_FAKEfakeFAKEfake0123456789abcdefABCD"
	npmToken = "npm_FAKEfakeFAKEfake0123456789abcdefABCD"
	dbPass   = "Vt9-qLm2-Zr7x-Kp4w"
	urlPass  = "fakeUser:FakePassw0rdZ9"
	oldPass  = "Wq8-zRt3-Lm5v-Yx2n"
	pemKey   = "-----BEGIN PRIVATE KEY-----\nMIIEvFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKE\nFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfakeFAKEfake\n-----END PRIVATE KEY-----\n"
	sshKey   = "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKEFAKEFAKEFAKEexampleKEYnotREALfakeFAKEFAKEFAKE\n-----END OPENSSH PRIVATE KEY-----\n"
)

var planted = []string{ghToken, npmToken, dbPass, urlPass, oldPass, "FAKEFAKEFAKEFAKEexampleKEYnotREAL", "MIIEvFAKEfakeFAKE"}

// leaky is an image with a secret in every place an image keeps one, and
// public material that is no finding.
func leaky() imagetest.Spec {
	return imagetest.Spec{
		// AUTHORIZATION_TOKEN is "Bearer ${TOKEN}" built with TOKEN unset.
		Env:    []string{"PATH=/usr/bin", "GITHUB_TOKEN=" + ghToken, "DB_PASSWORD_FILE=/run/secrets/db", "API_TOKEN=changeme", "AUTHORIZATION_TOKEN=Bearer "},
		Labels: map[string]string{"org.example.db-password": dbPass, "org.opencontainers.image.source": "https://github.com/example/app"},
		History: []v1.History{
			{CreatedBy: "ADD rootfs.tar / # buildkit"},
			{CreatedBy: "ARG NPM_TOKEN=" + npmToken, EmptyLayer: true},
			{CreatedBy: "RUN |2 NPM_TOKEN=" + npmToken + " VERSION=1.2.3 /bin/sh -c npm ci # buildkit"},
			{CreatedBy: "RUN |2 NPM_TOKEN=" + npmToken + " VERSION=1.2.3 /bin/sh -c rm /app/.npmrc # buildkit"},
			{CreatedBy: "ADD https://" + urlPass + "@example.com/pkg.tgz /pkg.tgz # buildkit"},
			{CreatedBy: "ENV GITHUB_TOKEN=" + ghToken, EmptyLayer: true},
			{CreatedBy: "ENV DB_PASSWORD=" + oldPass + " LANG=C.UTF-8", EmptyLayer: true},
		},
		Layers: [][]imagetest.File{
			{
				{Name: "etc/ssl/certs/ca-certificates.crt", Body: "-----BEGIN CERTIFICATE-----\nMIIFAKE\n-----END CERTIFICATE-----\n"},
				{Name: "usr/share/keyrings/debian-archive-keyring.gpg", Body: "\x99\x02\x0dFAKE"},
				{Name: "root/.ssh/id_rsa.pub", Body: "ssh-ed25519 AAAAFAKE user@host\n"},
				{Name: "usr/lib/python3.12/test/keycert.pem", Body: sshKey},
				{Name: "go/pkg/mod/github.com/example/tlsutil@v1.2.0/testdata/server.key", Body: sshKey},
			},
			{{Name: "app/.npmrc", Body: "//registry.npmjs.org/:_authToken=" + npmToken + "\n"}, {Name: "app/ok.npmrc.d/.npmrc", Body: "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"}},
			{{Name: "app/.wh..npmrc"}},
			{{Name: "root/.ssh/id_ed25519", Body: sshKey}, {Name: "app/config/settings.yaml", Body: "github: " + ghToken + "\n"},
				{Name: "app/certs/server.pem", Body: "-----BEGIN CERTIFICATE-----\nMIIFAKE\n-----END CERTIFICATE-----\n" + pemKey},
				{Name: "app/certs/chain.pem", Body: "-----BEGIN CERTIFICATE-----\nMIIFAKE\n-----END CERTIFICATE-----\n"},
				{Name: "app/node_modules/tls/test.pem", Body: pemKey}},
		},
	}
}

func build(t *testing.T, s imagetest.Spec) v1.Image {
	t.Helper()
	img, err := imagetest.Build(s)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// findings summarises a result as "rule path: message" lines.
func findings(res *scan.Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.RuleID+" "+f.Message)
	}
	return out
}

// sortedFindings is findings, digests cut, sorted.
func sortedFindings(res *scan.Result) []string {
	got := findings(res)
	for i := range got {
		got[i] = digestPrefix.ReplaceAllString(got[i], "sha256:…")
	}
	slices.Sort(got)
	return got
}

func noSecret(t *testing.T, res *scan.Result) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.JSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	if err := report.Text(&buf, res, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range planted {
		if strings.Contains(buf.String(), s) {
			t.Errorf("output holds the planted secret %q:\n%s", s, buf.String())
		}
	}
}

func TestFormats(t *testing.T) {
	img := build(t, leaky())
	dir := t.TempDir()
	forms := map[string]func(string) error{
		"docker-save.tar": func(p string) error { return imagetest.WriteDockerSave(p, img) },
		"oci.tar":         func(p string) error { return imagetest.WriteOCITar(p, img) },
		"layout":          func(p string) error { return imagetest.WriteLayout(p, img) },
	}
	want := []string{
		`image-secret-config Env "GITHUB_TOKEN" holds a GitHub Personal Access Token in the image config (set by history entry 5)`,
		`image-secret-config Label "org.example.db-password" holds a credential value in the image config`,
		`image-secret-file Layer 1 (sha256:…, history entry 2: RUN) holds /app/.npmrc, an npm credentials file; layer 2 deletes it, but its bytes stay in layer 1`,
		`image-secret-file Layer 3 (sha256:…, history entry 4: ADD) holds /app/certs/server.pem, a file holding a private key`,
		`image-secret-file Layer 3 (sha256:…, history entry 4: ADD) holds /app/config/settings.yaml, a file holding a GitHub Personal Access Token`,
		`image-secret-file Layer 3 (sha256:…, history entry 4: ADD) holds /root/.ssh/id_ed25519, an SSH private key`,
		`image-secret-history History entry 1 (ARG) records ARG "NPM_TOKEN" with an npm access token`,
		`image-secret-history History entry 2 (RUN), layer 1 (sha256:…) records build argument "NPM_TOKEN" with an npm access token`,
		`image-secret-history History entry 3 (RUN), layer 2 (sha256:…) records build argument "NPM_TOKEN" with an npm access token`,
		`image-secret-history History entry 4 (ADD), layer 3 (sha256:…) holds URL credentials`,
		`image-secret-history History entry 6 (ENV) records ENV "DB_PASSWORD" with a credential value`,
	}
	for name, write := range forms {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			if err := write(p); err != nil {
				t.Fatal(err)
			}
			res, err := image.Check(context.Background(), p, image.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := sortedFindings(res)
			if !slices.Equal(got, want) {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, f := range res.Findings {
				if f.Path != p || f.Fingerprint == "" || f.Rule == nil || !strings.HasPrefix(f.Fix, "Rotate the credential") {
					t.Errorf("finding %s at %q, fingerprint %q, fix %q", f.RuleID, f.Path, f.Fingerprint, f.Fix)
				}
			}
			if len(res.Problems) != 0 {
				t.Errorf("problems: %+v", res.Problems)
			}
			noSecret(t, res)
		})
	}
}

// TestDockerfileMismatch: an image not built from the Dockerfile keeps its
// findings on the image, and says why.
func TestDockerfileMismatch(t *testing.T) {
	p := filepath.Join(t.TempDir(), "image.tar")
	if err := imagetest.WriteDockerSave(p, build(t, leaky())); err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{
		"FROM alpine\nCOPY . /app\nRUN make\nRUN make install\nCMD [\"app\"]\n",
		"FROM alpine\n" + strings.Repeat("RUN true\n", 10),
	} {
		df, err := checks.ParseDockerfile("Dockerfile", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := image.Check(context.Background(), p, image.Options{Dockerfile: df})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "findings are located on the image") {
			t.Errorf("problems:\n%s", problems(res))
		}
		for _, f := range res.Findings {
			if f.Path != p {
				t.Errorf("finding at %s:%d, want on the image", f.Path, f.Region.StartLine)
			}
		}
		if len(res.Findings) != 11 {
			t.Errorf("%d findings, want the 11 of the image", len(res.Findings))
		}
	}
}

// TestURLCredentialsAsTheRuleJudges: a URL in the history or config is
// judged as url-credentials judges it in a Dockerfile, so that
// documentation placeholders, anonymous logins and template references
// are no finding, and a literal password is; a connection string's
// password is one whatever its name, as secret-env says.
func TestURLCredentialsAsTheRuleJudges(t *testing.T) {
	spec := imagetest.Spec{
		Env: []string{"DATABASE_URL=postgres://user:password@localhost:5432/app", "REPO_URL=https://deploy:" + dbPass + "@git.example.com/app.git",
			"ConnectionStrings__Default=Server=db;Database=app;User Id=sa;Password=" + oldPass + ";"},
		History: []v1.History{
			{CreatedBy: "ADD rootfs.tar / # buildkit"},
			{CreatedBy: `RUN /bin/sh -c echo "DATABASE_URL=postgres://user:your-password@localhost:5432/app" > /tmp/env # buildkit`},
			{CreatedBy: "RUN /bin/sh -c git clone https://YOUR_PERSONAL_ACCESS_TOKEN@github.com/acme/app.git /src # buildkit"},
			{CreatedBy: "RUN /bin/sh -c wget ftp://anonymous:anonymous@ftp.example.com/pub/f.tgz # buildkit"},
			{CreatedBy: `RUN /bin/sh -c echo "mongodb://%MONGO_USER%:%MONGO_PASSWORD%@mongo:27017" > /tmp/tpl # buildkit`},
			{CreatedBy: "RUN /bin/sh -c git clone https://ci:" + oldPass + "@git.example.com/acme/app.git /src2 # buildkit"},
		},
		Layers: [][]imagetest.File{{{Name: "app/README", Body: "readme\n"}}, {}, {}, {}, {}},
	}
	p := filepath.Join(t.TempDir(), "image.tar")
	if err := imagetest.WriteDockerSave(p, build(t, spec)); err != nil {
		t.Fatal(err)
	}
	res, err := image.Check(context.Background(), p, image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := sortedFindings(res)
	want := []string{
		`image-secret-config Env "ConnectionStrings__Default" holds a password in a connection string in the image config`,
		`image-secret-config Env "REPO_URL" holds URL credentials in the image config`,
		`image-secret-history History entry 5 (RUN) holds URL credentials`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	noSecret(t, res)
}

// TestUnquotedValuesAndTriggers: BuildKit writes build arguments unquoted
// (`RUN |2 CONN=Data Source=db;… OTHER=… /bin/sh -c …`), so a value with
// spaces runs to the next declared name, and the last one to the shell
// command; an OnBuild trigger's ARG, ENV or LABEL is judged by its name.
func TestUnquotedValuesAndTriggers(t *testing.T) {
	conn := "Data Source=db;Initial Catalog=app;User ID=sa;Pwd=" + dbPass
	trusted := "Data Source=db;Initial Catalog=app;Integrated Security=SSPI"
	spec := imagetest.Spec{
		OnBuild: []string{"ARG NODE_ENV=production", `ARG DEPLOY_PASSWORD="` + oldPass + `"`, "RUN npm ci"},
		History: []v1.History{
			{CreatedBy: "ADD rootfs.tar / # buildkit"},
			{CreatedBy: "ARG TRUSTED=" + trusted, EmptyLayer: true},
			{CreatedBy: "ARG CONN=" + conn, EmptyLayer: true},
			{CreatedBy: "RUN |2 TRUSTED=" + trusted + " CONN=" + conn + " /bin/sh -c dotnet ef database update # buildkit"},
		},
		Layers: [][]imagetest.File{{{Name: "app/README", Body: "readme\n"}}, {}},
	}
	p := filepath.Join(t.TempDir(), "image.tar")
	if err := imagetest.WriteDockerSave(p, build(t, spec)); err != nil {
		t.Fatal(err)
	}
	res, err := image.Check(context.Background(), p, image.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := sortedFindings(res)
	want := []string{
		`image-secret-config OnBuild trigger 1 sets "DEPLOY_PASSWORD" to a credential value in the image config`,
		`image-secret-history History entry 2 (ARG) records ARG "CONN" with a password in a connection string`,
		`image-secret-history History entry 3 (RUN), layer 1 (sha256:…) records build argument "CONN" with a password in a connection string`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range res.Findings {
		if f.Evidence != scan.Redact(dbPass) && f.Evidence != scan.Redact(oldPass) {
			t.Errorf("%s: evidence %q, want the password's redacted form", f.Message, f.Evidence)
		}
	}
	noSecret(t, res)
}
