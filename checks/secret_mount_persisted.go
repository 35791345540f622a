package checks

import "fmt"

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
		if !ok || f.RemovedBy != nil {
			continue
		}
		how := ""
		if w.via != "" {
			how = " with " + w.via
		}
		msg := fmt.Sprintf("RUN copies secret %q to %s%s, which stays in the image", w.mount, w.path, how)
		var related []Related
		if f.Via != nil {
			msg = fmt.Sprintf("RUN copies secret %q to %s%s in stage %s, and COPY --from on line %d ships it",
				w.mount, w.path, how, stageDisplayName(w.in.Stage), f.Via.StartLine)
			related = append(related, Related{Path: p.Dockerfile.Path, Span: f.Via.Whole(), Message: "this COPY --from ships the file"})
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
