package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/review/github/ghtest"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

const (
	headSHA   = "1111111111111111111111111111111111111111"
	secondSHA = "2222222222222222222222222222222222222222"
)

var testRule = &checks.Rule{ID: "secret-env", Name: "SecretEnv", Level: checks.Error, Summary: "Secret value stored in an ENV instruction"}

// finding is a finding on one line as the engine hands it over: redacted,
// fingerprinted.
func finding(path string, line int, key string) scan.Finding {
	return scantest.EnvFinding(testRule, path, line, key)
}

// placed is where a comment sits.
type placed struct {
	Path            string
	StartLine, Line int
}

func TestPlaceComment(t *testing.T) {
	added, err := ParsePatch("@@ -1,2 +1,6 @@\n FROM alpine\n+ARG NPM_TOKEN\n+ENV A=b\n+RUN npm ci\n+COPY . .\n RUN true")
	if err != nil {
		t.Fatal(err)
	}
	cf := &ChangedFile{Path: "Dockerfile", added: added}
	withSuggestion := func(line, start, end int, text string) *scan.Finding {
		f := finding("Dockerfile", line, "NPM_TOKEN")
		if start > 0 {
			f.Suggestion = &checks.Suggestion{StartLine: start, EndLine: end, Text: text}
		}
		return &f
	}
	// The engine says which suggestions hold a redacted value.
	redacted := func(f *scan.Finding) *scan.Finding {
		f.Suggestion.Redacted = true
		return f
	}
	tests := []struct {
		name           string
		f              *scan.Finding
		start, line    int
		applicable, ok bool
	}{
		{"a finding on an added line", withSuggestion(3, 0, 0, ""), 0, 3, false, true},
		{"a suggestion on the finding's line", withSuggestion(2, 2, 2, "ARG X"), 0, 2, true, true},
		{"a suggestion around the finding takes the comment", withSuggestion(2, 2, 4, "RUN --mount=type=secret,id=npm npm ci"), 2, 4, true, true},
		{"a suggestion elsewhere in the diff stays plain", withSuggestion(2, 5, 5, "COPY src/ src/"), 0, 2, false, true},
		{"a finding off the diff with its fix in the diff", withSuggestion(6, 4, 4, "RUN npm ci"), 0, 0, false, false},
		{"a suggestion holding a redacted value is never applicable", redacted(withSuggestion(2, 2, 3, "ARG X\nENV A=ghp_…(40 chars)")), 0, 2, false, true},
		{"off the diff", withSuggestion(6, 0, 0, ""), 0, 0, false, false},
	}
	// The ARG's fix also changes the RUN two lines down: the comment stays on
	// the ARG, deletes it, and shows the RUN's new line.
	withAlso := withSuggestion(2, 2, 2, "")
	withAlso.Suggestion.Also = []checks.Edit{{StartLine: 4, EndLine: 4, Text: "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci"}}
	redactedAlso := withSuggestion(2, 2, 2, "")
	redactedAlso.Suggestion.Also = []checks.Edit{{StartLine: 4, EndLine: 4, Text: "RUN npm ci --token=npm_…(40 chars)"}}
	redactedAlso.Suggestion.Redacted = true
	tests = append(tests, []struct {
		name           string
		f              *scan.Finding
		start, line    int
		applicable, ok bool
	}{
		{"a fix over two instructions: the comment on the finding's", withAlso, 0, 2, true, true},
		{"a redacted value in another edit of the fix", redactedAlso, 0, 2, false, true},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := Place(tt.f, cf)
			if ok != tt.ok {
				t.Fatalf("placed: %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if got := (placed{d.Path, d.StartLine, d.Line}); got != (placed{"Dockerfile", tt.start, tt.line}) {
				t.Errorf("comment at %+v, want lines %d-%d", got, tt.start, tt.line)
			}
			if got := strings.Contains(d.Body, "```suggestion"); got != tt.applicable {
				t.Errorf("suggestion block: %v, want %v\n%s", got, tt.applicable, d.Body)
			}
		})
	}
}

