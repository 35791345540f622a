package checks

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// HardcodedSecret reports known token formats and literal secret
// assignments written anywhere in a Dockerfile outside ENV values and ARG
// defaults (secret-env and secret-arg report those) and URL credentials
// (url-credentials): RUN lines and heredocs, LABEL, CMD, COPY heredocs,
// comments inside continuations, and known token formats in the comments
// between instructions.
//
// Every finding is an error, in a stage that never ships too: the
// Dockerfile is committed, so the secret leaks with the repository; the
// message says whether it also ships in the image.
var HardcodedSecret = &Rule{
	ID: "hardcoded-secret", Name: "HardcodedSecret", Level: Error, Precision: "high",
	SecuritySeverity: "9.0",
	Tags:             []string{"security", "secrets"},
	Summary:          "Credential written literally into a Dockerfile instruction",
	Help:             mustDoc("hardcoded-secret"),
	Check:            checkHardcodedSecret,
}

// A line's role decides what reads it and where its text ends up.
type lineRole int

const (
	roleSkip    lineRole = iota // not scanned
	roleCommand                 // the instruction itself: history or config
	roleComment                 // a comment BuildKit drops: only the repository holds it
	roleBody                    // a heredoc body: the script or the file written
	roleRefused                 // a line BuildKit refused: only the repository holds it
)

func checkHardcodedSecret(p *Pass) {
	df := p.Dockerfile
	if df == nil {
		return
	}
	inInstruction := make([]bool, len(df.Lines)+2)
	for _, in := range df.Instructions {
		for ln := in.StartLine; ln <= in.EndLine && ln <= len(df.Lines); ln++ {
			inInstruction[ln] = true
		}
		roles := instructionRoles(df, in)
		if in.Cmd == "env" || in.Cmd == "arg" || (in.Onbuild != nil && (in.Onbuild.Cmd == "env" || in.Onbuild.Cmd == "arg")) {
			// secret-env and secret-arg (ONBUILD ones included) read the
			// values; only the comments inside the continuation are left.
			for i, r := range roles {
				if r != roleComment {
					roles[i] = roleSkip
				}
			}
		}
		reportSecrets(p, in, in.StartLine, roles)
	}
	// Comments between instructions: nothing of them reaches the image, but
	// a known token there is committed all the same.
	if roles := commentRoles(df, inInstruction); roles != nil {
		reportSecrets(p, nil, 1, roles)
	}
	// Lines BuildKit refused, read as raw text: committed all the same.
	if m := df.refused(); m != nil {
		reportSecrets(p, nil, 1, m.roles)
	}
}

// instructionRoles gives the role of each raw line of in: the lines of the
// instruction proper, the comments inside its continuation, and the heredoc
// bodies that follow it.
func instructionRoles(df *Dockerfile, in *Instruction) []lineRole {
	n := min(in.EndLine, len(df.Lines)) - in.StartLine + 1
	if n <= 0 {
		return nil
	}
	body := 0
	for _, h := range in.Heredocs {
		body += strings.Count(h.Content, "\n") + 1 // content lines and the delimiter
		if h.Content != "" && !strings.HasSuffix(h.Content, "\n") {
			body++
		}
	}
	body = min(body, n-1)
	roles := make([]lineRole, n)
	for i := range roles {
		switch {
		case i >= n-body:
			roles[i] = roleBody
		case i > 0 && strings.HasPrefix(strings.TrimSpace(df.Lines[in.StartLine-1+i]), "#"):
			roles[i] = roleComment
		default:
			roles[i] = roleCommand
		}
	}
	return roles
}

// commentRoles marks the comment lines that are in no instruction; nil when
// there are none.
func commentRoles(df *Dockerfile, inInstruction []bool) []lineRole {
	var roles []lineRole
	for i, l := range df.Lines {
		if !inInstruction[i+1] && strings.HasPrefix(strings.TrimSpace(l), "#") {
			if roles == nil {
				roles = make([]lineRole, len(df.Lines))
			}
			roles[i] = roleComment
		}
	}
	return roles
}

