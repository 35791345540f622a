package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/internal/memlimit"
	"github.com/stowaway-dev/stowaway/report"
	"github.com/stowaway-dev/stowaway/sarif"
	"github.com/stowaway-dev/stowaway/scan"
)

type scanFlags struct {
	format, output, failOn, config string
	timeout                        time.Duration
}

func runScan(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var f scanFlags
	fs := flag.NewFlagSet("stowaway scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	fs.StringVar(&f.config, "config", "", "configuration `FILE` (default: .stowaway.yml in the scanned root, when present)")
	fs.DurationVar(&f.timeout, "timeout", scan.DefaultTimeout, "time limit of the scan; files it keeps from being fully analysed are errors (0: none)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: stowaway scan [flags] [PATH...]\n\nPATH is a Dockerfile, an ignore file or a folder to walk (default .).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, threshold, code, ok := f.parse(fs, args, stderr)
	if !ok {
		return code
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}

	defer memlimit.Set(getenv)()
	res, err := scanPaths(ctx, paths, f.config, f.timeout)
	if err != nil {
		fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(err.Error()))
		return exitError
	}

	if !writeReport(res, f, getenv, stdout, stderr) {
		return exitError
	}
	if failing(res, threshold) {
		return exitFindings
	}
	return exitOK
}

// register adds the report flags that scan and image share.
func (f *scanFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "text", "output format: text, json, sarif or github")
	fs.StringVar(&f.output, "output", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&f.failOn, "fail-on", "error", "exit 1 when a finding is at or above this level: error, warning, note or never")
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
	switch f.format {
	case "text", "json", "sarif", "github":
	default:
		fmt.Fprintf(stderr, "stowaway: unknown format %q (want text, json, sarif or github)\n", f.format)
		return nil, 0, exitError, false
	}
	return operands, threshold, exitOK, true
}

// writeReport writes the result in the chosen format to --output or standard
// output, and the problems to standard error when the report does not
// show them; false when it could not be written.
func writeReport(res *scan.Result, f scanFlags, getenv func(string) string, stdout, stderr io.Writer) bool {
	// The report goes out as it is written: a monorepo's report is
	// megabytes, and holding it whole doubled the memory of the scan.
	if f.output != "" {
		if err := writeFile(f.output, f.format, res); err != nil {
			fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(err.Error()))
			return false
		}
		if f.format != "text" {
			// The file holds the report; people still see what was found.
			report.Text(stderr, res, report.TextOptions{})
		}
	} else {
		out := bufio.NewWriter(stdout)
		// Standard output may be a workflow's log: a "##[" in a JSON
		// string would be read as a command there.
		var w io.Writer = out
		if f.format == "json" || f.format == "sarif" {
			w = actionlog.JSON(out)
		}
		err := write(w, f.format, res, isTerminal(stdout) && getenv("NO_COLOR") == "")
		if err == nil {
			err = out.Flush()
		}
		if err != nil {
			fmt.Fprintf(stderr, "stowaway: writing the report: %s\n", actionlog.Line(err.Error()))
			return false
		}
	}
	if f.format != "text" && f.output == "" {
		for _, p := range res.Problems {
			fmt.Fprintf(stderr, "stowaway: %s: %s\n", p.Level, actionlog.Line(p.Message))
		}
	}
	return true
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

// writeFile writes the report to the file name.
func writeFile(name, format string, res *scan.Result) error {
	file, err := os.Create(name)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(file)
	if err := write(out, format, res, false); err != nil {
		file.Close()
		return fmt.Errorf("writing the report: %w", err)
	}
	if err := out.Flush(); err != nil {
		file.Close()
		return fmt.Errorf("writing the report: %w", err)
	}
	return file.Close()
}

func write(w io.Writer, format string, res *scan.Result, color bool) error {
	switch format {
	case "json":
		return report.JSON(w, res)
	case "sarif":
		return sarif.Write(w, res, sarif.Options{Version: versionString()})
	case "github":
		return report.GitHub(w, res)
	}
	return report.Text(w, res, report.TextOptions{Color: color})
}

// scanPaths scans the command-line paths. The scanned tree is the current
// folder when it holds every path (so that .stowaway.yml and the build
// contexts of the repository are found), else the folder that holds the
// paths; results are relative to the current folder either way, and no
// symlink leads out of the tree.
func scanPaths(ctx context.Context, args []string, configFile string, timeout time.Duration) (*scan.Result, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	abs := make([]string, len(args))
	inside := true
	var seed string // the first path's folder, where the common ancestor search starts
	for i, a := range args {
		p, err := filepath.Abs(a)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a, errors.Unwrap(err))
		}
		abs[i] = p
		inside = inside && within(cwd, p)
		if i == 0 {
			seed = p
			if !info.IsDir() {
				seed = filepath.Dir(p)
			}
		}
	}
	root := cwd
	if !inside {
		root = seed
		for _, p := range abs {
			for !within(root, p) {
				root = filepath.Dir(root)
			}
		}
	}
	rel := make([]string, len(abs))
	for i, p := range abs {
		r, _ := filepath.Rel(root, p)
		rel[i] = filepath.ToSlash(r)
	}
	dir, err := scan.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	opts := scan.Options{Timeout: timeout}
	if timeout == 0 {
		opts.Timeout = -1 // none
	}
	if configFile != "" {
		src, err := os.ReadFile(configFile)
		if err != nil {
			return nil, err
		}
		if opts.Config, err = scan.ParseConfig(configFile, src); err != nil {
			return nil, err
		}
	}
	res, err := scan.Scan(ctx, dir.FS(), rel, opts)
	if err != nil {
		return nil, err
	}
	if root != cwd {
		prefix, _ := filepath.Rel(cwd, root)
		res.Rebase(filepath.ToSlash(prefix))
	}
	return res, nil
}

func within(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
