package github

// GitHub shows a step's summary only when it is at most 1 MiB
// (1,048,576 bytes); a larger one is dropped whole, with an error
// annotation.

import (
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/review"
	"github.com/stowaway-dev/stowaway/scan"
)

// MaxSummary is the most bytes a job summary takes, well under GitHub's
// limit.
const MaxSummary = 1_000_000

func noControl(r rune) rune {
	if unicode.IsControl(r) {
		return ' '
	}
	return r
}

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
	// SARIFFile is where every finding is, for a summary that cannot list
	// them all.
	SARIFFile string
}

// WriteSummary writes the job summary as Markdown: a headline with counts
// and a table of findings (file, line, rule, message) linked to their lines,
// the most severe first, in at most MaxSummary bytes; a last line says how
// many findings did not fit.
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
				parts = append(parts, review.Plural(n, l.String()))
			}
		}
		fmt.Fprintf(&b, "%s in %s.", strings.Join(parts, ", "), s.Scope)
	}
	if suppressed > 0 {
		fmt.Fprintf(&b, " %s suppressed.", review.Plural(suppressed, "finding"))
	}
	b.WriteString("\n")
	for _, n := range s.Notes {
		// A line break in a note (GitHub's error messages hold some) would
		// end its quote.
		b.WriteString("\n> " + strings.Map(noControl, n) + "\n")
	}
	// The problems take at most a quarter of the room, the table the rest;
	// each keeps room for the line that says what it left out.
	const tail = 512
	problems := problemList(s.Problems, MaxSummary/4)
	if len(shown) > 0 {
		sort.SliceStable(shown, func(i, j int) bool { return shown[i].LevelOrDefault(nil) > shown[j].LevelOrDefault(nil) })
		b.WriteString("\n| File | Line | Rule | Message |\n| --- | --- | --- | --- |\n")
		room := MaxSummary - len(problems) - tail
		for i, f := range shown {
			row := s.row(f)
			if b.Len()+len(row) > room {
				where := "the SARIF file"
				if s.SARIFFile != "" {
					where += " " + review.Code(s.SARIFFile)
				}
				fmt.Fprintf(&b, "\n…%s left out of this summary, which lists the most severe first: %s and this step's annotations hold every finding.\n",
					review.Plural(len(shown)-i, "finding"), where)
				break
			}
			b.WriteString(row)
		}
	}
	b.WriteString(problems)
	_, err := io.WriteString(w, b.String())
	return err
}

// row is a finding's row of the table.
func (s Summary) row(f *scan.Finding) string {
	link := blobURL(s.ServerURL, s.Owner, s.Repo, s.SHA, f.Path, f.Region.StartLine, f.Region.EndLine)
	file, line := cell(review.Code(f.Path)), fmt.Sprint(f.Region.StartLine)
	if link != "" {
		file = fmt.Sprintf("[%s](%s)", file, link)
		line = fmt.Sprintf("[%s](%s)", line, link)
	}
	msg := review.Text(f.Message)
	if f.Evidence != "" {
		msg += " (evidence " + review.Code(f.Evidence) + ")"
	}
	return fmt.Sprintf("| %s | %s | %s %s | %s |\n", file, line, review.LevelEmoji(f.LevelOrDefault(nil)), cell(review.Code(f.RuleID)), cell(msg))
}

// problemList is the folded list of files not fully scanned, in at most
// limit bytes.
func problemList(ps []scan.Problem, limit int) string {
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n<details><summary>" + review.Plural(len(ps), "file") + " not fully scanned</summary>\n\n")
	const tail = 256
	for i, p := range ps {
		where := ""
		if p.Path != "" {
			where = review.Code(p.Path) + ": "
		}
		item := "- " + where + review.Text(p.Message) + "\n"
		if b.Len()+len(item) > limit-tail {
			fmt.Fprintf(&b, "- …and %d more: see the SARIF file.\n", len(ps)-i)
			break
		}
		b.WriteString(item)
	}
	b.WriteString("\n</details>\n")
	return b.String()
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
