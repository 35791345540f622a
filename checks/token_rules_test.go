package checks

// gitleaks' detector is imported here only, as the reference that the
// rules of token_rules.go are matched against: a test's imports are not
// linked into the binary.

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lucasjones/reggen"
	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/cmd/generate/config/utils"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
)

// gitleaksModuleDir is the source of the gitleaks module go.mod requires,
// or "" when the go command cannot tell.
func gitleaksModuleDir(t testing.TB) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/zricethezav/gitleaks/v8").Output()
	if err != nil {
		t.Logf("go list: %v", err)
		return ""
	}
	return strings.TrimSpace(string(out))
}

// TestGitleaksRulesCopy checks that gitleaks.toml is the rule file of the
// gitleaks version go.mod requires.
func TestGitleaksRulesCopy(t *testing.T) {
	if gitleaksTOML != config.DefaultConfig {
		t.Errorf("checks/gitleaks.toml is not gitleaks' default configuration; copy it: " +
			"cp \"$(go list -m -f '{{.Dir}}' github.com/zricethezav/gitleaks/v8)/config/gitleaks.toml\" checks/ && chmod 644 checks/gitleaks.toml")
	}
}

// gitleaksDefault is gitleaks' own translation of its default rules.
func gitleaksDefault(t testing.TB) config.Config {
	logging.Logger = zerolog.Nop()
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		t.Fatal(err)
	}
	return d.Config
}

// TestTokenRuleDefinitions compares the loaded rules with gitleaks' own
// translation of the same file: every rule and allowlist, field by field.
func TestTokenRuleDefinitions(t *testing.T) {
	cfg := gitleaksDefault(t)
	set, err := loadTokenRules(gitleaksTOML)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.rules) != len(cfg.Rules) {
		t.Errorf("%d rules loaded, gitleaks has %d", len(set.rules), len(cfg.Rules))
	}
	for id, want := range cfg.Rules {
		got, ok := set.rules[id]
		if !ok {
			t.Errorf("rule %s not loaded", id)
			continue
		}
		wantPattern := ""
		if want.Regex != nil {
			wantPattern = want.Regex.String()
		}
		if got.pattern != wantPattern || got.pathScoped != (want.Path != nil) || got.secretGroup != want.SecretGroup ||
			got.entropy != want.Entropy || !slices.Equal(got.keywords, want.Keywords) {
			t.Errorf("rule %s: loaded %+v, gitleaks has %+v", id, got, want)
		}
		if len(want.RequiredRules) > 0 || want.SkipReport {
			t.Errorf("rule %s: multi-part rules are not matched", id)
		}
		compareAllowlists(t, id, got.allowlists, want.Allowlists)
	}
	compareAllowlists(t, "global", set.global, cfg.Allowlists)
	if _, err := loadTokenRules(gitleaksTOML + "\n[[rules]]\nid = \"x\"\nregex = \"x\"\nrequired = [{id = \"y\"}]\n"); err == nil {
		t.Error("a multi-part rule loads")
	}
}

func compareAllowlists(t *testing.T, id string, got []*tokenAllowlist, want []*config.Allowlist) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d allowlists, gitleaks has %d", id, len(got), len(want))
		return
	}
	for i, w := range want {
		g := got[i]
		var res []string
		for _, re := range w.Regexes {
			res = append(res, re.String())
		}
		wantPattern := ""
		if len(res) > 0 {
			wantPattern = "(?:" + strings.Join(res, "|") + ")"
		}
		stop := slices.Sorted(slices.Values(w.StopWords))
		if g.and != (w.MatchCondition == config.AllowlistMatchAnd) || g.target != w.RegexTarget || g.pattern != wantPattern ||
			!slices.Equal(slices.Sorted(slices.Values(g.stopWords)), stop) || g.scoped != (len(w.Paths)+len(w.Commits) > 0) {
			t.Errorf("%s: allowlist %d differs from gitleaks' %+v", id, i, w)
		}
	}
}

// gitleaksReference is one gitleaks detector over the kept rules, with the
// default global allowlists.
func gitleaksReference(t testing.TB) *detect.Detector {
	cfg := gitleaksDefault(t)
	kept := tokenFinder().rules
	cfg.Keywords = map[string]struct{}{}
	for id, r := range cfg.Rules {
		if kept[id] == nil {
			delete(cfg.Rules, id)
			continue
		}
		for _, k := range r.Keywords {
			cfg.Keywords[k] = struct{}{}
		}
	}
	return detect.NewDetector(cfg)
}

