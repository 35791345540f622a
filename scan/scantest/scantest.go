// Package scantest holds a Result as the engine would return it for a small
// repository, shared by the tests of the output packages. Only tests import
// it.
package scantest

import (
	"crypto/sha256"
	"fmt"
	"unicode/utf16"

	"github.com/stowaway-dev/stowaway/checks"
	"github.com/stowaway-dev/stowaway/scan"
)

func testRule(id, name string, lvl checks.Level, precision, severity, summary, what string, tags ...string) *checks.Rule {
	return &checks.Rule{
		ID: id, Name: name, Level: lvl, Precision: precision, SecuritySeverity: severity,
		Tags: tags, Summary: summary,
		Help: "# " + id + "\n\n" + what + "\n\n## Why it matters\n\nAnyone who can pull the image can read it.\n\n" +
			"## Bad\n\n```dockerfile\nENV API_TOKEN=abc123\n```\n\n## Good\n\n```dockerfile\nRUN --mount=type=secret,id=api_token ./deploy\n```\n",
		Check: func(*checks.Pass) {},
	}
}

// The rules of the fixture; SecretEnv and BroadCopy are used by tests.
var (
	SecretEnv = testRule("secret-env", "SecretEnv", checks.Error, "high", "8.5",
		"Secret value stored in an ENV instruction",
		"An ENV instruction whose value is a literal credential.\nThe value ends up in the image config.", "secrets")
	secretArg = testRule("secret-arg", "SecretArg", checks.Warning, "medium", "6.5",
		"Secret passed as a build argument",
		"An ARG whose name or default looks like a credential.", "secrets")
	argPersisted = testRule("arg-persisted", "ArgPersisted", checks.Error, "high", "8.0",
		"Secret build argument persisted into the image",
		"A secret ARG copied into ENV, a LABEL or a file.", "secrets")
	urlCredentials = testRule("url-credentials", "URLCredentials", checks.Error, "high", "8.0",
		"Credentials embedded in a URL",
		"A URL of the form `scheme://user:password@host` in an instruction.", "secrets")
	BroadCopy = testRule("broad-copy", "BroadCopy", checks.Warning, "medium", "4.0",
		"Whole build context copied into the image",
		"`COPY . .` sends every file of the build context that the ignore file lets through.", "security", "context")
	contextSecretShipped = testRule("context-secret-shipped", "ContextSecretShipped", checks.Error, "high", "9.0",
		"Secret file from the build context shipped in the image",
		"A secret-looking file that exists in the build context and that a COPY would send into the image.", "context")
	dockerignoreGap = testRule("dockerignore-gap", "DockerignoreGap", checks.Warning, "high", "5.0",
		"Ignore file that lets secret files into the build context",
		"An ignore file that does not exclude the standard secret set.", "context")
	dockerignoreMissing = testRule("dockerignore-missing", "DockerignoreMissing", checks.Warning, "very-high", "5.0",
		"Build context copied broadly without a .dockerignore",
		"A context that is copied broadly has no ignore file.", "context")
)

// utf16Col is the 1-based UTF-16 column just after prefix.
func utf16Col(prefix string) int {
	return len(utf16.Encode([]rune(prefix))) + 1
}

