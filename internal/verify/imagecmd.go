package main

// The comparison with `stowaway image`, kept apart so that it can follow
// that command's contract as it lands: `stowaway image --format json
// [--dockerfile FILE] IMAGE.tar` writes the document of docs/json-schema.md,
// its findings located on Dockerfile lines when --dockerfile is given.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stowaway-dev/stowaway/checks"
)

type jsonReport struct {
	Version  int `json:"version"`
	Findings []struct {
		Rule       string          `json:"rule"`
		Level      string          `json:"level"`
		Path       string          `json:"path"`
		Line       int             `json:"line"`
		Message    string          `json:"message"`
		Evidence   string          `json:"evidence"`
		Suppressed json.RawMessage `json:"suppressed"`
		Related    []jsonRelated   `json:"related"`
	} `json:"findings"`
}

type jsonRelated struct {
	Path string `json:"path"`
	Line int    `json:"line"`
}

// ImageCommandMissing says why `stowaway image` cannot be used, or "" when
// it can.
func ImageCommandMissing(stowaway string) string {
	out, _ := exec.Command(stowaway, "image", "-h").CombinedOutput()
	if bytes.Contains(out, []byte(`unknown command "image"`)) {
		return "this stowaway has no `image` command"
	}
	if !bytes.Contains(out, []byte("-dockerfile")) {
		return "`stowaway image -h` does not list --dockerfile"
	}
	return ""
}

func runJSON(dir, bin string, args ...string) (*jsonReport, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("%s %s: %v: %s", filepath.Base(bin), args[0], err, strings.TrimSpace(stderr.String()))
	}
	var r jsonReport
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("%s %s: not the JSON report: %v", filepath.Base(bin), args[0], err)
	}
	return &r, nil
}

// CompareImageCommand runs `stowaway scan` over the case and `stowaway
// image` over its built tarball and compares them line by line: every
// unsuppressed static error on a shipped stage's line has an image finding
// on that line, and every image error on a Dockerfile line has a static
// finding (of any level, suppressed or not) there. Rules may differ: the
// image sees a value, the Dockerfile the instruction that put it there.
func CompareImageCommand(stowaway, root string, paths []string, c Case, p *Plan, tar string) ([]string, error) {
	static, err := runJSON(root, stowaway, append([]string{"scan", "--format", "json", "--fail-on", "never"}, paths...)...)
	if err != nil {
		return nil, err
	}
	image, err := runJSON(root, stowaway, "image", "--format", "json", "--fail-on", "never", "--dockerfile", c.Dockerfile, tar)
	if err != nil {
		return nil, err
	}
	return compareReports(static, image, c, p, filepath.Join(root, filepath.FromSlash(c.Dockerfile))), nil
}

// compareReports compares the two JSON documents line by line; dfAbs is the
// Dockerfile's absolute path, which `stowaway image` may report instead.
//
// Lines are compared by instruction: the scan reports the line of a value
// inside a continued or heredoc instruction, `--dockerfile` the
// instruction's first line. More places where the same fact lands on
// different lines, or only one side can know it:
//   - BuildKit records every build argument in scope on every RUN (`RUN |2
//     NAME=value …`) and on the ARG that declares it, so the image finds an
//     argument's value on each of those lines, while the scan reports it
//     once, on one of NAME's ARG lines (a global ARG's, when a stage takes
//     its default). An image-secret-history finding that names a build
//     argument therefore counts as being on NAME's ARG lines too, both ways.
//   - A file written in a stage that is only copied from ships with the
//     COPY --from that takes it: the image finds it in that COPY's layer,
//     the scan reports the instruction that wrote it and names the COPY as
//     a related location. A static finding counts as being on the COPY or
//     ADD lines it relates to as well, both ways.
//   - What the scan says only the repository holds (a comment inside an
//     instruction, which BuildKit drops) is no claim about the image.
//   - directOnly rules, and findings whose only value is a mounted
//     secret's content or a build argument's marker written to a file (the
//     verifier's marker, which has no credential's form for the image to
//     judge), are answered by the direct comparison (compare.go), which
//     knows the markers and planted values.
func compareReports(static, image *jsonReport, c Case, p *Plan, dfAbs string) []string {
	onDF := func(p string) bool {
		return p == c.Dockerfile || p == dfAbs || strings.HasSuffix(p, "/"+c.Dockerfile)
	}
	argLines := p.argLines()
	imageLines, staticLines := map[int]bool{}, map[int]bool{}
	for _, f := range image.Findings {
		if onDF(f.Path) && f.Line > 0 {
			imageLines[p.instructionLine(f.Line)] = true
			for _, l := range argLines[historyArg(f.Rule, f.Message)] {
				imageLines[l] = true
			}
		}
	}
	// lines are the instruction lines a static finding is on: its own and
	// the COPY or ADD instructions that ship what it reports.
	lines := func(line int, related []int) []int {
		out := []int{p.instructionLine(line)}
		for _, r := range related {
			if in := p.instructionAt(r); in != nil && (in.Cmd == "copy" || in.Cmd == "add") {
				out = append(out, in.StartLine)
			}
		}
		return out
	}
	for _, f := range static.Findings {
		if onDF(f.Path) {
			for _, l := range lines(f.Line, relatedLines(f.Related, onDF)) {
				staticLines[l] = true
			}
		}
	}
	var out []string
	for _, f := range static.Findings {
		if !onDF(f.Path) || f.Level != "error" || string(f.Suppressed) != "null" || directOnly[f.Rule] || p.secretOnly(f.Message, f.Evidence) ||
			p.markerWrite(f.Rule, f.Message, f.Evidence) ||
			repositoryOnly(f.Message) || p.commentLine(f.Line) {
			continue
		}
		ls := lines(f.Line, relatedLines(f.Related, onDF))
		if !slices.ContainsFunc(ls, p.InShipped) || slices.ContainsFunc(ls, func(l int) bool { return imageLines[l] }) {
			continue
		}
		out = append(out, fmt.Sprintf("%s:%d %s: static error, but `stowaway image` reports nothing on that line", f.Path, f.Line, f.Rule))
	}
	for _, f := range image.Findings {
		if !onDF(f.Path) || f.Line <= 0 || f.Level != "error" || staticLines[p.instructionLine(f.Line)] ||
			slices.ContainsFunc(argLines[historyArg(f.Rule, f.Message)], func(l int) bool { return staticLines[l] }) {
			continue
		}
		// Messages and evidence are redacted by the report's contract.
		what := f.Evidence
		if what == "" {
			what = "no value shown"
		}
		out = append(out, fmt.Sprintf("%s:%d %s: `stowaway image` reports %q (%s), the static scan nothing", f.Path, f.Line, f.Rule, f.Message, what))
	}
	return out
}

