package scan_test

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
	"github.com/stowaway-dev/stowaway/scan/scantest"
)

// The fuzz targets drive the whole engine, every rule included, over
// arbitrary bytes. Beyond "no panic" they hold the engine to its contract:
// no rule fails inside (the engine turns a rule's panic into an "internal
// error" problem, which would otherwise pass unnoticed), every region lies
// inside its file, no output field holds a secret that a rule reported, no
// output of any writer holds the job token that links of the tree point at
// in .git/config, and the same input gives the same findings twice.
//
//	go test ./scan -run '^$' -fuzz '^FuzzScanDockerfile$' -fuzztime 6m
//	go test ./scan -run '^$' -fuzz '^FuzzScanIgnoreFile$' -fuzztime 6m

// Planted credentials of real shapes, split so that secret scanners reading
// this file see none.
var (
	plantedGitHub = "gh" + "p_" + "Zx9Qw2Er4Ty6Ui8Op1As3Df5Gh7Jk0LmNbV"
	plantedAWS    = "AK" + "IA" + "Q3FUZZFAKEKEY7KZ"
	plantedAWSKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "zFuzzKey09"
	plantedNPM    = "np" + "m_" + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"
)

// context files a Dockerfile under test may copy or name.
func contextFiles() fstest.MapFS {
	return fstest.MapFS{
		".env":                    {Data: []byte("DATABASE_URL=postgres://app:Pa55w0rd-fuzz@db/app\nGITHUB_TOKEN=" + plantedGitHub + "\n")},
		".npmrc":                  {Data: []byte("//registry.npmjs.org/:_authToken=" + plantedNPM + "\n")},
		"id_rsa":                  {Data: []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nfuzz\n-----END OPENSSH PRIVATE KEY-----\n")},
		"config/credentials.json": {Data: []byte(`{"aws_access_key_id": "` + plantedAWS + `"}` + "\n")},
		"src/index.js":            {Data: []byte("console.log('hello')\n")},
		"package.json":            {Data: []byte(`{"name": "fuzz"}` + "\n")},
	}
}

func dockerfileSeeds() []string {
	huge := strings.Repeat("a", 70<<10) // beyond bufio.Scanner's 64 KiB line
	return []string{
		"",
		"FROM alpine\n",
		"# syntax=docker/dockerfile:1\nFROM golang:1.25 AS build\nARG GITHUB_TOKEN\nRUN git config --global url.\"https://${GITHUB_TOKEN}@github.com/\".insteadOf https://github.com/ && go build -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n",
		"FROM node:22\nARG NPM_TOKEN\nRUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc && npm ci\nCOPY . .\nCMD [\"node\", \"index.js\"]\n",
		"FROM alpine\nENV GITHUB_TOKEN=" + plantedGitHub + "\nENV AWS_ACCESS_KEY_ID=" + plantedAWS + " AWS_SECRET_ACCESS_KEY=" + plantedAWSKey + "\n",
		"FROM alpine\nENV DATABASE_PASSWORD \"SuperSecretSauce\"\nLABEL token=\"" + plantedNPM + "\"\n",
		"FROM python:3.12\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D PUBLIC_KEY=abc\nARG PASSWORD_FILE=/run/secrets/db\nENV TOKEN_URL=https://example.com/token AUTH_ENABLED=true\n",
		"FROM alpine\nRUN --mount=type=secret,id=npm,target=/root/.npmrc npm ci\nRUN --mount=type=secret,id=aws,env=AWS_SECRET_ACCESS_KEY aws s3 ls\n",
		"FROM alpine\nCOPY <<EOF /root/.npmrc\n//registry.npmjs.org/:_authToken=" + plantedNPM + "\nEOF\nRUN <<-SCRIPT bash\n\techo " + plantedGitHub + "\n\tSCRIPT\n",
		"FROM alpine\nRUN <<EOF1 cat > /a && <<EOF2 cat > /b\none\nEOF1\ntwo\nEOF2\n",
		"# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nENV API_KEY=`\n    " + plantedGitHub + "\nRUN echo `\n  hi\n",
		"FROM alpine\nONBUILD ENV SECRET_KEY=" + plantedAWSKey + "\nONBUILD COPY .env /app/\nONBUILD ONBUILD RUN x\n",
		"FROM alpine\r\nENV API_TOKEN=" + plantedGitHub + "\r\nRUN echo \\\r\n  # comment inside a continuation " + plantedNPM + "\r\n  done\r\n",
		"\xef\xbb\xbfFROM alpine\nENV PASSWORD=hunter2-hunter2\n",
		"FROM alpine\nENV NAME=\xff\xfe\xfd PASSWORD=\xc3\x28secret\xa0\xa1\nLABEL x=\"\xe2\x82\"\n",
		"FROM alpine\nENV KEY=" + huge + "\n",
		"FROM alpine\nRUN echo " + huge + plantedGitHub + "\n",
		"FROM alpine AS a\nFROM a AS b\nCOPY --from=0 / /\nCOPY --from=b / /\nFROM b\nCOPY --from=c / /\nCOPY --from=99 / /\n",
		"ARG BASE=alpine\nARG SECRET_TOKEN=" + plantedGitHub + "\nFROM ${BASE}\nARG SECRET_TOKEN\nRUN curl -H \"Authorization: Bearer ${SECRET_TOKEN}\" https://example.com\n",
		"from alpine\nenv secret_key value-with-spaces and more\narg password\nrun echo $password\n",
		"FROM alpine\n# stowaway:ignore secret-env -- test fixture\nENV API_KEY=" + plantedNPM + "\n# stowaway:ignore-file -- \n# stowaway:bogus\n# stowaway:ignore no-such-rule -- why\n",
		"# check=skip=SecretsUsedInArgOrEnv\nFROM alpine\nENV AWS_SECRET_ACCESS_KEY=" + plantedAWSKey + "\n",
		"FROM alpine\nRUN curl -u admin:" + plantedAWSKey + " https://example.com && git clone https://user:" + plantedGitHub + "@github.com/a/b\n",
		"FROM alpine\nCOPY . /app\nADD --chown=1 .env id_rsa config/ /x/\nCOPY [\".npmrc\", \"/root/\"]\n",
		"FROM alpine\nRUN \\\n\\\n\\\n",
		"FROM\nENV\nARG =\nENV =x\nENV A\nLABEL\nCOPY\nHEALTHCHECK CMD\nSHELL x\nBOGUS instruction\n",
		"ENV X=1\nRUN echo\n",
		strings.Repeat("FROM alpine AS s\nRUN true\n", 200),
		"FROM alpine\nENV " + strings.Repeat("A=b ", 2000) + "\n",
		// Files BuildKit refuses, parsed past what it refuses.
		"FROM alpine\n# " + strings.Repeat("k", 70000) + "\nENV TOKEN=x\n",
		"{{ if .X }}\nFROM {{ .Base }}\nENV A={{ .A }}\n{{ end }}\n",
		"FROM alpine\nENV A=b c\nRUN <<EOF\necho\nARG K=v \\\n",
		"# escape=x\nENV A=\"b\n  c\"\n",
		// A token in pieces, in the lines an ARG's suggestion repeats.
		"FROM alpine\nARG NPM_TOKEN\nENV GH_TOKEN=\"" + plantedGitHub[:14] + "\"'" + plantedGitHub[14:28] + "'${X}\\\n# c\n" + plantedGitHub[28:] +
			"\nRUN npm ci --token=$NPM_TOKEN\n",
	}
}

func FuzzScanDockerfile(f *testing.F) {
	for _, s := range dockerfileSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := contextFiles()
		fsys["Dockerfile"] = &fstest.MapFile{Data: src}
		checkScan(t, fsys)
	})
}

