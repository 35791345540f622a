package checks

import "sort"

// SecretLikeRanges returns the byte ranges [start, end) of text, in order and
// without overlaps, that hold a known token format (FindTokens) or a word
// that looks generated: the safety net for text that leaves the engine
// (suggestions, suppression reasons, messages quoting YAML), whatever the
// rules found. Words are split at white space, quotes and shell and URL
// punctuation, so that a path or a URL is judged piece by piece. Hex words
// are left out: checksums and image digests fill RUN lines, and a hex
// credential of a known vendor is a token format.
func SecretLikeRanges(text string) [][2]int {
	var out [][2]int
	for _, t := range FindTokens(text) {
		// The whole word goes: a token that gitleaks reads in part (its
		// regexp stops at a length) leaves no tail behind.
		start, end := t.Start, t.End
		for start > 0 && !isWordBreak[text[start-1]] {
			start--
		}
		for end < len(text) && !isWordBreak[text[end]] {
			end++
		}
		out = append(out, [2]int{start, end})
	}
	start := -1
	flush := func(end int) {
		if start >= 0 && generatedWord(text[start:end]) && !overlapsAny(start, end, out) {
			out = append(out, [2]int{start, end})
		}
		start = -1
	}
	for i := 0; i < len(text); i++ {
		if isWordBreak[text[i]] {
			flush(i)
		} else if start < 0 {
			start = i
		}
	}
	flush(len(text))
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// wordBreaks end a word for SecretLikeRanges.
const wordBreaks = " \t\r\n\"'`=,;|&()<>{}[]$\\@:/#*!?"

// isWordBreak tells the bytes of wordBreaks: a look-up per byte of a text,
// where a search of wordBreaks read it.
var isWordBreak = func() (t [256]bool) {
	for i := 0; i < len(wordBreaks); i++ {
		t[wordBreaks[i]] = true
	}
	return t
}()

// generatedWord is a word of at least 16 characters that generatedValue
// takes for key material, with the entropy that hardcoded-secret asks of a
// word in free text, whose letters and digits change case or kind at two
// bytes in five or more: random text of three classes does at two in three,
// names with digits (MyService2024Client, tool_Linux_x86_64.tar.gz) at one in
// three.
func generatedWord(w string) bool {
	return len(w) >= 16 && generatedValue(w) && !hexOnly().MatchString(w) && valueEntropy(w) >= 3.5 && 5*classRuns(w) >= 2*len(w)
}

// classRuns counts the runs of lower-case letters, upper-case letters and
// digits in w.
func classRuns(w string) int {
	n, prev := 0, 0
	for i := 0; i < len(w); i++ {
		c := 0
		switch b := w[i]; {
		case b >= 'a' && b <= 'z':
			c = 1
		case b >= 'A' && b <= 'Z':
			c = 2
		case b >= '0' && b <= '9':
			c = 3
		}
		if c != 0 && c != prev {
			n++
		}
		prev = c
	}
	return n
}
