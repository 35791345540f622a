package github

// Code scanning's SARIF upload, as GitHub defines it: the log is gzipped and
// base64-encoded into a JSON body with the commit (40 hex digits) and its
// ref (refs/heads/..., refs/tags/..., refs/pull/N/head or /merge); GitHub
// answers 202 with an upload ID and processes the log later. Its status goes
// from pending to complete, or to failed with a list of errors. An upload is
// limited to 10 MB compressed.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v60/github"
)

// MaxSARIFUpload is GitHub's limit on a gzipped SARIF upload.
const MaxSARIFUpload = 10 << 20

// Upload is the outcome of a SARIF upload.
type Upload struct {
	ID     string
	Status string // complete, failed, or pending when polling gave up
	Errors []string
}

// UploadOptions tune UploadSARIF.
type UploadOptions struct {
	// Poll is how long to wait for processing; zero means 2 minutes.
	Poll time.Duration
	// Interval is the wait after the first status check, which is
	// immediate; zero means 1 second. It doubles up to 15 seconds.
	Interval time.Duration
}

// UploadSARIF uploads a SARIF log for commit sha on ref and waits until
// GitHub has processed it. An error is returned when the upload is refused or
// processing failed; a read-only token gives an error wrapping ErrReadOnly.
func (c *Client) UploadSARIF(ctx context.Context, log []byte, sha, ref string, opts UploadOptions) (*Upload, error) {
	if !shaPattern.MatchString(sha) {
		return nil, fmt.Errorf("uploading SARIF: commit %q is not 40 hex digits", sha)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(log); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if gz.Len() > MaxSARIFUpload {
		return nil, fmt.Errorf("uploading SARIF: %d bytes gzipped, over GitHub's limit of %d", gz.Len(), MaxSARIFUpload)
	}
	analysis := &github.SarifAnalysis{
		CommitSHA: github.String(sha),
		Ref:       github.String(ref),
		Sarif:     github.String(base64.StdEncoding.EncodeToString(gz.Bytes())),
		ToolName:  github.String("Stowaway"),
	}
	var id *github.SarifID
	for attempt := 1; ; attempt++ {
		var err error
		id, _, err = c.CodeScanning.UploadSarif(ctx, c.Owner, c.Repo, analysis)
		if err == nil {
			break
		}
		// Uploading the same log twice is harmless: GitHub keeps one
		// analysis per commit and category.
		if transient(err) && attempt < 3 {
			c.logf("Uploading SARIF failed (%v): retrying", err)
			if err := c.clock().Sleep(ctx, time.Duration(attempt)*2*time.Second); err != nil {
				return nil, err
			}
			continue
		}
		return nil, c.apiError(err, "uploading SARIF")
	}
	up := &Upload{ID: id.GetID(), Status: "pending"}
	if up.ID == "" {
		return nil, errors.New("uploading SARIF: GitHub returned no upload ID")
	}

	limit := opts.Poll
	if limit <= 0 {
		limit = 2 * time.Minute
	}
	next := opts.Interval
	if next <= 0 {
		next = time.Second
	}
	clock := c.clock()
	deadline := clock.Now().Add(limit)
	for wait := time.Duration(0); ; {
		if err := clock.Sleep(ctx, wait); err != nil {
			return up, err
		}
		st, err := c.SARIF.SARIFStatus(ctx, c.Owner, c.Repo, up.ID)
		var te *TimeoutError
		switch {
		case status(err) == http.StatusNotFound:
			// The upload is not visible to reads yet.
		case errors.As(err, &te) && te.Deadline:
			// GitHub has the upload; only the wait for its processing ran
			// out of time.
			c.logf("The SARIF upload %s is still being processed; api-timeout leaves no time to wait longer", up.ID)
			return up, nil
		case err != nil:
			return up, c.apiError(err, "reading the SARIF upload's status")
		default:
			up.Status, up.Errors = st.ProcessingStatus, st.Errors
		}
		switch up.Status {
		case "complete":
			return up, nil
		case "failed":
			return up, fmt.Errorf("code scanning could not process the SARIF upload %s", up.ID)
		}
		if !clock.Now().Before(deadline) {
			c.logf("The SARIF upload %s is still being processed; not waiting longer", up.ID)
			return up, nil
		}
		wait, next = next, min(next*2, 15*time.Second)
	}
}
