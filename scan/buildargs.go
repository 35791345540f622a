package scan

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/checks"
)

// Build arguments that workflows and Compose files pass, read with their
// builds for build-arg-secret:
//   - docker/build-push-action's `build-args:` is one NAME=value a line; a
//     line without `=` passes the variable of the step's environment;
//   - `docker build --build-arg NAME=value` and `--build-arg NAME`, which
//     takes NAME from the environment the step's `env:` (or the job's, or
//     the workflow's) sets, or an `export` earlier in the script;
//   - a Compose service's `build.args`, a mapping or a list of NAME=value;
//     a name without a value takes it from the environment.
// A value holds a CI secret when one of its expressions reads `secrets.X`
// or `github.token`, or reads an env variable that does; a Compose value is
// a literal, judged by the rule as other literals are.

// ciBuilds maps a Dockerfile's slash path to the builds that workflows and
// Compose files run of it with build arguments.
type ciBuilds map[string][]*checks.CIBuild

// add records a build; the same step read for another matrix combination
// is not recorded twice.
func (m ciBuilds) add(dockerfile string, b *checks.CIBuild) {
	if m == nil || len(b.Args) == 0 {
		return
	}
	dockerfile = path.Clean(dockerfile)
	for _, o := range m[dockerfile] {
		if o.Path == b.Path && o.Target == b.Target && slices.EqualFunc(o.Args, b.Args, sameArg) {
			return
		}
	}
	m[dockerfile] = append(m[dockerfile], b)
}

func sameArg(a, b checks.CIArg) bool {
	return a.Name == b.Name && a.Span == b.Span && a.Secret == b.Secret && a.Env == b.Env &&
		(a.Literal == nil) == (b.Literal == nil) && (a.Literal == nil || a.Literal.Raw == b.Literal.Raw)
}

// ciArg is a workflow build argument before it is located in the file.
type ciArg struct {
	name, secret, env string
}

// secretRefRE finds the secrets an expression reads: secrets.NAME,
// secrets['NAME'] and github.token (the job's GITHUB_TOKEN).
var secretRefRE = regexp.MustCompile(`(?:^|[^.\w])(?:secrets\s*\.\s*([A-Za-z_][A-Za-z0-9_-]*)|secrets\s*\[\s*'([^']*)'\s*\]|(github\s*\.\s*token)\b)`)

// secretOf returns the secret whose value an expression's text gives, ""
// for none. A secret that is only tested (compared, negated, joined with
// &&, or passed to contains, startsWith or endsWith) gives a boolean or
// the other operand, not its value.
func secretOf(expr string) string {
	if predicateRE.MatchString(expr) {
		return ""
	}
	for _, m := range secretRefRE.FindAllStringSubmatchIndex(expr, -1) {
		// The match holds the character before the name, unless the
		// name starts the text.
		before := ""
		if c := expr[m[0]]; c != 's' && c != 'g' {
			before = strings.TrimRight(expr[:m[0]+1], " \t")
		}
		after := strings.TrimLeft(expr[m[1]:], " \t")
		if strings.HasSuffix(before, "!") || strings.HasSuffix(before, "=") ||
			strings.HasPrefix(after, "==") || strings.HasPrefix(after, "!=") || strings.HasPrefix(after, "&&") {
			continue
		}
		switch {
		case m[6] >= 0:
			return "GITHUB_TOKEN"
		case m[2] >= 0:
			return expr[m[2]:m[3]]
		}
		return expr[m[4]:m[5]]
	}
	return ""
}

// predicateRE finds the functions whose result is a boolean.
var predicateRE = regexp.MustCompile(`\b(?:contains|startsWith|endsWith)\s*\(`)

// secretIn returns the CI secret that s holds: an expression that reads
// one, ${{ env.X }} with X set to one, and with shell also $X and ${X}.
func (sc workflowScope) secretIn(s string, shell bool) (secret, env string) {
	for _, m := range expressionRE.FindAllStringSubmatch(s, -1) {
		if name := secretOf(m[1]); name != "" {
			return name, ""
		}
		if strings.HasPrefix(m[1], "env.") {
			if name := sc.secrets[m[1][len("env."):]]; name != "" {
				return name, m[1][len("env."):]
			}
		}
	}
	if shell {
		for _, m := range shellVarRE.FindAllStringSubmatch(s, -1) {
			if name := sc.secrets[m[1]+m[2]]; name != "" {
				return name, m[1] + m[2]
			}
		}
	}
	return "", ""
}

// pushActionArgs reads build-push-action's build-args input, which the
// action reads as CSV with one field a line: a line may be quoted.
func pushActionArgs(sc workflowScope, input string) []ciArg {
	var out []ciArg
	for _, line := range strings.Split(input, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 2 && line[0] == '"' && line[len(line)-1] == '"' {
			line = strings.ReplaceAll(line[1:len(line)-1], `""`, `"`)
		}
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		a := ciArg{name: strings.TrimSpace(name)}
		if ok {
			a.secret, a.env = sc.secretIn(value, false)
		} else {
			a.secret, a.env = sc.secrets[a.name], a.name
		}
		if a.secret != "" {
			out = append(out, a)
		}
	}
	return out
}

