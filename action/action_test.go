package action

// End-to-end tests of the GitHub Action: Run runs in-process with the
// environment the Actions runner gives the container (GITHUB_* variables,
// INPUT_* variables with their hyphens, an event payload, output and summary
// files), against ghtest's fake GitHub on its fake clock and its HTTP
// transport, so that no back-off or pacing wait is slept. TestActionBinary
// runs the built binary (cmd/stowaway) the same way, once. Scenarios live in
// ../testdata/action: <scenario>/base and <scenario>/head are the trees
// before and after the pull request; golden/<scenario>.md is what the run
// posted, refreshed with go test ./action -update.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

const (
	e2eRepo  = "acme/app"
	e2eToken = "ghs_FakeStowawayActionToken0000000000000"
	headSHA  = "7d3c1f0e5b2a4c6d8e9f0a1b2c3d4e5f60718293"
	fixSHA   = "9a8b7c6d5e4f30211f2e3d4c5b6a79880a1b2c3d"
	mergeSHA = "e5f6a7b8c9d00112233445566778899aabbccdde"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// stowawayBinary builds cmd/stowaway once per test run.
func stowawayBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stowaway-action")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "stowaway")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/stowaway").CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("building stowaway: %v", binErr)
	}
	return binPath
}

// leakMarkers are parts of the planted fake secrets, and of the token, that
// no redacted text contains: none may appear in anything a run writes or
// posts.
var leakMarkers = []string{"FAKEstowaway", "XUtnFEMI", "FakeStowawayActionToken", e2eToken}

// e2e is one scenario's fake GitHub and the clock its runs share.
type e2e struct {
	t     *testing.T
	srv   *ghtest.Server
	clock *ghtest.Clock
}

func newE2E(t *testing.T, tk ghtest.Token) *e2e {
	srv := ghtest.New(t)
	srv.AddRepo(e2eRepo)
	srv.AddToken(e2eToken, tk)
	clock := ghtest.NewClock()
	srv.Now = clock.Now
	return &e2e{t: t, srv: srv, clock: clock}
}

var bot = ghtest.Token{Login: "github-actions[bot]"}

// tree reads testdata/action/<dir> as slash path to content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	return scantest.ReadFiles(t, filepath.Join("..", "testdata", "action", dir), false)
}

// openPR opens pull request 7 from the base tree to the head tree.
func (e *e2e) openPR(base, head map[string]string, fork bool) {
	pr := &ghtest.PR{Number: 7, Author: "octocat", HeadRef: "feature/npm-publish", Head: headSHA}
	if fork {
		pr.HeadRepo = "forker/app"
	}
	e.srv.AddPR(e2eRepo, pr, ghtest.Diff(base, head))
}

// invocation is one run of the action.
type invocation struct {
	event  string            // pull_request (the default) or push
	head   map[string]string // the checked-out tree
	sha    string            // the head commit; headSHA by default
	fork   bool
	inputs map[string]string // inputs that differ from action.yml's defaults
	links  map[string]string // symlinks committed in the tree: path to target
	env    []string          // variables that replace the runner's (GITHUB_API_URL=...)
}

type result struct {
	code                int
	stdout, stderr      string
	outputs             map[string]string
	outputsRaw, summary string
	sarif               []byte
	workspace           string
	tokenless           bool // the run had no github-token
}

// inputDefaults are action.yml's defaults, as the runner passes them.
var inputDefaults = map[string]string{
	"github-token": e2eToken, "path": ".", "scan": "", "fail-on": "error", "review": "true",
	"review-event": "COMMENT", "sarif-file": "stowaway.sarif", "upload-sarif": "false", "config": "",
	"fail-on-api-error": "false",
	"api-timeout":       "5m",
	"scan-timeout":      "10m",
	"image":             "",
	"image-dockerfile":  "",
	"baseline":          "",
}

// run runs the action in-process.
func (e *e2e) run(r invocation) result {
	e.t.Helper()
	return e.invoke(r, func(_ string, env []string, stdout, stderr io.Writer) int {
		vars := map[string]string{}
		for _, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v // the last of a name wins, as in a process's environment
		}
		return Run(context.Background(), Options{Getenv: func(k string) string { return vars[k] }, Stdout: stdout, Stderr: stderr, Clock: e.clock, HTTP: e.srv.Client().Transport, Version: "dev"})
	})
}

