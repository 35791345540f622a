package scan

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/patternmatcher"
	"go.yaml.in/yaml/v3"

	"github.com/stowaway-dev/stowaway/checks"
)

// sentFiles walks a context and returns the files and links it sends.
func sentFiles(t *testing.T, fsys fs.FS, dir string, ign *checks.IgnoreFile, lim ContextLimits) ([]string, walkStats, []Problem) {
	t.Helper()
	var got []string
	st, probs := walkContext(fsys, dir, ign, lim, func(s sentEntry) {
		if !s.mode.IsDir() {
			got = append(got, s.rel)
		}
	})
	sort.Strings(got)
	return got, st, probs
}

// fsutilSent is a reference for the files BuildKit sends, written the way
// fsutil's filtered walk is: depth first, each path matched with
// MatchesUsingParentResults on its parent's result, an excluded folder
// entered only when a `!` pattern could match below it. It shares no code
// with walkContext.
func fsutilSent(t *testing.T, fsys fs.FS, patterns []string) []string {
	t.Helper()
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	onlyPrefix := true
	for _, p := range pm.Patterns() {
		s := strings.TrimSuffix(strings.TrimSuffix(p.String(), "/**"), "/*")
		if p.Exclusion() && strings.ContainsAny(s, `*[]?^\`) {
			onlyPrefix = false
		}
	}
	var out []string
	var walk func(dir string, parent patternmatcher.MatchInfo)
	walk = func(dir string, parent patternmatcher.MatchInfo) {
		entries, err := fs.ReadDir(fsys, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			p := path.Join(dir, e.Name())
			if dir == "." {
				p = e.Name()
			}
			m, info, err := pm.MatchesUsingParentResults(p, parent)
			if err != nil {
				t.Fatal(err)
			}
			if m {
				if !e.IsDir() {
					continue
				}
				enter := !onlyPrefix
				for _, q := range pm.Patterns() {
					s := strings.TrimSuffix(strings.TrimSuffix(q.String(), "/**"), "/*")
					if q.Exclusion() && strings.HasPrefix(s+"/", p+"/") {
						enter = true
					}
				}
				if !pm.Exclusions() {
					enter = false
				}
				if enter {
					walk(p, info)
				}
				continue
			}
			if e.IsDir() {
				walk(p, info)
			} else {
				out = append(out, p)
			}
		}
	}
	walk(".", patternmatcher.MatchInfo{})
	sort.Strings(out)
	return out
}

func tree(files ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		m[f] = &fstest.MapFile{Data: []byte("x\n")}
	}
	return m
}

// TestContextFilesSent checks the files a context sends against BuildKit's
// documented .dockerignore behaviour (docs.docker.com/build/concepts/context
// and fsutil's walker) and against an independent fsutil-style walk.
func TestContextFilesSent(t *testing.T) {
	tests := []struct {
		name   string
		ignore string
		files  []string
		want   []string
	}{
		{
			name:   "no ignore file sends everything, .git included",
			files:  []string{".git/config", ".git/HEAD", "node_modules/x/index.js", ".env", "src/a.go"},
			want:   []string{".env", ".git/HEAD", ".git/config", "node_modules/x/index.js", "src/a.go"},
			ignore: "",
		},
		{
			name:   "*/temp* excludes one level down only",
			ignore: "# comment\n*/temp*\n",
			files:  []string{"somedir/temporary.txt", "somedir/temp/x", "temp.txt", "a/b/temp.txt"},
			want:   []string{"a/b/temp.txt", "temp.txt"},
		},
		{
			name:   "*/*/temp* excludes two levels down",
			ignore: "*/*/temp*\n",
			files:  []string{"somedir/subdir/temporary.txt", "somedir/temp.txt", "a/b/c/temp.txt"},
			want:   []string{"a/b/c/temp.txt", "somedir/temp.txt"},
		},
		{
			name:   "temp? matches one character at the root",
			ignore: "temp?\n",
			files:  []string{"tempa", "tempb/x", "temp", "tempab", "sub/tempa"},
			want:   []string{"sub/tempa", "temp", "tempab"},
		},
		{
			name:   "**/*.go at any depth",
			ignore: "**/*.go\n",
			files:  []string{"main.go", "a/b/c.go", "a/b/c.txt", "go.mod"},
			want:   []string{"a/b/c.txt", "go.mod"},
		},
		{
			name:   "!README.md re-includes one file",
			ignore: "*.md\n!README.md\n",
			files:  []string{"README.md", "CHANGELOG.md", "docs/guide.md"},
			want:   []string{"README.md", "docs/guide.md"},
		},
		{
			name:   "the last matching line wins",
			ignore: "*.md\n!README*.md\nREADME-secret.md\n",
			files:  []string{"README.md", "README-secret.md", "README-public.md", "other.md"},
			want:   []string{"README-public.md", "README.md"},
		},
		{
			name:   "a later ! line wins over an earlier exclusion",
			ignore: "*.md\nREADME-secret.md\n!README*.md\n",
			files:  []string{"README.md", "README-secret.md", "other.md"},
			want:   []string{"README-secret.md", "README.md"},
		},
		{
			name:   "leading and trailing slashes are dropped",
			ignore: "/secrets/\n/.env\n",
			files:  []string{"secrets/a.key", ".env", "app/.env", "app/secrets/b"},
			want:   []string{"app/.env", "app/secrets/b"},
		},
		{
			name:   "a folder excluded, then a file inside re-included",
			ignore: "docs\n!docs/README.md\n",
			files:  []string{"docs/README.md", "docs/internal.md", "docs/img/a.png"},
			want:   []string{"docs/README.md"},
		},
		{
			name:   "an excluded folder with no ! line below it is skipped whole",
			ignore: "a/b\n!a\n",
			files:  []string{"a/b/c", "a/d"},
			want:   []string{"a/d"},
		},
		{
			name:   "a ! line with a wildcard walks excluded folders",
			ignore: "vendor\n!**/keep.txt\n",
			files:  []string{"vendor/keep.txt", "vendor/lib/keep.txt", "vendor/lib/x.go", "keep.txt"},
			want:   []string{"keep.txt", "vendor/keep.txt", "vendor/lib/keep.txt"},
		},
		{
			name:   "allow-list: * then !src",
			ignore: "*\n!src\n!package.json\n",
			files:  []string{"src/.env", "src/a.js", "package.json", ".env", "test/a.js"},
			want:   []string{"package.json", "src/.env", "src/a.js"},
		},
		{
			name:   "negation re-includes .env",
			ignore: "**/.env\n!app/.env\n",
			files:  []string{".env", "app/.env", "lib/.env", "app/main.go"},
			want:   []string{"app/.env", "app/main.go"},
		},
		{
			name:   ".env* keeps .env.example when re-included",
			ignore: ".env*\n!.env.example\n",
			files:  []string{".env", ".env.local", ".env.example"},
			want:   []string{".env.example"},
		},
		{
			name:   "an escaped wildcard is literal",
			ignore: `\*.txt` + "\n",
			files:  []string{"*.txt", "a.txt"},
			want:   []string{"a.txt"},
		},
		{
			name:   "excluded folder re-included by path below it",
			ignore: "node_modules\n!node_modules/keep/**\n",
			files:  []string{"node_modules/keep/a.js", "node_modules/drop/b.js"},
			want:   []string{"node_modules/keep/a.js"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := tree(tt.files...)
			var ign *checks.IgnoreFile
			var patterns []string
			if tt.ignore != "" {
				ign = checks.ParseIgnoreFile(".dockerignore", []byte(tt.ignore))
				pm, release, err := ign.BuildMatcher()
				if err != nil {
					t.Fatal(err)
				}
				defer release()
				for _, p := range pm.Patterns() {
					s := p.String()
					if p.Exclusion() {
						s = "!" + s
					}
					patterns = append(patterns, s)
				}
			}
			got, st, probs := sentFiles(t, fsys, ".", ign, ContextLimits{})
			if len(probs) > 0 || !st.complete {
				t.Fatalf("walk: complete=%v problems=%v", st.complete, probs)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("files sent (-want +got):\n%s", diff)
			}
			if ref := fsutilSent(t, fsys, patterns); !slices.Equal(ref, got) {
				t.Errorf("fsutil-style walk sends %v, the context walk %v", ref, got)
			}
		})
	}
}

// TestContextSymlinks checks that a link is sent as a link and never
// followed, even to a folder outside the tree.
func TestContextSymlinks(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "Dockerfile", "FROM alpine\nCOPY . /app\nCOPY conf /conf\n")
	write(t, dir, "real/.env", "DB_PASSWORD=s3cr3t-Zq81vLx0\n")
	for link, target := range map[string]string{"etc": "/etc", "conf": "real", "loop": "."} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Skipf("symbolic links: %v", err)
		}
	}
	for name, fsys := range map[string]fs.FS{"DirFS": os.DirFS(dir), "os.Root": openRoot(t, dir), "OpenRoot": openScanRoot(t, dir)} {
		t.Run(name, func(t *testing.T) {
			got, _, probs := sentFiles(t, fsys, ".", nil, ContextLimits{})
			want := []string{"Dockerfile", "conf", "etc", "loop", "real/.env"}
			if diff := cmp.Diff(want, got); diff != "" || len(probs) > 0 {
				t.Errorf("files sent (-want +got):\n%s\nproblems: %v", diff, probs)
			}
			res, err := Scan(context.Background(), fsys, []string{"."}, Options{Rules: []*checks.Rule{checks.ContextSecretShipped}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Contexts) != 1 {
				t.Fatalf("contexts: %+v", res.Contexts)
			}
			c := res.Contexts[0]
			if diff := cmp.Diff([]ContextSecret{{Path: "real/.env", Kind: "dotenv file"}}, c.Secrets); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
			// COPY . sends the link conf, not its target's files twice;
			// COPY conf follows the link inside the context to real/.env.
			if got := c.ShippedBy("real/.env"); !slices.Equal(got, []int{2, 3}) {
				t.Errorf("ShippedBy(real/.env) = %v, want [2 3]", got)
			}
			for _, f := range res.Findings {
				if strings.Contains(f.Message, "etc/") {
					t.Errorf("finding follows the link to /etc: %s", f.Message)
				}
			}
		})
	}
}

func openRoot(t *testing.T, dir string) fs.FS {
	t.Helper()
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r.FS()
}

func openScanRoot(t *testing.T, dir string) fs.FS {
	t.Helper()
	r, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r.FS()
}

func write(t *testing.T, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// countingFS counts the folders read and the files opened.
type countingFS struct {
	fs.FS
	mu     sync.Mutex
	reads  map[string]int
	opened map[string]int
}

func (c *countingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	c.mu.Lock()
	c.reads[name]++
	c.mu.Unlock()
	return fs.ReadDir(c.FS, name)
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opened[name]++
	c.mu.Unlock()
	return c.FS.Open(name)
}

// TestContextWalkedOnce checks that Dockerfiles sharing a context share
// one walk, and that nested contexts read each file once.
func TestContextWalkedOnce(t *testing.T) {
	files := fstest.MapFS{
		".stowaway.yml": {Data: []byte("contexts:\n  a/Dockerfile: [.]\n  b/Dockerfile: [., b]\n  c/Dockerfile: [.]\n")},
		"a/Dockerfile":  {Data: []byte("FROM alpine\nCOPY . /app\n")},
		"b/Dockerfile":  {Data: []byte("FROM alpine\nCOPY b/ /app\n")},
		"c/Dockerfile":  {Data: []byte("FROM alpine\nCOPY a/ /app\n")},
		"b/.env":        {Data: []byte("DB_PASSWORD=s3cr3t-Zq81vLx0\n")},
		"shared/x.txt":  {Data: []byte("x\n")},
	}
	c := &countingFS{FS: files, reads: map[string]int{}, opened: map[string]int{}}
	res, err := Scan(context.Background(), c, []string{"."}, Options{Rules: []*checks.Rule{checks.ContextSecretShipped}, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Three Dockerfiles build from the root: target discovery, the search
	// for Compose files one folder down and one walk of the root context
	// all need shared/, and the scan lists it once.
	if n := c.reads["shared"]; n != 1 {
		t.Errorf("shared/ read %d times, want 1", n)
	}
	if n := c.opened["b/.env"]; n != 1 {
		t.Errorf("b/.env opened %d times, want 1", n)
	}
	byDF := map[string][]int{}
	for _, bc := range res.Contexts {
		byDF[bc.Dockerfile] = append(byDF[bc.Dockerfile], len(bc.ShippedBy("b/.env")))
	}
	want := map[string][]int{"a/Dockerfile": {1}, "b/Dockerfile": {1, 0}, "c/Dockerfile": {0}}
	if diff := cmp.Diff(want, byDF); diff != "" {
		t.Errorf("ships b/.env per Dockerfile and context (-want +got):\n%s", diff)
	}
}

// TestContextBounds checks that each bound ends the walk with a problem
// that names the context.
func TestContextBounds(t *testing.T) {
	files := fstest.MapFS{}
	for i := range 30 {
		files[fmt.Sprintf("f%02d.txt", i)] = &fstest.MapFile{Data: []byte("x\n")}
	}
	files["a/b/c/d/e/.env"] = &fstest.MapFile{Data: []byte("DB_PASSWORD=s3cr3t-Zq81vLx0\n")}
	files[".env"] = &fstest.MapFile{Data: []byte("DB_PASSWORD=s3cr3t-Zq81vLx0\n")}
	files["big.json"] = &fstest.MapFile{Data: []byte(`{"token": "ghp_R8vQ2mXk4LpZ9tYw3NcJ7sHd5FbGa1Ue6KoI", "pad": "` + strings.Repeat("x", 400) + `"}`)}
	tests := []struct {
		name     string
		lim      ContextLimits
		problem  string
		complete bool
		secrets  []string
	}{
		{"entries", ContextLimits{Entries: 10}, "sends more than 10 files and folders", false, []string{".env", "big.json"}},
		{"depth", ContextLimits{Depth: 3}, "nests folders deeper than 3 at a/b/c", false, []string{".env", "big.json"}},
		{"bytes", ContextLimits{ReadBytes: 100}, "read 100 bytes of build context . for secret files", true, []string{".env", "a/b/c/d/e/.env"}},
		{"file size", ContextLimits{FileBytes: 200}, "", true, []string{".env", "a/b/c/d/e/.env"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &engine{dc: newDirCache(files), cfg: &Config{}, settings: &checks.Settings{}, limits: tt.lim.withDefaults(), verdicts: map[string]verdict{}}
			ctx, probs := e.walk(".", nil)
			var msgs []string
			for _, p := range probs {
				msgs = append(msgs, p.Message)
			}
			if tt.problem == "" && len(msgs) > 0 || tt.problem != "" && (len(msgs) != 1 || !strings.Contains(msgs[0], tt.problem)) {
				t.Errorf("problems = %q, want one holding %q", msgs, tt.problem)
			}
			if ctx.Complete != tt.complete {
				t.Errorf("Complete = %v, want %v", ctx.Complete, tt.complete)
			}
			var got []string
			for _, s := range ctx.Secrets {
				got = append(got, s.Path)
			}
			if diff := cmp.Diff(tt.secrets, got); diff != "" {
				t.Errorf("secrets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestContextLarge walks a 100,000-file context: the entry bound stops it
// with a problem, and the .env at the root is found because the walk goes
// breadth first. The tree is generated in memory (wideTree): writing it to
// disk took a minute on a loaded machine.
func TestContextLarge(t *testing.T) {
	fsys := wideTree{
		top: fstest.MapFS{
			".env":       {Data: []byte("DB_PASSWORD=s3cr3t-Zq81vLx0\n")},
			"Dockerfile": {Data: []byte("FROM alpine\nCOPY . /app\n")},
			// With no ignore file at all, dockerignore-missing would report the copy.
			".dockerignore": {Data: []byte(".git\n")},
			"pkg":           {Mode: fs.ModeDir | 0o755},
		},
		pkg:  fstest.MapFS{},
		leaf: fstest.MapFS{},
	}
	for i := range 1000 {
		fsys.pkg[fmt.Sprintf("m%03d", i)] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	}
	for j := range 100 {
		fsys.leaf[fmt.Sprintf("f%02d.go", j)] = &fstest.MapFile{}
	}
	res, err := Scan(context.Background(), fsys, []string{"."}, Options{Rules: []*checks.Rule{checks.ContextSecretShipped}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contexts) != 1 || res.Contexts[0].Complete {
		t.Fatalf("contexts = %+v, want one incomplete", res.Contexts)
	}
	bound := false
	for _, p := range res.Problems {
		bound = bound || strings.Contains(p.Message, "sends more than 100000 files and folders")
	}
	if !bound {
		t.Errorf("no problem says the entry bound was hit: %+v", res.Problems)
	}
	if len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Message, ".env (dotenv file)") {
		t.Errorf("findings = %+v, want the root .env", res.Findings)
	}
}

// wideTree is a file system whose folder pkg holds the folders of pkg,
// each holding the files of leaf, beside the files of top at its root.
type wideTree struct{ top, pkg, leaf fstest.MapFS }

// resolve returns the file system and the name in it of a name in w.
func (w wideTree) resolve(name string) (fs.FS, string) {
	rest, ok := strings.CutPrefix(name, "pkg")
	if !ok || (rest != "" && rest[0] != '/') {
		return w.top, name
	}
	if rest == "" {
		return w.pkg, "."
	}
	folder, file, found := strings.Cut(rest[1:], "/")
	if _, ok := w.pkg[folder]; !ok {
		return w.top, name // does not exist
	}
	if !found {
		return w.leaf, "."
	}
	return w.leaf, file
}

func (w wideTree) Open(name string) (fs.File, error) {
	fsys, rel := w.resolve(name)
	return fsys.Open(rel)
}

func (w wideTree) ReadDir(name string) ([]fs.DirEntry, error) {
	fsys, rel := w.resolve(name)
	return fs.ReadDir(fsys, rel)
}

func (w wideTree) Stat(name string) (fs.FileInfo, error) {
	fsys, rel := w.resolve(name)
	return fs.Stat(fsys, rel)
}

// TestContextMappings reads build contexts from a Compose file and a
// workflow (testdata/contexts) and checks what Result.Contexts exposes.
func TestContextMappings(t *testing.T) {
	res, err := Scan(context.Background(), os.DirFS("testdata/contexts"), []string{"."}, Options{Rules: []*checks.Rule{checks.ContextSecretShipped}})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		Dir, From string
		Secrets   []string
		Shipped   map[string][]int
	}
	got := map[string]view{}
	for _, c := range res.Contexts {
		v := view{Dir: c.Dir, From: c.From, Shipped: map[string][]int{}}
		for _, s := range c.Secrets {
			v.Secrets = append(v.Secrets, s.Path)
			if lines := c.ShippedBy(s.Path); len(lines) > 0 {
				v.Shipped[s.Path] = lines
			}
		}
		got[c.Dockerfile] = v
	}
	const compose, workflow = "docker-compose.yml", ".github/workflows/images.yml"
	root := []string{".env", "services/api/.env"}
	want := map[string]view{
		"services/api/Dockerfile":     {"services/api", compose, []string{"services/api/.env"}, map[string][]int{"services/api/.env": {3}}},
		"services/worker/Dockerfile":  {".", compose, root, map[string][]int{}},
		"services/billing/Dockerfile": {".", workflow, root, map[string][]int{".env": {2}, "services/api/.env": {2}}},
		"services/search/Dockerfile":  {".", workflow, root, map[string][]int{".env": {2}, "services/api/.env": {2}}},
		"services/legacy/Dockerfile":  {"services", workflow, []string{"services/api/.env"}, map[string][]int{}},
		"services/private/Dockerfile": {"services/private", "default", nil, map[string][]int{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("contexts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{workflow, compose}, res.BuildFiles); diff != "" {
		t.Errorf("build files (-want +got):\n%s", diff)
	}
	var notes []string
	for _, p := range res.Problems {
		notes = append(notes, p.Path+": "+p.Message)
	}
	wantNotes := []string{
		`.github/workflows/images.yml: .github/workflows/images.yml: job private, step "private build": ${{ secrets.CONTEXT_DIR }} cannot be resolved before the job runs; the build context of that build is not used`,
		`.github/workflows/images.yml: .github/workflows/images.yml: job windows, step "pwsh build": its run: script, which the shell parser refuses, cannot be resolved before the job runs; the build context of that build is not used`,
		`docker-compose.yml: docker-compose.yml: service "private": ${PRIVATE_DIR} cannot be resolved without the environment; its build context is not used`,
	}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestContextDockerBuildArgs(t *testing.T) {
	tests := []struct {
		script string
		want   dockerCmd
	}{
		{"docker build .", dockerCmd{context: "."}},
		{"docker build -t app:1 -f docker/Dockerfile ./app", dockerCmd{file: "docker/Dockerfile", context: "./app"}},
		{"sudo docker buildx build --platform linux/amd64,linux/arm64 --file=Dockerfile.prod --push .", dockerCmd{file: "Dockerfile.prod", context: "."}},
		{"DOCKER_BUILDKIT=1 docker image build -fDockerfile.ci --build-arg A=1 --no-cache src", dockerCmd{file: "Dockerfile.ci", context: "src", args: []string{"A=1"}}},
		{"docker build --tag x:$(git rev-parse --short HEAD) \\\n  --label 'a b' web && docker push x", dockerCmd{context: "web"}},
		{"docker buildx b --cache-from type=gha --cache-to type=gha,mode=max -o type=docker -- ctx", dockerCmd{context: "ctx"}},
		{"docker build --target=runtime --build-arg=NPM_TOKEN --build-arg \"GH_TOKEN=$GH_TOKEN\" --file Dockerfile .",
			dockerCmd{file: "Dockerfile", context: ".", target: "runtime", args: []string{"NPM_TOKEN", "GH_TOKEN=$GH_TOKEN"}}},
	}
	for _, tt := range tests {
		var got dockerCmd
		found := false
		cmds, _ := checks.ShellCommands(tt.script)
		for _, words := range cmds {
			if c, ok := dockerBuildArgs(words); ok {
				got, found = c, true
				break
			}
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(dockerCmd{})); !found || diff != "" {
			t.Errorf("%q (found %v) (-want +got):\n%s", tt.script, found, diff)
		}
	}
	for _, s := range []string{"docker push app", "echo docker build .", "docker compose build"} {
		cmds, _ := checks.ShellCommands(s)
		for _, words := range cmds {
			if _, ok := dockerBuildArgs(words); ok {
				t.Errorf("%q read as a docker build", s)
			}
		}
	}
}

func TestContextMatrixCombos(t *testing.T) {
	var doc struct {
		Matrix yaml.Node `yaml:"matrix"`
	}
	src := `
matrix:
  service: [api, web]
  arch: [amd64, arm64]
  exclude:
    - service: web
      arch: arm64
  include:
    - service: api
      dockerfile: api.Dockerfile
    - service: docs
      arch: amd64
`
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	combos, ok := matrixCombos(&doc.Matrix)
	var got []string
	for _, c := range combos {
		got = append(got, fmt.Sprintf("%s/%s/%s", c["service"], c["arch"], c["dockerfile"]))
	}
	want := []string{"api/amd64/api.Dockerfile", "api/arm64/api.Dockerfile", "web/amd64/", "docs/amd64/"}
	if diff := cmp.Diff(want, got); diff != "" || !ok {
		t.Errorf("combinations (-want +got):\n%s", diff)
	}
	var expr struct {
		Matrix yaml.Node `yaml:"matrix"`
	}
	if err := yaml.Unmarshal([]byte("matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}\n"), &expr); err != nil {
		t.Fatal(err)
	}
	if _, ok := matrixCombos(&expr.Matrix); ok {
		t.Error("a matrix expression was read as a matrix")
	}
}

// TestFrozenListings checks that listings frozen for the context walks read
// back as they were, and that a path not frozen is not found.
func TestFrozenListings(t *testing.T) {
	c := newDirCache(fstest.MapFS{
		"a/x.txt":         {Data: []byte("x")},
		"a/.env":          {Data: []byte("A=1")},
		"a/sub/y":         {Data: []byte("y")},
		"outside/z":       {Data: []byte("z")},
		"a/empty/.keep":   {Data: []byte("")},
		"a/ünïcode/named": {Data: []byte("u")},
	})
	c.prefetch([]string{"."}, 2)
	want := map[string]*listing{}
	for dir, l := range c.dirs {
		want[dir] = l
	}
	c.drop(map[string]bool{"a": true})
	for dir, l := range want {
		got, ok := c.frozen.get(dir)
		if inside := dir == "a" || strings.HasPrefix(dir, "a/"); ok != inside {
			t.Errorf("%s: frozen %v, want %v", dir, ok, inside)
			continue
		}
		if ok && (got.dir != l.dir || got.names != l.names || !slices.Equal(got.ends, l.ends) || !slices.Equal(got.modes, l.modes)) {
			t.Errorf("%s: read back %+v, want %+v", dir, got, l)
		}
	}
	if _, ok := c.frozen.get("a/missing"); ok {
		t.Error("a/missing found")
	}
}

func TestUnderAny(t *testing.T) {
	folders := map[string]bool{"a/b": true, "c": true}
	for dir, want := range map[string]bool{
		"a/b": true, "a/b/c": true, "a/b/c/d": true, "c": true, "c/x": true,
		"a": false, "a/bc": false, "a/bc/b": false, "cc": false, ".": false, "x/a/b": false,
	} {
		if got := underAny(dir, folders); got != want {
			t.Errorf("underAny(%q) = %v, want %v", dir, got, want)
		}
	}
	root := map[string]bool{".": true}
	for _, dir := range []string{".", "a", "a/b/c"} {
		if !underAny(dir, root) {
			t.Errorf("underAny(%q) with the root as a context = false", dir)
		}
	}
}
