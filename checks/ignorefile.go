package checks

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// IgnoreFile is a parsed .dockerignore (or <Dockerfile>.dockerignore).
type IgnoreFile struct {
	Path     string   // slash path relative to the scan root
	Lines    []string // raw lines
	Patterns []IgnorePattern
	// Matcher is BuildKit's matcher over all patterns; nil when a pattern is
	// invalid (Err says which).
	Matcher *patternmatcher.PatternMatcher
	Err     error

	// mu serialises Excludes: the matcher compiles its patterns on first
	// use and is not safe for concurrent use, and the engine checks the
	// Dockerfiles that share an ignore file at the same time.
	mu sync.Mutex
}

// IgnorePattern is one pattern as BuildKit reads it, with its line.
type IgnorePattern struct {
	Line    int
	Pattern string // cleaned, without the leading "!"
	Negate  bool
}

// ParseIgnoreFile reads an ignore file with BuildKit's reader. The reader
// itself reports no lines, so each raw line is read on its own to keep the
// line of every pattern; the patterns are the same.
func ParseIgnoreFile(path string, src []byte) *IgnoreFile {
	f := &IgnoreFile{Path: path, Lines: SplitLines(src)}
	var all []string
	for i, line := range f.Lines {
		ps, err := ignorefile.ReadAll(strings.NewReader(line))
		if err != nil || len(ps) == 0 {
			continue
		}
		p := ps[0]
		all = append(all, p)
		neg := strings.HasPrefix(p, "!")
		f.Patterns = append(f.Patterns, IgnorePattern{Line: i + 1, Pattern: strings.TrimPrefix(p, "!"), Negate: neg})
	}
	// Cross-check with the reader over the whole file so that a difference
	// in line handling cannot go unnoticed.
	if whole, err := ignorefile.ReadAll(bytes.NewReader(src)); err == nil && len(whole) != len(all) {
		f.Err = fmt.Errorf("ignore file read as %d patterns line by line but %d as a whole", len(all), len(whole))
		all = whole
	}
	m, err := compilePatterns(all)
	if err != nil {
		f.Err = err
		return f
	}
	f.Matcher = m
	return f
}

// Excludes reports whether BuildKit would leave the context-relative slash
// path out of the build context. A file is sent unless the patterns exclude
// it or one of its parent directories.
func (f *IgnoreFile) Excludes(path string) bool {
	if f == nil || f.Matcher == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ok, err := f.Matcher.MatchesOrParentMatches(path)
	return err == nil && ok
}

// compilePatterns is patternmatcher.New for patterns from files under scan.
// patternmatcher compiles with text/scanner, which prints to standard error
// on invalid UTF-8; such bytes are replaced first, as a scan must print
// nothing of its own. Every matcher of the package is built here.
func compilePatterns(patterns []string) (*patternmatcher.PatternMatcher, error) {
	clean := make([]string, len(patterns))
	for i, p := range patterns {
		clean[i] = strings.ToValidUTF8(p, "\uFFFD")
	}
	return patternmatcher.New(clean)
}
