package checks

import (
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

// ignoreGaps returns the lines of the standard set that the ignore file
// (nil: none) and the COPY --exclude patterns leave in the context. An
// allow-list file (`*`, then `!src/`) covers them all: what it brings back
// is checked file by file, by context-secret-shipped.
func ignoreGaps(ign *IgnoreFile, excludes []string) []string {
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

// keptReincludes returns the `!` lines that the appended lines would
// override: a file re-included by name (!.env.example, !certs/ca.pem) that
// the build needs stays in the context.
func keptReincludes(ign *IgnoreFile, added []string) []string {
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
