package image

import (
	"context"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// Options configure a check of one image.
type Options struct {
	// Platform chooses among the images of a multi-platform index; the
	// zero value means linux/amd64.
	Platform v1.Platform
	// Dockerfile, when set, is the Dockerfile the image was built from:
	// findings sit on its instructions.
	Dockerfile *checks.Dockerfile
	Settings   *checks.Settings
	Limits     Limits
	// Path, when set, is the slash path that findings and problems on the
	// image itself are located on, instead of the name it is opened by
	// (the Action opens it by its absolute path in the workspace).
	Path string
}

// DefaultPlatform is the platform chosen from a multi-platform index when
// none is asked for.
var DefaultPlatform = v1.Platform{OS: "linux", Architecture: "amd64"}

// Check reads the image at name (an OCI layout folder, its tarball, or a
// docker save tarball) and reports the secrets of its config, history and
// layers. Findings are located on name, a slash path, or on the Dockerfile
// of opts. An error means the image could not be read at all; a problem in
// one layer is a Problem of the result, and the findings made before it
// are kept.
func Check(ctx context.Context, name string, opts Options) (*scan.Result, error) {
	if opts.Platform.OS == "" {
		opts.Platform = DefaultPlatform
	}
	opts.Limits = opts.Limits.orDefaults()
	if opts.Settings == nil {
		opts.Settings = &checks.Settings{}
	}
	img, st, err := open(name, opts.Platform)
	if err != nil {
		return nil, err
	}
	defer st.close()
	if opts.Path != "" {
		name = opts.Path
	}
	c := &checker{name: name, img: img, opts: opts}
	c.loc = newLocator(name, img, opts.Dockerfile, c.problem)
	c.names = newArgNames(img.config, opts.Dockerfile)
	c.checkConfig()
	c.checkOnBuild()
	c.checkHistory()
	if err := c.checkLayers(ctx); err != nil {
		return nil, err
	}
	return c.result(), nil
}

// checker holds one image's check.
type checker struct {
	name     string
	img      *built
	opts     Options
	loc      *locator
	names    *argNames
	findings []scan.Finding
	problems []scan.Problem
	// inConfig holds the secrets the config holds: the history entries of
	// the instructions that set them (ENV, LABEL, CMD...) say it again.
	inConfig map[string]bool
}

func (c *checker) problem(level checks.Level, format string, args ...any) {
	c.problems = append(c.problems, scan.Problem{Path: c.name, Level: level, Message: fmt.Sprintf(format, args...)})
}

// report finishes a finding: the engine's redaction, fingerprint and level.
func (c *checker) report(rule *checks.Rule, at place, secret, message, key string) {
	f := scan.Finding{
		RuleID: rule.ID, Level: rule.Level, Path: at.path,
		// An image's findings have lines, no columns: the history and
		// the config say which instruction, not where in it.
		Region:      lines(at.span),
		Message:     message,
		Fix:         fixes[rule.ID],
		Fingerprint: scan.Fingerprint(rule.ID, at.path, key, 0),
		Rule:        rule,
	}
	if secret != "" && rule == checks.ImageSecretConfig {
		if c.inConfig == nil {
			c.inConfig = map[string]bool{}
		}
		c.inConfig[secret] = true
	}
	if secret != "" {
		f.Evidence = scan.Redact(secret)
		// Messages never hold values; this is the engine's guarantee kept.
		f.Message = strings.ReplaceAll(f.Message, secret, f.Evidence)
	}
	if r := at.related; r != nil {
		f.Related = []scan.Related{{Path: r.Path, Message: r.Message, Region: lines(r.Span)}}
	}
	c.findings = append(c.findings, f)
}

// lines is the region of a span's lines, without columns.
func lines(s checks.Span) scan.Region {
	return scan.Region{StartLine: s.Line, EndLine: s.EndLine}
}

// fixes say how to fix each rule's findings; a credential that an image
// held is exposed already, so each starts with rotating it.
var fixes = map[string]string{
	checks.ImageSecretConfig.ID:  "Rotate the credential, then give it to the container at run time (a secret or an environment file) instead of setting it in ENV or LABEL",
	checks.ImageSecretHistory.ID: "Rotate the credential, then pass it as a build secret (RUN --mount=type=secret) instead of a build argument: BuildKit writes build arguments into the history",
	checks.ImageSecretFile.ID:    "Rotate the credential, then keep the file out of every layer (a secret mount, .dockerignore, a stage that is not copied from): deleting it later does not remove it",
}

func (c *checker) result() *scan.Result {
	sort.SliceStable(c.findings, func(i, j int) bool {
		a, b := c.findings[i], c.findings[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Region.StartLine != b.Region.StartLine {
			return a.Region.StartLine < b.Region.StartLine
		}
		return a.RuleID < b.RuleID
	})
	files := []string{c.name}
	if df := c.opts.Dockerfile; df != nil {
		files = append(files, df.Path)
	}
	return &scan.Result{Findings: c.findings, Problems: c.problems, Files: files, Rules: checks.ImageRules()}
}

// valueSecret returns the secret that name=value holds, judged as the
// Dockerfile rules judge ENV and ARG values, and what it is; "" when none.
func (c *checker) valueSecret(name, value string) (secret, what string) {
	if toks := checks.ValueTokens(name, value); len(toks) > 0 {
		return toks[0].Secret, article(toks[0].Description)
	}
	if u := urlCredentials(value); u != "" {
		return u, "URL credentials"
	}
	v := checks.Value{Raw: value, Literal: value}
	if name != "" && checks.LiteralSecret(name, v, c.opts.Settings) {
		return value, "a credential value"
	}
	// Whatever the name, a connection string's password is one, as
	// secret-env and secret-arg say.
	if pw, ok := checks.ConnectionPassword(v, c.opts.Settings); ok {
		return pw, "a password in a connection string"
	}
	return "", ""
}

// textSecrets returns the known token formats and URL credentials of a
// text that has no name to judge it by (Cmd, a RUN line).
func textSecrets(text string, s *checks.Settings) [][2]string {
	var out [][2]string
	for _, t := range checks.FindTokens(text) {
		if !s.Allowed(t.Secret) {
			out = append(out, [2]string{t.Secret, article(t.Description)})
		}
	}
	for _, u := range checks.URLCredentialSecrets(text) {
		if !s.Allowed(u) {
			out = append(out, [2]string{u, "URL credentials"})
		}
	}
	return out
}

// urlCredentials returns the secret of the first URL in s that carries
// credentials, as url-credentials judges them.
func urlCredentials(s string) string {
	if u := checks.URLCredentialSecrets(s); len(u) > 0 {
		return u[0]
	}
	return ""
}

// checkConfig reads the config's Env, Labels, Cmd, Entrypoint,
// Healthcheck, User and OnBuild.
func (c *checker) checkConfig() {
	cfg := c.img.config.Config
	for _, kv := range cfg.Env {
		name, value, _ := strings.Cut(kv, "=")
		if secret, what := c.valueSecret(name, value); secret != "" {
			c.report(checks.ImageSecretConfig, c.loc.config("env", name), secret,
				fmt.Sprintf("Env %q holds %s in the image config%s", name, what, c.setBy("ENV", name)), "env:"+name)
		}
	}
	labels := make([]string, 0, len(cfg.Labels))
	for k := range cfg.Labels {
		labels = append(labels, k)
	}
	sort.Strings(labels)
	for _, k := range labels {
		if secret, what := c.valueSecret(labelName(k), cfg.Labels[k]); secret != "" {
			c.report(checks.ImageSecretConfig, c.loc.config("label", k), secret,
				fmt.Sprintf("Label %q holds %s in the image config%s", k, what, c.setBy("LABEL", k)), "label:"+k)
		}
	}
	fields := []struct {
		field, keyword string
		values         []string
	}{
		{"Cmd", "cmd", cfg.Cmd},
		{"Entrypoint", "entrypoint", cfg.Entrypoint},
		{"User", "user", []string{cfg.User}},
	}
	if cfg.Healthcheck != nil {
		fields = append(fields, struct {
			field, keyword string
			values         []string
		}{"Healthcheck", "healthcheck", cfg.Healthcheck.Test})
	}
	for _, f := range fields {
		text := strings.Join(f.values, " ")
		for i, s := range textSecrets(text, c.opts.Settings) {
			c.report(checks.ImageSecretConfig, c.loc.config(f.keyword, ""), s[0],
				fmt.Sprintf("%s holds %s in the image config%s", f.field, s[1], c.setBy(strings.ToUpper(f.keyword), "")), fmt.Sprintf("%s:%d", f.keyword, i))
		}
	}
}

// checkOnBuild reads the config's OnBuild triggers, each an instruction as
// written: an ARG, ENV or LABEL trigger's values are judged by their names,
// as secret-arg and secret-env judge them, and any trigger's text for known
// token formats and URL credentials.
func (c *checker) checkOnBuild() {
	triggers := c.img.config.Config.OnBuild
	for i, t := range triggers {
		at := c.loc.onbuild(i, len(triggers))
		seen := map[string]bool{}
		for _, kv := range triggerPairs(t) {
			secret, what := c.valueSecret(kv.Key, checks.ReadValue(kv.Value, 0).Literal)
			if secret == "" || seen[secret] {
				continue
			}
			seen[secret] = true
			c.report(checks.ImageSecretConfig, at, secret,
				fmt.Sprintf("OnBuild trigger %d sets %q to %s in the image config", i, kv.Key, what), fmt.Sprintf("onbuild:%d:%s", i, kv.Key))
		}
		for j, s := range textSecrets(t, c.opts.Settings) {
			if seen[s[0]] {
				continue
			}
			seen[s[0]] = true
			c.report(checks.ImageSecretConfig, at, s[0],
				fmt.Sprintf("OnBuild trigger %d holds %s in the image config", i, s[1]), fmt.Sprintf("onbuild:%d:%d", i, j))
		}
	}
}

// triggerPairs reads an OnBuild trigger with BuildKit's parser and returns
// the NAME=value pairs of an ARG, ENV or LABEL, values as written.
func triggerPairs(trigger string) []instructions.KeyValuePair {
	res, err := parser.Parse(strings.NewReader(trigger))
	if err != nil || len(res.AST.Children) != 1 {
		return nil
	}
	cmd, err := instructions.ParseInstruction(res.AST.Children[0])
	if err != nil {
		return nil
	}
	switch c := cmd.(type) {
	case *instructions.ArgCommand:
		var out []instructions.KeyValuePair
		for _, kv := range c.Args {
			if kv.Value != nil {
				out = append(out, instructions.KeyValuePair{Key: kv.Key, Value: *kv.Value})
			}
		}
		return out
	case *instructions.EnvCommand:
		return c.Env
	case *instructions.LabelCommand:
		out := slices.Clone(c.Labels)
		for i := range out {
			out[i].Key = labelName(out[i].Key)
		}
		return out
	}
	return nil
}

// setBy names the last history entry that set a config value (an ENV or
// LABEL of that name, or the keyword's instruction), "" when none did.
func (c *checker) setBy(keyword, name string) string {
	hist := c.img.config.History
	for i := len(hist) - 1; i >= 0; i-- {
		e := parseEntry(hist[i].CreatedBy, c.names)
		if e.keyword != keyword {
			continue
		}
		found := name == ""
		switch keyword {
		case "ENV":
			found = slices.ContainsFunc(e.args, func(a buildArg) bool { return a.name == name })
		case "LABEL":
			found = strings.Contains(e.command, name+"=") || strings.Contains(e.command, strconv.Quote(name)+"=")
		}
		if found {
			return fmt.Sprintf(" (set by history entry %d)", i)
		}
	}
	return ""
}

// labelName reads a label key as a variable name: the last segment of a
// reverse-DNS key (org.example.api-token) carries its meaning.
func labelName(k string) string {
	if i := strings.LastIndexAny(k, "./"); i >= 0 && i < len(k)-1 {
		return k[i+1:]
	}
	return k
}

// checkHistory reads every history entry: the build arguments BuildKit
// records for a RUN, an ARG entry's values, and tokens or URL credentials
// anywhere in it.
func (c *checker) checkHistory() {
	for i, h := range c.img.config.History {
		e := parseEntry(h.CreatedBy, c.names)
		at := c.loc.entry(i)
		seen := map[string]bool{}
		if configKeywords[e.keyword] && e.keyword != "ENV" {
			maps.Copy(seen, c.inConfig)
		}
		for _, a := range e.args {
			if e.keyword == "ENV" && slices.Contains(c.img.config.Config.Env, a.name+"="+a.value) {
				continue // the config holds it: reported there
			}
			secret, what := c.valueSecret(a.name, a.value)
			if secret == "" || seen[secret] {
				continue
			}
			seen[secret] = true
			var msg string
			if e.keyword != "RUN" {
				msg = fmt.Sprintf("%s records %s %q with %s", c.loc.entryName(i, e.keyword), e.keyword, a.name, what)
			} else {
				msg = fmt.Sprintf("%s records build argument %q with %s", c.loc.entryName(i, e.keyword), a.name, what)
			}
			c.report(checks.ImageSecretHistory, at, secret, msg, fmt.Sprintf("%s:arg:%s:%d", e.keyword, a.name, c.loc.entryKey(i)))
		}
		for _, s := range textSecrets(e.command, c.opts.Settings) {
			if seen[s[0]] {
				continue
			}
			seen[s[0]] = true
			c.report(checks.ImageSecretHistory, at, s[0],
				fmt.Sprintf("%s holds %s", c.loc.entryName(i, e.keyword), s[1]),
				fmt.Sprintf("%s:text:%d:%d", e.keyword, c.loc.entryKey(i), len(seen)))
		}
	}
}

// configKeywords are the instructions whose values the config keeps.
var configKeywords = map[string]bool{
	"ENV": true, "LABEL": true, "CMD": true, "ENTRYPOINT": true, "HEALTHCHECK": true, "USER": true, "ONBUILD": true,
}

// entry is a history entry's created_by, read.
type entry struct {
	keyword string // upper-case instruction: RUN, ARG, COPY... "" when unknown
	args    []buildArg
	command string // the rest: a RUN's command, a COPY's sources...
}

type buildArg struct{ name, value string }

var (
	argCount = regexp.MustCompile(`^\|([0-9]+) `)
	argStart = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=`)
	nextArg  = regexp.MustCompile(` ([A-Za-z_][A-Za-z0-9_]*)=`)
)

// argNames is what tells BuildKit's unquoted NAME=value lists apart: the
// names of the build arguments and variables the image or its Dockerfile
// declares, and the shells a RUN's command starts with.
type argNames struct {
	names  map[string]bool
	shells []string // " /bin/sh -c " and the like, space on both sides
}

// newArgNames gathers the names the Dockerfile declares (ARG, ENV, their
// ONBUILD forms), the config's Env and the first name of every ARG and
// ENV history entry, which BuildKit writes one per instruction.
func newArgNames(cfg *v1.ConfigFile, df *checks.Dockerfile) *argNames {
	a := &argNames{names: map[string]bool{}}
	for _, kv := range cfg.Config.Env {
		name, _, _ := strings.Cut(kv, "=")
		a.names[name] = true
	}
	for _, h := range cfg.History {
		if e := parseEntry(h.CreatedBy, nil); (e.keyword == "ARG" || e.keyword == "ENV") && len(e.args) > 0 {
			a.names[e.args[0].name] = true
		}
	}
	if df != nil {
		for _, in := range df.Instructions {
			if in.Onbuild != nil {
				in = in.Onbuild
			}
			switch c := in.Command.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					a.names[kv.Key] = true
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					a.names[kv.Key] = true
				}
			}
		}
	}
	shells := [][]string{cfg.Config.Shell, {"/bin/sh", "-c"}}
	if cfg.OS == "windows" {
		shells = append(shells, []string{"cmd", "/S", "/C"})
	}
	for _, sh := range shells {
		if len(sh) > 0 {
			a.shells = append(a.shells, " "+strings.Join(sh, " ")+" ")
		}
	}
	return a
}

// parseEntry reads created_by as BuildKit writes it (RUN |2 A=x B=y
// /bin/sh -c …, ARG A=x B=y, COPY … # buildkit) and as the classic builder
// did (|1 A=x /bin/sh -c …, /bin/sh -c #(nop)  ENV …). names, when not
// nil, splits the values.
func parseEntry(s string, names *argNames) entry {
	s = strings.TrimSuffix(s, " # buildkit")
	var e entry
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c #(nop) "); ok {
		s = strings.TrimSpace(rest)
	} else if strings.HasPrefix(s, "|") || strings.HasPrefix(s, "/bin/sh -c ") {
		s = "RUN " + s
	}
	kw, rest, _ := strings.Cut(s, " ")
	e.keyword = strings.ToUpper(kw)
	switch e.keyword {
	case "RUN":
		if m := argCount.FindStringSubmatch(rest); m != nil {
			n := 0
			fmt.Sscan(m[1], &n)
			e.args, rest = names.read(rest[len(m[0]):], n)
		}
	case "ARG", "ENV":
		// An ENV that a later one overrides is gone from the config, not
		// from the history.
		e.args, rest = names.read(rest, -1)
	}
	e.command = rest
	return e
}

// read reads n NAME=value pairs separated by spaces (all of them when
// n < 0). BuildKit joins them unquoted (a connection string's "Data
// Source=db" included), so a value runs to the next " NAME=" of a declared
// name; a RUN's last value runs to its shell command. Without a declared
// name next, a RUN's value runs to the next " NAME=" of any name (there
// must be n), an ARG's or ENV's to the end.
func (a *argNames) read(s string, n int) ([]buildArg, string) {
	var out []buildArg
	for n < 0 || len(out) < n {
		m := argStart.FindStringSubmatch(s)
		if m == nil {
			// An ARG without a value: its name alone.
			if n < 0 {
				name, rest, _ := strings.Cut(s, " ")
				if name == "" {
					break
				}
				out = append(out, buildArg{name: name})
				s = rest
				continue
			}
			break
		}
		s = s[len(m[0]):]
		end := -1
		if last := n >= 0 && len(out) == n-1; last {
			end = a.commandStart(s)
		} else {
			end = a.nextName(s, n >= 0)
		}
		if end < 0 {
			end = len(s)
		}
		out = append(out, buildArg{name: m[1], value: s[:end]})
		s = strings.TrimPrefix(s[end:], " ")
		if s == "" {
			break
		}
	}
	return out, s
}

// nextName is where the value at the start of s ends: the next " NAME="
// of a declared name, else (anyName) of any name; -1 when none.
func (a *argNames) nextName(s string, anyName bool) int {
	locs := nextArg.FindAllStringSubmatchIndex(s, -1)
	if a != nil && len(a.names) > 0 {
		for _, loc := range locs {
			if a.names[s[loc[2]:loc[3]]] {
				return loc[0]
			}
		}
		if !anyName {
			return -1
		}
	}
	if len(locs) > 0 {
		return locs[0][0]
	}
	return -1
}

// commandStart is where a RUN's last build argument ends: where its shell
// command starts, else at the next space (an exec form's command).
func (a *argNames) commandStart(s string) int {
	end := -1
	if a != nil {
		for _, sh := range a.shells {
			if i := strings.Index(s, sh); i >= 0 && (end < 0 || i < end) {
				end = i
			}
		}
	}
	if end < 0 {
		end = strings.IndexByte(s, ' ')
	}
	return end
}

// shortDigest is a digest's algorithm and first 12 hex digits.
func shortDigest(h v1.Hash) string {
	if h.Hex == "" {
		return "unknown digest"
	}
	return h.Algorithm + ":" + h.Hex[:min(12, len(h.Hex))]
}

// slashPath is a layer entry's name as an absolute slash path inside the
// image; it is never joined onto the local filesystem.
func slashPath(name string) string {
	return path.Clean("/" + strings.TrimPrefix(name, "./"))
}