// finding is what both engines report of a finding, as gitleaks spells it:
// its 0-based line, the match and the secret.
type finding struct {
	Rule, Match, Secret string
	Line                int
}

func gitleaksFindings(d *detect.Detector, text string) []finding {
	var fs []finding
	for _, f := range d.DetectString(text) {
		if f.Secret != "" {
			fs = append(fs, finding{f.RuleID, f.Match, f.Secret, f.StartLine})
		}
	}
	return sortFindings(fs)
}

// ruleFindings runs the rules that s picks for text. memo holds the
// findings of the rules already run on text, by ID: the scanners compared
// load the same rule file and differ only in the rules they pick.
func ruleFindings(t *testing.T, s *tokenScanner, text string, memo map[string][]finding) []finding {
	var fs []finding
	for _, r := range s.candidates(text) {
		got, ok := memo[r.id]
		if !ok {
			for _, m := range r.matches(text, s.global) {
				secret := text[m.start:m.end]
				if !strings.Contains(text[m.matchStart:m.matchEnd], secret) || m.start < m.matchStart || m.end > m.matchEnd {
					t.Errorf("%s: secret [%d,%d) outside its match [%d,%d)", r.id, m.start, m.end, m.matchStart, m.matchEnd)
				}
				line := strings.Count(text[:min(m.from+1, len(text))], "\n")
				got = append(got, finding{r.id, text[m.matchStart:m.matchEnd], secret, line})
			}
			memo[r.id] = got
		}
		fs = append(fs, got...)
	}
	return sortFindings(fs)
}

func sortFindings(fs []finding) []finding {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Match != b.Match {
			return a.Match < b.Match
		}
		return a.Secret < b.Secret
	})
	return fs
}

// compareWithGitleaks checks that, on each text, the rules of the default
// scanner (our prefilter) and of one that picks rules as gitleaks does find
// what gitleaks' detector finds, and returns the rules that found something.
func compareWithGitleaks(t *testing.T, texts []string) map[string]bool {
	t.Helper()
	return compareEngines(t, gitleaksReference(t), tokenFinder(), newTokenScanner(gitleaksTOML, false), texts)
}

// raceTexts is how many texts compareEngines compares on at most under the
// race detector.
const raceTexts = 1000

// compareEngines compares on each distinct text, on every core: no text's
// comparison depends on another's.
func compareEngines(t *testing.T, ref *detect.Detector, prefiltered, plain *tokenScanner, texts []string) map[string]bool {
	t.Helper()
	texts = slices.Compact(slices.Sorted(slices.Values(texts)))
	if n := len(texts); raceDetector && n > raceTexts {
		// The race detector makes regular expressions about 15 times
		// slower, and what it looks for, a race between the workers
		// sharing the detector and the scanners, an even sample of the
		// texts shows as well; go test without -race compares them all.
		step := (n + raceTexts - 1) / raceTexts
		var sample []string
		for i := 0; i < n; i += step {
			sample = append(sample, texts[i])
		}
		texts = sample
		t.Logf("race detector: compared on one in %d of the %d distinct texts", step, n)
	}
	var (
		mu       sync.Mutex
		found    = map[string]bool{}
		next     atomic.Int64
		failures atomic.Int64
		wg       sync.WaitGroup
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for failures.Load() <= 10 {
				i := int(next.Add(1) - 1)
				if i >= len(texts) {
					return
				}
				text := texts[i]
				want := gitleaksFindings(ref, text)
				mu.Lock()
				for _, f := range want {
					found[f.Rule] = true
				}
				mu.Unlock()
				memo := map[string][]finding{}
				for _, v := range []struct {
					name string
					s    *tokenScanner
				}{{"prefiltered", prefiltered}, {"gitleaks-picked", plain}} {
					if got := ruleFindings(t, v.s, text, memo); !slices.Equal(want, got) {
						t.Errorf("%s rules differ from gitleaks on %.200q (-gitleaks +ours):\n%s", v.name, text, cmp.Diff(want, got))
						failures.Add(1)
					}
				}
			}
		})
	}
	wg.Wait()
	if failures.Load() > 10 {
		t.Fatal("too many differences")
	}
	t.Logf("compared on %d distinct texts", len(texts))
	return found
}

