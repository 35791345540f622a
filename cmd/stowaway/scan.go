package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/sarif"
	"github.com/stowaway-dev/stowaway/scan"
)

type scanFlags struct {
	format, output, failOn, config string
	timeout                        time.Duration
	adopt                          adoptFlags
	switches                       ruleSwitches
	color                          string // always, never or auto
	noColor                        bool
	verbose                        bool
}

func runScan(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var f scanFlags
	fs := flag.NewFlagSet("stowaway scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	f.registerTree(fs)
	f.adopt.register(fs)
	stdinName := fs.String("stdin-filename", "Dockerfile", "with PATH -, the `NAME` standard input is scanned as: its folder's ignore file, build context and configuration apply")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: stowaway scan [flags] [PATH...]\n\nPATH is a Dockerfile, an ignore file or a folder to walk (default .); - reads a Dockerfile from standard input.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, threshold, code, ok := f.parse(fs, args, stderr)
	if !ok {
		return code
	}
	if err := f.adopt.load(); err != nil {
		fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(err.Error()))
		return exitError
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	paths, in, err := readStdin(fs, paths, *stdinName)
	if err != nil {
		fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(err.Error()))
		return exitError
	}
	out := scanTree(ctx, paths, in, f, getenv, stdout, stderr)
	if out == nil {
		return exitError
	}
	f.adopt.tell(out.baselined, f.format, stderr)
	if out.failing(threshold) {
		return exitFindings
	}
	return exitOK
}

// scanTree scans the paths (default .) and writes the report as the scan
// goes, as scan and baseline do; nil when either failed, having said why on
// stderr.
func scanTree(ctx context.Context, paths []string, in *stdinDockerfile, f scanFlags, getenv func(string) string, stdout, stderr io.Writer) *reportSink {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	start := time.Now()
	out := newReportSink(f, getenv, stdout, stderr)
	var sink scan.Sink = out
	var whole scan.Collect
	if f.verbose {
		// What --verbose tells comes before the report.
		sink = &whole
	}
	config, err := scanPaths(ctx, paths, in, f, sink)
	if err == nil && f.verbose {
		tell(stderr, whole.Result, config, time.Since(start))
		err = whole.Result.Stream(out)
	}
	if err != nil {
		if !out.wrote {
			for _, l := range strings.Split(err.Error(), "\n") {
				fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(l))
			}
		}
		return nil
	}
	return out
}

// register adds the report flags that scan and image share.
func (f *scanFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "text", "output format: "+strings.Join(formats, ", "))
	fs.StringVar(&f.output, "output", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at or above this level: error, warning, note or never")
	fs.StringVar(&f.color, "color", "auto", "colour the text report: always, never, or auto (when it goes to a terminal and NO_COLOR is unset)")
	fs.BoolVar(&f.noColor, "no-color", false, "do not colour the text report (--color=never)")
}

// colored says whether text written to w gets colours.
func (f scanFlags) colored(w io.Writer, getenv func(string) string) bool {
	switch {
	case f.noColor || f.color == "never":
		return false
	case f.color == "always":
		return true
	}
	return isTerminal(w) && getenv("NO_COLOR") == ""
}

// registerTree adds the flags of a scan of a tree, which scan and baseline
// share.
func (f *scanFlags) registerTree(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration `FILE` (default: the nearest .stowaway.yml or .stowaway.yaml above the paths, up to the repository root)")
	fs.DurationVar(&f.timeout, "timeout", scan.DefaultTimeout, "time limit of the scan; files it keeps from being fully analysed are errors (0: none)")
	f.switches.register(fs)
	fs.BoolVar(&f.verbose, "verbose", false, "say on standard error which files were read, the build contexts planned and how long the scan took")
	fs.BoolVar(&f.verbose, "v", false, "short for --verbose")
}

