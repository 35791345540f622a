package checks

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// ContextSecretShipped reports COPY and ADD instructions of shipped stages
// that send secret files of the build context into the image.
var ContextSecretShipped = &Rule{
	ID: "context-secret-shipped", Name: "ContextSecretShipped", Level: Error, Precision: "high",
	SecuritySeverity: "8.0",
	Tags:             []string{"security", "secrets", "build-context"},
	Summary:          "Secret file of the build context copied into the image",
	Help:             mustDoc("context-secret-shipped"),
	Check:            checkContextSecretShipped,
}

// maxRelated bounds the related locations of one finding: a shared root
// context of a monorepo can hold thousands of .env files, and the engine's
// Result.Contexts lists every one for tools that need them all.
const maxRelated = 20

func checkContextSecretShipped(p *Pass) {
	if p.Dockerfile == nil || p.Context == nil {
		return
	}
	var (
		in     *Instruction
		source string
		via    *Instruction
		files  []int
	)
	flush := func() {
		if len(files) > 0 {
			reportShipped(p, in, source, via, files)
		}
		source, via, files = "", nil, files[:0]
	}
	// Without an ignore file, dockerignore-missing reports the whole-context
	// copy with the same files.
	var covered *Instruction
	if p.Ignore == nil {
		if bc, _, ok := missingIgnoreCopy(p.Dockerfile, p.Context); ok {
			covered = bc.in
		}
	}
	for s := range ContextShipments(p.Dockerfile, p.Context) {
		if s.By == covered {
			continue
		}
		if s.By != in {
			flush()
			in = s.By
		}
		// A source or destination that names the secret is
		// secret-file-copied's finding on the same line.
		if s.Named {
			continue
		}
		if source == "" {
			source = s.Source
		}
		if via == nil {
			via = s.Via
		}
		files = append(files, s.Secret)
	}
	flush()
	reportUnpacked(p)
}

func reportShipped(p *Pass, in *Instruction, source string, via *Instruction, files []int) {
	df, ctx := p.Dockerfile, p.Context
	// Secrets are sorted by path, so index order is path order.
	slices.Sort(files)
	files = slices.Compact(files)
	where := "into the image"
	if via != nil {
		where = fmt.Sprintf("into stage %s, and COPY --from on line %d ships them", stageLabelOf(in.Stage), via.StartLine)
	}
	from := ""
	if ctx.Dir != path.Dir(df.Path) {
		from = fmt.Sprintf(" from build context %q", ctx.Dir)
	}
	f := Finding{
		Span:    df.Locate(in, source),
		Message: fmt.Sprintf("%s sends %s%s %s", instructionLabel(in), shippedList(ctx, files), from, where),
		Fix:     shippedFix(p.State, ctx, files),
	}
	for _, i := range files[:min(len(files), maxRelated)] {
		file := ctx.Secrets[i]
		f.Related = append(f.Related, Related{
			Path:    ctx.RepoPath(file.Path),
			Message: fmt.Sprintf("%s sent into the image by line %d of %s", file.Kind, in.StartLine, df.Path),
		})
	}
	if via != nil {
		f.Related = append(f.Related, Related{Path: df.Path, Span: via.Whole(), Message: "this COPY --from ships the files"})
	}
	p.Report(f)
}

// instructionLabel names an instruction by its keyword and first words.
func instructionLabel(in *Instruction) string {
	words := strings.Fields(in.Original)
	if len(words) > 6 {
		words = append(words[:6], "...")
	}
	return strings.Join(words, " ")
}

func stageLabelOf(s *Stage) string {
	if s.Name != "" {
		return fmt.Sprintf("%q", s.Name)
	}
	return fmt.Sprint(s.Index)
}

// shippedList names files for a message: the first few with their kinds,
// then how many more.
func shippedList(ctx *BuildContext, files []int) string {
	return namedFiles(len(files), func(i int) (string, string) {
		f := ctx.Secrets[files[i]]
		return ctx.RepoPath(f.Path), f.Kind
	})
}

// shippedFix tells which ignore lines keep the files out of the context.
func shippedFix(st *State, ctx *BuildContext, files []int) string {
	seen := map[string]bool{}
	var lines []string
	for _, i := range files {
		if l := ctx.ignoreLine(st, i); !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	const shown = 10
	list := make([]string, 0, shown+1)
	for n, l := range lines {
		if n == shown {
			list = append(list, fmt.Sprintf("%d more", len(lines)-shown))
			break
		}
		list = append(list, "`"+l+"`")
	}
	how := "Pass credentials with `RUN --mount=type=secret` instead, or copy only what the image needs."
	if ctx.Ignore != nil {
		return fmt.Sprintf("Add %s at the end of %s. %s", strings.Join(list, ", "), ctx.Ignore.Path, how)
	}
	return fmt.Sprintf("Create %s with %s. %s", path.Join(ctx.Dir, ".dockerignore"), strings.Join(list, ", "), how)
}
