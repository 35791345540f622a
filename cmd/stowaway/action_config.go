package main

// On a pull request the checked-out tree is the pull request's, and so is
// its .stowaway.yml: a pull request that adds a token could also allow it.
// So the configuration that governs a pull request's run is the base
// commit's, read through the contents API (a token with `contents: read`,
// fork pull requests included, may read it), and the pull request's own
// file is compared with it: a change that lets more through is a
// config-weakened finding on the line that makes it. When the base
// configuration cannot be read, the run uses the defaults, which allow
// nothing and turn no rule off, rather than the pull request's file. On
// other events the workspace's configuration governs, as for `stowaway scan`.

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/stowaway-dev/stowaway/scan"
)

// configure decides the configuration that governs the scan.
func (a *actionRun) configure(ctx context.Context) error {
	a.configFile = orDefault(a.in.config, scan.ConfigFile)
	if a.pr == nil {
		if a.in.config == "" {
			return nil // scan.Scan reads .stowaway.yml when it exists
		}
		src, err := fs.ReadFile(a.tree.FS(), a.in.config)
		if err != nil {
			return fmt.Errorf("input config: %w", err)
		}
		a.opts.Config, err = scan.ParseConfig(a.in.config, src)
		return err
	}
	a.opts.Config = &scan.Config{}
	src, found, err := a.baseConfig(ctx)
	switch {
	case err != nil:
		a.apiFailure(fmt.Sprintf("Stowaway could not read the base commit's %s (%v): it scans with the default configuration, not the pull request's.", a.configFile, err))
	case found:
		cfg, err := scan.ParseConfig(a.configFile+" at the base commit", src)
		if err != nil {
			a.failure(fmt.Sprintf("The base commit's configuration does not parse (%v): Stowaway scans with the default configuration, not the pull request's.", err))
			return nil
		}
		a.opts.Config, a.baseKnown = cfg, true
	default:
		a.baseKnown = true
	}
	return nil
}

// baseConfig reads the configuration file of the pull request's base
// commit; found is false when it has none.
func (a *actionRun) baseConfig(ctx context.Context) (src []byte, found bool, err error) {
	switch {
	case a.client == nil:
		return nil, false, errNoToken
	case a.pr.BaseSHA == "":
		return nil, false, errors.New("the event names no base commit")
	}
	return a.client.FileAt(ctx, a.configFile, a.pr.BaseSHA)
}

// checkConfig compares the pull request's configuration file with the one
// that governed the run and adds what weakens it to the results. Without
// the base configuration only a file that does not parse is reported: the
// defaults would make every allowance of the repository look new.
func (a *actionRun) checkConfig() {
	if a.pr == nil {
		return
	}
	src, err := fs.ReadFile(a.tree.FS(), a.configFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		a.configDeleted()
		return
	case err != nil:
		a.failure(fmt.Sprintf("Stowaway could not read the pull request's %s: %v.", a.configFile, err))
		return
	}
	if !a.baseKnown {
		if _, err := scan.ParseConfig(a.configFile, src); err == nil {
			return
		}
	}
	a.res.AddFindings(scan.CompareConfig(a.opts.Config, a.configFile, src, a.tree.FS()))
}

// configDeleted says what a pull request that deletes the configuration
// weakens (what it raised, the words it added): a note, since no line of a
// deleted file can carry a finding.
func (a *actionRun) configDeleted() {
	if !a.baseKnown {
		return
	}
	var what []string
	for _, f := range scan.CompareConfig(a.opts.Config, a.configFile, nil, a.tree.FS()) {
		what = append(what, f.Message)
	}
	if len(what) > 0 {
		a.failure(fmt.Sprintf("The pull request deletes %s, which weakens the configuration once merged: %s.", a.configFile, strings.Join(what, "; ")))
	}
}
