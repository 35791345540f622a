package checks_test

import (
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

func TestBuildArgSecret(t *testing.T) {
	checktest.Run(t, checks.BuildArgSecret, "testdata/build-arg-secret")
}
