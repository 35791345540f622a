package scan

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/stowaway-dev/stowaway/checks"
)

// Options tune a scan.
type Options struct {
	// Config is the configuration; nil reads .stowaway.yml or .stowaway.yaml
	// at the root of the file system when one exists (both is an error).
	Config *Config
	// Rules are the rules to run; nil runs checks.All().
	Rules []*checks.Rule
	// Switches turn rules on (true) or off (false) over the configuration's
	// rules: section, as the command line's --enable and --disable do.
	Switches map[string]bool
	// Workers is the number of files checked at once; 0 is two per core.
	Workers int
	// ContextLimits bound the walk of each build context; zero fields take
	// DefaultContextLimits.
	ContextLimits ContextLimits
	// Timeout is the scan's time limit: 0 is DefaultTimeout, negative is
	// none. Files it keeps from being fully analysed are problems.
	Timeout time.Duration
	// WorkBudget is the number of work steps each file's checks may take:
	// 0 is DefaultWorkBudget, negative is no limit.
	WorkBudget int64
	// OmitContexts leaves Result.Contexts empty, for a caller that does
	// not read them: a monorepo's contexts are otherwise held to the end.
	OmitContexts bool
	// spent, when set, hears the work steps each file took (for tests).
	spent func(path string, steps int64)
}

// Scan scans paths (slash paths relative to the root of fsys; "." for all of
// it): files are targets as they are, folders are walked for Dockerfiles and
// ignore files. Problems with single files are part of the Result; the error
// is for a scan that could not run at all (a bad configuration, a cancelled
// context). It is Stream with a Collect.
func Scan(ctx context.Context, fsys fs.FS, paths []string, opts Options) (*Result, error) {
	var c Collect
	if err := Stream(ctx, fsys, paths, opts, &c); err != nil {
		return nil, err
	}
	return c.Result, nil
}

