// Package report writes a scan's results for people and for machines other
// than SARIF consumers, each format a Writer that a scan streams to (and a
// function over it for a whole Result): Text for a terminal, JSON in the stable schema that
// docs/json-schema.md documents, GitHub for workflow commands that
// annotate a run, Checkstyle for reviewdog and CI tools that read
// Checkstyle XML, and GitLab for GitLab's Code Quality reports.
//
// Findings arrive redacted from the engine (a scan.Finding holds no raw
// value: the rule's secret, span and key stop at the engine); these writers
// replace control characters so that a crafted file name cannot drive the
// terminal or forge a workflow command.
package report
