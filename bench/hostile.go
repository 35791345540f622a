package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Hostile is one input that a pull request could send to make the scan's
// work grow faster than the input: a small repository tree.
type Hostile struct {
	Name  string
	Files map[string]string // slash path -> content
}

// HostileInputs returns the five shapes of the issue "Hostile pull requests"
// (item 13) at the given scale (1 is the size the issue measured, smaller
// scales make smaller inputs of the same shape), and one found while fixing
// them: a FROM chain under many ARGs.
func HostileInputs(scale float64) []Hostile {
	n := func(full int) int { return max(2, int(float64(full)*scale)) }
	return []Hostile{
		{"copy-from-fan", map[string]string{"Dockerfile": CopyFromFan(n(200)), ".env": "API_TOKEN=abcdefgh12345678\n"}},
		{"from-chain", map[string]string{"Dockerfile": FromChain(n(11400))}},
		{"secret-args", map[string]string{"Dockerfile": SecretArgs(n(8000))}},
		IgnoreStars(n(1300), n(1000)),
		{"keyword-run", map[string]string{"Dockerfile": KeywordRun(n(7000))}},
		{"args-chain", map[string]string{"Dockerfile": ArgsChain(n(5600))}},
	}
}

// CopyFromFan is a Dockerfile of n stages, each copying the whole file system
// of the two before it, the first copying the build context (which holds a
// .env): the stage lineage is a Fibonacci lattice, so a walk that follows
// every path through it takes exponential time.
func CopyFromFan(n int) string {
	var b strings.Builder
	b.WriteString("FROM alpine AS s0\nCOPY . /app\n")
	b.WriteString("FROM alpine AS s1\nCOPY --from=s0 / /\n")
	for i := 2; i < n; i++ {
		fmt.Fprintf(&b, "FROM alpine AS s%d\nCOPY --from=s%d / /\nCOPY --from=s%d / /\n", i, i-1, i-2)
	}
	return b.String()
}

// FromChain is a Dockerfile whose first stage writes a secret ARG into a
// credential file, whose n-1 other stages each build FROM the stage before,
// and whose final stage copies the file's folder out of the last of them.
func FromChain(n int) string {
	var b strings.Builder
	b.WriteString("FROM alpine AS s0\nARG API_TOKEN\nRUN echo \"$API_TOKEN\" > /app/.npmrc\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "FROM s%d AS s%d\n", i-1, i)
	}
	fmt.Fprintf(&b, "FROM alpine\nCOPY --from=s%d /app /app\n", n-1)
	return b.String()
}

// SecretArgs is a Dockerfile declaring n secret-named ARGs.
func SecretArgs(n int) string {
	var b strings.Builder
	b.WriteString("FROM alpine\n")
	for i := range n {
		fmt.Fprintf(&b, "ARG DB_PASSWORD_%d\n", i)
	}
	return b.String()
}

// IgnoreStars is a build context of files files copied whole (`COPY . .`)
// beside an ignore file of lines patterns, each a run of `**/`.
func IgnoreStars(lines, files int) Hostile {
	fs := map[string]string{"Dockerfile": "FROM alpine\nCOPY . /app\n"}
	var ign strings.Builder
	for i := range lines {
		fmt.Fprintf(&ign, "**/**/**/**/**/**/x%d\n", i)
	}
	fs[".dockerignore"] = ign.String()
	for i := range files {
		fs[fmt.Sprintf("d%d/a/b/c/d/e/f%d.txt", i%10, i)] = "x\n"
	}
	return Hostile{"ignore-stars", fs}
}

// ArgsChain is a Dockerfile whose first stage declares n secret ARGs and
// whose n-1 other stages each build FROM the stage before, in the ARGs'
// scope.
func ArgsChain(n int) string {
	var b strings.Builder
	b.WriteString("FROM alpine AS s0\n")
	for i := range n {
		fmt.Fprintf(&b, "ARG DB_PASSWORD_%d\n", i)
	}
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "FROM s%d AS s%d\n", i-1, i)
	}
	return b.String()
}

// KeywordRun is a Dockerfile whose one RUN line repeats `password=` n times:
// every repetition is a keyword hit for the secret-assignment patterns.
func KeywordRun(n int) string {
	return "FROM alpine\nRUN echo " + strings.Repeat("password=", n) + "\n"
}

// WriteHostile writes the inputs into a folder each under dir.
func WriteHostile(dir string, inputs []Hostile) error {
	for _, h := range inputs {
		for name, content := range h.Files {
			p := filepath.Join(dir, h.Name, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