// Stream scans as Scan does and hands the result to sink as it goes: each
// finding once every finding before it in the Result's order is known. The
// findings are never all held at once.
func Stream(ctx context.Context, fsys fs.FS, paths []string, opts Options, sink Sink) error {
	dc := newDirCache(fsys)
	cfg := opts.Config
	if cfg == nil {
		var err error
		if cfg, err = loadRootConfig(dc); err != nil {
			return err
		}
	}
	all := opts.Rules
	if all == nil {
		all = checks.All()
	}
	cfg = cfg.switched(opts.Switches)
	rules, levels := cfg.rules(all)
	if len(paths) == 0 {
		paths = []string{"."}
	}
	e := &engine{
		dc: dc, cfg: cfg, rules: rules, levels: levels,
		settings: cfg.settings(), state: checks.NewState(), ignores: map[useKey]*ignoreEntry{},
		limits: opts.ContextLimits.withDefaults(), contexts: map[useKey]*contextEntry{}, verdicts: map[string]verdict{}, walked: map[useKey]bool{},
	}
	e.steps, e.spent, e.timeout = opts.WorkBudget, opts.spent, opts.Timeout
	e.omitContexts = opts.OmitContexts
	if e.steps == 0 {
		e.steps = DefaultWorkBudget
	}
	if e.timeout == 0 {
		e.timeout = DefaultTimeout
	}
	limited := ctx
	if e.timeout > 0 {
		var cancel context.CancelFunc
		limited, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	e.ruleByID = make(map[string]*checks.Rule, len(rules))
	for _, r := range rules {
		e.ruleByID[r.ID] = r
	}
	workers := opts.Workers
	if workers <= 0 {
		// Two per core: a worker in a system call, or waiting for the walk
		// of a build context that another worker started (a Dockerfile and
		// its .dockerignore come one after the other), leaves its core idle;
		// with one per core that was a sixth of a monorepo scan's wall time.
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	roots := make([]string, len(paths))
	for i, p := range paths {
		roots[i] = path.Clean(p)
	}
	found := dc.prefetch(roots, workers)
	targets, problems := discover(dc, roots, found, cfg)
	problems = append(problems, e.planContexts(targets)...)
	// Counting the uses and freezing the listings need the plan alone: they
	// run beside the first checks, which wait for the counts only to
	// release what they used. One after the other, they held back every
	// worker.
	e.counted = make(chan struct{})
	var counting sync.WaitGroup
	counting.Go(func() {
		contexts := e.countUses(targets)
		close(e.counted)
		dc.drop(contexts)
	})
	defer counting.Wait()
	files := make([]string, len(targets))
	for i, t := range targets {
		files[i] = t.path
	}
	sort.Strings(files)
	if err := sink.Begin(&Result{Rules: rules, Files: slices.Clone(files), Problems: slices.Clone(problems)}); err != nil {
		return err
	}
	em := newEmitter(sink, targets, e.builds)
	// A pointer per target: most targets give nothing, and a monorepo has
	// tens of thousands.
	outs := make([]*fileOut, len(targets))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, max(len(targets), 1)) {
		wg.Go(func() {
			for i := range jobs {
				out, fs := e.check(limited, targets[i])
				em.finish(i, fs)
				if len(out.problems)+len(out.contexts) > 0 {
					outs[i] = &out
				}
				targets[i].uses = nil
			}
		})
	}
	order := em.order(targets)
	unfed := len(order)
feed:
	for k, i := range order {
		if limited.Err() != nil || em.failed() != nil {
			unfed = k
			break
		}
		select {
		case jobs <- i:
		case <-limited.Done():
			unfed = k
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, i := range order[unfed:] {
		problems = append(problems, e.late(targets[i].path))
		em.finish(i, nil)
	}
	if err := em.failed(); err != nil {
		return err
	}

	rest := &Result{Rules: rules, Files: files, Problems: problems}
	for _, o := range outs {
		if o != nil {
			rest.Problems = append(rest.Problems, o.problems...)
			rest.Contexts = append(rest.Contexts, o.contexts...)
		}
	}
	sort.SliceStable(rest.Problems, func(i, j int) bool { return rest.Problems[i].Path < rest.Problems[j].Path })
	rest.BuildFiles = e.buildFiles
	// An unreadable ignore file is told by its own target and by each
	// Dockerfile it governs: once is enough.
	seen := map[Problem]bool{}
	rest.Problems = slices.DeleteFunc(rest.Problems, func(p Problem) bool { dup := seen[p]; seen[p] = true; return dup })
	return sink.End(rest)
}

type engine struct {
	dc       *dirCache // the scanned tree, read through the folder cache
	cfg      *Config
	rules    []*checks.Rule
	ruleByID map[string]*checks.Rule // the rules that run
	levels   map[string]checks.Level
	settings *checks.Settings
	state    *checks.State // the rules' pools and memos, this scan's alone
	clean    cleanProse    // rule texts that need no redaction, this scan's alone
	steps    int64         // the work budget of each file
	timeout  time.Duration // the scan's time limit
	spent    func(path string, steps int64)

	mu      sync.Mutex
	ignores map[useKey]*ignoreEntry

	// Build contexts: the limits of a walk, each context walked once
	// (keyed by folder and ignore file), each file classified once, the
	// context folders each ignore file governs (a Dockerfile target holds
	// its own contexts).
	limits   ContextLimits
	allowMu  sync.Mutex
	contexts map[useKey]*contextEntry
	verdicts map[string]verdict
	governs  map[string][]string
	// builds are the builds of each Dockerfile that workflows and Compose
	// files run with build arguments; read-only once planned.
	builds ciBuilds
	// buildFiles are the Compose and workflow files read for builds.
	buildFiles []string
	// refs counts the targets still to use each ignore file and context
	// (keys of ignoreKey and contextKey); walked keeps the contexts whose
	// walk gave problems.
	refs     map[useKey]int
	refsSize int           // len(refs) when its table was made
	counted  chan struct{} // closed once refs is counted
	// omitContexts leaves the build contexts out of the result.
	omitContexts bool
	walked       map[useKey]bool
}

type ignoreEntry struct {
	once    sync.Once
	file    *checks.IgnoreFile
	problem *Problem
}

// ignoreFile reads and parses an ignore file once per scan. Discovery and
// the context plan found p to be a regular file (or a link to one), so it
// is opened without asking again: that stat cost three system calls per
// ignore file.
func (e *engine) ignoreFile(p string) (*checks.IgnoreFile, *Problem) {
	e.mu.Lock()
	ent := e.ignores[ignoreKey(p)]
	if ent == nil {
		ent = &ignoreEntry{}
		e.ignores[ignoreKey(p)] = ent
	}
	e.mu.Unlock()
	ent.once.Do(func() {
		src, prob := readFile(e.dc, p)
		if prob != nil {
			ent.problem = prob
			return
		}
		ent.file = e.state.ParseIgnoreFile(p, replaceInvalid(src))
	})
	return ent.file, ent.problem
}

// fileOut is what a target gives besides its findings, kept to the end of
// the scan.
type fileOut struct {
	problems []Problem
	contexts []BuildContext
}

// source is one file's text as findings on it need it.
type source struct {
	lines  []string
	ranges [][2]int // instruction line ranges, for pragmas and snippets; none: a line each
	nodes  []*parser.Node
	escape rune // a Dockerfile's escape token; 0: backslash
}

func (e *engine) check(ctx context.Context, t target) (out fileOut, findings []Finding) {
	defer e.release(t)
	if ctx.Err() != nil {
		out.problems = append(out.problems, e.late(t.path))
		return out, nil
	}
	budget := checks.NewBudget(ctx, e.steps)
	var raw []checks.Finding
	collect := func(f checks.Finding) { raw = append(raw, f) }
	var src source
	switch t.kind {
	case dockerfileKind:
		b, prob := readFile(e.dc, t.path)
		if prob != nil {
			out.problems = append(out.problems, *prob)
			return out, nil
		}
		if !utf8.Valid(b) {
			out.problems = append(out.problems, Problem{Path: t.path, Level: checks.Note, Message: fmt.Sprintf("%s is not valid UTF-8; each invalid byte is read as a substitute character", t.path)})
			b = replaceInvalid(b)
		}
		// What BuildKit refuses is in df.Errors, and the rest is modelled.
		df, _ := checks.ParseDockerfile(t.path, b, lookup(e.cfg.Targets, t.path))
		if df.NotDockerfile != "" {
			out.problems = append(out.problems, Problem{Path: t.path, Level: checks.Note, Message: df.NotDockerfile})
		}
		df.Budget = budget
		src.lines, src.escape = df.Lines, df.Escape
		src.ranges = make([][2]int, len(df.Instructions))
		src.nodes = make([]*parser.Node, len(df.Instructions))
		for i, in := range df.Instructions {
			src.ranges[i], src.nodes[i] = [2]int{in.StartLine, in.EndLine}, in.Node
		}
		for _, u := range t.uses {
			// planContexts found the ignore file with the same look-ups.
			dir, ignPath := u.dir, u.ignore
			var ign *checks.IgnoreFile
			var prob *Problem
			if ignPath != "" {
				ign, prob = e.ignoreFile(ignPath)
			}
			if prob != nil {
				out.problems = append(out.problems, *prob)
			}
			if ign == nil {
				ignPath = ""
			}
			ent, probs := e.context(dir, ignPath, ign)
			out.problems = append(out.problems, probs...)
			if !e.omitContexts {
				out.contexts = append(out.contexts, BuildContext{
					Dockerfile: t.path, Dir: dir, From: u.from, Ignore: ignPath,
					Complete: ent.ctx.Complete, Secrets: ent.secrets, Shipments: shipments(df, ent),
				})
			}
			e.run(t.path, df, ign, ent.ctx, nil, collect, &out)
			out.problems = append(out.problems, ent.archives.all()...)
		}
		if msg := df.UnreadRuns(); msg != "" && df.NotDockerfile == "" {
			out.problems = append(out.problems, Problem{Path: t.path, Level: checks.Note, Message: msg})
		}
	case ignoreKind:
		ign, prob := e.ignoreFile(t.path)
		if prob != nil {
			out.problems = append(out.problems, *prob)
			return out, nil
		}
		if ign == nil {
			return out, nil
		}
		// Each line is its own instruction: source.instruction's answer
		// without ranges.
		src.lines = ign.Lines
		var governed []*checks.BuildContext
		for _, dir := range e.governs[t.path] {
			ent, probs := e.context(dir, t.path, ign)
			out.problems = append(out.problems, probs...)
			governed = append(governed, ent.ctx)
		}
		e.run(t.path, nil, ign, nil, governed, collect, &out)
	}
	if e.spent != nil {
		e.spent(t.path, budget.Used())
	}
	if why := budget.Exhausted(); why != "" {
		out.problems = append(out.problems, NotFullyAnalysed(t.path, why))
	}
	return out, e.finish(t, dedupe(raw), src)
}

// run runs every rule on one target, turning a rule's panic into a problem
// so that one bad rule or file never loses the rest of the scan.
func (e *engine) run(p string, df *checks.Dockerfile, ign *checks.IgnoreFile, ctx *checks.BuildContext, governed []*checks.BuildContext, report func(checks.Finding), out *fileOut) {
	// One pass serves every rule in turn: a pass per rule and target was
	// a quarter of a million allocations on a monorepo.
	pass := checks.NewPass(nil, df, ign, e.settings, report)
	pass.Context, pass.Contexts, pass.State = ctx, governed, e.state
	if df != nil {
		pass.Builds = e.builds[p]
	}
	for _, r := range e.rules {
		func() {
			defer func() {
				if v := recover(); v != nil {
					out.problems = append(out.problems, Problem{Path: p, Level: checks.Error,
						Message: fmt.Sprintf("internal error in rule %s on %s: %v\n%s", r.ID, p, v, debug.Stack())})
				}
			}()
			pass.Rule = r
			r.Check(pass)
		}()
	}
}

// dedupe drops findings that several build contexts of one Dockerfile gave
// alike.
func dedupe(fs []checks.Finding) []checks.Finding {
	type key struct {
		rule, path, msg string
		span            checks.Span
	}
	seen := map[key]bool{}
	out := fs[:0]
	for _, f := range fs {
		k := key{f.RuleID, f.Path, f.Message, f.Span}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// finish applies levels, allow-lists, pragmas and redaction, and computes
// regions, snippets and fingerprints.
func (e *engine) finish(t target, raw []checks.Finding, src source) []Finding {
	secrets := map[string]bool{}
	found := map[string][]foundSecret{} // by path
	for _, f := range raw {
		secrets[f.Secret] = true
		if f.Secret != "" {
			found[f.Path] = append(found[f.Path], foundSecret{f.Secret, f.Span.Line, f.Span.EndLine})
		}
	}
	mv := newMasker(secrets, &e.clean)
	m := &mv

	var out []Finding
	// By rule, path and key, as a struct: the joined string was an
	// allocation per finding.
	type occurrence struct{ rule, path, key string }
	occurrences := map[occurrence]int{}
	sources := map[string]source{t.path: src}
	spans := map[string]*spanMask{}
	for _, f := range raw {
		r := e.ruleByID[f.RuleID]
		if r == nil || (f.Secret != "" && e.settings.Allowed(f.Secret)) {
			continue
		}
		if f.Level == 0 {
			f.Level = r.Level
		}
		if lv, ok := e.levels[f.RuleID]; ok {
			f.Level = lv
		}
		s, ok := sources[f.Path]
		if !ok {
			s = e.otherSource(f.Path)
			sources[f.Path] = s
		}
		sm := spans[f.Path]
		if sm == nil {
			sm = newSpanMask(s, found[f.Path])
			spans[f.Path] = sm
		}
		start, end := s.instruction(f.Span.Line)
		// Texts are masked by the ranges of the lines they come from: the
		// finding's instruction, and the lines a suggestion replaces.
		in := sm.in(start, end)
		quote := m.raw(in, strings.Join(s.slice(start, min(end, start+19)), "\n"))
		key := f.Key
		if key == "" {
			key = normalize(quote)
		} else {
			key = m.raw(in, key)
		}
		out = append(out, Finding{
			RuleID: f.RuleID, Level: f.Level, Path: f.Path,
			Region:  resolve(s.lines, f.Span),
			Message: m.prose(in, f.Message),
			Fix:     m.prose(in, f.Fix),
			Rule:    r,
		})
		g := &out[len(out)-1]
		// The text report shows the line the region starts on: the
		// snippet is that line alone, copied so as not to hold its file
		// while the finding waits to go out.
		if quote != "" {
			if i := g.Region.StartLine - max(start, 1); i >= 0 {
				if lines := strings.SplitN(quote, "\n", i+2); i < len(lines) {
					g.Snippet, g.SnippetLine = strings.Clone(lines[i]), g.Region.StartLine
				}
			}
		}
		if f.Suggestion != nil {
			g.Suggestion = maskSuggestion(f.Suggestion, m, sm, start, end)
		}
		if len(f.Related) > 0 {
			g.Related = make([]Related, len(f.Related))
			for i, r := range f.Related {
				g.Related[i] = Related{Path: r.Path, Message: m.prose(in, r.Message), Region: e.resolveRelated(r, sources)}
			}
		}
		if f.Secret != "" {
			g.Evidence = Redact(f.Secret)
		}
		id := occurrence{f.RuleID, f.Path, key}
		g.Fingerprint = fingerprint(f.RuleID, f.Path, key, occurrences[id])
		occurrences[id]++
	}
	sm := spans[t.path]
	if sm == nil {
		sm = newSpanMask(src, found[t.path])
	}
	// The file's check directive, read once for both its uses, and only
	// when asked: a closure that stays on the stack, where sync.OnceValue
	// cost three allocations per target.
	var dir *buildkitDirective
	read := false
	directive := func() *buildkitDirective {
		if !read {
			dir, read = src.buildkitDirective(), true
		}
		return dir
	}
	out = e.applyPragmas(t, out, src, m, sm, directive)
	if t.kind == dockerfileKind && len(out) > 0 {
		raiseOnErrorDirective(t.path, out, directive())
	}
	return out
}

// resolveRelated is a related location's region, columns counted as in
// Finding.Region; lines alone when its file cannot be read, none for a file
// as a whole. sources holds the files read for the target's findings.
func (e *engine) resolveRelated(r checks.Related, sources map[string]source) Region {
	if r.Span.Line < 1 {
		return Region{}
	}
	s, ok := sources[r.Path]
	if !ok {
		e.mu.Lock()
		_, cached := e.ignores[ignoreKey(r.Path)]
		e.mu.Unlock()
		var ign *checks.IgnoreFile
		if cached {
			// The ignore file of a build context, read for the target.
			ign, _ = e.ignoreFile(r.Path)
		}
		if ign != nil {
			s = source{lines: ign.Lines}
		} else {
			s = e.otherSource(r.Path)
		}
		sources[r.Path] = s
	}
	if len(s.lines) == 0 {
		return Region{StartLine: r.Span.Line, EndLine: max(r.Span.EndLine, r.Span.Line)}
	}
	return resolve(s.lines, r.Span)
}

// otherSource reads a file that a finding names but that is not the target
// (a context file a Dockerfile would ship).
func (e *engine) otherSource(p string) source {
	b, prob := readFile(e.dc, p)
	if prob != nil {
		return source{}
	}
	return source{lines: checks.SplitLines(b)}
}

// instruction returns the line range of the instruction holding line.
func (s source) instruction(line int) (int, int) {
	for _, r := range s.ranges {
		if line >= r[0] && line <= r[1] {
			return r[0], r[1]
		}
	}
	return line, line
}

func (s source) slice(from, to int) []string {
	if from < 1 {
		from = 1
	}
	if to > len(s.lines) {
		to = len(s.lines)
	}
	if from > to {
		return nil
	}
	return s.lines[from-1 : to]
}

func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int { return compareFindings(&a, &b) })
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// replaceInvalid replaces each byte that is not UTF-8 by ASCII's SUB
// (0x1a), the character made for this. BuildKit's shell lexer and
// patternmatcher read words with text/scanner, which prints to standard
// error on invalid UTF-8, and a scan prints nothing of its own. One byte for
// one byte keeps every line, byte offset and UTF-16 column where it was.
func replaceInvalid(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			out = append(out, 0x1a)
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}
