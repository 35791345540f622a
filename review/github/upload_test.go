package github

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
)

const sarifLog = `{"version":"2.1.0","$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[{"tool":{"driver":{"name":"Stowaway"}},"results":[]}]}`

func TestUploadSARIF(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	up, err := e.client.UploadSARIF(context.Background(), []byte(sarifLog), headSHA, "refs/pull/7/head", UploadOptions{})
	if err != nil {
		t.Fatalf("UploadSARIF: %v", err)
	}
	if up.Status != "complete" {
		t.Errorf("status %q, want complete", up.Status)
	}
	stored := e.srv.Uploads(repoName)
	if len(stored) != 1 || string(stored[0].SARIF) != sarifLog || stored[0].CommitSHA != headSHA || stored[0].Ref != "refs/pull/7/head" {
		t.Fatalf("stored uploads %+v", stored)
	}
}

func TestUploadSARIFOnABranch(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddRepo(repoName).Branches["refs/heads/main"] = secondSHA
	if _, err := e.client.UploadSARIF(context.Background(), []byte(sarifLog), secondSHA, "refs/heads/main", UploadOptions{}); err != nil {
		t.Fatalf("UploadSARIF: %v", err)
	}
	// A ref that does not point at the commit is refused.
	_, err := e.client.UploadSARIF(context.Background(), []byte(sarifLog), headSHA, "refs/heads/main", UploadOptions{})
	if status(err) != http.StatusUnprocessableEntity {
		t.Errorf("upload of a commit that is not on its ref: %v, want 422", err)
	}
}

func TestUploadSARIFProcessingFails(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	up, err := e.client.UploadSARIF(context.Background(), []byte(`{"version":"2.1.0","runs":[]}`), headSHA, "refs/pull/7/head", UploadOptions{})
	if err == nil || up == nil || up.Status != "failed" {
		t.Fatalf("UploadSARIF of a log without runs: %+v, %v; want a failed upload", up, err)
	}
	if len(up.Errors) == 0 || !strings.Contains(up.Errors[0], "SARIF") {
		t.Errorf("processing errors %q not passed on", up.Errors)
	}
}

func TestUploadSARIFChecksItsArguments(t *testing.T) {
	e := newEnv(t, bot)
	if _, err := e.client.UploadSARIF(context.Background(), []byte(sarifLog), "HEAD", "refs/heads/main", UploadOptions{}); err == nil {
		t.Error("an upload for commit HEAD was sent")
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("%d requests for an upload refused locally", n)
	}
}

func TestUploadSARIFWithoutPermission(t *testing.T) {
	e := newEnv(t, ghtest.Token{Login: "github-actions[bot]", NoSecurityEvents: true})
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	_, err := e.client.UploadSARIF(context.Background(), []byte(sarifLog), headSHA, "refs/pull/7/head", UploadOptions{})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("upload without security-events: write: %v, want ErrReadOnly", err)
	}
}

func TestUploadSARIFStopsPolling(t *testing.T) {
	e := newEnv(t, bot)
	e.srv.AddPR(repoName, &ghtest.PR{Number: 7, Head: headSHA}, nil)
	e.srv.AddFault(&ghtest.Fault{Method: http.MethodGet, Path: mustRE(`/code-scanning/sarifs/`), Status: http.StatusOK, Body: `{"processing_status":"pending"}`, Times: 100})
	up, err := e.client.UploadSARIF(context.Background(), []byte(sarifLog), headSHA, "refs/pull/7/head", UploadOptions{})
	if err != nil || up.Status != "pending" {
		t.Fatalf("UploadSARIF with processing that never ends: %+v, %v; want pending and no error", up, err)
	}
	if !strings.Contains(e.log.String(), "still being processed") {
		t.Errorf("the log does not say it stopped waiting:\n%s", e.log)
	}
}