// Fixture is a scan of a small repository: several rules, a level override,
// suppressions by pragma and by configuration, problems, related locations
// and non-ASCII text.
func Fixture() *scan.Result {
	const root = "Dockerfile"
	const cafe = "services/café api/Dockerfile"
	// services/café api/Dockerfile, line 3:
	//	ENV GREETING="héllo 👋" GITHUB_TOKEN=<40 characters>
	tokenCol := utf16Col(`ENV GREETING="héllo 👋" GITHUB_TOKEN=`)
	find := func(r *checks.Rule, f scan.Finding, g scan.Region) scan.Finding {
		f.RuleID, f.Region, f.Rule = r.ID, g, r
		return f
	}
	return &scan.Result{
		Rules: []*checks.Rule{SecretEnv, secretArg, argPersisted, urlCredentials, BroadCopy,
			contextSecretShipped, dockerignoreGap, dockerignoreMissing, checks.ParseError},
		Files: []string{".dockerignore", root, "legacy.Dockerfile", cafe, "vendor/huge/Dockerfile"},
		Findings: []scan.Finding{
			// A finding about a whole file has a zero Region.
			find(dockerignoreGap, scan.Finding{
				Path:        ".dockerignore",
				Message:     `.dockerignore does not exclude "**/.env" and "**/*.pem"`,
				Fix:         "Add these lines to .dockerignore: **/.env, **/*.pem",
				Fingerprint: "45c48cce2e2d7fbdea1afc51c7c6ad26",
			}, scan.Region{}),
			find(secretArg, scan.Finding{
				Level: checks.Error, Path: root,
				Message:  `ARG "PIP_INDEX_PASSWORD" has a literal default that is stored in the image history`,
				Evidence: "chan…(17 chars)",
				Fix:      "Remove the default and pass the value with `--secret`, not `--build-arg`.",
				Suggestion: &checks.Suggestion{StartLine: 2, EndLine: 2, Text: "ARG PIP_INDEX_PASSWORD",
					Also: []checks.Edit{{StartLine: 5, EndLine: 5, Text: "RUN --mount=type=secret,id=pip_index_password,env=PIP_INDEX_PASSWORD pip install -r requirements.txt"}}},
				Fingerprint: "5d41402abc4b2a76b9719d911017c592",
			}, scan.Region{StartLine: 2, StartColumn: 24, EndLine: 2, EndColumn: 41}),
			find(argPersisted, scan.Finding{
				Path:    root,
				Message: `ARG "PIP_INDEX_PASSWORD" is copied into ENV "PIP_INDEX_URL", which every container can read`,
				Fix:     "Use the secret inside one RUN with `--mount=type=secret` instead of an ENV.",
				// Related regions made by hand have lines only.
				Related: []scan.Related{{
					Path: root, Region: scan.Region{StartLine: 2, EndLine: 2},
					Message: `ARG "PIP_INDEX_PASSWORD" is declared here`,
				}},
				Fingerprint: "7d793037a0760186574b0282f2f435e7",
			}, scan.Region{StartLine: 3, StartColumn: 1, EndLine: 3, EndColumn: 74}),
			find(BroadCopy, scan.Finding{
				Path:    root,
				Message: `COPY . /app sends the whole build context, and .dockerignore lets "**/.env" and "**/*.pem" through`,
				Fix:     "Add the missing lines to .dockerignore, or copy only what the image needs.",
				Related: []scan.Related{{
					Path: ".dockerignore", Region: scan.Region{StartLine: 1, EndLine: 3},
					Message: "The ignore file of this build context",
				}},
				Fingerprint: "9e107d9d372bb6826bd81d3542a419d6",
			}, scan.Region{StartLine: 4, StartColumn: 1, EndLine: 4, EndColumn: 12}),
			find(contextSecretShipped, scan.Finding{
				Path:     root,
				Message:  `COPY . /app ships "config/prod.env", a secret-looking file of the build context`,
				Evidence: "config/prod.env",
				Fix:      "Add `config/prod.env` to .dockerignore.",
				Related: []scan.Related{{
					Path:    "config/prod.env",
					Message: "The file that would be shipped",
				}},
				Fingerprint: "e4d909c290d0fb1ca068ffaddf22cbd0",
			}, scan.Region{StartLine: 4, StartColumn: 1, EndLine: 4, EndColumn: 12}),
			find(checks.ParseError, scan.Finding{
				Path:        "legacy.Dockerfile",
				Message:     "BuildKit cannot parse this instruction: COPY requires at least two arguments",
				Fix:         "Fix the syntax so that `docker build` accepts the file; until then nothing on this line is checked.",
				Fingerprint: "1f3870be274f6c49b3e31a0c6728957f",
			}, scan.Region{StartLine: 2, StartColumn: 1, EndLine: 2, EndColumn: 5}),
			find(SecretEnv, scan.Finding{
				Path:        cafe,
				Message:     `ENV "GITHUB_TOKEN" stores a credential in the image config`,
				Evidence:    "ghp_…(40 chars)",
				Fix:         "Remove the ENV and mount the token as a build secret where it is used.",
				Fingerprint: "c4ca4238a0b923820dcc509a6f75849b",
			}, scan.Region{StartLine: 3, StartColumn: tokenCol, EndLine: 3, EndColumn: tokenCol + 40}),
			find(urlCredentials, scan.Finding{
				Path:        cafe,
				Message:     `RUN sends credentials in the URL "https://ci:…@mirror.example.internal/setup.sh"`,
				Evidence:    "hunt…(7 chars)",
				Fix:         "Pass the credentials with a secret mount, for example through `curl --netrc-file /run/secrets/netrc`.",
				Fingerprint: "c81e728d9d4c2f636f067f89cc14862c",
				Suppressed: &checks.Suppression{
					Kind: "inSource", Line: 4,
					Reason: "internal mirror, read-only token rotated daily",
				},
			}, scan.Region{StartLine: 5, StartColumn: 16, EndLine: 5, EndColumn: 63}),
			find(urlCredentials, scan.Finding{
				Path:        cafe,
				Message:     `ENV "SENTRY_DSN" holds credentials in the URL "https://publ…(32 chars)@o1.ingest.sentry.example/1"`,
				Evidence:    "publ…(32 chars)",
				Fingerprint: "eccbc87e4b5ce2fe28308fd9f2a7baf3",
				Suppressed: &checks.Suppression{
					Kind:   "external",
					Reason: "Sentry DSN keys are public by design (allow.values in .stowaway.yml)",
				},
			}, scan.Region{StartLine: 6, StartColumn: 16, EndLine: 6, EndColumn: 74}),
		},
		Problems: []scan.Problem{
			{Path: "vendor/huge/Dockerfile", Level: checks.Warning, Message: "File is 3.2 MiB, over the 1 MiB limit: not scanned"},
			{Level: checks.Note, Message: "Stopped walking after 10000 files; pass narrower paths to scan the rest"},
		},
	}
}

// Empty is a clean scan: every rule listed, nothing found.
func Empty() *scan.Result {
	r := Fixture()
	r.Findings = nil
	r.Problems = nil
	return r
}

// EnvFinding is a finding of rule on one line as the engine hands it over:
// redacted, fingerprinted by path and key, an ENV's value in columns 5..30.
// The review tests build their findings with it.
func EnvFinding(rule *checks.Rule, path string, line int, key string) scan.Finding {
	return scan.Finding{
		RuleID:      rule.ID,
		Level:       checks.Error,
		Path:        path,
		Message:     fmt.Sprintf("ENV %q stores a credential in the image config", key),
		Fix:         "Mount the credential as a build secret instead",
		Evidence:    "AKIA…(20 chars)",
		Fingerprint: fmt.Sprintf("%x", sha256.Sum256([]byte(path+"\x00"+key)))[:32],
		Region:      scan.Region{StartLine: line, StartColumn: 5, EndLine: line, EndColumn: 30},
		Rule:        rule,
	}
}
