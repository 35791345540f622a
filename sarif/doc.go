// Package sarif writes a scan's results as a SARIF 2.1.0 log for GitHub code
// scanning and other SARIF consumers: a Writer that a scan streams to, or
// Write for a whole Result.
//
// The log holds one run whose driver lists every rule that ran, so that a
// consumer can show a rule's documentation even for a run without findings.
// Every file Write produces passes Microsoft's SARIF Multitool with the
// SARIF and GitHub rule sets (scripts/validate-sarif) without an error or a
// warning; the golden files under testdata are checked that way in CI.
package sarif
