package checks

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/patternmatcher"
)

// The build context model follows what BuildKit does with a local context
// and a COPY or ADD of it (dockerfile2llb's dispatchCopy, fsutil's copier):
//   - The context is what the client sends after the ignore file; the engine
//     walks it and hands rules only its secret-looking files and its links.
//   - A source is cleaned against "/" (COPY ../x reads x). Without
//     wildcards it names one path, followed through links inside the context
//     (FollowSymlinks), and a folder sends its contents. With wildcards, the
//     part before the first wildcard component is the base, and the rest is
//     matched component by component with filepath.Match (no `**`); a
//     matched folder sends its contents.
//   - --exclude patterns match paths relative to each resolved source, never
//     the source itself: `COPY --exclude=a * .` still copies a
//     (moby/buildkit#5489), and `*.txt` excludes only the top level
//     (moby/buildkit#5509).
//   - --parents copies the pivot folder (the part before "/./", else the
//     context root) filtered by the rest as an include pattern, keeping the
//     paths below the pivot.

// BuildContext is one build context of a Dockerfile as BuildKit would send
// it. The engine builds it once per folder and ignore file and shares it
// between every Dockerfile built from it: rules must not modify it.
type BuildContext struct {
	Dir    string      // slash path of the context folder ("." for the root)
	Ignore *IgnoreFile // the effective ignore file, nil when none
	// Secrets are the secret-looking files that the ignore file lets
	// through, sorted by Path.
	Secrets []ContextFile
	// Links maps every symbolic link that is sent (a context path) to its
	// target as written; BuildKit sends a link as a link, and follows it only
	// when a COPY source names it.
	Links map[string]string
	// Entries counts the files, folders and links that are sent.
	Entries int
	// Complete is false when a bound stopped the walk: Secrets may then
	// miss files.
	Complete bool
}

// ContextFile is a secret-looking file of a build context.
type ContextFile struct {
	Path string // slash path relative to the context folder
	Kind string // what it holds, for messages: "dotenv file", "private key"
}

// RepoPath returns the scan-root-relative path of a context path.
func (c *BuildContext) RepoPath(p string) string {
	return path.Join(c.Dir, p)
}

// ContextFileSecret decides whether a file of a build context holds a
// credential, and what kind. p is its slash path relative to the scan root.
// read returns the file's content, or false when it was not read (too large,
// the read budget spent, unreadable); it is called only when the name calls
// for a look at the content. Names decide alone for formats that are
// credentials by construction (keystores, Terraform state); a name whose
// file often holds no credential (.npmrc with only a registry, .env.example,
// a kubeconfig that runs a login plugin) counts only when its content holds
// one; an unread file keeps the verdict of its name.
func ContextFileSecret(p string, read func() ([]byte, bool), s *Settings) (string, bool) {
	parts := strings.Split(p, "/")
	for _, d := range parts[:len(parts)-1] {
		if dependencyDirs[d] || d == ".git" {
			// Installed packages carry their own test keys, and .git
			// history is dockerignore-gap's concern.
			return "", false
		}
	}
	base := strings.ToLower(parts[len(parts)-1])
	kind, named := SecretPath(p)
	if named && strings.HasSuffix(kind, "folder") {
		named = false
	}
	if named {
		b, ok := read()
		if !ok {
			return kind, true
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return "", false
		}
		if verify, ok := contentVerifiers[kind]; ok {
			if verify(b, s) || len(contentTokens(b, s)) > 0 {
				return kind, true
			}
			return "", false
		}
		return kind, true
	}
	if envTemplate(base) {
		// .env.example and friends count when they hold real values.
		if b, ok := read(); ok && dotenvSecret(b, s) {
			return "dotenv file", true
		}
		return "", false
	}
	if !tokenCandidate(parts) {
		return "", false
	}
	b, ok := read()
	if !ok || isBinaryContent(b) {
		return "", false
	}
	if toks := contentTokens(b, s); len(toks) > 0 {
		return "file holding " + article(toks[0].Description), true
	}
	if strings.HasSuffix(base, ".json") && serviceAccountJSON.Match(b) {
		return "service account key", true
	}
	return "", false
}

