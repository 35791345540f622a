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
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/stowaway-dev/stowaway/actionlog"
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
	apiTimeout  time.Duration
	scanTimeout time.Duration
	// failOnAPIError fails the step (exit 2) when an API call failed after
	// the scan; by default that is a warning.
	failOnAPIError bool
	// image is the image to check (action_image.go), a slash path inside
	// the workspace, "" for none; imageDockerfile the Dockerfile it was
	// built from, imageDockerfileSet whether the input named it.
	image              string
	imageDockerfile    string
	imageDockerfileSet bool
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
	if err = readImageInputs(gha, &in); err != nil {
		return in, err
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
	if in.failOnAPIError, err = boolInput(gha, "fail-on-api-error", false); err != nil {
		return in, err
	}
	switch in.reviewEvent {
	case "":
		in.reviewEvent = "COMMENT"
	case "COMMENT", "REQUEST_CHANGES":
	default:
		return in, fmt.Errorf("input review-event: %q is not COMMENT or REQUEST_CHANGES", in.reviewEvent)
	}
	if in.apiTimeout, err = durationInput(gha, "api-timeout", 5*time.Minute); err != nil {
		return in, err
	}
	if in.scanTimeout, err = durationInput(gha, "scan-timeout", scan.DefaultTimeout); err != nil {
		return in, err
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

// durationInput reads a duration such as 90s or 5m; a bare number is
// seconds.
func durationInput(gha *githubactions.Action, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(gha.GetInput(name))
	if v == "" {
		return def, nil
	}
	text := v
	if _, err := strconv.Atoi(v); err == nil {
		text += "s"
	}
	d, err := time.ParseDuration(text)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("input %s: %q is not a positive duration such as 90s or 5m", name, v)
	}
	return d, nil
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

func runAction(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, clock ghreview.Clock) (code int) {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "stowaway: the action takes no arguments; it reads its inputs from INPUT_* variables")
		return exitError
	}
	gha := githubactions.New(githubactions.WithWriter(stdout), githubactions.WithGetenv(getenv))
	// go-githubactions panics when it cannot write a command or file.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(fmt.Sprint(r)))
			code = exitError
		}
	}()
	if tok := gha.GetInput("github-token"); tok != "" {
		gha.AddMask(tok)
	}
	a := &actionRun{gha: gha, getenv: getenv, stdout: stdout, clock: clock}
	if err := a.run(ctx); err != nil {
		gha.Errorf("stowaway: %s", err)
		return exitError
	}
	return a.code
}

// actionRun is one run of the action. Its phases run in order. Until the
// scan has results, a failure stops the run (exit 2); after it, a phase that
// fails says so (a warning, and a line of the job summary) and the run goes
// on, so that neither the pull request's content nor the API can keep the
// annotations, the outputs, the summary and the SARIF log from being
// written. The exit status then follows fail-on (and fail-on-api-error).
type actionRun struct {
	gha    *githubactions.Action
	getenv func(string) string
	stdout io.Writer
	clock  ghreview.Clock // nil is the real clock
	in     actionInputs
	code   int

	// event
	root   *os.Root // writes the SARIF log; scan.Root reads faster for the scan
	tree   *scan.Root
	pr     *ghreview.PullRequest
	mode   string // changed or all
	client *ghreview.Client
	// transport carries the client's calls; its deadline (api-timeout)
	// covers reading the base configuration, then starts again when the
	// scan ends.
	transport *ghreview.Transport

	// configuration
	opts       scan.Options
	configFile string // the configuration's slash path
	baseKnown  bool   // on a pull request: the base commit's configuration governs

	// scan and scope
	res    *scan.Result
	files  []*ghreview.ChangedFile
	scoped []scan.Finding
	scope  string
	stale  bool // no review: the files are unknown or the pull request moved on

	sarifLog  []byte
	sarifPath string // as written, for the output; "" when none was
	notes     []string
	apiFailed bool
}

func (a *actionRun) run(ctx context.Context) error {
	defer a.close()
	if err := a.event(); err != nil {
		return err
	}
	if err := a.connect(); err != nil {
		return err
	}
	if err := a.configure(ctx); err != nil {
		return err
	}
	if err := a.scan(ctx); err != nil {
		return err
	}
	// From here on, a failure is reported and the run goes on.
	a.checkImage(ctx)
	a.checkConfig()
	a.scopeFindings(ctx)
	a.writeSARIF()
	a.report()
	a.postReview(ctx)
	a.upload(ctx)
	a.summarize()
	a.exit()
	return nil
}

