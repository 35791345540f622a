// Package scan is Stowaway's engine: over an fs.FS it discovers Dockerfiles
// and ignore files, parses them, finds each Dockerfile's build context and
// ignore file, runs the rules on all cores, applies the configuration and the
// pragmas, redacts every secret, fingerprints the findings and hands them
// to a Sink in order as they are known (Stream), or collects them (Scan).
package scan
