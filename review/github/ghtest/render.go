package ghtest

import "regexp"

// What GitHub links when it renders a comment, a review body or a job
// summary: outside code spans, code blocks and HTML comments, URLs
// (https://…, www.…), e-mail addresses, @mentions, issue references (#12,
// GH-12, owner/repo#12) and commit SHAs (7 to 40 hex digits).
var (
	autolinkRE = regexp.MustCompile(`(?i)https?://|www\.|[a-z0-9._%+-]@[a-z0-9-]|(^|[^a-z0-9_])@[a-z0-9]|#\d|\bgh-\d|\b[0-9a-f]{7,40}\b`)
	unrendered = []*regexp.Regexp{
		regexp.MustCompile("(?s)```.*?```"),
		regexp.MustCompile("(`+)[^`]*?(`+)"),
		regexp.MustCompile(`(?s)<!--.*?-->`),
	}
	linkDest = regexp.MustCompile(`\]\([^)]*\)`)
	escape   = regexp.MustCompile(`\\(.)`)
)

// Autolinks returns the text that GitHub would turn into links or
// notifications in Markdown md; links written as [text](url) are not
// counted, their text is.
func Autolinks(md string) []string {
	for _, re := range unrendered {
		md = re.ReplaceAllString(md, " ")
	}
	md = linkDest.ReplaceAllString(md, "]")
	md = escape.ReplaceAllString(md, "$1")
	return autolinkRE.FindAllString(md, -1)
}
