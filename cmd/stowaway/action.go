package main

// How GitHub runs a Docker container action, as this file relies on it:
//
//   - Inputs arrive as INPUT_<NAME> with the name upper-cased and hyphens
//     kept (INPUT_GITHUB-TOKEN); outputs and the job summary go to the files
//     named by GITHUB_OUTPUT and GITHUB_STEP_SUMMARY; workflow commands
//     (annotations, ::add-mask::) are lines on standard output.
//   - The checked-out tree is GITHUB_WORKSPACE (/github/workspace); on a
//     pull request it is the PR's code, so nothing read from it may reach an
//     output: go-githubactions writes outputs with a fixed heredoc delimiter
//     that such text could close.
//   - GITHUB_API_URL is the REST root (GitHub Enterprise Server included);
//     GITHUB_SHA on pull_request events is a merge commit that review
//     comments cannot point at, so the head SHA comes from the event.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/ghreview"
	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/sarif"
	"github.com/stowaway-dev/stowaway/scan"
)

// actionInputs are the action's inputs (action.yml), checked.
type actionInputs struct {
	token       string
	path        string // slash path inside the workspace
	scan        string // "changed", "all" or "" (changed on pull requests)
	failOn      checks.Level
	review      bool
	reviewEvent string
	sarifFile   string
	uploadSARIF bool
	config      string // slash path inside the workspace, "" for .stowaway.yml
}

func readInputs(gha *githubactions.Action) (actionInputs, error) {
	in := actionInputs{
		token:       gha.GetInput("github-token"),
		scan:        strings.ToLower(gha.GetInput("scan")),
		reviewEvent: strings.ToUpper(gha.GetInput("review-event")),
		sarifFile:   gha.GetInput("sarif-file"),
	}
	var err error
	if in.path, err = workspacePath("path", orDefault(gha.GetInput("path"), ".")); err != nil {
		return in, err
	}
	if c := gha.GetInput("config"); c != "" {
		if in.config, err = workspacePath("config", c); err != nil {
			return in, err
		}
	}
	switch in.scan {
	case "", "changed", "all":
	default:
		return in, fmt.Errorf("input scan: %q is not changed or all", in.scan)
	}
	if in.failOn, err = parseFailOn(orDefault(gha.GetInput("fail-on"), "error")); err != nil {
		return in, fmt.Errorf("input fail-on: %v", err)
	}
	if in.review, err = boolInput(gha, "review", true); err != nil {
		return in, err
	}
	if in.uploadSARIF, err = boolInput(gha, "upload-sarif", false); err != nil {
		return in, err
	}
	switch in.reviewEvent {
	case "":
		in.reviewEvent = "COMMENT"
	case "COMMENT", "REQUEST_CHANGES":
	default:
		return in, fmt.Errorf("input review-event: %q is not COMMENT or REQUEST_CHANGES", in.reviewEvent)
	}
	if in.sarifFile == "" {
		in.sarifFile = "stowaway.sarif"
	}
	// The path is echoed in the sarif-file output.
	if strings.ContainsAny(in.sarifFile, "\r\n\x00") {
		return in, errors.New("input sarif-file: the path holds a line break")
	}
	return in, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func boolInput(gha *githubactions.Action, name string, def bool) (bool, error) {
	v := gha.GetInput(name)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("input %s: %q is not true or false", name, v)
	}
	return b, nil
}

// workspacePath checks that an input names a path inside the workspace and
// returns it as a clean slash path.
func workspacePath(input, p string) (string, error) {
	p = path.Clean(filepath.ToSlash(p))
	if !fs.ValidPath(p) {
		return "", fmt.Errorf("input %s: %q is not a relative path inside the workspace", input, p)
	}
	return p, nil
}