// runArgs reads the --build-arg values of a docker build in a run: script,
// whose unresolved expressions are markers into pending.
func runArgs(sc workflowScope, args []string, pending []string) []ciArg {
	var out []ciArg
	for _, w := range args {
		name, value, ok := strings.Cut(w, "=")
		a := ciArg{name: name}
		if ok {
			a.secret, a.env = sc.secretIn(unmark(value, pending), true)
		} else if a.secret = sc.secrets[name]; a.secret != "" {
			a.env = name
		}
		if a.secret != "" {
			out = append(out, a)
		}
	}
	return out
}

// exported returns the scope after `export NAME=value ...` in a run:
// script: a later `--build-arg NAME` reads what it exported.
func (sc workflowScope) exported(assigns []string, pending []string) workflowScope {
	secrets := maps.Clone(sc.secrets)
	for _, w := range assigns {
		name, value, ok := strings.Cut(w, "=")
		if !ok {
			continue
		}
		if secret, _ := sc.secretIn(unmark(value, pending), true); secret != "" {
			secrets[name] = secret
		} else {
			delete(secrets, name)
		}
	}
	sc.secrets = secrets
	return sc
}

var markerRE = regexp.MustCompile("\x01([0-9]+)\x01")

// unmark puts back the expressions that runBuilds replaced by markers.
func unmark(s string, pending []string) string {
	return markerRE.ReplaceAllStringFunc(s, func(m string) string {
		n := 0
		for _, c := range m[1 : len(m)-1] {
			n = n*10 + int(c-'0')
		}
		if n < len(pending) {
			return pending[n]
		}
		return m
	})
}

// locateArgs finds where each argument is written in the lines of a value
// node (a build-args: block or a run: script): the first place holding its
// name that no argument of the step took before, so that two builds of a
// script passing the same name get their own places.
func locateArgs(lines []string, n *yaml.Node, args []ciArg, flag string, taken map[checks.Span]bool) []checks.CIArg {
	if n == nil {
		return nil
	}
	from := n.Line
	extent := strings.Count(n.Value, "\n")
	if n.Style&yaml.LiteralStyle == 0 {
		// Folded, plain and quoted scalars join their lines with spaces.
		extent += strings.Count(n.Value, " ")
	}
	to := min(len(lines), n.Line+extent+1)
	out := make([]checks.CIArg, 0, len(args))
	next := from // arguments come in the order they are written
	for _, a := range args {
		span := checks.Span{Line: from, EndLine: from}
		s, ok := findArg(lines, next, to, a.name, flag, taken)
		if !ok {
			s, ok = findArg(lines, from, next, a.name, flag, taken)
		}
		if ok {
			span, next = s, s.Line
			taken[s] = true
		}
		out = append(out, checks.CIArg{Name: a.name, Span: span, Secret: a.secret, Env: a.env})
	}
	return out
}

// findArg finds name as a word of its own on lines from..to, after flag on
// the same line when flag is not empty, at a place not taken.
func findArg(lines []string, from, to int, name, flag string, taken map[checks.Span]bool) (checks.Span, bool) {
	for ln := max(from, 1); ln <= to && ln <= len(lines); ln++ {
		line := lines[ln-1]
		at := 0
		if flag != "" {
			if at = strings.Index(line, flag); at < 0 {
				continue
			}
		}
		for at < len(line) {
			i := strings.Index(line[at:], name)
			if i < 0 {
				break
			}
			i += at
			end := i + len(name)
			span := checks.Span{Line: ln, Col: i + 1, EndLine: ln, EndCol: end + 1}
			// The name as an argument: after a blank, a quote or the
			// flag's =, not a $NAME or ${NAME} that reads it.
			if (i == 0 || strings.IndexByte(" \t\"'=", line[i-1]) >= 0) && (end == len(line) || !isNameChar(line[end])) && !taken[span] {
				return span, true
			}
			at = end
		}
	}
	return checks.Span{}, false
}

// mappingValue returns the value node of key in a YAML mapping, or nil.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// composeArgs reads a Compose service's build.args: a literal for each
// argument that writes one, located on its line.
func composeArgs(lines []string, n *yaml.Node) []checks.CIArg {
	var out []checks.CIArg
	add := func(name string, at *yaml.Node, value string) {
		v := composeLiteral(value)
		span := checks.Span{Line: at.Line, EndLine: at.Line}
		if value != "" {
			span = checks.LocateIn(lines, at.Line, at.Line, value)
		}
		out = append(out, checks.CIArg{Name: name, Span: span, Literal: &v})
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], deref(n.Content[i+1])
			// NAME: with no value takes it from the environment.
			if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
				add(k.Value, v, v.Value)
			}
		}
	case yaml.SequenceNode:
		for _, item := range n.Content {
			if item = deref(item); item.Kind != yaml.ScalarNode {
				continue
			}
			if name, value, ok := strings.Cut(item.Value, "="); ok {
				add(name, item, value)
			}
		}
	}
	return out
}

// deref follows a YAML alias (*name) to the node its anchor marks; the
// finding stays on the anchor, where the value is written.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// composeLiteral reads a Compose value as the rules read a Dockerfile's:
// references replaced by their defaults, or by nothing when they have none
// (the scan has no environment).
func composeLiteral(s string) checks.Value {
	v := checks.Value{Raw: s}
	v.Literal = composeVar.ReplaceAllStringFunc(s, func(ref string) string {
		if ref == "$$" {
			return "$"
		}
		m := composeVar.FindStringSubmatch(ref)
		v.Refs = append(v.Refs, m[1]+m[4])
		if m[2] == ":-" || m[2] == "-" {
			v.Defaulted = v.Defaulted || m[3] != ""
			return m[3]
		}
		return ""
	})
	return v
}
