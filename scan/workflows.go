package scan

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/checks"
)

// GitHub workflows name build contexts in two ways:
//   - docker/build-push-action's `context` (default: the Git context of the
//     commit, which is the repository root) and `file` (default:
//     <context>/Dockerfile), both relative to the workspace;
//   - `docker build`, `docker buildx build` or `docker image build` in a
//     `run:` script, whose -f and context are relative to the step's
//     working directory.
//
// `${{ matrix.x }}` expands to every combination of the job's matrix,
// `${{ env.X }}` and $X to the workflow's, job's and step's literal env,
// `${{ github.workspace }}` and $GITHUB_WORKSPACE to the root. Any other
// expression (secrets, step outputs, inputs) is known only when the job
// runs: that build is left out, and a note says so.

// WorkflowDir holds GitHub's workflow files.
const WorkflowDir = ".github/workflows"

// maxMatrix bounds the matrix combinations expanded per job.
const maxMatrix = 256

func workflowFiles(fsys fs.FS) []string {
	entries, err := fs.ReadDir(fsys, WorkflowDir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		if e.Type().IsRegular() && (strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")) {
			out = append(out, path.Join(WorkflowDir, e.Name()))
		}
	}
	return out
}

type workflowDefaults struct {
	Run struct {
		WorkingDirectory string `yaml:"working-directory"`
	} `yaml:"run"`
}

type workflowJob struct {
	Env      yaml.Node        `yaml:"env"`
	Defaults workflowDefaults `yaml:"defaults"`
	Strategy struct {
		Matrix yaml.Node `yaml:"matrix"`
	} `yaml:"strategy"`
	Steps []yaml.Node `yaml:"steps"`
}

type workflowStep struct {
	Name             string    `yaml:"name"`
	ID               string    `yaml:"id"`
	Uses             string    `yaml:"uses"`
	Run              string    `yaml:"run"`
	With             yaml.Node `yaml:"with"`
	Env              yaml.Node `yaml:"env"`
	WorkingDirectory string    `yaml:"working-directory"`
}

// readWorkflow adds the build contexts that one workflow file names, and
// the builds that pass secrets as build arguments.
func readWorkflow(fsys fs.FS, file string, m contextMap, args ciBuilds) []Problem {
	var doc struct {
		Env      yaml.Node            `yaml:"env"`
		Defaults workflowDefaults     `yaml:"defaults"`
		Jobs     map[string]yaml.Node `yaml:"jobs"`
	}
	src, probs := readYAML(fsys, file, "a workflow", &doc)
	if probs != nil {
		return probs
	}
	lines := checks.SplitLines(src)
	ids := slices.Sorted(maps.Keys(doc.Jobs))
	var problems []Problem
	note := func(job string, step int, name, what string) {
		if name == "" {
			name = fmt.Sprintf("step %d", step+1)
		} else {
			name = fmt.Sprintf("step %q", name)
		}
		problems = append(problems, Problem{Path: file, Level: checks.Note,
			Message: redactWords(fmt.Sprintf("%s: job %s, %s: %s; the build context of that build is not used", file, job, name, what))})
	}
	for _, id := range ids {
		node := doc.Jobs[id]
		var job workflowJob
		if err := node.Decode(&job); err != nil {
			continue
		}
		// A matrix given as an expression leaves one empty combination:
		// its references stay unresolved and are noted.
		combos, _ := matrixCombos(&job.Strategy.Matrix)
		wd := job.Defaults.Run.WorkingDirectory
		if wd == "" {
			wd = doc.Defaults.Run.WorkingDirectory
		}
		for i, sn := range job.Steps {
			var step workflowStep
			if err := sn.Decode(&step); err != nil {
				continue
			}
			name := step.Name
			if name == "" {
				name = step.ID
			}
			uses := strings.ToLower(step.Uses)
			if !strings.HasPrefix(uses, "docker/build-push-action@") && !strings.Contains(step.Run, "build") {
				continue
			}
			env := []map[string]string{scalarMap(&doc.Env), scalarMap(&job.Env), scalarMap(&step.Env)}
			unresolved := ""
			for _, combo := range combos {
				sc := newWorkflowScope(env, combo)
				var builds []workflowBuild
				var why string
				var tool checks.BuildTool
				var argsAt *yaml.Node // the value that holds the arguments
				flag := ""
				if strings.HasPrefix(uses, "docker/build-push-action@") {
					builds, why = buildPushAction(sc, scalarMap(&step.With))
					tool, argsAt = checks.BuildPushAction, mappingValue(&step.With, "build-args")
				} else {
					cwd := step.WorkingDirectory
					if cwd == "" {
						cwd = wd
					}
					builds, why = runBuilds(sc, step.Run, cwd)
					tool, argsAt, flag = checks.DockerBuild, mappingValue(&sn, "run"), "--build-arg"
				}
				if why != "" && unresolved == "" {
					unresolved = why
				}
				taken := map[checks.Span]bool{} // where arguments were located
				for _, b := range builds {
					if remoteContext(b.context) || b.context == "-" || b.file == "-" {
						continue
					}
					if !relPath(b.context) || !relPath(b.file) {
						continue
					}
					m.add(b.file, b.context, file)
					if b.targetKnown {
						args.add(b.file, &checks.CIBuild{Path: file, Tool: tool, Target: b.target, Args: locateArgs(lines, argsAt, b.args, flag, taken)})
					}
				}
			}
			if unresolved != "" {
				note(id, i, name, unresolved+" cannot be resolved before the job runs")
			}
		}
	}
	return problems
}