// runBinary runs the built binary as the runner starts the container.
func (e *e2e) runBinary(bin string, r invocation) result {
	e.t.Helper()
	return e.invoke(r, func(ws string, env []string, stdout, stderr io.Writer) int {
		cmd := exec.Command(bin, "action")
		cmd.Dir = ws
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = stdout, stderr
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return exit.ExitCode()
		case err != nil:
			e.t.Fatal(err)
		}
		return 0
	})
}

// invoke prepares the workspace, the event and the runner's files, and has
// start run the action in the workspace with that environment.
func (e *e2e) invoke(r invocation, start func(ws string, env []string, stdout, stderr io.Writer) int) result {
	t := e.t
	t.Helper()
	dir := t.TempDir()
	ws := filepath.Join(dir, "workspace")
	scantest.WriteFiles(t, ws, r.head)
	for p, target := range r.links {
		f := filepath.Join(ws, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, f); err != nil {
			t.Fatal(err)
		}
	}
	if r.event == "" {
		r.event = "pull_request"
	}
	if r.sha == "" {
		r.sha = headSHA
	}
	tmpl, err := os.ReadFile(filepath.Join("..", "testdata", "action", "events", r.event+".json"))
	if err != nil {
		t.Fatal(err)
	}
	owner := "acme"
	if r.fork {
		owner = "forker"
	}
	payload := strings.NewReplacer("{{HEAD_SHA}}", r.sha, "{{HEAD_OWNER}}", owner, "{{FORK}}", fmt.Sprint(r.fork),
		"{{CHANGED_FILES}}", "1").Replace(string(tmpl))
	eventPath := filepath.Join(dir, "event.json")
	outputPath := filepath.Join(dir, "set_output")
	summaryPath := filepath.Join(dir, "step_summary")
	for p, s := range map[string]string{eventPath: payload, outputPath: "", summaryPath: ""} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"GITHUB_ACTIONS=true",
		"CI=true",
		"GITHUB_EVENT_NAME=" + r.event,
		"GITHUB_EVENT_PATH=" + eventPath,
		"GITHUB_WORKSPACE=" + ws,
		"GITHUB_REPOSITORY=" + e2eRepo,
		"GITHUB_REPOSITORY_OWNER=acme",
		"GITHUB_API_URL=" + e.srv.APIURL(),
		"GITHUB_SERVER_URL=https://github.com",
		"GITHUB_OUTPUT=" + outputPath,
		"GITHUB_STEP_SUMMARY=" + summaryPath,
		"GITHUB_RUN_ID=9876543210",
	}
	if r.event == "pull_request" {
		env = append(env, "GITHUB_SHA="+mergeSHA, "GITHUB_REF=refs/pull/7/merge", "GITHUB_HEAD_REF=feature/npm-publish", "GITHUB_BASE_REF=main")
	} else {
		env = append(env, "GITHUB_SHA="+r.sha, "GITHUB_REF=refs/heads/main")
	}
	for name, def := range inputDefaults {
		v, ok := r.inputs[name]
		if !ok {
			v = def
		}
		// The runner keeps the hyphens: INPUT_GITHUB-TOKEN.
		env = append(env, "INPUT_"+strings.ToUpper(name)+"="+v)
	}
	var stdout, stderr bytes.Buffer
	code := start(ws, append(env, r.env...), &stdout, &stderr) // the last of a name wins
	res := result{code: code, stdout: stdout.String(), stderr: stderr.String(), workspace: ws,
		tokenless: slices.Contains(r.env, "INPUT_GITHUB-TOKEN=")}
	out, _ := os.ReadFile(outputPath)
	sum, _ := os.ReadFile(summaryPath)
	res.outputsRaw, res.summary = string(out), string(sum)
	res.outputs = parseOutputs(t, res.outputsRaw)
	// Only the file the run wrote: not one a symlink of the tree points at.
	if fi, err := os.Lstat(filepath.Join(ws, "stowaway.sarif")); err == nil && fi.Mode().IsRegular() {
		res.sarif, _ = os.ReadFile(filepath.Join(ws, "stowaway.sarif"))
	}
	if testing.Verbose() {
		t.Logf("stdout:\n%s\nstderr:\n%s", res.stdout, res.stderr)
	}
	e.checkNoLeak(res)
	return res
}

