package scan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
)

func TestSecretOf(t *testing.T) {
	for expr, want := range map[string]string{
		"secrets.NPM_TOKEN":                       "NPM_TOKEN",
		"secrets [ 'npm-token' ]":                 "npm-token",
		"github.token":                            "GITHUB_TOKEN",
		"secrets.A || secrets.B":                  "A",
		"format('Bearer {0}', secrets.API_TOKEN)": "API_TOKEN",
		"github.sha":                              "",
		"vars.REGISTRY":                           "",
		"inputs.secrets.X":                        "",
		"github.tokenizer":                        "",
		"env.NPM_TOKEN":                           "",
	} {
		if got := secretOf(expr); got != want {
			t.Errorf("secretOf(%q) = %q, want %q", expr, got, want)
		}
	}
}

func TestComposeLiteral(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want checks.Value
	}{
		{"Hx9vQm2Lz7Rt", checks.Value{Raw: "Hx9vQm2Lz7Rt", Literal: "Hx9vQm2Lz7Rt"}},
		{"${NPM_TOKEN}", checks.Value{Raw: "${NPM_TOKEN}", Refs: []string{"NPM_TOKEN"}}},
		{"$NPM_TOKEN", checks.Value{Raw: "$NPM_TOKEN", Refs: []string{"NPM_TOKEN"}}},
		{"${DB_PASSWORD:-Tq3wZ8xK1vRm}", checks.Value{Raw: "${DB_PASSWORD:-Tq3wZ8xK1vRm}", Literal: "Tq3wZ8xK1vRm", Refs: []string{"DB_PASSWORD"}, Defaulted: true}},
		{"a$$b", checks.Value{Raw: "a$$b", Literal: "a$b"}},
	} {
		got := composeLiteral(tt.in)
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(checks.Value{})); diff != "" {
			t.Errorf("composeLiteral(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}
