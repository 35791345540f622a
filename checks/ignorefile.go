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
// reports no lines, so each pattern is paired with the raw line it came
// from: the reader makes one pattern of every line that neither starts with
// "#" nor is blank. Should the counts ever differ, each line is read on its
// own instead.
func ParseIgnoreFile(path string, src []byte) *IgnoreFile {
	f := &IgnoreFile{Path: path, Lines: SplitLines(src)}
	all, err := ignorefile.ReadAll(bytes.NewReader(src))
	paired := err == nil
	if paired {
		n := 0
		for i, line := range f.Lines {
			if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
				continue
			}
			if n == len(all) {
				paired = false
				break
			}
			f.Patterns = append(f.Patterns, newIgnorePattern(i+1, all[n]))
			n++
		}
		paired = paired && n == len(all)
	}
	if !paired {
		// A line the reader cannot take (longer than its buffer) fails the
		// whole file for BuildKit; here the other lines still count.
		all, f.Patterns = nil, nil
		for i, line := range f.Lines {
			ps, err := ignorefile.ReadAll(strings.NewReader(line))
			if err != nil || len(ps) == 0 {
				continue
			}
			all = append(all, ps[0])
			f.Patterns = append(f.Patterns, newIgnorePattern(i+1, ps[0]))
		}
		if err != nil {
			f.Err = fmt.Errorf("BuildKit cannot read this ignore file: %w", err)
		}
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

func newIgnorePattern(line int, p string) IgnorePattern {
	return IgnorePattern{Line: line, Pattern: strings.TrimPrefix(p, "!"), Negate: strings.HasPrefix(p, "!")}
}
