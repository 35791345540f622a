package scan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/stowaway-dev/stowaway/checks"
)

// buildkitChecks maps BuildKit's own check names, skipped with
// `# check=skip=<name>`, to the rules that cover the same ground.
var buildkitChecks = map[string][]string{
	"SecretsUsedInArgOrEnv": {"secret-env", "secret-arg"},
}

// applyPragmas marks findings that a pragma or a BuildKit check directive
// suppresses, and reports pragmas that name unknown rules or suppress
// nothing as invalid-pragma findings. Those are built from the raw pragma
// line, which may hold a secret a rule found: m and sm mask them like the
// rest, and the reasons, which the PR's author writes, too.
func (e *engine) applyPragmas(t target, fs []Finding, src source, m *masker, sm *spanMask, directive func() *buildkitDirective) []Finding {
	pragmas := checks.ParsePragmas(src.lines)
	used := make([]bool, len(pragmas))
	for i := range fs {
		f := &fs[i]
		if f.Path != t.path || f.RuleID == checks.InvalidPragma.ID {
			continue
		}
		for j, p := range pragmas {
			if p.Problem != "" || !slices.Contains(p.IDs, f.RuleID) {
				continue
			}
			if p.File || src.governs(p.Line, f.Region.StartLine) {
				used[j] = true
				if f.Suppressed == nil {
					f.Suppressed = &checks.Suppression{Kind: "inSource", Reason: m.raw(sm.in(p.Line, p.Line), p.Reason), Line: p.Line}
				}
			}
		}
		if f.Suppressed == nil && t.kind == dockerfileKind && coveredByBuildKit(f.RuleID) {
			if reason, line, ok := src.buildkitSkip(directive(), f.RuleID, f.Region.StartLine); ok {
				f.Suppressed = &checks.Suppression{Kind: "inSource", Reason: m.raw(sm.in(line, line), reason), Line: line}
			}
		}
	}
	invalid := e.ruleByID[checks.InvalidPragma.ID]
	if invalid == nil {
		return fs
	}
	for j, p := range pragmas {
		if p.Problem != "" {
			continue // the rule itself reported it
		}
		var msg string
		for _, id := range p.IDs {
			if why, ok := checks.Retired(id); ok {
				msg = "Invalid stowaway pragma: " + why
				break
			}
			if checks.ByID(id) == nil {
				msg = fmt.Sprintf("Invalid stowaway pragma: pragma names unknown rule %s", id)
				break
			}
		}
		if msg == "" && !used[j] {
			// A pragma for a rule the configuration turned off has nothing
			// to suppress by design.
			off := true
			for _, id := range p.IDs {
				if e.ruleByID[id] != nil {
					off = false
				}
			}
			if off {
				continue
			}
			msg = fmt.Sprintf("Stowaway pragma for %s suppresses nothing; remove it", strings.Join(p.IDs, ","))
		}
		if msg == "" {
			continue
		}
		line := p.Line
		f := Finding{
			RuleID: invalid.ID, Level: invalid.Level, Path: t.path,
			Region:  resolve(src.lines, checks.Span{Line: line, EndLine: line}),
			Message: m.raw(sm.in(line, line), msg),
			Fix:     "Remove the pragma, or correct the rule IDs (see `stowaway rules`).",
			Rule:    invalid,
		}
		if lv, ok := e.levels[invalid.ID]; ok {
			f.Level = lv
		}
		f.Fingerprint = fingerprint(f.RuleID, f.Path, normalize(m.raw(sm.in(line, line), src.lines[line-1])), line)
		fs = append(fs, f)
	}
	return fs
}

// governs reports whether a pragma on pragmaLine applies to a finding on
// line: the pragma must stand directly above the instruction (for an ignore
// file, the pattern line) holding it, with only comment lines between.
func (s source) governs(pragmaLine, line int) bool {
	start, _ := s.instruction(line)
	if start <= pragmaLine {
		return false
	}
	for l := pragmaLine + 1; l < start; l++ {
		text := strings.TrimSpace(s.lines[l-1])
		if !strings.HasPrefix(text, "#") {
			return false
		}
	}
	return true
}