func TestReviewJudgesOnlyItsScope(t *testing.T) {
	r := Run{Paths: []string{"services/api", ".stowaway.yml"}, Unjudged: []string{"services/api/big/Dockerfile"}}
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"services/api/Dockerfile", true},
		{".stowaway.yml", true},
		{"services/api", true},
		{"services/apiary/Dockerfile", false},
		{"web/Dockerfile", false},
		{"services/api/big/Dockerfile", false},
	} {
		if got := r.judges(tt.path); got != tt.want {
			t.Errorf("judges(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	for _, tt := range []struct {
		earlier []string
		want    bool
	}{
		{[]string{"services/api/web"}, true},
		{nil, false}, // a review that did not record its paths covered the whole tree
		{[]string{"."}, false},
		{[]string{"services/api"}, false}, // holds a file this run could not fully analyse
		{[]string{".stowaway.yml"}, true},
	} {
		if got := r.judgesAll(tt.earlier); got != tt.want {
			t.Errorf("judgesAll(%q) = %v, want %v", tt.earlier, got, tt.want)
		}
	}
	if whole := (Run{}); !whole.judgesAll(nil) || !whole.judges("any/Dockerfile") {
		t.Error("a run over the whole tree does not judge everything")
	}
}

// TestInlineBodyShowsTheRestOfTheFix checks the body of a comment whose fix
// also changes another instruction: an empty suggestion block deletes the
// commented line, and the other change is shown, not suggested.
func TestInlineBodyShowsTheRestOfTheFix(t *testing.T) {
	f := finding("Dockerfile", 2, "NPM_TOKEN")
	f.Suggestion = &checks.Suggestion{StartLine: 2, EndLine: 2,
		Also: []checks.Edit{{StartLine: 4, EndLine: 5, Text: "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci \\\n  && rm -f ~/.npmrc"}}}
	body := inlineBody(&f, true)
	wantContains := []string{
		"\n```suggestion\n```\n",
		"In the same commit, replace lines 4–5 with this (a suggestion covers only the lines of its comment):\n\n```dockerfile\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci \\\n  && rm -f ~/.npmrc\n```\n",
	}
	for _, w := range wantContains {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %q:\n%s", w, body)
		}
	}
	if n := strings.Count(body, "```suggestion"); n != 1 {
		t.Errorf("%d suggestion blocks, want 1:\n%s", n, body)
	}
}

func TestReviewBodyStaysUnderGitHubsLimit(t *testing.T) {
	var entries []bodyEntry
	for i := range 3000 {
		f := finding("Dockerfile", i+1, strings.Repeat("K", 40)+string(rune('a'+i%26))+strings.Repeat("x", i%50))
		// No fingerprint: the marker key falls back to rule, path and
		// message, which the number makes unique.
		f.Fingerprint = ""
		f.Message += fmt.Sprintf(" (%d)", i)
		entries = append(entries, bodyEntry{&f, "not on a line this pull request adds"})
	}
	body := reviewBody(bodyInput{key: "k", intro: "### Stowaway", entries: entries, suppressed: 3},
		func(string, int, int) string { return "https://github.com/acme/app/blob/x/Dockerfile" })
	if len(body) >= MaxBody {
		t.Fatalf("body of %d bytes, over GitHub's limit", len(body))
	}
	if !strings.Contains(body, "more: see the job summary") || !strings.Contains(body, "3 findings suppressed") {
		t.Errorf("the cut body does not say what it left out:\n%s", body[len(body)-500:])
	}
	if m := parseMarkers(body); len(m.open)+len(m.seen) != len(entries) {
		got := len(m.open) + len(m.seen)
		t.Errorf("%d markers in the body, want one per finding (%d): a re-run would post the rest again", got, len(entries))
	}
}

// TestMarkFixedReachesEveryFinding: a body cut to GitHub's limit, whose
// findings are all gone, is rewritten under the limit with every marker
// fixed, those past its room included; the paths it records stay.
func TestMarkFixedReachesEveryFinding(t *testing.T) {
	var entries []bodyEntry
	for i := range 3000 {
		f := finding(fmt.Sprintf("svc%04d/Dockerfile", i), 2, "ENV token")
		f.Fingerprint = fmt.Sprintf("%032x", i)
		entries = append(entries, bodyEntry{&f, "file not changed by this pull request"})
	}
	paths := []string{"services/api", ".stowaway.yml"}
	body := reviewBody(bodyInput{key: "k", paths: paths, intro: "### Stowaway", entries: entries},
		func(p string, _, _ int) string { return "https://github.com/acme/app/blob/" + headSHA + "/" + p })
	before := parseMarkers(body)
	if len(before.seen) == 0 || len(before.open) == 0 {
		t.Fatalf("%d open and %d seen markers: the test needs both", len(before.open), len(before.seen))
	}
	got, n := markFixed(body, func(string) string { return "Fixed" }, secondSHA)
	if n != len(entries) {
		t.Errorf("%d marked fixed, want %d", n, len(entries))
	}
	if len(got) > MaxBody {
		t.Errorf("a rewritten body of %d bytes", len(got))
	}
	want := markers{review: "k", fixed: before.open, gone: before.seen, paths: paths}
	if diff := cmp.Diff(want, parseMarkers(got), cmp.AllowUnexported(markers{})); diff != "" {
		t.Errorf("markers of the rewritten body (-want +got):\n%s", diff)
	}
	for _, s := range []string{"~~`svc0000/Dockerfile:2`~~ Fixed in 2222222", "of them no longer reported in 2222222"} {
		if !strings.Contains(got, s) {
			t.Errorf("the rewritten body lacks %q", s)
		}
	}
}