// maskedText joins the lines first..first+len(roles)-1 of df, the skipped
// ones emptied so that offsets still map to the same lines. ok is false when
// every line is skipped.
func maskedText(df *Dockerfile, first int, roles []lineRole) (text string, ok bool) {
	if len(roles) == 1 && roles[0] != roleSkip {
		return df.Lines[first-1], true // most instructions: the line itself, no copy
	}
	// Sized first and built once: no slice of the lines to join.
	n := len(roles) - 1
	for i, r := range roles {
		if r != roleSkip {
			n += len(df.Lines[first-1+i])
			ok = true
		}
	}
	if !ok {
		return "", false
	}
	var b strings.Builder
	b.Grow(max(n, 0))
	for i, r := range roles {
		if i > 0 {
			b.WriteByte('\n')
		}
		if r != roleSkip {
			b.WriteString(df.Lines[first-1+i])
		}
	}
	return b.String(), true
}

// secretHit is one secret found in a masked text.
type secretHit struct {
	start, end int
	what       string // "a GitHub Personal Access Token", `a literal secret for "password"`
}

// reportSecrets scans the lines first..first+len(roles)-1 whose role is not
// skip, and reports every secret found. in is nil for comments between
// instructions.
func reportSecrets(p *Pass, in *Instruction, first int, roles []lineRole) {
	text, ok := maskedText(p.Dockerfile, first, roles)
	if !ok {
		return
	}
	// What the scan knows of the text: most lines are read before, in
	// another file or by another rule.
	facts := p.State.facts(text)
	var hits []secretHit
	// url-credentials reads instructions and refused lines, not the comments
	// between them.
	var creds [][2]int
	refused := slices.Contains(roles, roleRefused)
	if in != nil || refused {
		creds = urlCredentialRanges(facts, text)
	}
	// Where nothing reaches an image (comments, a stage whose history does
	// not ship), only a leak of the repository itself is reported: a token
	// that carries its format's mark, or a private key. A refused line is
	// read as the instruction it will be once the file is fixed to build.
	repoOnly := !refused && !historyShips(in)
	// Unless a builder's RUN writes the value into a file that a COPY
	// --from ships.
	written := func(start, end int) bool {
		_, via := runWriteShipped(p.Dockerfile, in, text[start:end])
		return via != nil && roles[offsetSpan(text, first, start, end).Line-first] != roleComment
	}
	for _, t := range facts.findTokens(text) {
		if overlapsAny(t.Start, t.End, creds) {
			continue // url-credentials reports a token used as URL credentials
		}
		if repoOnly && !t.Prefixed && !written(t.Start, t.End) {
			continue
		}
		hits = append(hits, secretHit{start: t.Start, end: t.End, what: withArticle(t.Description)})
	}
	// Between instructions, comments are mostly usage notes whose values
	// are examples: only known token formats count there. Refused lines
	// are instructions, or text pasted where one should be.
	var assignments []textAssignment
	if !repoOnly || in != nil && in.Cmd == "run" && in.Stage != nil && in.Stage.Shipped {
		assignments = facts.findAssignments(text, p.Settings, p.Dockerfile.Budget)
		if runMayAssign(p.State, in, text, assignments, p.Settings, p.Dockerfile.Budget) {
			if parsed, ok := runAssignments(p.State, in, text, roles, assignments, p.Settings, p.Dockerfile.Budget); ok {
				assignments = parsed
			}
		}
	}
	for _, a := range assignments {
		if overlapsAny(a.start, a.end, creds) || overlapsHits(a.start, a.end, hits) || repoOnly && !written(a.start, a.end) {
			continue
		}
		hits = append(hits, secretHit{start: a.start, end: a.end, what: fmt.Sprintf("a literal secret for %q", a.key)})
	}
	for _, h := range hits {
		span := offsetSpan(text, first, h.start, h.end)
		role := roles[span.Line-first]
		fd := Finding{
			Span:    span,
			Message: secretMessage(in, role, h.what),
			Secret:  text[h.start:h.end],
			Fix:     hardcodedFix(in, role),
		}
		if file, via := runWriteShipped(p.Dockerfile, in, fd.Secret); via != nil && role != roleComment {
			fd.Message = fmt.Sprintf("RUN in stage %s writes %s into %s, which COPY --from on line %d ships", stageLabel(in.Stage), h.what, file, via.StartLine)
			fd.Related = []Related{{Path: p.Dockerfile.Path, Span: via.Whole(), Message: "this COPY --from ships the file"}}
		}
		p.Report(fd)
	}
}

