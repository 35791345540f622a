package checks

// CI workflows and Compose files pass build arguments from outside the
// Dockerfile; when one of them carries a secret and the Dockerfile declares
// the ARG in a stage whose history ships, BuildKit writes the value into
// that history (see secret_arg.go). The engine reads the workflows and
// Compose files and hands each Dockerfile's builds to the rule as CIBuilds;
// the rule decides which arguments reach the history.

import (
	"fmt"
	"strings"
)

// BuildArgSecret reports build arguments that a CI workflow or a Compose
// file fills with a secret, for an ARG that the built image's history
// records.
var BuildArgSecret = &Rule{
	ID: "build-arg-secret", Name: "BuildArgSecret", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret passed as a build argument by CI or Compose, recorded in the image history",
	Help:             mustDoc("build-arg-secret"),
	Check:            checkBuildArgSecret,
}

// BuildTool says how a CIBuild runs a build, which decides the fix.
type BuildTool int

// The tools whose build arguments the engine reads.
const (
	_ BuildTool = iota
	// BuildPushAction is docker/build-push-action's build-args input.
	BuildPushAction
	// DockerBuild is docker build or docker buildx build in a run: script.
	DockerBuild
	// Compose is a Compose service's build.args.
	Compose
)

// CIBuild is one build of a Dockerfile that a workflow step or a Compose
// service runs, with the build arguments it passes.
type CIBuild struct {
	Path   string // the workflow or Compose file: slash path from the scan root
	Tool   BuildTool
	Target string // the stage built (--target); "" for the last one
	Args   []CIArg
}

// CIArg is one build argument of a CIBuild.
type CIArg struct {
	Name string // the ARG it sets
	Span Span   // where it is written in the CIBuild's file
	// Secret names the CI secret the value holds: "NPM_TOKEN" for
	// ${{ secrets.NPM_TOKEN }}, "GITHUB_TOKEN" for ${{ github.token }};
	// "" when it holds none.
	Secret string
	// Env is the variable of the step's environment that hands the value to
	// docker build (--build-arg NAME, or NAME=$TOKEN); "" when the value is
	// written in the command or the action's input.
	Env string
	// Literal is the value a Compose file writes, interpolated; nil when
	// the argument takes it from the environment.
	Literal *Value
}

func checkBuildArgSecret(p *Pass) {
	df := p.Dockerfile
	if df == nil || len(df.Stages) == 0 {
		return
	}
	for _, b := range p.Builds {
		target := df.Stages[len(df.Stages)-1]
		if b.Target != "" {
			// BuildKit refuses a target that names no stage: no image.
			if target = df.byName[strings.ToLower(b.Target)]; target == nil {
				continue
			}
		}
		for _, a := range b.Args {
			what, secret := argSecret(p, a)
			if what == "" {
				continue
			}
			decl := recordedArg(df, target, a.Name)
			if decl == nil {
				continue
			}
			p.Report(Finding{
				Path:    b.Path,
				Span:    a.Span,
				Message: fmt.Sprintf("Build argument %q passes %s into the history of the image built from %s", a.Name, what, df.Path),
				Secret:  secret,
				Fix:     buildArgFix(b.Tool, a),
				Related: []Related{{Path: df.Path, Span: decl.Whole(),
					Message: fmt.Sprintf("ARG %s in stage %s records the value in the image history", a.Name, stageLabel(decl.Stage))}},
				// One workflow line can build several Dockerfiles.
				Key: strings.Join([]string{df.Path, a.Name, a.Secret, b.Target}, "\x00"),
			})
		}
	}
}

// argSecret says what secret an argument passes ("" for none) and, for a
// literal, the text the engine masks.
func argSecret(p *Pass, a CIArg) (what, secret string) {
	if a.Secret != "" {
		return "the CI secret " + a.Secret, ""
	}
	if a.Literal == nil {
		return "", ""
	}
	v := *a.Literal
	lit := strings.TrimSpace(v.Literal)
	if lit == "" || p.Settings.Allowed(lit) {
		return "", ""
	}
	if toks := ValueTokens(a.Name, lit); len(toks) > 0 {
		return tokenPhrase(toks[0].Description) + " written in the Compose file", toks[0].Secret
	}
	if secrets := URLCredentialSecrets(lit); len(secrets) > 0 {
		return "a URL with credentials written in the Compose file", secrets[0]
	}
	if LiteralSecret(a.Name, v, p.Settings) {
		return "a credential written in the Compose file", lit
	}
	if pw, ok := ConnectionPassword(v, p.Settings); ok {
		return "a password in a connection string written in the Compose file", pw
	}
	return "", ""
}

// recordedArg returns the first ARG that declares name in target or a
// stage target is built on: BuildKit records that declaration, with the
// value passed, in the history of the image. A global ARG alone is not
// recorded, and neither is one of a stage that target only copies from.
func recordedArg(df *Dockerfile, target *Stage, name string) *Instruction {
	for _, in := range argRefsOf(df).decls[name] {
		if builtOn(target, in.Stage) {
			return in
		}
	}
	return nil
}

// buildArgFix tells how to pass the secret as a secret mount instead.
func buildArgFix(tool BuildTool, a CIArg) string {
	id := strings.ToLower(a.Name)
	mount := fmt.Sprintf("and read it with `RUN --mount=type=secret,id=%s,env=%s …` instead of `ARG %s`.", id, a.Name, a.Name)
	switch tool {
	case BuildPushAction:
		return fmt.Sprintf("Pass it as a secret: move it from `build-args:` to the step's `secrets:` input (`%s=${{ secrets.%s }}`), %s",
			id, secretOrName(a), mount)
	case DockerBuild:
		env := a.Env
		if env == "" {
			env = a.Name
		}
		return fmt.Sprintf("Pass it as a secret: replace `--build-arg %s` by `--secret id=%s,env=%s` with the step's `env:` setting %s to `${{ secrets.%s }}`, %s",
			a.Name, id, env, env, secretOrName(a), mount)
	}
	return fmt.Sprintf("Remove the value from the Compose file and rotate it: declare it under the top-level `secrets:` (`%s: {environment: %s}`), list it under the service's `build.secrets` instead of `build.args`, %s",
		id, a.Name, mount)
}

func secretOrName(a CIArg) string {
	if a.Secret != "" {
		return a.Secret
	}
	return a.Name
}
