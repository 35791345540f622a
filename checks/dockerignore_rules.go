package checks

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/moby/patternmatcher"
)

// Every file of the build context that the ignore file does not exclude can
// reach the image through a COPY . or a glob, so the ignore file is the
// last line of defence. Whether it excludes a secret is always asked of
// BuildKit's own matcher with probe paths, never by comparing pattern text:
// `.env*`, `**/.env` and `*` + `!src` all read differently from how they
// look.

// DockerignoreMissing reports a broad copy of a build context that has no
// ignore file.
var DockerignoreMissing = &Rule{
	ID: "dockerignore-missing", Name: "DockerignoreMissing", Level: Warning, Precision: "very-high",
	SecuritySeverity: "4.0",
	Tags:             []string{"security", "build-context"},
	Summary:          "Build context copied whole has no .dockerignore",
	Help:             mustDoc("dockerignore-missing"),
	Check:            checkDockerignoreMissing,
}

// DockerignoreGap reports ignore files that leave part of the standard
// secret set in the build context.
var DockerignoreGap = &Rule{
	ID: "dockerignore-gap", Name: "DockerignoreGap", Level: Warning, Precision: "very-high",
	SecuritySeverity: "4.0",
	Tags:             []string{"security", "build-context"},
	Summary:          "Ignore file does not exclude the standard secret files",
	Help:             mustDoc("dockerignore-gap"),
	Check:            checkDockerignoreGap,
}

// DockerignoreReinclude reports `!` patterns that put secret files back
// into the build context.
var DockerignoreReinclude = &Rule{
	ID: "dockerignore-reinclude", Name: "DockerignoreReinclude", Level: Error, Precision: "high",
	SecuritySeverity: "7.0",
	Tags:             []string{"security", "build-context"},
	Summary:          "Ignore file re-includes a secret file",
	Help:             mustDoc("dockerignore-reinclude"),
	Check:            checkDockerignoreReinclude,
}

// ignoreLine is one line of the standard secret set with the context paths
// that it must keep out.
type ignoreLine struct {
	pattern string
	probes  []string
	// nested lines also guard every folder that a `!` pattern re-includes.
	nested bool
}

// standardIgnore is the standard secret set: short, and each line a file
// that holds credentials by convention. .git is in it because its history
// keeps removed secrets and because actions/checkout writes the job's token
// into .git/config.
var standardIgnore = []ignoreLine{
	// .git/HEAD and .git/refs name a commit and are often kept on purpose
	// (`.git` then `!.git/HEAD`); the config and the objects are the secrets.
	{".git", []string{".git/config", ".git/objects/pack/pack-0.pack"}, false},
	{"**/.env", []string{".env", "config/.env"}, true},
	{"**/.env.*", []string{".env.local", "config/.env.production"}, true},
	{"**/.aws", []string{".aws/credentials", "home/.aws/credentials"}, true},
	{"**/.ssh", []string{".ssh/id_rsa", "home/.ssh/id_ed25519"}, true},
	{"**/*.pem", []string{"key.pem", "certs/privkey.pem"}, true},
	{"**/*.key", []string{"server.key", "certs/tls.key"}, true},
	{"**/.npmrc", []string{".npmrc", "web/.npmrc"}, true},
	{"**/.netrc", []string{".netrc", "home/.netrc"}, true},
	{"**/.pypirc", []string{".pypirc", "home/.pypirc"}, true},
	{"**/.git-credentials", []string{".git-credentials", "home/.git-credentials"}, true},
}

// standardIgnoreLines lists the patterns of the standard set.
func standardIgnoreLines() []string {
	out := make([]string, len(standardIgnore))
	for i, l := range standardIgnore {
		out[i] = l.pattern
	}
	return out
}

// standardIgnoreKey is the key of standardIgnoreLines.
var standardIgnoreKey = sync.OnceValue(func() listKey { return keyOf(standardIgnoreLines()) })