// event reads the inputs, opens the workspace and reads the event.
func (a *actionRun) event() (err error) {
	if a.in, err = readInputs(a.gha); err != nil {
		return err
	}
	ws := a.getenv("GITHUB_WORKSPACE")
	if ws == "" {
		return errors.New("GITHUB_WORKSPACE is not set: the action runs inside GitHub Actions (use stowaway scan elsewhere)")
	}
	if a.root, err = os.OpenRoot(ws); err != nil {
		return fmt.Errorf("opening the workspace: %w", err)
	}
	if a.tree, err = scan.OpenRoot(ws); err != nil {
		return fmt.Errorf("opening the workspace: %w", err)
	}
	ev := &ghreview.Event{}
	if p := a.getenv("GITHUB_EVENT_PATH"); p != "" {
		if ev, err = ghreview.LoadEvent(p); err != nil {
			return err
		}
	}
	a.pr = ev.PullRequest
	a.mode = a.in.scan
	if a.mode == "" {
		a.mode = "all"
		if a.pr != nil {
			a.mode = "changed"
		}
	}
	if a.mode == "changed" && a.pr == nil {
		a.gha.Noticef("scan: changed needs a pull request event; this %s run scans everything", orDefault(a.getenv("GITHUB_EVENT_NAME"), "workflow"))
		a.mode = "all"
	}
	return nil
}

func (a *actionRun) close() {
	if a.tree != nil {
		a.tree.Close()
	}
	if a.root != nil {
		a.root.Close()
	}
}

// listsFiles reports whether the run reads the pull request's files.
func (a *actionRun) listsFiles() bool {
	return a.pr != nil && (a.mode == "changed" || a.in.review)
}

// connect makes the API client when the run needs one. A pull request's
// run also reads the base commit's configuration with it. Without a token
// there is no client: a token input made of a secret is empty on a fork's
// pull request, which secrets do not reach, and the scan is reported all
// the same; each phase that needs the API says it could not (errNoToken).
func (a *actionRun) connect() (err error) {
	if a.in.token == "" || !a.in.uploadSARIF && !a.listsFiles() && a.pr == nil {
		return nil
	}
	a.transport = &ghreview.Transport{Log: a.stdout, Clock: a.clock}
	a.restartAPITime()
	a.client, err = ghreview.NewClient(a.getenv("GITHUB_REPOSITORY"), a.getenv("GITHUB_API_URL"), a.in.token, a.transport)
	return err
}

func (a *actionRun) scan(ctx context.Context) (err error) {
	opts := a.opts
	opts.Timeout = a.in.scanTimeout
	a.res, err = scan.Scan(ctx, a.tree.FS(), []string{a.in.path}, opts)
	a.restartAPITime()
	return err
}

// restartAPITime gives the API calls that follow the whole of api-timeout.
func (a *actionRun) restartAPITime() {
	if a.transport != nil {
		a.transport.Deadline = a.now().Add(a.in.apiTimeout)
	}
}

func (a *actionRun) now() time.Time {
	if a.clock == nil {
		return time.Now()
	}
	return a.clock.Now()
}

