package scan

import "github.com/stowaway-dev/stowaway/checks"

// Result is the outcome of a scan. Findings are sorted by path, line, column
// and rule; suppressed findings are kept (Finding.Suppressed set) so that
// outputs can show them.
type Result struct {
	Findings []Finding
	Problems []Problem
	Files    []string       // the targets scanned, slash paths, sorted
	Rules    []*checks.Rule // the rules that ran, in documentation order
}

// Finding is a rule's finding after the engine: redacted, fingerprinted,
// with the level the configuration gives it and its region for outputs.
type Finding struct {
	checks.Finding
	// Region is Span with the whole-line form resolved and columns counted
	// in UTF-16 code units (SARIF's default), 1-based, EndColumn exclusive.
	Region Region
	// Rule is the rule that reported it.
	Rule *checks.Rule
}

// Region is a resolved range in a file.
type Region struct {
	StartLine, StartColumn int
	EndLine, EndColumn     int
}

// Problem is something that kept part of the scan from happening: an
// unreadable, binary or oversized file, a symlink out of the tree, a bound
// hit. It is not a finding; SARIF carries it as a tool execution
// notification.
type Problem struct {
	Path    string // slash path, "" when not about one file
	Level   checks.Level
	Message string
}
