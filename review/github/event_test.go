package github

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoadEvent(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ev, err := LoadEvent(write("fork.json", `{"pull_request":{"number":12,"changed_files":3,
		"head":{"sha":"`+headSHA+`","ref":"patch-1","repo":{"full_name":"forker/app"}},
		"base":{"repo":{"full_name":"acme/app"}}},"repository":{"full_name":"acme/app"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &PullRequest{Number: 12, HeadSHA: headSHA, HeadRef: "patch-1", HeadRepo: "forker/app", BaseRepo: "acme/app", ChangedFiles: 3}
	if diff := cmp.Diff(want, ev.PullRequest); diff != "" || !ev.PullRequest.Fork() || ev.PullRequest.Ref() != "refs/pull/12/head" {
		t.Errorf("pull request (-want +got):\n%s", diff)
	}
	if ev, err := LoadEvent(write("push.json", `{"ref":"refs/heads/main","after":"`+headSHA+`"}`)); err != nil || ev.PullRequest != nil || ev.Ref != "refs/heads/main" {
		t.Errorf("push event: %+v, %v", ev, err)
	}
	if _, err := LoadEvent(write("bad.json", `{"pull_request":{"number":1,"head":{"sha":"HEAD; rm -rf /"}}}`)); err == nil {
		t.Error("a head SHA that is not 40 hex digits was accepted")
	}
}
