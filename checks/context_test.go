package checks_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/patternmatcher"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
	"github.com/stowaway-dev/stowaway/scan"
)

func TestContextSecretShipped(t *testing.T) {
	checktest.Run(t, checks.ContextSecretShipped, "testdata/context-secret-shipped")
}

func TestContextFileSecret(t *testing.T) {
	const (
		token  = "ghp_R8vQ2mXk4LpZ9tYw3NcJ7sHd5FbGa1Ue6KoI"
		key    = "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKEexampleNOTaKEY\n-----END OPENSSH PRIVATE KEY-----\n"
		rsaKey = "-----BEGIN RSA PRIVATE KEY-----\n" +
			"RkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtF\n" +
			"RkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtF\n" +
			"-----END RSA PRIVATE KEY-----\n"
	)
	tests := []struct {
		path, content string
		unread        bool
		want          string // the kind, "" for not a secret
	}{
		{".env", "DB_PASSWORD=s3cr3t-Zq81vLx0\n", false, "dotenv file"},
		{".env", "PORT=8080\nLOG_LEVEL=debug\n", false, ""},
		{".env", "", true, "dotenv file"},
		{".env", "   \n", false, ""},
		{".env.production", "export DATABASE_URL=postgres://app:Zq81vLx0pw@db/app # prod\n", false, "dotenv file"},
		{".env.example", "DB_PASSWORD=\nAPI_KEY=<your-api-key>\n", false, ""},
		{".env.example", "GITHUB_TOKEN=" + token + "\n", false, "dotenv file"},
		{".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", false, ""},
		{".npmrc", "registry=https://npm.example.com/\n", false, ""},
		{".npmrc", "//npm.example.com/:_authToken=Zq81vLx0Mk29pWd7TyQ4\n", false, "npm credentials file"},
		{"home/.pypirc", "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmcFAKE\n", false, "PyPI credentials file"},
		{".netrc", "machine github.com login octocat password Zq81vLx0Mk29pW\n", false, "netrc credentials file"},
		{".docker/config.json", `{"credsStore": "desktop"}`, false, ""},
		{".docker/config.json", `{"auths": {"ghcr.io": {"auth": "b2N0b2NhdDpacTgxdkx4MA=="}}}`, false, "Docker credentials file"},
		// base64("ci:"): a login with an empty password holds none.
		{".docker/config.json", `{"auths": {"registry.example.com": {"auth": "Y2k6"}}}`, false, ""},
		{".kube/config", "users:\n- name: ci\n  user:\n    exec:\n      command: aws\n", false, ""},
		{".kube/config", "users:\n- name: ci\n  user:\n    token: Zq81vLx0Mk29pWd7TyQ4\n", false, "kubeconfig"},
		{".aws/config", "[default]\nregion = eu-west-1\n", false, ""},
		// A key left empty does not take the next line as its value.
		{".aws/credentials", "[default]\naws_secret_access_key = \n[default]\nregion = eu-west-1\n", false, ""},
		{".npmrc", "//registry.npmjs.org/:_authToken=\nregistry=https://npm.example.com/\n", false, ""},
		{"home/.pypirc", "[pypi]\npassword =\nrepository = https://upload.pypi.org/legacy/\n", false, ""},
		{".kube/config", "users:\n- name: ci\n  user:\n    token:\n    username: ci\n", false, ""},
		{".aws/credentials", "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = Zq81vLx0Mk29pWd7TyQ4\n", false, "AWS credentials file"},
		{"deploy/id_ed25519", key, false, "SSH private key"},
		{"deploy/id_ed25519.pub", "ssh-ed25519 AAAA example\n", false, ""},
		{"license.key", "ABCD-1234-EFGH\n", false, ""},
		{"certs/server.key", "\x30\x82\x04\xa4\x02\x01\x00", false, "private key"},
		{"certs/client.p12", "\x30\x82", false, "PKCS#12 key bundle"},
		{"terraform.tfstate", `{"version": 4}`, false, "Terraform state"},
		{"config/settings.json", `{"github": "` + token + `"}`, false, "file holding a GitHub Personal Access Token"},
		{"config/settings.json", `{"port": 80}`, false, ""},
		// A settings file's URL password, judged as url-credentials judges one.
		{"etc/pip.conf", "[global]\nindex-url = https://build:K7mQ9vL2xW4z@pypi.example.com/simple\n", false, "file holding URL credentials"},
		{"etc/pip.conf", "[global]\nindex-url = https://user:password@pypi.example.com/simple\n", false, ""},
		{"src/main.go", "var t = \"" + token + "\"\n", false, ""},
		{"testdata/settings.json", `{"github": "` + token + `"}`, false, ""},
		{"package-lock.json", `{"github": "` + token + `"}`, false, ""},
		{"node_modules/ssh2/test/fixtures/id_rsa", key, false, ""},
		{".git/config", "[remote \"origin\"]\n\turl = https://octocat:Zq81vLx0pw@github.com/x/y\n", false, ""},
		// Whatever the name, a key block or a prefixed token decides; public
		// material, source code and data files do not.
		{"haproxy.pem", rsaKey + "-----BEGIN CERTIFICATE-----\nRkFLRQ==\n-----END CERTIFICATE-----\n", false, "file holding a private key"},
		{"certs/bundle.crt", rsaKey, false, "file holding a private key"},
		{"deploy", "pull: " + token + "\n", false, "file holding a GitHub Personal Access Token"},
		{"deploy", "pull: heroku 0f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1\n", false, ""},
		{"cert.pem", "-----BEGIN CERTIFICATE-----\nRkFLRUNFUlRJRklDQVRF\n-----END CERTIFICATE-----\n", false, ""},
		{"signing.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\nRkFLRQ==\n-----END PGP PUBLIC KEY BLOCK-----\n", false, ""},
		{"scripts/setup.sh", "echo '" + rsaKey + "'\n", false, ""},
		{"data/export.csv", "id,token\n1," + token + "\n", false, ""},
		{"keys/sa.json", `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nFAKE\n-----END PRIVATE KEY-----\n"}`, false, "service account key"},
	}
	for _, tt := range tests {
		read := func() ([]byte, bool) { return []byte(tt.content), !tt.unread }
		got, ok := checks.ContextFileSecret(tt.path, read, nil)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("ContextFileSecret(%q, %q) = %q, %v; want %q", tt.path, tt.content, got, ok, tt.want)
		}
	}
	allow := &checks.Settings{AllowValues: []*regexp.Regexp{regexp.MustCompile(`^ghp_R8vQ`)}}
	for _, p := range []string{"config/a.json", ".env"} {
		body := []byte("GITHUB_TOKEN=" + token + "\n")
		if kind, ok := checks.ContextFileSecret(p, func() ([]byte, bool) { return body, true }, allow); ok {
			t.Errorf("%s: an allowed value made it a %s", p, kind)
		}
	}
}