// dependencyDirs hold installed third-party packages.
var dependencyDirs = map[string]bool{
	"node_modules": true, "bower_components": true, "vendor": true, "site-packages": true,
	"dist-packages": true, ".venv": true, "venv": true, ".tox": true,
}

// fixtureDirs hold test data, whose fake tokens have real shapes; a file
// there counts by its name only.
var fixtureDirs = map[string]bool{
	"testdata": true, "fixtures": true, "__fixtures__": true, "__snapshots__": true,
}

// envTemplate reports .env templates, which SecretPath clears by name.
func envTemplate(base string) bool {
	return strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env.example") ||
		strings.HasSuffix(base, ".env.sample") || strings.HasSuffix(base, ".env.template")
}

// configExts are text formats that hold settings, where a token is a
// credential rather than code.
var configExts = map[string]bool{
	".json": true, ".yaml": true, ".yml": true, ".toml": true, ".ini": true, ".cfg": true, ".conf": true,
	".cnf": true, ".config": true, ".properties": true, ".env": true, ".txt": true, ".xml": true,
	".tfvars": true, ".secret": true, ".secrets": true, ".token": true, ".cred": true, ".creds": true,
}

var secretNameWords = []string{"secret", "secrets", "token", "tokens", "credential", "credentials", "creds",
	"password", "passwords", "passwd", "apikey", "auth"}

// tokenCandidate reports the files whose content is searched for known
// token formats: settings files and files named after a credential, outside
// test data and lock files. Source code is left to the Dockerfile rules.
func tokenCandidate(parts []string) bool {
	for _, d := range parts[:len(parts)-1] {
		if fixtureDirs[strings.ToLower(d)] {
			return false
		}
	}
	base := strings.ToLower(parts[len(parts)-1])
	if strings.HasSuffix(base, ".lock") || strings.HasSuffix(base, "-lock.json") || strings.HasSuffix(base, "-lock.yaml") ||
		base == "npm-shrinkwrap.json" || base == "go.sum" {
		return false
	}
	if configExts[path.Ext(base)] {
		return true
	}
	if strings.HasPrefix(base, ".") && (strings.HasSuffix(base, "rc") || strings.HasSuffix(base, "cfg")) {
		return true
	}
	return hasAnyWord(fileNameWords(parts[len(parts)-1]), secretNameWords)
}

// isBinaryContent reports a NUL byte in the first 8 KiB, as git does.
func isBinaryContent(b []byte) bool {
	return bytes.IndexByte(b[:min(len(b), 8<<10)], 0) >= 0
}

// contentTokens returns the known token formats of a text file that the
// configuration does not allow.
func contentTokens(b []byte, s *Settings) []Token {
	if isBinaryContent(b) {
		return nil
	}
	var out []Token
	for _, t := range FindTokens(string(b)) {
		if s == nil || !s.Allowed(t.Secret) {
			out = append(out, t)
		}
	}
	return out
}

var (
	serviceAccountJSON = regexp.MustCompile(`"type"\s*:\s*"service_account"[\s\S]*"private_key"\s*:\s*"-----BEGIN|"private_key"\s*:\s*"-----BEGIN[\s\S]*"type"\s*:\s*"service_account"`)
	npmrcCredential    = regexp.MustCompile(`(?im)^\s*(?:\S*:)?(?:_authtoken|_auth|_password)\s*=\s*(.*)$`)
	pypircPassword     = regexp.MustCompile(`(?im)^\s*password\s*[=:]\s*(.*)$`)
	netrcPassword      = regexp.MustCompile(`(?i)(?:^|\s)password\s+(\S+)`)
	dockerAuth         = regexp.MustCompile(`"(?:auth|identitytoken|registrytoken|password)"\s*:\s*"([^"]*)"`)
	kubeCredential     = regexp.MustCompile(`(?m)^\s*(?:token|client-key-data|password)\s*:\s*(.*)$`)
	awsCredential      = regexp.MustCompile(`(?im)^\s*(?:aws_secret_access_key|aws_session_token)\s*[=:]\s*(.*)$`)
	privateKeyBlock    = regexp.MustCompile(`-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-`)
)