// ignoreGaps returns the lines of the standard set that the ignore file
// (nil: none) and the COPY --exclude patterns leave in the context. When
// the probes under re-included folders pass maxFileMatches, the budget
// hears that the answer may miss a gap.
func ignoreGaps(ign *IgnoreFile, excludes []string, budget *Budget) []string {
	// Monorepos copy one ignore file into many folders; the gaps depend on
	// the patterns only, and compiling them is most of the cost.
	key := memoKey{patternsKey(ign), keyOf(excludes)}
	g := gapMemo.get(key, func() gapResult { return computeGaps(ign, excludes) })
	if g.partial {
		budget.Stop(fmt.Sprintf("probing the folders that %s re-includes took more than %d pattern matches", ign.Path, maxFileMatches))
	}
	return slices.Clone(g.gaps)
}

// gapResult is what computeGaps found; partial when it stopped at
// maxFileMatches.
type gapResult struct {
	gaps    []string
	partial bool
}

// patternsKey is the key of an ignore file's patterns (nil: none): what
// its matcher and the rules that memoise on it depend on.
func patternsKey(ign *IgnoreFile) listKey {
	if ign == nil {
		return keyOf(nil)
	}
	return ign.matchKey
}

// memoKey names an ignore file's patterns with a second list: the
// --exclude patterns of a COPY, the lines a suggestion adds.
type memoKey struct{ patterns, with listKey }

// gapMemo remembers the gaps of each distinct pattern list.
var gapMemo memo[memoKey, gapResult]

// memo remembers values by key, up to maxMemo of them, so that a
// long-running process stays bounded. A value is computed outside the
// lock; two callers may compute the same one.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

const maxMemo = 4096

// get returns the value of k, computing and keeping it on first use.
func (c *memo[K, V]) get(k K, compute func() V) V {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = compute()
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	if len(c.m) < maxMemo {
		c.m[k] = v
	}
	c.mu.Unlock()
	return v
}

func computeGaps(ign *IgnoreFile, excludes []string) gapResult {
	var extra *patternmatcher.PatternMatcher
	if len(excludes) > 0 {
		extra, _ = compilePatterns(excludes)
	}
	budget := maxFileMatches
	excluded := func(p string) bool {
		if ign != nil {
			budget -= len(ign.Patterns) + 1
		}
		if ign.Excludes(p) {
			return true
		}
		if extra != nil {
			ok, err := extra.MatchesOrParentMatches(p)
			return err == nil && ok
		}
		return false
	}
	var prefixes []string
	if ign != nil {
		prefixes = reincludedFolders(ign)
	}
	var g gapResult
	for _, l := range standardIgnore {
		probes := l.probes
		if l.nested {
			for _, pre := range prefixes {
				for _, pr := range l.probes {
					probes = append(probes, pre+"/"+pr)
				}
			}
		}
		for i, pr := range probes {
			if i >= len(l.probes) && budget < 0 {
				// Each probe is matched against every pattern: thousands of
				// re-included folders in a long file took minutes. Past
				// the budget the folders left are not probed.
				g.partial = true
				break
			}
			if !excluded(pr) {
				g.gaps = append(g.gaps, l.pattern)
				break
			}
		}
	}
	return g
}

// reincludedFolders lists the folders that `!` patterns bring back into the
// context, where the standard set must apply again: `*` then `!src` sends
// src/.env. A pattern whose last part names a file (!package.json,
// !Dockerfile) re-includes no folder; probing under it would report a gap
// that cannot exist.
func reincludedFolders(ign *IgnoreFile) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range ign.Patterns {
		if !p.Negate {
			continue
		}
		parts := strings.Split(p.Pattern, "/")
		dir := p.Pattern
		for i, part := range parts {
			if strings.ContainsAny(part, "*?[") {
				dir = strings.Join(parts[:i], "/")
				break
			}
		}
		if dir == p.Pattern && !strings.HasSuffix(strings.TrimSpace(ign.Lines[p.Line-1]), "/") && ignoreFileLikeName(parts[len(parts)-1]) {
			dir = path.Dir(p.Pattern)
		}
		// .git/refs holds no file a developer puts there.
		if dir != "" && dir != "." && !pathWithin(dir, ".git") && !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	return out
}

