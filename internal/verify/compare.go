package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// Verdict is the comparison of one case.
type Verdict struct {
	Confirmed    int      // static errors whose value was found in the image
	NeedsImage   int      // static errors with no value to look for: only `stowaway image` can confirm them
	Disagree     []string // why the static scan and the image differ
	NotSecretArg int      // markers of build arguments whose names are not secret, found in the image
}

// quoted picks the names a message quotes: messages name the key, never
// the value.
var quoted = regexp.MustCompile(`"([^"]+)"`)

// planted matches the fake values test data plants: the testdata's
// convention writes FAKE, fake or Passw0rd into them.
var planted = regexp.MustCompile(`[A-Za-z0-9_+/=.:@\-]*(?:FAKE|[Ff]ake|Passw0rd)[A-Za-z0-9_+/=.\-]*`)

// CompareDirect compares the static findings of one Dockerfile with what
// this program reads in the image itself:
//   - every unsuppressed error or warning on a line of a shipped stage whose value is
//     known (the raw value its rule reported, or the marker of the build
//     argument or secret it names) finds that value in the image;
//   - every marker of a secret mount, every marker of a build argument with
//     a secret name, and every planted value of the case's files found in
//     the image is reported by some finding (suppressed ones count: they
//     were reported) that names it, holds it or sits on its line.
func CompareDirect(c Case, p *Plan, st *Static, img *Image, caseDir string) Verdict {
	var v Verdict
	var mine []scan.Finding
	for _, f := range st.Findings {
		if f.Path == c.Dockerfile {
			mine = append(mine, f)
		}
	}
	for _, f := range mine {
		if f.Suppressed != nil || f.LevelOrDefault(nil) == checks.Note || !p.InShipped(f.Region.StartLine) || repositoryOnly(f.Message) {
			continue
		}
		values := st.Secrets[findingKey(f.RuleID, f.Path, f.Region.StartLine)]
		for _, m := range quoted.FindAllStringSubmatch(f.Message, -1) {
			if mk, ok := p.Args[m[1]]; ok {
				values = append(values, mk)
			}
			if mk, ok := p.Secrets[m[1]]; ok {
				values = append(values, mk)
			}
		}
		if len(values) == 0 {
			v.NeedsImage++
			continue
		}
		for _, val := range values {
			values = append(values, shippedForms(val, p.DF.Escape)...)
		}
		found := false
		for _, val := range values {
			if len(img.Where(val)) > 0 {
				found = true
				break
			}
		}
		if found {
			v.Confirmed++
		} else {
			v.Disagree = append(v.Disagree, fmt.Sprintf("%s:%d %s: reported as shipping, but its value (%s) is nowhere in the image", f.Path, f.Region.StartLine, f.RuleID, redactMarker(values[0])))
		}
	}
	names := func(name string) bool {
		for _, f := range mine {
			for _, m := range quoted.FindAllStringSubmatch(f.Message, -1) {
				if m[1] == name {
					return true
				}
			}
		}
		return false
	}
	for _, id := range sortedKeys(p.Secrets) {
		if where := img.Where(p.Secrets[id]); len(where) > 0 && !names(id) {
			v.Disagree = append(v.Disagree, fmt.Sprintf("secret %q ends up in %s, and no finding names it", id, strings.Join(where, ", ")))
		}
	}
	for _, name := range sortedKeys(p.Args) {
		where := img.Where(p.Args[name])
		if len(where) == 0 {
			continue
		}
		if !checks.SecretName(name, nil) {
			v.NotSecretArg++
			continue
		}
		if !names(name) {
			v.Disagree = append(v.Disagree, fmt.Sprintf("build argument %q's value ends up in %s, and no finding names it", name, strings.Join(where, ", ")))
		}
	}
	for _, pv := range plantedValues(caseDir) {
		where := img.Where(pv.value)
		if len(where) == 0 || coveredPlanted(pv, mine, st, p) {
			continue
		}
		v.Disagree = append(v.Disagree, fmt.Sprintf("planted value %s (%s:%d) ends up in %s, and no finding reports it", scan.Redact(pv.value), pv.file, pv.line, strings.Join(where, ", ")))
	}
	return v
}

// shippedForms are the other forms a value reported as written reaches the
// image in.
func shippedForms(val string, esc rune) []string {
	var out []string
	// A value written with the escape character reaches the image without
	// it.
	if u := unescape(val, esc); u != val {
		out = append(out, u)
	}
	// BuildKit's lexer reads $$, $1 and unset references as parameters
	// nothing sets: the image gets the text around them.
	if res, err := shell.NewLex(esc).ProcessWordWithMatches(val, mapEnv(nil)); err == nil && res.Result != val && res.Result != "" {
		out = append(out, res.Result)
	}
	return out
}

func unescape(s string, esc rune) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == esc && i+1 < len(rs) {
			i++
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

// repositoryOnly reports whether a message says the value leaks with the
// repository (a comment, a default left in the text) rather than the image.
func repositoryOnly(msg string) bool {
	return strings.Contains(msg, "committed to the repository") || strings.Contains(msg, "written in the Dockerfile")
}

type plantedValue struct {
	value string
	file  string // slash path relative to the case folder
	line  int
}

// plantedValues reads the planted fake values of every file of the case.
func plantedValues(dir string) []plantedValue {
	var out []plantedValue
	seen := map[string]bool{}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) > 1<<20 {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, w := range planted.FindAllString(line, -1) {
				if len(w) < 8 || seen[w] {
					continue
				}
				seen[w] = true
				out = append(out, plantedValue{value: w, file: filepath.ToSlash(rel), line: i + 1})
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].value < out[j].value })
	return out
}

// coveredPlanted reports whether some finding accounts for the planted
// value: its rule reported a value overlapping it, it sits on the line the
// value is written on, it names the file that holds it, or it is on a COPY
// or ADD that names that file.
func coveredPlanted(pv plantedValue, mine []scan.Finding, st *Static, p *Plan) bool {
	for _, vals := range st.Secrets {
		for _, s := range vals {
			if len(s) >= 6 && (strings.Contains(pv.value, s) || strings.Contains(s, pv.value)) {
				return true
			}
		}
	}
	for _, f := range st.Findings {
		if f.Path == pv.file && f.Region.StartLine <= pv.line && pv.line <= max(f.Region.EndLine, f.Region.StartLine) {
			return true
		}
	}
	base := path.Base(pv.file)
	var copies [][2]int
	for _, in := range p.DF.Instructions {
		if (in.Cmd == "copy" || in.Cmd == "add") && strings.Contains(in.Original, base) {
			copies = append(copies, [2]int{in.StartLine, in.EndLine})
		}
	}
	for _, f := range mine {
		if strings.Contains(f.Message, base) {
			return true
		}
		for _, r := range copies {
			if f.Region.StartLine >= r[0] && f.Region.StartLine <= r[1] {
				return true
			}
		}
		for _, r := range f.Related {
			if r.Path == pv.file {
				return true
			}
		}
	}
	return false
}

// redactMarker shows a marker whole (it is no secret, and its name helps)
// and any other value redacted.
func redactMarker(s string) string {
	if strings.HasPrefix(s, MarkerPrefix) {
		return s
	}
	return scan.Redact(s)
}