func runAction(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (code int) {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "stowaway: the action takes no arguments; it reads its inputs from INPUT_* variables")
		return exitError
	}
	gha := githubactions.New(githubactions.WithWriter(stdout), githubactions.WithGetenv(getenv))
	// go-githubactions panics when it cannot write a command or file.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "stowaway: %v\n", r)
			code = exitError
		}
	}()
	if tok := gha.GetInput("github-token"); tok != "" {
		gha.AddMask(tok)
	}
	a := &actionRun{gha: gha, getenv: getenv, stdout: stdout}
	if err := a.run(ctx); err != nil {
		gha.Errorf("stowaway: %s", err)
		return exitError
	}
	return a.code
}

// actionRun is one run of the action.
type actionRun struct {
	gha    *githubactions.Action
	getenv func(string) string
	stdout io.Writer
	in     actionInputs
	code   int
}

func (a *actionRun) run(ctx context.Context) error {
	in, err := readInputs(a.gha)
	if err != nil {
		return err
	}
	a.in = in
	ws := a.getenv("GITHUB_WORKSPACE")
	if ws == "" {
		return errors.New("GITHUB_WORKSPACE is not set: the action runs inside GitHub Actions (use stowaway scan elsewhere)")
	}
	// os.Root writes the SARIF file; scan.Root reads faster for the scan.
	root, err := os.OpenRoot(ws)
	if err != nil {
		return fmt.Errorf("opening the workspace: %w", err)
	}
	defer root.Close()
	tree, err := scan.OpenRoot(ws)
	if err != nil {
		return fmt.Errorf("opening the workspace: %w", err)
	}
	defer tree.Close()
	fsys := tree.FS()

	ev := &ghreview.Event{}
	if p := a.getenv("GITHUB_EVENT_PATH"); p != "" {
		if ev, err = ghreview.LoadEvent(p); err != nil {
			return err
		}
	}
	pr := ev.PullRequest
	mode := in.scan
	if mode == "" {
		mode = "all"
		if pr != nil {
			mode = "changed"
		}
	}
	if mode == "changed" && pr == nil {
		a.gha.Noticef("scan: changed needs a pull request event; this %s run scans everything", orDefault(a.getenv("GITHUB_EVENT_NAME"), "workflow"))
		mode = "all"
	}

	var opts scan.Options
	configFile := scan.ConfigFile
	if in.config != "" {
		configFile = in.config
		src, err := fs.ReadFile(fsys, in.config)
		if err != nil {
			return fmt.Errorf("input config: %w", err)
		}
		if opts.Config, err = scan.ParseConfig(in.config, src); err != nil {
			return err
		}
	}
	defer scan.LimitMemory(a.getenv)()
	res, err := scan.Scan(ctx, fsys, []string{in.path}, opts)
	if err != nil {
		return err
	}

	var client *ghreview.Client
	needAPI := in.uploadSARIF || pr != nil && (mode == "changed" || in.review)
	if needAPI {
		if in.token == "" {
			return errors.New("input github-token is empty")
		}
		client, err = ghreview.NewClient(a.getenv("GITHUB_REPOSITORY"), a.getenv("GITHUB_API_URL"), in.token,
			&ghreview.Transport{Log: a.stdout})
		if err != nil {
			return err
		}
	}

	// The pull request's files, for the scope and the inline comments.
	var files []*ghreview.ChangedFile
	var notes []string
	stale := false
	scope := "the whole tree"
	if in.path != "." {
		scope = "`" + in.path + "`"
	}
	scoped := res.Findings
	if pr != nil && (mode == "changed" || in.review) {
		head, changed, err := client.Head(ctx, pr.Number)
		if err != nil && !errors.Is(err, ghreview.ErrReadOnly) {
			return err
		}
		if err == nil && head != pr.HeadSHA {
			stale = true
			notes = append(notes, fmt.Sprintf("The pull request moved on to %s while this run checked %s: the run for the new commit reviews it.", short(head), short(pr.HeadSHA)))
		}
		var complete bool
		if err == nil {
			files, complete, err = client.ListFiles(ctx, pr.Number)
		}
		switch {
		case errors.Is(err, ghreview.ErrReadOnly):
			notes = append(notes, "The token cannot read the pull request's files (the workflow needs `pull-requests: read`): Stowaway scanned the whole tree and posts no review.")
			stale = true
		case err != nil:
			return err
		case mode == "changed" && (!complete || changed > len(files)):
			notes = append(notes, fmt.Sprintf("The pull request changes more than the %d files GitHub lists: Stowaway reports on the whole tree.", ghreview.MaxFiles))
		case mode == "changed":
			scoped = ghreview.Scope(res, files, configFile)
			scope = "the files this pull request changes"
		}
	}
	scopedRes := *res
	scopedRes.Findings = scoped

	var sarifLog bytes.Buffer
	// SARIF covers the whole scan: code scanning compares it with the base
	// branch's analysis, and a partial one would mark every other alert
	// fixed.
	// One category per scanned path, so that runs over different folders of
	// a monorepo do not replace each other's analysis.
	category := "stowaway"
	if in.path != "." {
		category += "/" + in.path
	}
	if err := sarif.Write(&sarifLog, res, sarif.Options{Version: versionString(), Category: category}); err != nil {
		return err
	}
	if err := writeSARIF(root, ws, in.sarifFile, sarifLog.Bytes()); err != nil {
		return err
	}

	counts := countFindings(scoped)
	a.setOutput("sarif-file", in.sarifFile)
	a.setOutput("findings", strconv.Itoa(counts.total))
	a.setOutput("errors", strconv.Itoa(counts.errors))
	a.setOutput("warnings", strconv.Itoa(counts.warnings))

	fmt.Fprintf(a.stdout, "Stowaway scanned %d files: %s in %s.\n", len(res.Files), counts, strings.Trim(scope, "`"))
	if err := report.GitHub(a.stdout, &scopedRes); err != nil {
		return err
	}

	if pr != nil && in.review && !stale {
		note, err := a.review(ctx, client, pr, files, scoped, res.Findings)
		if err != nil {
			return err
		}
		if note != "" {
			notes = append(notes, note)
		}
	}

	if in.uploadSARIF {
		sha, ref := a.getenv("GITHUB_SHA"), a.getenv("GITHUB_REF")
		if pr != nil {
			sha, ref = pr.HeadSHA, pr.Ref()
		}
		up, err := client.UploadSARIF(ctx, sarifLog.Bytes(), sha, ref, ghreview.UploadOptions{})
		if up != nil {
			for _, e := range up.Errors {
				a.gha.Errorf("code scanning: %s", e)
			}
		}
		switch {
		case errors.Is(err, ghreview.ErrReadOnly):
			a.gha.Warningf("Stowaway cannot upload SARIF with this token (a fork's pull request, or a workflow without `security-events: write`): %v", err)
			notes = append(notes, "SARIF was not uploaded: the token is read-only.")
		case err != nil:
			return err
		default:
			fmt.Fprintf(a.stdout, "Uploaded SARIF to code scanning (upload %s: %s).\n", up.ID, up.Status)
		}
	}

	if a.getenv("GITHUB_STEP_SUMMARY") != "" {
		var sum strings.Builder
		sha := a.getenv("GITHUB_SHA")
		if pr != nil {
			sha = pr.HeadSHA
		}
		owner, repo, _ := strings.Cut(a.getenv("GITHUB_REPOSITORY"), "/")
		err := ghreview.WriteSummary(&sum, ghreview.Summary{
			Findings: scoped, Problems: res.Problems, Scope: scope, Notes: notes,
			ServerURL: orDefault(a.getenv("GITHUB_SERVER_URL"), "https://github.com"), Owner: owner, Repo: repo, SHA: sha,
		})
		if err != nil {
			return err
		}
		a.gha.AddStepSummary(sum.String())
	}

	if in.failOn != 0 && counts.atLeast(in.failOn) > 0 || failing(&scan.Result{Problems: res.Problems}, in.failOn) {
		a.code = exitFindings
	}
	return nil
}

