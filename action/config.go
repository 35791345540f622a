package action

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
	a.configFile = a.in.config
	if a.pr == nil {
		if a.configFile == "" {
			name, err := configName(func(name string) (bool, error) {
				_, err := fs.Stat(a.tree.FS(), name)
				if errors.Is(err, fs.ErrNotExist) {
					return false, nil
				}
				return err == nil, err
			}, "")
			if err != nil || name == "" {
				a.configFile = scan.ConfigFile
				return err
			}
			a.configFile = name
		}
		src, err := fs.ReadFile(a.tree.FS(), a.configFile)
		if err != nil && a.in.config != "" {
			return fmt.Errorf("input config: %w", err)
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", a.configFile, err)
		}
		a.opts.Config, err = scan.ParseConfig(a.configFile, src)
		return err
	}
	a.opts.Config = &scan.Config{}
	src, found, err := a.baseConfig(ctx)
	if a.configFile == "" {
		// The base commit has none (or it could not be read): the pull
		// request's own file is compared with the defaults.
		a.configFile = scan.ConfigFile
		if _, err := fs.Stat(a.tree.FS(), scan.ConfigNames[1]); err == nil {
			a.configFile = scan.ConfigNames[1]
		}
	}
	var both errBothConfigs
	switch {
	case errors.As(err, &both):
		return err
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

// errBothConfigs is a folder holding the configuration under both names,
// which `stowaway scan` refuses too: which one governs would be a guess.
type errBothConfigs struct{ first, second, where string }

func (e errBothConfigs) Error() string {
	return fmt.Sprintf("%s and %s are both present%s: keep one", e.first, e.second, e.where)
}

// configName returns the first of scan.ConfigNames that exists, "" when
// none does, and an error when more than one does.
func configName(exists func(name string) (bool, error), where string) (string, error) {
	var found []string
	for _, name := range scan.ConfigNames {
		ok, err := exists(name)
		if err != nil {
			return "", err
		}
		if ok {
			found = append(found, name)
		}
	}
	if len(found) > 1 {
		return "", errBothConfigs{found[0], found[1], where}
	}
	if len(found) == 0 {
		return "", nil
	}
	return found[0], nil
}

// baseConfig reads the configuration file of the pull request's base
// commit, under whichever of its names it has, or the configuration input;
// found is false when it has none. It sets a.configFile to the name read.
func (a *actionRun) baseConfig(ctx context.Context) (src []byte, found bool, err error) {
	if a.configFile != "" {
		return a.baseFile(ctx, a.configFile)
	}
	if err := a.baseReadable(); err != nil {
		return nil, false, err
	}
	contents := map[string][]byte{}
	name, err := configName(func(name string) (bool, error) {
		src, found, err := a.client.FileAt(ctx, name, a.pr.BaseSHA)
		contents[name] = src
		return found, err
	}, " at the base commit")
	if err != nil || name == "" {
		return nil, false, err
	}
	a.configFile = name
	return contents[name], true, nil
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
