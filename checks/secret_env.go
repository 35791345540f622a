package checks

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// SecretEnv reports ENV instructions that bake a literal credential into the
// image config, where `docker inspect` shows it to anyone who can pull the
// image.
var SecretEnv = &Rule{
	ID: "secret-env", Name: "SecretEnv", Level: Error, Precision: "high",
	SecuritySeverity: "9.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret value stored in an ENV instruction",
	Help:             mustDoc("secret-env"),
	Check:            checkSecretEnv,
}

func checkSecretEnv(p *Pass) {
	df := p.Dockerfile
	if df == nil {
		return
	}
	for _, st := range df.Stages {
		for _, in := range st.Instructions {
			keyword, env := envOf(in)
			if env == nil {
				continue
			}
			for _, kv := range env.Env {
				reportSecretEnv(p, in, keyword, kv, st.Inherited)
			}
		}
	}
	reportRefusedPairs(p, "env")
}

// envOf returns the ENV of an instruction, or of its ONBUILD trigger, with
// the keyword to name it by.
func envOf(in *Instruction) (string, *instructions.EnvCommand) {
	if env, ok := in.Command.(*instructions.EnvCommand); ok {
		return "ENV", env
	}
	if in.Onbuild != nil {
		if env, ok := in.Onbuild.Command.(*instructions.EnvCommand); ok {
			return "ONBUILD ENV", env
		}
	}
	return "", nil
}

// reportSecretEnv reports one ENV pair. A stage whose config does not ship
// (a builder only copied from) leaks nothing through its ENV, so only a
// token that carries its format's mark, which is a leak of the repository
// wherever it is written, is reported there.
func reportSecretEnv(p *Pass, in *Instruction, keyword string, kv instructions.KeyValuePair, shipped bool) {
	df := p.Dockerfile
	v := p.State.ReadValue(kv.Value, df.Escape)
	a := JudgeAssignment(kv.Key, v, p.Settings)
	// Built only for a finding: most values are not secrets.
	fix := func() string {
		return fmt.Sprintf("Remove the value from the Dockerfile and rotate it: give it to the container at run time (an orchestrator secret, `docker run -e %s`), or mount it only where the build needs it with `RUN --mount=type=secret,id=%s,env=%s`.",
			kv.Key, strings.ToLower(kv.Key), kv.Key)
	}
	for _, tok := range a.Tokens {
		if !shipped && !tok.Prefixed {
			continue // only a marked token leaks with the repository alone
		}
		msg := fmt.Sprintf("%s %q stores %s in the image config", keyword, kv.Key, tokenPhrase(tok.Description))
		if !shipped {
			msg = fmt.Sprintf("%s %q holds %s written in the Dockerfile", keyword, kv.Key, tokenPhrase(tok.Description))
		}
		p.Report(Finding{
			Span:    locateValue(df, in, kv.Key, tok.Secret),
			Message: msg,
			Secret:  tok.Secret,
			Fix:     fix(),
		})
	}
	switch {
	case !shipped:
	case a.Literal:
		secret := sourceText(df, in, v)
		p.Report(Finding{
			Span:    locateValue(df, in, kv.Key, secret),
			Message: fmt.Sprintf("%s %q stores a credential in the image config", keyword, kv.Key),
			Secret:  secret,
			Fix:     fix(),
		})
	case a.ConnPassword != "":
		p.Report(Finding{
			Span:    locateValue(df, in, kv.Key, a.ConnPassword),
			Message: fmt.Sprintf("%s %q stores a password in a connection string in the image config", keyword, kv.Key),
			Secret:  a.ConnPassword,
			Fix:     fix(),
		})
	}
}

// sourceText returns the secret of a value as it is written in the file, so
// that the engine can mask it in the snippet: the literal when it appears
// verbatim, else the value without its quotes (escapes kept), else the
// longest field of the literal that appears.
func sourceText(df *Dockerfile, in *Instruction, v Value) string {
	lit := strings.TrimSpace(v.Literal)
	text := in.Text(df)
	if strings.Contains(text, lit) {
		return lit
	}
	raw := strings.TrimSpace(v.Raw)
	if len(raw) >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] {
		raw = raw[1 : len(raw)-1]
	}
	if raw != "" && strings.Contains(text, raw) {
		return raw
	}
	longest := ""
	for _, f := range strings.Fields(lit) {
		if len(f) > len(longest) && strings.Contains(text, f) {
			longest = f
		}
	}
	if longest == "" {
		return lit
	}
	return longest
}

// locateValue returns the span of needle after the key it is assigned to,
// so that `ENV A=x B=x` reports each x where it stands; it falls back to the
// key, then to the instruction's first line.
func locateValue(df *Dockerfile, in *Instruction, key, needle string) Span {
	for ln := in.StartLine; ln <= in.EndLine && ln <= len(df.Lines); ln++ {
		line := df.Lines[ln-1]
		k := indexAssigned(line, key)
		if k < 0 {
			continue
		}
		if needle != "" {
			if i := strings.Index(line[k+len(key):], needle); i >= 0 {
				col := k + len(key) + i + 1
				return Span{Line: ln, Col: col, EndLine: ln, EndCol: col + len(needle)}
			}
			// A legacy value continued on the next lines.
			if s := LocateIn(df.Lines, ln+1, in.EndLine, needle); s.Col > 0 {
				return s
			}
		}
		return Span{Line: ln, Col: k + 1, EndLine: ln, EndCol: k + 1 + len(key)}
	}
	return df.Locate(in, needle)
}

// indexAssigned finds key where it is assigned: a word of its own, after
// white space, followed by =, by white space (legacy ENV) or by the end of
// the line (ARG without default); not $KEY.
func indexAssigned(line, key string) int {
	for from := 0; from < len(line); {
		i := indexName(line[from:], key)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(key)
		start := i == 0 || line[i-1] == ' ' || line[i-1] == '\t'
		if start && (end == len(line) || line[end] == '=' || line[end] == ' ' || line[end] == '\t') {
			return i
		}
		from = end
	}
	return -1
}

// tokenPhrase names a token format with its article: "a GitHub Personal
// Access Token", "an AWS Access Key".
func tokenPhrase(desc string) string {
	switch {
	case desc == "":
		return "a known token format"
	case strings.ContainsRune("AEIOUaeiou", rune(desc[0])) || strings.HasPrefix(desc, "npm"):
		return "an " + desc
	}
	return "a " + desc
}
