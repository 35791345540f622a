package ghtest

import (
	"encoding/base64"
	"net/http"
	"path"
	"sort"
	"strings"
)

// AddCommit stores the tree of a commit of repo (slash path to content), for
// the contents API.
func (s *Server) AddCommit(repo, sha string, files map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[repo]
	if r.Commits == nil {
		r.Commits = map[string]map[string]string{}
	}
	tree := make(map[string]string, len(files))
	for p, c := range files {
		tree[p] = c
	}
	r.Commits[sha] = tree
}

// getContents answers GET /repos/{owner}/{repo}/contents/{path}?ref=: a
// file with its content in base64 (wrapped at 60 characters, as GitHub
// does), a folder as the list of its entries, 404 for a missing path or an
// unknown ref. Without ref it reads refs/heads/main.
func (s *Server) getContents(w http.ResponseWriter, req *http.Request, g []string) {
	r := s.repos[g[1]+"/"+g[2]]
	if r == nil {
		notFound(w)
		return
	}
	ref := req.URL.Query().Get("ref")
	if ref == "" {
		ref = r.Branches["refs/heads/main"]
	}
	tree, ok := r.Commits[ref]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "No commit found for the ref " + ref, "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content"})
		return
	}
	p := strings.Trim(g[3], "/")
	entry := func(name, typ string, size int) map[string]any {
		return map[string]any{"type": typ, "name": path.Base(name), "path": name, "size": size, "sha": strings.Repeat("b", 40)}
	}
	if content, ok := tree[p]; ok {
		j := entry(p, "file", len(content))
		enc := base64.StdEncoding.EncodeToString([]byte(content))
		var wrapped strings.Builder
		for len(enc) > 60 {
			wrapped.WriteString(enc[:60] + "\n")
			enc = enc[60:]
		}
		wrapped.WriteString(enc + "\n")
		j["encoding"], j["content"] = "base64", wrapped.String()
		writeJSON(w, http.StatusOK, j)
		return
	}
	seen := map[string]bool{}
	var list []map[string]any
	for f := range tree {
		rest, ok := strings.CutPrefix(f, p+"/")
		if !ok {
			continue
		}
		name, _, isDir := strings.Cut(rest, "/")
		if seen[name] {
			continue
		}
		seen[name] = true
		if isDir {
			list = append(list, entry(p+"/"+name, "dir", 0))
		} else {
			list = append(list, entry(p+"/"+name, "file", len(tree[f])))
		}
	}
	if len(list) == 0 {
		notFound(w)
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i]["path"].(string) < list[j]["path"].(string) })
	writeJSON(w, http.StatusOK, list)
}
