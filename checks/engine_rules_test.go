package checks_test

import (
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

// TestParseError runs the secret rules too: a refused file's literal
// secrets are found in its raw text.
func TestParseError(t *testing.T) {
	checktest.RunRules(t, "testdata/parse-error", checks.ParseError, checks.HardcodedSecret, checks.SecretEnv, checks.SecretArg, checks.URLCredentials)
}

func TestInvalidPragma(t *testing.T) {
	checktest.Run(t, checks.InvalidPragma, "testdata/invalid-pragma")
}
