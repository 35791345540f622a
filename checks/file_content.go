package checks

import (
	"path"
	"slices"
	"strings"

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
		// An unquoted delimiter expands the build arguments and variables
		// in scope into the file; any other reference expands to nothing.
		if h.Expand && secretVarSet(w.in, h.Data, s) || credentialContent(w.kind, []byte(h.Data), s) {
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
var varRef = lazyRegexp(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// runWritesSecret reports a RUN whose command holds what it writes into a
// credential file: a secret-named variable (echo "$SSH_KEY" > id_rsa), a
// known token format or a private key block.
func runWritesSecret(cmd string, s *Settings) bool {
	return secretVarRef(cmd, s) || len(contentTokens([]byte(cmd), s)) > 0 || privateKeyBlock().MatchString(cmd)
}

// secretVarRef reports a reference to a secret-named variable.
func secretVarRef(text string, s *Settings) bool {
	for _, m := range varRef().FindAllStringSubmatch(text, -1) {
		if SecretName(m[1], s) {
			return true
		}
	}
	return false
}

// secretVarSet reports a reference in text to a secret-named variable
// that is in scope at in.
func secretVarSet(in *Instruction, text string, s *Settings) bool {
	for _, m := range varRef().FindAllStringSubmatch(text, -1) {
		if SecretName(m[1], s) && setBefore(in, m[1]) {
			return true
		}
	}
	return false
}

// setBefore reports whether name is in scope at in: an ARG of its stage
// before it, or an ENV of its stage before it or of a stage it is built
// on. A variable that a base image sets is not known here.
func setBefore(in *Instruction, name string) bool {
	own := true
	for st := in.Stage; st != nil; st = st.BaseStage {
		for _, x := range st.Instructions {
			if own && x == in {
				break
			}
			switch c := x.Command.(type) {
			case *instructions.ArgCommand:
				if own && slices.ContainsFunc(c.Args, func(kv instructions.KeyValuePairOptional) bool { return kv.Key == name }) {
					return true
				}
			case *instructions.EnvCommand:
				if slices.ContainsFunc(c.Env, func(kv instructions.KeyValuePair) bool { return kv.Key == name }) {
					return true
				}
			}
		}
		own = false
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

// codeExts are source code, documentation and markup: their keys and
// tokens are mostly examples and test data, and hardcoded-secret reads the
// Dockerfiles themselves.
var codeExts = map[string]bool{
	".go": true, ".js": true, ".mjs": true, ".cjs": true, ".ts": true, ".tsx": true, ".jsx": true, ".vue": true,
	".svelte": true, ".py": true, ".pyi": true, ".rb": true, ".java": true, ".kt": true, ".kts": true, ".scala": true,
	".groovy": true, ".gradle": true, ".cs": true, ".fs": true, ".vb": true, ".csproj": true, ".sln": true,
	".c": true, ".h": true, ".cc": true, ".cpp": true, ".hpp": true, ".hh": true, ".m": true, ".mm": true,
	".swift": true, ".rs": true, ".php": true, ".pl": true, ".pm": true, ".lua": true, ".r": true, ".dart": true,
	".ex": true, ".exs": true, ".erl": true, ".hs": true, ".clj": true, ".elm": true, ".sh": true, ".bash": true,
	".zsh": true, ".ps1": true, ".bat": true, ".cmd": true, ".sql": true, ".css": true, ".scss": true, ".less": true,
	".md": true, ".rst": true, ".adoc": true, ".html": true, ".htm": true, ".tex": true, ".ipynb": true,
	".svg": true, ".map": true, ".snap": true, ".tf": true, ".hcl": true, ".mod": true, ".sum": true,
}

// binaryExts are formats that are binary or compressed by construction
// (the NUL sniff would reject them after a read that costs more), and data
// files.
var binaryExts = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ico": true, ".webp": true, ".bmp": true,
	".pdf": true, ".zip": true, ".gz": true, ".tgz": true, ".tar": true, ".bz2": true, ".xz": true, ".zst": true,
	".7z": true, ".jar": true, ".war": true, ".class": true, ".so": true, ".dll": true, ".exe": true, ".o": true,
	".a": true, ".pyc": true, ".wasm": true, ".woff": true, ".woff2": true, ".ttf": true, ".otf": true,
	".eot": true, ".mp3": true, ".mp4": true, ".wav": true, ".ogg": true, ".webm": true, ".mov": true,
	".db": true, ".sqlite": true, ".bin": true, ".dat": true, ".gpg": true, ".der": true,
	// Data and logs: large text that would spend the read budget.
	".csv": true, ".tsv": true, ".log": true,
}

// contentCandidate reports the files, of any name, whose content is read
// for a private key or a prefixed token: everything sent but source code,
// documentation, binary formats, Dockerfiles and test data, so that a
// haproxy.pem holding a key block is seen whatever it is called. base is
// the lower-cased file name; fixture says a folder of the path holds test
// data.
func contentCandidate(base string, fixture bool) bool {
	if fixture {
		return false
	}
	ext := path.Ext(base)
	if codeExts[ext] || binaryExts[ext] || lockFile(base) ||
		base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || ext == ".dockerfile" ||
		ext == ".dockerignore" || base == ".dockerignore" || base == "license" {
		return false
	}
	return true
}
