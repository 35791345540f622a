package checks_test

import (
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

func TestHardcodedSecret(t *testing.T) {
	checktest.Run(t, checks.HardcodedSecret, "testdata/hardcoded-secret")
}

func TestURLCredentials(t *testing.T) {
	checktest.Run(t, checks.URLCredentials, "testdata/url-credentials")
}
