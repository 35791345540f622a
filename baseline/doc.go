// Package baseline reads a baseline: the JSON report or SARIF log of an
// earlier run, whose findings' fingerprints a later run leaves out of what
// it reports (`stowaway scan --baseline`, the Action's baseline input). It
// sits above the writers whose output it reads, so that both the command
// and the Action read a baseline the same way.
package baseline
