package checks_test

import (
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

func TestParseError(t *testing.T) { checktest.Run(t, checks.ParseError, "testdata/parse-error") }

func TestInvalidPragma(t *testing.T) {
	checktest.Run(t, checks.InvalidPragma, "testdata/invalid-pragma")
}
