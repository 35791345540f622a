package checks

import (
	"strings"
	"testing"
)

func TestSecretLikeRanges(t *testing.T) {
	pat := "ghp_" + "q8Xw2Lm5FAKERt9Vy3Np7Kd1Hs6Bf4Gj0CxZ"
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"ENV T=" + pat, []string{pat}},
		{"half ghp_q8Xw2Lm5FAKE\\", []string{"ghp_q8Xw2Lm5FAKE"}},
		{"Rt9Vy3Np7Kd1Hs6Bf4Gj0Cx && npm ci", []string{"Rt9Vy3Np7Kd1Hs6Bf4Gj0Cx"}},
		{"rotated AKIA" + "QX7ZFAKER2LW5NT3 last week", []string{"AKIA" + "QX7ZFAKER2LW5NT3"}},
		// What suggestions and messages hold every day stays.
		{`RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci --token=$NPM_TOKEN`, nil},
		{`RUN echo "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  go.tgz" | sha256sum -c`, nil},
		{`FROM node:22-alpine@sha256:4c7f7b3c5ad8e0f0d36d2b6e6c1f0c8a4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f90`, nil},
		{`RUN curl -fsSL https://github.com/Acme/Tool2024/releases/download/v1.2.3/tool_Linux_x86_64.tar.gz`, nil},
		{"build context services/api is not used; .stowaway.yml: rules: unknown rule \"secret-envv\"", nil},
		{"ghp_…(40 chars)", nil},
	} {
		var got []string
		for _, r := range SecretLikeRanges(tc.text) {
			got = append(got, tc.text[r[0]:r[1]])
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: got %q, want %q", tc.text, got, tc.want)
			}
		}
	}
}

// TestIsWordBreak checks the table against the string it stands for.
func TestIsWordBreak(t *testing.T) {
	for b := 0; b < 256; b++ {
		if want := strings.IndexByte(wordBreaks, byte(b)) >= 0; isWordBreak[b] != want {
			t.Errorf("byte %#x: table says %v, wordBreaks %v", b, isWordBreak[b], want)
		}
	}
}
