package checks

// MentionsSecretPath exposes the prefilter's reading of a path to the
// external tests of SecretPath.
func MentionsSecretPath(p string) bool {
	return runTextHas(newKeywordIndex(secretPathWords), p)
}