// TestIgnoreLine checks that each line excludes exactly its path with
// BuildKit's matcher, special characters included.
func TestIgnoreLine(t *testing.T) {
	for _, p := range []string{".env", "config/.env", "a[1]/key?.pem", "!important.env", "#notes/.env", `back\slash/x`, "stars*/x"} {
		line := checks.IgnoreLine(p)
		pm, err := patternmatcher.New([]string{line})
		if err != nil {
			t.Errorf("IgnoreLine(%q) = %q: %v", p, line, err)
			continue
		}
		for _, q := range []string{p, "other/" + p, p + "x"} {
			got, _ := pm.MatchesOrParentMatches(q)
			if got != (q == p) {
				t.Errorf("IgnoreLine(%q) = %q matches %q: %v", p, line, q, got)
			}
		}
	}
}

// TestContextSecretShippedStandsDown checks the boundary with
// secret-file-copied: no line carries a finding of both rules.
func TestContextSecretShippedStandsDown(t *testing.T) {
	for _, dir := range []string{"testdata/context-secret-shipped/builder", "testdata/context-secret-shipped/named"} {
		res, err := scan.Scan(context.Background(), os.DirFS(dir), []string{"."},
			scan.Options{Rules: []*checks.Rule{checks.SecretFileCopied, checks.ContextSecretShipped}})
		if err != nil {
			t.Fatal(err)
		}
		rules := map[int][]string{}
		for _, f := range res.Findings {
			rules[f.Region.StartLine] = append(rules[f.Region.StartLine], f.RuleID)
		}
		for line, ids := range rules {
			if strings.Contains(strings.Join(ids, " "), "secret-file-copied") && strings.Contains(strings.Join(ids, " "), "context-secret-shipped") {
				t.Errorf("%s:%d: both rules report the line: %v", dir, line, ids)
			}
		}
	}
}

