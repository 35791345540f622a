package checks

// broad-copy: a COPY or ADD of the whole build context into a shipped
// stage, and what of it the ignore file leaves in.

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

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

func checkBroadCopy(p *Pass) {
	ign := p.Ignore
	if ign != nil && !ign.Valid() {
		// BuildKit refuses to build with an invalid ignore file.
		return
	}
	m := newSecretFileModel(p.Dockerfile)
	if m == nil {
		return
	}
	bcs := m.broadCopies()
	if len(bcs) == 0 {
		return
	}
	var shipping map[*Instruction][]int
	if p.Context != nil {
		shipping = shippedBy(p.Dockerfile, p.Context)
	}
	for _, bc := range bcs {
		gaps := memoIgnoreGaps(p.State, ign, bc.excludes)
		base := baseGaps(gaps)
		if len(base) == 0 || len(shipping[bc.in]) > 0 {
			// The base set is kept out (the rest of the recommended set is
			// advice), or a secret file goes through this line and
			// context-secret-shipped or dockerignore-missing names it.
			continue
		}
		f := Finding{
			Span:    Span{Line: bc.in.StartLine, EndLine: bc.in.StartLine},
			Related: ignoreRelated(ign),
			Key:     "broad " + bc.in.Original,
		}
		where := "into the image"
		if bc.via != nil {
			where = fmt.Sprintf("into stage %s, and COPY --from on line %d ships it", stageDisplayName(bc.in.Stage), bc.via.StartLine)
			f.Related = append(f.Related, Related{Path: p.Dockerfile.Path, Span: bc.via.Whole(), Message: "this COPY --from ships the copied context"})
		}
		const narrow = "Copy only what the image needs (for example `COPY src/ ./src/`)"
		if ign == nil {
			dir := path.Dir(p.Dockerfile.Path)
			if p.Context != nil {
				dir = p.Context.Dir
			}
			f.Message = fmt.Sprintf("%s %s copies the whole build context %s, and the context has no .dockerignore",
				strings.ToUpper(bc.in.Cmd), bc.src, where)
			f.Fix = fmt.Sprintf("%s, or create %s with these lines: %s.", narrow,
				path.Join(dir, ".dockerignore"), strings.Join(gaps, ", "))
		} else {
			what := path.Base(ign.Path) + " does not exclude"
			if len(bc.excludes) > 0 {
				what = "neither " + path.Base(ign.Path) + " nor --exclude excludes"
			}
			f.Message = fmt.Sprintf("%s %s copies the whole build context %s, and %s %s",
				strings.ToUpper(bc.in.Cmd), bc.src, where, what, strings.Join(base, ", "))
			// Only the lines the file lacks, so that the fix echoes none of
			// its own; a file it re-includes by name is re-included again
			// after them.
			add := append(gaps, keptReincludes(ign, gaps)...)
			f.Fix = fmt.Sprintf("%s, or add these lines at the end of %s: %s.", narrow, ign.Path, strings.Join(add, ", "))
		}
		p.Report(f)
	}
}

// gapsKey names what ignoreGaps answers from: the patterns of a valid
// ignore file (none for no file) and the --exclude patterns, each behind
// its length so that no two lists read the same.
type gapsKey struct {
	ignore   listKey
	valid    bool
	excludes string
}

// memoIgnoreGaps is ignoreGaps, its answers kept in st: a monorepo's
// contexts repeat the same ignore file, and each answer matches 22 probes.
// A valid file's answer depends only on its patterns; an invalid file
// excludes nothing, as no file does.
func memoIgnoreGaps(st *State, ign *IgnoreFile, excludes []string) []string {
	if st == nil {
		return ignoreGaps(ign, excludes)
	}
	k := gapsKey{valid: ign.Valid()}
	if k.valid {
		k.ignore = ign.matchKey
	}
	if len(excludes) > 0 {
		var b strings.Builder
		for _, e := range excludes {
			b.WriteString(strconv.Itoa(len(e)))
			b.WriteByte(':')
			b.WriteString(e)
		}
		k.excludes = b.String()
	}
	gaps := st.gaps.get(k, func() []string { return ignoreGaps(ign, excludes) })
	// Clipped: the caller appends to its answer, which others share.
	return slices.Clip(gaps)
}

// ignoreRelated points at the ignore file that a context copy goes through.
func ignoreRelated(ign *IgnoreFile) []Related {
	if ign == nil || len(ign.Lines) == 0 {
		return nil
	}
	return []Related{{Path: ign.Path, Span: Span{Line: 1, EndLine: 1}, Message: "the ignore file of this build context"}}
}

// broadCopy is a COPY or ADD of the whole build context into a stage
// that ships it.
type broadCopy struct {
	in       *Instruction
	src      string   // the source as written
	excludes []string // its --exclude patterns
	via      *Instruction
}

// broadCopySource reports sources that name the whole context: ., ./, *, /.
func broadCopySource(src string) bool {
	switch path.Clean(src) {
	case ".", "/", "*", "/*":
		return true
	}
	return false
}

// broadCopies lists the context copies whose files reach a built image:
// in a stage that ships whole, or copied out of a builder as a whole.
func (m *secretFileModel) broadCopies() []broadCopy {
	var out []broadCopy
	for _, s := range m.df.Stages {
		if !s.Shipped {
			continue
		}
		for _, in := range s.Instructions {
			var sd *instructions.SourcesAndDest
			var excludes []string
			switch c := in.Command.(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					continue
				}
				sd, excludes = &c.SourcesAndDest, c.ExcludePatterns
			case *instructions.AddCommand:
				sd, excludes = &c.SourcesAndDest, c.ExcludePatterns
			default:
				continue
			}
			for _, src := range sd.SourcePaths {
				if !broadCopySource(src) {
					continue
				}
				w := &secretFileWrite{in: in, path: joinStagePath(m.df.lineage().dirOf(in), sd.DestPath)}
				f, ok := m.fate(w)
				if ok {
					out = append(out, broadCopy{in: in, src: src, excludes: excludes, via: f.Via})
				}
				break
			}
		}
	}
	return out
}