// review posts the review and says what became of it, for the summary.
func (a *actionRun) review(ctx context.Context, client *ghreview.Client, pr *ghreview.PullRequest, files []*ghreview.ChangedFile, scoped, all []scan.Finding) (string, error) {
	out, err := client.Review(ctx, ghreview.Review{
		Number: pr.Number, HeadSHA: pr.HeadSHA, Event: a.in.reviewEvent,
		Files: files, Findings: scoped, Current: all,
		ServerURL: orDefault(a.getenv("GITHUB_SERVER_URL"), "https://github.com"),
	})
	switch {
	case errors.Is(err, ghreview.ErrReadOnly):
		// Said once, as a notice: a fork's pull request is not a failure.
		a.gha.Noticef("Stowaway cannot comment on this pull request: the token is read-only (a pull request from a fork, or a workflow without `pull-requests: write`). The findings are in the annotations and the job summary.")
		return "No review: the token is read-only (a fork's pull request, or no `pull-requests: write`). The annotations and this summary hold every finding.", nil
	case err != nil:
		// The findings are in the annotations and the summary, and the exit
		// status still follows fail-on: a broken review is not a reason to
		// fail the pull request.
		a.gha.Warningf("Stowaway could not post its whole review: %v", err)
	}
	var parts []string
	if out.URL != "" {
		parts = append(parts, fmt.Sprintf("[Review posted](%s): %d inline, %d in its body", out.URL, out.Inline, out.InBody))
		fmt.Fprintf(a.stdout, "Posted a review: %s (%d inline comments, %d findings in its body).\n", out.URL, out.Inline, out.InBody)
	}
	if out.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d inline comments refused by GitHub and moved to the body", out.Refused))
	}
	if out.Known > 0 {
		parts = append(parts, fmt.Sprintf("%d findings already commented by an earlier run", out.Known))
	}
	if out.Fixed > 0 {
		parts = append(parts, fmt.Sprintf("%d earlier comments marked fixed", out.Fixed))
		fmt.Fprintf(a.stdout, "Marked %d earlier comments fixed.\n", out.Fixed)
	}
	if out.Dismissed > 0 {
		parts = append(parts, fmt.Sprintf("%d change requests dismissed", out.Dismissed))
	}
	if len(parts) == 0 {
		return "", nil
	}
	return strings.Join(parts, "; ") + ".", nil
}

