package checks

import "sort"

// keywordIndex finds which of a fixed set of keywords occur in a text. It
// is a trie walked from every position of the text. Aho-Corasick's trie in
// BobuSumisu/aho-corasick (gitleaks' own) keeps a 256-entry table of 8-byte
// links for every state: 2.4 MiB for gitleaks' 300 keywords, held for the
// whole scan, a tenth of a monorepo scan's live heap. Here the first byte
// and the first two bytes have tables (256 KiB); deeper states list their
// few links. Keywords are short and most positions of a text fail on the
// table of pairs, so the walk costs about what the automaton's does.
type keywordIndex struct {
	root  [256]int32 // node after a text's first byte; 0: no keyword starts so
	pairs []int32    // node after its first two bytes, by b0<<8|b1 (256 KiB)
	nodes []keywordNode
	// single tells whether any keyword is one byte long; without one, a
	// walk does not look for a keyword ending at a first byte.
	single bool
}

type keywordNode struct {
	links []keywordLink // sorted by byte
	word  int32         // index of the keyword ending here; -1: none
}

type keywordLink struct {
	b  byte
	to int32
}

// newKeywordIndex indexes words (non-empty, compared byte for byte).
func newKeywordIndex(words []string) *keywordIndex {
	x := &keywordIndex{nodes: []keywordNode{{word: -1}}} // node 0 is "none"
	for w, word := range words {
		if word == "" {
			continue
		}
		n := x.root[word[0]]
		if n == 0 {
			n = x.node()
			x.root[word[0]] = n
		}
		for i := 1; i < len(word); i++ {
			next := x.link(n, word[i])
			if next == 0 {
				next = x.node()
				links := append(x.nodes[n].links, keywordLink{b: word[i], to: next})
				sort.Slice(links, func(a, b int) bool { return links[a].b < links[b].b })
				x.nodes[n].links = links
			}
			n = next
		}
		x.nodes[n].word = int32(w)
		x.single = x.single || len(word) == 1
	}
	x.pairs = make([]int32, 1<<16)
	for b0, n := range x.root {
		if n == 0 {
			continue
		}
		for _, l := range x.nodes[n].links {
			x.pairs[b0<<8|int(l.b)] = l.to
		}
	}
	return x
}

func (x *keywordIndex) node() int32 {
	x.nodes = append(x.nodes, keywordNode{word: -1})
	return int32(len(x.nodes) - 1)
}

// link follows n's link for b; 0 when there is none. Nodes have few links
// (one, mostly), so a scan beats a binary search.
func (x *keywordIndex) link(n int32, b byte) int32 {
	for _, l := range x.nodes[n].links {
		if l.b >= b {
			if l.b == b {
				return l.to
			}
			break
		}
	}
	return 0
}

// walk calls found with the index of every keyword at every place it occurs
// in text, and that place, by start position. Text is read with its ASCII
// letters lower-cased (the keywords are lower case): what a walk of a
// lower-cased copy finds, without the copy, which every instruction with
// an upper-case keyword needed.
func (x *keywordIndex) walk(text string, found func(word, start int)) {
	for i := 0; i < len(text); i++ {
		c := asciiFold[text[i]]
		n := x.root[c]
		if n == 0 {
			continue
		}
		if x.single {
			if w := x.nodes[n].word; w >= 0 {
				found(int(w), i)
			}
		}
		if i+1 == len(text) {
			break
		}
		// Most positions end here, on the table of pairs.
		n = x.pairs[int(c)<<8|int(asciiFold[text[i+1]])]
		for j := i + 2; n != 0; j++ {
			if w := x.nodes[n].word; w >= 0 {
				found(int(w), i)
			}
			if j == len(text) {
				break
			}
			n = x.link(n, asciiFold[text[j]])
		}
	}
}

// asciiFold maps a byte to its lower case when it is an ASCII letter, to
// itself otherwise.
var asciiFold = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()