// parseOutputs reads a GITHUB_OUTPUT file written with heredoc delimiters.
func parseOutputs(t *testing.T, s string) map[string]string {
	out := map[string]string{}
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			if lines[i] != "" {
				t.Errorf("output file line %q is not name<<delimiter", lines[i])
			}
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}

// checkNoLeak fails when a run wrote or posted a planted secret or the token.
func (e *e2e) checkNoLeak(r result) {
	e.t.Helper()
	// The one place the token may appear: the mask command, first, which
	// the runner consumes without logging it.
	mask := "::add-mask::" + e2eToken + "\n"
	if !r.tokenless && (!strings.HasPrefix(r.stdout, mask) || strings.Count(r.stdout, mask) != 1) {
		e.t.Errorf("the log does not start with the token's mask command")
	}
	texts := map[string]string{
		"stdout": strings.Replace(r.stdout, mask, "", 1), "stderr": r.stderr, "outputs": r.outputsRaw, "summary": r.summary, "SARIF file": string(r.sarif),
	}
	for _, up := range e.srv.Uploads(e2eRepo) {
		texts["uploaded SARIF"] += string(up.SARIF)
	}
	if pr, ok := e.pr(); ok {
		texts["posted review"] = transcript(pr)
	}
	for where, text := range texts {
		for _, m := range leakMarkers {
			if strings.Contains(text, m) {
				e.t.Errorf("the %s holds %q", where, m)
			}
		}
	}
}

func (e *e2e) pr() (pr ghtest.PR, ok bool) {
	defer func() { ok = recover() == nil }()
	return e.srv.Snapshot(e2eRepo, 7), true
}