// tell writes what --verbose shows: the configuration used, the files read
// (scanned; ignore files read for contexts; Compose and workflow files read
// for the builds they name), the build contexts and the time taken. Only
// paths, never file content.
func tell(w io.Writer, res *scan.Result, config string, took time.Duration) {
	if config == "" {
		config = "none (defaults)"
	}
	fmt.Fprintf(w, "stowaway: config: %s\n", actionlog.Line(config))
	for _, p := range res.Files {
		fmt.Fprintf(w, "stowaway: read %s\n", actionlog.Line(p))
	}
	// An ignore file governs its contexts whether or not it was scanned
	// itself (a Dockerfile named alone).
	var ignores []string
	for _, c := range res.Contexts {
		if _, scanned := slices.BinarySearch(res.Files, c.Ignore); c.Ignore != "" && !scanned {
			ignores = append(ignores, c.Ignore)
		}
	}
	slices.Sort(ignores)
	for _, p := range slices.Compact(ignores) {
		fmt.Fprintf(w, "stowaway: read %s (for contexts)\n", actionlog.Line(p))
	}
	// Every one, builds or not: a Compose file that names no build of
	// these Dockerfiles is read all the same.
	for _, p := range res.BuildFiles {
		fmt.Fprintf(w, "stowaway: read %s (for builds)\n", actionlog.Line(p))
	}
	for _, c := range res.Contexts {
		ignore := "no ignore file"
		if c.Ignore != "" {
			ignore = c.Ignore
		}
		from := ""
		if c.From != "default" {
			from = " (from " + c.From + ")"
		}
		fmt.Fprintf(w, "stowaway: context: %s -> %s -> %s%s\n", actionlog.Line(c.Dockerfile), actionlog.Line(c.Dir), actionlog.Line(ignore), actionlog.Line(from))
	}
	rate := ""
	if s := took.Seconds(); s > 0 {
		rate = fmt.Sprintf(" (%.0f files/s)", float64(len(res.Files))/s)
	}
	files := "files"
	if len(res.Files) == 1 {
		files = "file"
	}
	fmt.Fprintf(w, "stowaway: scanned %d %s in %s%s\n", len(res.Files), files, took.Round(time.Millisecond), rate)
}

// parse reads args with fs, flags and operands interleaved, and checks
// --fail-on and --format, saying what is wrong on stderr. When ok is false
// the command ends with code: exitOK for -h, exitError otherwise.
func (f *scanFlags) parse(fs *flag.FlagSet, args []string, stderr io.Writer) (operands []string, threshold checks.Level, code int, ok bool) {
	operands, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return nil, 0, exitOK, false
	}
	if err != nil {
		return nil, 0, exitError, false
	}
	if threshold, err = parseFailOn(f.failOn); err != nil {
		fmt.Fprintf(stderr, "stowaway: %v\n", err)
		return nil, 0, exitError, false
	}
	if f.color != "always" && f.color != "never" && f.color != "auto" {
		fmt.Fprintf(stderr, "stowaway: --color %q: want always, never or auto\n", f.color)
		return nil, 0, exitError, false
	}
	if !slices.Contains(formats, f.format) {
		fmt.Fprintf(stderr, "stowaway: unknown format %q (want %s)\n", f.format, strings.Join(formats, ", "))
		return nil, 0, exitError, false
	}
	return operands, threshold, exitOK, true
}

// writeReport writes the result in the chosen format to --output or standard
// output, and the problems to standard error when the report does not
// show them; false when it could not be written.
func writeReport(res *scan.Result, f scanFlags, getenv func(string) string, stdout, stderr io.Writer) bool {
	out := newReportSink(f, getenv, stdout, stderr)
	if err := res.Stream(out); err != nil {
		if !out.wrote {
			fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(err.Error()))
		}
		return false
	}
	return true
}

// reportSink writes the report of a scan as it goes, in the chosen format
// to --output or standard output, and keeps what the exit code needs. The
// findings of the baseline are left out (SARIF marks them unchanged), and
// when the report goes to a file, a text report goes to standard error.
type reportSink struct {
	f              scanFlags
	getenv         func(string) string
	stdout, stderr io.Writer

	file    *os.File      // --output
	out     *bufio.Writer // to the file or standard output
	report  scan.Sink
	text    scan.Sink // to standard error, or nil
	started bool      // Begin opened the report
	wrote   bool      // a failure was told on stderr already

	baselined int          // findings of the baseline
	worst     checks.Level // of a finding shown and not suppressed
	rest      *scan.Result // the result without its findings, after End
}