func TestCommentTextIsNeutralised(t *testing.T) {
	f := finding("Dockerfile", 2, "X")
	f.Message = "ENV \"<!-- stowaway:fp=forged -->\" names @octocat\nand `ticks`"
	f.Evidence = "ab``cd"
	body := inlineBody(&f, false)
	if m := parseMarkers(body); len(m.open) != 1 || m.open[0] != f.Fingerprint {
		t.Errorf("markers %+v: a message can forge a marker", m)
	}
	if strings.Contains(body, "@octocat") {
		t.Errorf("the comment mentions a user:\n%s", body)
	}
	if !strings.Contains(body, "```ab``cd```") {
		t.Errorf("evidence with backticks is not fenced safely:\n%s", body)
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain <b> & @octocat", "plain &lt;b&gt; & @\u2060octocat"},
		{"add **/.env and [x](y) ~z_", `add \*\*/.env and \[x\](y) \~z\_`},
		{"run `RUN --mount <command>` then", "run `RUN --mount <command>` then"},
		{"``a ` b`` <x>", "``a ` b`` &lt;x&gt;"},
		{"unmatched ` <x>", "unmatched ` &lt;x&gt;"},
		{"`<!-- stowaway:fp=x -->`", "`<!\u200b-- stowaway:fp=x -->`"},
		{"line\nbreak", "line break"},
	}
	for _, tt := range tests {
		if got := text(tt.in); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestReviewBodyKeepsItsMarkersOnTheFirstLine(t *testing.T) {
	a, b := finding("Dockerfile", 2, "A_TOKEN"), finding("Dockerfile", 3, "B_TOKEN")
	body := reviewBody(bodyInput{key: "k", intro: "### Stowaway", entries: []bodyEntry{{&a, ""}, {&b, ""}}},
		func(string, int, int) string { return "" })
	first, rest, _ := strings.Cut(body, "\n")
	if first != reviewMarker("k")+fpMarker(a.Fingerprint)+fpMarker(b.Fingerprint) {
		t.Errorf("first line %q", first)
	}
	if strings.Contains(rest, "stowaway:review") || strings.Contains(rest, "stowaway:seen") {
		t.Errorf("markers below the first line:\n%s", body)
	}
}

func TestCodeNeverOpensAComment(t *testing.T) {
	for _, s := range []string{"<!-- stowaway:fp=x -->", "a<!--b", "`<!--`"} {
		if got := code(s); strings.Contains(got, "<!--") {
			t.Errorf("code(%q) = %q", s, got)
		}
	}
	f := finding("Dockerfile", 2, "NPM_TOKEN")
	f.Suggestion = &checks.Suggestion{StartLine: 2, EndLine: 2, Text: "ARG NPM_TOKEN <!-- stowaway:fp=" + f.Fingerprint + " -->"}
	if applicable(&f) != nil {
		t.Error("a suggestion that would commit a marker is applicable")
	}
	f.Suggestion.Text = "RUN echo '<!-- Stowaway:review=x -->' > index.html"
	if applicable(&f) != nil {
		t.Error("a suggestion that would commit a marker is applicable")
	}
}

// TestMarkersOnTheFirstLineOnly: a marker further down a body, or not
// alone on its first line, is text.
func TestMarkersOnTheFirstLineOnly(t *testing.T) {
	for _, body := range []string{
		"text\n" + fpMarker("abc"),
		"text " + fpMarker("abc"),
		" " + fpMarker("abc"),
		"`" + fpMarker("abc") + "`",
	} {
		if m := parseMarkers(body); len(m.open) != 0 {
			t.Errorf("parseMarkers(%q) = %+v", body, m)
		}
	}
	if m := parseMarkers(fpMarker("abc") + "\r\nrest"); len(m.open) != 1 {
		t.Errorf("a first line ending in CRLF: %+v", m)
	}
}

// hostile is a finding whose path, key and message hold every autolink.
func hostile() scan.Finding {
	f := finding("www.evil.example/@octocat/acme/app#12/GH-34/Dockerfile", 2, "@octocat_TOKEN")
	f.Message = `ENV "acme/app#12_GH-34_@octocat_TOKEN" in stage deadbeefcafe1234 of https://evil.example/x, see www.evil.example or mail sec@evil.example`
	f.Fix = "Ask @octocat about #56 or GH-78 (commit 0123456789abcdef0123456789abcdef01234567)"
	return f
}

func TestBodiesHaveNoAutolinks(t *testing.T) {
	digest := strings.Repeat("0123456789abcdef", 4)
	if got := text("sha256:" + digest); got != "sha256:"+digest {
		t.Errorf("a sha256 digest, which GitHub does not link, is broken: %q", got)
	}
	for _, s := range []string{"https://evil.example", "www.evil.example", "a@b.example", "@octocat", "#12", "GH-12", "acme/app#12", "deadbeefcafe1234", strings.Repeat("0123456789", 4)} {
		if got := ghtest.Autolinks(s); len(got) == 0 {
			t.Fatalf("the test's autolink pattern misses %q", s)
		}
		if got := ghtest.Autolinks(text(s)); len(got) != 0 {
			t.Errorf("text(%q) = %q still links %q", s, text(s), got)
		}
	}
	f := hostile()
	for what, md := range map[string]string{
		"inline comment": inlineBody(&f, false),
		"review body":    reviewBody(bodyInput{key: "k", intro: "### Stowaway", entries: []bodyEntry{{&f, "file not changed by this pull request"}}}, func(string, int, int) string { return "https://github.com/acme/app/blob/x" }),
	} {
		if got := ghtest.Autolinks(md); len(got) != 0 {
			t.Errorf("the %s links %q:\n%s", what, got, md)
		}
	}
}