// TestBuildContextFindingsSitOnCopyLines checks that hygiene is advice:
// with every rule on, nothing is reported on an ignore file's lines but a
// re-included secret, and what an ignore file lets through is reported at
// the COPY line, an error naming the files when a secret goes through.
func TestBuildContextFindingsSitOnCopyLines(t *testing.T) {
	for _, dir := range []string{"testdata/broad-copy", "testdata/dockerignore-missing", "testdata/context-secret-shipped"} {
		res, err := scan.Scan(context.Background(), os.DirFS(dir), []string{"."}, scan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		lines := map[string]string{}
		for _, f := range res.Findings {
			if strings.HasSuffix(f.Path, "dockerignore") && f.RuleID != checks.DockerignoreReinclude.ID {
				t.Errorf("%s/%s:%d: %s reported on an ignore file", dir, f.Path, f.Region.StartLine, f.RuleID)
			}
			switch f.RuleID {
			case checks.DockerignoreMissing.ID, checks.ContextSecretShipped.ID:
				if f.Level != checks.Error || len(f.Related) == 0 {
					t.Errorf("%s/%s:%d: %s at %v names no file", dir, f.Path, f.Region.StartLine, f.RuleID, f.Level)
				}
			}
			// One cause, one finding: no COPY line gets both broad-copy
			// and a rule that names the files it ships.
			key := fmt.Sprintf("%s:%d", f.Path, f.Region.StartLine)
			if prev, ok := lines[key]; ok && (prev == checks.BroadCopy.ID) != (f.RuleID == checks.BroadCopy.ID) {
				t.Errorf("%s/%s: both %s and %s", dir, key, prev, f.RuleID)
			}
			lines[key] = f.RuleID
		}
	}
}

// TestFilesByContentLevels checks that a secret file whose content was
// seen is an error, and one judged by its name alone a warning that says so.
func TestFilesByContentLevels(t *testing.T) {
	for _, dir := range []string{"testdata/secret-file-copied/by-content", "testdata/deleted-later/by-content"} {
		res, err := scan.Scan(context.Background(), os.DirFS(dir), []string{"."},
			scan.Options{Rules: []*checks.Rule{checks.SecretFileCopied, checks.DeletedLater}})
		if err != nil {
			t.Fatal(err)
		}
		levels := map[checks.Level]int{}
		for _, f := range res.Findings {
			levels[f.Level]++
			if want := strings.Contains(f.Message, "judged by its name"); want != (f.Level == checks.Warning) {
				t.Errorf("%s:%d: %s at %v: %s", dir, f.Region.StartLine, f.RuleID, f.Level, f.Message)
			}
		}
		if levels[checks.Error] == 0 || levels[checks.Warning] == 0 {
			t.Errorf("%s: levels %v, want errors and warnings", dir, levels)
		}
	}
}

// TestContextShipments checks which secret files each COPY of the context
// ships, through builder stages and COPY --from chains, with both the
// subtree shortcut and the file-by-file path.
func TestContextShipments(t *testing.T) {
	ctx := &checks.BuildContext{Dir: ".", Secrets: []checks.ContextFile{
		{Path: ".env", Kind: "dotenv file"},
		{Path: "dist/.env", Kind: "dotenv file"},
		{Path: "dist/keys/id_rsa", Kind: "SSH private key"},
		{Path: "src/.env", Kind: "dotenv file"},
	}, Links: map[string]string{"current": "dist"}}
	tests := []struct {
		name, dockerfile string
		want             []string // "line:path"
	}{
		{"final stage", "FROM alpine\nCOPY . /app\n", []string{"2:.env", "2:dist/.env", "2:dist/keys/id_rsa", "2:src/.env"}},
		{"builder subtree", "FROM node AS build\nWORKDIR /src\nCOPY . .\nFROM alpine\nCOPY --from=build /src/dist /srv\n",
			[]string{"3:dist/.env", "3:dist/keys/id_rsa"}},
		{"builder whole", "FROM node AS build\nCOPY . /src\nFROM alpine\nCOPY --from=build / /srv\n",
			[]string{"2:.env", "2:dist/.env", "2:dist/keys/id_rsa", "2:src/.env"}},
		{"builder elsewhere", "FROM node AS build\nCOPY . /src\nFROM alpine\nCOPY --from=build /out/app /app\n", nil},
		{"builder glob", "FROM node AS build\nCOPY . /src\nFROM alpine\nCOPY --from=build /src/dist/.e* /srv/\n", []string{"2:dist/.env"}},
		{"builder named", "FROM node AS build\nCOPY . /src\nFROM alpine\nCOPY --from=build /src/.env /srv/\nCOPY --from=build /src/src /srv/src\n",
			[]string{"2:src/.env"}},
		{"chain", "FROM node AS build\nCOPY dist/ /out/\nFROM alpine AS pack\nCOPY --from=build /out /pack\nFROM alpine\nCOPY --from=pack /pack/keys /keys\n",
			[]string{"2:dist/keys/id_rsa"}},
		{"builder exclude", "FROM node AS build\nCOPY --exclude=**/keys --exclude=src . /src\nFROM alpine\nCOPY --from=build /src /srv\n",
			[]string{"2:.env", "2:dist/.env"}},
		{"link source", "FROM alpine\nCOPY current/ /srv/\n", []string{"2:dist/.env", "2:dist/keys/id_rsa"}},
		{"several sources", "FROM alpine\nCOPY src dist/.env /srv/\n", []string{"2:src/.env", "2:dist/.env"}},
		{"exclude matches below the source only", "FROM alpine\nCOPY --exclude=*.env . /app\nCOPY --exclude=.env .e* /etc/\n",
			[]string{"2:dist/.env", "2:dist/keys/id_rsa", "2:src/.env", "3:.env"}},
		{"not built", "FROM node AS build\nCOPY . /src\nFROM alpine\nCOPY app /app\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			df, err := checks.ParseDockerfile("Dockerfile", []byte(tt.dockerfile), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for s := range checks.ContextShipments(df, ctx) {
				got = append(got, fmt.Sprintf("%d:%s", s.By.StartLine, ctx.Secrets[s.Secret].Path))
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("shipped %q, want %q", got, tt.want)
			}
		})
	}
}