// transcript is a readable record of what a pull request holds.
func transcript(pr ghtest.PR) string {
	var b strings.Builder
	for _, rv := range pr.Reviews {
		fmt.Fprintf(&b, "# Review %d: %s on %s\n\n%s\n\n", rv.ID, rv.State, rv.CommitID[:7], rv.Body)
		for _, c := range pr.Comments {
			if c.ReviewID != rv.ID {
				continue
			}
			lines := fmt.Sprint(c.Line)
			if c.StartLine != 0 {
				lines = fmt.Sprintf("%d-%d", c.StartLine, c.Line)
			}
			fmt.Fprintf(&b, "## Comment %d on %s, lines %s (%s)\n\n%s\n\n", c.ID, c.Path, lines, c.Side, c.Body)
		}
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("..", "testdata", "action", "golden", name+".md")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

type placement struct {
	Path            string
	StartLine, Line int
}

func placements(pr ghtest.PR) []placement {
	var out []placement
	for _, c := range pr.Comments {
		out = append(out, placement{c.Path, c.StartLine, c.Line})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

func wantOutputs(t *testing.T, r result, findings, errs, warnings int) {
	t.Helper()
	want := map[string]string{
		"sarif-file": "stowaway.sarif", "findings": fmt.Sprint(findings),
		"errors": fmt.Sprint(errs), "warnings": fmt.Sprint(warnings),
	}
	if diff := cmp.Diff(want, r.outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

func wantContains(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("the %s lacks %q:\n%s", what, s, text)
		}
	}
}

func mutations(srv *ghtest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

func TestAction(t *testing.T) {
	leakyBase, leakyHead := tree(t, "leaky/base"), tree(t, "leaky/head")

	t.Run("clean pull request", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(tree(t, "clean/base"), tree(t, "clean/head"), false)
		r := e.run(invocation{head: tree(t, "clean/head")})
		if r.code != exitOK {
			t.Errorf("exit %d, want %d\n%s", r.code, exitOK, r.stderr)
		}
		if m := mutations(e.srv); len(m) != 0 {
			t.Errorf("a clean pull request got %v", m)
		}
		wantOutputs(t, r, 0, 0, 0)
		wantContains(t, "summary", r.summary, "No findings in the files this pull request changes.")
	})

	t.Run("leaky pull request", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		r := e.run(invocation{head: leakyHead})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d\n%s", r.code, exitFindings, r.stderr)
		}
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 || pr.Reviews[0].State != "COMMENTED" || pr.Reviews[0].CommitID != headSHA {
			t.Fatalf("reviews %+v, want one COMMENTED review on the head commit (not the merge commit)", pr.Reviews)
		}
		// The ARG's comment is on the ARG alone, the line its suggestion
		// removes; the RUN's change is in its text.
		want := []placement{{"Dockerfile", 0, 4}, {"Dockerfile", 0, 7}, {"Dockerfile", 0, 8}}
		if diff := cmp.Diff(want, placements(pr)); diff != "" {
			t.Errorf("inline comments (-want +got):\n%s", diff)
		}
		golden(t, "leaky", transcript(pr))
		wantOutputs(t, r, 3, 2, 1)
		wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=7", "::warning file=Dockerfile,line=4", "Posted a review")
		wantContains(t, "summary", r.summary, "| File | Line | Rule | Message |",
			"[`Dockerfile`](https://github.com/acme/app/blob/"+headSHA+"/Dockerfile#L7)")
		var log struct {
			Runs []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(r.sarif, &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Results) != 3 {
			t.Errorf("SARIF file: %v, %+v; want one run with 3 results", err, log)
		}
	})

	t.Run("re-run", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.run(invocation{head: leakyHead})
		before := e.srv.Snapshot(e2eRepo, 7)
		r := e.run(invocation{head: leakyHead})
		if diff := cmp.Diff(before, e.srv.Snapshot(e2eRepo, 7)); diff != "" {
			t.Errorf("the re-run changed the pull request (-before +after):\n%s", diff)
		}
		if r.code != exitFindings || strings.Contains(r.stdout, "Posted a review") {
			t.Errorf("re-run: exit %d, log:\n%s", r.code, r.stdout)
		}
		wantContains(t, "summary", r.summary, "3 findings already commented by an earlier run")
	})

	t.Run("fix pushed in a later commit", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.run(invocation{head: leakyHead})
		fixed := tree(t, "leaky/fixed")
		e.srv.Push(e2eRepo, 7, fixSHA, ghtest.Diff(leakyBase, fixed))
		r := e.run(invocation{head: fixed, sha: fixSHA})
		if r.code != exitOK {
			t.Errorf("exit %d with only a warning left, want %d", r.code, exitOK)
		}
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 {
			t.Errorf("%d reviews, want the first one only", len(pr.Reviews))
		}
		var fixedLines []int
		for _, c := range pr.Comments {
			if strings.Contains(c.Body, "<!-- stowaway:fixed=") {
				fixedLines = append(fixedLines, c.Line)
			}
		}
		if diff := cmp.Diff([]int{7, 8}, fixedLines); diff != "" {
			t.Errorf("comments marked fixed (-want +got):\n%s", diff)
		}
		golden(t, "fixed-later", transcript(pr))
		wantOutputs(t, r, 1, 0, 1)
	})

	t.Run("ignore file only", func(t *testing.T) {
		e := newE2E(t, bot)
		head := tree(t, "ignore-only/head")
		e.openPR(tree(t, "ignore-only/base"), head, false)
		r := e.run(invocation{head: head})
		if r.code != exitOK {
			t.Errorf("exit %d with warnings and fail-on error, want %d", r.code, exitOK)
		}
		pr := e.srv.Snapshot(e2eRepo, 7)
		// Nothing sits on the ignore file's lines (hygiene is advice): the
		// unchanged Dockerfile is reported, at its COPY line, because its
		// ignore file changed, in the body.
		if diff := cmp.Diff([]placement(nil), placements(pr)); diff != "" {
			t.Errorf("inline comments (-want +got):\n%s", diff)
		}
		if len(pr.Reviews) == 1 {
			wantContains(t, "review body", pr.Reviews[0].Body, "`broad-copy`", "file not changed by this pull request")
		}
		golden(t, "ignore-only", transcript(pr))
		wantOutputs(t, r, 1, 0, 1)
	})

	t.Run("secret file added to a build context", func(t *testing.T) {
		e := newE2E(t, bot)
		head := tree(t, "context-secret/head")
		e.openPR(tree(t, "context-secret/base"), head, false)
		r := e.run(invocation{head: head})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d", r.code, exitFindings)
		}
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 || len(pr.Comments) != 0 {
			t.Fatalf("%d reviews and %d comments, want one review with the finding in its body", len(pr.Reviews), len(pr.Comments))
		}
		// The Dockerfile did not change; the file its COPY . . now ships did.
		wantContains(t, "review body", pr.Reviews[0].Body, "`context-secret-shipped`", "web/certs/client.p12")
		golden(t, "context-secret", transcript(pr))
	})

	t.Run("finding on an unchanged line", func(t *testing.T) {
		e := newE2E(t, bot)
		head := tree(t, "unchanged-line/head")
		e.openPR(tree(t, "unchanged-line/base"), head, false)
		r := e.run(invocation{head: head})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d", r.code, exitFindings)
		}
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 || len(pr.Comments) != 0 {
			t.Fatalf("%d reviews and %d comments, want one review with no inline comment", len(pr.Reviews), len(pr.Comments))
		}
		wantContains(t, "review body", pr.Reviews[0].Body, `GITLAB\_TOKEN`, "not on a line this pull request adds")
		golden(t, "unchanged-line", transcript(pr))
	})

	t.Run("forty findings", func(t *testing.T) {
		e := newE2E(t, bot)
		head := tree(t, "forty/head")
		e.openPR(tree(t, "forty/base"), head, false)
		r := e.run(invocation{head: head})
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 || len(pr.Comments) != 30 {
			t.Fatalf("%d reviews with %d comments, want one with 30", len(pr.Reviews), len(pr.Comments))
		}
		if n := strings.Count(pr.Reviews[0].Body, "over the limit of 30 inline comments"); n != 10 {
			t.Errorf("%d findings in the body over the limit, want 10", n)
		}
		if len(pr.Reviews[0].Body) >= 65536 {
			t.Errorf("review body of %d bytes", len(pr.Reviews[0].Body))
		}
		wantOutputs(t, r, 40, 40, 0)
	})

	t.Run("fork pull request", func(t *testing.T) {
		e := newE2E(t, ghtest.Token{Login: "github-actions[bot]", ReadOnly: true})
		e.openPR(leakyBase, leakyHead, true)
		r := e.run(invocation{head: leakyHead, fork: true})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d: the findings, not the missing permission, decide", r.code, exitFindings)
		}
		if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 0 {
			t.Errorf("a read-only token stored %d reviews", len(pr.Reviews))
		}
		if n := strings.Count(r.stdout, "Stowaway cannot comment on this pull request"); n != 1 {
			t.Errorf("the fallback is said %d times, want once:\n%s", n, r.stdout)
		}
		wantContains(t, "log", r.stdout, "::notice::Stowaway cannot comment", "::error file=Dockerfile,line=7")
		wantContains(t, "summary", r.summary, "No review: the token is read-only")
		wantOutputs(t, r, 3, 2, 1)
	})

	t.Run("rate-limited review creation", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddFault(ghtest.SecondaryLimit(http.MethodPost, `/pulls/7/reviews$`, http.StatusTooManyRequests, 1))
		r := e.run(invocation{head: leakyHead})
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 || len(pr.Comments) != 3 {
			t.Errorf("%d reviews, %d comments; want the review once", len(pr.Reviews), len(pr.Comments))
		}
		wantContains(t, "log", r.stdout, "secondary rate limit on POST", "waiting 1s")
	})

	t.Run("502 on listing files", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		e.srv.AddFault(ghtest.ServerError(http.MethodGet, `/pulls/7/files$`))
		r := e.run(invocation{head: leakyHead})
		if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 1 || len(pr.Comments) != 3 {
			t.Errorf("%d reviews, %d comments after a 502", len(pr.Reviews), len(pr.Comments))
		}
		wantContains(t, "log", r.stdout, "answered 502; retrying")
	})

	t.Run("SARIF upload", func(t *testing.T) {
		e := newE2E(t, bot)
		e.openPR(leakyBase, leakyHead, false)
		r := e.run(invocation{head: leakyHead, inputs: map[string]string{"upload-sarif": "true"}})
		ups := e.srv.Uploads(e2eRepo)
		if len(ups) != 1 {
			t.Fatalf("%d uploads, want 1", len(ups))
		}
		if ups[0].CommitSHA != headSHA || ups[0].Ref != "refs/pull/7/head" {
			t.Errorf("uploaded for %s on %s, want the head %s on refs/pull/7/head", ups[0].CommitSHA, ups[0].Ref, headSHA)
		}
		if !bytes.Equal(ups[0].SARIF, r.sarif) {
			t.Error("the uploaded SARIF differs from the file written")
		}
		wantContains(t, "log", r.stdout, "Uploaded SARIF to code scanning", ": complete)")
	})

	t.Run("GitHub Enterprise Server", func(t *testing.T) {
		e := newE2E(t, bot)
		e.srv.Prefix = "/api/v3"
		e.openPR(leakyBase, leakyHead, false)
		e.run(invocation{head: leakyHead})
		if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 1 || len(pr.Comments) != 3 {
			t.Errorf("%d reviews, %d comments through GITHUB_API_URL=%s", len(pr.Reviews), len(pr.Comments), e.srv.APIURL())
		}
	})

	t.Run("push with scan all", func(t *testing.T) {
		e := newE2E(t, bot)
		e.srv.AddRepo(e2eRepo).Branches["refs/heads/main"] = headSHA
		r := e.run(invocation{event: "push", head: leakyHead, inputs: map[string]string{"upload-sarif": "true"}})
		if r.code != exitFindings {
			t.Errorf("exit %d, want %d", r.code, exitFindings)
		}
		for _, q := range e.srv.Requests() {
			if strings.Contains(q.Path, "/pulls") {
				t.Errorf("a push run called %s %s", q.Method, q.Path)
			}
		}
		ups := e.srv.Uploads(e2eRepo)
		if len(ups) != 1 || ups[0].Ref != "refs/heads/main" || ups[0].CommitSHA != headSHA {
			t.Errorf("uploads %+v, want one for refs/heads/main at %s", ups, headSHA)
		}
		wantContains(t, "summary", r.summary, "in the whole tree")
		wantOutputs(t, r, 3, 2, 1)
	})

	t.Run("file not fully analysed", func(t *testing.T) {
		// A scan whose time limit passes before it checks the Dockerfile:
		// the file is not fully analysed, which fails the step as an error
		// would.
		head := map[string]string{"Dockerfile": "FROM alpine\nCOPY . .\n", ".dockerignore": "**/.env\n**/.aws\n**/.ssh\n"}
		for _, tc := range []struct {
			failOn string
			code   int
		}{{"error", exitFindings}, {"never", exitOK}} {
			e := newE2E(t, bot)
			e.srv.AddRepo(e2eRepo).Branches["refs/heads/main"] = headSHA
			r := e.run(invocation{event: "push", head: head, inputs: map[string]string{"fail-on": tc.failOn, "scan-timeout": "1ns"}})
			if r.code != tc.code {
				t.Errorf("fail-on %s: exit %d, want %d\n%s", tc.failOn, r.code, tc.code, r.stderr)
			}
			wantContains(t, "log", r.stdout, "::error file=Dockerfile,title=Stowaway could not check everything::not fully analysed: the scan's time limit")
		}
	})
}

