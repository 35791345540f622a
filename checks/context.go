package checks

import (
	"fmt"
	"iter"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
)

// The build context model follows what BuildKit does with a local context
// and a COPY or ADD of it (dockerfile2llb's dispatchCopy, fsutil's copier):
//   - The context is what the client sends after the ignore file; the engine
//     walks it and hands rules only its secret-looking files and its links.
//   - A source is cleaned against "/" (COPY ../x reads x). Without
//     wildcards it names one path, followed through links inside the context
//     (FollowSymlinks), and a folder sends its contents. With wildcards, the
//     part before the first wildcard component is the base, and the rest is
//     matched component by component with filepath.Match (no `**`); a
//     matched folder sends its contents.
//   - --exclude patterns match paths relative to each resolved source, never
//     the source itself: `COPY --exclude=a * .` still copies a
//     (moby/buildkit#5489), and `*.txt` excludes only the top level
//     (moby/buildkit#5509).
//   - --parents copies the pivot folder (the part before "/./", else the
//     context root) filtered by the rest as an include pattern, keeping the
//     paths below the pivot.

// BuildContext is one build context of a Dockerfile as BuildKit would send
// it. The engine builds it once per folder and ignore file and shares it
// between every Dockerfile built from it: rules must not modify it.
type BuildContext struct {
	Dir    string      // slash path of the context folder ("." for the root)
	Ignore *IgnoreFile // the effective ignore file, nil when none
	// Secrets are the secret-looking files that the ignore file lets
	// through, sorted by Path.
	Secrets []ContextFile
	// Links maps every symbolic link that is sent (a context path) to its
	// target as written; BuildKit sends a link as a link, and follows it only
	// when a COPY source names it.
	Links map[string]string
	// Entries counts the files, folders and links that are sent.
	Entries int
	// Complete is false when a bound stopped the walk: Secrets may then
	// miss files.
	Complete bool
	// Read returns the content of the file at a context path (links
	// resolved) when the context sends it as a regular file within the
	// engine's size limit; nil when the engine gives no contents. Rules
	// ask it for the few files that a COPY names, to judge them by what
	// they hold rather than by their names.
	Read func(p string) ([]byte, bool)
	// Unpack calls visit for each regular file of the local archive at
	// context path p (links resolved) that an ADD unpacks, in archive
	// order, with its cleaned path inside the archive and a read of its
	// content within the engine's per-file limit; visit returns false to
	// stop. It returns false when p is not an archive BuildKit unpacks
	// (not sent, not a regular file, not a tar by content): ADD copies it
	// as it is. A bound hit or a corrupt archive is the engine's problem
	// to report; nil when the engine gives no contents.
	Unpack func(p string, visit func(name string, read func() ([]byte, bool)) bool) bool

	// Derived once per context, since every Dockerfile built from it asks:
	// the ignore line, the scan-root path and whether the standard ignore
	// set covers each secret.
	derivedOnce sync.Once
	lines       []string
	repoFiles   []contextSecretFile
	stdCovered  []bool
}

func (c *BuildContext) derive(st *State) {
	c.derivedOnce.Do(func() {
		std, release, _ := st.borrowMatcher(standardIgnoreKey(), standardIgnoreLines())
		defer release()
		c.lines = make([]string, len(c.Secrets))
		c.repoFiles = make([]contextSecretFile, len(c.Secrets))
		c.stdCovered = make([]bool, len(c.Secrets))
		for i, f := range c.Secrets {
			base := path.Base(f.Path)
			if _, named := SecretPath(base); named {
				c.lines[i] = "**/" + IgnoreLine(base)
			} else {
				c.lines[i] = IgnoreLine(f.Path)
			}
			c.repoFiles[i] = contextSecretFile{path: c.RepoPath(f.Path), kind: f.Kind, index: i}
			if std != nil {
				c.stdCovered[i], _ = std.MatchesOrParentMatches(f.Path)
			}
		}
	})
}

// ContextFile is a secret-looking file of a build context.
type ContextFile struct {
	Path string // slash path relative to the context folder
	Kind string // what it holds, for messages: "dotenv file", "private key"
}

// RepoPath returns the scan-root-relative path of a context path.
func (c *BuildContext) RepoPath(p string) string {
	return path.Join(c.Dir, p)
}

// Shipment is a secret file of a build context that a COPY or ADD of a
// shipped stage sends into a built image.
type Shipment struct {
	Secret int          // index of the file in BuildContext.Secrets
	By     *Instruction // the COPY or ADD
	Source string       // its source that covers the file, as written
	// Via is the COPY --from that carries the file out of a stage that is
	// not built itself, nil when the stage ships whole.
	Via *Instruction
	// Named reports a source or destination that names a secret path
	// itself (COPY .env /app/, COPY . /root/.ssh/): secret-file-copied
	// reports those lines.
	Named bool
}

