package scan

import (
	"context"
	"testing"
	"testing/fstest"

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
		"secrets.NPM_TOKEN != ''":                 "",
		"'' != secrets.NPM_TOKEN":                 "",
		"!secrets.NPM_TOKEN":                      "",
		"secrets.NPM_TOKEN && 'yes' || 'no'":      "",
		"contains(secrets.NPM_TOKEN, 'npm_')":     "",
		"secrets.A == '' && 'none' || secrets.A":  "A",
		"(secrets.A)":                             "A",
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

// TestBuildArgsAllowedFile checks that a workflow the configuration allows
// holds no finding, while its build still gives the Dockerfile's context.
func TestBuildArgsAllowedFile(t *testing.T) {
	tree := fstest.MapFS{
		"app/Dockerfile": {Data: []byte("FROM alpine:3.20\nARG NPM_TOKEN\nRUN true\n")},
		".github/workflows/image.yml": {Data: []byte("on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n" +
			"      - uses: docker/build-push-action@v6\n        with:\n          context: app\n" +
			"          build-args: NPM_TOKEN=${{ secrets.NPM_TOKEN }}\n")},
	}
	count := func() (n int, from string) {
		res, err := Scan(context.Background(), tree, nil, Options{Rules: []*checks.Rule{checks.BuildArgSecret}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Contexts {
			from = c.From
		}
		return len(res.Findings), from
	}
	if n, from := count(); n != 1 || from != ".github/workflows/image.yml" {
		t.Errorf("%d findings, context from %q; want 1 from the workflow", n, from)
	}
	tree[ConfigFile] = &fstest.MapFile{Data: []byte("allow:\n  paths: ['.github/workflows/**']\n")}
	if n, from := count(); n != 0 || from != ".github/workflows/image.yml" {
		t.Errorf("allowed workflow: %d findings, context from %q; want none, and the context from the workflow", n, from)
	}
}