// TestActionBinary is the smoke test of the built binary as the runner
// starts the container: the other end-to-end tests run in-process.
func TestActionBinary(t *testing.T) {
	t.Parallel() // the slowest of the package: they run beside the others
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	e := newE2E(t, bot)
	e.openPR(tree(t, "leaky/base"), tree(t, "leaky/head"), false)
	r := e.runBinary(stowawayBinary(t), invocation{head: tree(t, "leaky/head")})
	if r.code != exitFindings {
		t.Errorf("exit %d, want %d\n%s", r.code, exitFindings, r.stderr)
	}
	if pr := e.srv.Snapshot(e2eRepo, 7); len(pr.Reviews) != 1 || len(pr.Comments) != 3 {
		t.Errorf("%d reviews, %d comments; want one review with 3", len(pr.Reviews), len(pr.Comments))
	}
	wantOutputs(t, r, 3, 2, 1)
	wantContains(t, "log", r.stdout, "::error file=Dockerfile,line=7", "Posted a review")
	wantContains(t, "summary", r.summary, "| File | Line | Rule | Message |")
	if ids := sarifRules(t, r.sarif); len(ids) != 3 {
		t.Errorf("SARIF results %v, want 3", ids)
	}
}

// TestActionAPICalls counts the API calls of a pull request run: they grow
// with pages, not with findings.
func TestActionAPICalls(t *testing.T) {
	calls := map[int]int{}
	for _, n := range []int{1, 10, 100} {
		e := newE2E(t, bot)
		head := map[string]string{}
		for i := range n {
			head[fmt.Sprintf("svc%03d/Dockerfile", i)] = fmt.Sprintf("FROM alpine:3.20\nENV SERVICE_TOKEN=ghp_FAKEstowawayE2Ecalls%03d0000000000000\n", i)
		}
		e.openPR(map[string]string{}, head, false)
		e.run(invocation{head: head})
		calls[n] = len(e.srv.Requests())
		pr := e.srv.Snapshot(e2eRepo, 7)
		if len(pr.Reviews) != 1 || len(pr.Comments) != min(n, 30) {
			t.Errorf("%d Dockerfiles: %d reviews, %d comments", n, len(pr.Reviews), len(pr.Comments))
		}
		t.Logf("%3d changed Dockerfiles: %d API calls", n, calls[n])
	}
	if calls[100] > calls[1]+1 {
		t.Errorf("API calls %v grow with the findings", calls)
	}
}