func (a *actionRun) setOutput(name, value string) {
	if a.getenv("GITHUB_OUTPUT") != "" {
		a.gha.SetOutput(name, value)
	}
}

// writeSARIF writes the log to name, inside the workspace through root so
// that a symlink committed in the pull request cannot redirect it (to the
// runner's output files, say); an absolute name is the workflow's choice.
func writeSARIF(root *os.Root, ws, name string, log []byte) error {
	if filepath.IsAbs(name) {
		if fi, err := os.Lstat(name); err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("writing SARIF: %s exists and is not a regular file", name)
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return fmt.Errorf("writing SARIF: %w", err)
		}
		return os.WriteFile(name, log, 0o644)
	}
	rel, err := workspacePath("sarif-file", name)
	if err != nil {
		return err
	}
	if fi, err := root.Lstat(rel); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("writing SARIF: %s exists in the workspace and is not a regular file", rel)
	}
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("writing SARIF: %w", err)
		}
	}
	if err := root.WriteFile(rel, log, 0o644); err != nil {
		return fmt.Errorf("writing SARIF: %w", err)
	}
	return nil
}

type findingCounts struct {
	total, errors, warnings, notes int
}

func countFindings(fs []scan.Finding) findingCounts {
	var c findingCounts
	for _, f := range fs {
		if f.Suppressed != nil {
			continue
		}
		c.total++
		switch f.LevelOrDefault(nil) {
		case checks.Error:
			c.errors++
		case checks.Warning:
			c.warnings++
		default:
			c.notes++
		}
	}
	return c
}

func (c findingCounts) atLeast(l checks.Level) int {
	n := c.errors
	if l <= checks.Warning {
		n += c.warnings
	}
	if l <= checks.Note {
		n += c.notes
	}
	return n
}

func (c findingCounts) String() string {
	if c.total == 0 {
		return "no findings"
	}
	return fmt.Sprintf("%d findings (%d errors, %d warnings, %d notes)", c.total, c.errors, c.warnings, c.notes)
}

func short(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}
