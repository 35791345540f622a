package checks

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
)

// Every file of the build context that the ignore file does not exclude can
// reach the image through a COPY . or a glob, so the ignore file is the
// last line of defence. Whether it excludes a secret is always asked of
// BuildKit's own matcher with probe paths, never by comparing pattern text:
// `.env*`, `**/.env` and `*` + `!src` all read differently from how they
// look.
//
// Hygiene is advice (DESIGN.md section 1): nothing is reported on an ignore
// file's own lines but a `!` that re-includes a secret. What the ignore
// file lets through is reported at the COPY that ships it: broad-copy when
// no secret file goes through, context-secret-shipped or
// dockerignore-missing, naming the files, when one does.

// DockerignoreMissing reports a broad copy of a build context that has no
// ignore file and holds secret files.
var DockerignoreMissing = &Rule{
	ID: "dockerignore-missing", Name: "DockerignoreMissing", Level: Error, Precision: "very-high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets", "build-context"},
	Summary:          "Build context holding secret files is copied whole without a .dockerignore",
	Help:             mustDoc("dockerignore-missing"),
	Check:            checkDockerignoreMissing,
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
}

// standardIgnore is the recommended secret set, which fixes propose: short,
// and each line a file that holds credentials by convention. .git is in it
// because its history keeps removed secrets and because actions/checkout
// writes the job's token into .git/config.
var standardIgnore = []ignoreLine{
	// .git/HEAD and .git/refs name a commit and are often kept on purpose
	// (`.git` then `!.git/HEAD`); the config and the objects are the secrets.
	{".git", []string{".git/config", ".git/objects/pack/pack-0.pack"}},
	{"**/.env", []string{".env", "config/.env"}},
	{"**/.env.*", []string{".env.local", "config/.env.production"}},
	{"**/.aws", []string{".aws/credentials", "home/.aws/credentials"}},
	{"**/.ssh", []string{".ssh/id_rsa", "home/.ssh/id_ed25519"}},
	{"**/*.pem", []string{"key.pem", "certs/privkey.pem"}},
	{"**/*.key", []string{"server.key", "certs/tls.key"}},
	{"**/.npmrc", []string{".npmrc", "web/.npmrc"}},
	{"**/.netrc", []string{".netrc", "home/.netrc"}},
	{"**/.pypirc", []string{".pypirc", "home/.pypirc"}},
	{"**/.git-credentials", []string{".git-credentials", "home/.git-credentials"}},
}

// baseIgnore is the base set that a broad copy needs kept out of its
// context, whatever the project: files that hold credentials wherever they
// sit. The other lines of standardIgnore are advice (a Go service has no
// .npmrc to leak).
var baseIgnore = []string{"**/.env", "**/.aws", "**/.ssh"}

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
// (nil: none) and the COPY --exclude patterns leave in the context. An
// allow-list file (`*`, then `!src/`) covers them all: what it brings back
// is checked file by file, by context-secret-shipped.
func ignoreGaps(ign *IgnoreFile, excludes []string) []string {
	// Monorepos copy one ignore file into many folders; the gaps depend on
	// the patterns only, and compiling them is most of the cost.
	key := memoKey{patternsKey(ign), keyOf(excludes)}
	return slices.Clone(gapMemo.get(key, func() []string { return computeGaps(ign, excludes) }))
}