// TestTokenMatchesGitleaks compares with gitleaks' detector on texts
// generated from every rule's regexp, in the contexts gitleaks writes its
// own test samples in, near misses, and allow signatures.
func TestTokenMatchesGitleaks(t *testing.T) {
	var texts []string
	for _, tt := range findTokensTests {
		texts = append(texts, tt.text, strings.ToUpper(tt.text))
	}
	texts = append(texts, benchTexts...)
	s := tokenFinder()
	ids := slices.Sorted(maps.Keys(s.rules))
	for _, id := range ids {
		r := s.rules[id]
		g, err := reggen.NewGenerator(r.pattern)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		ident := id
		if len(r.keywords) > 0 {
			ident = r.keywords[0]
		}
		for seed := range int64(3) {
			g.SetSeed(seed)
			gen := g.Generate(3)
			samples := utils.GenerateSampleSecrets(ident, gen)
			sort.Strings(samples)
			texts = append(texts, samples...)
			texts = append(texts,
				gen, strings.ToUpper(gen), strings.ToLower(gen), gen[:len(gen)/2], gen[1:],
				"\n\n"+gen+"\n", "RUN echo x && \\\n  export TOKEN="+gen+" # gitleaks:allow",
				"x\n"+gen+"\r\n# gitleaks:allow", "# gitleaks:allow\n"+gen, gen+"\n"+gen+" gitleaks:allow",
				"RUN --mount=type=secret,id=a "+gen, "ENV A="+gen+" B="+gen,
			)
		}
	}
	found := compareWithGitleaks(t, texts)
	var missed []string
	for _, id := range ids {
		if !found[id] {
			missed = append(missed, id)
		}
	}
	if len(missed) > len(ids)/10 {
		t.Errorf("the generated texts hold tokens of only %d of %d rules; none of %v", len(ids)-len(missed), len(ids), missed)
	}
	t.Logf("%d texts; tokens of %d of %d rules (none of %v)", len(texts), len(ids)-len(missed), len(ids), missed)
}

// TestTokenMatchesGitleaksExamples compares with gitleaks' detector on the
// strings of gitleaks' rule definitions (their hand-written true and false
// positives among them), on this package's test data, file by file and
// line by line, and on the shared corpus when it is present.
func TestTokenMatchesGitleaksExamples(t *testing.T) {
	var texts []string
	if dir := gitleaksModuleDir(t); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "cmd", "generate", "config", "rules", "*.go"))
		fset := token.NewFileSet()
		for _, name := range files {
			f, err := parser.ParseFile(fset, name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						texts = append(texts, s, "RUN export X="+s)
					}
				}
				return true
			})
		}
		if len(texts) < 1000 {
			t.Errorf("only %d strings in gitleaks' rule definitions", len(texts))
		}
	} else {
		t.Log("gitleaks' source not found: its rule examples are not compared")
	}
	for _, dir := range []string{"testdata", "../testdata"} {
		texts = append(texts, readTexts(t, dir, true)...)
	}
	if dir := sharedCorpus(); dir != "" {
		texts = append(texts, readTexts(t, dir, false)...)
	} else {
		t.Log("no shared/corpus in the working directory or a parent: compared on gitleaks' examples and test data only")
	}
	found := compareWithGitleaks(t, texts)
	t.Logf("%d texts; tokens of %d rules", len(texts), len(found))
}

