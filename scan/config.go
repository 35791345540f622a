package scan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/checks"
)

// ConfigFile is the configuration's name at the repository root.
const ConfigFile = ".stowaway.yml"

// ConfigNames are the names FindConfig looks for in each folder.
var ConfigNames = []string{ConfigFile, ".stowaway.yaml"}

// FindConfig finds the configuration that governs dir: the nearest
// .stowaway.yml or .stowaway.yaml in dir or a folder above it, stopping at
// the repository root (the folder holding .git) or the file system's root.
// It returns "" when there is none, and an error when a folder holds both
// names. Names are only looked up, never followed or read: .git is known
// by its name alone.
func FindConfig(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		var found []string
		for _, name := range ConfigNames {
			p := filepath.Join(dir, name)
			if _, err := os.Lstat(p); err == nil {
				found = append(found, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
		}
		if len(found) > 1 {
			return "", fmt.Errorf("%s and %s are both present: keep one", found[0], found[1])
		}
		if len(found) == 1 {
			return found[0], nil
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Config is the content of .stowaway.yml. Unknown keys, unknown rule IDs and
// malformed values are errors, so that a typo never silently disables a check.
//
//	rules:              # per rule: off, on, note, warning or error
//	  broad-copy: off
//	  secret-arg: error
//	secret-words: [passphrase2]
//	allow:
//	  values: ['^dummy-']    # regular expressions of values that are never secrets
//	  paths: ['test/**']     # files that are not scanned (.dockerignore syntax)
//	contexts:                # Dockerfile -> its build context folder(s)
//	  services/api/Dockerfile: [., services/api]
//	targets:                 # Dockerfile -> the stages that are built
//	  Dockerfile: [release]
type Config struct {
	Rules       map[string]string     `yaml:"rules"`
	SecretWords []string              `yaml:"secret-words"`
	Allow       AllowConfig           `yaml:"allow"`
	Contexts    map[string]stringList `yaml:"contexts"`
	Targets     map[string]stringList `yaml:"targets"`
	// File is the configuration file's slash path relative to the scanned
	// root (with ".." when it lies outside), which BuildContext.From names
	// for the contexts it sets. ParseConfig sets it to its name; a caller
	// that names the file otherwise in messages sets it after.
	File string `yaml:"-"`

	allowValues []*regexp.Regexp
	allowPaths  *patternmatcher.PatternMatcher
	// name and the lines of contexts and targets, for CheckNames.
	name                      string
	contextLines, targetLines map[string]entryLines
}

// AllowConfig lists what is never a finding.
type AllowConfig struct {
	Values []string `yaml:"values"`
	Paths  []string `yaml:"paths"`
}

// stringList reads a YAML string or a list of strings.
type stringList []string

func (l *stringList) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*l = []string{n.Value}
		return nil
	}
	var s []string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*l = s
	return nil
}

// ParseConfig reads and validates a configuration. name is used in errors.
func ParseConfig(name string, src []byte) (*Config, error) {
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	// An empty file is a valid, empty configuration.
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, &configError{name: name, err: err}
	}
	if err := c.validate(); err != nil {
		return nil, &configError{name: name, err: err}
	}
	c.name, c.File = name, name
	c.recordLines(src)
	return c, nil
}

// configError is an error in a configuration file. Its text quotes the
// file (a rule ID, a secret word, a regexp of allowed values, YAML's own
// errors quote values), which a pull request may fill with a token: the
// words that look like secrets are redacted.
type configError struct {
	name string
	err  error
}

func (e *configError) Error() string { return e.name + ": " + redactWords(e.err.Error()) }
func (e *configError) Unwrap() error { return e.err }

// LoadConfig reads the configuration at name in fsys; a missing file is an
// empty configuration.
func LoadConfig(fsys fs.FS, name string) (*Config, error) {
	src, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return ParseConfig(name, src)
}

// loadRootConfig reads the configuration at the root of fsys under either
// name, as FindConfig looks for it; none is an empty configuration, both
// an error.
func loadRootConfig(fsys fs.FS) (*Config, error) {
	var found []string
	for _, name := range ConfigNames {
		if _, err := fs.Stat(fsys, name); err == nil {
			found = append(found, name)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
	}
	switch len(found) {
	case 0:
		return &Config{}, nil
	case 1:
		return LoadConfig(fsys, found[0])
	}
	return nil, fmt.Errorf("%s and %s are both present: keep one", found[0], found[1])
}

// from is what BuildContext.From says of a context the configuration sets.
func (c *Config) from() string {
	if c.File == "" {
		return ConfigFile
	}
	return c.File
}

func (c *Config) validate() error {
	ids := make([]string, 0, len(c.Rules))
	for id := range c.Rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if why, ok := checks.Retired(id); ok {
			return fmt.Errorf("rules: %s; remove it from the configuration", why)
		}
		if checks.ByID(id) == nil {
			return fmt.Errorf("rules: unknown rule %q (see `stowaway rules`)", id)
		}
		switch v := strings.ToLower(c.Rules[id]); v {
		case "off", "on", "note", "warning", "error":
		default:
			return fmt.Errorf("rules: %s: unknown setting %q (want off, on, note, warning or error)", id, c.Rules[id])
		}
	}
	for i, w := range c.SecretWords {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || strings.ContainsAny(w, " \t_-") {
			return fmt.Errorf("secret-words: %q is not a single word", c.SecretWords[i])
		}
		c.SecretWords[i] = w
	}
	for _, v := range c.Allow.Values {
		re, err := regexp.Compile(v)
		if err != nil {
			return fmt.Errorf("allow.values: %w", err)
		}
		c.allowValues = append(c.allowValues, re)
	}
	if len(c.Allow.Paths) > 0 {
		m, err := patternmatcher.New(c.Allow.Paths)
		if err != nil {
			return fmt.Errorf("allow.paths: %w", err)
		}
		c.allowPaths = m
	}
	for _, section := range []struct {
		name string
		m    map[string]stringList
	}{{"contexts", c.Contexts}, {"targets", c.Targets}} {
		for k, vs := range section.m {
			if !relPath(k) {
				return fmt.Errorf("%s: %q must be a relative path inside the repository", section.name, k)
			}
			if len(vs) == 0 {
				return fmt.Errorf("%s: %s: empty list", section.name, k)
			}
			for _, v := range vs {
				if section.name == "contexts" && !relPath(v) {
					return fmt.Errorf("contexts: %s: %q must be a relative path inside the repository", k, v)
				}
			}
		}
	}
	return nil
}

func relPath(p string) bool {
	p = path.Clean(p)
	return p != "" && !path.IsAbs(p) && p != ".." && !strings.HasPrefix(p, "../")
}

// settings returns what rules read.
func (c *Config) settings() *checks.Settings {
	return &checks.Settings{SecretWords: c.SecretWords, AllowValues: c.allowValues}
}

// pathAllowed reports whether the file is left out of the scan.
func (c *Config) pathAllowed(p string) bool {
	if c.allowPaths == nil {
		return false
	}
	ok, err := c.allowPaths.MatchesOrParentMatches(p)
	return err == nil && ok
}

// rules returns the rules to run and the level overrides.
func (c *Config) rules(all []*checks.Rule) ([]*checks.Rule, map[string]checks.Level) {
	var out []*checks.Rule
	levels := map[string]checks.Level{}
	for _, r := range all {
		v := strings.ToLower(c.Rules[r.ID])
		if v == "off" {
			continue
		}
		if lv, err := checks.ParseLevel(v); err == nil {
			levels[r.ID] = lv
		}
		out = append(out, r)
	}
	return out, levels
}

// switched returns the configuration with rules turned on or off. A rule
// turned on keeps the level the configuration gives it, and runs at its
// default level when the configuration turned it off.
func (c *Config) switched(on map[string]bool) *Config {
	if len(on) == 0 {
		return c
	}
	out := *c
	out.Rules = maps.Clone(c.Rules)
	if out.Rules == nil {
		out.Rules = map[string]string{}
	}
	for id, enable := range on {
		switch {
		case !enable:
			out.Rules[id] = "off"
		case strings.EqualFold(out.Rules[id], "off"):
			out.Rules[id] = "on"
		}
	}
	return &out
}

// lookup finds a Dockerfile's entry in a path-keyed section.
func lookup(m map[string]stringList, p string) []string {
	for k, v := range m {
		if path.Clean(k) == p {
			return v
		}
	}
	return nil
}
