package scan

import (
	"testing"

	"github.com/stowaway-dev/stowaway/checks"
)

func TestLevelOrDefault(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Finding
		want checks.Level
	}{
		{"set", Finding{RuleID: "secret-env", Level: checks.Note}, checks.Note},
		{"rule", Finding{RuleID: "x", Rule: checks.ParseError}, checks.Warning},
		{"by ID", Finding{RuleID: "secret-env"}, checks.Error},
		{"unknown", Finding{RuleID: "nope"}, checks.Warning},
	} {
		if got := tc.f.LevelOrDefault([]*checks.Rule{checks.SecretEnv}); got != tc.want {
			t.Errorf("%s: LevelOrDefault = %v, want %v", tc.name, got, tc.want)
		}
	}
}
