package checks

import (
	"fmt"
	"strings"
)

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

func checkDeletedLater(p *Pass) {
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	for _, w := range m.writes {
		f, ok := m.fate(w)
		if !ok || f.RemovedBy == nil {
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
				copyInstructionName(w.in), verb, what, strings.ToUpper(f.RemovedBy.Cmd), f.RemovedBy.StartLine),
			Fix: "A file removed by a later instruction stays in the layer that added it (`docker save` shows it). " +
				"Mount the secret with `RUN --mount=type=secret` for the RUN that needs it, or create, use and remove the file in one RUN.",
			Related: []Related{{Path: p.Dockerfile.Path, Span: f.RemovedBy.Whole(), Message: "the file is removed here, in a later layer"}},
			Key:     w.in.Cmd + " " + w.shown,
		}
		byName(&fd, verdict, why)
		p.Report(fd)
	}
}