// ContextShipments yields the secret files of ctx that the shipped stages
// of df copy into a built image, in instruction order and, for each source,
// in path order; a file that several sources of one instruction take comes
// once. COPY --from, URLs, Git sources, heredocs and sources with unexpanded
// variables read no context file and are skipped. It works in the number of
// files shipped, not the number of secrets in the context: a monorepo's
// root context can hold thousands, and every Dockerfile asks.
func ContextShipments(df *Dockerfile, ctx *BuildContext) iter.Seq[Shipment] {
	return func(yield func(Shipment) bool) {
		if df == nil || ctx == nil || len(ctx.Secrets) == 0 || len(df.Stages) == 0 {
			return
		}
		l := df.lineage()
		for _, s := range df.Stages {
			if !s.Shipped {
				continue
			}
			for _, in := range s.Instructions {
				var sd *instructions.SourcesAndDest
				var excludes []string
				parents := false
				switch c := in.Command.(type) {
				case *instructions.CopyCommand:
					if c.From != "" {
						continue
					}
					sd, excludes, parents = &c.SourcesAndDest, c.ExcludePatterns, c.Parents
				case *instructions.AddCommand:
					sd, excludes = &c.SourcesAndDest, c.ExcludePatterns
				default:
					continue
				}
				cp := &contextCopy{l: l, ctx: ctx, in: in, dest: joinStagePath(l.dirOf(in), sd.DestPath),
					destDir: strings.HasSuffix(sd.DestPath, "/") || len(sd.SourcePaths)+len(sd.SourceContents) > 1}
				if len(excludes) > 0 {
					var err error
					if cp.exclude, err = compilePatterns(excludes); err != nil {
						// BuildKit refuses the instruction: nothing is copied.
						continue
					}
				}
				_, destNamed := SecretPath(cp.dest)
				// seen keeps a file that several sources take from coming
				// twice; most instructions ship nothing, so it is made on
				// the first file.
				var seen []bool
				for _, src := range sd.SourcePaths {
					if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") || strings.Contains(src, "$") {
						continue
					}
					_, srcNamed := SecretPath(src)
					more := cp.each(src, parents, func(i int, via *Instruction) bool {
						if len(sd.SourcePaths) > 1 {
							if seen == nil {
								seen = make([]bool, len(ctx.Secrets))
							}
							if seen[i] {
								return true
							}
							seen[i] = true
						}
						return yield(Shipment{Secret: i, By: in, Source: src, Via: via, Named: srcNamed || destNamed})
					})
					if !more {
						return
					}
				}
			}
		}
	}
}

// contextCopy is one COPY or ADD of the context.
type contextCopy struct {
	l       *stageLineage
	ctx     *BuildContext
	in      *Instruction
	dest    string
	destDir bool
	exclude *patternmatcher.PatternMatcher
}

// each calls emit for every secret file that the source sends into a
// built image, with the COPY --from that carries it when the stage does
// not ship whole. It returns false when emit does.
func (c *contextCopy) each(src string, parents bool, emit func(i int, via *Instruction) bool) bool {
	if c.in.Stage.Inherited {
		return c.hits(src, parents, func(i int, _ string, _ bool) bool { return emit(i, nil) })
	}
	if !parents {
		if more, done := c.eachCarried(src, emit); done {
			return more
		}
	}
	return c.hits(src, parents, func(i int, rel string, wild bool) bool {
		landing := c.dest
		switch {
		case rel != "":
			landing = path.Join(c.dest, rel)
		case c.destDir || wild:
			landing = path.Join(c.dest, path.Base(c.ctx.Secrets[i].Path))
		}
		if r, ok := c.l.Reaches(c.in, false, landing); ok && !r.Named {
			return emit(i, r.Via)
		}
		return true
	})
}