// contentVerifiers decide, for credential files that often hold none,
// whether the content holds one. Known token formats count for every kind.
var contentVerifiers = map[string]func([]byte, *Settings) bool{
	"dotenv file":             dotenvSecret,
	"npm credentials file":    literalGroup(npmrcCredential),
	"PyPI credentials file":   literalGroup(pypircPassword),
	"netrc credentials file":  literalGroup(netrcPassword),
	"Git credentials file":    func(b []byte, _ *Settings) bool { return URLWithCredentials(string(b)) },
	"Docker credentials file": literalGroup(dockerAuth),
	"kubeconfig":              literalGroup(kubeCredential),
	"AWS credentials file":    literalGroup(awsCredential),
	"SSH private key":         privateKeyContent,
	"SSH host private key":    privateKeyContent,
	"private key":             privateKeyContent,
	"PuTTY private key":       privateKeyContent,
}

// literalGroup reports a match of re whose first group is a literal value:
// not empty, not a reference (${NPM_TOKEN}) and not a placeholder.
func literalGroup(re *regexp.Regexp) func([]byte, *Settings) bool {
	return func(b []byte, s *Settings) bool {
		for _, m := range re.FindAllSubmatch(b, -1) {
			v := strings.Trim(strings.TrimSpace(string(m[1])), `"'`)
			if literalValue(v, s) {
				return true
			}
		}
		return false
	}
}

func literalValue(v string, s *Settings) bool {
	if len(v) < 4 || HarmlessValue("", ReadValue(v, '\\')) {
		return false
	}
	return s == nil || !s.Allowed(v)
}

// article puts "a" or "an" before a kind.
func article(kind string) string {
	if kind != "" && strings.ContainsRune("AEIOUaeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

// privateKeyContent reports key material: a private key block, or a binary
// (DER) file; a text file without a key block (a license key, a public key
// saved as .key) is not one.
func privateKeyContent(b []byte, _ *Settings) bool {
	return isBinaryContent(b) || privateKeyBlock.Match(b)
}

// dotenvSecret reports a dotenv file that assigns a literal secret: a
// secret name with a real-looking value, a known token format or a URL
// with credentials.
func dotenvSecret(b []byte, s *Settings) bool {
	if isBinaryContent(b) {
		return false
	}
	for _, line := range SplitLines(b) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		name, raw, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		name = strings.TrimSpace(name)
		raw = strings.TrimSpace(raw)
		if !strings.HasPrefix(raw, `"`) && !strings.HasPrefix(raw, "'") {
			if i := strings.Index(raw, " #"); i >= 0 {
				raw = strings.TrimSpace(raw[:i])
			}
		}
		v := ReadValue(raw, '\\')
		if URLWithCredentials(v.Literal) || LiteralSecret(name, v, s) {
			return true
		}
		for _, t := range ValueTokens(name, v.Literal) {
			if s == nil || !s.Allowed(t.Secret) {
				return true
			}
		}
	}
	return false
}

// Shipment is a secret file of a build context that a COPY or ADD of a
// shipped stage sends into a built image.
type Shipment struct {
	File   ContextFile
	By     *Instruction // the COPY or ADD
	Source string       // its source that covers the file, as written
	// Via is the COPY --from that carries the file out of a stage that is
	// not built itself, nil when the stage ships whole.
	Via *Instruction
	// Named reports a source or destination that names a secret path
	// itself (COPY .env /app/, COPY . /root/.ssh/): secret-file-copied
	// reports those lines.
	Named bool
}

// ContextShipments lists the secret files of ctx that the shipped stages of
// df copy into a built image, in instruction and path order. COPY --from,
// URLs, Git sources, heredocs and sources with unexpanded variables read no
// context file and are skipped.
func ContextShipments(df *Dockerfile, ctx *BuildContext) []Shipment {
	if df == nil || ctx == nil || len(ctx.Secrets) == 0 || len(df.Stages) == 0 {
		return nil
	}
	st := newContextStages(df)
	var out []Shipment
	for _, s := range df.Stages {
		if !s.Shipped {
			continue
		}
		for _, in := range s.Instructions {
			var sd *instructions.SourcesAndDest
			var excludes []string
			parents := false
			switch c := in.Command.(type) {
			case *instructions.CopyCommand:
				if c.From != "" {
					continue
				}
				sd, excludes, parents = &c.SourcesAndDest, c.ExcludePatterns, c.Parents
			case *instructions.AddCommand:
				sd, excludes = &c.SourcesAndDest, c.ExcludePatterns
			default:
				continue
			}
			dest := stagePath(st.workdir[in], sd.DestPath)
			destDir := strings.HasSuffix(sd.DestPath, "/") || len(sd.SourcePaths)+len(sd.SourceContents) > 1
			_, destNamed := SecretPath(dest)
			seen := map[string]bool{}
			for _, src := range sd.SourcePaths {
				if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") || strings.Contains(src, "$") {
					continue
				}
				_, srcNamed := SecretPath(src)
				for _, h := range resolveSource(ctx, src, parents, excludes) {
					if seen[h.file.Path] {
						continue
					}
					landing := dest
					switch {
					case h.rel != "":
						landing = path.Join(dest, h.rel)
					case destDir || h.wildcard:
						landing = path.Join(dest, path.Base(h.file.Path))
					}
					via, ok := st.carried(s, landing, map[*Stage]bool{})
					if !ok {
						continue
					}
					seen[h.file.Path] = true
					out = append(out, Shipment{File: h.file, By: in, Source: src, Via: via, Named: srcNamed || destNamed})
				}
			}
		}
	}
	return out
}