// ignoreFileLikeName reports names that are files rather than folders: with an
// extension or a leading dot, in capitals (LICENSE), *file (Dockerfile,
// Makefile), or a build wrapper script.
func ignoreFileLikeName(name string) bool {
	if strings.Contains(name, ".") || name == "gradlew" || name == "mvnw" {
		return true
	}
	upper := true
	for _, r := range name {
		if unicode.IsLower(r) {
			upper = false
		}
	}
	if upper {
		return true
	}
	r := []rune(name)
	return len(r) > 4 && unicode.IsUpper(r[0]) && strings.HasSuffix(name, "file")
}

func checkDockerignoreMissing(p *Pass) {
	if p.Ignore != nil {
		return
	}
	bc, ok := missingIgnoreCopy(p.Dockerfile)
	if !ok {
		return
	}
	{
		f := Finding{
			Span: Span{Line: bc.in.StartLine, EndLine: bc.in.StartLine},
			Message: fmt.Sprintf("%s %s copies the whole build context, and the context has no .dockerignore",
				strings.ToUpper(bc.in.Cmd), bc.src),
			Fix: "Create a .dockerignore at the root of the build context with at least these lines: " +
				strings.Join(standardIgnoreLines(), ", ") + ".",
			Key: "missing",
		}
		// With the build context at hand, the warning becomes an error
		// naming the secret files that the missing lines let through.
		if p.Context != nil {
			var exclude *patternmatcher.PatternMatcher
			if len(bc.excludes) > 0 {
				exclude, _ = compilePatterns(bc.excludes)
			}
			lines := standardIgnoreLines()
			// Without an ignore file every secret file goes through, not
			// only those of the standard set.
			if files := gapFiles([]*BuildContext{p.Context}, nil, exclude); len(files) > 0 {
				f.Level = Error
				f.Message += "; it holds " + fileList(files)
				f.Related = fileRelated(files, "in the build context, which this instruction copies")
				lines = append(lines, uncoveredLines(p.Context, files)...)
			}
			if p.Context.Dir != path.Dir(p.Dockerfile.Path) || len(lines) > len(standardIgnore) {
				f.Fix = fmt.Sprintf("Create %s with at least these lines: %s.", path.Join(p.Context.Dir, ".dockerignore"), strings.Join(lines, ", "))
			}
		}
		p.Report(f)
	}
}

// missingIgnoreCopy returns the copy of the whole context that
// dockerignore-missing reports for a context without an ignore file: the
// first one whose --exclude flags leave the standard secret set in. One
// finding per Dockerfile and context: the missing file is one problem.
// context-secret-shipped leaves that line to dockerignore-missing, which
// names the same files, so that one cause gets one finding.
func missingIgnoreCopy(df *Dockerfile) (broadCopy, bool) {
	m := newSecretFileModel(df)
	if m == nil {
		return broadCopy{}, false
	}
	for _, bc := range m.broadCopies() {
		if len(ignoreGaps(nil, bc.excludes, df.Budget)) > 0 {
			return bc, true
		}
	}
	return broadCopy{}, false
}

