package action

// End-to-end tests of the image input: an image an earlier step built from
// the pull request's Dockerfile, checked with it.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/image/imagetest"
)

// The image of cmd/stowaway's image tests, built from a Dockerfile that
// bakes an npm token in.
// imageTarball is the docker save tarball that docker/build-push-action
// with outputs: type=docker,dest=… writes for imagetest.NPMDockerfile (both are
// image_test.go's).
func imageTarball(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "image.tar")
	if err := imagetest.WriteDockerSave(file, imagetest.NPMImage(t, "")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noPlanted fails when a run shows the image's planted secrets, which
// leakMarkers do not cover.
func noPlanted(t *testing.T, e *e2e, r result) {
	t.Helper()
	// The SARIF log's rule help quotes the rule docs, whose examples use
	// the same fake tokens: its results are what the run wrote.
	var log struct {
		Runs []struct {
			Results json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(r.sarif, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("SARIF log: %v", err)
	}
	texts := map[string]string{"log": r.stdout + r.stderr, "outputs": r.outputsRaw, "summary": r.summary,
		"SARIF results": string(log.Runs[0].Results), "review": transcript(e.srv.Snapshot(e2eRepo, 7))}
	for where, text := range texts {
		for _, s := range []string{imagetest.NPMToken, imagetest.NPMImageGitHub} {
			if i := strings.Index(text, s); i >= 0 {
				t.Errorf("the %s shows the planted secret %q: %s", where, s, text[max(0, i-300):i])
			}
		}
	}
}

// sarifLocations returns "rule path:line" for each result of a SARIF log.
func sarifLocations(t *testing.T, b []byte) []string {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					Physical struct {
						Artifact struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &log); err != nil || len(log.Runs) != 1 {
		t.Fatalf("SARIF log: %v (%d bytes)", err, len(b))
	}
	var out []string
	for _, r := range log.Runs[0].Results {
		for _, l := range r.Locations {
			out = append(out, r.RuleID+" "+l.Physical.Artifact.URI+":"+strconv.Itoa(l.Physical.Region.StartLine))
		}
	}
	return out
}

func TestActionImage(t *testing.T) {
	base := map[string]string{"README.md": "# app\n"}
	head := map[string]string{"README.md": "# app\n", "Dockerfile": imagetest.NPMDockerfile}
	tarball := imageTarball(t)

	t.Run("built image", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(base, head, false)
		r := e.run(invocation{head: withFiles(head, map[string]string{"image.tar": tarball}), inputs: map[string]string{"image": "image.tar"}})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d (fail-on error)\n%s", r.code, exitFindings, r.stdout)
		}
		noPlanted(t, e, r)
		pr := e.srv.Snapshot(e2eRepo, 7)
		var onARG []string
		for _, c := range pr.Comments {
			if c.Path == "Dockerfile" && c.Line == 2 && strings.Contains(c.Body, "image-secret-history") {
				onARG = append(onARG, c.Body)
			}
		}
		if len(onARG) != 1 {
			t.Fatalf("%d image comments on the ARG line, want 1:\n%s", len(onARG), transcript(pr))
		}
		wantContains(t, "comment", onARG[0], "the built image holds it", "NPM")
		locs := sarifLocations(t, r.sarif)
		wantContains(t, "SARIF results", strings.Join(locs, "\n"), "image-secret-history Dockerfile:2", "image-secret-history Dockerfile:4", "image-secret-file Dockerfile:3")
		wantContains(t, "summary", r.summary, "image-secret-history")
		wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=2", "the built image holds it")
	})

	t.Run("image without its Dockerfile", func(t *testing.T) {
		// The pull request changes no Dockerfile: findings no line holds
		// sit on the image, and scan: changed reports them all the same.
		e := newE2E(t, bot)
		readme := map[string]string{"README.md": "# app, built elsewhere\n"}
		e.openPR(base, readme, false)
		r := e.run(invocation{head: withFiles(readme, map[string]string{"image.tar": tarball}), inputs: map[string]string{"image": "image.tar"}})
		noPlanted(t, e, r)
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d (fail-on error)\n%s", r.code, exitFindings, r.stdout)
		}
		wantContains(t, "log", r.stdout, "::error file=image.tar", "in the files this pull request changes")
		if strings.Contains(r.stdout, "the built image holds it") {
			t.Errorf("a finding on the image says it sits on a Dockerfile line:\n%s", r.stdout)
		}
		wantContains(t, "summary", r.summary, "image-secret-history")
		if r.outputs["findings"] == "0" {
			t.Errorf("outputs %v count no finding", r.outputs)
		}
	})

	t.Run("unreadable image", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(base, head, false)
		r := e.run(invocation{head: withFiles(head, map[string]string{"image.tar": "not an image\n"}), inputs: map[string]string{"image": "image.tar"}})
		wantContains(t, "log", r.stdout, "::warning::Stowaway could not check the image `image.tar`")
		wantContains(t, "summary", r.summary, "Stowaway could not check the image `image.tar`")
		if r.outputs["sarif-file"] != "stowaway.sarif" || r.sarif == nil {
			t.Errorf("no SARIF log: outputs %v", r.outputs)
		}
		if ids := sarifRules(t, r.sarif); count(ids, "image-secret-history") != 0 {
			t.Errorf("SARIF results %v hold image findings", ids)
		}
		if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 1 {
			t.Errorf("%d reviews, want 1", len(pr.Reviews))
		}
	})

	t.Run("image-dockerfile missing", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(base, head, false)
		r := e.run(invocation{head: withFiles(head, map[string]string{"image.tar": tarball}),
			inputs: map[string]string{"image": "image.tar", "image-dockerfile": "build/Dockerfile"}})
		noPlanted(t, e, r)
		wantContains(t, "log", r.stdout, "::warning::input image-dockerfile", "::error file=image.tar")
		wantContains(t, "summary", r.summary, "the image's findings are located on the image")
	})

	t.Run("image outside the workspace", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(base, head, false)
		r := e.run(invocation{head: head, inputs: map[string]string{"image": "/tmp/image.tar"}})
		if r.code != exitError {
			t.Errorf("exit %d, want %d", r.code, exitError)
		}
		wantContains(t, "log", r.stdout, "input image")
	})
}
