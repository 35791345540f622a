package checks_test

import (
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

func TestContextSecretShipped(t *testing.T) {
	checktest.Run(t, checks.ContextSecretShipped, "testdata/context-secret-shipped")
}
