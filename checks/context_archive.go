package checks

import (
	"fmt"
	"path"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// What ADD unpacks follows dockerfile2llb's dispatchCopy and the file op
// backend's unpack: an ADD of a local source attempts to unpack it unless
// --unpack=false, whatever the destination looks like; the source is
// unpacked when it is a regular file that decompresses (identity, gzip,
// bzip2, xz, zstd) into a tar whose first header reads, judged by content,
// never by name, and its entries land below the destination. A URL is
// downloaded and unpacked only with --unpack=true, and Stowaway cannot see
// it; COPY never unpacks. A wildcard source unpacks every archive it
// matches, but the context model knows only its secret files, so wildcard
// sources are not followed into archives.

// unpackedSecret is a secret file inside an archive that an ADD unpacks.
type unpackedSecret struct {
	name, kind string
}

// reportUnpacked reports the ADD instructions of shipped stages that unpack
// a local archive holding secret files: its entries are judged like the
// files of the context, by name and content (ContextFileSecret).
func reportUnpacked(p *Pass) {
	df, ctx := p.Dockerfile, p.Context
	if ctx.Unpack == nil {
		return
	}
	l := df.lineage()
	for _, s := range df.Stages {
		if !s.Shipped {
			continue
		}
		for _, in := range s.Instructions {
			c, ok := in.Command.(*instructions.AddCommand)
			if !ok || c.Unpack != nil && !*c.Unpack {
				continue
			}
			for _, src := range c.SourcePaths {
				if remoteCopySource(src) || strings.Contains(src, "$") || hasWildcard(src) {
					continue
				}
				reportArchive(p, in, src, joinStagePath(l.dirOf(in), c.DestPath))
			}
		}
	}
}

// reportArchive reports the secret files that the ADD in unpacks from the
// archive src into dest of its stage, when they reach a built image.
func reportArchive(p *Pass, in *Instruction, src, dest string) {
	ctx, s := p.Context, in.Stage
	archive := ctx.resolveLinks(contextPath(src))
	if archive == "" {
		return
	}
	var found []unpackedSecret
	var via *Instruction
	ctx.Unpack(archive, func(name string, read func() ([]byte, bool)) bool {
		kind, ok := ContextFileSecret(name, read, p.Settings)
		if !ok {
			return true
		}
		if !s.Inherited {
			r, ok := p.Dockerfile.lineage().Reaches(in, false, path.Join(dest, name))
			if !ok || r.Named {
				return true
			}
			if via == nil {
				via = r.Via
			}
		}
		found = append(found, unpackedSecret{name: name, kind: kind})
		return true
	})
	if len(found) == 0 {
		return
	}
	df := p.Dockerfile
	where := "into the image"
	if via != nil {
		where = fmt.Sprintf("into stage %s, and COPY --from on line %d ships them", stageLabelOf(s), via.StartLine)
	}
	repo := ctx.RepoPath(archive)
	f := Finding{
		Span: df.Locate(in, src),
		Message: fmt.Sprintf("%s unpacks %s %s", instructionLabel(in), namedFiles(len(found), func(i int) (string, string) {
			return archive + ":" + found[i].name, found[i].kind
		}), where),
		Fix: fmt.Sprintf("Rebuild %s without %s. Pass credentials with `RUN --mount=type=secret` instead; "+
			"ADD unpacks a local archive into the image, COPY would ship the archive whole.", repo, namedFiles(len(found), func(i int) (string, string) {
			return found[i].name, found[i].kind
		})),
		Related: []Related{{Path: repo, Message: fmt.Sprintf("archive unpacked into the image by line %d of %s", in.StartLine, df.Path)}},
	}
	if via != nil {
		f.Related = append(f.Related, Related{Path: df.Path, Span: via.Whole(), Message: "this COPY --from ships the files"})
	}
	p.Report(f)
}
