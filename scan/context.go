package scan

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"

	"github.com/stowaway-dev/stowaway/checks"
)

// How a build context is walked follows fsutil's filtered walk, which the
// Docker client and buildctl use to send a local context:
//   - Every path is matched on its slash path relative to the context with
//     patternmatcher's MatchesUsingParentResults, each folder's result
//     feeding its children's.
//   - An excluded folder is skipped whole, unless a `!` pattern has a
//     wildcard (then everything is walked and matched) or a `!` pattern
//     without one names a path inside it (then the folder is walked so that
//     the path can come back).
//   - Nothing else is left out: .git and node_modules are sent unless the
//     ignore file says otherwise. A symbolic link is sent as the link and
//     never followed; a COPY source that names one follows it inside the
//     context (checks.BuildContext.Links).
//
// Folders are walked breadth first, so that when a bound stops the walk the
// files near the context root, where .env and keys usually sit, have been
// seen.

// ContextLimits bound the walk of one build context. A zero field takes the
// default.
type ContextLimits struct {
	// Entries is the number of files, folders and links sent.
	Entries int
	// Depth is the number of folders below the context root.
	Depth int
	// ReadBytes is the number of bytes read from the context's files to
	// look at their content.
	ReadBytes int64
	// FileBytes is the size of the largest file whose content is read;
	// larger files are judged by their name.
	FileBytes int64
	// Probes bounds the matching of ignore patterns against paths: each
	// path sent or excluded costs, per pattern of the ignore file, one probe
	// and four more per `**` in it (each is a branch of the pattern's
	// regexp: 0.1 µs for a literal pattern, 4 µs for four `**`, measured).
	Probes int64
}

// DefaultContextLimits are the bounds used when Options.ContextLimits
// leaves a field zero.
var DefaultContextLimits = ContextLimits{Entries: 100_000, Depth: 64, ReadBytes: 64 << 20, FileBytes: 256 << 10, Probes: 50_000_000}

func (l ContextLimits) withDefaults() ContextLimits {
	d := DefaultContextLimits
	if l.Entries > 0 {
		d.Entries = l.Entries
	}
	if l.Depth > 0 {
		d.Depth = l.Depth
	}
	if l.ReadBytes > 0 {
		d.ReadBytes = l.ReadBytes
	}
	if l.FileBytes > 0 {
		d.FileBytes = l.FileBytes
	}
	if l.Probes > 0 {
		d.Probes = l.Probes
	}
	return d
}

// sentEntry is one path that BuildKit would send.
type sentEntry struct {
	rel  string      // slash path relative to the context
	mode fs.FileMode // the type bits
}