// TestActionRefusesBadInputs runs the action in-process: a bad input is an
// error (exit 2) that names it, before anything is scanned or called.
func TestActionRefusesBadInputs(t *testing.T) {
	ws := t.TempDir()
	if err := os.WriteFile(filepath.Join(ws, "Dockerfile"), []byte("FROM alpine:3.20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		input, value, want string
	}{
		{"fail-on", "critical", "input fail-on"},
		{"path", "../elsewhere", "input path"},
		{"config", "/etc/passwd", "input config"},
		{"scan", "some", "input scan"},
		{"review", "yes please", "input review"},
		{"review-event", "APPROVE", "input review-event"},
		{"sarif-file", "a\nb", "input sarif-file"},
		{"fail-on-api-error", "maybe", "input fail-on-api-error"},
		{"api-timeout", "soon", "input api-timeout"},
		{"scan-timeout", "0", "input scan-timeout"},
		{"api-timeout", "0", "input api-timeout"},
		{"api-timeout", "99999999999999999999", "input api-timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			env := map[string]string{"GITHUB_WORKSPACE": ws, "INPUT_" + strings.ToUpper(tt.input): tt.value}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), Options{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr, Version: "dev"})
			if code != exitError || !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("exit %d, log %q; want %d and an error naming %s", code, stdout.String(), exitError, tt.want)
			}
		})
	}
}

