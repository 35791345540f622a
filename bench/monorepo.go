package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// MonorepoOptions shape a generated monorepo.
type MonorepoOptions struct {
	Services int    // number of service folders, each with one Dockerfile
	Seed     uint64 // the same seed writes the same bytes
	// Distinct, when above zero, is how many variants of ignore files and
	// Dockerfiles the services fall into (service i in variant i%Distinct):
	// each variant adds lines of its own to the ignore files and names the
	// Dockerfiles' credential arguments its own way. Zero writes the default
	// tree, whose 8,406 ignore files (10,000 services, seed 1) share 16
	// distinct contents, which flatters every memo keyed by content.
	Distinct int
}

// MonorepoStats counts what WriteMonorepo wrote.
type MonorepoStats struct {
	Services    int
	Dockerfiles int
	IgnoreFiles int
	Files       int   // every file, filler included
	Bytes       int64 // every file's size
	Leaks       int   // services given a deliberate leak
}

// WriteMonorepo writes a monorepo of opts.Services services under dir:
// services/<team>/<service>/ with a multi-stage Dockerfile (Go, Node, Python
// or Java), usually a .dockerignore (most good, some with gaps, some
// missing), a few filler sources and sometimes a .env. The shapes follow
// what real repositories do: cache and secret mounts, build-arg tokens that
// stay in builder stages, continuations, heredocs, and a few deliberate leaks
// so that rules have something to find. Each service draws from its own
// generator seeded by (Seed, index), so the output does not depend on
// anything but the options.
func WriteMonorepo(dir string, opts MonorepoOptions) (MonorepoStats, error) {
	st := MonorepoStats{Services: opts.Services}
	w := &writer{root: dir, st: &st}
	w.file("README.md", "# Monorepo\n\nGenerated for Stowaway's benchmarks.\n")
	w.file(".gitignore", ".env\n*.log\nnode_modules/\n")
	for i := range opts.Services {
		r := rand.New(rand.NewPCG(opts.Seed, uint64(i)))
		svc := newService(r, i)
		if opts.Distinct > 0 {
			svc.variant = 1 + i%opts.Distinct
		}
		for _, f := range svc.files() {
			w.file(filepath.Join(svc.dir, f.name), f.body)
			switch {
			case f.name == "Dockerfile" || strings.HasPrefix(f.name, "Dockerfile."):
				st.Dockerfiles++
			case strings.HasSuffix(f.name, ".dockerignore"):
				st.IgnoreFiles++
			}
		}
		if svc.leak != noLeak {
			st.Leaks++
		}
	}
	return st, w.err
}

type writer struct {
	root string
	st   *MonorepoStats
	err  error
	dirs map[string]bool
}

// file writes one file, creating its folder once; the first error sticks.
func (w *writer) file(rel, body string) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.root, rel)
	d := filepath.Dir(p)
	if !w.dirs[d] {
		if err := os.MkdirAll(d, 0o755); err != nil {
			w.err = err
			return
		}
		if w.dirs == nil {
			w.dirs = map[string]bool{}
		}
		w.dirs[d] = true
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		w.err = err
		return
	}
	w.st.Files++
	w.st.Bytes += int64(len(body))
}

type lang int

const (
	golang lang = iota
	node
	python
	java
)

type leak int

const (
	noLeak           leak = iota
	leakEnvAWS            // ENV with a literal AWS secret key in the final stage
	leakArgRun            // a token build arg consumed by a RUN of the final stage
	leakCopyEnv           // COPY . . with a .env and no ignore file
	leakNpmrc             // an npm token written into ~/.npmrc in the final stage
	leakEnvLiteral        // ENV DATABASE_PASSWORD "literal"
	leakHeredocToken      // a GitHub token in a heredoc of the final stage
	leakCount
)

type ignoreKind int

const (
	ignoreGood ignoreKind = iota
	ignoreGap             // forgets .env or .git
	ignoreNone
)

type service struct {
	r      *rand.Rand
	index  int
	name   string
	dir    string
	lang   lang
	ignore ignoreKind
	dotenv bool
	leak   leak
	// secretMount uses RUN --mount=type=secret for registry credentials;
	// otherwise some builders take a token ARG that never reaches the
	// final stage.
	secretMount bool
	builderArg  bool
	syntax      bool // a # syntax= line
	lower       bool // lower-case instructions, as some people write them
	heredoc     bool
	devfile     bool // also a Dockerfile.dev
	// variant is the service's variant (MonorepoOptions.Distinct); 0:
	// none, the default tree.
	variant int
}