// historyShips reports whether in is an instruction of a stage whose
// history and config reach a built image (nil: a comment between
// instructions).
func historyShips(in *Instruction) bool {
	return in != nil && in.Stage != nil && in.Stage.Inherited
}

// offsetSpan converts byte offsets of text, whose first line is line first
// of the file, to a span.
func offsetSpan(text string, first, start, end int) Span {
	pos := func(off int) (int, int) {
		ln := first + strings.Count(text[:off], "\n")
		return ln, off - (strings.LastIndexByte(text[:off], '\n') + 1) + 1
	}
	l, c := pos(start)
	el, ec := pos(end)
	return Span{Line: l, Col: c, EndLine: el, EndCol: ec}
}

func overlapsAny(start, end int, ranges [][2]int) bool {
	for _, r := range ranges {
		if start < r[1] && r[0] < end {
			return true
		}
	}
	return false
}

func overlapsHits(start, end int, hits []secretHit) bool {
	for _, h := range hits {
		if start < h.end && h.start < end {
			return true
		}
	}
	return false
}

// textAssignment is a literal value given to a secret-looking key, flag or
// header in free text.
type textAssignment struct {
	key        string // as written: "DB_PASSWORD", "--token", "Authorization", "mysql -p"
	start, end int    // the value's offsets
}

// Command shapes that give a value to a fixed or named secret. Each
// pattern is tried only where one of its keywords starts in the text, and is
// anchored there: Go's regexp would otherwise run its automaton from every
// position of every instruction (a pattern starting with \b or an
// alternation has no literal prefix to skip to). Key-value pairs and long
// flags, which every instruction has, are read by hand (keyValues,
// longFlags).
type commandPattern struct {
	key      string   // the name the message shows; "" takes the group named key
	class    string   // the name that decides; "" takes the key
	keywords []string // lower-case words the pattern starts with
	wordEdge bool     // a keyword must start a word
	// re is anchored at the keyword. The value starts where it ends, or at
	// the group named value.
	re func() *regexp.Regexp
}