// TestActionWritesNoSARIFThroughASymlink: the checkout is the pull request's
// content, and a symlink there must not send the SARIF log elsewhere; the
// log goes next to it under another name, and the run still reports.
func TestActionWritesNoSARIFThroughASymlink(t *testing.T) {
	ws := t.TempDir()
	target := filepath.Join(t.TempDir(), "set_output")
	if err := os.WriteFile(target, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "Dockerfile"), []byte("FROM alpine:3.20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(ws, "stowaway.sarif")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"GITHUB_WORKSPACE": ws, "GITHUB_EVENT_NAME": "push"}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), Options{Getenv: func(k string) string { return env[k] }, Stdout: &stdout, Stderr: &stderr, Version: "dev"})
	if code != exitOK || !strings.Contains(stdout.String(), "::warning::`stowaway.sarif` in the workspace is a symlink") {
		t.Errorf("exit %d, log %q; want 0 and a warning about the symlink", code, stdout.String())
	}
	if b, _ := os.ReadFile(target); len(b) != 0 {
		t.Errorf("the SARIF log went through the symlink: %d bytes", len(b))
	}
	if b, err := os.ReadFile(filepath.Join(ws, "stowaway-2.sarif")); err != nil || !bytes.Contains(b, []byte(`"version": "2.1.0"`)) {
		t.Errorf("no SARIF log next to the symlink: %v", err)
	}
}

// TestInputDefaultsAreActionYMLs holds inputDefaults to action.yml, so that
// an input added there is run by these tests as the runner passes it.
func TestInputDefaultsAreActionYMLs(t *testing.T) {
	src, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Inputs map[string]struct {
			Default *string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(src, &meta); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for name, in := range meta.Inputs {
		got[name] = ""
		if in.Default != nil {
			got[name] = *in.Default
		}
	}
	// The runner passes the job's token, which these tests replace.
	got["github-token"] = e2eToken
	if diff := cmp.Diff(got, inputDefaults); diff != "" {
		t.Errorf("inputDefaults differ from action.yml's inputs (-action.yml +inputDefaults):\n%s", diff)
	}
}