// coveredByBuildKit reports whether a BuildKit check covers the rule, so
// that BuildKit's own skip directives may suppress it.
func coveredByBuildKit(ruleID string) bool {
	return coveredRules[ruleID]
}

// coveredRules are the rules of buildkitChecks, read once: iterating the
// map was asked for every finding.
var coveredRules = func() map[string]bool {
	out := map[string]bool{}
	for _, ids := range buildkitChecks {
		for _, id := range ids {
			out[id] = true
		}
	}
	return out
}()

// buildkitDirective is BuildKit's `# check=...` file directive, read once
// per file: nil when there is none or BuildKit cannot read it.
type buildkitDirective struct {
	cfg  *linter.Config
	line int
}

// buildkitDirective reads the file's check directive. BuildKit reads
// directives only up to the first line that does not start with '#' (a
// shebang included), so the lines after it are not joined for it.
func (s source) buildkitDirective() *buildkitDirective {
	n := 0
	for n < len(s.lines) && strings.HasPrefix(s.lines[n], "#") {
		n++
	}
	head := s.lines[:min(n+1, len(s.lines))]
	if !slices.ContainsFunc(head, mayNameCheck) {
		return nil // most files: no directive parser, no joined copy
	}
	v, _, loc, ok := parser.ParseDirective("check", []byte(strings.Join(head, "\n")))
	if !ok {
		return nil
	}
	cfg, err := linter.ParseLintOptions(v)
	if err != nil {
		return nil
	}
	d := &buildkitDirective{cfg: cfg, line: 1}
	if len(loc) > 0 {
		d.line = loc[0].Start.Line
	}
	return d
}

// mayNameCheck is the prefilter of buildkitDirective: BuildKit reads a
// directive's name as ASCII letters and lower-cases it, so a line that
// holds no "check" in any case of its ASCII letters holds no check
// directive. Other bytes may pass (a bit set, not a case fold): only a
// line passed over must be sure.
func mayNameCheck(line string) bool {
	const word = "check"
	for i := 0; i+len(word) <= len(line); i++ {
		j := 0
		for j < len(word) && line[i+j]|0x20 == word[j] {
			j++
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

// raiseOnErrorDirective raises the warnings on the Dockerfile at path to
// errors when its `# check=error=true` directive asks BuildKit to fail the
// build on a check warning: the repository has said warnings stop it.
func raiseOnErrorDirective(path string, fs []Finding, d *buildkitDirective) {
	if d == nil || !d.cfg.ReturnAsError {
		return
	}
	for i := range fs {
		if fs[i].Path == path && fs[i].Level == checks.Warning {
			fs[i].Level = checks.Error
		}
	}
}

// buildkitSkip reports whether BuildKit's own `# check=skip=...` directive
// (file, read once by the caller) or a check comment above the instruction
// skips a check that covers this rule. `skip=all` skips BuildKit's checks,
// so it suppresses the rules those checks cover, not every rule.
func (s source) buildkitSkip(file *buildkitDirective, ruleID string, line int) (string, int, bool) {
	covers := func(cfg *linter.Config) (string, bool) {
		if cfg.SkipAll {
			return "all", true
		}
		for _, name := range cfg.SkipRules {
			if slices.Contains(buildkitChecks[name], ruleID) {
				return name, true
			}
		}
		return "", false
	}
	if !coveredByBuildKit(ruleID) {
		return "", 0, false
	}
	if file != nil {
		if name, ok := covers(file.cfg); ok {
			return "BuildKit check directive skips " + name, file.line, true
		}
	}
	for i, r := range s.ranges {
		if line < r[0] || line > r[1] || i >= len(s.nodes) || s.nodes[i] == nil {
			continue
		}
		for _, c := range s.nodes[i].PrevComment {
			p := parser.DirectiveParser{}
			p.SetComment("")
			d, _ := p.ParseLine([]byte(c))
			if d == nil || d.Name != "check" {
				continue
			}
			v, _, _ := strings.Cut(d.Value, " ")
			if cfg, err := linter.ParseLintOptions(v); err == nil {
				if name, ok := covers(cfg); ok {
					return "BuildKit check comment skips " + name, r[0] - 1, true
				}
			}
		}
	}
	return "", 0, false
}
