package checks_test

import (
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

func TestDockerignoreGap(t *testing.T) {
	checktest.Run(t, checks.DockerignoreGap, "testdata/dockerignore-gap")
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

func TestDockerignoreGapSuggestion(t *testing.T) {
	std := "**/.env\n**/.env.*\n**/.aws\n**/.ssh\n**/*.pem\n**/*.key\n**/.npmrc\n**/.netrc\n**/.pypirc\n**/.git-credentials"
	tests := []struct {
		name, ignore string
		want         checks.Suggestion
	}{
		{"appends after the last pattern", "node_modules\nnpm-debug.log\n\n",
			checks.Suggestion{StartLine: 2, EndLine: 2, Text: "npm-debug.log\n.git\n" + std}},
		{"keeps files re-included by name", ".git\n.env*\n!.env.example\n!certs/ca.pem\nnode_modules\n",
			checks.Suggestion{StartLine: 5, EndLine: 5, Text: "node_modules\n" + std + "\n!.env.example\n!certs/ca.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := findings(t, checks.DockerignoreGap, "", tt.ignore)
			if len(fs) != 1 || fs[0].Suggestion == nil {
				t.Fatalf("got %d findings, want one with a suggestion: %+v", len(fs), fs)
			}
			if got := *fs[0].Suggestion; got != tt.want {
				t.Errorf("suggestion = %+v\nwant %+v", got, tt.want)
			}
			if fs[0].Span.Line != tt.want.StartLine {
				t.Errorf("reported on line %d, want the suggestion's line %d", fs[0].Span.Line, tt.want.StartLine)
			}
		})
	}
}

func TestBroadCopyLevel(t *testing.T) {
	complete := ".git\n**/.env\n**/.env.*\n**/.aws\n**/.ssh\n**/*.pem\n**/*.key\n**/.npmrc\n**/.netrc\n**/.pypirc\n**/.git-credentials\n"
	tests := []struct {
		name, ignore string
		want         checks.Level
	}{
		{"gaps", "node_modules\n", checks.Warning},
		{"complete", complete, checks.Note},
		{"everything ignored", "*\n", checks.Note},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := findings(t, checks.BroadCopy, "FROM alpine\nCOPY . /app\n", tt.ignore)
			if len(fs) != 1 || fs[0].Level != tt.want {
				t.Fatalf("got %+v, want one finding at level %v", fs, tt.want)
			}
		})
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
