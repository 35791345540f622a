package checks

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
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
	df, ctx := p.Dockerfile, p.Context
	if df == nil || ctx == nil {
		return
	}
	ships := ContextShipments(df, ctx)
	for len(ships) > 0 {
		in := ships[0].By
		n := 0
		for n < len(ships) && ships[n].By == in {
			n++
		}
		group := ships[:n]
		ships = ships[n:]
		var own []Shipment
		for _, s := range group {
			// A source or destination that names the secret is
			// secret-file-copied's finding on the same line.
			if !s.Named {
				own = append(own, s)
			}
		}
		if len(own) > 0 {
			reportShipped(p, own)
		}
	}
}

func reportShipped(p *Pass, ships []Shipment) {
	df, ctx := p.Dockerfile, p.Context
	in := ships[0].By
	files := sortedFiles(ships)
	where := "into the image"
	var via *Instruction
	for _, s := range ships {
		if s.Via != nil {
			via = s.Via
			break
		}
	}
	if via != nil {
		where = fmt.Sprintf("into stage %s, and COPY --from on line %d ships them", stageLabelOf(in.Stage), via.StartLine)
	}
	from := ""
	if ctx.Dir != path.Dir(df.Path) {
		from = fmt.Sprintf(" from build context %q", ctx.Dir)
	}
	f := Finding{
		Span:    df.Locate(in, ships[0].Source),
		Message: fmt.Sprintf("%s sends %s%s %s", instructionLabel(in), shippedList(files, ctx.RepoPath), from, where),
		Fix:     shippedFix(ctx, files),
	}
	for i, file := range files {
		if i == maxRelated {
			break
		}
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

// instructionLabel names an instruction by its keyword and sources.
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

// shippedFix tells which ignore lines keep the files out of the context:
// **/<name> for names that are secrets wherever they are, the exact path
// for files that are secrets by their content.
func shippedFix(ctx *BuildContext, files []ContextFile) string {
	lines := ignoreLinesFor(files)
	const shown = 10
	list := make([]string, 0, shown+1)
	for i, l := range lines {
		if i == shown {
			list = append(list, fmt.Sprintf("and %d more", len(lines)-shown))
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

// ignoreLinesFor returns the ignore lines that exclude files, each checked
// with BuildKit's matcher.
func ignoreLinesFor(files []ContextFile) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		line := IgnoreLine(f.Path)
		base := path.Base(f.Path)
		if _, named := SecretPath(base); named {
			line = "**/" + IgnoreLine(base)
		}
		if pm, err := patternmatcher.New([]string{line}); err != nil {
			continue
		} else if ok, _ := pm.MatchesOrParentMatches(f.Path); !ok {
			continue
		}
		if !seen[line] {
			seen[line] = true
			out = append(out, line)
		}
	}
	sort.Strings(out)
	return out
}
