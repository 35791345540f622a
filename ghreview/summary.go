package ghreview

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

// maxSummaryRows keeps the job summary well under GitHub's 1 MiB limit per
// step.
const maxSummaryRows = 1000

// Summary is what the job summary reports.
type Summary struct {
	// Findings are those of the run's scope, suppressed ones included.
	Findings []scan.Finding
	Problems []scan.Problem
	// Scope says what was scanned, for the headline.
	Scope string
	// Notes are sentences shown under the headline: what happened to the
	// review, a fallback.
	Notes []string
	// Links point at ServerURL/Owner/Repo at commit SHA; no links when SHA
	// is empty.
	ServerURL, Owner, Repo, SHA string
}

// WriteSummary writes the job summary as Markdown: a headline with counts
// and a table of findings (file, line, rule, message) linked to their lines.
func WriteSummary(w io.Writer, s Summary) error {
	var b strings.Builder
	counts := map[checks.Level]int{}
	suppressed := 0
	var shown []*scan.Finding
	for i := range s.Findings {
		f := &s.Findings[i]
		if f.Suppressed != nil {
			suppressed++
			continue
		}
		counts[f.LevelOrDefault(nil)]++
		shown = append(shown, f)
	}
	b.WriteString("## Stowaway\n\n")
	if len(shown) == 0 {
		fmt.Fprintf(&b, "No findings in %s.", s.Scope)
	} else {
		var parts []string
		for _, l := range []checks.Level{checks.Error, checks.Warning, checks.Note} {
			if n := counts[l]; n > 0 {
				parts = append(parts, plural(n, l.String()))
			}
		}
		fmt.Fprintf(&b, "%s in %s.", strings.Join(parts, ", "), s.Scope)
	}
	if suppressed > 0 {
		fmt.Fprintf(&b, " %s suppressed.", plural(suppressed, "finding"))
	}
	b.WriteString("\n")
	for _, n := range s.Notes {
		b.WriteString("\n> " + n + "\n")
	}
	if len(shown) > 0 {
		b.WriteString("\n| File | Line | Rule | Message |\n| --- | --- | --- | --- |\n")
		for i, f := range shown {
			if i == maxSummaryRows {
				fmt.Fprintf(&b, "\n…and %s more: see the SARIF file.\n", plural(len(shown)-i, "finding"))
				break
			}
			link := blobURL(s.ServerURL, s.Owner, s.Repo, s.SHA, f.Path, f.Region.StartLine, f.Region.EndLine)
			file, line := cell(code(f.Path)), fmt.Sprint(f.Region.StartLine)
			if link != "" {
				file = fmt.Sprintf("[%s](%s)", file, link)
				line = fmt.Sprintf("[%s](%s)", line, link)
			}
			msg := text(f.Message)
			if f.Evidence != "" {
				msg += " (evidence " + code(f.Evidence) + ")"
			}
			fmt.Fprintf(&b, "| %s | %s | %s %s | %s |\n", file, line, levelEmoji(f.LevelOrDefault(nil)), cell(code(f.RuleID)), cell(msg))
		}
	}
	if len(s.Problems) > 0 {
		b.WriteString("\n<details><summary>" + plural(len(s.Problems), "file") + " not fully scanned</summary>\n\n")
		for _, p := range s.Problems {
			where := ""
			if p.Path != "" {
				where = code(p.Path) + ": "
			}
			b.WriteString("- " + where + text(p.Message) + "\n")
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func levelEmoji(l checks.Level) string {
	switch l {
	case checks.Error:
		return ":no_entry:"
	case checks.Warning:
		return ":warning:"
	}
	return ":information_source:"
}

// cell keeps a table cell on one row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

// blobURL links lines start to end of a file at a commit; "" without a
// commit or a server.
func blobURL(server, owner, repo, sha, p string, start, end int) string {
	if server == "" || sha == "" {
		return ""
	}
	var segs []string
	for _, s := range strings.Split(p, "/") {
		segs = append(segs, url.PathEscape(s))
	}
	u := fmt.Sprintf("%s/%s/%s/blob/%s/%s", strings.TrimSuffix(server, "/"), url.PathEscape(owner), url.PathEscape(repo), sha, strings.Join(segs, "/"))
	switch {
	case start <= 0:
	case end > start:
		u += fmt.Sprintf("#L%d-L%d", start, end)
	default:
		u += fmt.Sprintf("#L%d", start)
	}
	return u
}
