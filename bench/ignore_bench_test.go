package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stowaway-dev/stowaway/scan"
)

// BenchmarkLargeIgnoreFile scans one Dockerfile (`COPY . .`) beside an
// ignore file of 20,000 lines in the shapes that made the rules quadratic
// (found by FuzzScanIgnoreFile): the same `!` line again and again,
// distinct `!` lines, and re-included folders with the secret excluded
// again after each. A line of its own per op keeps the memos from
// answering. Real ignore files have tens of lines.
func BenchmarkLargeIgnoreFile(b *testing.B) {
	const n = 20000
	shapes := []struct {
		name  string
		lines func(i int) string
	}{
		{"same-negation", func(int) string { return "!a" }},
		{"distinct-negations", func(i int) string { return fmt.Sprintf("!a%d", i) }},
		{"reincluded-folders", func(i int) string { return fmt.Sprintf("!d%d/\n**/.env", i) }},
	}
	for _, sh := range shapes {
		b.Run(sh.name, func(b *testing.B) {
			var body strings.Builder
			body.WriteString("*\n")
			for i := range n {
				body.WriteString(sh.lines(i))
				body.WriteByte('\n')
			}
			op := 0
			b.ReportAllocs()
			for b.Loop() {
				op++
				fsys := fstest.MapFS{
					"Dockerfile":    {Data: []byte("FROM alpine\nCOPY . .\n")},
					".env":          {Data: []byte("API_TOKEN=abc\n")},
					".dockerignore": {Data: []byte(fmt.Sprintf("%sop-%d\n", body.String(), op))},
				}
				if _, err := scan.Scan(context.Background(), fsys, []string{"."}, scan.Options{Config: &scan.Config{}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
