package checks

import "regexp"

// Pass is what a rule gets for one target. A Dockerfile target has Dockerfile
// set and Ignore is the effective ignore file of its build context (nil when
// the context has none). An ignore-file target has Dockerfile nil and Ignore
// set to the file itself.
type Pass struct {
	Rule       *Rule
	Dockerfile *Dockerfile
	Ignore     *IgnoreFile
	Settings   *Settings
	// Context is, for a Dockerfile target, the build context this pass
	// checks it against (a Dockerfile with several contexts gets a pass for
	// each); nil when the engine did not walk one.
	Context *BuildContext
	// Contexts are, for an ignore-file target, the build contexts that the
	// file governs for the Dockerfiles the engine knows; empty when none.
	Contexts []*BuildContext
	// Builds are, for a Dockerfile target, the builds of it that workflows
	// and Compose files run with build arguments.
	Builds []*CIBuild
	// State is what the rules share across the targets of one scan; nil
	// keeps nothing between calls (NewPass leaves it so).
	State  *State
	report func(Finding)
}

// Settings are the parts of the configuration that rules read.
type Settings struct {
	// SecretWords are extra lower-case words that make a name secret-looking.
	SecretWords []string
	// AllowValues are values that are never secrets, whatever their name.
	AllowValues []*regexp.Regexp
}

// NewPass returns a pass that hands every finding to report.
func NewPass(r *Rule, df *Dockerfile, ignore *IgnoreFile, s *Settings, report func(Finding)) *Pass {
	if s == nil {
		s = &Settings{}
	}
	return &Pass{Rule: r, Dockerfile: df, Ignore: ignore, Settings: s, report: report}
}

// Report records a finding. RuleID and Path default to the rule's and the
// target's.
func (p *Pass) Report(f Finding) {
	if f.RuleID == "" {
		f.RuleID = p.Rule.ID
	}
	if f.Path == "" {
		if p.Dockerfile != nil {
			f.Path = p.Dockerfile.Path
		} else if p.Ignore != nil {
			f.Path = p.Ignore.Path
		}
	}
	p.report(f)
}

// Allowed reports whether the configuration allows value as a non-secret.
func (s *Settings) Allowed(value string) bool {
	if s == nil {
		return false
	}
	for _, re := range s.AllowValues {
		if re.MatchString(value) {
			return true
		}
	}
	return false
}
