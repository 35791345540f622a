package ghtest

// Code scanning's SARIF upload and its processing status.

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
)

var (
	hexSHA   = regexp.MustCompile(`^[0-9a-f]{40}$`)
	refShape = regexp.MustCompile(`^refs/(heads/.+|tags/.+|pull/(\d+)/(head|merge))$`)
)

func (s *Server) uploadSARIF(w http.ResponseWriter, g []string, body []byte, tok Token) {
	r := s.repos[g[1]+"/"+g[2]]
	if r == nil {
		notFound(w)
		return
	}
	if tok.NoSecurityEvents {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Resource not accessible by integration"})
		return
	}
	var in struct {
		CommitSHA string `json:"commit_sha"`
		Ref       string `json:"ref"`
		SARIF     string `json:"sarif"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "Problems parsing JSON"})
		return
	}
	invalid := func(msg string) {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Invalid request.\n\n" + msg})
	}
	if !hexSHA.MatchString(in.CommitSHA) {
		invalid(fmt.Sprintf("Invalid property /commit_sha: `%s` does not match /^[0-9a-fA-F]{40}$/.", in.CommitSHA))
		return
	}
	g2 := refShape.FindStringSubmatch(in.Ref)
	if g2 == nil {
		invalid(fmt.Sprintf("Invalid property /ref: `%s` does not match the ref format.", in.Ref))
		return
	}
	if g2[2] != "" {
		n, _ := strconv.Atoi(g2[2])
		pr := r.PRs[n]
		if pr == nil {
			invalid("ref " + in.Ref + " does not exist")
			return
		}
		if _, ok := pr.Diffs[in.CommitSHA]; !ok || (g2[3] == "head" && pr.Head != in.CommitSHA) {
			invalid("commit_sha " + in.CommitSHA + " is not the head of " + in.Ref)
			return
		}
	} else if sha, ok := r.Branches[in.Ref]; !ok || sha != in.CommitSHA {
		invalid("commit_sha " + in.CommitSHA + " is not on " + in.Ref)
		return
	}
	gz, err := base64.StdEncoding.DecodeString(in.SARIF)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "sarif: not base64"})
		return
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "sarif: not gzip"})
		return
	}
	log, err := io.ReadAll(zr)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"message": "sarif: broken gzip stream"})
		return
	}
	var doc struct {
		Version string            `json:"version"`
		Runs    []json.RawMessage `json:"runs"`
	}
	up := &Upload{CommitSHA: in.CommitSHA, Ref: in.Ref, SARIF: log, Statuses: []string{"pending", "complete"}}
	if err := json.Unmarshal(log, &doc); err != nil || doc.Version != "2.1.0" || len(doc.Runs) == 0 {
		up.Statuses = []string{"pending", "failed"}
		up.Errors = []string{"could not parse the SARIF file as SARIF 2.1.0 with at least one run"}
	}
	s.nextID++
	up.ID = fmt.Sprintf("47177e22-5596-11eb-80a1-%012d", s.nextID)
	r.Uploads = append(r.Uploads, up)
	writeJSON(w, http.StatusAccepted, map[string]string{
		"id":  up.ID,
		"url": fmt.Sprintf("%s%s/repos/%s/%s/code-scanning/sarifs/%s", s.URL, s.Prefix, r.Owner, r.Name, up.ID),
	})
}

func (s *Server) sarifStatus(w http.ResponseWriter, g []string) {
	r := s.repos[g[1]+"/"+g[2]]
	if r == nil {
		notFound(w)
		return
	}
	for _, up := range r.Uploads {
		if up.ID != g[3] {
			continue
		}
		st := up.Statuses[min(up.reads, len(up.Statuses)-1)]
		up.reads++
		out := map[string]any{
			"processing_status": st,
			"analyses_url":      fmt.Sprintf("%s%s/repos/%s/%s/code-scanning/analyses?sarif_id=%s", s.URL, s.Prefix, r.Owner, r.Name, up.ID),
		}
		if st == "failed" {
			out["errors"] = up.Errors
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	notFound(w)
}