func newReportSink(f scanFlags, getenv func(string) string, stdout, stderr io.Writer) *reportSink {
	return &reportSink{f: f, getenv: getenv, stdout: stdout, stderr: stderr}
}

func (r *reportSink) Begin(head *scan.Result) error {
	f := r.f
	color := f.colored(r.stdout, r.getenv)
	if f.output != "" {
		file, err := os.Create(f.output)
		if err != nil {
			return err
		}
		r.file, r.out = file, bufio.NewWriter(file)
		// A file is no terminal: auto leaves it plain.
		color = f.colored(nil, r.getenv)
		if f.format != "text" {
			// The file holds the report; people still see what was found.
			r.text = report.NewText(r.stderr, report.TextOptions{Color: f.colored(r.stderr, r.getenv)})
		}
	} else {
		r.out = bufio.NewWriter(r.stdout)
	}
	var w io.Writer = r.out
	if f.output == "" && (f.format == "json" || f.format == "sarif" || f.format == "gitlab") {
		// Standard output may be a workflow's log: a "##[" in a JSON
		// string would be read as a command there.
		w = actionlog.JSON(r.out)
	}
	r.report, r.started = newWriter(w, f.format, color, f.adopt.known), true
	for _, s := range r.sinks() {
		if err := s.Begin(head); err != nil {
			return r.failed(err)
		}
	}
	return nil
}

// problemPathsOnly tells movedSink that the report reads no path of the
// head and rest of a result but those of the problems: it counts the
// targets, and the findings come on their own.
func (*reportSink) problemPathsOnly() {}

func (r *reportSink) sinks() []scan.Sink {
	if r.text == nil {
		return []scan.Sink{r.report}
	}
	return []scan.Sink{r.report, r.text}
}

func (r *reportSink) Finding(f scan.Finding) error {
	known := r.f.adopt.known[f.Fingerprint]
	if known {
		r.baselined++
	} else if f.Suppressed == nil {
		r.worst = max(r.worst, f.Level)
	}
	for _, s := range r.sinks() {
		if known && (s != r.report || r.f.format != "sarif") {
			continue
		}
		if err := s.Finding(f); err != nil {
			return r.failed(err)
		}
	}
	return nil
}

func (r *reportSink) End(rest *scan.Result) error {
	r.rest = rest
	if err := r.report.End(rest); err != nil {
		return r.failed(err)
	}
	if err := r.out.Flush(); err != nil {
		return r.failed(err)
	}
	if r.file != nil {
		err := r.file.Close()
		r.file = nil
		if err != nil {
			return r.failed(err)
		}
	}
	if r.text != nil {
		r.text.End(rest)
	}
	if r.f.format != "text" && r.f.output == "" {
		for _, p := range rest.Problems {
			fmt.Fprintf(r.stderr, "stowaway: %s: %s\n", p.Level, actionlog.Line(p.Message))
		}
	}
	return nil
}

// failed says on stderr that the report could not be written.
func (r *reportSink) failed(err error) error {
	if r.file != nil {
		r.file.Close()
		r.file = nil
	}
	if !r.wrote {
		r.wrote = true
		fmt.Fprintf(r.stderr, "stowaway: writing the report: %s\n", actionlog.Line(err.Error()))
	}
	return err
}

// failing reports an unsuppressed finding shown at or above the threshold,
// or a file that a bound kept from being fully analysed.
func (r *reportSink) failing(threshold checks.Level) bool {
	return threshold != 0 && r.worst >= threshold || failing(&scan.Result{Problems: r.rest.Problems}, threshold)
}

// parseInterleaved parses flags that may stand before, between or after the
// paths, as users type them (`stowaway scan . --format sarif`).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return paths, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(paths, rest...), nil
		}
		paths = append(paths, rest[0])
		args = rest[1:]
	}
}

// parseFailOn reads --fail-on; 0 means never.
func parseFailOn(s string) (checks.Level, error) {
	if s == "never" {
		return 0, nil
	}
	lv, err := checks.ParseLevel(s)
	if err != nil {
		return 0, fmt.Errorf("--fail-on: %v", err)
	}
	return lv, nil
}

