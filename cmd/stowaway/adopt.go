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
	"github.com/stowaway-dev/stowaway/scan"
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

// apply returns res without the findings of the baseline, which neither
// show in text, JSON and annotations nor fail the scan, and says on stderr
// how many there were.
func (a *adoptFlags) apply(res *scan.Result, format string, stderr io.Writer) *scan.Result {
	shown := withoutBaselined(res, a.known)
	if n := len(res.Findings) - len(shown.Findings); n > 0 {
		what := "not reported"
		if format == "sarif" {
			what = "marked unchanged"
		}
		msg := fmt.Sprintf("baseline %s: %d known %s %s (they do not fail the scan)", a.baseline, n, plural(n, "finding"), what)
		fmt.Fprintf(stderr, "stowaway: %s\n", actionlog.Line(msg))
	}
	return shown
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// withoutBaselined returns res without the findings whose fingerprint known
// holds; res itself when there are none.
func withoutBaselined(res *scan.Result, known map[string]bool) *scan.Result {
	if len(known) == 0 {
		return res
	}
	kept := make([]scan.Finding, 0, len(res.Findings))
	for _, f := range res.Findings {
		if !known[f.Fingerprint] {
			kept = append(kept, f)
		}
	}
	if len(kept) == len(res.Findings) {
		return res
	}
	out := *res
	out.Findings = kept
	return &out
}
