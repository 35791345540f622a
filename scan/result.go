package scan

import (
	"path"
	"slices"

	"github.com/stowaway-dev/stowaway/checks"
)

// Result is the outcome of a scan. Findings are sorted by path, line, column
// and rule; suppressed findings are kept (Finding.Suppressed set) so that
// outputs can show them.
type Result struct {
	Findings []Finding
	Problems []Problem
	Files    []string       // the targets scanned, slash paths, sorted
	Rules    []*checks.Rule // the rules that ran, in documentation order
	// Contexts lists, for every Dockerfile scanned, its build contexts.
	Contexts []BuildContext
	// BuildFiles are the Compose and workflow files read for the builds
	// they name (build contexts, build arguments), slash paths, sorted.
	// They are not in Files, though build-arg-secret findings sit on them.
	BuildFiles []string
}

// Finding is a rule's finding after the engine: redacted, fingerprinted,
// with the level the configuration gives it and its regions resolved. It
// holds what the outputs read; the rule's raw report (checks.Finding, with
// its secret, span and key) stops at the engine.
type Finding struct {
	RuleID string
	Level  checks.Level // the configured level; zero only in a Result built by hand
	Path   string       // slash path relative to the scan root
	// Region is the rule's span with the whole-line form resolved and
	// columns counted in UTF-16 code units (SARIF's default), 1-based,
	// EndColumn exclusive.
	Region     Region
	Message    string // redacted, sentence case, no trailing period
	Evidence   string // the redacted form of the value found; "" when none
	Fix        string
	Suggestion *checks.Suggestion // redacted; set only where the fix is mechanical
	Related    []Related
	// Fingerprint is a stable hash of the rule, the path and the finding's
	// redacted instruction text: it survives line shifts.
	Fingerprint string
	Suppressed  *checks.Suppression // set when a pragma or the config silenced it
	// Rule is the rule that reported it.
	Rule *checks.Rule
	// Snippet is the line Region starts on, redacted, that the text report
	// quotes; SnippetLine is its number, 0 when the finding quotes none.
	Snippet     string
	SnippetLine int
}

// Related is another location that explains a finding: the ARG a RUN
// expands, the ignore file that lets a secret through.
type Related struct {
	Path    string // slash path relative to the scan root
	Message string // redacted
	// Region is resolved like Finding.Region; lines alone when the file
	// could not be read or the finding was made outside the engine, zero
	// for a file as a whole.
	Region Region
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
	// Incomplete marks a file that a work budget or the scan's time limit
	// kept from being fully analysed: an error that --fail-on counts.
	Incomplete bool
	// Unread marks a file or folder that could not be read at all (missing,
	// unreadable, too large, binary), so that a path named on the command
	// line can be refused.
	Unread bool
}

// BuildContext ties a Dockerfile to the folder it is built from and the
// ignore file that governs that folder.
type BuildContext struct {
	Dockerfile string // slash path of the Dockerfile
	Dir        string // slash path of the context folder ("." for the root)
	Ignore     string // slash path of the effective ignore file, "" when none
	// From says where the mapping comes from: "default" (the Dockerfile's
	// folder), or the path of the configuration file (Config.File), or of
	// the Compose or workflow file that builds it.
	From string
	// Complete is false when a bound stopped the walk of the context (a
	// Problem says which): Secrets may miss files.
	Complete bool
	// Secrets are the secret-looking files of the context that BuildKit
	// would send through the ignore file, sorted by path. Every Dockerfile
	// built from the same folder with the same ignore file shares this
	// slice: do not modify it.
	Secrets []ContextSecret
	// Shipments say which of Secrets this Dockerfile's shipped stages copy
	// into a built image, and with which COPY or ADD (see ShippedBy).
	Shipments []ContextShipment
}

// Rebase puts prefix in front of every path of the result, for a scan whose
// root is not the folder the paths should be relative to.
func (r *Result) Rebase(prefix string) {
	if prefix == "" || prefix == "." {
		return
	}
	r.Relocate(func(p string) string { return path.Join(prefix, p) })
}

// Relocate replaces every non-empty path of the result with move(path).
func (r *Result) Relocate(move func(string) string) {
	join := func(p string) string {
		if p == "" {
			return p
		}
		return move(p)
	}
	for i := range r.Findings {
		r.Findings[i].Relocate(move)
	}
	for i := range r.Problems {
		r.Problems[i].Path = join(r.Problems[i].Path)
	}
	for i := range r.Files {
		r.Files[i] = join(r.Files[i])
	}
	for i := range r.BuildFiles {
		r.BuildFiles[i] = join(r.BuildFiles[i])
	}
	rebased := map[*ContextSecret]bool{}
	for i := range r.Contexts {
		c := &r.Contexts[i]
		c.Dockerfile, c.Dir, c.Ignore = join(c.Dockerfile), join(c.Dir), join(c.Ignore)
		if c.From != "default" {
			c.From = join(c.From)
		}
		// Contexts share their Secrets: each slice is rebased once.
		if len(c.Secrets) > 0 && !rebased[&c.Secrets[0]] {
			rebased[&c.Secrets[0]] = true
			for j := range c.Secrets {
				c.Secrets[j].Path = join(c.Secrets[j].Path)
			}
		}
	}
}

// Relocate replaces every non-empty path of the finding with move(path).
// The finding's Related is its own after: a copy, when it has one.
func (f *Finding) Relocate(move func(string) string) {
	if f.Path != "" {
		f.Path = move(f.Path)
	}
	if len(f.Related) == 0 {
		return
	}
	f.Related = slices.Clone(f.Related)
	for j := range f.Related {
		if p := f.Related[j].Path; p != "" {
			f.Related[j].Path = move(p)
		}
	}
}

// LevelOrDefault returns the finding's level. The engine always sets it; in
// a Result built by hand it may be zero, and then the rule's default counts.
func (f Finding) LevelOrDefault(rules []*checks.Rule) checks.Level {
	if f.Level != 0 {
		return f.Level
	}
	if f.Rule != nil {
		return f.Rule.Level
	}
	for _, r := range rules {
		if r.ID == f.RuleID {
			return r.Level
		}
	}
	return checks.Warning
}
