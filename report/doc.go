// Package report writes a scan's Result for people and for machines other
// than SARIF consumers: Text for a terminal, JSON in the stable schema that
// docs/json-schema.md documents, GitHub for workflow commands that
// annotate a run, Checkstyle for reviewdog and CI tools that read
// Checkstyle XML, and GitLab for GitLab's Code Quality reports.
//
// Findings arrive redacted from the engine; these writers show only
// Message, Evidence, Fix and paths, never Finding.Secret, and they replace
// control characters so that a crafted file name cannot drive the terminal
// or forge a workflow command.
package report