// scopeFindings lists the pull request's files and keeps the findings it is
// responsible for (scan: changed). When the files cannot be listed, the
// scope is the whole tree and no review is posted.
func (a *actionRun) scopeFindings(ctx context.Context) {
	a.scoped = a.res.Findings
	a.scope = "the whole tree"
	if a.in.path != "." {
		a.scope = "`" + a.in.path + "`"
	}
	if !a.listsFiles() {
		return
	}
	if a.client == nil {
		a.stale = true
		a.apiFailure(fmt.Sprintf("Stowaway could not read the pull request's files (%v): it reports on the whole tree and posts no review.", errNoToken))
		return
	}
	pr := a.pr
	head, changed, err := a.client.Head(ctx, pr.Number)
	if err == nil && head != pr.HeadSHA {
		a.stale = true
		a.notes = append(a.notes, fmt.Sprintf("The pull request moved on to %s while this run checked %s: the run for the new commit reviews it.", short(head), short(pr.HeadSHA)))
	}
	var complete bool
	if err == nil {
		a.files, complete, err = a.client.ListFiles(ctx, pr.Number)
	}
	switch {
	case errors.Is(err, ghreview.ErrReadOnly):
		a.notes = append(a.notes, "The token cannot read the pull request's files (the workflow needs `pull-requests: read`): Stowaway scanned the whole tree and posts no review.")
		a.stale = true
	case err != nil:
		a.stale = true
		a.apiFailure(fmt.Sprintf("Stowaway could not read the pull request's files (%v): it reports on the whole tree and posts no review.", err))
	case a.mode == "changed" && (!complete || changed > len(a.files)):
		a.notes = append(a.notes, fmt.Sprintf("The pull request changes more than the %d files GitHub lists: Stowaway reports on the whole tree.", ghreview.MaxFiles))
	case a.mode == "changed":
		// The base commit's configuration governs the run, so a change to
		// the pull request's own does not widen the scope.
		a.scoped = a.untiedImageFindings(ghreview.Scope(a.res, a.files, ""))
		a.scope = "the files this pull request changes"
	}
}

// writeSARIF writes the log of the whole scan: code scanning compares it
// with the base branch's analysis, and a partial one would mark every
// other alert fixed. One category per scanned path, so that runs over
// different folders of a monorepo do not replace each other's analysis.
func (a *actionRun) writeSARIF() {
	category := "stowaway"
	if a.in.path != "." {
		category += "/" + a.in.path
	}
	var log bytes.Buffer
	if err := sarif.Write(&log, a.res, sarif.Options{Version: versionString(), Category: category}); err != nil {
		a.failure(fmt.Sprintf("Stowaway could not build the SARIF log: %v.", err))
		return
	}
	a.sarifLog = log.Bytes()
	written, err := writeSARIF(a.root, a.in.sarifFile, a.sarifLog)
	a.sarifPath = written
	switch {
	case err != nil && written != "":
		a.failure(fmt.Sprintf("%v: the SARIF log is in `%s` instead, which the sarif-file output names.", err, written))
	case err != nil:
		a.failure(fmt.Sprintf("No SARIF file was written: %v.", err))
	}
}

// report writes the annotations and sets the outputs.
func (a *actionRun) report() {
	counts := countFindings(a.scoped)
	fmt.Fprintf(a.stdout, "Stowaway scanned %d files: %s in %s.\n", len(a.res.Files), counts, actionlog.Line(strings.Trim(a.scope, "`")))
	scoped := *a.res
	scoped.Findings = a.scoped
	if err := report.GitHub(a.stdout, &scoped); err != nil {
		a.failure(fmt.Sprintf("Stowaway could not write its annotations: %v.", err))
	}
	a.safely("the outputs", func() {
		a.setOutput("sarif-file", a.sarifPath)
		a.setOutput("findings", strconv.Itoa(counts.total))
		a.setOutput("errors", strconv.Itoa(counts.errors))
		a.setOutput("warnings", strconv.Itoa(counts.warnings))
	})
}

func (a *actionRun) postReview(ctx context.Context) {
	if a.pr == nil || !a.in.review || a.stale {
		return
	}
	if note := a.review(ctx, a.client, a.pr, a.files, a.scoped, a.res.Findings); note != "" {
		a.notes = append(a.notes, note)
	}
}