func checkDockerignoreGap(p *Pass) {
	ign := p.Ignore
	if p.Dockerfile != nil || !ign.Valid() {
		return
	}
	gaps := ignoreGaps(ign, nil, nil)
	if len(gaps) == 0 {
		return
	}
	f := Finding{
		Message: fmt.Sprintf("%s does not exclude %s", path.Base(ign.Path), strings.Join(gaps, ", ")),
		Fix:     fmt.Sprintf("Add these lines at the end of %s: %s.", ign.Path, strings.Join(gaps, ", ")),
		Key:     "standard secret set",
	}
	// A gap that lets a real secret file of a governed build context
	// through is an error naming the file; without one it stays a warning.
	if files := gapFiles(p.Contexts, gaps, nil); len(files) > 0 {
		f.Level = Error
		f.Message += ", and lets " + fileList(files) + " into the build context"
		f.Related = fileRelated(files, "that the ignore file lets into the build context")
	}
	last := 0
	for i, l := range ign.Lines {
		if strings.TrimSpace(l) != "" {
			last = i + 1
		}
	}
	if last == 0 {
		f.Span = Span{Line: 1, EndLine: 1}
		p.Report(f)
		return
	}
	// The report sits on the last line so that the suggestion, which
	// appends the missing lines, applies where the comment is.
	f.Span = Span{Line: last, EndLine: last}
	add := append(gaps, keptReincludes(ign, gaps)...)
	f.Suggestion = &Suggestion{StartLine: last, EndLine: last, Text: ign.Lines[last-1] + "\n" + strings.Join(add, "\n")}
	p.Report(f)
}

// keptReincludes returns the `!` lines that the appended lines would
// override: a file re-included by name (!.env.example, !certs/ca.pem) that
// the build needs stays in the context.
func keptReincludes(ign *IgnoreFile, added []string) []string {
	// Memoised like ignoreGaps: the answer depends on the patterns and the
	// added lines only, and each call compiles a matcher.
	key := memoKey{patternsKey(ign), keyOf(added)}
	return slices.Clone(reincludeMemo.get(key, func() []string { return computeKeptReincludes(ign, added) }))
}

// reincludeMemo remembers keptReincludes per pattern list and added lines.
var reincludeMemo memo[memoKey, []string]

func computeKeptReincludes(ign *IgnoreFile, added []string) []string {
	var all []string
	for _, p := range ign.Patterns {
		if p.Negate {
			all = append(all, "!"+p.Pattern)
		} else {
			all = append(all, p.Pattern)
		}
	}
	// The matcher is compiled for the first `!` line that needs it: most
	// files have none, and compiling was most of this rule's cost.
	var after *patternmatcher.PatternMatcher
	var out []string
	seen := map[string]bool{}
	budget := maxFileMatches
	for _, p := range ign.Patterns {
		if !p.Negate || strings.ContainsAny(p.Pattern, "*?[") || seen[p.Pattern] {
			continue
		}
		seen[p.Pattern] = true
		// Each line is matched against every pattern: a file of many
		// thousand `!` lines took minutes. Past the budget the suggestion
		// keeps the lines found so far.
		if budget -= 2 * len(all); budget < 0 {
			break
		}
		if _, secret := SecretPath(p.Pattern); secret || ign.Excludes(p.Pattern) {
			continue
		}
		if after == nil {
			var err error
			if after, err = compilePatterns(append(all, added...)); err != nil {
				return nil
			}
		}
		if ok, err := after.MatchesOrParentMatches(p.Pattern); err == nil && ok {
			out = append(out, "!"+p.Pattern)
		}
	}
	return out
}

// maxFileMatches bounds the pattern matches that computeGaps and
// computeKeptReincludes make for one ignore file, where each probe or line
// is matched against every pattern: only files of thousands of lines come
// near it (real ones have tens).
const maxFileMatches = 4 << 20

// reincludeProbes are secret files that a `!` glob may bring back.
var reincludeProbes = []string{
	".env", ".env.local", ".env.production", "id_rsa", "id_ed25519", "key.pem", "privkey.pem", "server-key.pem",
	"server.key", ".npmrc", ".netrc", ".pypirc", ".git-credentials", "credentials.json", "client.p12",
	"keystore.jks", "terraform.tfstate", ".aws", ".ssh", ".aws/credentials", ".ssh/id_rsa", "kubeconfig", ".docker/config.json",
}