// failing reports an unsuppressed finding at or above the threshold, or a
// file that a bound kept from being fully analysed (an error: what it would
// have found is unknown).
func failing(res *scan.Result, threshold checks.Level) bool {
	if threshold == 0 {
		return false
	}
	for _, p := range res.Problems {
		if p.Incomplete && p.Level >= threshold {
			return true
		}
	}
	for _, f := range res.Findings {
		if f.Suppressed == nil && f.Level >= threshold {
			return true
		}
	}
	return false
}

// formats are the values of --format, which newWriter takes.
var formats = []string{"text", "json", "sarif", "github", "checkstyle", "gitlab"}

// newWriter returns the writer of the report; known is the baseline's
// fingerprints, whose findings SARIF marks unchanged (the other formats do
// not hear them).
func newWriter(w io.Writer, format string, color bool, known map[string]bool) scan.Sink {
	switch format {
	case "sarif":
		return sarif.NewWriter(w, sarif.Options{Version: versionString(), Baseline: known})
	case "json":
		return report.NewJSON(w)
	case "github":
		return report.NewGitHub(w)
	case "checkstyle":
		return report.NewCheckstyle(w)
	case "gitlab":
		return report.NewGitLab(w)
	}
	return report.NewText(w, report.TextOptions{Color: color})
}

// scanPaths scans the command-line paths. The scanned tree is the folder
// of the configuration that governs them (found walking up from each path,
// see scan.FindConfig), so that the paths it names and the repository's
// workflows are read from there; without one, it is the current folder
// when it holds every path, else the folder that holds the paths. Results
// are relative to the current folder either way, and no symlink leads out
// of the tree. in, when not nil, is a Dockerfile read from standard input.
// The result goes to sink as the scan goes.
func scanPaths(ctx context.Context, args []string, in *stdinDockerfile, f scanFlags, sink scan.Sink) (config string, _ error) {
	configFile, timeout := f.config, f.timeout
	cwd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	abs := make([]string, len(args))
	dirs := make([]string, len(args)) // each path's folder, where its configuration is looked for
	files := make([]bool, len(args))
	inside := true
	for i, a := range args {
		p, err := filepath.Abs(a)
		if err != nil {
			return "", err
		}
		if in != nil {
			if err := in.place(p); err != nil {
				return "", err
			}
			abs[i], dirs[i], files[i] = p, filepath.Dir(p), true
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("cannot read %s: %w", a, errors.Unwrap(err))
		}
		abs[i], dirs[i] = p, p
		if !info.IsDir() {
			if !info.Mode().IsRegular() {
				return "", fmt.Errorf("cannot scan %s: not a regular file (to scan standard input, use `stowaway scan -`)", a)
			}
			dirs[i], files[i] = filepath.Dir(p), true
		}
		inside = inside && within(cwd, p)
	}
	root := cwd
	if !inside {
		root = dirs[0]
		for _, p := range abs {
			for !within(root, p) {
				root = filepath.Dir(root)
			}
		}
	}
	found := ""
	if configFile == "" {
		if found, err = governingConfig(args, dirs); err != nil {
			return "", err
		}
	} else if found, err = filepath.Abs(configFile); err != nil {
		return "", err
	}
	// The configuration's folder is the tree, so that the paths it names
	// mean the same whether it was found or named with --config. A named
	// one kept elsewhere (a folder that does not hold every path, or one
	// outside any repository) leaves the tree as it is, and its paths are
	// relative to that.
	if found != "" && (configFile == "" || holdsAll(filepath.Dir(found), abs) && inRepository(filepath.Dir(found))) {
		root = filepath.Dir(found)
	}
	rel := make([]string, len(abs))
	for i, p := range abs {
		r, _ := filepath.Rel(root, p)
		rel[i] = filepath.ToSlash(r)
	}
	dir, err := scan.OpenRoot(root)
	if err != nil {
		return "", err
	}
	defer dir.Close()
	fsys := dir.FS()
	if in != nil {
		fsys = scan.WithFile(fsys, rel[0], in.content)
	}
	// Only --verbose tells the build contexts.
	opts := scan.Options{Timeout: timeout, Config: &scan.Config{}, Switches: f.switches, OmitContexts: !f.verbose}
	if timeout == 0 {
		opts.Timeout = -1 // none
	}
	var src []byte
	switch {
	case configFile != "":
		if src, err = os.ReadFile(configFile); err != nil {
			err = fmt.Errorf("--config: %w", err)
		}
	case found != "":
		// Read through the tree, which never reads inside .git.
		src, err = fs.ReadFile(dir.FS(), filepath.Base(found))
		configFile = relTo(cwd, found)
	}
	if err != nil {
		return "", err
	}
	if configFile != "" {
		// Messages name the file from the current folder; the result,
		// relocated there at the end, names it from the root.
		if opts.Config, err = scan.ParseConfig(configFile, src); err != nil {
			return "", err
		}
		opts.Config.File = relTo(root, found)
		if err := opts.Config.CheckNames(fsys); err != nil {
			return "", err
		}
	}
	moved := &movedSink{Sink: sink, check: func(head *scan.Result) error { return namedScanned(head, args, rel, files) }}
	if root != cwd {
		moved.move = mover(cwd, root)
	}
	if slices.Contains(files, true) {
		// A file named is refused when it cannot be read, which is known
		// only once it was checked: nothing is written before.
		res, err := scan.Scan(ctx, fsys, rel, opts)
		if err != nil {
			return "", err
		}
		return configFile, res.Stream(moved)
	}
	// A folder named that cannot be read is known before the checks.
	return configFile, scan.Stream(ctx, fsys, rel, opts, moved)
}