// upload sends the SARIF log to code scanning.
func (a *actionRun) upload(ctx context.Context) {
	if !a.in.uploadSARIF {
		return
	}
	switch {
	case a.sarifLog == nil:
		a.apiFailure("SARIF was not uploaded: there is no log to upload.")
		return
	case a.client == nil:
		a.apiFailure(fmt.Sprintf("SARIF was not uploaded: %v.", errNoToken))
		return
	}
	sha, ref := a.getenv("GITHUB_SHA"), a.getenv("GITHUB_REF")
	if a.pr != nil {
		sha, ref = a.pr.HeadSHA, a.pr.Ref()
	}
	up, err := a.client.UploadSARIF(ctx, a.sarifLog, sha, ref, ghreview.UploadOptions{})
	switch {
	case err != nil && up != nil && len(up.Errors) > 0:
		// Code scanning took the log and refused it (too many runs for
		// the commit, a location it cannot read): a failure of the upload,
		// not of the step, and the log itself is what its errors are about.
		errs := strings.Join(up.Errors, "; ")
		a.apiFailed = true
		a.gha.Warningf("Code scanning could not process the SARIF upload %s: %s", up.ID, errs)
		a.notes = append(a.notes, fmt.Sprintf("SARIF was uploaded but code scanning could not process it: %s.", ghreview.Text(errs)))
	case errors.Is(err, ghreview.ErrReadOnly):
		a.gha.Warningf("Stowaway cannot upload SARIF with this token (a fork's pull request, or a workflow without `security-events: write`): %v", err)
		a.notes = append(a.notes, "SARIF was not uploaded: the token is read-only.")
	case err != nil:
		a.apiFailure(fmt.Sprintf("SARIF was not uploaded: %v.", err))
	default:
		fmt.Fprintf(a.stdout, "Uploaded SARIF to code scanning (upload %s: %s).\n", actionlog.Line(up.ID), actionlog.Line(up.Status))
	}
}

// summarize writes the job summary, with a line for each failure.
func (a *actionRun) summarize() {
	if a.getenv("GITHUB_STEP_SUMMARY") == "" {
		return
	}
	var sum strings.Builder
	sha := a.getenv("GITHUB_SHA")
	if a.pr != nil {
		sha = a.pr.HeadSHA
	}
	owner, repo, _ := strings.Cut(a.getenv("GITHUB_REPOSITORY"), "/")
	err := ghreview.WriteSummary(&sum, ghreview.Summary{
		Findings: a.scoped, Problems: a.res.Problems, Scope: a.scope, Notes: a.notes,
		ServerURL: orDefault(a.getenv("GITHUB_SERVER_URL"), "https://github.com"), Owner: owner, Repo: repo, SHA: sha,
		SARIFFile: a.sarifPath,
	})
	if err != nil {
		a.gha.Warningf("Stowaway could not write the job summary: %v", err)
		return
	}
	a.safely("the job summary", func() { a.gha.AddStepSummary(sum.String()) })
}

func (a *actionRun) exit() {
	if a.in.failOn != 0 && countFindings(a.scoped).atLeast(a.in.failOn) > 0 || failing(&scan.Result{Problems: a.res.Problems}, a.in.failOn) {
		a.code = exitFindings
	}
	if a.apiFailed && a.in.failOnAPIError {
		a.code = exitError
	}
}

// safely runs f, which writes one of the runner's files through
// go-githubactions: that panics when it cannot write, and the panic is a
// failure of this phase only.
func (a *actionRun) safely(what string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			a.failure(fmt.Sprintf("Stowaway could not write %s: %v.", what, r))
		}
	}()
	f()
}

// failure reports a phase that failed after the scan: a warning now and a
// line of the job summary. It does not change the exit status.
func (a *actionRun) failure(note string) {
	a.gha.Warningf("%s", note)
	a.notes = append(a.notes, note)
}

// apiFailure is a failure of the API, which fails the step only with
// fail-on-api-error.
func (a *actionRun) apiFailure(note string) {
	a.apiFailed = true
	a.failure(note)
}

