package checks

// The keyword prefilters of the RUN readers: a RUN's script is parsed only
// when its text holds a word that every command a reader acts on holds.
// The text searched is what the parser reads, heredoc bodies included,
// with the quotes and backslashes that the façade takes out of words taken
// out first: no word of a parsed command holds a keyword that the text
// does not, so a RUN the prefilter passes over would have given the reader
// nothing.

import (
	"path"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

var quoteStripper = strings.NewReplacer(`"`, "", `'`, "", `\`, "")

// runText returns the text of a RUN that the prefilters search.
func runText(run *instructions.RunCommand) string {
	var b strings.Builder
	for _, a := range run.CmdLine {
		b.WriteString(a)
		b.WriteByte('\n')
	}
	for _, f := range run.Files {
		b.WriteString(f.Data)
		b.WriteByte('\n')
	}
	s := b.String()
	if strings.ContainsAny(s, `"'\`) {
		s = quoteStripper.Replace(s)
	}
	return s
}

// runTextHas reports whether text holds one of x's words.
func runTextHas(x *keywordIndex, text string) bool {
	found := false
	x.walk(lowerBeyondASCII(text), func(int, int) { found = true })
	return found
}

// runEffectsWords are what the RUN-effects walker looks for besides a
// secret mount: every file it records holds a credential file's name
// (SecretPath) in its path, is written by ssh-keygen, or is the
// credential file of a tool of the credential table. The first `direct`
// words suffice alone; a tool's words (tools[i]) count all together.
var runEffectsWords = sync.OnceValue(func() (x struct {
	index  *keywordIndex
	direct int
	n      int
	tools  [][]int
}) {
	words := append([]string{"ssh-keygen"}, secretPathWords...)
	x.direct = len(words)
	at := map[string]int{}
	for _, t := range credentialTools {
		if t.undo || !writesSecretFile(t) {
			continue
		}
		var ids []int
		for _, w := range strings.Fields(t.cmd) {
			k, ok := at[w]
			if !ok {
				k = len(words)
				at[w] = k
				words = append(words, w)
			}
			ids = append(ids, k)
		}
		x.tools = append(x.tools, ids)
	}
	x.index, x.n = newKeywordIndex(words), len(words)
	return x
})

// writesSecretFile reports a tool whose own file, by default, is a
// credential file by its name.
func writesSecretFile(t credentialTool) bool {
	for _, f := range t.files(nil) {
		if rest, ok := strings.CutPrefix(f, "~/"); ok {
			f = path.Join("/root", rest)
		}
		if _, ok := SecretPath(f); ok {
			return true
		}
	}
	return false
}

// runMayWriteSecret is the RUN-effects walker's prefilter: whether the RUN
// mounts a secret, or its script, working folder and home hold one of
// runEffectsWords.
func runMayWriteSecret(in *Instruction, run *instructions.RunCommand, st stageShellState) bool {
	for _, f := range in.Node.Flags {
		if strings.Contains(strings.ToLower(f), "secret") {
			return true
		}
	}
	x := runEffectsWords()
	// The pieces of the text are walked one by one rather than joined: no
	// word holds the newline that runText puts between them, so they find
	// what a walk of the joined text finds, and every RUN of a tree is
	// asked, most of them holding no word.
	var buf [64]bool
	found := buf[:0]
	if x.n <= len(buf) {
		found = buf[:x.n]
	} else {
		found = make([]bool, x.n)
	}
	mark := func(w, _ int) { found[w] = true }
	walk := func(text string, unquote bool) {
		if unquote && strings.ContainsAny(text, `"'\`) {
			text = quoteStripper.Replace(text)
		}
		x.index.walk(lowerBeyondASCII(text), mark)
	}
	for _, a := range run.CmdLine {
		walk(a, true)
	}
	for _, f := range run.Files {
		walk(f.Data, true)
	}
	walk(st.dir, false)
	walk(st.home, false)
	return effectsWordsFound(found)
}

// effectsWordsFound reports whether the runEffectsWords found (by index)
// call for the walker: a direct word, or all the words of a tool.
func effectsWordsFound(found []bool) bool {
	x := runEffectsWords()
	for _, f := range found[:x.direct] {
		if f {
			return true
		}
	}
tools:
	for _, ids := range x.tools {
		for _, k := range ids {
			if !found[k] {
				continue tools
			}
		}
		return true
	}
	return false
}
