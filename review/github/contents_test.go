package github

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
)

func TestFileAt(t *testing.T) {
	e := newEnv(t, ghtest.Token{Login: "github-actions[bot]", ReadOnly: true})
	long := strings.Repeat("allow:\n  paths: ['fixtures/**']\n", 20) // over one 60-character base64 line
	e.srv.AddCommit(repoName, headSHA, map[string]string{".stowaway.yml": long, "conf/a.yml": "x\n"})
	ctx := context.Background()

	got, found, err := e.client.FileAt(ctx, ".stowaway.yml", headSHA)
	if err != nil || !found || string(got) != long {
		t.Errorf("FileAt(.stowaway.yml) = %q, %v, %v; want the file", got, found, err)
	}
	if _, found, err := e.client.FileAt(ctx, "missing.yml", headSHA); err != nil || found {
		t.Errorf("FileAt(missing.yml) = %v, %v; want not found and no error", found, err)
	}
	if _, found, err := e.client.FileAt(ctx, ".stowaway.yml", secondSHA); err != nil || found {
		t.Errorf("FileAt at an unknown commit = %v, %v; want not found", found, err)
	}
	if _, _, err := e.client.FileAt(ctx, "conf", headSHA); !errors.Is(err, ErrNotFile) {
		t.Errorf("FileAt(conf) error %v, want ErrNotFile", err)
	}
	e.srv.AddFault(&ghtest.Fault{Method: "GET", Path: mustRE(`/contents/`), Status: 401, Body: `{"message":"Bad credentials"}`})
	if _, found, err := e.client.FileAt(ctx, ".stowaway.yml", headSHA); err == nil || found {
		t.Errorf("FileAt after 401 = %v, %v; want an error", found, err)
	}
}