// eachCarried handles the common builder stage (COPY . /src, then COPY
// --from=build /src/dist into the final stage) without looking at each
// file: every COPY --from that reads a folder of the copy carries one
// subtree of the context, found by binary search. done is false for the
// cases it leaves to the file-by-file path: wildcards, a source that is a
// file, COPY --from chains through further stages, a later RUN of the
// lineage that removes something where the copy lands.
func (c *contextCopy) eachCarried(src string, emit func(i int, via *Instruction) bool) (more, done bool) {
	clean := contextPath(src)
	if hasWildcard(clean) {
		return true, false
	}
	root := c.ctx.resolveLinks(clean)
	if _, _, exact := c.ctx.under(root); exact >= 0 {
		return true, false
	}
	type subtree struct {
		root string
		via  *Instruction
	}
	var take []subtree
	var named []string
	if c.l.removedUnder(c.in, c.dest) {
		return true, false
	}
	for _, k := range c.l.carriersOf(c.in.Stage) {
		if k.wild || !k.to.Inherited {
			return true, false
		}
		var sub string
		switch {
		case k.src == "/" || k.src == c.dest || strings.HasPrefix(c.dest, k.src+"/"):
			sub = root
		case c.dest == "/" || strings.HasPrefix(k.src, c.dest+"/"):
			sub = path.Join(root, strings.TrimPrefix(k.src[len(c.dest):], "/"))
		default:
			continue
		}
		if k.named {
			named = append(named, sub)
		} else {
			take = append(take, subtree{sub, k.in})
		}
	}
	var seen map[int]bool
	if len(take) > 1 {
		seen = map[int]bool{}
	}
	visit := func(i int, via *Instruction) bool {
		p := c.ctx.Secrets[i].Path
		for _, n := range named {
			if n == "" || p == n || strings.HasPrefix(p, n+"/") {
				return true
			}
		}
		if seen != nil {
			if seen[i] {
				return true
			}
			seen[i] = true
		}
		if rel := relTo(p, root); rel != "" && excludedBelow(c.exclude, rel) {
			return true
		}
		return emit(i, via)
	}
	for _, t := range take {
		lo, hi, exact := c.ctx.under(t.root)
		if exact >= 0 && !visit(exact, t.via) {
			return false, true
		}
		for i := lo; i < hi; i++ {
			if !visit(i, t.via) {
				return false, true
			}
		}
	}
	return true, true
}

// hits calls visit for every secret file a source sends: rel is its path
// below the copied folder, "" when the source names the file itself; wild
// reports a wildcard match. It returns false when visit does.
func (c *contextCopy) hits(src string, parents bool, visit func(i int, rel string, wild bool) bool) bool {
	ctx := c.ctx
	// each visits a subtree of the context: its root itself, then the
	// files below it, with --exclude applied below the root.
	each := func(root string, wild bool, onlyBelow func(rel string) bool) bool {
		lo, hi, exact := ctx.under(root)
		if exact >= 0 && onlyBelow == nil && !visit(exact, "", wild) {
			return false
		}
		for i := lo; i < hi; i++ {
			rel := relTo(ctx.Secrets[i].Path, root)
			if onlyBelow != nil && !onlyBelow(rel) || excludedBelow(c.exclude, rel) {
				continue
			}
			if !visit(i, rel, wild) {
				return false
			}
		}
		return true
	}
	if parents {
		pivot, pattern, ok := strings.Cut(src, "/./")
		if !ok {
			pivot, pattern = "/", src
		}
		include, err := compilePatterns([]string{contextPath(pattern)})
		if err != nil {
			return true
		}
		return each(contextPath(pivot), false, func(rel string) bool {
			ok, _ := include.MatchesOrParentMatches(rel)
			return ok
		})
	}
	base, rest := splitWildcards(contextPath(src))
	root := ctx.resolveLinks(base)
	if rest == "" {
		return each(root, false, nil)
	}
	// The first len(rest) components below the base must match rest; a
	// matched file is sent, a matched folder sends what is below it.
	k := strings.Count(rest, "/") + 1
	lo, hi, _ := ctx.under(root)
	for i := lo; i < hi; i++ {
		comps := strings.SplitN(relTo(ctx.Secrets[i].Path, root), "/", k+1)
		if len(comps) < k {
			continue
		}
		if ok, _ := path.Match(rest, strings.Join(comps[:k], "/")); !ok {
			continue
		}
		if len(comps) == k {
			if !visit(i, "", true) {
				return false
			}
			continue
		}
		if sub := comps[k]; !excludedBelow(c.exclude, sub) && !visit(i, sub, true) {
			return false
		}
	}
	// A matched link is followed like any source.
	links := make([]string, 0, len(ctx.Links))
	for l := range ctx.Links {
		if root == "" || strings.HasPrefix(l, root+"/") {
			links = append(links, l)
		}
	}
	sort.Strings(links)
	for _, l := range links {
		rel := relTo(l, root)
		if strings.Count(rel, "/")+1 != k {
			continue
		}
		if ok, _ := path.Match(rest, rel); ok && !each(ctx.resolveLinks(l), true, nil) {
			return false
		}
	}
	return true
}

// excludedBelow applies --exclude to a path below a copied source the way
// fsutil's copier walks it: each folder's result feeds its children's, and
// a matched folder is skipped whole when no `!` pattern can bring anything
// back.
func excludedBelow(pm *patternmatcher.PatternMatcher, rel string) bool {
	if pm == nil {
		return false
	}
	parts := strings.Split(rel, "/")
	var info patternmatcher.MatchInfo
	for i := range parts {
		m, next, err := pm.MatchesUsingParentResults(strings.Join(parts[:i+1], "/"), info)
		if err != nil {
			return false
		}
		if m && (i == len(parts)-1 || !pm.Exclusions()) {
			return true
		}
		info = next
	}
	return false
}