var (
	teams = []string{"payments", "identity", "search", "catalog", "checkout", "growth", "infra", "data",
		"ml", "notifications", "billing", "risk", "ads", "maps", "media", "support"}
	words = []string{"api", "worker", "gateway", "indexer", "sync", "export", "import", "scheduler",
		"ledger", "auth", "profile", "feed", "render", "router", "cache", "audit", "report", "relay"}
)

func newService(r *rand.Rand, i int) *service {
	s := &service{r: r, index: i}
	team := teams[i%len(teams)]
	s.name = fmt.Sprintf("%s-%s-%04d", words[r.IntN(len(words))], words[r.IntN(len(words))], i)
	s.dir = filepath.Join("services", team, s.name)
	s.lang = lang(r.IntN(4))
	switch p := r.IntN(100); {
	case p < 62:
		s.ignore = ignoreGood
	case p < 85:
		s.ignore = ignoreGap
	default:
		s.ignore = ignoreNone
	}
	s.dotenv = r.IntN(100) < 20
	if r.IntN(100) < 3 {
		s.leak = leak(1 + r.IntN(int(leakCount)-1))
	}
	s.secretMount = r.IntN(100) < 35
	s.builderArg = !s.secretMount && r.IntN(100) < 30
	s.syntax = r.IntN(100) < 55
	s.lower = r.IntN(100) < 3
	s.heredoc = r.IntN(100) < 10
	s.devfile = r.IntN(100) < 5
	if s.leak == leakCopyEnv {
		s.ignore, s.dotenv = ignoreNone, true
	}
	return s
}

type genFile struct{ name, body string }

func (s *service) files() []genFile {
	fs := []genFile{{"Dockerfile", s.dockerfile()}}
	if s.devfile {
		fs = append(fs, genFile{"Dockerfile.dev", s.devDockerfile()})
	}
	if ig := s.ignoreFile(); ig != "" {
		fs = append(fs, genFile{".dockerignore", ig})
	}
	if s.dotenv {
		fs = append(fs, genFile{".env", s.envFile()})
	}
	if s.r.IntN(100) < 30 {
		fs = append(fs, genFile{"README.md", fmt.Sprintf("# %s\n\nOwned by the %s team. Build with `docker build .`.\n", s.name, strings.Split(s.dir, string(filepath.Separator))[1])})
	}
	return append(fs, s.sources()...)
}

// token returns a fake credential of a real shape: prefix plus n characters
// of alphabet. Prefixes are split in the source so that secret scanners
// reading this file see no token.
func (s *service) token(prefix, alphabet string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for range n {
		b.WriteByte(alphabet[s.r.IntN(len(alphabet))])
	}
	return b.String()
}

const (
	base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	hexLow = "0123456789abcdef"
	b64    = base62 + "+/"
)

func (s *service) githubToken() string { return s.token("gh"+"p_", base62, 36) }
func (s *service) npmToken() string    { return s.token("np"+"m_", base62, 36) }

// arg names a build argument the service's variant's way: teams prefix
// their credentials (PAYMENTS_7_NPM_TOKEN), so the names in a varied
// monorepo recur only within a variant.
func (s *service) arg(name string) string {
	if s.variant == 0 {
		return name
	}
	return fmt.Sprintf("V%d_%s", s.variant, name)
}

// kw spells an instruction keyword in the service's case.
func (s *service) kw(k string) string {
	if s.lower {
		return strings.ToLower(k)
	}
	return k
}

func (s *service) dockerfile() string {
	var b strings.Builder
	if s.syntax {
		b.WriteString("# syntax=docker/dockerfile:1.7\n")
	}
	fmt.Fprintf(&b, "# %s: built by CI on every merge to main.\n", s.name)
	if s.r.IntN(2) == 0 {
		fmt.Fprintf(&b, "%s BASE_REGISTRY=registry.internal.example.com\n", s.kw("ARG"))
	}
	switch s.lang {
	case golang:
		s.goStages(&b)
	case node:
		s.nodeStages(&b)
	case python:
		s.pythonStages(&b)
	case java:
		s.javaStages(&b)
	}
	return b.String()
}