// review posts the review and says what became of it, for the summary.
func (a *actionRun) review(ctx context.Context, client *ghreview.Client, pr *ghreview.PullRequest, files []*ghreview.ChangedFile, scoped, all []scan.Finding) string {
	out, err := client.Review(ctx, ghreview.Review{
		Number: pr.Number, HeadSHA: pr.HeadSHA, Event: a.in.reviewEvent,
		Files: files, Findings: scoped, Current: all, Paths: a.scannedPaths(), Unjudged: a.unjudged(),
		ServerURL: orDefault(a.getenv("GITHUB_SERVER_URL"), "https://github.com"),
	})
	switch {
	case errors.Is(err, ghreview.ErrReadOnly):
		// Said once, as a notice: a fork's pull request is not a failure.
		a.gha.Noticef("Stowaway cannot comment on this pull request: the token is read-only (a pull request from a fork, or a workflow without `pull-requests: write`). The findings are in the annotations and the job summary.")
		return "No review: the token is read-only (a fork's pull request, or no `pull-requests: write`). The annotations and this summary hold every finding."
	case err != nil:
		// The findings are in the annotations and the summary, and the exit
		// status still follows fail-on: a broken review is not a reason to
		// fail the pull request.
		a.apiFailure(fmt.Sprintf("Stowaway could not post its whole review: %v.", err))
	}
	var parts []string
	if out.URL != "" {
		parts = append(parts, fmt.Sprintf("[Review posted](%s): %d inline, %d in its body", out.URL, out.Inline, out.InBody))
		fmt.Fprintf(a.stdout, "Posted a review: %s (%d inline comments, %d findings in its body).\n", actionlog.Line(out.URL), out.Inline, out.InBody)
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
	if out.Ignored > 0 {
		parts = append(parts, fmt.Sprintf("%d comments or reviews by other accounts carry Stowaway markers: ignored", out.Ignored))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + "."
}

// scannedPaths are the paths whose findings the run reports: the path
// input, the configuration file it compares on a pull request, and the
// image input's files.
func (a *actionRun) scannedPaths() []string {
	var more []string
	if a.pr != nil {
		more = append(more, a.configFile)
	}
	if a.in.image != "" {
		more = append(more, a.in.image, a.in.imageDockerfile)
	}
	paths := []string{a.in.path}
	for _, p := range more {
		if a.in.path != "." && p != a.in.path && !strings.HasPrefix(p, a.in.path+"/") {
			paths = append(paths, p)
		}
	}
	return paths
}

// unjudged are the files the scan could not fully analyse ("." when a
// problem names none): their earlier findings may stand although this run
// did not report them.
func (a *actionRun) unjudged() []string {
	var out []string
	for _, p := range a.res.Problems {
		switch {
		case p.Path != "":
			out = append(out, p.Path)
		case p.Incomplete:
			out = append(out, ".")
		}
	}
	return out
}

func (a *actionRun) setOutput(name, value string) {
	if a.getenv("GITHUB_OUTPUT") != "" {
		a.gha.SetOutput(name, value)
	}
}

// writeSARIF writes the log to name and returns the path it wrote. Inside
// the workspace it writes through root, so that a symlink committed in the
// pull request cannot send it out (to the runner's output files, say), and
// never through a symlink or over a folder that the pull request committed
// under that name: then the log goes to name-2.sarif (or -3 … -9), and the
// error says why; an absolute name is the workflow's choice.
func writeSARIF(root *os.Root, name string, log []byte) (written string, err error) {
	if filepath.IsAbs(name) {
		if fi, err := os.Lstat(name); err == nil && !fi.Mode().IsRegular() {
			return "", fmt.Errorf("%s exists and is not a regular file", name)
		}
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(name, log, 0o644); err != nil {
			return "", err
		}
		return name, nil
	}
	rel, err := workspacePath("sarif-file", name)
	if err != nil {
		return "", err
	}
	if dir := path.Dir(rel); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
	}
	first := writeRegular(root, rel, log)
	if first == nil || !errors.Is(first, errNotRegular) {
		if first != nil {
			return "", first
		}
		return rel, nil
	}
	ext := path.Ext(rel)
	for n := 2; n <= 9; n++ {
		alt := fmt.Sprintf("%s-%d%s", strings.TrimSuffix(rel, ext), n, ext)
		if err := writeRegular(root, alt, log); err == nil {
			return alt, first
		} else if !errors.Is(err, errNotRegular) {
			return "", fmt.Errorf("%w; writing %s instead: %v", first, alt, err)
		}
	}
	return "", first
}

var errNotRegular = errors.New("not a regular file")

var errNoToken = errors.New("input github-token is empty")

// writeRegular writes a file of the workspace unless something other than
// a regular file is in its place.
func writeRegular(root *os.Root, rel string, data []byte) error {
	if fi, err := root.Lstat(rel); err == nil && !fi.Mode().IsRegular() {
		what := "a folder"
		if fi.Mode()&fs.ModeSymlink != 0 {
			what = "a symlink"
		} else if !fi.IsDir() {
			what = "a special file"
		}
		return fmt.Errorf("`%s` in the workspace is %s (%w)", rel, what, errNotRegular)
	}
	return root.WriteFile(rel, data, 0o644)
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
