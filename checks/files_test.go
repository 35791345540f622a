package checks_test

import (
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

func TestSecretFileCopied(t *testing.T) {
	checktest.Run(t, checks.SecretFileCopied, "testdata/secret-file-copied")
}

func TestDeletedLater(t *testing.T) { checktest.Run(t, checks.DeletedLater, "testdata/deleted-later") }

func TestSecretMountPersisted(t *testing.T) {
	checktest.Run(t, checks.SecretMountPersisted, "testdata/secret-mount-persisted")
}

func TestBroadCopy(t *testing.T) { checktest.Run(t, checks.BroadCopy, "testdata/broad-copy") }

func TestDockerignoreMissing(t *testing.T) {
	checktest.Run(t, checks.DockerignoreMissing, "testdata/dockerignore-missing")
}

func TestDockerignoreReinclude(t *testing.T) {
	checktest.Run(t, checks.DockerignoreReinclude, "testdata/dockerignore-reinclude")
}

// findings runs a rule on one Dockerfile (nil for an ignore-file pass)
// with an ignore file (nil for none).
func findings(t *testing.T, rule *checks.Rule, dockerfile, ignore string) []checks.Finding {
	t.Helper()
	var df *checks.Dockerfile
	if dockerfile != "" {
		var err error
		if df, err = checks.ParseDockerfile("Dockerfile", []byte(dockerfile), nil); err != nil {
			t.Fatal(err)
		}
	}
	var ign *checks.IgnoreFile
	if ignore != "" {
		ign = checks.ParseIgnoreFile(".dockerignore", []byte(ignore))
	}
	var out []checks.Finding
	rule.Check(checks.NewPass(rule, df, ign, nil, func(f checks.Finding) { out = append(out, f) }))
	return out
}

// TestBroadCopyFix checks that the fix of broad-copy proposes the fuller
// recommended set: the lines the ignore file lacks and no line it has, with
// the files it re-includes by name re-included again after them.
func TestBroadCopyFix(t *testing.T) {
	tests := []struct {
		name, ignore, want string
	}{
		{"no ignore file", "", "create .dockerignore with these lines: .git, **/.env, **/.env.*, **/.aws, **/.ssh, **/*.pem, **/*.key, **/.npmrc, **/.netrc, **/.pypirc, **/.git-credentials."},
		{"lines it lacks", "node_modules\n.git\n**/*.pem\n",
			"add these lines at the end of .dockerignore: **/.env, **/.env.*, **/.aws, **/.ssh, **/*.key, **/.npmrc, **/.netrc, **/.pypirc, **/.git-credentials."},
		{"keeps files re-included by name", ".git\n.env*\n!.env.example\n!certs/ca.pem\nnode_modules\n",
			"add these lines at the end of .dockerignore: **/.env, **/.env.*, **/.aws, **/.ssh, **/*.pem, **/*.key, **/.npmrc, **/.netrc, **/.pypirc, **/.git-credentials, !.env.example, !certs/ca.pem."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := findings(t, checks.BroadCopy, "FROM alpine\nCOPY . /app\n", tt.ignore)
			if len(fs) != 1 || fs[0].Level != 0 || fs[0].Span.Line != 2 {
				t.Fatalf("got %+v, want one finding at the rule's level on the COPY line", fs)
			}
			if !strings.HasSuffix(fs[0].Fix, tt.want) {
				t.Errorf("fix = %q\nwant it to end with %q", fs[0].Fix, tt.want)
			}
		})
	}
}

// TestBroadCopyCovered checks that an ignore file which keeps out the base
// set, an allow-list included, gets nothing: the rest is advice.
func TestBroadCopyCovered(t *testing.T) {
	for _, ignore := range []string{
		"**/.env\n**/.aws\n**/.ssh\n",
		"*\n!src\n!package.json\n",
		"**\n!Dockerfile\n",
	} {
		if fs := findings(t, checks.BroadCopy, "FROM alpine\nCOPY . /app\n", ignore); len(fs) != 0 {
			t.Errorf("ignore file %q: got %+v, want nothing", ignore, fs)
		}
	}
}

func TestDeletedLaterRelated(t *testing.T) {
	fs := findings(t, checks.DeletedLater, "FROM alpine\nCOPY id_rsa /root/.ssh/id_rsa\nRUN git clone git@github.com:example/x.git\nRUN rm -f /root/.ssh/id_rsa\n", "")
	if len(fs) != 1 || len(fs[0].Related) != 1 {
		t.Fatalf("got %+v, want one finding with the removal as related location", fs)
	}
	if r := fs[0].Related[0]; r.Path != "Dockerfile" || r.Span.Line != 4 {
		t.Errorf("related location %s:%d, want Dockerfile:4", r.Path, r.Span.Line)
	}
	if fs[0].Span.Line != 2 {
		t.Errorf("finding on line %d, want the COPY on line 2", fs[0].Span.Line)
	}
}