var commandPatterns = []commandPattern{
	// npm config set KEY VALUE, aws configure set KEY VALUE, yarn config set
	{"", "", []string{"config"}, true,
		lazyRegexp(`^config(?:ure)?[ \t]+set[ \t]+(?:--?[A-Za-z-]+[ \t]+)*(?P<key>[^\s"'=]+)[ \t]+`)},
	// mysql -pPASSWORD (no space: `-p x` prompts, and x is a database)
	{"mysql -p", "password", []string{"mysql", "mariadb"}, true,
		lazyRegexp(`^(?:mysql|mysqladmin|mysqldump|mysqlimport|mysqlcheck|mysqlshow|mysqlsh|mariadb|mariadb-admin|mariadb-dump)\b[^\n;&|]*?[ \t]-p`)},
	// curl ... -u user:password
	{"curl -u", "password", []string{"curl"}, true,
		lazyRegexp(`^curl\b[^\n;&|]*?[ \t](?:-u|--user)(?:=|[ \t]+)["']?(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|[^\s"':$]+):`)},
	// docker login -p VALUE (and the registry clients that copy its
	// flags); --password=VALUE is a long flag, found as one.
	{"docker login -p", "password", []string{"docker", "podman", "buildah", "skopeo", "nerdctl", "helm", "oras", "crane"}, true,
		lazyRegexp(`^(?:docker|podman|buildah|skopeo|nerdctl|helm|oras|crane)\b[^\n;&|]*?[ \t]login\b[^\n;&|]*?[ \t]-p(?:=|[ \t]+)`)},
	// sshpass -pVALUE or -p VALUE (-f and -e read it from a file or $SSHPASS)
	{"sshpass -p", "password", []string{"sshpass"}, true,
		lazyRegexp(`^sshpass\b[^\n;&|]*?[ \t]-p[ \t]*`)},
	// A connection string's Pwd=VALUE (Password= is a key like any other;
	// a lone PWD is the shell's working directory, not a secret name)
	{"Pwd", "password", []string{"pwd"}, true,
		lazyRegexp(`(?i)^pwd[ \t]*=`)},
	// .netrc: login NAME password VALUE
	{"password", "password", []string{"login"}, true,
		lazyRegexp(`^login[ \t]+\S+[ \t]+password[ \t]+`)},
	// debconf-set-selections: pkg/root_password password VALUE
	{"password", "password", []string{"password"}, false,
		lazyRegexp(`^password\S*[ \t]+password[ \t]+`)},
	// SQL: WITH PASSWORD 'VALUE', IDENTIFIED BY 'VALUE'
	{"PASSWORD", "password", []string{"with", "identified"}, true,
		lazyRegexp(`(?i)^(?:with[ \t]+(?:encrypted[ \t]+)?password|identified[ \t]+by)[ \t]+`)},
	// echo 'user:VALUE' | chpasswd
	{"chpasswd", "password", []string{"echo", "printf"}, true,
		lazyRegexp(`^(?:echo|printf)[ \t]+(?:-e[ \t]+)?["']?[\w.-]+:(?P<value>[^\s"'|:]+)["']?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd\b`)},
}

// commandKeywords indexes the keywords of commandPatterns: at[c][k] is the
// index in words of commandPatterns[c].keywords[k]. One walk of a text finds
// them all, where a search per keyword read the text ten times.
var commandKeywords = sync.OnceValue(func() (x struct {
	words []string
	at    [][]int
	index *keywordIndex
}) {
	seen := map[string]int{}
	for _, cp := range commandPatterns {
		var at []int
		for _, kw := range cp.keywords {
			w, ok := seen[kw]
			if !ok {
				w = len(x.words)
				seen[kw] = w
				x.words = append(x.words, kw)
			}
			at = append(at, w)
		}
		x.at = append(x.at, at)
	}
	x.index = newKeywordIndex(x.words)
	return x
})

// flagQualifiers are words that make a secret-named flag take no secret:
// docker login --password-stdin reads it from standard input.
var flagQualifiers = map[string]bool{"stdin": true, "prompt": true, "interactive": true}

// authSchemes prefix the credential in an Authorization header.
var authSchemes = map[string]bool{"bearer": true, "basic": true, "token": true, "bot": true, "apikey": true}

// assignmentWork is what findAssignments spends its budget on.
const assignmentWork = "secret patterns"