// under returns the secrets below the context path root as the index
// range [lo, hi) of the sorted Secrets, and the index of the secret at root
// itself (-1 when none); root "" is the whole context. A shared root
// context holds thousands of secrets, and every Dockerfile asks.
func (c *BuildContext) under(root string) (lo, hi, exact int) {
	s := c.Secrets
	if root == "" {
		return 0, len(s), -1
	}
	// "src/" sorts after "src-old" and "src.bak", and "src0" right after
	// every "src/..." path.
	lo = sort.Search(len(s), func(i int) bool { return s[i].Path >= root+"/" })
	hi = sort.Search(len(s), func(i int) bool { return s[i].Path >= root+"0" })
	exact = sort.Search(len(s), func(i int) bool { return s[i].Path >= root })
	if exact == len(s) || s[exact].Path != root {
		exact = -1
	}
	return lo, hi, exact
}

// relTo returns p relative to the context path root ("" when p is root).
func relTo(p, root string) string {
	switch {
	case root == "":
		return p
	case p == root:
		return ""
	}
	return strings.TrimPrefix(p, root+"/")
}

// contextPath cleans a source against the context root, as BuildKit does:
// "./src/" and "/src" are "src", "." and ".." are "".
func contextPath(src string) string {
	return strings.TrimPrefix(path.Clean("/"+src), "/")
}

// splitWildcards splits a cleaned source at its first component with a
// wildcard, as fsutil does.
func splitWildcards(p string) (base, rest string) {
	if p == "" {
		return "", ""
	}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if hasWildcard(part) {
			return strings.Join(parts[:i], "/"), strings.Join(parts[i:], "/")
		}
	}
	return p, ""
}

// hasWildcard reports *, ? or [ not escaped by a backslash.
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// resolveLinks follows the links of the context path p component by
// component, scoped to the context the way BuildKit resolves a source: an
// absolute target starts at the context root and ".." stops there.
func (c *BuildContext) resolveLinks(p string) string {
	if p == "" || len(c.Links) == 0 {
		return p
	}
	for hops := 0; hops < 40; hops++ {
		parts := strings.Split(p, "/")
		changed := false
		for i := range parts {
			prefix := strings.Join(parts[:i+1], "/")
			target, ok := c.Links[prefix]
			if !ok {
				continue
			}
			if !strings.HasPrefix(target, "/") {
				target = path.Join(path.Dir(prefix), target)
			}
			p = contextPath(path.Join(target, strings.Join(parts[i+1:], "/")))
			changed = true
			break
		}
		if !changed {
			return p
		}
	}
	return p
}

// ignoreLine returns the ignore-file line that keeps the i-th secret out:
// **/<name> for a name that is a secret wherever it is (.env, id_rsa), else
// its exact path. The lines are computed once per context, which every
// Dockerfile built from it shares.
func (c *BuildContext) ignoreLine(st *State, i int) string {
	c.derive(st)
	return c.lines[i]
}

// IgnoreLine returns the ignore-file line that excludes exactly the
// context path p, its special characters escaped.
func IgnoreLine(p string) string {
	var b strings.Builder
	for i, r := range p {
		if strings.ContainsRune(`*?[]\`, r) || i == 0 && (r == '!' || r == '#') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// contextSecretFile is a secret file of a build context, by its path from
// the scan root, with its index in the context's Secrets.
type contextSecretFile struct {
	path, kind string
	index      int
}

// namedFiles names n files, file(i) giving the path and kind of the i-th:
// the first few with their kinds, then how many more.
func namedFiles(n int, file func(i int) (path, kind string)) string {
	const shown = 5
	var names []string
	for i := range n {
		if i == shown {
			names = append(names, fmt.Sprintf("%d more", n-shown))
			break
		}
		p, kind := file(i)
		names = append(names, fmt.Sprintf("%s (%s)", p, kind))
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// fileRelated points at each file, the file as a whole, up to maxRelated.
func fileRelated(files []contextSecretFile, what string) []Related {
	var out []Related
	for _, f := range files[:min(len(files), maxRelated)] {
		out = append(out, Related{Path: f.path, Message: f.kind + " " + what})
	}
	return out
}

// uncoveredLines returns the ignore lines for the secrets of ctx among
// files (the shipped ones) that no line of the standard set
// excludes: an id_rsa at the root, credentials.json, a settings file
// holding a token.
func uncoveredLines(st *State, ctx *BuildContext, files []contextSecretFile) []string {
	ctx.derive(st)
	seen := map[string]bool{}
	var out []string
	for _, f := range files {
		if l := ctx.lines[f.index]; !ctx.stdCovered[f.index] && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}