// movedSink refuses a result that left out a path the user named, and
// moves its paths when the scanned tree is not the current folder.
type movedSink struct {
	scan.Sink
	check func(head *scan.Result) error
	move  func(string) string // nil: the paths stay
}

func (m *movedSink) Begin(head *scan.Result) error {
	if err := m.check(head); err != nil {
		return err
	}
	if m.move != nil {
		m.relocate(head)
	}
	return m.Sink.Begin(head)
}

func (m *movedSink) Finding(f scan.Finding) error {
	if m.move != nil {
		f.Relocate(m.move)
	}
	return m.Sink.Finding(f)
}

func (m *movedSink) End(rest *scan.Result) error {
	if m.move != nil {
		m.relocate(rest)
	}
	return m.Sink.End(rest)
}

// problemPathsOnly is a Sink that reads, of the paths of the head and the
// rest of a result, those of the problems alone.
type problemPathsOnly interface{ problemPathsOnly() }

// relocate moves the paths of head or rest: all of them, or those of the
// problems alone for a sink that reads no other, which spares moving every
// target and build context of a monorepo at the end of its scan.
func (m *movedSink) relocate(r *scan.Result) {
	if _, ok := m.Sink.(problemPathsOnly); !ok {
		r.Relocate(m.move)
		return
	}
	for i, p := range r.Problems {
		if p.Path != "" {
			r.Problems[i].Path = m.move(p.Path)
		}
	}
}

// stdin is what `stowaway scan -` reads; tests replace it.
var stdin io.Reader = os.Stdin

// stdinDockerfile is a Dockerfile read from standard input, scanned as if
// it were the file name.
type stdinDockerfile struct {
	name    string
	content []byte
}

