package scan

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/checks"
)

// contextSource is a build context folder of a Dockerfile and where the
// mapping was found.
type contextSource struct {
	Dir  string // slash path of the context folder
	From string // "default", the configuration file, or the Compose or workflow file
}

// contextMap maps a Dockerfile's slash path to its build contexts.
type contextMap map[string][]contextSource

func (m contextMap) add(dockerfile, dir, from string) {
	dockerfile, dir = path.Clean(dockerfile), path.Clean(dir)
	for _, c := range m[dockerfile] {
		if c.Dir == dir {
			return
		}
	}
	m[dockerfile] = append(m[dockerfile], contextSource{Dir: dir, From: from})
}

// composeName matches the file names Compose reads by default, and their
// override and per-environment variants.
var composeName = regexp.MustCompile(`^(docker-)?compose([.-][^/]*)?\.ya?ml$`)

// composeFiles finds Compose files where they are kept: at the root, one
// folder down (deploy/, docker/) and in every folder above a Dockerfile.
// A Compose file elsewhere is not read; its Dockerfiles keep their default
// contexts.
func composeFiles(dc *dirCache, dockerfiles []string) []string {
	dirs := make(map[string]bool, len(dockerfiles)+1) // about a folder each
	dirs["."] = true
	if l, _, err := dc.list("."); err == nil {
		for i := range l.len() {
			if l.modes[i].IsDir() && !skipDirs[l.name(i)] {
				dirs[l.name(i)] = true
			}
		}
	}
	for _, p := range dockerfiles {
		// A folder in the set has its parents in it: the climb stops at
		// the first one there.
		for d := path.Dir(p); !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var out []string
	for d := range dirs {
		l, _, err := dc.list(d)
		if err != nil || !l.compose {
			continue
		}
		for i := range l.len() {
			// The regexp only for a name that can match.
			name := l.name(i)
			if !l.modes[i].IsRegular() {
				continue
			}
			if composePrefix(name) && composeName.MatchString(strings.ToLower(name)) {
				out = append(out, path.Join(d, name))
			}
		}
	}
	sort.Strings(out)
	return out
}

// composeService is the part of a Compose service that names a build.
type composeService struct {
	Build yaml.Node `yaml:"build"`
}

type composeBuild struct {
	Context          string    `yaml:"context"`
	Dockerfile       string    `yaml:"dockerfile"`
	DockerfileInline string    `yaml:"dockerfile_inline"`
	Target           string    `yaml:"target"`
	Args             yaml.Node `yaml:"args"`
}

// readCompose adds the build contexts that a Compose file names: `build:
// path`, or `build.context` with `build.dockerfile` (relative to the
// context), both relative to the Compose file's folder. Remote contexts
// and inline Dockerfiles name no file of the repository. The build
// arguments a service writes are added to args.
func readCompose(fsys fs.FS, file string, m contextMap, args ciBuilds) []Problem {
	var doc struct {
		Services map[string]composeService `yaml:"services"`
	}
	src, probs := readYAML(fsys, file, "a Compose file", &doc)
	if probs != nil {
		return probs
	}
	lines := checks.SplitLines(src)
	names := slices.Sorted(maps.Keys(doc.Services))
	var problems []Problem
	for _, name := range names {
		b := composeBuild{Dockerfile: "Dockerfile"}
		switch n := doc.Services[name].Build; n.Kind {
		case 0:
			continue
		case yaml.ScalarNode:
			b.Context = n.Value
		case yaml.MappingNode:
			if err := n.Decode(&b); err != nil {
				continue
			}
			if b.Dockerfile == "" {
				b.Dockerfile = "Dockerfile"
			}
		default:
			continue
		}
		if b.DockerfileInline != "" {
			continue
		}
		if b.Context == "" {
			b.Context = "."
		}
		dir, ok1, why1 := composeValue(b.Context)
		df, ok2, why2 := composeValue(b.Dockerfile)
		if !ok1 || !ok2 {
			if why1 == "" {
				why1 = why2
			}
			problems = append(problems, Problem{Path: file, Level: checks.Note,
				Message: redactWords(fmt.Sprintf("%s: service %q: %s cannot be resolved without the environment; its build context is not used", file, name, why1))})
			continue
		}
		if remoteContext(dir) {
			continue
		}
		if path.IsAbs(dir) || path.IsAbs(df) {
			problems = append(problems, Problem{Path: file, Level: checks.Note,
				Message: redactWords(fmt.Sprintf("%s: service %q builds from an absolute path; its build context is not used", file, name))})
			continue
		}
		ctx := path.Join(path.Dir(file), dir)
		if !relPath(ctx) {
			problems = append(problems, Problem{Path: file, Level: checks.Note,
				Message: redactWords(fmt.Sprintf("%s: service %q builds from %s, outside the scanned tree; its build context is not used", file, name, dir))})
			continue
		}
		m.add(path.Join(ctx, df), ctx, file)
		if target, ok, _ := composeValue(b.Target); ok {
			args.add(path.Join(ctx, df), &checks.CIBuild{Path: file, Tool: checks.Compose, Target: target, Args: composeArgs(lines, &b.Args)})
		}
	}
	return problems
}

var composeVar = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// composeValue interpolates a Compose value: ${VAR:-default} and
// ${VAR-default} take their default, $$ is a dollar; any other variable
// depends on an environment that the scan does not have.
func composeValue(s string) (out string, ok bool, unresolved string) {
	ok = true
	out = composeVar.ReplaceAllStringFunc(s, func(v string) string {
		if v == "$$" {
			return "$"
		}
		m := composeVar.FindStringSubmatch(v)
		if m[2] == ":-" || m[2] == "-" {
			return m[3]
		}
		if ok {
			unresolved = v
		}
		ok = false
		return v
	})
	return out, ok, unresolved
}

// remoteContext reports a context that BuildKit fetches: a Git or HTTP URL.
func remoteContext(s string) bool {
	return strings.Contains(s, "://") || strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "github.com/")
}

// readYAML reads a repository file that names build contexts into doc and
// returns its text; a file it cannot read or parse is a problem, and its
// contexts are not used.
func readYAML(fsys fs.FS, file, kind string, doc any) ([]byte, []Problem) {
	src, prob := readFile(fsys, file)
	if prob != nil {
		return nil, []Problem{*prob}
	}
	if err := yaml.Unmarshal(src, doc); err != nil {
		return nil, []Problem{{Path: file, Level: checks.Note,
			Message: redactWords(fmt.Sprintf("%s is not %s Stowaway can read (%s); the build contexts it names are not used", file, kind, firstLine(err.Error())))}}
	}
	return src, nil
}