// baseGaps returns the lines of the base set among gaps.
func baseGaps(gaps []string) []string {
	var out []string
	for _, g := range gaps {
		if slices.Contains(baseIgnore, g) {
			out = append(out, g)
		}
	}
	return out
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
// --exclude patterns of a COPY, the lines a fix adds.
type memoKey struct{ patterns, with listKey }

// gapMemo remembers the gaps of each distinct pattern list.
var gapMemo memo[memoKey, []string]

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

func computeGaps(ign *IgnoreFile, excludes []string) []string {
	var extra *patternmatcher.PatternMatcher
	if len(excludes) > 0 {
		extra, _ = compilePatterns(excludes)
	}
	excluded := func(p string) bool {
		if ign.Excludes(p) {
			return true
		}
		if extra != nil {
			ok, err := extra.MatchesOrParentMatches(p)
			return err == nil && ok
		}
		return false
	}
	var gaps []string
	for _, l := range standardIgnore {
		for _, pr := range l.probes {
			if !excluded(pr) {
				gaps = append(gaps, l.pattern)
				break
			}
		}
	}
	return gaps
}

func checkDockerignoreMissing(p *Pass) {
	if p.Ignore != nil {
		return
	}
	bc, files, ok := missingIgnoreCopy(p.Dockerfile, p.Context)
	if !ok {
		return
	}
	ctx := p.Context
	ctx.derive()
	shipped := make([]contextSecretFile, len(files))
	for i, n := range files {
		shipped[i] = ctx.repoFiles[n]
	}
	lines := append(standardIgnoreLines(), uncoveredLines(ctx, shipped)...)
	where := "into the image"
	if bc.via != nil {
		where = fmt.Sprintf("into stage %s, and COPY --from on line %d ships it", stageDisplayName(bc.in.Stage), bc.via.StartLine)
	}
	f := Finding{
		Span: Span{Line: bc.in.StartLine, EndLine: bc.in.StartLine},
		Message: fmt.Sprintf("%s %s copies the whole build context %s; the context has no .dockerignore and holds %s",
			strings.ToUpper(bc.in.Cmd), bc.src, where, shippedList(ctx, files)),
		Fix: fmt.Sprintf("Create %s with at least these lines: %s. Pass credentials with `RUN --mount=type=secret` instead.",
			path.Join(ctx.Dir, ".dockerignore"), strings.Join(lines, ", ")),
		Related: fileRelated(shipped, "in the build context, which this instruction copies"),
		Key:     "missing",
	}
	if bc.via != nil {
		f.Related = append(f.Related, Related{Path: p.Dockerfile.Path, Span: bc.via.Whole(), Message: "this COPY --from ships the copied context"})
	}
	p.Report(f)
}

// missingIgnoreCopy returns the copy of the whole context that
// dockerignore-missing reports for a context without an ignore file, with
// the secret files it ships (indexes into ctx.Secrets): the first one that
// ships any. One finding per Dockerfile and context: the missing file is
// one problem. context-secret-shipped leaves that line to
// dockerignore-missing, which names the same files, and broad-copy every
// line that ships a secret file.
func missingIgnoreCopy(df *Dockerfile, ctx *BuildContext) (broadCopy, []int, bool) {
	if ctx == nil || ctx.Ignore != nil || len(ctx.Secrets) == 0 {
		return broadCopy{}, nil, false
	}
	m := newSecretFileModel(df)
	if m == nil {
		return broadCopy{}, nil, false
	}
	bcs := m.broadCopies()
	if len(bcs) == 0 {
		return broadCopy{}, nil, false
	}
	files := shippedBy(df, ctx)
	for _, bc := range bcs {
		if fs := files[bc.in]; len(fs) > 0 {
			return bc, fs, true
		}
	}
	return broadCopy{}, nil, false
}

// shippedBy returns the secret files of ctx (indexes into its Secrets) that
// each COPY or ADD of df ships, leaving out those whose source or
// destination names them (secret-file-copied's).
func shippedBy(df *Dockerfile, ctx *BuildContext) map[*Instruction][]int {
	out := map[*Instruction][]int{}
	for s := range ContextShipments(df, ctx) {
		if !s.Named {
			out[s.By] = append(out[s.By], s.Secret)
		}
	}
	return out
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

// maxFileMatches bounds the pattern matches that computeKeptReincludes
// makes for one ignore file, where each line is matched against every
// pattern: only files of thousands of lines come
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
		if !glob && reincludedClean(p.Contexts, probe, kind, p.Settings) {
			// The file exists and holds no credential (an .npmrc that
			// reads ${NPM_TOKEN}): its content decides, not its name.
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

// reincludedClean reports whether the file at context path p exists in a
// governed build context and none of them holds a credential there.
func reincludedClean(ctxs []*BuildContext, p, kind string, s *Settings) bool {
	p = contextPath(p)
	seen := false
	for _, ctx := range ctxs {
		if _, _, exact := ctx.under(p); exact >= 0 {
			return false
		}
		if ctx.Read == nil {
			continue
		}
		if b, ok := ctx.Read(p); ok {
			if credentialContent(kind, b, s) {
				return false
			}
			seen = true
		}
	}
	return seen
}

// reincludedSecret returns a secret path that the re-include pattern names:
// the pattern itself when it is a path, else a probe that it matches by name.
// A pattern whose last part is only a wildcard (!src/**) re-includes a
// folder, not secrets by name; context-secret-shipped checks the files
// that come back.
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