// relatedLines are the lines of a finding's related locations in the
// Dockerfile.
func relatedLines(related []jsonRelated, onDF func(string) bool) []int {
	var out []int
	for _, r := range related {
		if r.Line > 0 && onDF(r.Path) {
			out = append(out, r.Line)
		}
	}
	return out
}

// commentLine reports whether line is a comment inside an instruction (a
// continuation's or a RUN heredoc's comment line), which BuildKit drops:
// what it holds is in the repository, never in the image's metadata.
func (p *Plan) commentLine(line int) bool {
	in := p.instructionAt(line)
	if in == nil || line == in.StartLine || line > len(p.DF.Lines) {
		return false
	}
	return strings.HasPrefix(strings.TrimSpace(p.DF.Lines[line-1]), "#") && len(in.Heredocs) == 0
}

// secretOnly reports whether a finding's value is a mounted secret's
// content only: it shows no value, and it names a secret of the build.
func (p *Plan) secretOnly(message, evidence string) bool {
	if evidence != "" {
		return false
	}
	for _, m := range quoted.FindAllStringSubmatch(message, -1) {
		if _, ok := p.Secrets[m[1]]; ok {
			if _, arg := p.Args[m[1]]; !arg {
				return true
			}
		}
	}
	return false
}

// markerWrite reports an arg-persisted finding that a RUN writes a build
// argument into a file, for an argument the verifier passes a marker: the
// file holds the marker, which has no credential's form for the image to
// judge unless the file's own format marks it (a Docker auth, an npmrc
// token). The direct comparison, which knows the markers, answers for it,
// as it does for a mounted secret's content.
func (p *Plan) markerWrite(rule, message, evidence string) bool {
	if rule != checks.ArgPersisted.ID || evidence != "" || !strings.HasPrefix(message, "RUN writes ARG ") {
		return false
	}
	m := quoted.FindStringSubmatch(message)
	if m == nil {
		return false
	}
	_, marked := p.Args[m[1]]
	return marked
}

// directOnly are the rules whose static errors `stowaway image` cannot be
// asked to repeat; the direct comparison answers for them.
var directOnly = map[string]bool{
	// A mounted secret's content is in no Dockerfile and no image metadata:
	// only the verifier's marker knows it.
	checks.SecretMountPersisted.ID: true,
	// A literal judged by its name in a script (`password=…` in RUN text)
	// has no name the image's history entry or file keeps as such; the
	// image judges known token formats and URL credentials only.
	checks.HardcodedSecret.ID: true,
}

// historyBuildArg finds the build argument an image-secret-history message
// names (`… records build argument "NAME" with …` for a RUN, `… records ARG
// "NAME" with …` for an ARG entry).
var historyBuildArg = regexp.MustCompile(`records (?:build argument|ARG) "([A-Za-z_][A-Za-z0-9_]*)"`)

// historyArg is the build argument an image finding is about, "" when none.
func historyArg(rule, message string) string {
	if rule != checks.ImageSecretHistory.ID {
		return ""
	}
	if m := historyBuildArg.FindStringSubmatch(message); m != nil {
		return m[1]
	}
	return ""
}

// instructionLine is the first line of the instruction that holds line,
// or line itself outside any.
func (p *Plan) instructionLine(line int) int {
	if in := p.instructionAt(line); in != nil {
		return in.StartLine
	}
	return line
}

// instructionAt is the instruction that holds line, nil when none does.
func (p *Plan) instructionAt(line int) *checks.Instruction {
	var at *checks.Instruction
	for _, in := range p.DF.Instructions {
		if in.StartLine <= line && line <= in.EndLine {
			at = in
		}
	}
	return at
}

// argLines maps every build argument name to the lines of the ARG
// instructions that declare it.
func (p *Plan) argLines() map[string][]int {
	out := map[string][]int{}
	for _, in := range p.DF.Instructions {
		if a, ok := in.Command.(*instructions.ArgCommand); ok {
			for _, kv := range a.Args {
				out[kv.Key] = append(out[kv.Key], in.StartLine)
			}
		}
	}
	return out
}
