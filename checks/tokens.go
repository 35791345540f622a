package checks

// Token is a known token format found in a text.
type Token struct {
	RuleID      string // gitleaks rule ID, e.g. "github-pat"
	Description string // e.g. "GitHub Personal Access Token"
	Secret      string // the matched secret
	Start, End  int    // byte offsets of Secret in the text
}

// FindTokens returns the known token formats in text.
func FindTokens(text string) []Token {
	return nil
}
