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
	root [256]int32 // node after a text's first byte; 0: no keyword starts so
	// pairBits has a bit for each pair of first two bytes that a keyword
	// starts with: 8 KiB that stay in the cache, where most positions of a
	// text end; pairs (256 KiB) is read only for the pairs that are set.
	pairBits [1 << 10]uint64
	pairs    []int32 // node after its first two bytes, by b0<<8|b1
	nodes    []keywordNode
	links    []keywordLink // the nodes' links, each node's together, sorted by byte
	// single tells whether any keyword is one byte long; without one, a
	// walk does not look for a keyword ending at a first byte.
	single bool
}

type keywordNode struct {
	word         int32 // index of the keyword ending here; -1: none
	first, count int32 // the node's links: links[first:first+count]
}

type keywordLink struct {
	b  byte
	to int32
}

// newKeywordIndex indexes words (non-empty, compared byte for byte).
func newKeywordIndex(words []string) *keywordIndex {
	// A trie with a map of links per node, then laid out flat.
	type node struct {
		word  int32
		links map[byte]int32
	}
	nodes := []node{{word: -1}} // node 0 is "none"
	add := func() int32 {
		nodes = append(nodes, node{word: -1, links: map[byte]int32{}})
		return int32(len(nodes) - 1)
	}
	x := &keywordIndex{}
	for w, word := range words {
		if word == "" {
			continue
		}
		n := x.root[word[0]]
		if n == 0 {
			n = add()
			x.root[word[0]] = n
		}
		for i := 1; i < len(word); i++ {
			next, ok := nodes[n].links[word[i]]
			if !ok {
				next = add()
				nodes[n].links[word[i]] = next
			}
			n = next
		}
		nodes[n].word = int32(w)
		x.single = x.single || len(word) == 1
	}
	x.nodes = make([]keywordNode, len(nodes))
	for i, n := range nodes {
		first := len(x.links)
		for b, to := range n.links {
			x.links = append(x.links, keywordLink{b: b, to: to})
		}
		links := x.links[first:]
		sort.Slice(links, func(a, b int) bool { return links[a].b < links[b].b })
		x.nodes[i] = keywordNode{word: n.word, first: int32(first), count: int32(len(links))}
	}
	x.pairs = make([]int32, 1<<16)
	for b0, n := range x.root {
		if n == 0 {
			continue
		}
		for _, l := range x.linksOf(n) {
			p := b0<<8 | int(l.b)
			x.pairs[p] = l.to
			x.pairBits[p>>6] |= 1 << (p & 63)
		}
	}
	return x
}

func (x *keywordIndex) linksOf(n int32) []keywordLink {
	nd := x.nodes[n]
	return x.links[nd.first : nd.first+nd.count]
}

// link follows n's link for b; 0 when there is none. Nodes have few links
// (one, mostly), so a scan beats a binary search.
func (x *keywordIndex) link(n int32, b byte) int32 {
	for _, l := range x.linksOf(n) {
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
		if x.single {
			if n := x.root[c]; n != 0 {
				if w := x.nodes[n].word; w >= 0 {
					found(int(w), i)
				}
			}
		}
		if i+1 == len(text) {
			break
		}
		// Most positions end here, on the bits of the pairs.
		p := int(c)<<8 | int(asciiFold[text[i+1]])
		if x.pairBits[p>>6]&(1<<(p&63)) == 0 {
			continue
		}
		n := x.pairs[p]
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
