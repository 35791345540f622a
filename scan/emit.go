package scan

import (
	"cmp"
	"path"
	"slices"
	"strings"
	"sync"
)

// Sink hears a scan's results as they are ready, findings in the order of
// Result.Findings. A Sink's error stops the scan, which returns it.
type Sink interface {
	// Begin opens the results. head, the Sink's to change, holds the rules that run (Rules), the
	// targets (Files) and the problems found before any file was checked
	// (a folder that cannot be read, a bad Compose file); it has no
	// findings.
	Begin(head *Result) error
	// Finding hears the next finding.
	Finding(f Finding) error
	// End closes the results: rest is the Result without its findings.
	End(rest *Result) error
}

// Collect is the Sink that keeps the whole Result, for callers that need it
// (Scan is Stream with a Collect).
type Collect struct {
	findings []Finding
	// Result is the whole result once End was called.
	Result *Result
}

// Begin starts a new result.
func (c *Collect) Begin(*Result) error {
	c.findings, c.Result = nil, nil
	return nil
}

// Finding keeps f.
func (c *Collect) Finding(f Finding) error {
	c.findings = append(c.findings, f)
	return nil
}

// End makes Result: rest with the findings kept.
func (c *Collect) End(rest *Result) error {
	res := *rest
	res.Findings = c.findings
	c.Result, c.findings = &res, nil
	return nil
}

// Stream hands the result to s as a scan would: r's findings in their
// order, then the rest. It lets a Result built or changed after a scan go
// to the writers that a scan streams to.
func (r *Result) Stream(s Sink) error {
	if err := s.Begin(&Result{Rules: r.Rules, Files: slices.Clone(r.Files), Problems: slices.Clone(r.Problems)}); err != nil {
		return err
	}
	for _, f := range r.Findings {
		if err := s.Finding(f); err != nil {
			return err
		}
	}
	rest := *r
	rest.Findings = nil
	return s.End(&rest)
}

// emitter releases the findings of a scan in the documented order as the
// targets are checked, so that they need not wait for the end of the scan.
// A target's findings are on its own file, or, for a Dockerfile, on the
// files of its build contexts and on the workflow and Compose files that
// build it: low says, per target, the least path it may report on. The
// findings on paths below every low of a target still being checked are
// final and go out; the others wait in a heap, a few at a time.
type emitter struct {
	mu   sync.Mutex
	sink Sink
	err  error // the sink's first error; nothing goes out after it

	low   []string // by target index
	byLow []int    // target indexes by low
	next  int      // the first of byLow not done
	done  []bool

	waiting findingHeap
}

func newEmitter(sink Sink, targets []target, builds ciBuilds) *emitter {
	em := &emitter{sink: sink, low: make([]string, len(targets)), byLow: make([]int, len(targets)), done: make([]bool, len(targets))}
	for i, t := range targets {
		low := t.path
		for _, u := range t.uses {
			if u.dir == "." {
				low = ""
			} else if d := u.dir + "/"; d < low {
				low = d
			}
		}
		if t.kind == dockerfileKind {
			for _, b := range builds[t.path] {
				low = min(low, b.Path)
			}
		}
		em.low[i], em.byLow[i] = low, i
	}
	slices.SortStableFunc(em.byLow, func(i, j int) int { return strings.Compare(em.low[i], em.low[j]) })
	return em
}

// order is the order to check the targets in: first those that may report
// below their own folder (a Dockerfile built from a folder above it, or by
// a workflow or Compose file), so that none holds back the findings of many
// others; then the others in the order they were found, which keeps each
// folder's targets together (a Dockerfile and its .dockerignore share the
// walk of the build context) and the folder cache small.
func (em *emitter) order(targets []target) []int {
	order := make([]int, 0, len(targets))
	local := func(i int) bool {
		p := targets[i].path
		return em.low[i] == p || em.low[i] == path.Dir(p)+"/"
	}
	for _, i := range em.byLow {
		if !local(i) {
			order = append(order, i)
		}
	}
	for i := range targets {
		if local(i) {
			order = append(order, i)
		}
	}
	return order
}

// finish takes target i's findings, in the order the engine made them, and
// sends every finding that is now final.
func (em *emitter) finish(i int, fs []Finding) {
	em.mu.Lock()
	defer em.mu.Unlock()
	for j, f := range fs {
		em.waiting.push(pending{f, i, j})
	}
	em.done[i] = true
	for em.next < len(em.byLow) && em.done[em.byLow[em.next]] {
		em.next++
	}
	frontier, all := "", em.next == len(em.byLow)
	if !all {
		frontier = em.low[em.byLow[em.next]]
	}
	for em.waiting.Len() > 0 && (all || em.waiting[0].f.Path < frontier) {
		p := em.waiting.pop()
		if em.err == nil {
			em.err = em.sink.Finding(p.f)
		}
	}
}

// failed reports a sink that failed: the scan stops.
func (em *emitter) failed() error {
	em.mu.Lock()
	defer em.mu.Unlock()
	return em.err
}

// pending is a finding waiting to go out: target and seq keep the order of
// findings alike in path, line, column and rule as the engine made them.
type pending struct {
	f           Finding
	target, seq int
}

// findingHeap is a min-heap of pending findings, typed rather than
// container/heap's, which boxes every finding pushed and popped in an
// interface.
type findingHeap []pending

func (h findingHeap) Len() int { return len(h) }
func (h findingHeap) less(i, j int) bool {
	if c := compareFindings(&h[i].f, &h[j].f); c != 0 {
		return c < 0
	}
	if h[i].target != h[j].target {
		return h[i].target < h[j].target
	}
	return h[i].seq < h[j].seq
}

func (h *findingHeap) push(p pending) {
	*h = append(*h, p)
	for j := len(*h) - 1; j > 0; {
		parent := (j - 1) / 2
		if !h.less(j, parent) {
			break
		}
		(*h)[parent], (*h)[j] = (*h)[j], (*h)[parent]
		j = parent
	}
}

func (h *findingHeap) pop() pending {
	old := *h
	n := len(old) - 1
	p := old[0]
	old[0] = old[n]
	old[n] = pending{}
	*h = old[:n]
	for i := 0; ; {
		least := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < n && h.less(c, least) {
				least = c
			}
		}
		if least == i {
			return p
		}
		old[i], old[least] = old[least], old[i]
		i = least
	}
}

// compareFindings orders findings by path, line, column and rule, the
// order of Result.Findings.
func compareFindings(a, b *Finding) int {
	if c := strings.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Region.StartLine, b.Region.StartLine); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Region.StartColumn, b.Region.StartColumn); c != 0 {
		return c
	}
	return strings.Compare(a.RuleID, b.RuleID)
}