func ignoreSeeds() []string {
	return []string{
		"",
		".env\n.git\n",
		"*\n!src\n!package.json\n",
		"**\n!**/*.js\n!.env\n",
		"# comment\n\n   \n.env*\n!.env.example\n",
		"../outside\n/abs/path\n./dot\n",
		"[\n",
		"\\\n",
		"a[b-\n!\n!!x\n",
		"**/**/**/*\n",
		"\xef\xbb\xbf.env\r\nid_rsa\r\n",
		"\xff\xfe\n.en\xc3v\n",
		strings.Repeat("x/", 2000) + "*\n",
		strings.Repeat("x/", 33000) + "\n", // beyond bufio.Scanner's 64 KiB line
		strings.Repeat("!a\n", 5000),
		"config/\n!config/credentials.json\n",
		"# stowaway:ignore broad-copy -- fixture\n.git\n",
	}
}

func FuzzScanIgnoreFile(f *testing.F) {
	for _, s := range ignoreSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := contextFiles()
		fsys["Dockerfile"] = &fstest.MapFile{Data: []byte("FROM alpine\nCOPY . .\nCMD [\"./run\"]\n")}
		fsys[".dockerignore"] = &fstest.MapFile{Data: src}
		checkScan(t, fsys)
	})
}

// recorder collects every finding the rules report, and the secrets in
// them, before the engine redacts them and resolves their spans.
type recorder struct {
	mu      sync.Mutex
	secrets map[string]bool
	raw     []checks.Finding
}