// contextStages is what ContextShipments needs of the stage model: the
// WORKDIR at each instruction.
type contextStages struct {
	df      *Dockerfile
	workdir map[*Instruction]string
}

func newContextStages(df *Dockerfile) *contextStages {
	st := &contextStages{df: df, workdir: map[*Instruction]string{}}
	final := map[*Stage]string{}
	for _, s := range df.Stages {
		dir := "/"
		if s.BaseStage != nil {
			dir = final[s.BaseStage]
		}
		for _, in := range s.Instructions {
			st.workdir[in] = dir
			if c, ok := in.Command.(*instructions.WorkdirCommand); ok {
				dir = stagePath(dir, c.Path)
			}
		}
		final[s] = dir
	}
	return st
}

// stagePath resolves a COPY destination or WORKDIR against the folder in
// effect; a path that starts with a variable is taken as written.
func stagePath(dir, p string) string {
	if p == "" || p == "." {
		return dir
	}
	if strings.HasPrefix(p, "/") || strings.HasPrefix(p, "$") {
		return path.Clean(p)
	}
	return path.Clean(dir + "/" + p)
}

// carried reports whether a file at p in stage s reaches a built image:
// with a nil Instruction when s ships whole, else with the COPY --from that
// carries it out (through further stages if need be). A COPY --from whose
// source names a secret path is reported by secret-file-copied on its own
// line, so the file is not carried for this rule.
func (st *contextStages) carried(s *Stage, p string, seen map[*Stage]bool) (*Instruction, bool) {
	if s.Inherited {
		return nil, true
	}
	if seen[s] {
		return nil, false
	}
	seen[s] = true
	for _, t := range st.df.Stages {
		if !t.Shipped {
			continue
		}
		for _, in := range t.Instructions {
			c, ok := in.Command.(*instructions.CopyCommand)
			if !ok || c.From == "" {
				continue
			}
			from := st.df.StageRef(c.From)
			if from == nil || !builtOn(from, s) {
				continue
			}
			dest := stagePath(st.workdir[in], c.DestPath)
			destDir := strings.HasSuffix(c.DestPath, "/") || len(c.SourcePaths) > 1
			for _, src := range c.SourcePaths {
				landing, ok := copiedFrom(stagePath("/", src), p, dest, destDir)
				if !ok {
					continue
				}
				if _, named := SecretPath(src); named {
					return nil, false
				}
				if t.Inherited {
					return in, true
				}
				if _, ok := st.carried(t, landing, seen); ok {
					return in, true
				}
			}
		}
	}
	return nil, false
}

// builtOn reports whether stage t is s or is built on it, so that t's
// file system holds what s wrote.
func builtOn(t, s *Stage) bool {
	for seen := 0; t != nil && seen <= 256; seen++ {
		if t == s {
			return true
		}
		t = t.BaseStage
	}
	return false
}

