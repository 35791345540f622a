package checks

// MentionsSecretPath exposes the prefilter's reading of a path to the
// external tests of SecretPath.
func MentionsSecretPath(p string) bool {
	return runTextHas(secretPathIndex(), p)
}

// SecretPathUnfiltered is SecretPath without its prefilter, for the test
// that the prefilter passes every path it accepts.
var SecretPathUnfiltered = secretPath
