package checks_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/checks/checktest"
)

func TestSecretEnv(t *testing.T) { checktest.Run(t, checks.SecretEnv, "testdata/secret-env") }

func TestSecretArg(t *testing.T) { checktest.Run(t, checks.SecretArg, "testdata/secret-arg") }

func TestArgPersisted(t *testing.T) { checktest.Run(t, checks.ArgPersisted, "testdata/arg-persisted") }

// TestSecretArgSuggestion checks the mechanical fix: the ARG line goes, and
// the one RUN that uses the argument mounts it as a secret under the same
// variable name, as an edit of its own, so that no edit spans the
// instructions between; a RUN that writes the value into a file removes it
// before it ends.
func TestSecretArgSuggestion(t *testing.T) {
	// fix removes the ARG on line arg and replaces lines start..end by text.
	fix := func(arg, start, end int, text string) *checks.Suggestion {
		return &checks.Suggestion{StartLine: arg, EndLine: arg, Also: []checks.Edit{{StartLine: start, EndLine: end, Text: text}}}
	}
	tests := []struct {
		name    string
		src     string
		want    *checks.Suggestion
		related int // line of the related RUN, 0 for none
	}{
		{
			name:    "next instruction",
			src:     "FROM node:22-slim\nARG NPM_TOKEN\nRUN npm ci --token=$NPM_TOKEN\n",
			want:    fix(2, 3, 3, "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci --token=$NPM_TOKEN"),
			related: 3,
		},
		{
			name:    "a literal default goes with the ARG",
			src:     "FROM node:22-slim\nARG NPM_TOKEN=npm-Passw0rd-t0ken\nRUN npm ci --token=$NPM_TOKEN\n",
			want:    fix(2, 3, 3, "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci --token=$NPM_TOKEN"),
			related: 3,
		},
		{
			name: "lines between stay out, a continuation stays in",
			src: "FROM node:22-slim\nWORKDIR /app\nARG NPM_TOKEN\nCOPY package.json ./\n" +
				"  run echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc \\\n    && npm ci && rm .npmrc\nCMD [\"node\"]\n",
			want:    fix(3, 5, 6, "  run --mount=type=secret,id=npm_token,env=NPM_TOKEN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc \\\n    && npm ci && rm .npmrc"),
			related: 5,
		},
		{
			name:    "far from the ARG",
			src:     "FROM node:22-slim\nARG NPM_TOKEN\n" + strings.Repeat("ENV A=1\n", 11) + "RUN npm ci --token=$NPM_TOKEN\n",
			want:    fix(2, 14, 14, "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci --token=$NPM_TOKEN"),
			related: 14,
		},
		{
			name:    "a file the RUN writes the value into is removed before it ends",
			src:     "FROM node:22-slim\nARG NPM_TOKEN\nRUN npm config set //registry.npmjs.org/:_authToken=${NPM_TOKEN} \\\n  && npm ci\n",
			want:    fix(2, 3, 4, "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm config set //registry.npmjs.org/:_authToken=${NPM_TOKEN} \\\n  && npm ci && rm -f ~/.npmrc"),
			related: 3,
		},
		{
			name:    "two files",
			src:     "FROM node:22-slim\nWORKDIR /app\nARG NPM_TOKEN\nRUN echo \"t=${NPM_TOKEN}\" > .npmrc && npm set x=$NPM_TOKEN && npm ci\n",
			want:    fix(3, 4, 4, "RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN echo \"t=${NPM_TOKEN}\" > .npmrc && npm set x=$NPM_TOKEN && npm ci && rm -f .npmrc ~/.npmrc"),
			related: 4,
		},
		{
			name:    "a written file that an appended rm cannot name",
			src:     "FROM node:22-slim\nARG NPM_TOKEN\nRUN echo \"t=${NPM_TOKEN}\" > \"my npmrc\" && npm ci\n",
			related: 3,
		},
		{
			name:    "a file written for a later instruction: removing it at once is no fix",
			src:     "FROM node:22-slim\nARG NPM_TOKEN\nRUN npm config set //registry.npmjs.org/:_authToken=$NPM_TOKEN\nRUN npm ci\n",
			related: 3,
		},
		{
			name:    "a key written and given its mode, for the container",
			src:     "FROM alpine\nARG SSH_PRIVATE_KEY\nRUN echo \"$SSH_PRIVATE_KEY\" > ~/.ssh/id_rsa && chmod 600 ~/.ssh/id_rsa\n",
			related: 3,
		},
		{
			name:    "a RUN that mounts the secret already: the ARG goes alone",
			src:     "FROM node:22-slim\nARG NPM_TOKEN\nRUN --mount=type=secret,id=t,env=NPM_TOKEN npm ci --token=$NPM_TOKEN\n",
			want:    &checks.Suggestion{StartLine: 2, EndLine: 2},
			related: 3,
		},
		{
			name: "an earlier RUN may read it from its environment",
			src:  "FROM node:22-slim\nARG NPM_TOKEN\nRUN npm ci\nRUN echo $NPM_TOKEN > /dev/null\n",
		},
		{
			name: "two consumers",
			src:  "FROM node:22-slim\nARG NPM_TOKEN\nRUN npm ci --token=$NPM_TOKEN\nRUN npm publish --token=${NPM_TOKEN}\n",
		},
		{
			name: "a non-RUN consumer",
			src:  "FROM node:22-slim\nARG NPM_TOKEN\nLABEL t=$NPM_TOKEN\n",
		},
		{
			name: "several names on the ARG line",
			src:  "FROM node:22-slim\nARG NPM_TOKEN NODE_ENV\nRUN npm ci --token=$NPM_TOKEN\n",
		},
		{
			name: "a consumer in a stage built FROM this one",
			src:  "FROM node:22-slim AS base\nARG NPM_TOKEN\nRUN npm ci --token=$NPM_TOKEN\nFROM base\nRUN npm publish --token=$NPM_TOKEN\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			df, err := checks.ParseDockerfile("Dockerfile", []byte(tt.src), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []checks.Finding
			checks.SecretArg.Check(checks.NewPass(checks.SecretArg, df, nil, nil, func(f checks.Finding) { got = append(got, f) }))
			if len(got) != 1 {
				t.Fatalf("got %d findings, want 1: %+v", len(got), got)
			}
			if diff := cmp.Diff(tt.want, got[0].Suggestion); diff != "" {
				t.Errorf("suggestion mismatch (-want +got):\n%s", diff)
			}
			line := 0
			if len(got[0].Related) > 0 {
				line = got[0].Related[0].Span.Line
			}
			if line != tt.related {
				t.Errorf("related line = %d, want %d", line, tt.related)
			}
		})
	}
}

