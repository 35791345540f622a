package checks

// ConfigWeakened reports a pull request's change to .stowaway.yml that lets
// more through than the configuration it replaces: on pull requests the
// base branch's configuration governs the scan, so such a change cannot hide
// a finding of its own run, but it would once merged. Rules see one
// Dockerfile or ignore file at a time and never the configuration, so the
// comparison is scan.CompareConfig's, and this rule's Check has nothing to
// look at.
var ConfigWeakened = &Rule{
	ID: "config-weakened", Name: "ConfigWeakened", Level: Error, Precision: "high",
	SecuritySeverity: "6.0",
	Tags:             []string{"security", "configuration"},
	Summary:          "Pull request weakens the Stowaway configuration",
	Help:             mustDoc("config-weakened"),
	Check:            checkConfigWeakened,
}

// checkConfigWeakened reports nothing: see ConfigWeakened.
func checkConfigWeakened(*Pass) {}
