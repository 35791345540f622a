package github

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

const (
	repoName  = "acme/app"
	token     = "ghs_fakeTokenForTests0000000000000000000"
	headSHA   = "1111111111111111111111111111111111111111"
	secondSHA = "2222222222222222222222222222222222222222"
)

// env is a fake GitHub with one repository and a client for it.
type env struct {
	srv    *ghtest.Server
	client *Client
	clock  *ghtest.Clock
	log    *bytes.Buffer
}

func newEnv(t *testing.T, tk ghtest.Token) *env {
	t.Helper()
	srv := ghtest.New(t)
	clock := ghtest.NewClock()
	srv.Now = clock.Now
	srv.AddRepo(repoName)
	srv.AddToken(token, tk)
	log := &bytes.Buffer{}
	c, err := NewClient(repoName, srv.APIURL(), token, &Transport{Clock: clock, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, client: c, clock: clock, log: log}
}

var bot = ghtest.Token{Login: "github-actions[bot]"}

// openPR opens pull request 7 from base to head and returns its files as the
// client reads them.
func (e *env) openPR(t *testing.T, base, head map[string]string) []*review.ChangedFile {
	t.Helper()
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Author: "octocat", HeadRef: "feature", Head: headSHA}, ghtest.Diff(base, head))
	files, complete, err := e.client.ListFiles(context.Background(), 7)
	if err != nil || !complete {
		t.Fatalf("ListFiles = %v, complete %v", err, complete)
	}
	return files
}

var testRule = &checks.Rule{ID: "secret-env", Name: "SecretEnv", Level: checks.Error, Summary: "Secret value stored in an ENV instruction"}

// finding is a finding on one line as the engine hands it over: redacted,
// fingerprinted.
func finding(path string, line int, key string) scan.Finding {
	return scantest.EnvFinding(testRule, path, line, key)
}

// dockerfile returns a Dockerfile of n ENV lines after FROM.
func dockerfile(n int, prefix string) string {
	var b strings.Builder
	b.WriteString("FROM alpine:3.20\n")
	for i := range n {
		fmt.Fprintf(&b, "ENV %s_%d=value\n", prefix, i)
	}
	return b.String()
}

func mustRE(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// The markers as the review package writes them, spelt out here so that
// the tests pin their format.
func fpMarker(fp string) string      { return "<!-- stowaway:fp=" + fp + " -->" }
func fixedMarker(fp string) string   { return "<!-- stowaway:fixed=" + fp + " -->" }
func reviewMarker(key string) string { return "<!-- stowaway:review=" + key + " -->" }
func shortFP(fp string) string       { return fp[:16] }
