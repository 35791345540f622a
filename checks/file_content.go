package checks

import (
	"regexp"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Files by content (DESIGN.md section 1): a credential-named file that
// exists in the build context is judged by what it holds wherever a rule
// looks at it, so an .npmrc that reads ${NPM_TOKEN} is not a leak. A file
// whose content Stowaway cannot see (absent from the context, copied from
// another image, written by a RUN from values it cannot read) is judged by
// its name, as a warning.

// contentVerdict is what is known of the content of a secret file that an
// instruction puts into its stage.
type contentVerdict int

const (
	contentUnknown contentVerdict = iota // judged by its name: a warning
	contentSecret                        // it holds a credential: an error
	contentClean                         // it exists and holds none: not reported
)

// maxContentHops bounds the COPY --from chains that content follows.
const maxContentHops = 8

// content judges the content of the file that w writes, and says why when
// it is unknown.
func (m *secretFileModel) content(w *secretFileWrite, ctx *BuildContext, s *Settings) (contentVerdict, string) {
	return m.contentAt(w, ctx, s, 0)
}

func (m *secretFileModel) contentAt(w *secretFileWrite, ctx *BuildContext, s *Settings, hops int) (contentVerdict, string) {
	if w.mount != "" {
		// A mounted build secret copied into the image.
		return contentSecret, ""
	}
	if h := w.heredoc; h != nil {
		// An unquoted delimiter expands build arguments into the file.
		if h.Expand && secretVarRef(h.Data, s) || credentialContent(w.kind, []byte(h.Data), s) {
			return contentSecret, ""
		}
		return contentClean, ""
	}
	switch c := w.in.Command.(type) {
	case *instructions.RunCommand:
		// ssh-keygen makes a private key: its content is one by construction.
		if w.via == "ssh-keygen" || runWritesSecret(w.in.Original, s) {
			return contentSecret, ""
		}
		return contentUnknown, "what the RUN writes into it is not known"
	case *instructions.CopyCommand:
		if c.From != "" {
			return m.copiedFromContent(w, c.From, ctx, s, hops)
		}
	case *instructions.AddCommand:
		if remoteCopySource(w.src) {
			return contentUnknown, "it is downloaded"
		}
	default:
		return contentUnknown, ""
	}
	return contextContent(w, ctx, s)
}

// contextContent judges a file that a COPY or ADD takes from the build
// context by its content there.
func contextContent(w *secretFileWrite, ctx *BuildContext, s *Settings) (contentVerdict, string) {
	const absent = "it is not in the build context"
	if ctx == nil || w.src == "" || hasWildcard(w.src) || w.dir {
		if ctx != nil && w.src != "" {
			// A glob or a folder: a secret file it takes decides.
			found := false
			(&contextCopy{ctx: ctx}).hits(w.src, false, func(int, string, bool) bool {
				found = true
				return false
			})
			if found {
				return contentSecret, ""
			}
		}
		return contentUnknown, "its content is not known"
	}
	p := ctx.resolveLinks(contextPath(w.src))
	if _, _, exact := ctx.under(p); exact >= 0 {
		return contentSecret, ""
	}
	if ctx.Read == nil {
		return contentUnknown, "its content is not known"
	}
	b, ok := ctx.Read(p)
	if !ok {
		return contentUnknown, absent
	}
	if credentialContent(w.kind, b, s) {
		return contentSecret, ""
	}
	return contentClean, ""
}

// copiedFromContent judges a file that COPY --from takes out of another
// stage by the write that put it there; one from an image is unknown.
func (m *secretFileModel) copiedFromContent(w *secretFileWrite, from string, ctx *BuildContext, s *Settings, hops int) (contentVerdict, string) {
	st := m.df.StageRef(from)
	if st == nil {
		return contentUnknown, "it comes from another image"
	}
	if hops >= maxContentHops {
		return contentUnknown, "its content is not known"
	}
	src := joinStagePath("/", w.src)
	var last *secretFileWrite
	for _, o := range m.writes {
		// A write of st or of a stage st is built on.
		if o == w || !builtOn(st, o.in.Stage) {
			continue
		}
		if o.path == src || o.alt == src {
			last = o
		}
	}
	if last == nil {
		return contentUnknown, "its content is not known"
	}
	return m.contentAt(last, ctx, s, hops+1)
}

// varRef matches $NAME and ${NAME} in a shell command.
var varRef = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// runWritesSecret reports a RUN whose command holds what it writes into a
// credential file: a secret-named variable (echo "$SSH_KEY" > id_rsa), a
// known token format or a private key block.
func runWritesSecret(cmd string, s *Settings) bool {
	return secretVarRef(cmd, s) || len(contentTokens([]byte(cmd), s)) > 0 || privateKeyBlock.MatchString(cmd)
}

// secretVarRef reports a reference to a secret-named variable.
func secretVarRef(text string, s *Settings) bool {
	for _, m := range varRef.FindAllStringSubmatch(text, -1) {
		if SecretName(m[1], s) {
			return true
		}
	}
	return false
}

// byName makes a finding about a file whose content is unknown a warning
// that says so: the name alone is weaker evidence than a credential seen.
func byName(f *Finding, verdict contentVerdict, why string) {
	if verdict != contentUnknown {
		return
	}
	f.Level = Warning
	if why != "" {
		f.Message += "; " + why + ", so it is judged by its name"
	}
}