// TestSpans checks that findings point at the secret value, or at the
// argument, where it stands on its line.
func TestSpans(t *testing.T) {
	tests := []struct {
		rule *checks.Rule
		src  string
		want checks.Span
	}{
		{checks.SecretEnv, "FROM a\nENV PASSWORD_HINT=x PASS=hunter2x\n", checks.Span{Line: 2, Col: 26, EndLine: 2, EndCol: 34}},
		{checks.SecretEnv, "FROM a\nENV DB_PASSWORD \"Super Secret\"\n", checks.Span{Line: 2, Col: 18, EndLine: 2, EndCol: 30}},
		{checks.SecretEnv, "FROM a\nENV A=1 \\\n    API_TOKEN=tok-value-1\n", checks.Span{Line: 3, Col: 15, EndLine: 3, EndCol: 26}},
		{checks.SecretArg, "FROM a\nARG FOO=$GITHUB_TOKEN GITHUB_TOKEN\n", checks.Span{Line: 2, Col: 23, EndLine: 2, EndCol: 35}},
		{checks.ArgPersisted, "FROM a\nARG NPM_TOKEN\nENV A=1 NPM_TOKEN=${NPM_TOKEN}\n", checks.Span{Line: 3, Col: 19, EndLine: 3, EndCol: 31}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			df, err := checks.ParseDockerfile("Dockerfile", []byte(tt.src), nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []checks.Span
			tt.rule.Check(checks.NewPass(tt.rule, df, nil, nil, func(f checks.Finding) { got = append(got, f.Span) }))
			if diff := cmp.Diff([]checks.Span{tt.want}, got); diff != "" {
				t.Errorf("spans mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
