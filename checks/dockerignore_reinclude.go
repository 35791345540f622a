package checks

import (
	"fmt"
	"path"
	"strings"
)

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
		probe, kind, glob := reincludedSecret(p.State, pat.Pattern)
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
//
// The answers are kept per pattern in st: a monorepo's ignore files repeat
// the same `!` lines, and a glob compiles a matcher and classifies 46
// probes.
func reincludedSecret(st *State, pattern string) (probe, kind string, glob bool) {
	var m *memo[string, reincluded]
	if st != nil {
		m = &st.reincluded
	}
	r := m.get(pattern, func() (r reincluded) {
		r.probe, r.kind, r.glob = computeReincludedSecret(pattern)
		return r
	})
	return r.probe, r.kind, r.glob
}

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