// sharedCorpus finds shared/corpus in the working directory or one of its
// parents; "" when there is none.
func sharedCorpus() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", "corpus")
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readTexts returns the text files under dir (up to 1 MiB), and their
// lines when lines is set.
func readTexts(t *testing.T, dir string, lines bool) []string {
	var texts []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		if info, err := d.Info(); err != nil || info.Size() > 1<<20 {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil || slices.Contains(b, 0) {
			return err
		}
		texts = append(texts, string(b))
		if lines {
			texts = append(texts, strings.Split(string(b), "\n")...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

// featureRules use what the default rules barely do: secret groups,
// entropy at its threshold, allowlists of matches, lines and stop words,
// conditions, global and targeted allowlists, matches around newlines.
const featureRules = `
[[allowlists]]
regexes = ['^GLOBALOK', '^\$\{[A-Z_]+}$']
stopwords = ["GlobalStop"]

[[allowlists]]
targetRules = ["target"]
regexes = ['TARGETED']

[[rules]]
id = "plain"
regex = 'tok_[a-z0-9]{8}'
keywords = ["tok_"]

[[rules]]
id = "group"
regex = '''(?i)(?:key|secret)\s*[=:]\s*["']?([a-z0-9_${}]{8,32})(["']?)'''
keywords = ["key", "Secret"]
[[rules.allowlists]]
regexTarget = "match"
regexes = ['(?i)secret\s*=\s*"']
[[rules.allowlists]]
regexTarget = "line"
regexes = ['--mount=type=secret']
[[rules.allowlists]]
stopwords = ["example"]

[[rules]]
id = "group2"
regex = 'id(\d*)-([a-z]*)-(x?)'
secretGroup = 2
keywords = ["id"]

[[rules]]
id = "firstgroup"
regex = 'fg(\d*)-([a-z]*)'
keywords = ["fg"]

[[rules]]
id = "entropy"
regex = 'ent_([a-z]{8,9})'
entropy = 3.0
keywords = ["ent_"]

[[rules]]
id = "and"
regex = 'and_[a-z0-9]{6}'
keywords = ["and_"]
[[rules.allowlists]]
condition = "AND"
regexes = ['^and_0']
stopwords = ["zz"]
[[rules.allowlists]]
condition = "&&"
paths = ['.*']
regexes = ['^and_1']
[[rules.allowlists]]
condition = "||"
regexTarget = "secret"
regexes = ['^and_2']

[[rules]]
id = "target"
regex = 'tgt_[A-Z]{7,8}'
keywords = ["tgt_"]

[[rules]]
id = "multiline"
regex = '(?s)\n*BEGIN.{0,20}?END\n*'
keywords = ["begin"]

[[rules]]
id = "nokeyword"
regex = 'NOKW[0-9]{4}'

[[rules]]
id = "scoped"
regex = 'scp_[0-9]{4}'
path = '.*'
keywords = ["scp_"]
`

// TestTokenRuleFeaturesMatchGitleaks compares with gitleaks' detector over
// featureRules, each loaded by its own engine.
func TestTokenRuleFeaturesMatchGitleaks(t *testing.T) {
	logging.Logger = zerolog.Nop()
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(featureRules)); err != nil {
		t.Fatal(err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		t.Fatal(err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	// FindTokens has no path: a rule scoped to one never matches.
	delete(cfg.Rules, "scoped")
	texts := []string{
		"tok_abcd1234", "TOK_ABCD1234 tok_abcd1234", "x tok_abcd1234 # gitleaks:allow", "tok_abcd1234\n# gitleaks:allow",
		"a\nb\ntok_abcd1234\r\n# gitleaks:allow", "# gitleaks:allow\na\ntok_abcd1234", "a\ntok_abcd1234\nb # gitleaks:allow",
		"api_key = abcdef123456", `secret = "abcdef123456"`, "secret: 'abcdef123456'", "KEY=${API_TOKEN}", "key=GLOBALOKabcdef",
		"key=my_example_value", "key=GlobalStop_123", "RUN --mount=type=secret,id=a key=abcdef123456",
		"RUN x\nkey=abcdef123456 --mount=type=secret", "key=abcdef123456\nRUN --mount=type=secret",
		"id12-abc-x", "id-abc-", "id12--x", "ID9-Q-", "fg12-abc", "fg-", "fg12-", "fg-abc",
		"ent_abcdefgh", "ent_abcdefghi", "ent_aabbccdd", "and_0abczz", "and_0abcde", "and_1abcde", "and_2abcde", "and_3abcde",
		"tgt_ABCDEFG", "tgt_TARGETED", "NOKW1234", "scp_1234",
		"x\nBEGIN abc END\ny", "\n\nBEGIN abc END\n\n", "a\n\nBEGIN\nEND", "BEGIN a END\nBEGIN b END # gitleaks:allow", "x # gitleaks:allow\n\nBEGIN a END",
	}
	found := compareEngines(t, detect.NewDetector(cfg), newTokenScanner(featureRules, true), newTokenScanner(featureRules, false), texts)
	for id := range cfg.Rules {
		if !found[id] {
			t.Errorf("rule %s found nothing: the texts do not exercise it", id)
		}
	}
}

func TestGitleaksLine(t *testing.T) {
	for _, tt := range []struct {
		text       string
		start, end int
		want       string
	}{
		{"abc", 1, 2, "abc"},
		{"ab\ncd\nef", 0, 1, "ab"},
		{"ab\ncd\nef", 3, 4, "\ncd"},
		{"ab\ncd\nef", 2, 4, "\ncd"},
		{"ab\ncd\nef", 1, 4, "ab\ncd"},
		// Past the last newline: from the start of the text.
		{"ab\ncd\nef\r\ngh", 11, 12, "ab\ncd\nef\r\ngh"},
		{"ab\ncd\nef\rx", 6, 7, "ab\ncd\nef"},
		{"ab\ncd\n", 6, 6, "ab\ncd\n"},
	} {
		if got := gitleaksLine(tt.text, tt.start, tt.end); got != tt.want {
			t.Errorf("gitleaksLine(%q, %d, %d) = %q, want %q", tt.text, tt.start, tt.end, got, tt.want)
		}
	}
}