// scanAssignments returns the literal secrets given to secret-looking names
// in text, the work steps it spent, and whether it read the text to its end
// (whole is false when the budget ran out). The names and the harmless
// values are decided as for ENV and ARG (names.go, with the configuration's
// words and allowed values); free text adds a bar of its own (textSecret).
// State.findAssignments is its reader.
func scanAssignments(text string, s *Settings, budget *Budget) (out []textAssignment, steps int64, whole bool) {
	// text[from:to] holds no word delimiter and to is one (or the end): a
	// value that starts inside it ends at to. Values come in order, and a
	// line of `password=password=…` starts thousands inside one word.
	from, to := 0, 0
	// add reads the value at offset at; class is the name that decides
	// whether it is a secret, key the name the message shows.
	add := func(key, class string, at int) {
		start, end := at, to
		if at < from || at >= to {
			start, end = shellWordAt(text, at)
			if start == at {
				from, to = start, end
			}
		}
		v := text[start:end]
		if start == end {
			return
		}
		// The cheap tests first: the shape of the value, then the name,
		// which few keys in free text pass; the value's words, entropy and
		// regexps last.
		tool := toolPassword(key, v)
		if !tool && !textShaped(v) || classifyName(class, s) == notSecret {
			return
		}
		if !(tool || textSecret(v)) || !LiteralSecret(class, Value{Raw: v, Literal: v}, s) {
			return
		}
		if !SecretName(class, s) && hexOnly().MatchString(v) {
			// A weak name (key, auth) with a hex value: a key ID, a
			// fingerprint, a digest or a UUID (gpg --recv-keys), not a secret.
			return
		}
		out = append(out, textAssignment{key: key, start: start, end: end})
	}
	keyValues(text, func(key string, at int) {
		if at > 0 && text[at-1] == ':' && strings.HasPrefix(text[at:], "-") {
			at++ // ${NAME:-default}
		}
		class := strings.TrimLeft(key, "-")
		if authHeader(key) {
			class, at = "token", skipAuthScheme(text, at)
		}
		add(key, class, at)
	})
	longFlags(text, func(flag string, at int) {
		if !qualifiedFlag(flag) {
			add(flag, strings.TrimLeft(flag, "-"), at)
		}
	})
	// Where each command keyword occurs, found in one walk of the text;
	// occurrences of one keyword do not overlap, as a search would find them.
	var found [][]int // by index in commandKeywords().words
	kw := commandKeywords()
	kw.index.walk(text, func(w, at int) {
		if found == nil {
			found = make([][]int, len(kw.words))
		}
		if n := len(found[w]); n > 0 && at < found[w][n-1]+len(kw.words[w]) {
			return
		}
		found[w] = append(found[w], at)
	})
	for c, cp := range commandPatterns {
		if found == nil {
			break
		}
		for k := range cp.keywords {
			for _, at := range found[kw.at[c][k]] {
				if cp.wordEdge && at > 0 && keyByte(text[at-1]) {
					continue
				}
				end := commandWindow(text, at)
				if !budget.Spend(int64(end-at), assignmentWork) {
					return dedupeAssignments(out), steps, false
				}
				steps += int64(end - at)
				m := cp.re().FindStringSubmatchIndex(text[at:end])
				if m == nil {
					continue
				}
				key, class, value := cp.key, cp.class, at+m[1]
				if g := cp.re().SubexpIndex("key"); g > 0 {
					key = text[at+m[2*g] : at+m[2*g+1]]
				}
				if class == "" {
					class = key
				}
				if g := cp.re().SubexpIndex("value"); g > 0 {
					value = at + m[2*g]
				}
				add(key, class, value)
			}
		}
	}
	return dedupeAssignments(out), steps, true
}

// maxCommandMatch bounds how far past its keyword a command pattern reads.
// No pattern crosses a line, but one line can hold thousands of keyword
// hits: read to the line's end from each, the patterns were quadratic.
const maxCommandMatch = 2048

// commandWindow returns the end of the text a command pattern at offset at
// may read: the end of the line, at most maxCommandMatch bytes on.
func commandWindow(text string, at int) int {
	end := min(len(text), at+maxCommandMatch)
	if nl := strings.IndexByte(text[at:end], '\n'); nl >= 0 {
		return at + nl
	}
	return end
}

