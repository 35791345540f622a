package checks

import (
	"regexp"
	"sync"
)

// lazyPatterns are the patterns of every lazyRegexp, for the test that
// compiles them all: a bad pattern is then a failed test, as it was a
// failed start when they compiled with the package.
var lazyPatterns []string

// lazyRegexp returns a function that compiles pattern on its first call.
// Compiled with the package, the rules' patterns cost every process, a
// `--help` or `stowaway rules` included, while a run needs the patterns of
// the files it meets.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	lazyPatterns = append(lazyPatterns, pattern)
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
