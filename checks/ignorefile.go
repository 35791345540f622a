package checks

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// IgnoreFile is a parsed .dockerignore (or <Dockerfile>.dockerignore).
type IgnoreFile struct {
	Path     string   // slash path relative to the scan root
	Lines    []string // raw lines
	Patterns []IgnorePattern
	// Err says why BuildKit cannot use the file (a line its reader cannot
	// take, an invalid pattern); nil when it can.
	Err error

	// matchPatterns are the patterns the rules match with: every line
	// that reads, even when another line does not. valid says they compile.
	matchPatterns []string
	matchKey      listKey
	valid         bool
	// buildPatterns are the patterns as a build reads the whole file, or
	// readErr the error of BuildKit's reader, which fails the build.
	buildPatterns []string
	buildKey      listKey
	readErr       error
	// state lends the file's matchers: the scan's that parsed it.
	state *State
}

// Valid reports whether the patterns compile: BuildKit refuses to build
// with an invalid pattern, so rules about what a build sends skip the file.
func (f *IgnoreFile) Valid() bool { return f != nil && f.valid }

// BuildMatcher lends the matcher a build uses for the file, for the
// caller's use alone until it calls release; nil when the file has no
// pattern. The error is BuildKit's: the file cannot be read, or a pattern
// does not compile.
func (f *IgnoreFile) BuildMatcher() (pm *patternmatcher.PatternMatcher, release func(), err error) {
	switch {
	case f == nil || len(f.buildPatterns) == 0 && f.readErr == nil:
		return nil, func() {}, nil
	case f.readErr != nil:
		return nil, func() {}, f.readErr
	}
	return f.state.borrowMatcher(f.buildKey, f.buildPatterns)
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
	return (*State)(nil).ParseIgnoreFile(path, src)
}

// ParseIgnoreFile is the package's ParseIgnoreFile for a file of st's scan:
// its matchers are lent by st.
func (st *State) ParseIgnoreFile(path string, src []byte) *IgnoreFile {
	f := &IgnoreFile{Path: path, Lines: SplitLines(src), state: st}
	all, err := ignorefile.ReadAll(bytes.NewReader(src))
	f.buildPatterns, f.readErr = all, err
	paired := err == nil
	if paired {
		if len(all) > 0 {
			f.Patterns = make([]IgnorePattern, 0, len(all))
		}
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
	f.matchPatterns, f.matchKey = all, keyOf(all)
	f.buildKey = f.matchKey // paired: the build reads the same list
	if !paired {
		f.buildKey = keyOf(f.buildPatterns)
	}
	_, release, err := st.borrowMatcher(f.matchKey, all)
	if err != nil {
		f.Err = err
		return f
	}
	release()
	f.valid = true
	return f
}

// Excludes reports whether BuildKit would leave the context-relative slash
// path out of the build context. A file is sent unless the patterns exclude
// it or one of its parent directories.
func (f *IgnoreFile) Excludes(path string) bool {
	if !f.Valid() {
		return false
	}
	pm, release, err := f.state.borrowMatcher(f.matchKey, f.matchPatterns)
	if err != nil {
		return false
	}
	defer release()
	ok, err := pm.MatchesOrParentMatches(path)
	return err == nil && ok
}

// compilePatterns is patternmatcher.New for patterns from files under scan.
// patternmatcher compiles with text/scanner, which prints to standard error
// on invalid UTF-8; such bytes are replaced first, as a scan must print
// nothing of its own. Every matcher of the package is built here.
func compilePatterns(patterns []string) (*patternmatcher.PatternMatcher, error) {
	clean := make([]string, len(patterns))
	for i, p := range patterns {
		clean[i] = collapseStars(strings.ToValidUTF8(p, "\uFFFD"))
	}
	return patternmatcher.New(clean)
}

// collapseStars writes a run of `**/` once. patternmatcher turns each into
// `(.*/)?`, and a run of them matches the same paths as one, but each more
// multiplied the regexp's work on every path of a context (a file of such
// lines over a thousand files took half a minute). A pattern with an escape
// or a class is kept as written, where a star may be literal.
func collapseStars(p string) string {
	if !strings.Contains(p, "**/**/") || strings.ContainsAny(p, `\[`) {
		return p
	}
	return starRun().ReplaceAllString(p, "$1**/")
}

// starRun is a run of `**/` that starts a pattern (after its `!`) or a
// path segment.
var starRun = lazyRegexp(`(^!?|/)(?:\*\*/)+`)

func newIgnorePattern(line int, p string) IgnorePattern {
	return IgnorePattern{Line: line, Pattern: strings.TrimPrefix(p, "!"), Negate: strings.HasPrefix(p, "!")}
}

// listKey names a pattern list in a scan's pools and memos (State): its
// SHA-256, so that they hold 32 bytes of each list, not its text (an
// ignore file may hold up to a mebibyte), and so that an ignore file's key
// is computed once, not joined again at every look-up (which made a file
// of thousands of `!` lines take seconds).
type listKey [sha256.Size]byte

// keyOf returns the key of a pattern list.
func keyOf(patterns []string) listKey {
	h := sha256.New()
	for _, p := range patterns {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	var k listKey
	h.Sum(k[:0])
	return k
}