func checkDockerignoreReinclude(p *Pass) {
	ign := p.Ignore
	if p.Dockerfile != nil || !ign.Valid() {
		return
	}
	excluded := map[string]bool{} // by probe: few, where `!` lines may be many
	for _, pat := range ign.Patterns {
		if !pat.Negate {
			continue
		}
		probe, kind, glob := reincludedSecret(pat.Pattern)
		if probe == "" {
			continue
		}
		ex, ok := excluded[probe]
		if !ok {
			ex = ign.Excludes(probe)
			excluded[probe] = ex
		}
		if ex {
			// A later line excludes it again.
			continue
		}
		f := Finding{
			Span: Span{Line: pat.Line, EndLine: pat.Line},
			Key:  "!" + pat.Pattern,
		}
		if glob {
			f.Message = fmt.Sprintf("!%s re-includes secret files such as %s (%s) into the build context", pat.Pattern, probe, kind)
			f.Fix = "Re-include only the files the build needs, by name (for example `!certs/ca.pem`), so that credentials stay out of the context."
		} else {
			f.Message = fmt.Sprintf("!%s re-includes %s (%s) into the build context", pat.Pattern, pat.Pattern, kind)
			f.Fix = "Remove this line; pass the credential to the build with `RUN --mount=type=secret` or to the container at run time."
			f.Suggestion = &Suggestion{StartLine: pat.Line, EndLine: pat.Line}
		}
		p.Report(f)
	}
}

// reincludedSecret returns a secret path that the re-include pattern names:
// the pattern itself when it is a path, else a probe that it matches by name.
// A pattern whose last part is only a wildcard (!src/**) re-includes a
// folder, not secrets by name; dockerignore-gap probes those folders.
func reincludedSecret(pattern string) (probe, kind string, glob bool) {
	r := reincludedMemo.get(pattern, func() (r reincluded) {
		r.probe, r.kind, r.glob = computeReincludedSecret(pattern)
		return r
	})
	return r.probe, r.kind, r.glob
}

// reincludedMemo remembers reincludedSecret per pattern: a monorepo's
// ignore files repeat the same `!` lines, and a glob compiles a matcher and
// classifies 46 probes (4% of a scan).
var reincludedMemo memo[string, reincluded]

type reincluded struct {
	probe, kind string
	glob        bool
}

func computeReincludedSecret(pattern string) (probe, kind string, glob bool) {
	if !strings.ContainsAny(pattern, "*?[") {
		if k, ok := SecretPath(pattern); ok {
			return pattern, k, false
		}
		return "", "", false
	}
	parts := strings.Split(pattern, "/")
	prefix := ""
	for i, part := range parts {
		if strings.ContainsAny(part, "*?[") {
			prefix = strings.Join(parts[:i], "/")
			break
		}
	}
	if strings.Trim(parts[len(parts)-1], "*?") == "" {
		// !.aws/** brings back a secret folder; !src/** a plain one.
		if _, ok := SecretPath(prefix); ok && prefix != "" {
			probe := path.Join(prefix, "credentials")
			if k, ok := SecretPath(probe); ok {
				return probe, k, true
			}
		}
		return "", "", false
	}
	m, err := compilePatterns([]string{pattern})
	if err != nil {
		return "", "", false
	}
	for _, dir := range []string{prefix, path.Join(prefix, "sub")} {
		for _, pr := range reincludeProbes {
			cand := path.Join(dir, pr)
			k, ok := SecretPath(cand)
			if !ok {
				continue
			}
			// The pattern must name the file, not a folder above it.
			if hit, _ := m.MatchesOrParentMatches(cand); !hit {
				continue
			}
			if parent := path.Dir(cand); parent != "." {
				if hit, _ := m.MatchesOrParentMatches(parent); hit {
					continue
				}
			}
			return cand, k, true
		}
	}
	return "", "", false
}
