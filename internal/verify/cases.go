package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// Case is one Dockerfile of a test case folder, built on its own.
type Case struct {
	Name       string // checks/testdata/<rule>/<case>/<Dockerfile>, slash path from the repository root
	Root       string // the case folder, where the scan runs
	Dockerfile string // slash path relative to Root
	Context    string // the build context folder, relative to Root
	Flat       bool   // the files directly in a rule folder
}

// Static is what the scan says about one case, read in-process so that the
// raw values behind the findings can be looked for in the image.
type Static struct {
	Findings []scan.Finding
	// Secrets maps a finding (rule, path, first line) to the raw values its
	// rule reported: the engine's findings hold only their redacted forms.
	Secrets  map[string][]string
	Problems []scan.Problem
	Contexts []scan.BuildContext
}

func findingKey(rule, file string, line int) string {
	return fmt.Sprintf("%s\x00%s\x00%d", rule, file, line)
}

// CaseRoots lists the case folders as checks/checktest does: every folder
// under a rule's testdata folder, and the rule folder itself for its flat
// files; then each example project.
func CaseRoots(repo string) ([]caseRoot, error) {
	var out []caseRoot
	rules, err := os.ReadDir(filepath.Join(repo, "checks", "testdata"))
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if !r.IsDir() {
			continue
		}
		dir := path.Join("checks/testdata", r.Name())
		entries, err := os.ReadDir(filepath.Join(repo, dir))
		if err != nil {
			return nil, err
		}
		flat := false
		for _, e := range entries {
			if e.IsDir() {
				out = append(out, caseRoot{dir: path.Join(dir, e.Name())})
			} else {
				flat = true
			}
		}
		if flat {
			out = append(out, caseRoot{dir: dir, flat: true})
		}
	}
	examples, err := os.ReadDir(filepath.Join(repo, "testdata", "examples"))
	if err != nil {
		return nil, err
	}
	for _, e := range examples {
		if e.IsDir() {
			out = append(out, caseRoot{dir: path.Join("testdata/examples", e.Name())})
		}
	}
	return out, nil
}

type caseRoot struct {
	dir  string
	flat bool
}

// ScanStatic runs every rule over the case folder with a spy on each rule
// that keeps the raw values (as checks/checktest does for its leak check).
func ScanStatic(repo string, c caseRoot) (*Static, error) {
	root := filepath.Join(repo, c.dir)
	st := &Static{Secrets: map[string][]string{}}
	var mu sync.Mutex
	var spies []*checks.Rule
	for _, rule := range checks.All() {
		spy := *rule
		spy.Check = func(p *checks.Pass) {
			q := checks.NewPass(rule, p.Dockerfile, p.Ignore, p.Settings, func(f checks.Finding) {
				if f.Secret != "" {
					mu.Lock()
					// The line the finding's region starts on.
					k := findingKey(rule.ID, f.Path, max(f.Span.Line, 1))
					st.Secrets[k] = append(st.Secrets[k], f.Secret)
					mu.Unlock()
				}
				p.Report(f)
			})
			q.Context, q.Contexts, q.State = p.Context, p.Contexts, p.State
			rule.Check(q)
		}
		spies = append(spies, &spy)
	}
	paths := []string{"."}
	if c.flat {
		paths = nil
		entries, err := os.ReadDir(root)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if !e.IsDir() {
				paths = append(paths, e.Name())
			}
		}
	}
	res, err := scan.Scan(context.Background(), os.DirFS(root), paths, scan.Options{Rules: spies})
	if err != nil {
		return nil, err
	}
	st.Findings, st.Problems, st.Contexts = res.Findings, res.Problems, res.Contexts
	return st, nil
}

// Plan is how one Dockerfile is built: the images its FROMs name, a marker
// for every build argument without a default, and one for every secret
// mount.
type Plan struct {
	DF      *checks.Dockerfile
	Images  []string          // FROM images after global ARG expansion, not stages, not scratch
	Args    map[string]string // build-arg name -> marker
	Secrets map[string]string // secret id -> marker content
	// Shipped holds the line ranges of the stages whose history and config
	// ship: the last stage and the stages it inherits from with FROM.
	Shipped [][2]int
}

// MarkerPrefix starts every marker value, so that a marker is found wherever
// it lands, whole or cut.
const MarkerPrefix = "stowaway-marker-"

func marker(kind, name string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return MarkerPrefix + kind + "-" + name + "-" + hex.EncodeToString(b)
}

// errRemote is PlanBuild's answer for a Dockerfile that would fetch from
// the network.
var errRemote = errors.New("not built: an ADD of a remote source would fetch it from the network")

