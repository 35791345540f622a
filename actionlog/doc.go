// Package actionlog makes text from data (file names, Dockerfile text,
// messages, what the GitHub API answered) safe to print where the GitHub
// Actions runner reads it: standard output and standard error of a step.
//
// The runner reads two kinds of workflow command in every line it logs:
// "::name props::data" when the line, after leading white space, starts
// with "::", and the legacy "##[name props]data" anywhere in the line. A
// file name holding a line break, or a line that starts with "::" or holds
// "##[", could otherwise add an annotation, mask text (::add-mask::), or
// switch command processing off for the rest of the step
// (::stop-commands::). Data and Property escape the parts of a command that
// Stowaway writes; Line escapes text printed in a plain log line; JSON
// escapes a JSON document printed to the log.
package actionlog