// workflowBuild is one build a step runs: slash paths from the root, the
// stage it builds ("" for the last; targetKnown false when an expression
// names it) and the build arguments that hold secrets.
type workflowBuild struct {
	file, context, target string
	targetKnown           bool
	args                  []ciArg
}

// buildPushAction reads docker/build-push-action's inputs.
func buildPushAction(sc workflowScope, with map[string]string) ([]workflowBuild, string) {
	ctx, why := sc.expand(with["context"], false)
	if why != "" {
		return nil, why
	}
	file, why := sc.expand(with["file"], false)
	if why != "" {
		return nil, why
	}
	if ctx == "" {
		ctx = "."
	}
	if remoteContext(ctx) {
		return nil, ""
	}
	ctx = path.Clean(ctx)
	if file == "" {
		file = path.Join(ctx, "Dockerfile")
	}
	b := workflowBuild{file: path.Clean(file), context: ctx, args: pushActionArgs(sc, with["build-args"])}
	b.target, why = sc.expand(with["target"], false)
	b.targetKnown = why == ""
	return []workflowBuild{b}, ""
}

// runBuilds finds the docker builds of a run: script. Expressions are
// substituted before the script is split into words, because they hold
// spaces; one that cannot be resolved becomes a marker, which matters only
// when it lands in a -f or a context.
func runBuilds(sc workflowScope, script, cwd string) ([]workflowBuild, string) {
	var pending []string
	script = expressionRE.ReplaceAllStringFunc(script, func(m string) string {
		if v, why := sc.expand(m, false); why == "" {
			return v
		}
		pending = append(pending, m)
		return fmt.Sprintf("\x01%d\x01", len(pending)-1)
	})
	cmds, ok := checks.ShellCommands(script)
	if !ok {
		if strings.Contains(script, "docker") {
			return nil, "its run: script, which the shell parser refuses,"
		}
		return nil, ""
	}
	var out []workflowBuild
	for _, words := range cmds {
		if len(words) > 1 && words[0] == "export" {
			sc = sc.exported(words[1:], pending)
			continue
		}
		cmd, ok := dockerBuildArgs(words)
		if !ok {
			continue
		}
		file, ctx := cmd.file, cmd.context
		for _, w := range []string{ctx, file} {
			if i := strings.IndexByte(w, 1); i >= 0 {
				var n int
				fmt.Sscanf(w[i+1:], "%d", &n)
				return nil, pending[n]
			}
		}
		dir, why := sc.expand(cwd, true)
		if why != "" {
			return nil, why
		}
		var w1, w2 string
		ctx, w1 = sc.expand(ctx, true)
		file, w2 = sc.expand(file, true)
		if w1 != "" {
			return nil, w1
		}
		if w2 != "" {
			return nil, w2
		}
		if remoteContext(ctx) || ctx == "-" || file == "-" || path.IsAbs(ctx) || path.IsAbs(file) {
			continue
		}
		ctxDir := path.Join(dir, ctx)
		df := path.Join(ctxDir, "Dockerfile")
		if file != "" {
			df = path.Join(dir, file)
		}
		b := workflowBuild{file: df, context: ctxDir, args: runArgs(sc, cmd.args, pending)}
		b.target, why = sc.expand(unmark(cmd.target, pending), true)
		b.targetKnown = why == ""
		out = append(out, b)
	}
	return out, ""
}

