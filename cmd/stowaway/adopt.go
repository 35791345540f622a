package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/stowaway-dev/stowaway/actionlog"
	"github.com/stowaway-dev/stowaway/baseline"
	"github.com/stowaway-dev/stowaway/report"
)

// runBaseline writes the JSON report of a scan, which `scan --baseline`
// reads back. It fails only when the scan cannot run: its findings are
// what it records.
func runBaseline(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	f := scanFlags{format: "json"}
	fs := flag.NewFlagSet("stowaway baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.output, "output", "", "write the baseline to `FILE` instead of standard output")
	f.registerTree(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: stowaway baseline [flags] [PATH...] > .stowaway-baseline.json\n\nWrites the JSON report of a scan of PATH (default .), for `stowaway scan --baseline`.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	paths, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitError
	}
	if scanTree(ctx, paths, nil, f, getenv, stdout, stderr) == nil {
		return exitError
	}
	return exitOK
}

// adoptFlags are the scan flags that let a repository with findings adopt
// Stowaway: a baseline of the findings it already has.
type adoptFlags struct {
	baseline string
	known    map[string]bool // the baseline's fingerprints; nil without one
}

func (a *adoptFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.baseline, "baseline", "", "JSON report or SARIF log `FILE` of an earlier run (`stowaway baseline`): its findings are not reported and do not fail the scan; SARIF marks them unchanged")
}

// load reads the baseline file, when one is named.
func (a *adoptFlags) load() error {
	if a.baseline == "" {
		return nil
	}
	src, err := os.ReadFile(a.baseline)
	if err != nil {
		return fmt.Errorf("--baseline: %w", err)
	}
	if a.known, err = baseline.Read(src); err != nil {
		return fmt.Errorf("--baseline %s: %w", a.baseline, err)
	}
	return nil
}

// tell says on stderr how many findings of the baseline the scan met,
// which neither show in text, JSON and annotations nor fail the scan.
func (a *adoptFlags) tell(n int, format string, stderr io.Writer) {
	if n == 0 {
		return
	}
	what := "not reported"
	if format == "sarif" {
		what = "marked unchanged"
	}
	msg := fmt.Sprintf("baseline %s: %s %s (they do not fail the scan)", a.baseline, report.Plural(n, "known finding"), what)
	fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(msg))
}
