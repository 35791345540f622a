package checks

import "fmt"

// SecretFileCopied reports COPY and ADD instructions that put a credential
// file into a shipped image.
var SecretFileCopied = &Rule{
	ID: "secret-file-copied", Name: "SecretFileCopied", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret file copied into the image",
	Help:             mustDoc("secret-file-copied"),
	Check:            checkSecretFileCopied,
}

const secretFileFix = "Do not copy credentials into the image: mount them for the RUN that needs them " +
	"with `RUN --mount=type=secret,id=<id>,target=<path>` (`docker build --secret id=<id>,src=<file>`), " +
	"or provide them when the container starts."

func checkSecretFileCopied(p *Pass) {
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	for _, w := range m.writes {
		if w.mount != "" || (w.in.Cmd != "copy" && w.in.Cmd != "add") {
			continue
		}
		f, ok := m.fate(w)
		if !ok || f.RemovedBy != nil {
			continue
		}
		verdict, why := m.content(w, p.Context, p.Settings)
		if verdict == contentClean {
			continue
		}
		msg := fmt.Sprintf("%s copies %q (%s) into the image", copyInstructionName(w.in), w.shown, w.kind)
		var related []Related
		if f.Via != nil {
			msg = fmt.Sprintf("%s copies %q (%s) into stage %s, and COPY --from on line %d ships it",
				copyInstructionName(w.in), w.shown, w.kind, stageDisplayName(w.in.Stage), f.Via.StartLine)
			related = append(related, Related{Path: p.Dockerfile.Path, Span: f.Via.Whole(), Message: "this COPY --from ships the file"})
		}
		fd := Finding{Span: w.span, Message: msg, Fix: secretFileFix, Related: related, Key: w.in.Cmd + " " + w.shown}
		byName(&fd, verdict, why)
		p.Report(fd)
	}
}
