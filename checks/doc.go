// Package checks holds Stowaway's rules and the model they read: a parsed
// Dockerfile with its stages, and the ignore file of its build context.
//
// A rule is a documented value (see Rule). It never reads files, the network
// or the environment: the scan engine hands it a Pass and it reports Findings.
// A rule reports the raw secret it found in Finding.Secret; the engine masks
// it before any message, snippet or fingerprint is built.
package checks
