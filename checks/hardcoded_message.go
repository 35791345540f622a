package checks

import (
	"fmt"
	"strings"
)

// The messages and fixes of hardcoded-secret's findings.

// secretMessage says where the secret is and where it ends up.
func secretMessage(in *Instruction, role lineRole, what string) string {
	if role == roleRefused {
		return fmt.Sprintf("Line that BuildKit refuses contains %s committed to the repository", what)
	}
	if in == nil {
		return fmt.Sprintf("Comment contains %s committed to the repository", what)
	}
	name := strings.ToUpper(in.Cmd)
	switch role {
	case roleComment:
		return fmt.Sprintf("Comment inside %s contains %s committed to the repository", name, what)
	case roleBody:
		name += " heredoc"
	}
	return placeMessage(name, in, role, what)
}

// placeMessage completes a message about what in subject (RUN, `ENV "X"`)
// with where it ends up: the image's history, config or layers for a stage
// that the built image inherits, only the repository otherwise.
func placeMessage(subject string, in *Instruction, role lineRole, what string) string {
	s := in.Stage
	switch {
	case s == nil:
		return fmt.Sprintf("%s before the first FROM contains %s committed to the repository", subject, what)
	case !s.Shipped:
		return fmt.Sprintf("%s in stage %s contains %s committed to the repository; the stage does not ship", subject, stageLabel(s), what)
	case !s.Inherited:
		return fmt.Sprintf("%s in stage %s contains %s committed to the repository; only files copied out of the stage ship", subject, stageLabel(s), what)
	case in.Cmd == "from":
		return fmt.Sprintf("%s contains %s committed to the repository", subject, what)
	case (in.Cmd == "copy" || in.Cmd == "add") && role == roleBody:
		return fmt.Sprintf("%s contains %s that ships in an image layer", subject, what)
	case in.Cmd == "run" || in.Cmd == "copy" || in.Cmd == "add" || in.Cmd == "arg":
		return fmt.Sprintf("%s contains %s that ships in the image history", subject, what)
	}
	return fmt.Sprintf("%s contains %s that ships in the image config", subject, what)
}

func hardcodedFix(in *Instruction, role lineRole) string {
	if in == nil || role == roleComment || role == roleRefused {
		return "Remove the secret from the Dockerfile and revoke it: it is in the repository's history."
	}
	return "Revoke the secret and pass it at build time with `RUN --mount=type=secret` (or at run time), never in the Dockerfile."
}

func stageLabel(s *Stage) string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprintf("%d", s.Index)
}

// withArticle puts "a" or "an" before a token kind.
func withArticle(kind string) string {
	if kind == "" {
		return "a known token format"
	}
	if strings.HasPrefix(kind, "npm") || strings.ContainsRune("AEIOaeio", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}
