package checks

import (
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
)

// State is what the rules of one scan share across its targets: compiled
// ignore-file matchers, BuildKit's word lexers and the answers about
// re-include patterns, so that what a monorepo repeats is worked out once. The
// engine makes one for each scan and hands it to the rules through
// Pass.State and to the ignore files it parses (State.ParseIgnoreFile);
// nothing of it outlives the scan. A nil State keeps nothing: every answer
// is computed where it is asked, as a test that builds its own Pass gets.
// docs/performance.md records what each part saves.
type State struct {
	mu       sync.Mutex
	matchers map[listKey]*sync.Pool
	// reincluded are reincludedSecret's answers, by pattern.
	reincluded memo[string, reincluded]
	// lexers are BuildKit's word lexers for the two escape tokens: each
	// holds a text/scanner buffer of over a kilobyte, and a value is read
	// for every ENV, ARG and LABEL pair.
	lexers [2]sync.Pool
	// texts are the texts the secret rules' searches found nothing in.
	texts textMemo
	// gaps are ignoreGaps' answers, by ignore file and --exclude patterns.
	gaps memo[gapsKey, []string]
}

// NewState returns the state of a new scan.
func NewState() *State { return &State{matchers: map[listKey]*sync.Pool{}} }

// borrowMatcher returns a matcher of patterns (key is keyOf(patterns)) for
// the caller's use alone, and the function that gives it back. A matcher is
// lent to one borrower at a time: patternmatcher compiles each pattern's
// regexp on first use and is not safe for concurrent use.
func (st *State) borrowMatcher(key listKey, patterns []string) (*patternmatcher.PatternMatcher, func(), error) {
	var pool *sync.Pool
	if st != nil {
		st.mu.Lock()
		pool = st.matchers[key]
		if pool == nil {
			pool = &sync.Pool{}
			st.matchers[key] = pool
		}
		st.mu.Unlock()
		if pm, ok := pool.Get().(*patternmatcher.PatternMatcher); ok {
			return pm, func() { pool.Put(pm) }, nil
		}
	}
	pm, err := compilePatterns(patterns)
	if err != nil || pool == nil {
		return pm, func() {}, err
	}
	return pm, func() { pool.Put(pm) }, nil
}

// lexer returns a word lexer for escape for the caller's use alone, and the
// function that gives it back.
func (st *State) lexer(escape rune) (*shell.Lex, func()) {
	var pool *sync.Pool
	switch {
	case st == nil:
	case escape == '\\':
		pool = &st.lexers[0]
	case escape == '`':
		pool = &st.lexers[1]
	}
	if pool == nil {
		return shell.NewLex(escape), func() {}
	}
	lex, ok := pool.Get().(*shell.Lex)
	if !ok {
		lex = shell.NewLex(escape)
	}
	return lex, func() { pool.Put(lex) }
}

// memo remembers values by key for one scan. A value is computed outside
// the lock; two callers may compute the same one. The memo of a nil State
// keeps nothing.
type memo[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

// get returns the value of k, computing and keeping it on first use.
func (c *memo[K, V]) get(k K, compute func() V) V {
	if c == nil {
		return compute()
	}
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v
	}
	v = compute()
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]V{}
	}
	c.m[k] = v
	c.mu.Unlock()
	return v
}