// listFolder lists a folder for the walk: from the folder cache's packed
// listing as it is, without the fs.DirEntry values ReadDir makes of it,
// one allocation per entry of every context.
func listFolder(fsys fs.FS, dir string) (*listing, error) {
	if dc, ok := fsys.(*dirCache); ok {
		l, _, err := dc.list(dir)
		return l, err
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	return packListing(dir, len(entries), func(i int) (string, fs.FileMode) { return entries[i].Name(), entries[i].Type() }), nil
}

// walkStats says how a walk ended.
type walkStats struct {
	entries  int
	complete bool
}

// walkContext walks the context folder dir of fsys as BuildKit would send
// it through ign (nil: no ignore file), calling visit for every path sent.
// Problems name the context; a bound hit ends the walk with complete false.
func walkContext(fsys fs.FS, dir string, ign *checks.IgnoreFile, lim ContextLimits, visit func(sentEntry)) (walkStats, []Problem) {
	lim = lim.withDefaults()
	var problems []Problem
	// A listing is only made of a folder, and the folder cache has the
	// context's without a system call; the stat says why another is not
	// one.
	cleanDir := path.Clean(dir) // for joinRel; the same string when clean, as plans make it
	top, topErr := listFolder(fsys, cleanDir)
	if topErr != nil {
		info, err := fs.Stat(fsys, dir)
		if err != nil || !info.IsDir() {
			msg := fmt.Sprintf("build context %s is not a folder of the scanned tree", dir)
			if err != nil {
				msg = fmt.Sprintf("cannot read build context %s: %s", dir, reason(err))
			}
			return walkStats{}, []Problem{{Path: dir, Level: checks.Warning, Message: msg}}
		}
	}
	// The matcher is the build's, lent for this walk alone: patternmatcher
	// compiles lazily and is not safe for concurrent use.
	pm, release, err := ign.BuildMatcher()
	defer release()
	if err != nil {
		// BuildKit refuses to build with an invalid ignore file, so nothing
		// of the context can ship.
		return walkStats{complete: true}, []Problem{{Path: ign.Path, Level: checks.Note,
			Message: redactWords(fmt.Sprintf("%s has an invalid pattern (%v); BuildKit refuses to build with it, so build context %s is not analysed", ign.Path, err, dir))}}
	}
	descend := excludedFolderRule(pm)
	var perPath, probes int64
	if pm != nil {
		for _, p := range pm.Patterns() {
			perPath += 1 + 4*int64(strings.Count(p.String(), "**"))
		}
	}

	type folder struct {
		rel   string
		match patternmatcher.MatchInfo
		depth int
	}
	queue := []folder{{}}
	st := walkStats{complete: true}
	depthReported := false
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		folderPath := joinRel(cleanDir, f.rel)
		l, err := top, topErr
		if f.rel != "" {
			l, err = listFolder(fsys, folderPath)
		}
		if err != nil {
			problems = append(problems, Problem{Path: folderPath, Level: checks.Warning,
				Message: fmt.Sprintf("cannot read %s of build context %s: %s", folderPath, dir, reason(err))})
			continue
		}
		for i := range l.len() {
			rel, mode := l.name(i), l.modes[i]
			if f.rel != "" {
				rel = f.rel + "/" + rel
			}
			var match patternmatcher.MatchInfo
			if pm != nil {
				if probes += perPath; probes > lim.Probes {
					problems = append(problems, NotFullyAnalysed(dir, fmt.Sprintf("build context %s: matching the %d patterns of %s against its files took more than %d steps; only the files matched until then were checked for secret files", dir, len(pm.Patterns()), ign.Path, lim.Probes)))
					st.complete = false
					return st, problems
				}
				excluded, mi, err := pm.MatchesUsingParentResults(rel, f.match)
				if err != nil {
					problems = append(problems, Problem{Path: ign.Path, Level: checks.Warning,
						Message: redactWords(fmt.Sprintf("matching %s against %s: %v", rel, ign.Path, err))})
					return walkStats{entries: st.entries}, problems
				}
				match = mi
				if excluded {
					if mode.IsDir() && descend(rel) && f.depth < lim.Depth {
						queue = append(queue, folder{rel: rel, match: match, depth: f.depth + 1})
					}
					continue
				}
			}
			if st.entries == lim.Entries {
				problems = append(problems, Problem{Path: dir, Level: checks.Warning,
					Message: fmt.Sprintf("build context %s sends more than %d files and folders; only those were checked for secret files", dir, lim.Entries)})
				st.complete = false
				return st, problems
			}
			st.entries++
			visit(sentEntry{rel: rel, mode: mode})
			if !mode.IsDir() {
				continue
			}
			if f.depth+1 > lim.Depth {
				if !depthReported {
					depthReported = true
					problems = append(problems, Problem{Path: path.Join(dir, rel), Level: checks.Warning,
						Message: fmt.Sprintf("build context %s nests folders deeper than %d at %s; deeper files were not checked for secret files", dir, lim.Depth, rel)})
				}
				st.complete = false
				continue
			}
			queue = append(queue, folder{rel: rel, match: match, depth: f.depth + 1})
		}
	}
	return st, problems
}

// joinRel is path.Join(dir, rel) for a clean folder path and a relative
// path made of listed names, which need no cleaning: the walk joins one
// per file and folder sent, and path.Clean's copy was most of its cost.
func joinRel(dir, rel string) string {
	switch {
	case rel == "":
		return dir
	case dir == ".":
		return rel
	}
	return dir + "/" + rel
}

