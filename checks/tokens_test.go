package checks

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Fake tokens: real shapes, obviously fake values.
const (
	fakeGitHubPAT = "ghp_FAKEfakeFAKEfake0123456789abcdefABCD"
	fakeHerokuKey = "0f1e2d3c-4b5a-6978-8a9b-acbdcedfe0f1"
	fakeNPMToken  = "npm_FAKEfakeFAKEfake0123456789abcdefABCD"
	fakeGitLabPAT = "glpat-FAKEfakeTEST1234abcd"
	fakeAWSKeyID  = "AKIAZ7FAKEK3YTESTQ7W"
	fakeJWT       = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmYWtlLXVzZXIifQ.FAKEsignatureFAKEsignature0123"
	fakeSSHKey    = "-----BEGIN OPENSSH PRIVATE KEY-----\n" +
		"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n" +
		"QyNTUxOQAAACBGQUtFRkFLRUZBS0VGQUtFRkFLRUZBS0VGQUtFRkFLRQAAAJhGQUtFRkFL\n" +
		"-----END OPENSSH PRIVATE KEY-----"
)

// at returns the token of the given rule whose secret is the nth occurrence
// of secret in text; every format these tests plant carries its mark
// (Prefixed), but for those built with unmarked.
func at(rule, kind, text, secret string, nth int) Token {
	off := -1
	for i := 0; i <= nth; i++ {
		j := strings.Index(text[off+1:], secret)
		if j < 0 {
			panic(fmt.Sprintf("%q has no occurrence %d of %q", text, nth, secret))
		}
		off += 1 + j
	}
	return Token{RuleID: rule, Description: kind, Secret: secret, Start: off, End: off + len(secret), Prefixed: true}
}

// unmarked is a token whose format is known only from the vendor's name
// next to it.
func unmarked(t Token) Token {
	t.Prefixed = false
	return t
}

var findTokensTests = []struct {
	name string
	text string
	want func(text string) []Token
}{{
	name: "GitHub PAT in a header",
	text: `git -c http.extraHeader="Authorization: token ` + fakeGitHubPAT + `" clone https://github.com/acme/app.git`,
	want: func(s string) []Token {
		return []Token{at("github-pat", "GitHub Personal Access Token", s, fakeGitHubPAT, 0)}
	},
}, {
	name: "same token twice on a line",
	text: "echo " + fakeGitLabPAT + " " + fakeGitLabPAT,
	want: func(s string) []Token {
		return []Token{
			at("gitlab-pat", "GitLab Personal Access Token", s, fakeGitLabPAT, 0),
			at("gitlab-pat", "GitLab Personal Access Token", s, fakeGitLabPAT, 1),
		}
	},
}, {
	name: "same token on two lines after multi-byte text",
	text: "echo héllo \\\n && export NPM_TOKEN=" + fakeNPMToken + " \\\n && echo \"//registry.npmjs.org/:_authToken=" + fakeNPMToken + "\"",
	want: func(s string) []Token {
		return []Token{
			at("npm-access-token", "npm access token", s, fakeNPMToken, 0),
			at("npm-access-token", "npm access token", s, fakeNPMToken, 1),
		}
	},
}, {
	name: "several kinds",
	text: "aws configure set aws_access_key_id " + fakeAWSKeyID + "\ncurl -H \"Authorization: Bearer " + fakeJWT + "\" https://api.example.com",
	want: func(s string) []Token {
		return []Token{
			at("aws-access-token", "AWS access key ID", s, fakeAWSKeyID, 0),
			at("jwt", "JSON Web Token", s, fakeJWT, 0),
		}
	},
}, {
	name: "private key across lines",
	text: "cat > /root/.ssh/id_ed25519 <<EOF\n" + fakeSSHKey + "\nEOF",
	want: func(s string) []Token {
		return []Token{at("private-key", "private key", s, fakeSSHKey, 0)}
	},
}, {
	// Heroku's keys are UUIDs, known only by the vendor's name before them:
	// no mark of their own.
	name: "token known by its context",
	text: "export HEROKU_API_KEY=" + fakeHerokuKey,
	want: func(s string) []Token {
		return []Token{unmarked(at("heroku-api-key", "Heroku API Key", s, fakeHerokuKey, 0))}
	},
}, {
	// gitleaks allows the AWS documentation's example keys: not secrets.
	name: "AWS documentation example",
	text: "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE",
}, {
	// generic-api-key is excluded: names.go and hardcoded-secret decide
	// secret-named assignments.
	name: "generic assignment",
	text: "echo password=Zq8vLm4xT1rwK9pB api_key=Hx9vQ2mLz7RtWq3xLp8v",
}, {
	name: "curl header without a known format",
	text: `curl -H "Authorization: Bearer 8f3kQ9zLx2Vb7Nw4Rt6Yp1Mc" https://api.example.com`,
}, {
	name: "no keyword",
	text: "apt-get update && apt-get install -y --no-install-recommends ca-certificates curl",
}, {
	name: "empty",
}}