// keyValues calls fn with the key and the value's offset of every `key=`,
// `key: `, `"key": `, `key := `, `--key=` and `-Dkey=` in text. A key is
// [A-Za-z_][A-Za-z0-9_.-]* after at most two dashes, not inside a path.
func keyValues(text string, fn func(key string, at int)) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '=' && c != ':' {
			continue
		}
		sepEnd := i + 1
		switch {
		case c == ':' && sepEnd < len(text) && text[sepEnd] == '=':
			sepEnd++ // :=
		case c == '=' && i > 0 && (text[i-1] == ':' || text[i-1] == '=' || text[i-1] == '!'):
			continue // := read at the colon; == and != compare
		case c == '=' && sepEnd < len(text) && text[sepEnd] == '=':
			continue
		}
		j := i
		for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t') {
			j--
		}
		if j > 0 && (text[j-1] == '"' || text[j-1] == '\'') {
			j--
		}
		end := j
		for j > 0 && keyByte(text[j-1]) {
			j--
		}
		key := text[j:end]
		name := strings.TrimLeft(key, "-")
		if name == "" || len(key)-len(name) > 2 || !(isLetter(name[0]) || name[0] == '_') {
			continue
		}
		if j > 0 && (text[j-1] == '"' || text[j-1] == '\'') {
			j--
		}
		if j > 0 && text[j-1] == '/' {
			continue
		}
		at := sepEnd
		for at < len(text) && (text[at] == ' ' || text[at] == '\t') {
			at++
		}
		fn(key, at)
		i = sepEnd - 1
	}
}

// longFlags calls fn with every `--flag value` (a space between) and
// `"--flag", "value"` (exec form) in text and the value's offset;
// `--flag=value` is a key-value pair.
func longFlags(text string, fn func(flag string, at int)) {
	for i := 0; ; {
		k := strings.Index(text[i:], "--")
		if k < 0 {
			return
		}
		start := i + k
		i = start + 2
		if start > 0 && !strings.ContainsRune(" \t\n\"'(", rune(text[start-1])) {
			continue
		}
		j := i
		if j >= len(text) || !isLetter(text[j]) {
			continue
		}
		for j < len(text) && (keyByte(text[j]) && text[j] != '.') {
			j++
		}
		flag := text[start:j]
		i = j
		switch {
		case j < len(text) && (text[j] == ' ' || text[j] == '\t'):
			for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			fn(flag, j)
		case start > 0 && text[start-1] == '"' && j < len(text) && text[j] == '"':
			j++
			for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
				j++
			}
			if j < len(text) && text[j] == ',' {
				j++
				for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
					j++
				}
				fn(flag, j)
			}
		}
	}
}

func keyByte(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func qualifiedFlag(flag string) bool {
	// A qualifier word is in the flag's text: most flags are not split.
	if l := strings.ToLower(flag); !strings.Contains(l, "stdin") && !strings.Contains(l, "prompt") && !strings.Contains(l, "interactive") {
		return false
	}
	for _, w := range SplitWords(flag) {
		if flagQualifiers[w] {
			return true
		}
	}
	return false
}

// authHeader reports whether a header name carries credentials after an
// authentication scheme.
func authHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "authorization" || n == "proxy-authorization"
}

// skipAuthScheme moves past "Bearer " or "Basic " after an Authorization
// header name.
func skipAuthScheme(text string, at int) int {
	i := at
	for i < len(text) && unicode.IsLetter(rune(text[i])) {
		i++
	}
	if authSchemes[strings.ToLower(text[at:i])] && i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
		return i
	}
	return at
}

// shellWordAt reads a quoted or bare shell word at offset at and returns
// the offsets of its content.
func shellWordAt(text string, at int) (int, int) {
	if at >= len(text) {
		return at, at
	}
	if q := text[at]; q == '"' || q == '\'' {
		end := strings.IndexByte(text[at+1:], q)
		nl := strings.IndexByte(text[at+1:], '\n')
		if end < 0 || (nl >= 0 && nl < end) {
			return at, at
		}
		return at + 1, at + 1 + end
	}
	i := at
	for i < len(text) && !strings.ContainsRune(" \t\n\"'`;&|,)}\\<>", rune(text[i])) {
		i++
	}
	return at, i
}