func (r *recorder) add(f checks.Finding) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.raw = append(r.raw, f)
	if f.Secret != "" {
		r.secrets[f.Secret] = true
	}
}

// recording wraps every rule so that the secrets it reports are recorded on
// their way to the engine; ID and everything else stay as they are.
func recording(all []*checks.Rule, rec *recorder) []*checks.Rule {
	out := make([]*checks.Rule, len(all))
	for i, r := range all {
		w := *r
		w.Check = func(p *checks.Pass) {
			r.Check(checks.NewPass(r, p.Dockerfile, p.Ignore, p.Settings, func(f checks.Finding) {
				rec.add(f)
				p.Report(f)
			}))
		}
		out[i] = &w
	}
	return out
}

func runScan(t *testing.T, fsys fs.FS) (*scan.Result, *recorder) {
	t.Helper()
	rec := &recorder{secrets: map[string]bool{}}
	res, err := scan.Scan(context.Background(), fsys, []string{"."}, scan.Options{
		Config:  &scan.Config{},
		Rules:   recording(checks.All(), rec),
		Workers: 1,
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return res, rec
}

// checkScan scans the files of fsys written into a folder beside a .git
// folder as actions/checkout leaves it, with the job's token, and the
// links of a pull request into it (scantest.GitLinks), through
// scan.OpenRoot as the command reads a tree.
func checkScan(t *testing.T, fsys fstest.MapFS) {
	dir := t.TempDir()
	scantest.WriteCheckout(t, dir)
	files := map[string]string{}
	var input strings.Builder
	for name, f := range fsys {
		files[name] = string(f.Data)
		input.Write(f.Data)
	}
	scantest.WriteFiles(t, dir, files)
	root, err := scan.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	res, rec := runScan(t, root.FS())
	// No output, in any format, holds a line of .git/config, unless the
	// input itself wrote it.
	if leak := scantest.CheckoutLeak(outputs(t, res)); leak != "" && !strings.Contains(input.String(), leak) {
		t.Errorf("an output holds %q of .git/config", leak)
	}
	for _, p := range res.Problems {
		if strings.Contains(p.Message, "internal error") {
			t.Errorf("problem on %s: %s", p.Path, p.Message)
		}
	}
	lines := map[string][]string{}
	linesOf := func(p string) ([]string, bool) {
		if l, ok := lines[p]; ok {
			return l, true
		}
		f, ok := fsys[p]
		if !ok {
			return nil, false
		}
		lines[p] = checks.SplitLines(f.Data)
		return lines[p], true
	}
	// The rules' spans, before the engine resolves them.
	for _, f := range rec.raw {
		where := fmt.Sprintf("%s finding at %s:%d (%q)", f.RuleID, f.Path, f.Span.Line, f.Message)
		ls, ok := linesOf(f.Path)
		if !ok {
			continue // reported below, on the engine's finding
		}
		if err := checkSpan(ls, f.Span); err != nil {
			t.Errorf("%s: rule span %+v: %v", where, f.Span, err)
		}
		for _, r := range f.Related {
			rls, ok := linesOf(r.Path)
			if !ok {
				t.Errorf("%s: related location names %s, which does not exist", where, r.Path)
			} else if err := checkSpan(rls, r.Span); err != nil {
				t.Errorf("%s: related span %+v in %s: %v", where, r.Span, r.Path, err)
			}
		}
	}
	for _, f := range res.Findings {
		where := fmt.Sprintf("%s finding at %s:%d (%q)", f.RuleID, f.Path, f.Region.StartLine, f.Message)
		ls, ok := linesOf(f.Path)
		if !ok {
			t.Errorf("%s: names a file that does not exist", where)
			continue
		}
		if err := checkRegion(ls, f.Region); err != nil {
			t.Errorf("%s: region %+v: %v", where, f.Region, err)
		}
		if f.Level < checks.Note || f.Level > checks.Error {
			t.Errorf("%s: invalid level %d", where, f.Level)
		}
	}
	checkNoSecrets(t, res, rec.secrets)

	// Output order and fingerprints must not depend on map order or timing:
	// a re-run of the action would otherwise repost its review comments.
	again, _ := runScan(t, root.FS())
	if a, b := summary(res), summary(again); !slices.Equal(a, b) {
		t.Errorf("two scans of one input differ:\n%s\n---\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
}

// checkNoSecrets fails when a field that outputs show holds a secret a rule
// reported.
func checkNoSecrets(t *testing.T, res *scan.Result, secrets map[string]bool) {
	t.Helper()
	var redacted []string
	for s := range secrets {
		redacted = append(redacted, scan.Redact(s))
	}
	for s := range secrets {
		// A secret as short as "chars" shows up in any redacted form: that
		// is not a leak.
		if slices.ContainsFunc(redacted, func(r string) bool { return strings.Contains(r, s) }) {
			continue
		}
		// The engine keeps a plain lower-case word in the prose that rules
		// write ("password" is also the rule's own word); text taken from
		// the file is masked whatever the secret.
		prose := !scan.IsPlainWord(s)
		for _, f := range res.Findings {
			fields := map[string]string{"snippet": f.Snippet, "evidence": f.Evidence}
			if f.Suggestion != nil {
				for i, e := range f.Suggestion.Edits() {
					fields[fmt.Sprintf("suggestion[%d]", i)] = e.Text
				}
			}
			if prose {
				fields["message"], fields["fix"] = f.Message, f.Fix
				for i, r := range f.Related {
					fields[fmt.Sprintf("related[%d]", i)] = r.Message
				}
			}
			for name, v := range fields {
				if strings.Contains(v, s) {
					t.Errorf("%s finding at %s:%d: %s holds the secret %q: %q", f.RuleID, f.Path, f.Region.StartLine, name, s, v)
				}
			}
		}
		for _, p := range res.Problems {
			// Problems are the engine's prose too ("not valid UTF-8"
			// holds the secret "val").
			if prose && strings.Contains(p.Message, s) {
				t.Errorf("problem on %s holds the secret %q: %q", p.Path, s, p.Message)
			}
		}
	}
}

func summary(res *scan.Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, fmt.Sprintf("%s %s %+v %s %s %v", f.RuleID, f.Path, f.Region, f.Fingerprint, f.Message, f.Suppressed != nil))
	}
	for _, p := range res.Problems {
		out = append(out, fmt.Sprintf("problem %s %s", p.Path, p.Message))
	}
	return out
}

// checkRegion checks an engine region: 1-based lines inside the file (line
// 1 for an empty file), UTF-16 columns inside their lines (one past the end
// allowed, as the end is exclusive), and a non-empty range. The engine widens
// an empty range to one column, so that one may end a column further.
func checkRegion(lines []string, r scan.Region) error {
	n := max(len(lines), 1)
	switch {
	case r.StartLine < 1 || r.StartLine > n || r.EndLine < r.StartLine || r.EndLine > n:
		return fmt.Errorf("lines outside 1..%d", n)
	case r.StartColumn < 1 || r.EndColumn < 1:
		return fmt.Errorf("column below 1")
	case r.StartLine == r.EndLine && r.EndColumn <= r.StartColumn:
		return fmt.Errorf("empty range")
	}
	width := func(l int) int {
		if l > len(lines) {
			return 0
		}
		return utf16Len(lines[l-1])
	}
	if r.StartColumn > width(r.StartLine)+1 {
		return fmt.Errorf("start column past the end of line %d (%d units)", r.StartLine, width(r.StartLine))
	}
	if limit := width(r.EndLine) + 1; r.EndColumn > limit && !(r.StartLine == r.EndLine && r.EndColumn == r.StartColumn+1) {
		return fmt.Errorf("end column past the end of line %d (%d units)", r.EndLine, width(r.EndLine))
	}
	return nil
}

// checkSpan checks a rule's span: lines inside the file, byte columns inside
// their lines (Span's documented form; zero Col means the whole line).
func checkSpan(lines []string, s checks.Span) error {
	n := max(len(lines), 1)
	if s.Line < 1 || s.Line > n {
		return fmt.Errorf("line outside 1..%d", n)
	}
	if s.EndLine != 0 && (s.EndLine < s.Line || s.EndLine > n) {
		return fmt.Errorf("end line outside %d..%d", s.Line, n)
	}
	if s.Col == 0 {
		return nil
	}
	end := max(s.EndLine, s.Line)
	byteLen := func(l int) int {
		if l > len(lines) {
			return 0
		}
		return len(lines[l-1])
	}
	switch {
	case s.Col < 1 || s.Col > byteLen(s.Line)+1:
		return fmt.Errorf("column %d outside line %d (%d bytes)", s.Col, s.Line, byteLen(s.Line))
	case s.EndCol < 1 || s.EndCol > byteLen(end)+1:
		return fmt.Errorf("end column %d outside line %d (%d bytes)", s.EndCol, end, byteLen(end))
	case end == s.Line && s.EndCol < s.Col:
		return fmt.Errorf("end column before start column")
	}
	return nil
}

// utf16Len counts UTF-16 units as the engine does: an invalid byte is one.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			n++
			i++
			continue
		}
		n += utf16.RuneLen(r)
		i += size
	}
	return n
}