func TestFindTokens(t *testing.T) {
	for _, tt := range findTokensTests {
		t.Run(tt.name, func(t *testing.T) {
			var want []Token
			if tt.want != nil {
				want = tt.want(tt.text)
			}
			if diff := cmp.Diff(want, FindTokens(tt.text)); diff != "" {
				t.Errorf("FindTokens(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

// TestFindTokensPrefilter checks that the keyword prefilter drops no token
// that the rules' regexps alone find (TestTokenMatchesGitleaks compares
// both with gitleaks' detector).
func TestFindTokensPrefilter(t *testing.T) {
	plain := newTokenScanner(gitleaksTOML, false)
	for _, tt := range findTokensTests {
		for _, text := range []string{tt.text, strings.ToUpper(tt.text)} {
			if diff := cmp.Diff(plain.find(text), FindTokens(text)); diff != "" {
				t.Errorf("%s: prefiltered FindTokens differs (-unfiltered +prefiltered):\n%s", tt.name, diff)
			}
		}
	}
}

// TestFindTokensConcurrent shares the rules between goroutines; run with
// -race, it shows that compiling a rule's regexp on first use is safe.
func TestFindTokensConcurrent(t *testing.T) {
	want := map[string][]Token{}
	for _, tt := range findTokensTests {
		want[tt.text] = FindTokens(tt.text)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				for _, tt := range findTokensTests {
					if got := FindTokens(tt.text); !cmp.Equal(want[tt.text], got) {
						t.Errorf("%s: concurrent FindTokens = %v, want %v", tt.name, got, want[tt.text])
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestTokenRules keeps the exclusion list in step with gitleaks: every
// excluded rule exists upstream and is not loaded, every other rule is
// loaded unless it is scoped to a path, and every loaded rule has keywords,
// so the prefilter is on.
func TestTokenRules(t *testing.T) {
	set, err := loadTokenRules(gitleaksTOML)
	if err != nil {
		t.Fatal(err)
	}
	s := tokenFinder()
	for id := range excludedTokenRules {
		if _, ok := set.rules[id]; !ok {
			t.Errorf("excluded rule %s is not a gitleaks default rule", id)
		}
		if _, ok := s.rules[id]; ok {
			t.Errorf("excluded rule %s is loaded", id)
		}
	}
	for id, r := range set.rules {
		_, excluded := excludedTokenRules[id]
		if loaded := s.rules[id] != nil; loaded == (excluded || r.pathScoped) {
			t.Errorf("rule %s: loaded %v, excluded %v, scoped to a path %v", id, loaded, excluded, r.pathScoped)
		}
		if strings.Contains(id, "generic") && !excluded {
			// gitleaks drops a generic rule's finding where another rule
			// finds a secret holding it; FindTokens drops overlaps.
			t.Errorf("rule %s: generic rules are not matched as gitleaks does", id)
		}
	}
	for id, r := range s.rules {
		if len(r.keywords) == 0 {
			t.Errorf("rule %s has no keywords: every text goes to it", id)
		}
	}
	if len(s.rules) < 150 {
		t.Errorf("only %d gitleaks rules loaded", len(s.rules))
	}
}

func TestTokenKinds(t *testing.T) {
	s := tokenFinder()
	var ids []string
	for id := range s.rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		k := s.rules[id].kind
		if k == "" || len(k) > 60 || strings.HasSuffix(k, ".") || strings.Contains(k, " is ") ||
			strings.HasPrefix(k, "pattern") || strings.Contains(k, ",") {
			t.Errorf("rule %s: malformed token kind %q", id, k)
		}
	}
	for id, want := range map[string]string{
		"github-pat":       "GitHub Personal Access Token",
		"aws-access-token": "AWS access key ID",
		"private-key":      "private key",
		"npm-access-token": "npm access token",
	} {
		if got := s.rules[id].kind; got != want {
			t.Errorf("kind of %s = %q, want %q", id, got, want)
		}
	}
}

func TestDropOverlaps(t *testing.T) {
	got := dropOverlaps([]Token{
		{RuleID: "b", Start: 10, End: 30},
		{RuleID: "a", Start: 0, End: 5},
		{RuleID: "c", Start: 12, End: 20},
		{RuleID: "a", Start: 10, End: 30},
	})
	want := []Token{{RuleID: "a", Start: 0, End: 5}, {RuleID: "a", Start: 10, End: 30}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dropOverlaps (-want +got):\n%s", diff)
	}
}

// benchTexts are instruction texts in the proportions of real Dockerfiles:
// most hold no keyword of any gitleaks rule.
var benchTexts = []string{
	"RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git && rm -rf /var/lib/apt/lists/*",
	"COPY --from=build /out/app /usr/local/bin/app",
	"ENV PATH=/usr/local/go/bin:$PATH GOLANG_VERSION=1.26.0",
	"RUN set -eux; curl -fsSL https://example.com/app.tar.gz -o app.tar.gz; echo \"3f2a9c1e7b4d8f0a  app.tar.gz\" | sha256sum -c -",
	"WORKDIR /app",
	"RUN gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys B42F6819007F00F88E364FD4036A9C25BF357DD4",
	"LABEL org.opencontainers.image.source=https://github.com/acme/app",
	"RUN pip install --no-cache-dir -r requirements.txt",
	"USER 65532:65532",
	`RUN git -c http.extraHeader="Authorization: token ` + fakeGitHubPAT + `" clone https://github.com/acme/app.git`,
}

// BenchmarkFindTokens runs FindTokens, every rule's regexp on every text,
// and gitleaks' own detector over the same rules (which the old FindTokens
// ran, one detector per rule behind the prefilter).
func BenchmarkFindTokens(b *testing.B) {
	plain := newTokenScanner(gitleaksTOML, false)
	ref := gitleaksReference(b)
	for _, v := range []struct {
		name string
		find func(string)
	}{
		{"prefilter", func(s string) { tokenFinder().find(s) }},
		{"regexps-only", func(s string) { plain.find(s) }},
		{"gitleaks-detector", func(s string) { ref.DetectString(s) }},
	} {
		b.Run(v.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				v.find(benchTexts[i%len(benchTexts)])
			}
		})
		b.Run(v.name+"-parallel", func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					v.find(benchTexts[i%len(benchTexts)])
					i++
				}
			})
		})
	}
}

// BenchmarkTokenRulesLoad is the work of the first FindTokens of a
// process: reading the rule file and building the keyword index.
func BenchmarkTokenRulesLoad(b *testing.B) {
	for b.Loop() {
		newTokenScanner(gitleaksTOML, true)
	}
}

// TestKeywordGuards checks that each guard holds wherever the branch of the
// regexp that it stands for matches, so that skipping the regexp when it
// fails loses no token.
func TestKeywordGuards(t *testing.T) {
	short := regexp.MustCompile(`s\.(?i:[a-z0-9]{24})`)
	texts := []string{
		"RUN export VAULT_TOKEN=s.Kx7pQ2mZ9vR4tY8wB3nL6cF1",
		"s.ſx7pQ2mZ9vR4tY8wB3nL6cF1 and s.\u212ax7pQ2mZ9vR4tY8wB3nL6cF",
		"apt-get install ubuntu.s.archive libs.s.so.s.Kx7pQ2mZ9vR4tY8wB3nL6cF1x",
		"s.s.s.Kx7pQ2mZ9vR4tY8wB3nL6c", "s.", "", "xs.12345678901234567890123",
		"s.123456789012345678901234",
	}
	for _, text := range texts {
		if short.MatchString(text) && !hasShortVaultToken(text) {
			t.Errorf("guard fails on %q, which the regexp matches", text)
		}
	}
	if hasShortVaultToken("ubuntu.s.archive s.12345678901234567890123") {
		t.Error("guard holds without a token")
	}
	if toks := FindTokens("RUN vault login s.Kx7pQ2mZ9vR4tY8wB3nL6cF1 && make"); len(toks) != 1 || toks[0].RuleID != "vault-service-token" {
		t.Errorf("vault token not found: %+v", toks)
	}
}