// copiedFrom reports whether a COPY --from source (absolute, cleaned)
// takes the file at p, and where it lands below dest.
func copiedFrom(src, p, dest string, destDir bool) (string, bool) {
	switch {
	case src == p:
		if destDir {
			return path.Join(dest, path.Base(p)), true
		}
		return dest, true
	case src == "/" || strings.HasPrefix(p, src+"/"):
		return path.Join(dest, strings.TrimPrefix(p, strings.TrimSuffix(src, "/")+"/")), true
	}
	if !hasWildcard(src) {
		return "", false
	}
	// The glob matches the file or a folder above it.
	for q := p; q != "/" && q != "."; q = path.Dir(q) {
		if ok, _ := path.Match(src, q); ok {
			if q == p {
				return path.Join(dest, path.Base(p)), true
			}
			return path.Join(dest, strings.TrimPrefix(p, q+"/")), true
		}
	}
	return "", false
}

// sourceHit is a secret file that a COPY source sends: rel is its path
// below the copied folder, "" when the source names the file itself.
type sourceHit struct {
	file     ContextFile
	rel      string
	wildcard bool
}

// resolveSource returns the secret files of ctx that one COPY or ADD
// source sends.
func resolveSource(ctx *BuildContext, src string, parents bool, excludes []string) []sourceHit {
	var exclude *patternmatcher.PatternMatcher
	if len(excludes) > 0 {
		var err error
		if exclude, err = patternmatcher.New(excludes); err != nil {
			// BuildKit refuses the instruction: nothing is copied.
			return nil
		}
	}
	if parents {
		pivot, pattern, ok := strings.Cut(src, "/./")
		if !ok {
			pivot, pattern = "/", src
		}
		root := contextPath(pivot)
		include, err := patternmatcher.New([]string{contextPath(pattern)})
		if err != nil {
			return nil
		}
		var out []sourceHit
		for _, f := range secretsUnder(ctx, root) {
			rel := relTo(f.Path, root)
			if rel == "" {
				continue
			}
			if ok, _ := include.MatchesOrParentMatches(rel); ok && !excludedBelow(exclude, rel) {
				out = append(out, sourceHit{file: f, rel: rel})
			}
		}
		return out
	}
	clean := contextPath(src)
	base, rest := splitWildcards(clean)
	if rest == "" {
		return copiedRoot(ctx, ctx.resolveLinks(base), exclude, false)
	}
	root := ctx.resolveLinks(base)
	k := strings.Count(rest, "/") + 1
	var out []sourceHit
	for _, f := range secretsUnder(ctx, root) {
		comps := strings.Split(relTo(f.Path, root), "/")
		if len(comps) < k {
			continue
		}
		if ok, _ := path.Match(rest, strings.Join(comps[:k], "/")); !ok {
			continue
		}
		if len(comps) == k {
			out = append(out, sourceHit{file: f, wildcard: true})
			continue
		}
		sub := strings.Join(comps[k:], "/")
		if !excludedBelow(exclude, sub) {
			out = append(out, sourceHit{file: f, rel: sub, wildcard: true})
		}
	}
	// A matched link is followed like any source.
	links := make([]string, 0, len(ctx.Links))
	for l := range ctx.Links {
		links = append(links, l)
	}
	sort.Strings(links)
	for _, l := range links {
		if root != "" && !strings.HasPrefix(l, root+"/") {
			continue
		}
		rel := relTo(l, root)
		if rel == "" || strings.Count(rel, "/")+1 != k {
			continue
		}
		if ok, _ := path.Match(rest, rel); ok {
			out = append(out, copiedRoot(ctx, ctx.resolveLinks(l), exclude, true)...)
		}
	}
	return out
}

// copiedRoot returns the secret files at or below root.
func copiedRoot(ctx *BuildContext, root string, exclude *patternmatcher.PatternMatcher, wildcard bool) []sourceHit {
	var out []sourceHit
	for _, f := range secretsUnder(ctx, root) {
		rel := relTo(f.Path, root)
		if rel == "" {
			out = append(out, sourceHit{file: f, wildcard: wildcard})
		} else if !excludedBelow(exclude, rel) {
			out = append(out, sourceHit{file: f, rel: rel, wildcard: wildcard})
		}
	}
	return out
}