// excludedFolderRule returns whether the walk must enter an excluded folder,
// as fsutil decides: always when a `!` pattern has a wildcard before its
// trailing /** or /*, else only when a `!` pattern names a path inside it.
func excludedFolderRule(pm *patternmatcher.PatternMatcher) func(rel string) bool {
	if pm == nil || !pm.Exclusions() {
		return func(string) bool { return false }
	}
	var prefixes []string
	for _, p := range pm.Patterns() {
		if !p.Exclusion() {
			continue
		}
		s := strings.TrimSuffix(strings.TrimSuffix(p.String(), "/**"), "/*")
		if strings.ContainsAny(s, `*[]?^\`) {
			return func(string) bool { return true }
		}
		prefixes = append(prefixes, s+"/")
	}
	return func(rel string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(p, rel+"/") {
				return true
			}
		}
		return false
	}
}

// contextEntry is one walked context, shared by every Dockerfile built
// from the same folder with the same ignore file.
type contextEntry struct {
	once    sync.Once
	ctx     *checks.BuildContext
	secrets []ContextSecret // ctx.Secrets with repo paths, for Result
	// archives are the problems of the archives that ADD instructions
	// unpack from this context.
	archives archiveProblems
}

// verdict is the cached classification of one file.
type verdict struct {
	kind   string
	secret bool
}

// context walks a build context once per scan and returns it; problems are
// returned only to the caller that walked it, so each is reported once.
func (e *engine) context(dir, ignPath string, ign *checks.IgnoreFile) (*contextEntry, []Problem) {
	key := contextKey(dir, ignPath)
	e.mu.Lock()
	ent := e.contexts[key]
	if ent == nil {
		ent = &contextEntry{}
		e.contexts[key] = ent
	}
	e.mu.Unlock()
	var problems []Problem
	ent.once.Do(func() {
		ent.ctx, problems = e.walk(dir, ign)
		ent.ctx.Unpack = func(p string, visit func(string, func() ([]byte, bool)) bool) bool {
			return e.unpack(dir, ign, &ent.archives, defaultArchiveLimits, p, visit)
		}
		// A context dropped and asked for again by a target that was not
		// counted is walked again; its problems were reported the first time.
		// Only walks that gave problems are remembered: a walk without
		// gives none the second time either (verdicts cached by the first
		// only spare reads).
		e.mu.Lock()
		if e.walked[key] {
			problems = nil
		} else if len(problems) > 0 {
			e.walked[key] = true
		}
		e.mu.Unlock()
		for _, f := range ent.ctx.Secrets {
			ent.secrets = append(ent.secrets, ContextSecret{Path: ent.ctx.RepoPath(f.Path), Kind: f.Kind})
		}
	})
	return ent, problems
}

// walk builds a context: it walks the folder and classifies each regular
// file sent, reading content within the limits.
func (e *engine) walk(dir string, ign *checks.IgnoreFile) (*checks.BuildContext, []Problem) {
	ctx := &checks.BuildContext{Dir: dir, Ignore: ign}
	ctx.Read = func(p string) ([]byte, bool) { return e.contextFile(dir, ign, p) }
	budget := e.limits.ReadBytes
	budgetReported := false
	var problems []Problem
	cleanDir := path.Clean(dir)
	st, walkProblems := walkContext(e.dc, dir, ign, e.limits, func(s sentEntry) {
		repo := joinRel(cleanDir, s.rel)
		switch t := s.mode; {
		case t&fs.ModeSymlink != 0:
			if target, err := fs.ReadLink(e.dc, repo); err == nil {
				if ctx.Links == nil {
					ctx.Links = map[string]string{}
				}
				// Names are slices of the folder cache's store, kept
				// for the whole scan: what outlives the walk is copied.
				ctx.Links[strings.Clone(s.rel)] = target
			}
			return
		case !t.IsRegular():
			return
		}
		// The allow-list's matcher compiles lazily and is not safe for
		// concurrent use; walks of several contexts run at once.
		e.allowMu.Lock()
		allowed := e.cfg.pathAllowed(repo)
		e.allowMu.Unlock()
		if allowed {
			return
		}
		v, spent := e.classify(repo, &budget)
		if spent && !budgetReported {
			budgetReported = true
			problems = append(problems, Problem{Path: dir, Level: checks.Warning,
				Message: fmt.Sprintf("read %d bytes of build context %s for secret files; the rest of its files were judged by their names", e.limits.ReadBytes, dir)})
		}
		if v.secret {
			ctx.Secrets = append(ctx.Secrets, checks.ContextFile{Path: strings.Clone(s.rel), Kind: v.kind})
		}
	})
	ctx.Entries, ctx.Complete = st.entries, st.complete
	sort.Slice(ctx.Secrets, func(i, j int) bool { return ctx.Secrets[i].Path < ctx.Secrets[j].Path })
	return ctx, append(walkProblems, problems...)
}

// contextFile returns the content of the file at context path p of the
// context in dir, when the ignore file lets it through and it is a regular
// file within the size limit. Rules ask for the files a COPY names, a few
// per Dockerfile, so it reads outside the walk's budget.
func (e *engine) contextFile(dir string, ign *checks.IgnoreFile, p string) ([]byte, bool) {
	if p == "" || ign.Excludes(p) {
		return nil, false
	}
	f, err := e.dc.Open(path.Join(dir, p))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() > e.limits.FileBytes {
		return nil, false
	}
	b, err := readAll(f, info.Size(), e.limits.FileBytes)
	if err != nil || int64(len(b)) > e.limits.FileBytes {
		return nil, false
	}
	return b, true
}

func (e *engine) verdict(repo string) (verdict, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.verdicts[repo]
	return v, ok
}

// classify decides whether a file is a secret, reading it only when the
// name calls for it. A verdict that took a read is cached for the other
// contexts that hold the file (nested contexts share files); one decided by
// the name alone costs less to decide again than to keep, and one reached
// without the content because the budget was spent is not kept either:
// another context may still read the file.
//
// The cache is asked only when ContextFileSecret asks for the content, which
// it does once and only for a name that can make the file a secret: most
// files are decided by their name, and a look-up for each was a twentieth
// of a monorepo's walks. The verdict is the cached one then, whatever the
// unread call returned.
func (e *engine) classify(repo string, budget *int64) (v verdict, spent bool) {
	read, cached := false, false
	readFile := func() ([]byte, bool) {
		if v, cached = e.verdict(repo); cached {
			return nil, false
		}
		read = true
		f, err := e.dc.Open(repo)
		if err != nil {
			return nil, false
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil || info.Size() > e.limits.FileBytes {
			return nil, false
		}
		if info.Size() > *budget {
			spent = true
			return nil, false
		}
		b, err := readAll(f, info.Size(), e.limits.FileBytes)
		*budget -= int64(len(b))
		if err != nil || int64(len(b)) > e.limits.FileBytes {
			return nil, false
		}
		return b, true
	}
	kind, secret := checks.ContextFileSecret(repo, readFile, e.settings)
	if cached {
		return v, false
	}
	v = verdict{kind: kind, secret: secret}
	if read && !spent {
		e.mu.Lock()
		e.verdicts[repo] = v
		e.mu.Unlock()
	}
	return v, spent
}

// ContextSecret is a secret-looking file of a build context.
type ContextSecret struct {
	Path string // slash path from the scan root
	Kind string // what it holds: "dotenv file", "npm credentials file", ...
}

// ContextShipment says that the COPY or ADD on Line of a shipped stage
// copies Secrets[From:To] of its BuildContext into a built image: directly,
// through a stage that a COPY --from carries them out of, or in the layer of
// a stage whose later RUN removes them. A COPY of a folder ships a run of
// neighbouring paths, so a run holds many files: `COPY . .` of a monorepo
// root with 2,000 .env files is one entry.
type ContextShipment struct {
	Line     int // first line of the COPY or ADD in the Dockerfile
	From, To int // indexes into BuildContext.Secrets, To exclusive
}

// ShippedBy returns the lines of the COPY and ADD instructions of the
// Dockerfile that copy the file at p (a slash path from the scan root)
// into a built image, in file order; none when the file is not a secret of
// the context or no instruction ships it. With it, a tool that sees a
// secret-looking file added to a pull request finds the Dockerfiles it
// reaches: the contexts whose ShippedBy(p) is not empty.
func (c *BuildContext) ShippedBy(p string) []int {
	i := sort.Search(len(c.Secrets), func(i int) bool { return c.Secrets[i].Path >= p })
	if i == len(c.Secrets) || c.Secrets[i].Path != p {
		return nil
	}
	var lines []int
	for _, s := range c.Shipments {
		if s.From <= i && i < s.To && !slices.Contains(lines, s.Line) {
			lines = append(lines, s.Line)
		}
	}
	sort.Ints(lines)
	return lines
}

// shipments lists the shipments of df from ent's context; the indexes of
// checks.BuildContext.Secrets are those of ent.secrets.
func shipments(df *checks.Dockerfile, ent *contextEntry) []ContextShipment {
	var out []ContextShipment
	for s := range checks.ContextShipments(df, ent.ctx) {
		if n := len(out); n > 0 && out[n-1].Line == s.By.StartLine && out[n-1].To == s.Secret {
			out[n-1].To++
			continue
		}
		out = append(out, ContextShipment{Line: s.By.StartLine, From: s.Secret, To: s.Secret + 1})
	}
	return out
}

// planContexts decides the build contexts of every Dockerfile target:
// the configuration's when it names the Dockerfile, else those that Compose
// files and workflows build it from, else its folder. It also records
// which contexts each ignore file governs, for the ignore-file rules.
func (e *engine) planContexts(targets []target) []Problem {
	var dockerfiles []string
	for _, t := range targets {
		if t.kind == dockerfileKind {
			dockerfiles = append(dockerfiles, t.path)
		}
	}
	e.governs = map[string][]string{}
	if len(dockerfiles) == 0 {
		return nil
	}
	var problems []Problem
	discovered := contextMap{}
	e.builds = ciBuilds{}
	composes, workflows := composeFiles(e.dc, dockerfiles), workflowFiles(e.dc)
	for _, f := range composes {
		problems = append(problems, readCompose(e.dc, f, discovered, e.builds)...)
	}
	for _, f := range workflows {
		problems = append(problems, readWorkflow(e.dc, f, discovered, e.builds)...)
	}
	e.buildFiles = slices.Concat(composes, workflows)
	sort.Strings(e.buildFiles)
	// A file the configuration allows is not scanned: no finding sits in
	// it, though the builds it names still give contexts.
	e.allowMu.Lock()
	for df, bs := range e.builds {
		e.builds[df] = slices.DeleteFunc(bs, func(b *checks.CIBuild) bool { return e.cfg.pathAllowed(b.Path) })
	}
	e.allowMu.Unlock()
	configured := map[string][]string{}
	for k, v := range e.cfg.Contexts {
		configured[path.Clean(k)] = v
	}
	plan := contextMap{}
	for i := range targets {
		t := &targets[i]
		if t.kind != dockerfileKind {
			continue
		}
		df := t.path
		var sources []contextSource
		switch {
		case configured[df] != nil:
			for _, dir := range configured[df] {
				plan.add(df, dir, e.cfg.from())
			}
			sources = plan[df]
		case discovered[df] != nil:
			sources = discovered[df]
		case t.uses != nil:
			// The default, which discovery found with the folder.
			e.govern(t.uses[0])
			continue
		default:
			sources = []contextSource{{Dir: path.Dir(df), From: "default"}}
		}
		t.uses = nil
		for _, c := range sources {
			u := contextUse{dir: c.Dir, from: c.From, ignore: e.effectiveIgnorePath(df, c.Dir)}
			e.govern(u)
			t.uses = append(t.uses, u)
		}
		if len(sources) == 0 {
			// A configuration that names no folder leaves the default.
			dir := path.Dir(df)
			t.uses = []contextUse{{dir: dir, from: "default", ignore: e.effectiveIgnorePath(df, dir)}}
		}
	}
	for _, dirs := range e.governs {
		sort.Strings(dirs)
	}
	return problems
}

// govern records that the ignore file of u governs its context folder.
func (e *engine) govern(u contextUse) {
	if u.ignore != "" && !slices.Contains(e.governs[u.ignore], u.dir) {
		e.governs[u.ignore] = append(e.governs[u.ignore], u.dir)
	}
}

// contextUse is one build context of a Dockerfile target with the ignore
// file BuildKit reads for it ("" for none).
type contextUse struct {
	dir, from, ignore string
}

// countUses counts, for every ignore file and build context, the targets
// that will ask for it, so that the engine drops each once its last user is
// done: kept for the whole scan, the compiled patterns of every ignore file
// and every context walk of a large monorepo are most of the peak memory.
// It returns the folders of the contexts to walk.
func (e *engine) countUses(targets []target) (contextDirs map[string]bool) {
	e.refs = map[useKey]int{}
	contextDirs = map[string]bool{}
	var keys []useKey
	for _, t := range targets {
		keys = e.releaseKeys(t, keys[:0])
		for _, k := range keys {
			e.refs[k]++
			if k.context {
				contextDirs[k.dir] = true
			}
		}
	}
	e.refsSize = len(e.refs)
	return contextDirs
}

// releaseKeys appends to keys the ignore files and contexts a target uses.
func (e *engine) releaseKeys(t target, keys []useKey) []useKey {
	switch t.kind {
	case dockerfileKind:
		for _, u := range t.uses {
			if u.ignore != "" {
				keys = append(keys, ignoreKey(u.ignore))
			}
			keys = append(keys, contextKey(u.dir, u.ignore))
		}
	case ignoreKind:
		keys = append(keys, ignoreKey(t.path))
		for _, dir := range e.governs[t.path] {
			keys = append(keys, contextKey(dir, t.path))
		}
	}
	return keys
}

// useKey names an ignore file or a build context (a folder and the ignore
// file it is walked with) in the engine's maps. It shares the strings of
// the plan instead of joining new ones: there are two per Dockerfile.
type useKey struct {
	context bool
	dir     string // the context folder; "" for an ignore file
	ignore  string // the ignore file's path
}

func ignoreKey(p string) useKey             { return useKey{ignore: p} }
func contextKey(dir, ignPath string) useKey { return useKey{context: true, dir: dir, ignore: ignPath} }

// release drops what a target used once no other target will ask for it.
// A key that was not counted (a context keyed without its ignore file
// because that file could not be read) is kept to the end, as before.
func (e *engine) release(t target) {
	if e.counted != nil {
		<-e.counted
	}
	var buf [4]useKey
	keys := e.releaseKeys(t, buf[:0])
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, k := range keys {
		n, ok := e.refs[k]
		if !ok {
			continue
		}
		if n > 1 {
			e.refs[k] = n - 1
			continue
		}
		delete(e.refs, k)
		delete(e.ignores, k)
		delete(e.contexts, k)
	}
	// A Go map keeps its table when entries go; the counts of a large tree
	// are copied to a smaller one as they run out.
	if len(e.refs) < e.refsSize/2 {
		refs := make(map[useKey]int, len(e.refs))
		maps.Copy(refs, e.refs)
		e.refs, e.refsSize = refs, len(refs)
	}

}

// effectiveIgnorePath returns the ignore file BuildKit reads for a
// Dockerfile built from dir: <Dockerfile>.dockerignore beside it, else
// dir/.dockerignore; "" when neither is a file.
func (e *engine) effectiveIgnorePath(dockerfile, dir string) string {
	for _, p := range []string{dockerfile + ".dockerignore", path.Join(dir, ".dockerignore")} {
		if e.dc.isFile(p) {
			return p
		}
	}
	return ""
}