func (s *service) line(b *strings.Builder, k, rest string) {
	b.WriteString(s.kw(k))
	b.WriteByte(' ')
	b.WriteString(rest)
	b.WriteByte('\n')
}

// aptInstall writes a typical continuation-heavy package install.
func (s *service) aptInstall(b *strings.Builder, pkgs ...string) {
	b.WriteString(s.kw("RUN") + " apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n")
	for _, p := range pkgs {
		fmt.Fprintf(b, "        %s \\\n", p)
	}
	b.WriteString("    && rm -rf /var/lib/apt/lists/*\n")
}

func (s *service) finalLeak(b *strings.Builder) {
	switch s.leak {
	case leakEnvAWS:
		s.line(b, "ENV", "AWS_ACCESS_KEY_ID="+s.token("AK"+"IA", base32, 16)+" \\\n    AWS_SECRET_ACCESS_KEY="+s.token("", b64, 40))
	case leakArgRun:
		s.line(b, "ARG", s.arg("GITHUB_TOKEN"))
		s.line(b, "RUN", `git config --global url."https://${`+s.arg("GITHUB_TOKEN")+`}@github.com/".insteadOf "https://github.com/" \`+"\n    && ./scripts/fetch-private-assets.sh")
	case leakNpmrc:
		s.line(b, "RUN", `echo "//registry.npmjs.org/:_authToken=`+s.npmToken()+`" > /root/.npmrc \`+"\n    && npm install -g @internal/cli")
	case leakEnvLiteral:
		s.line(b, "ENV", `DATABASE_PASSWORD "`+s.token("", base62, 14)+`"`)
	case leakHeredocToken:
		s.line(b, "COPY", "<<EOF /etc/app/credentials\n[default]\ngithub_token = "+s.githubToken()+"\nEOF")
	}
}

// runMount returns the mount flags of a build step that needs registry
// credentials: a secret mount, or nothing when the service uses a build arg.
func (s *service) runMount(id, target string) string {
	if !s.secretMount {
		return ""
	}
	return fmt.Sprintf("--mount=type=secret,id=%s,target=%s ", id, target)
}

func (s *service) goStages(b *strings.Builder) {
	ver := []string{"1.22", "1.23", "1.24", "1.25"}[s.r.IntN(4)]
	s.line(b, "ARG", "GO_VERSION="+ver)
	s.line(b, "FROM", "golang:${GO_VERSION}-bookworm AS build")
	if s.builderArg {
		b.WriteString("# Private modules: the token stays in this stage.\n")
		s.line(b, "ARG", s.arg("GITHUB_TOKEN"))
		s.line(b, "ENV", "GOPRIVATE=github.com/acme-corp/*")
		s.line(b, "RUN", `git config --global url."https://x-access-token:${`+s.arg("GITHUB_TOKEN")+`}@github.com/".insteadOf "https://github.com/"`)
	}
	s.line(b, "WORKDIR", "/src")
	s.line(b, "COPY", "go.mod go.sum ./")
	s.line(b, "RUN", "--mount=type=cache,target=/go/pkg/mod "+s.runMount("netrc", "/root/.netrc")+"go mod download")
	s.line(b, "COPY", ". .")
	s.line(b, "RUN", "--mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags=\"-s -w\" -o /out/"+s.name+" ./cmd/"+s.name)
	if s.r.IntN(3) == 0 {
		s.line(b, "FROM", "build AS test")
		s.line(b, "RUN", "go test ./...")
	}
	if s.r.IntN(2) == 0 {
		s.line(b, "FROM", "gcr.io/distroless/static-debian12:nonroot")
	} else {
		s.line(b, "FROM", "alpine:3.20")
		s.line(b, "RUN", "apk add --no-cache ca-certificates tzdata && adduser -D -u 10001 app")
		s.line(b, "USER", "app")
	}
	s.line(b, "LABEL", `org.opencontainers.image.source="https://github.com/acme-corp/monorepo" \`+"\n      org.opencontainers.image.title=\""+s.name+"\"")
	s.line(b, "COPY", "--from=build /out/"+s.name+" /usr/local/bin/"+s.name)
	s.finalLeak(b)
	s.line(b, "EXPOSE", fmt.Sprint(8000+s.index%1000))
	s.line(b, "ENTRYPOINT", `["/usr/local/bin/`+s.name+`"]`)
}

func (s *service) nodeStages(b *strings.Builder) {
	ver := []string{"18", "20", "22"}[s.r.IntN(3)]
	s.line(b, "ARG", "NODE_VERSION="+ver)
	s.line(b, "FROM", "node:${NODE_VERSION}-bookworm-slim AS deps")
	s.line(b, "WORKDIR", "/app")
	s.line(b, "COPY", "package.json package-lock.json ./")
	switch {
	case s.secretMount:
		s.line(b, "RUN", "--mount=type=secret,id=npmrc,target=/root/.npmrc \\\n    --mount=type=cache,target=/root/.npm \\\n    npm ci --omit=dev")
	case s.builderArg:
		s.line(b, "ARG", s.arg("NPM_TOKEN"))
		s.line(b, "RUN", `echo "//registry.npmjs.org/:_authToken=${`+s.arg("NPM_TOKEN")+`}" > .npmrc \`+"\n    && npm ci --omit=dev \\\n    && rm -f .npmrc")
	default:
		s.line(b, "RUN", "npm ci --omit=dev")
	}
	s.line(b, "FROM", "deps AS build")
	s.line(b, "COPY", ". .")
	if s.heredoc {
		s.line(b, "RUN", "<<EOF\nset -eux\nnpm run lint\nnpm run build\nnpm prune --omit=dev\nEOF")
	} else {
		s.line(b, "RUN", "npm run build && npm prune --omit=dev")
	}
	s.line(b, "FROM", "node:${NODE_VERSION}-bookworm-slim")
	s.line(b, "ENV", "NODE_ENV=production PORT="+fmt.Sprint(3000+s.index%1000))
	if s.r.IntN(4) == 0 {
		s.line(b, "ENV", "AUTH_ENABLED=true TOKEN_URL=https://auth.example.com/oauth/token")
	}
	s.line(b, "WORKDIR", "/app")
	s.line(b, "COPY", "--from=deps --chown=node:node /app/node_modules ./node_modules")
	s.line(b, "COPY", "--from=build --chown=node:node /app/dist ./dist")
	s.line(b, "COPY", "--chown=node:node package.json ./")
	s.finalLeak(b)
	s.line(b, "USER", "node")
	s.line(b, "HEALTHCHECK", "--interval=30s --timeout=3s CMD node dist/healthcheck.js || exit 1")
	s.line(b, "CMD", `["node", "dist/index.js"]`)
}

func (s *service) pythonStages(b *strings.Builder) {
	ver := []string{"3.10", "3.11", "3.12", "3.13"}[s.r.IntN(4)]
	s.line(b, "FROM", "python:"+ver+"-slim AS build")
	// GPG_KEY is a public key fingerprint, as in the official image.
	s.line(b, "ENV", "GPG_KEY="+s.token("", strings.ToUpper(hexLow), 40)+" \\\n    PIP_NO_CACHE_DIR=1")
	s.aptInstall(b, "build-essential", "libpq-dev", "git")
	s.line(b, "WORKDIR", "/build")
	s.line(b, "COPY", "requirements.txt .")
	switch {
	case s.secretMount:
		s.line(b, "RUN", "--mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL \\\n    pip wheel --wheel-dir /wheels -r requirements.txt")
	case s.builderArg:
		s.line(b, "ARG", s.arg("PIP_EXTRA_INDEX_URL"))
		s.line(b, "RUN", "pip wheel --wheel-dir /wheels -r requirements.txt")
	default:
		s.line(b, "RUN", "pip wheel --wheel-dir /wheels -r requirements.txt")
	}
	s.line(b, "FROM", "python:"+ver+"-slim")
	s.line(b, "ARG", s.arg("PASSWORD_FILE")+"=/run/secrets/db_password")
	s.line(b, "ENV", "PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1 \\\n    DB_PASSWORD_FILE=${"+s.arg("PASSWORD_FILE")+"}")
	s.line(b, "RUN", "useradd --create-home --uid 10001 app")
	s.line(b, "WORKDIR", "/home/app")
	s.line(b, "COPY", "--from=build /wheels /wheels")
	s.line(b, "RUN", "pip install --no-cache-dir /wheels/* && rm -rf /wheels")
	if s.ignore == ignoreGood || s.r.IntN(2) == 0 {
		s.line(b, "COPY", "--chown=app:app . .")
	} else {
		s.line(b, "COPY", "--chown=app:app app.py ./")
	}
	s.finalLeak(b)
	s.line(b, "USER", "app")
	s.line(b, "CMD", `["gunicorn", "--bind", "0.0.0.0:8080", "app:app"]`)
}

func (s *service) javaStages(b *strings.Builder) {
	jdk := []string{"17", "21"}[s.r.IntN(2)]
	s.line(b, "FROM", "maven:3.9-eclipse-temurin-"+jdk+" AS build")
	s.line(b, "WORKDIR", "/workspace")
	s.line(b, "COPY", "pom.xml .")
	switch {
	case s.secretMount:
		s.line(b, "RUN", "--mount=type=secret,id=maven_settings,target=/root/.m2/settings.xml \\\n    --mount=type=cache,target=/root/.m2/repository \\\n    mvn -B -q dependency:go-offline")
	case s.builderArg:
		s.line(b, "ARG", s.arg("MAVEN_REPO_PASSWORD"))
		s.line(b, "ARG", s.arg("MAVEN_REPO_USER")+"=ci")
		s.line(b, "RUN", "mvn -B -q -s /usr/share/maven/ref/settings-docker.xml \\\n    -Drepo.user=${"+s.arg("MAVEN_REPO_USER")+"} -Drepo.password=${"+s.arg("MAVEN_REPO_PASSWORD")+"} \\\n    dependency:go-offline")
	default:
		s.line(b, "RUN", "--mount=type=cache,target=/root/.m2/repository mvn -B -q dependency:go-offline")
	}
	s.line(b, "COPY", "src ./src")
	s.line(b, "RUN", "--mount=type=cache,target=/root/.m2/repository mvn -B -q package -DskipTests \\\n    && cp target/*.jar /workspace/app.jar")
	if s.r.IntN(4) == 0 {
		s.line(b, "FROM", "eclipse-temurin:"+jdk+"-jre AS layers")
		s.line(b, "COPY", "--from=build /workspace/app.jar /app.jar")
		s.line(b, "RUN", "java -Djarmode=layertools -jar /app.jar extract --destination /layers")
	}
	s.line(b, "FROM", "eclipse-temurin:"+jdk+"-jre")
	s.line(b, "RUN", "groupadd --system app && useradd --system --gid app app")
	s.line(b, "WORKDIR", "/opt/app")
	s.line(b, "COPY", "--from=build /workspace/app.jar app.jar")
	s.finalLeak(b)
	s.line(b, "ENV", `JAVA_OPTS="-XX:MaxRAMPercentage=75"`)
	s.line(b, "USER", "app")
	s.line(b, "EXPOSE", "8080")
	s.line(b, "ENTRYPOINT", `["sh", "-c", "exec java $JAVA_OPTS -jar app.jar"]`)
}

func (s *service) devDockerfile() string {
	var b strings.Builder
	switch s.lang {
	case golang:
		s.line(&b, "FROM", "golang:1.25")
		s.line(&b, "RUN", "go install github.com/air-verse/air@latest")
	case node:
		s.line(&b, "FROM", "node:22")
	case python:
		s.line(&b, "FROM", "python:3.13")
	case java:
		s.line(&b, "FROM", "maven:3.9-eclipse-temurin-21")
	}
	s.line(&b, "WORKDIR", "/app")
	s.line(&b, "COPY", ". .")
	s.line(&b, "CMD", `["make", "dev"]`)
	return b.String()
}

func (s *service) ignoreFile() string {
	if s.ignore == ignoreNone {
		return ""
	}
	if s.ignore == ignoreGood && s.r.IntN(3) == 0 {
		// Allow-list style: exclude everything, re-include what the build
		// reads.
		keep := map[lang][]string{
			golang: {"go.mod", "go.sum", "cmd/", "internal/"},
			node:   {"package.json", "package-lock.json", "src/", "tsconfig.json"},
			python: {"requirements.txt", "app.py", "app/"},
			java:   {"pom.xml", "src/"},
		}[s.lang]
		var b strings.Builder
		b.WriteString("# Send only what the build needs.\n*\n")
		for _, k := range keep {
			fmt.Fprintf(&b, "!%s\n", k)
		}
		if s.variant > 0 {
			fmt.Fprintf(&b, "!config/v%d/\n!docs/v%d/*.md\n", s.variant, s.variant)
		}
		return b.String()
	}
	lines := []string{"# Keep the build context small and free of secrets.", ".git", ".gitignore", "Dockerfile*", ".dockerignore", "**/*.log", "README.md"}
	switch s.lang {
	case node:
		lines = append(lines, "node_modules", "dist", "coverage", ".npmrc")
	case python:
		lines = append(lines, "__pycache__", "**/*.pyc", ".venv", ".pytest_cache")
	case java:
		lines = append(lines, "target", "*.iml", ".idea")
	case golang:
		lines = append(lines, "bin", "*.test", "coverage.out")
	}
	if s.ignore == ignoreGood {
		lines = append(lines, "**/.env", "**/.env.*", "!**/.env.example", "**/*.pem", "**/*.key", "**/.npmrc", ".aws", ".ssh")
	} else if s.r.IntN(2) == 0 {
		// A gap: .env is kept out but .git is not.
		lines = append(slices.Delete(lines, 1, 2), ".env")
	}
	if s.variant > 0 {
		// What a team adds for its own tools: a cache folder, a scratch
		// file pattern and a fixture it needs back.
		lines = append(lines, fmt.Sprintf("tmp/v%d/", s.variant), fmt.Sprintf("**/*.v%d.bak", s.variant), fmt.Sprintf("!testdata/v%d/*.golden", s.variant))
	}
	return strings.Join(lines, "\n") + "\n"
}

func (s *service) envFile() string {
	return fmt.Sprintf("PORT=%d\nLOG_LEVEL=debug\nDATABASE_URL=postgres://app:%s@localhost:5432/%s\nSTRIPE_API_KEY=%s\n",
		8000+s.index%1000, s.token("", base62, 16), strings.ReplaceAll(s.name, "-", "_"), s.token("sk_"+"test_", base62, 24))
}

func (s *service) sources() []genFile {
	switch s.lang {
	case golang:
		return []genFile{
			{"go.mod", fmt.Sprintf("module github.com/acme-corp/monorepo/services/%s\n\ngo 1.25\n\nrequire github.com/acme-corp/platform v1.%d.0\n", s.name, s.r.IntN(40))},
			{filepath.Join("cmd", s.name, "main.go"), fmt.Sprintf("package main\n\nimport (\n\t\"log\"\n\t\"net/http\"\n\t\"os\"\n)\n\nfunc main() {\n\taddr := \":\" + os.Getenv(\"PORT\")\n\thttp.HandleFunc(\"/healthz\", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(\"ok\")) })\n\tlog.Printf(\"%s listening on %%s\", addr)\n\tlog.Fatal(http.ListenAndServe(addr, nil))\n}\n", s.name)},
		}
	case node:
		return []genFile{
			{"package.json", fmt.Sprintf("{\n  \"name\": \"@acme/%s\",\n  \"version\": \"1.%d.0\",\n  \"private\": true,\n  \"scripts\": {\"build\": \"tsc -p .\", \"lint\": \"eslint src\"},\n  \"dependencies\": {\"express\": \"^4.19.2\", \"pino\": \"^9.0.0\"}\n}\n", s.name, s.r.IntN(40))},
			{filepath.Join("src", "index.ts"), "import express from \"express\";\n\nconst app = express();\napp.get(\"/healthz\", (_req, res) => res.send(\"ok\"));\napp.listen(Number(process.env.PORT ?? 3000));\n"},
		}
	case python:
		return []genFile{
			{"requirements.txt", "flask==3.0.3\ngunicorn==22.0.0\npsycopg[binary]==3.2.1\n"},
			{"app.py", "import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get(\"/healthz\")\ndef healthz():\n    return \"ok\"\n\n\nDB_PASSWORD = open(os.environ[\"DB_PASSWORD_FILE\"]).read().strip()\n"},
		}
	default:
		return []genFile{
			{"pom.xml", fmt.Sprintf("<project>\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.acme</groupId>\n  <artifactId>%s</artifactId>\n  <version>1.%d.0</version>\n  <packaging>jar</packaging>\n</project>\n", s.name, s.r.IntN(40))},
			{filepath.Join("src", "main", "java", "com", "acme", "App.java"), "package com.acme;\n\npublic final class App {\n    public static void main(String[] args) {\n        System.out.println(\"ok\");\n    }\n}\n"},
		}
	}
}
