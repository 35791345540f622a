package ghtest

import (
	"fmt"
	"sort"
	"strings"
)

// Diff compares two trees (slash path to content) the way GitHub's "list
// pull request files" endpoint does: one File per changed path, with a
// hunk-only patch of three lines of context.
func Diff(base, head map[string]string) []File {
	paths := map[string]bool{}
	for p := range base {
		paths[p] = true
	}
	for p := range head {
		paths[p] = true
	}
	var sorted []string
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	var files []File
	for _, p := range sorted {
		old, inBase := base[p]
		cur, inHead := head[p]
		switch {
		case !inBase:
			files = append(files, File{Filename: p, Status: "added", Patch: Patch(old, cur)})
		case !inHead:
			files = append(files, File{Filename: p, Status: "removed", Patch: Patch(old, cur)})
		case old != cur:
			files = append(files, File{Filename: p, Status: "modified", Patch: Patch(old, cur)})
		}
	}
	return files
}

// Patch returns the hunk-only unified diff from old to cur, as GitHub sends
// it: no file header, no trailing newline.
func Patch(old, cur string) string {
	a, b := lines(old), lines(cur)
	// Longest common subsequence, table from the end.
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		kind byte // ' ', '-', '+'
		text string
		ai   int // line index in a (for ' ' and '-')
		bi   int // line index in b (for ' ' and '+')
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{' ', a[i], i, j})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			// Deletions first, as git prints them.
			ops = append(ops, op{'-', a[i], i, j})
			i++
		default:
			ops = append(ops, op{'+', b[j], i, j})
			j++
		}
	}
	const context = 3
	var out []string
	for k := 0; k < len(ops); {
		if ops[k].kind == ' ' {
			k++
			continue
		}
		// A hunk: back up for context, then extend while changes are
		// within 2*context lines of each other.
		start := max(k-context, 0)
		end := k
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			run := end
			for run < len(ops) && ops[run].kind == ' ' {
				run++
			}
			if run == len(ops) || run-end > 2*context {
				end = min(end+context, len(ops))
				break
			}
			end = run
		}
		var body []string
		oldStart, newStart, oldN, newN := -1, -1, 0, 0
		for _, o := range ops[start:end] {
			switch o.kind {
			case ' ':
				oldN++
				newN++
			case '-':
				oldN++
			case '+':
				newN++
			}
			if oldStart < 0 {
				oldStart, newStart = o.ai+1, o.bi+1
			}
			body = append(body, string(o.kind)+o.text)
		}
		if oldN == 0 {
			oldStart--
		}
		if newN == 0 {
			newStart--
		}
		out = append(out, fmt.Sprintf("@@ -%s +%s @@", rng(oldStart, oldN), rng(newStart, newN)))
		out = append(out, body...)
		k = end
	}
	return strings.Join(out, "\n")
}

func rng(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}
