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
	cfg, err := a.baseConfig(ctx)
	if err != nil {
		a.apiFailure(fmt.Sprintf("Stowaway could not read the base commit's %s (%v): it scans with the default configuration, not the pull request's.", a.configFile, err))
		cfg = &scan.Config{}
	} else {
		a.baseKnown = true
	}
	a.opts.Config = cfg
	return nil
}

// baseConfig reads the configuration of the pull request's base commit; a
// missing file is the default configuration.
func (a *actionRun) baseConfig(ctx context.Context) (*scan.Config, error) {
	switch {
	case a.client == nil:
		return nil, errors.New("input github-token is empty")
	case a.pr.BaseSHA == "":
		return nil, errors.New("the event names no base commit")
	}
	src, found, err := a.client.FileAt(ctx, a.configFile, a.pr.BaseSHA)
	if err != nil {
		return nil, err
	}
	if !found {
		return &scan.Config{}, nil
	}
	return scan.ParseConfig(a.configFile+" at the base commit", src)
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
	a.res.AddFindings(scan.CompareConfig(a.opts.Config, a.configFile, src))
}
