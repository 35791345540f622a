package checks

import (
	"fmt"
	"path"
	"strings"
)

// DockerignoreMissing reports a broad copy of a build context that has no
// ignore file and holds secret files.
var DockerignoreMissing = &Rule{
	ID: "dockerignore-missing", Name: "DockerignoreMissing", Level: Error, Precision: "very-high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets", "build-context"},
	Summary:          "Build context holding secret files is copied whole without a .dockerignore",
	Help:             mustDoc("dockerignore-missing"),
	Check:            checkDockerignoreMissing,
}

func checkDockerignoreMissing(p *Pass) {
	if p.Ignore != nil {
		return
	}
	bc, files, ok := missingIgnoreCopy(p.Dockerfile, p.Context)
	if !ok {
		return
	}
	ctx := p.Context
	ctx.derive(p.State)
	shipped := make([]contextSecretFile, len(files))
	for i, n := range files {
		shipped[i] = ctx.repoFiles[n]
	}
	lines := append(standardIgnoreLines(), uncoveredLines(p.State, ctx, shipped)...)
	where := "into the image"
	if bc.via != nil {
		where = fmt.Sprintf("into stage %s, and COPY --from on line %d ships it", stageDisplayName(bc.in.Stage), bc.via.StartLine)
	}
	f := Finding{
		Span: Span{Line: bc.in.StartLine, EndLine: bc.in.StartLine},
		Message: fmt.Sprintf("%s %s copies the whole build context %s; the context has no .dockerignore and holds %s",
			strings.ToUpper(bc.in.Cmd), bc.src, where, shippedList(ctx, files)),
		Fix: fmt.Sprintf("Create %s with at least these lines: %s. Pass credentials with `RUN --mount=type=secret` instead.",
			path.Join(ctx.Dir, ".dockerignore"), strings.Join(lines, ", ")),
		Related: fileRelated(shipped, "in the build context, which this instruction copies"),
		Key:     "missing",
	}
	if bc.via != nil {
		f.Related = append(f.Related, Related{Path: p.Dockerfile.Path, Span: bc.via.Whole(), Message: "this COPY --from ships the copied context"})
	}
	p.Report(f)
}

// missingIgnoreCopy returns the copy of the whole context that
// dockerignore-missing reports for a context without an ignore file, with
// the secret files it ships (indexes into ctx.Secrets): the first one that
// ships any. One finding per Dockerfile and context: the missing file is
// one problem. context-secret-shipped leaves that line to
// dockerignore-missing, which names the same files, and broad-copy every
// line that ships a secret file.
func missingIgnoreCopy(df *Dockerfile, ctx *BuildContext) (broadCopy, []int, bool) {
	if ctx == nil || ctx.Ignore != nil || len(ctx.Secrets) == 0 {
		return broadCopy{}, nil, false
	}
	m := newSecretFileModel(df)
	if m == nil {
		return broadCopy{}, nil, false
	}
	bcs := m.broadCopies()
	if len(bcs) == 0 {
		return broadCopy{}, nil, false
	}
	files := shippedBy(df, ctx)
	for _, bc := range bcs {
		if fs := files[bc.in]; len(fs) > 0 {
			return bc, fs, true
		}
	}
	return broadCopy{}, nil, false
}

// shippedBy returns the secret files of ctx (indexes into its Secrets) that
// each COPY or ADD of df ships, leaving out those whose source or
// destination names them (secret-file-copied's).
func shippedBy(df *Dockerfile, ctx *BuildContext) map[*Instruction][]int {
	out := map[*Instruction][]int{}
	for s := range ContextShipments(df, ctx) {
		if !s.Named {
			out[s.By] = append(out[s.By], s.Secret)
		}
	}
	return out
}
