// Command stowaway finds secrets that a Docker build would bake into an
// image, before the image exists.
//
//	stowaway scan [--format text|json|sarif|github|checkstyle|gitlab] [--output FILE]
//	              [--fail-on error|warning|note|never] [--color always|never|auto] [--no-color]
//	              [--config FILE] [--enable RULE,…] [--disable RULE,…] [--baseline FILE]
//	              [--stdin-filename NAME] [--verbose|-v] [PATH...|-]
//	stowaway baseline [--output FILE] [--config FILE] [--enable …] [--disable …] [--verbose] [PATH...]
//	stowaway image [--format …] [--output FILE] [--fail-on …] [--color …] [--no-color]
//	               [--enable …] [--disable …] [--dockerfile FILE] [--platform os/arch] IMAGE...
//	stowaway rules [--format text|json] [ID]
//	stowaway action          (the GitHub Action's entry point)
//	stowaway version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
)

// Exit codes.
const (
	exitOK       = 0 // nothing at or above --fail-on
	exitFindings = 1 // findings at or above --fail-on
	exitError    = 2 // usage or internal error
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"); a plain
// build reports the module version Go recorded.
var version = ""

func main() {
	paceCollector(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Stowaway finds secrets that a Docker build would bake into an image.

Usage:
  stowaway scan [flags] [PATH...]   scan Dockerfiles and .dockerignore files (default PATH: .)
  stowaway baseline [PATH...]       write the findings a scan has now as JSON, for scan --baseline
  stowaway image [flags] IMAGE...   check built images: docker save or OCI layout tarballs, OCI layout folders
  stowaway rules [ID]               list the rules, or print one rule's documentation (--format json)
  stowaway action                   run as the GitHub Action (reads INPUT_* and GITHUB_* variables)
  stowaway version                  print the version

Run 'stowaway scan -h' or 'stowaway image -h' for their flags.
`

// run is the command with what it takes from its process passed in: main
// passes the process's, tests their own.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError
	}
	switch args[0] {
	case "scan":
		return runScan(ctx, args[1:], getenv, stdout, stderr)
	case "baseline":
		return runBaseline(ctx, args[1:], getenv, stdout, stderr)
	case "image":
		return runImage(ctx, args[1:], getenv, stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "action":
		return runAction(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "stowaway", versionString())
		return exitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "stowaway: unknown command %q\n\n%s", args[0], usage)
	return exitError
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
