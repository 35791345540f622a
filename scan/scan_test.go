package scan

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stowaway-dev/stowaway/checks"
)

// envRule reports every ENV value as a secret. It borrows parse-error's ID
// so that pragmas naming it are valid.
var envRule = &checks.Rule{
	ID: checks.ParseError.ID, Name: "EnvRule", Level: checks.Error, Precision: "high",
	SecuritySeverity: "9.0", Summary: "Test rule", Help: "## Bad\n## Good",
	Check: func(p *checks.Pass) {
		if p.Dockerfile == nil {
			return
		}
		for _, in := range p.Dockerfile.Instructions {
			env, ok := in.Command.(*instructions.EnvCommand)
			if !ok {
				continue
			}
			for _, kv := range env.Env {
				p.Report(checks.Finding{
					Span:    p.Dockerfile.Locate(in, kv.Value),
					Message: "ENV " + kv.Key + " holds " + kv.Value,
					Secret:  kv.Value,
				})
			}
		}
	},
}

func scanMap(t *testing.T, files fstest.MapFS, opts Options) *Result {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = []*checks.Rule{envRule, checks.InvalidPragma}
	}
	res, err := Scan(context.Background(), files, []string{"."}, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRedactEverywhere(t *testing.T) {
	const secret = "ghp_EXAMPLEexampleEXAMPLEexample01234567"
	res := scanMap(t, fstest.MapFS{
		"Dockerfile": {Data: []byte("FROM alpine\nENV A=" + secret + " B=other-secret-value\n")},
	}, Options{})
	if len(res.Findings) != 2 {
		t.Fatalf("got %d findings, want 2", len(res.Findings))
	}
	for _, f := range res.Findings {
		for _, field := range []string{f.Message, f.Snippet, f.Evidence, f.Fix} {
			if strings.Contains(field, secret) || strings.Contains(field, "other-secret-value") {
				t.Errorf("field holds a secret: %q", field)
			}
		}
	}
	if got, want := res.Findings[0].Evidence, "ghp_…(40 chars)"; got != want {
		t.Errorf("Evidence = %q, want %q", got, want)
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"AKIAIOSFODNN7EXAMPLE", "AKIA…(20 chars)"},
		{"hunter2", "…(7 chars)"},
		{"pässwörtpässwört", "päss…(16 chars)"},
		{"", "…(0 chars)"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRegionUTF16(t *testing.T) {
	lines := []string{"ENV A=x", "ENV 😀=é secret", "\tRUN x  "}
	for _, tc := range []struct {
		span checks.Span
		want Region
	}{
		// The emoji is 4 bytes and 2 UTF-16 units, é is 2 bytes and 1 unit.
		{checks.Span{Line: 2, Col: 13, EndLine: 2, EndCol: 19}, Region{2, 10, 2, 16}},
		{checks.Span{Line: 3, EndLine: 3}, Region{3, 2, 3, 7}},
		{checks.Span{Line: 9, EndLine: 9}, Region{3, 2, 3, 7}},
	} {
		if diff := cmp.Diff(tc.want, resolve(lines, tc.span)); diff != "" {
			t.Errorf("resolve(%v) (-want +got):\n%s", tc.span, diff)
		}
	}
}

func TestPragmas(t *testing.T) {
	res := scanMap(t, fstest.MapFS{
		"Dockerfile": {Data: []byte(`FROM alpine
# stowaway:ignore parse-error -- a public test value
ENV A=suppressed-value
ENV B=reported-value
# stowaway:ignore parse-error -- stale
RUN echo nothing here
# stowaway:ignore parse-error
ENV C=no-reason-so-reported
`)},
	}, Options{})
	type row struct {
		Line       int
		Rule       string
		Suppressed bool
	}
	var got []row
	for _, f := range res.Findings {
		got = append(got, row{f.Region.StartLine, f.RuleID, f.Suppressed != nil})
	}
	want := []row{
		{3, "parse-error", true},
		{4, "parse-error", false},
		{5, "invalid-pragma", false},
		{7, "invalid-pragma", false},
		{8, "parse-error", false},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if r := res.Findings[0].Suppressed.Reason; r != "a public test value" {
		t.Errorf("reason = %q", r)
	}
}

func TestBuildKitCheckSkip(t *testing.T) {
	rule := *envRule
	rule.ID = "secret-env"
	res := scanMap(t, fstest.MapFS{
		"Dockerfile": {Data: []byte("# check=skip=SecretsUsedInArgOrEnv\nFROM alpine\nENV A=value\n")},
	}, Options{Rules: []*checks.Rule{&rule}})
	if len(res.Findings) != 1 || res.Findings[0].Suppressed == nil {
		t.Fatalf("want one suppressed finding, got %+v", res.Findings)
	}
}

// TestBuildKitSkipAll checks that `# check=skip=all`, which turns off
// BuildKit's own checks, suppresses the rules those checks cover and no
// other: a Dockerfile that quiets BuildKit's linter still gets Stowaway.
func TestBuildKitSkipAll(t *testing.T) {
	env := *envRule
	env.ID = "secret-env"
	other := *envRule
	other.ID = "hardcoded-secret"
	res := scanMap(t, fstest.MapFS{
		"Dockerfile": {Data: []byte("# check=skip=all\nFROM alpine\nENV A=value\n")},
	}, Options{Rules: []*checks.Rule{&env, &other}})
	got := map[string]bool{}
	for _, f := range res.Findings {
		got[f.RuleID] = f.Suppressed != nil
	}
	if want := map[string]bool{"secret-env": true, "hardcoded-secret": false}; !maps.Equal(got, want) {
		t.Errorf("suppressed by rule = %v, want %v", got, want)
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		name, src, err string
	}{
		{"empty", "", ""},
		{"full", "rules:\n  parse-error: off\n  invalid-pragma: error\nsecret-words: [passphrase]\nallow:\n  values: ['^dummy']\n  paths: ['test/**']\ncontexts:\n  api/Dockerfile: .\ntargets:\n  Dockerfile: [release]\n", ""},
		{"unknown key", "rule:\n  parse-error: off\n", "field rule not found"},
		{"unknown rule", "rules:\n  secret-envs: off\n", `unknown rule "secret-envs"`},
		{"retired rule", "rules:\n  dockerignore-gap: off\n", "dockerignore-gap is retired: its cases are reported by broad-copy and context-secret-shipped"},
		{"bad level", "rules:\n  parse-error: loud\n", `unknown setting "loud"`},
		{"bad regexp", "allow:\n  values: ['(']\n", "allow.values"},
		{"escaping context", "contexts:\n  Dockerfile: ../other\n", "inside the repository"},
		{"two words", "secret-words: ['two words']\n", "not a single word"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig(".stowaway.yml", []byte(tc.src))
			if tc.err == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("error = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

func TestConfigApplied(t *testing.T) {
	files := fstest.MapFS{
		".stowaway.yml":           {Data: []byte("rules:\n  parse-error: warning\nallow:\n  values: ['^dummy-']\n  paths: ['test/**']\n")},
		"Dockerfile":              {Data: []byte("FROM alpine\nENV A=real-value B=dummy-value\n")},
		"test/fixture/Dockerfile": {Data: []byte("FROM alpine\nENV A=fixture-value\n")},
	}
	res := scanMap(t, files, Options{})
	if len(res.Findings) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(res.Findings), res.Findings)
	}
	if f := res.Findings[0]; f.Level != checks.Warning || f.Path != "Dockerfile" {
		t.Errorf("got %s at %s, want a warning in Dockerfile", f.Level, f.Path)
	}
}

func TestDiscovery(t *testing.T) {
	files := fstest.MapFS{
		"Dockerfile":                  {Data: []byte("FROM a\n")},
		"api/Dockerfile.dev":          {Data: []byte("FROM a\n")},
		"api/Dockerfile.dockerignore": {Data: []byte(".env\n")},
		"api/Dockerfile.md":           {Data: []byte("# docs\n")},
		"web/app.dockerfile":          {Data: []byte("FROM a\n")},
		"web/Containerfile":           {Data: []byte("FROM a\n")},
		"web/.dockerignore":           {Data: []byte(".git\n")},
		"node_modules/x/Dockerfile":   {Data: []byte("FROM a\n")},
		"vendor/y/Dockerfile":         {Data: []byte("FROM a\n")},
		".git/Dockerfile":             {Data: []byte("FROM a\n")},
		"bin/Dockerfile":              {Data: []byte("FROM a\x00\x01\x02")},
		"big/Dockerfile":              {Data: []byte("FROM a\n" + strings.Repeat("#", MaxFileSize))},
	}
	res := scanMap(t, files, Options{})
	want := []string{"Dockerfile", "api/Dockerfile.dev", "api/Dockerfile.dockerignore", "big/Dockerfile", "bin/Dockerfile", "web/.dockerignore", "web/Containerfile", "web/app.dockerfile"}
	if diff := cmp.Diff(want, res.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	var problems []string
	for _, p := range res.Problems {
		problems = append(problems, p.Path)
	}
	if diff := cmp.Diff([]string{"big/Dockerfile", "bin/Dockerfile"}, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	ctx := map[string]string{}
	for _, c := range res.Contexts {
		ctx[c.Dockerfile] = c.Ignore
	}
	if got := ctx["api/Dockerfile.dev"]; got != "" {
		t.Errorf("api/Dockerfile.dev ignore = %q, want none (Dockerfile.dockerignore belongs to Dockerfile)", got)
	}
	if got := ctx["web/Containerfile"]; got != "web/.dockerignore" {
		t.Errorf("web/Containerfile ignore = %q", got)
	}
}

func TestSymlinkOutOfTree(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "Dockerfile"), []byte("FROM a\nENV A=outside-value\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "Dockerfile"), filepath.Join(dir, "Dockerfile")); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "etc")); err != nil {
		t.Fatal(err)
	}
	for name, fsys := range map[string]fs.FS{"os.Root": openRoot(t, dir), "OpenRoot": openScanRoot(t, dir)} {
		res, err := Scan(context.Background(), fsys, []string{"."}, Options{Rules: []*checks.Rule{envRule}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 0 {
			t.Errorf("%s: followed a link out of the tree: %+v", name, res.Findings)
		}
		if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "symbolic link") {
			t.Errorf("%s: problems = %+v, want one about the link", name, res.Problems)
		}
	}
}

func TestParseFailureIsAFinding(t *testing.T) {
	res := scanMap(t, fstest.MapFS{
		"Dockerfile": {Data: []byte("FROM alpine\nENV\nENV A=still-checked\n")},
	}, Options{Rules: []*checks.Rule{checks.ParseError, {
		ID: "x", Name: "X", Level: checks.Error, Precision: "high", SecuritySeverity: "1.0", Summary: "s", Help: "h",
		Check: envRule.Check,
	}}})
	var rules []string
	for _, f := range res.Findings {
		rules = append(rules, f.RuleID)
	}
	if diff := cmp.Diff([]string{"parse-error", "x"}, rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestRulePanicIsAProblem(t *testing.T) {
	bad := *envRule
	bad.Check = func(*checks.Pass) { panic("boom") }
	res := scanMap(t, fstest.MapFS{"Dockerfile": {Data: []byte("FROM a\n")}}, Options{Rules: []*checks.Rule{&bad}})
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Message, "internal error") {
		t.Errorf("problems = %+v", res.Problems)
	}
}

func TestFingerprintSurvivesLineShift(t *testing.T) {
	a := scanMap(t, fstest.MapFS{"Dockerfile": {Data: []byte("FROM a\nENV A=value-one\n")}}, Options{})
	b := scanMap(t, fstest.MapFS{"Dockerfile": {Data: []byte("FROM a\n\nRUN echo\nENV   A=value-one\n")}}, Options{})
	if a.Findings[0].Fingerprint != b.Findings[0].Fingerprint {
		t.Errorf("fingerprint changed with a line shift: %s vs %s", a.Findings[0].Fingerprint, b.Findings[0].Fingerprint)
	}
}

// A RUN script the shell parser refuses has unknown effects: a note says
// so, and nothing is guessed from it.
func TestUnreadRunIsANote(t *testing.T) {
	// Only a RUN that a rule needs is parsed (here: it mounts a secret);
	// the same script with nothing a rule reads gives no note.
	df := "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n" +
		"SHELL [\"powershell\", \"-Command\"]\n" +
		"RUN --mount=type=secret,id=t $url = ('https://example.com/{0}' -f $env:V); Invoke-WebRequest -Uri $url -OutFile app.zip\n" +
		"RUN $url = ('https://example.com/{0}' -f $env:V); Invoke-WebRequest -Uri $url -OutFile app.zip\n" +
		"RUN Write-Host ok\n"
	res := scanMap(t, fstest.MapFS{"Dockerfile": {Data: []byte(df)}}, Options{Rules: []*checks.Rule{checks.SecretMountPersisted}})
	var notes []string
	for _, p := range res.Problems {
		notes = append(notes, p.Level.String()+": "+p.Message)
	}
	want := []string{"note: Dockerfile: the shell parser cannot read the RUN on line 3; the files it writes are not checked"}
	if diff := cmp.Diff(want, notes); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestBuildKitErrorDirective checks that `# check=error=true`, with which
// BuildKit fails the build on a check warning, raises the file's warnings
// to errors and leaves notes, other files and files without it alone.
func TestBuildKitErrorDirective(t *testing.T) {
	warn := *envRule
	warn.ID, warn.Level = "secret-env", checks.Warning
	note := *envRule
	note.ID, note.Level = "hardcoded-secret", checks.Note
	res := scanMap(t, fstest.MapFS{
		"Dockerfile":       {Data: []byte("# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended;error=true\nFROM alpine\nENV A=value\n")},
		"other/Dockerfile": {Data: []byte("FROM alpine\nENV A=value\n")},
	}, Options{Rules: []*checks.Rule{&warn, &note}})
	got := map[string]checks.Level{}
	for _, f := range res.Findings {
		got[f.Path+" "+f.RuleID] = f.Level
	}
	want := map[string]checks.Level{
		"Dockerfile secret-env":             checks.Error,
		"Dockerfile hardcoded-secret":       checks.Note,
		"other/Dockerfile secret-env":       checks.Warning,
		"other/Dockerfile hardcoded-secret": checks.Note,
	}
	if !maps.Equal(got, want) {
		t.Errorf("levels = %v, want %v", got, want)
	}
}

// TestSwitches checks that rules turned on or off win over the
// configuration's rules: section, and that a rule turned on keeps the level
// the configuration gives it.
func TestSwitches(t *testing.T) {
	env := *envRule
	env.ID = "secret-env"
	arg := *envRule
	arg.ID = "secret-arg"
	other := *envRule
	other.ID = "hardcoded-secret"
	files := fstest.MapFS{
		".stowaway.yml": {Data: []byte("rules:\n  secret-env: off\n  secret-arg: warning\n  hardcoded-secret: note\n")},
		"Dockerfile":    {Data: []byte("FROM alpine\nENV A=value\n")},
	}
	levels := func(switches map[string]bool) map[string]checks.Level {
		got := map[string]checks.Level{}
		res := scanMap(t, files, Options{Rules: []*checks.Rule{&env, &arg, &other}, Switches: switches})
		for _, f := range res.Findings {
			got[f.RuleID] = f.Level
		}
		return got
	}
	if got, want := levels(nil), map[string]checks.Level{"secret-arg": checks.Warning, "hardcoded-secret": checks.Note}; !maps.Equal(got, want) {
		t.Errorf("without switches: %v, want %v", got, want)
	}
	got := levels(map[string]bool{"secret-env": true, "secret-arg": true, "hardcoded-secret": false})
	if want := map[string]checks.Level{"secret-env": checks.Error, "secret-arg": checks.Warning}; !maps.Equal(got, want) {
		t.Errorf("with switches: %v, want %v", got, want)
	}
}

// TestRootConfigNames: without Options.Config, Scan reads the root's
// configuration under either name, as the command line finds it, refuses
// both names at once, and names the file it read as the source of the
// contexts it sets.
func TestRootConfigNames(t *testing.T) {
	const cfg = "rules:\n  parse-error: warning\ncontexts:\n  api/Dockerfile: .\n"
	df := []byte("FROM alpine\nENV A=real-value\n")
	for _, name := range ConfigNames {
		t.Run(name, func(t *testing.T) {
			res := scanMap(t, fstest.MapFS{name: {Data: []byte(cfg)}, "api/Dockerfile": {Data: df}}, Options{})
			if len(res.Findings) != 1 || res.Findings[0].Level != checks.Warning {
				t.Errorf("findings %+v, want one warning: %s not applied", res.Findings, name)
			}
			if len(res.Contexts) != 1 || res.Contexts[0].Dir != "." || res.Contexts[0].From != name {
				t.Errorf("contexts %+v, want api/Dockerfile -> . from %s", res.Contexts, name)
			}
		})
	}
	_, err := Scan(context.Background(), fstest.MapFS{
		".stowaway.yml": {Data: []byte(cfg)}, ".stowaway.yaml": {Data: []byte(cfg)}, "api/Dockerfile": {Data: df},
	}, []string{"."}, Options{Rules: []*checks.Rule{envRule}})
	if want := ".stowaway.yml and .stowaway.yaml are both present: keep one"; err == nil || err.Error() != want {
		t.Errorf("both names: error %v, want %q", err, want)
	}
}

// TestRelocateContextSources: Relocate moves the Compose, workflow or
// configuration file a context comes from, and leaves "default" alone.
func TestRelocateContextSources(t *testing.T) {
	res := &Result{Contexts: []BuildContext{
		{Dockerfile: "a/Dockerfile", Dir: "a", From: "default"},
		{Dockerfile: "b/Dockerfile", Dir: ".", From: "docker-compose.yml"},
		{Dockerfile: "c/Dockerfile", Dir: ".", From: ".stowaway.yaml"},
	}}
	res.Rebase("repo")
	var got []string
	for _, c := range res.Contexts {
		got = append(got, c.Dockerfile+" "+c.Dir+" "+c.From)
	}
	want := []string{"repo/a/Dockerfile repo/a default", "repo/b/Dockerfile repo repo/docker-compose.yml", "repo/c/Dockerfile repo repo/.stowaway.yaml"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
}
