package checks

// arg-persisted: a secret build argument copied into ENV, a LABEL or a
// file that a RUN writes (arg_run_writes.go).

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// ArgPersisted reports secret build arguments copied into ENV, a LABEL or a
// file of a shipped layer.
var ArgPersisted = &Rule{
	ID: "arg-persisted", Name: "ArgPersisted", Level: Error, Precision: "high",
	SecuritySeverity: "8.5",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret build argument copied into the image config or a layer",
	Help:             mustDoc("arg-persisted"),
	Check:            checkArgPersisted,
}

// argScope is what an instruction sees: the secret build arguments in
// scope by name, and the working folder for relative paths.
type argScope struct {
	args map[string]*argDecl
	dir  string
}

func (s argScope) clone() argScope {
	c := argScope{args: make(map[string]*argDecl, len(s.args)), dir: s.dir}
	for k, v := range s.args {
		c.args[k] = v
	}
	return c
}

// locateRefAfter returns the span of the first reference to name at or
// after the command whose source text is raw, so that a finding points at
// the command that writes the file; it falls back to the first reference.
func locateRefAfter(df *Dockerfile, in *Instruction, name, raw string) Span {
	anchor := strings.TrimSpace(raw)
	if i := strings.IndexByte(anchor, '\n'); i >= 0 {
		anchor = anchor[:i]
	}
	if len(anchor) > 24 {
		anchor = anchor[:24]
	}
	re := argRefPattern(name)
	for ln := in.StartLine; anchor != "" && ln <= in.EndLine && ln <= len(df.Lines); ln++ {
		at := strings.Index(df.Lines[ln-1], anchor)
		if at < 0 {
			continue
		}
		for l := ln; l <= in.EndLine && l <= len(df.Lines); l++ {
			line := df.Lines[l-1]
			from := 0
			if l == ln {
				from = at
			}
			if loc := re.FindStringIndex(line[from:]); loc != nil {
				return refSpan(line, l, from+loc[0], from+loc[1])
			}
		}
		break
	}
	return locateRef(df, in, name)
}

func checkArgPersisted(p *Pass) {
	df := p.Dockerfile
	if df == nil || len(df.Stages) == 0 {
		return
	}
	metas := map[string]*argDecl{}
	for _, in := range df.MetaArgs {
		for _, d := range readArgs(p, in, metas) {
			metas[d.key] = d
		}
	}
	l := df.lineage()
	final := map[*Stage]argScope{}
	for _, st := range df.Stages {
		// No map until an ARG needs one: most stages declare none.
		scope, owned := argScope{dir: "/"}, true
		if st.BaseStage != nil {
			// Shared with the base until an ARG changes it: copied for
			// every stage, a FROM chain under many ARGs was quadratic.
			scope, owned = final[st.BaseStage], false
		}
		for _, in := range st.Instructions {
			if dir, ok := in.workdir(); ok {
				scope.dir = persistJoin(scope.dir, dir)
			}
			switch c := in.Command.(type) {
			case *instructions.ArgCommand:
				if !owned {
					if !df.Budget.Spend(int64(len(scope.args)), "ARG scopes") {
						return
					}
					scope, owned = scope.clone(), true
				}
				if scope.args == nil {
					scope.args = map[string]*argDecl{}
				}
				for _, d := range readArgs(p, in, metas) {
					if d.secret() || d.urlCredential || d.connURI {
						scope.args[d.key] = d
					} else {
						delete(scope.args, d.key)
					}
				}
			// With no secret argument in scope, the reports below find
			// nothing: skipped before a value is read or a stage's
			// carriers are listed.
			case *instructions.EnvCommand:
				if st.Inherited && len(scope.args) > 0 {
					reportCopiedPairs(p, in, "ENV", c.Env, scope)
				}
			case *instructions.LabelCommand:
				if st.Inherited && len(scope.args) > 0 {
					reportCopiedPairs(p, in, "LABEL", c.Labels, scope)
				}
			case *instructions.RunCommand:
				if len(scope.args) > 0 && (st.Inherited || l.copiedOut(st)) {
					reportRunWrites(p, st, in, c, scope)
				}
			}
		}
		final[st] = scope
	}
}

// reportCopiedPairs reports ENV or LABEL values that reference a secret
// argument in scope: BuildKit expands them into the image config.
func reportCopiedPairs(p *Pass, in *Instruction, keyword string, pairs instructions.KeyValuePairs, scope argScope) {
	df := p.Dockerfile
	for _, kv := range pairs {
		v := p.State.ReadValue(kv.Value, df.Escape)
		for _, ref := range v.Refs {
			d := scope.args[ref]
			if d == nil {
				continue
			}
			span := locateRef(df, in, ref)
			if span.Col == 0 {
				span = locateKey(df, in, kv.Key)
			}
			level, msg := Level(0), fmt.Sprintf("%s %q copies ARG %q into the image config", keyword, kv.Key, ref)
			if !d.secret() && !d.urlCredential {
				level, msg = Warning, fmt.Sprintf("%s %q copies ARG %q, a connection URL that carries its password when it has one, into the image config", keyword, kv.Key, ref)
			}
			p.Report(Finding{
				Level:   level,
				Span:    span,
				Message: msg,
				Fix: fmt.Sprintf("Do not copy the build argument into %s: mount it only in the RUN that needs it with `RUN --mount=type=secret,id=%s,env=%s`, and give it to the container at run time if it needs it.",
					keyword, strings.ToLower(ref), ref),
				Related: []Related{argRelated(df, d)},
				Key:     fmt.Sprintf("%s %s=$%s", keyword, kv.Key, ref),
			})
			break
		}
	}
}

// argRelated points at the declaration of a secret argument.
func argRelated(df *Dockerfile, d *argDecl) Related {
	return Related{Path: df.Path, Span: locateKey(df, d.in, d.key), Message: fmt.Sprintf("ARG %q is declared here", d.key)}
}