// workflowScope resolves expressions and variables for one matrix
// combination.
type workflowScope struct {
	env   map[string]string
	combo map[string]string
	// secrets maps the env variables that hold a CI secret to its name.
	secrets map[string]string
}

func newWorkflowScope(levels []map[string]string, combo map[string]string) workflowScope {
	sc := workflowScope{env: map[string]string{}, combo: combo, secrets: map[string]string{}}
	for _, lv := range levels {
		for _, k := range slices.Sorted(maps.Keys(lv)) {
			v := lv[k]
			// An env value may use the matrix; one that uses anything
			// else is left unset, and noted when it is a secret.
			if x, why := sc.expand(v, false); why == "" {
				sc.env[k] = x
			} else {
				delete(sc.env, k)
			}
			if secret, _ := sc.secretIn(v, false); secret != "" {
				sc.secrets[k] = secret
			} else {
				delete(sc.secrets, k)
			}
		}
	}
	return sc
}

var (
	expressionRE = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)
	shellVarRE   = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)`)
)

// expand substitutes the expressions of s, and with shell also its
// variables. It returns the first expression it cannot resolve.
func (sc workflowScope) expand(s string, shell bool) (string, string) {
	unresolved := ""
	out := expressionRE.ReplaceAllStringFunc(s, func(m string) string {
		e := expressionRE.FindStringSubmatch(m)[1]
		switch {
		case e == "github.workspace":
			return "."
		case strings.HasPrefix(e, "matrix."):
			if v, ok := sc.combo[e[len("matrix."):]]; ok {
				return v
			}
		case strings.HasPrefix(e, "env."):
			if v, ok := sc.env[e[len("env."):]]; ok {
				return v
			}
		}
		if unresolved == "" {
			unresolved = m
		}
		return m
	})
	if !shell {
		return out, unresolved
	}
	out = shellVarRE.ReplaceAllStringFunc(out, func(m string) string {
		g := shellVarRE.FindStringSubmatch(m)
		name := g[1] + g[2]
		if name == "GITHUB_WORKSPACE" {
			return "."
		}
		if v, ok := sc.env[name]; ok {
			return v
		}
		if unresolved == "" {
			unresolved = m
		}
		return m
	})
	return out, unresolved
}

// scalarMap reads a YAML mapping of scalars (env:, with:); other values
// are left out.
func scalarMap(n *yaml.Node) map[string]string {
	out := map[string]string{}
	if n.Kind != yaml.MappingNode {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.ScalarNode {
			out[k.Value] = v.Value
		}
	}
	return out
}

// matrixCombos expands a job's matrix into its combinations, as GitHub
// does: the product of the lists, minus `exclude`, with each `include`
// entry extending the combinations it matches or added as its own. It
// returns one empty combination for a job without a matrix, and false
// when the matrix is an expression.
func matrixCombos(n *yaml.Node) ([]map[string]string, bool) {
	if n.Kind == 0 {
		return []map[string]string{{}}, true
	}
	if n.Kind != yaml.MappingNode {
		return []map[string]string{{}}, false
	}
	combos := []map[string]string{{}}
	var include, exclude []map[string]string
	original := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "include", "exclude":
			if v.Kind != yaml.SequenceNode {
				continue
			}
			for _, item := range v.Content {
				if k == "include" {
					include = append(include, scalarMap(item))
				} else {
					exclude = append(exclude, scalarMap(item))
				}
			}
			continue
		}
		if v.Kind != yaml.SequenceNode {
			continue
		}
		original[k] = true
		var next []map[string]string
		for _, c := range combos {
			for _, item := range v.Content {
				if item.Kind != yaml.ScalarNode {
					continue
				}
				nc := make(map[string]string, len(c)+1)
				for ck, cv := range c {
					nc[ck] = cv
				}
				nc[k] = item.Value
				if len(next) < maxMatrix {
					next = append(next, nc)
				}
			}
		}
		combos = next
	}
	matches := func(c, sub map[string]string, only map[string]bool) bool {
		for k, v := range sub {
			if (only == nil || only[k]) && c[k] != v {
				return false
			}
		}
		return true
	}
	kept := combos[:0]
	for _, c := range combos {
		drop := false
		for _, ex := range exclude {
			if matches(c, ex, nil) {
				drop = true
			}
		}
		if !drop {
			kept = append(kept, c)
		}
	}
	combos = kept
	for _, inc := range include {
		extended := false
		for _, c := range combos {
			if !matches(c, inc, original) {
				continue
			}
			for k, v := range inc {
				if !original[k] {
					c[k] = v
				}
			}
			extended = true
		}
		if !extended && len(combos) < maxMatrix {
			combos = append(combos, inc)
		}
	}
	if len(combos) == 0 {
		combos = []map[string]string{{}}
	}
	return combos, true
}

// buildValueFlags are the long flags of docker build and docker buildx
// build that take a value as the next word.
var buildValueFlags = map[string]bool{
	"--add-host": true, "--allow": true, "--annotation": true, "--attest": true, "--build-arg": true,
	"--build-context": true, "--builder": true, "--file": true, "--cache-from": true, "--cache-to": true, "--call": true,
	"--cgroup-parent": true, "--cpu-period": true, "--cpu-quota": true, "--cpu-shares": true,
	"--cpuset-cpus": true, "--cpuset-mems": true, "--iidfile": true, "--isolation": true, "--label": true,
	"--memory": true, "--memory-swap": true, "--metadata-file": true, "--network": true,
	"--no-cache-filter": true, "--output": true, "--platform": true, "--progress": true,
	"--provenance": true, "--sbom": true, "--secret": true, "--security-opt": true, "--shm-size": true,
	"--ssh": true, "--tag": true, "--target": true, "--ulimit": true,
}

// dockerCmd is what a docker build command names: its -f, its context (the
// first operand), its --target and its --build-arg values.
type dockerCmd struct {
	file, context, target string
	args                  []string
}

// dockerBuildArgs reads a docker build command; ok is false for any other
// command.
func dockerBuildArgs(words []string) (cmd dockerCmd, ok bool) {
	i := 0
	for i < len(words) && (words[i] == "sudo" || !strings.HasPrefix(words[i], "-") && strings.Contains(words[i], "=")) {
		i++
	}
	if i >= len(words) || path.Base(words[i]) != "docker" {
		return cmd, false
	}
	rest := words[i+1:]
	switch {
	case len(rest) >= 1 && rest[0] == "build":
		rest = rest[1:]
	case len(rest) >= 2 && (rest[0] == "buildx" && (rest[1] == "build" || rest[1] == "b") || rest[0] == "image" && rest[1] == "build"):
		rest = rest[2:]
	default:
		return cmd, false
	}
	operands := false
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		switch {
		case operands || a == "-" || !strings.HasPrefix(a, "-"):
			if cmd.context == "" {
				cmd.context, ok = a, true
			}
		case a == "--":
			operands = true
		case strings.HasPrefix(a, "--"):
			name, value, eq := strings.Cut(a, "=")
			if !eq && buildValueFlags[name] && j+1 < len(rest) {
				j++
				value, eq = rest[j], true
			}
			if !eq {
				continue
			}
			switch name {
			case "--file":
				cmd.file = value
			case "--target":
				cmd.target = value
			case "--build-arg":
				cmd.args = append(cmd.args, value)
			}
		default:
			// Short flags: -f, -t, -o, -m and -c take a value, attached
			// (-fDockerfile) or as the next word.
			if strings.IndexByte("ftomc", a[1]) < 0 {
				continue
			}
			value := a[2:]
			if value == "" && j+1 < len(rest) {
				value = rest[j+1]
				j++
			}
			if a[1] == 'f' {
				cmd.file = value
			}
		}
	}
	return cmd, ok
}