// readStdin turns PATH - into --stdin-filename, its content read whole from
// stdin up to the size limit of a Dockerfile; in is nil without PATH -.
func readStdin(fs *flag.FlagSet, paths []string, name string) (_ []string, in *stdinDockerfile, err error) {
	if !slices.Contains(paths, "-") {
		named := false
		fs.Visit(func(f *flag.Flag) { named = named || f.Name == "stdin-filename" })
		if named {
			return nil, nil, errors.New("--stdin-filename names the Dockerfile read from standard input: give PATH -")
		}
		return paths, nil, nil
	}
	if len(paths) > 1 {
		return nil, nil, errors.New("PATH - (standard input) is scanned alone")
	}
	src, err := io.ReadAll(io.LimitReader(stdin, scan.MaxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading standard input: %w", err)
	}
	if len(src) > scan.MaxFileSize {
		return nil, nil, fmt.Errorf("standard input is larger than %d bytes, the limit of a Dockerfile; not scanned", scan.MaxFileSize)
	}
	return []string{name}, &stdinDockerfile{name: name, content: src}, nil
}

// place checks that abs, the file's absolute path, can stand for it: its
// folder exists, and it is not a folder itself.
func (in *stdinDockerfile) place(abs string) error {
	if info, err := os.Stat(abs); err == nil && info.IsDir() {
		return fmt.Errorf("--stdin-filename %s is a folder; name a file in it", in.name)
	}
	if info, err := os.Stat(filepath.Dir(abs)); err != nil || !info.IsDir() {
		return fmt.Errorf("--stdin-filename %s: its folder does not exist", in.name)
	}
	return nil
}

// namedScanned refuses a result that left out a path the user named: one
// that could not be read, or a file the configuration's allow.paths leaves
// out. rel are the paths in the result's terms; files tells which are files.
func namedScanned(res *scan.Result, args, rel []string, files []bool) error {
	for i, p := range rel {
		for _, pr := range res.Problems {
			if pr.Unread && pr.Path == p {
				return fmt.Errorf("cannot scan %s: %s", args[i], pr.Message)
			}
		}
		if _, found := slices.BinarySearch(res.Files, p); files[i] && !found {
			return fmt.Errorf("%s is not scanned: the configuration's allow.paths leaves it out", args[i])
		}
	}
	return nil
}

// governingConfig finds the configuration of each path's folder: one file
// governs a scan, so paths under different configurations are an error.
func governingConfig(args, dirs []string) (string, error) {
	var found string
	for i, d := range dirs {
		f, err := scan.FindConfig(d)
		if err != nil {
			return "", err
		}
		if i > 0 && f != found {
			return "", fmt.Errorf("%s and %s are governed by different configurations (%s, %s): scan them separately", args[0], args[i], orNone(found), orNone(f))
		}
		found = f
	}
	return found, nil
}

func orNone(s string) string { return orDefault(s, "none") }

// relTo is p, an absolute path, relative to dir, as a slash path.
func relTo(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

// mover returns the function that makes a slash path relative to root
// relative to cwd instead, as relTo(cwd, filepath.Join(root, p)) does. When
// root is neither cwd nor above it, that is relTo(cwd, root) + "/" + p for a
// clean path that stays under root, with no need to clean and compare the
// whole path again: a monorepo scan moves every target and finding path.
func mover(cwd, root string) func(string) string {
	slow := func(p string) string { return relTo(cwd, filepath.Join(root, filepath.FromSlash(p))) }
	prefix, err := filepath.Rel(cwd, root)
	if err != nil || !slices.ContainsFunc(strings.Split(filepath.ToSlash(prefix), "/"), func(s string) bool { return s != ".." && s != "." }) {
		return slow
	}
	prefix = filepath.ToSlash(prefix) + "/"
	return func(p string) string {
		if !underSlash(p) {
			return slow(p)
		}
		return prefix + p
	}
}

// underSlash reports a clean slash path that stays under the folder it is
// relative to, and means the same as an OS path.
func underSlash(p string) bool {
	// Clean and under: no empty (a leading, doubled or trailing slash),
	// "." or ".." segment.
	for start, i := 0, 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if seg := p[start:i]; seg == "" || seg == "." || seg == ".." {
				return false
			}
			start = i + 1
		}
	}
	return filepath.Separator == '/' || !strings.ContainsAny(p, `\:`)
}

// holdsAll reports whether every one of paths is dir or under it.
func holdsAll(dir string, paths []string) bool {
	return !slices.ContainsFunc(paths, func(p string) bool { return !within(dir, p) })
}

// inRepository reports whether dir or a folder above it holds .git, known
// by its name alone as scan.FindConfig knows it.
func inRepository(dir string) bool {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

func within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// isTerminal reports a terminal, which a character device such as
// /dev/null is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