func dedupeAssignments(in []textAssignment) []textAssignment {
	return firstOfOverlapping(in, func(a textAssignment) (int, int) { return a.start, a.end })
}

// textPlaceholders mark values of free text written to be replaced, or
// that name what they stand for ("password=secret123"): in a RUN line these
// are examples and test fixtures far more often than credentials.
var textPlaceholders = []string{
	"example", "changeme", "change_me", "change-me", "changeit", "placeholder", "your", "dummy",
	"sample", "redacted", "replace", "fixme", "todo", "xxxx", "****", "fake", "insert",
	"password", "passwd", "secret", "token", "test",
}

var (
	hexOnly  = lazyRegexp(`^(?:0x)?[0-9A-Fa-f-]+$`)
	hostLike = lazyRegexp(`^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::[0-9]+)?$`)
)

var textFileName = lazyRegexp(`(?i)^[\w.-]+\.(?:txt|json|ya?ml|pem|key|crt|cer|env|conf|cfg|ini|properties|xml|toml|sh|p12|pfx|jks|gpg|asc)$`)

// toolPasswordKeys are the command patterns whose value a tool takes as
// its password for a remote server and nothing else: there a weak literal
// (admin, a word and a digit) is the password the build logs in with, as a
// weak ENV password is the one the container runs with, so the ENV rules'
// bar decides, not free text's entropy. mysql -proot and root:root |
// chpasswd set up the image's own throw-away accounts and keep free
// text's bar.
var toolPasswordKeys = map[string]bool{"curl -u": true, "docker login -p": true, "sshpass -p": true}

// toolPassword reports whether v, the value of a tool's password slot key,
// is a literal word: no reference, substitution or template, no option or
// path.
func toolPassword(key, v string) bool {
	return toolPasswordKeys[key] && len(v) <= 1024 && !strings.ContainsAny(v, "$`{}<>% \t") &&
		!strings.HasPrefix(v, "-") && !strings.HasPrefix(v, "/")
}

// textSecret is the bar a value in free text must pass on top of the ENV
// and ARG rules' one: free text is shell, so the value must be one word of
// enough length and entropy, not a reference, path, option or placeholder.
// Short passwords have few distinct characters, so three character classes
// lower the entropy needed.
func textSecret(v string) bool {
	if !textShaped(v) {
		return false
	}
	lv := strings.ToLower(v)
	for _, w := range textPlaceholders {
		if strings.Contains(lv, w) {
			return false
		}
	}
	classes := charClasses(v)
	e := shannonEntropy(v)
	if !(e >= 3.5 || (classes >= 3 && e >= 2.8) || (classes >= 2 && len(v) >= 16 && e >= 3.2)) {
		return false
	}
	// The regexps last: they were most of this function's cost, and most
	// values fail the cheaper tests above.
	return !textFileName().MatchString(v) && !hostLike().MatchString(v)
}

// textShaped is the part of textSecret that reads only the value's length
// and its first bytes: one word, not a reference, path or option.
func textShaped(v string) bool {
	if len(v) < 8 || len(v) > 1024 || strings.ContainsAny(v, "$`{}<>% \t") {
		return false
	}
	return !(strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") ||
		strings.HasPrefix(v, "~") || strings.HasPrefix(v, "-") || strings.Contains(v, "://"))
}

func charClasses(s string) int {
	var lower, upper, digit, other int
	for _, r := range s {
		switch {
		case unicode.IsLower(r):
			lower = 1
		case unicode.IsUpper(r):
			upper = 1
		case unicode.IsDigit(r):
			digit = 1
		default:
			other = 1
		}
	}
	return lower + upper + digit + other
}

// shannonEntropy is the entropy of s in bits per byte.
func shannonEntropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	e := 0.0
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			e -= p * math.Log2(p)
		}
	}
	return e
}