// excludedBelow applies --exclude to a path below a copied source the way
// fsutil's copier walks it: each folder's result feeds its children's, and
// a matched folder is skipped whole when no `!` pattern can bring anything
// back.
func excludedBelow(pm *patternmatcher.PatternMatcher, rel string) bool {
	if pm == nil {
		return false
	}
	parts := strings.Split(rel, "/")
	var info patternmatcher.MatchInfo
	for i := range parts {
		m, next, err := pm.MatchesUsingParentResults(strings.Join(parts[:i+1], "/"), info)
		if err != nil {
			return false
		}
		if m && (i == len(parts)-1 || !pm.Exclusions()) {
			return true
		}
		info = next
	}
	return false
}

// secretsUnder returns the secrets at or below the context path root ("" for
// the whole context) by binary search over the sorted Secrets: a shared root
// context holds thousands, and every Dockerfile asks.
func secretsUnder(ctx *BuildContext, root string) []ContextFile {
	if root == "" {
		return ctx.Secrets
	}
	s := ctx.Secrets
	// "src/" sorts after "src-old" and "src.bak", and "src0" right after
	// every "src/..." path.
	lo := sort.Search(len(s), func(i int) bool { return s[i].Path >= root+"/" })
	hi := sort.Search(len(s), func(i int) bool { return s[i].Path >= root+"0" })
	at := sort.Search(len(s), func(i int) bool { return s[i].Path >= root })
	if at < len(s) && s[at].Path == root {
		return append([]ContextFile{s[at]}, s[lo:hi]...)
	}
	return s[lo:hi]
}

// relTo returns p relative to the context path root ("" when p is root).
func relTo(p, root string) string {
	switch {
	case root == "":
		return p
	case p == root:
		return ""
	}
	return strings.TrimPrefix(p, root+"/")
}

// contextPath cleans a source against the context root, as BuildKit does:
// "./src/" and "/src" are "src", "." and ".." are "".
func contextPath(src string) string {
	return strings.TrimPrefix(path.Clean("/"+src), "/")
}

// splitWildcards splits a cleaned source at its first component with a
// wildcard, as fsutil does.
func splitWildcards(p string) (base, rest string) {
	if p == "" {
		return "", ""
	}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if hasWildcard(part) {
			return strings.Join(parts[:i], "/"), strings.Join(parts[i:], "/")
		}
	}
	return p, ""
}

// hasWildcard reports *, ? or [ not escaped by a backslash.
func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// resolveLinks follows the links of the context path p component by
// component, scoped to the context the way BuildKit resolves a source: an
// absolute target starts at the context root and ".." stops there.
func (c *BuildContext) resolveLinks(p string) string {
	if p == "" || len(c.Links) == 0 {
		return p
	}
	for hops := 0; hops < 40; hops++ {
		parts := strings.Split(p, "/")
		changed := false
		for i := range parts {
			prefix := strings.Join(parts[:i+1], "/")
			target, ok := c.Links[prefix]
			if !ok {
				continue
			}
			if !strings.HasPrefix(target, "/") {
				target = path.Join(path.Dir(prefix), target)
			}
			p = contextPath(path.Join(target, strings.Join(parts[i+1:], "/")))
			changed = true
			break
		}
		if !changed {
			return p
		}
	}
	return p
}

// IgnoreLine returns the ignore-file line that excludes exactly the
// context path p, its special characters escaped.
func IgnoreLine(p string) string {
	var b strings.Builder
	for i, r := range p {
		if strings.ContainsRune(`*?[]\`, r) || i == 0 && (r == '!' || r == '#') {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shippedList names files for a message: the first few with their kinds,
// then how many more.
func shippedList(files []ContextFile, repoPath func(string) string) string {
	const shown = 5
	var names []string
	for i, f := range files {
		if i == shown {
			names = append(names, fmt.Sprintf("%d more", len(files)-shown))
			break
		}
		names = append(names, fmt.Sprintf("%s (%s)", repoPath(f.Path), f.Kind))
	}
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// sortedFiles returns the files of ships by path, without duplicates.
func sortedFiles(ships []Shipment) []ContextFile {
	var out []ContextFile
	for _, s := range ships {
		out = append(out, s.File)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return slices.CompactFunc(out, func(a, b ContextFile) bool { return a.Path == b.Path })
}
