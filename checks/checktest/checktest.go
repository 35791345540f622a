// Package checktest runs one rule over trees of test files annotated with
// the findings they should produce, in the style of go/analysis's
// analysistest.
//
// A comment line `# want "regexp"` in a Dockerfile, an ignore file or a
// YAML file (a workflow, a Compose file) expects a finding whose message
// matches on the next line; `# want +N "regexp"` on
// the Nth line down. Several quoted regexps expect several findings.
// Dockerfiles have no end-of-line comments, hence the line above. Findings
// without a want, and wants without a finding, fail the test, and so does
// any output field that holds a secret the rule reported.
package checktest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// Run runs rule over every case folder in dir (each sub-folder is a small
// repository; files directly in dir form one more case) and checks the
// findings against the want annotations.
func Run(t *testing.T, rule *checks.Rule, dir string) {
	t.Helper()
	RunRules(t, dir, rule)
}

// RunRules is Run with several rules at once, for cases whose want
// annotations expect the findings of each: a refused Dockerfile's
// parse-error and the secrets found in its raw text.
func RunRules(t *testing.T, dir string, rules ...*checks.Rule) {
	t.Helper()
	for _, c := range caseDirs(t, dir) {
		t.Run(filepath.Base(c), func(t *testing.T) { runCase(t, rules, c, c == dir) })
	}
}

func runCase(t *testing.T, rules []*checks.Rule, dir string, flat bool) {
	t.Helper()
	var mu sync.Mutex
	var secrets []string
	spies := make([]*checks.Rule, len(rules))
	for i, rule := range rules {
		spy := *rule
		spy.Check = func(p *checks.Pass) {
			q := checks.NewPass(rule, p.Dockerfile, p.Ignore, p.Settings, func(f checks.Finding) {
				if len(f.Secret) >= 6 {
					mu.Lock()
					secrets = append(secrets, f.Secret)
					mu.Unlock()
				}
				p.Report(f)
			})
			q.Context, q.Contexts, q.Builds, q.State = p.Context, p.Contexts, p.Builds, p.State
			rule.Check(q)
		}
		spies[i] = &spy
	}
	fsys := os.DirFS(dir)
	paths := []string{"."}
	if flat {
		// Only the files of the flat case; its sub-folders are cases of their own.
		paths = nil
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() {
				paths = append(paths, e.Name())
			}
		}
	}
	res, err := scan.Scan(context.Background(), fsys, paths, scan.Options{Rules: spies})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	for _, p := range res.Problems {
		if p.Level == checks.Error {
			t.Errorf("scan problem: %s", p.Message)
		}
	}
	wants := map[string][]*want{}
	for _, f := range append(res.Files, yamlFiles(fsys, paths)...) {
		ws, err := readWants(fsys, f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		wants[f] = ws
	}
	for _, f := range res.Findings {
		if f.Suppressed != nil {
			continue
		}
		if !match(wants[f.Path], f) {
			t.Errorf("%s:%d: unexpected finding: %s: %s", f.Path, f.Region.StartLine, f.RuleID, f.Message)
		}
		for _, s := range secrets {
			fields := []string{f.Snippet, f.Evidence, suggestion(f)}
			if !scan.IsPlainWord(s) {
				// A plain word in a rule's prose is the rule's own word.
				fields = append(fields, f.Message, f.Fix)
			}
			for _, field := range fields {
				if piece := leakedPiece(field, s); piece != "" {
					t.Errorf("%s:%d: output holds %q of the secret %q: %q", f.Path, f.Region.StartLine, piece, scan.Redact(s), field)
				}
			}
		}
	}
	paths = paths[:0]
	for p := range wants {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		for _, w := range wants[p] {
			if !w.matched {
				t.Errorf("%s:%d: no finding matched %q", p, w.line, w.re)
			}
		}
	}
}

// yamlFiles lists the YAML files under paths: workflows and Compose files,
// whose want annotations expect the findings placed on the builds they run.
func yamlFiles(fsys fs.FS, paths []string) []string {
	var out []string
	for _, root := range paths {
		fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) {
				out = append(out, p)
			}
			return nil
		})
	}
	return out
}

// leakedPiece returns the secret, or 12 bytes of it past the four that
// its redacted form shows, when field holds them: a secret written in
// pieces (over a line continuation, in quotes, with escapes) is not in the
// file as one string.
func leakedPiece(field, secret string) string {
	if strings.Contains(field, secret) {
		return secret
	}
	const n = 12
	if scan.IsPlainWord(secret) {
		return ""
	}
	for i := 4; i+n <= len(secret); i++ {
		if p := secret[i : i+n]; strings.Contains(field, p) {
			return p
		}
	}
	return ""
}

func suggestion(f scan.Finding) string {
	if f.Suggestion == nil {
		return ""
	}
	var texts []string
	for _, e := range f.Suggestion.Edits() {
		texts = append(texts, e.Text)
	}
	return strings.Join(texts, "\n")
}

type want struct {
	line    int
	re      *regexp.Regexp
	matched bool
}

func match(ws []*want, f scan.Finding) bool {
	for _, w := range ws {
		if !w.matched && w.line == f.Region.StartLine && w.re.MatchString(f.Message) {
			w.matched = true
			return true
		}
	}
	return false
}

var wantRE = regexp.MustCompile(`^\s*#\s*want(?:\s+\+(\d+))?\s+(.*)$`)

// readWants parses the want annotations of one file.
func readWants(fsys fs.FS, name string) ([]*want, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var out []*want
	for i, line := range checks.SplitLines(b) {
		m := wantRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		offset := 1
		if m[1] != "" {
			offset, _ = strconv.Atoi(m[1])
		}
		rest := strings.TrimSpace(m[2])
		for rest != "" {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return nil, &wantError{line: i + 1, text: rest}
			}
			pat, _ := strconv.Unquote(q)
			re, err := regexp.Compile(pat)
			if err != nil {
				return nil, &wantError{line: i + 1, text: pat}
			}
			out = append(out, &want{line: i + 1 + offset, re: re})
			rest = strings.TrimSpace(rest[len(q):])
		}
	}
	return out, nil
}

type wantError struct {
	line int
	text string
}

func (e *wantError) Error() string {
	return "line " + strconv.Itoa(e.line) + ": malformed want annotation: " + e.text
}

// CheckWants compares findings made outside a scan (config-weakened's come
// from comparing two configurations) with the want annotations of the file
// name in fsys, and fails t on an unexpected finding or an unmatched want.
func CheckWants(t *testing.T, fsys fs.FS, name string, findings []scan.Finding) {
	t.Helper()
	ws, err := readWants(fsys, name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for _, f := range findings {
		if f.Path != name || !match(ws, f) {
			t.Errorf("%s:%d: unexpected finding: %s: %s", f.Path, f.Region.StartLine, f.RuleID, f.Message)
		}
	}
	for _, w := range ws {
		if !w.matched {
			t.Errorf("%s:%d: no finding matched %q", name, w.line, w.re)
		}
	}
}
