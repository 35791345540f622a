package checks

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// The file rules follow each secret file through the stages: where a COPY,
// an ADD or a RUN puts it, whether a later instruction removes it, and
// whether it reaches a built image.
//
// What ships (DESIGN.md section 1): every layer of a stage that a target is
// or inherits from (Stage.Inherited), and of any other stage only the paths
// that a shipped stage copies out with COPY --from. A file removed in a later
// instruction of an inherited stage still ships in the earlier layer.
//
// One finding per cause: when a later instruction removes the file,
// deleted-later reports the line that created it and secret-file-copied and
// secret-mount-persisted stand down, because "the RUN on line N does not
// remove it" is the better explanation of the same line.

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

// DeletedLater reports secret files that a later instruction removes: the
// layer that created them still holds them.
var DeletedLater = &Rule{
	ID: "deleted-later", Name: "DeletedLater", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Secret file removed in a later instruction still ships in an earlier layer",
	Help:             mustDoc("deleted-later"),
	Check:            checkDeletedLater,
}

// SecretMountPersisted reports RUN --mount=type=secret instructions whose
// command copies the secret into the image.
var SecretMountPersisted = &Rule{
	ID: "secret-mount-persisted", Name: "SecretMountPersisted", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Build secret copied from its mount into an image layer",
	Help:             mustDoc("secret-mount-persisted"),
	Check:            checkSecretMountPersisted,
}

// BroadCopy reports COPY . and ADD . of the whole build context into a
// shipped stage.
var BroadCopy = &Rule{
	ID: "broad-copy", Name: "BroadCopy", Level: Warning, Precision: "high",
	SecuritySeverity: "4.0",
	Tags:             []string{"security", "build-context"},
	Summary:          "Whole build context copied into the image",
	Help:             mustDoc("broad-copy"),
	Check:            checkBroadCopy,
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
		if !ok || f.removedBy != nil {
			continue
		}
		verdict, why := m.content(w, p.Context, p.Settings)
		if verdict == contentClean {
			continue
		}
		msg := fmt.Sprintf("%s copies %q (%s) into the image", copyInstructionName(w.in), w.shown, w.kind)
		var related []Related
		if f.via != nil {
			msg = fmt.Sprintf("%s copies %q (%s) into stage %s, and COPY --from on line %d ships it",
				copyInstructionName(w.in), w.shown, w.kind, stageDisplayName(w.in.Stage), f.via.StartLine)
			related = append(related, Related{Path: p.Dockerfile.Path, Span: f.via.Whole(), Message: "this COPY --from ships the file"})
		}
		fd := Finding{Span: w.span, Message: msg, Fix: secretFileFix, Related: related, Key: w.in.Cmd + " " + w.shown}
		byName(&fd, verdict, why)
		p.Report(fd)
	}
}

func checkDeletedLater(p *Pass) {
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	for _, w := range m.writes {
		f, ok := m.fate(w)
		if !ok || f.removedBy == nil {
			continue
		}
		verdict, why := m.content(w, p.Context, p.Settings)
		if verdict == contentClean {
			continue
		}
		what := fmt.Sprintf("%q (%s)", w.shown, w.kind)
		if w.mount != "" {
			what = fmt.Sprintf("secret %q at %s", w.mount, w.path)
		}
		verb := "copies"
		if w.in.Cmd == "run" && w.mount == "" {
			verb = "writes"
		}
		fd := Finding{
			Span: w.span,
			Message: fmt.Sprintf("%s %s %s into a layer that ships; the %s on line %d removes it, but the layer keeps it",
				copyInstructionName(w.in), verb, what, strings.ToUpper(f.removedBy.Cmd), f.removedBy.StartLine),
			Fix: "A file removed by a later instruction stays in the layer that added it (`docker save` shows it). " +
				"Mount the secret with `RUN --mount=type=secret` for the RUN that needs it, or create, use and remove the file in one RUN.",
			Related: []Related{{Path: p.Dockerfile.Path, Span: f.removedBy.Whole(), Message: "the file is removed here, in a later layer"}},
			Key:     w.in.Cmd + " " + w.shown,
		}
		byName(&fd, verdict, why)
		p.Report(fd)
	}
}

func checkSecretMountPersisted(p *Pass) {
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	for _, w := range m.writes {
		if w.mount == "" {
			continue
		}
		f, ok := m.fate(w)
		if !ok || f.removedBy != nil {
			continue
		}
		how := ""
		if w.via != "" {
			how = " with " + w.via
		}
		msg := fmt.Sprintf("RUN copies secret %q to %s%s, which stays in the image", w.mount, w.path, how)
		var related []Related
		if f.via != nil {
			msg = fmt.Sprintf("RUN copies secret %q to %s%s in stage %s, and COPY --from on line %d ships it",
				w.mount, w.path, how, stageDisplayName(w.in.Stage), f.via.StartLine)
			related = append(related, Related{Path: p.Dockerfile.Path, Span: f.via.Whole(), Message: "this COPY --from ships the file"})
		}
		p.Report(Finding{
			Span:    w.span,
			Message: msg,
			Fix: "Use the secret where it is mounted (set `target=` or `env=` on the mount) instead of copying it, " +
				"or remove the copy in the same RUN.",
			Related: related,
			Key:     fmt.Sprintf("run secret %s %s", w.mount, w.path),
		})
	}
}

func copyInstructionName(in *Instruction) string {
	name := strings.ToUpper(in.Cmd)
	if c, ok := in.Command.(*instructions.CopyCommand); ok && c.From != "" {
		name += " --from=" + c.From
	}
	return name
}

func stageDisplayName(s *Stage) string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprintf("%d", s.Index)
}