// PlanBuild parses the Dockerfile with BuildKit's parser (through checks)
// and decides the build's inputs.
func PlanBuild(dfPath string, src []byte) (*Plan, error) {
	df, err := checks.ParseDockerfile(dfPath, src, nil)
	if err != nil {
		return nil, err
	}
	if len(df.Stages) == 0 {
		return nil, fmt.Errorf("no FROM")
	}
	p := &Plan{DF: df, Args: map[string]string{}, Secrets: map[string]string{}}
	// Global ARGs expand FROM lines; a marker in one would make FROM name no
	// image, so those keep their defaults.
	global := map[string]string{}
	fromRefs := map[string]bool{}
	for _, in := range df.Instructions {
		if in.Cmd == "arg" && in.Stage == nil {
			if a, ok := in.Command.(*instructions.ArgCommand); ok {
				for _, kv := range a.Args {
					if kv.Value != nil {
						global[kv.Key] = *kv.Value
					}
				}
			}
		}
	}
	lex := shell.NewLex(df.Escape)
	seen := map[string]bool{}
	for _, s := range df.Stages {
		for name := range global {
			if strings.Contains(s.From.Original, "$"+name) || strings.Contains(s.From.Original, "${"+name) {
				fromRefs[name] = true
			}
		}
		if s.BaseStage != nil {
			continue
		}
		res, err := lex.ProcessWordWithMatches(s.Base, mapEnv(global))
		img := s.Base
		if err == nil {
			img = res.Result
		}
		if strings.EqualFold(img, "scratch") || seen[img] || stageName(df, img) {
			continue
		}
		seen[img] = true
		p.Images = append(p.Images, img)
	}
	for _, in := range df.Instructions {
		switch c := in.Command.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				// A stage's ARG without a default takes the global ARG's:
				// that default is what the case plants.
				if _, planted := global[kv.Key]; kv.Value == nil && !fromRefs[kv.Key] && !planted {
					p.Args[kv.Key] = marker("arg", kv.Key)
				}
			}
		case *instructions.RunCommand:
			for _, id := range secretIDs(in.Original) {
				p.Secrets[id] = marker("secret", id)
			}
		case *instructions.AddCommand:
			// An ADD of a URL or a git repository makes buildkitd fetch it:
			// the case is never built, so that no build reaches out of
			// this machine.
			for _, src := range c.SourcePaths {
				if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
					return nil, errRemote
				}
			}
		case *instructions.CopyCommand:
			// COPY --from=<image> pulls that image: map it to the base too.
			img := c.From
			if _, err := strconv.Atoi(img); img == "" || err == nil || stageName(df, img) || seen[img] {
				continue
			}
			seen[img] = true
			p.Images = append(p.Images, img)
		}
	}
	last := df.Stages[len(df.Stages)-1]
	for s := last; s != nil; s = s.BaseStage {
		p.Shipped = append(p.Shipped, stageLines(df, s))
	}
	return p, nil
}

func stageName(df *checks.Dockerfile, img string) bool {
	for _, s := range df.Stages {
		if s.Name != "" && strings.EqualFold(s.Name, img) {
			return true
		}
	}
	return false
}

// stageLines is the stage's range: its FROM to the line before the next
// FROM (or the end of the file).
func stageLines(df *checks.Dockerfile, s *checks.Stage) [2]int {
	end := len(df.Lines)
	if s.Index+1 < len(df.Stages) {
		end = df.Stages[s.Index+1].From.StartLine - 1
	}
	return [2]int{s.From.StartLine, end}
}

// InShipped reports whether line is in a stage whose history ships.
func (p *Plan) InShipped(line int) bool {
	for _, r := range p.Shipped {
		if line >= r[0] && line <= r[1] {
			return true
		}
	}
	return false
}

var secretMountRe = regexp.MustCompile(`--mount=[^ \t]*type=secret[^ \t]*`)
var secretIDRe = regexp.MustCompile(`(?:^|,)id=([^, \t]+)`)

// secretIDs reads the ids of RUN's secret mounts; a mount without id= uses
// its target's base name, as BuildKit does.
func secretIDs(run string) []string {
	var out []string
	for _, m := range secretMountRe.FindAllString(run, -1) {
		opts := strings.TrimPrefix(m, "--mount=")
		if id := secretIDRe.FindStringSubmatch(opts); id != nil {
			out = append(out, strings.Trim(id[1], `"'`))
			continue
		}
		for _, kv := range strings.Split(opts, ",") {
			if t, ok := strings.CutPrefix(kv, "target="); ok {
				out = append(out, path.Base(t))
			} else if t, ok := strings.CutPrefix(kv, "dst="); ok {
				out = append(out, path.Base(t))
			}
		}
	}
	sort.Strings(out)
	return out
}

type mapEnv map[string]string

func (m mapEnv) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }
func (m mapEnv) Keys() []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
