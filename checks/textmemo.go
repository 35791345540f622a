package checks

import (
	"strings"
	"sync"
	"sync/atomic"
)

// textMemo remembers, for one scan, the texts in which hardcoded-secret's
// searches (tokens, assignments, URL credentials) found nothing. A
// monorepo's Dockerfiles repeat the same lines: of 105,000 instruction texts
// hardcoded-secret read on the generated monorepo, 6,500 were distinct.
// Only empty answers are kept, so what a hit saves is a text the rule passes
// over; the bounds keep a scan of many distinct texts from growing it
// without limit. Short texts that vary from file to file (ENV values, a
// port in each) gain nothing: the look-up costs what the search does.
type textMemo struct {
	mu    sync.RWMutex
	texts map[string]*textFacts
	bytes int // of the texts kept
}

// textFacts are the searches known to find nothing in one text. A nil
// *textFacts knows nothing and keeps nothing.
type textFacts struct {
	none atomic.Uint32 // a bit for each search (textSearch) that found nothing
	// What findAssignments found nothing with: the configuration, and the
	// work steps it spent.
	s     atomic.Pointer[Settings]
	steps atomic.Int64
}

// textSearch names a search whose empty answers textMemo keeps.
type textSearch uint8

const (
	searchTokens      textSearch = iota // FindTokens
	searchCredentials                   // findURLCredentials
	searchAssignments                   // findAssignments, with the configuration textFacts.s
)

const (
	maxMemoText  = 4096    // bytes of one text kept
	maxMemoBytes = 2 << 20 // bytes of text kept in all
)

// facts returns what the scan knows of text, making its entry on first use;
// nil for a nil State, a long text, or a full memo.
func (st *State) facts(text string) *textFacts {
	if st == nil || len(text) > maxMemoText {
		return nil
	}
	m := &st.texts
	m.mu.RLock()
	f := m.texts[text]
	m.mu.RUnlock()
	if f != nil {
		return f
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if f = m.texts[text]; f != nil {
		return f
	}
	if m.bytes+len(text) > maxMemoBytes {
		return nil
	}
	if m.texts == nil {
		m.texts = map[string]*textFacts{}
	}
	f = &textFacts{}
	// A copy: the text may be a line of its file, which would keep the
	// whole file alive.
	m.texts[strings.Clone(text)] = f
	m.bytes += len(text)
	return f
}

func (f *textFacts) nothing(search textSearch) bool {
	return f != nil && f.none.Load()&(1<<search) != 0
}

func (f *textFacts) found(search textSearch, nothing bool) {
	if f != nil && nothing {
		f.none.Or(1 << search)
	}
}

// findTokens is FindTokens(text), f what is known of text.
func (f *textFacts) findTokens(text string) []Token {
	return searched(f, searchTokens, text, FindTokens)
}

// findURLCredentials is findURLCredentials(text), f what is known of text.
func (f *textFacts) findURLCredentials(text string) []urlCredential {
	return searched(f, searchCredentials, text, findURLCredentials)
}

// searched is find(text), unless f knows that search finds nothing there.
func searched[T any](f *textFacts, search textSearch, text string, find func(string) []T) []T {
	if f.nothing(search) {
		return nil
	}
	out := find(text)
	f.found(search, len(out) == 0)
	return out
}

// findAssignments is the literal secrets given to secret-looking names in
// text (scanAssignments), f what is known of text. A text read to its end
// is remembered with the steps it took, and a hit spends them again: the
// file's budget runs out on the same searches as before. A search that the
// budget cut short is not remembered.
func (f *textFacts) findAssignments(text string, s *Settings, budget *Budget) []textAssignment {
	if f.nothing(searchAssignments) && f.s.Load() == s {
		if steps := f.steps.Load(); steps > 0 {
			budget.Spend(steps, assignmentWork)
		}
		return nil
	}
	out, steps, whole := scanAssignments(text, s, budget)
	if len(out) == 0 && whole && f != nil {
		f.s.Store(s)
		f.steps.Store(steps)
		f.found(searchAssignments, true)
	}
	return out
}

// findAssignments looks text up and reads it (textFacts.findAssignments).
func (st *State) findAssignments(text string, s *Settings, budget *Budget) []textAssignment {
	return st.facts(text).findAssignments(text, s, budget)
}
