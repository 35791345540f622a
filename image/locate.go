package image

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/stowaway-dev/stowaway/checks"
)

// How history, layers and Dockerfile lines are tied (BUILDKIT.md): BuildKit
// writes one history entry per instruction of the target's stage chain
// (the target, the stage it is built FROM, and so on up to an image), after
// the base image's own entries; ENV, ARG, LABEL and the like are empty-layer
// entries, and the entries that made a layer are, in order, the image's
// layers. So the chain's instructions are the last entries of the history.
// Two instructions break the one-entry rule (dockerfile2llb, v0.34.2):
// ONBUILD writes no entry (it only adds to the config), and the ONBUILD
// triggers of a stage run, each with an entry, at the start of a stage
// built FROM it. The tie is kept only when every keyword agrees: an image built from
// another Dockerfile, or by another builder, is located on the image.

// place is where a finding sits.
type place struct {
	path    string
	span    checks.Span
	related *checks.Related
}

// locator ties history entries and layers to each other and, with a
// Dockerfile, to its instructions.
type locator struct {
	name  string
	img   *built
	df    *checks.Dockerfile
	chain []link              // the entries of the target's stage chain, root first
	root  *checks.Instruction // the chain's first FROM: where the base image's values sit
	// onbuilds are the target stage's ONBUILD instructions: ONBUILD writes
	// no history entry, and the config's OnBuild holds the target's own
	// triggers, in order.
	onbuilds   []*checks.Instruction
	entryIn    []*checks.Instruction // per history entry; nil when not tied
	layerEntry []int                 // per layer, its history entry; -1 when not known
}

func newLocator(name string, img *built, df *checks.Dockerfile, problem func(checks.Level, string, ...any)) *locator {
	l := &locator{name: name, img: img, df: df}
	hist := img.config.History
	l.layerEntry = make([]int, len(img.layers))
	for i := range l.layerEntry {
		l.layerEntry[i] = -1
	}
	var made []int
	for i, h := range hist {
		if !h.EmptyLayer {
			made = append(made, i)
		}
	}
	if len(made) == len(img.layers) {
		copy(l.layerEntry, made)
	} else if len(hist) > 0 {
		problem(checks.Note, "the history has %d entries that made a layer and the image %d layers: findings in layers do not name a history entry", len(made), len(img.layers))
	}
	if df == nil {
		return l
	}
	if len(df.Targets) == 0 {
		problem(checks.Warning, "%s has no stage to build: findings are located on the image", df.Path)
		return l
	}
	var stages []*checks.Stage
	for st := df.Targets[len(df.Targets)-1]; st != nil && len(stages) <= len(df.Stages); st = st.BaseStage {
		stages = append([]*checks.Stage{st}, stages...)
	}
	l.root = stages[0].From
	for _, st := range stages {
		if st.BaseStage != nil {
			for _, in := range st.BaseStage.Instructions {
				if in.Onbuild != nil {
					l.chain = append(l.chain, link{in: in, cmd: in.Onbuild})
				}
			}
		}
		l.onbuilds = nil
		for _, in := range st.Instructions {
			if in.Cmd != "onbuild" {
				l.chain = append(l.chain, link{in: in, cmd: in})
			} else {
				l.onbuilds = append(l.onbuilds, in)
			}
		}
	}
	off := len(hist) - len(l.chain)
	if off < 0 {
		problem(checks.Warning, "the image history has %d entries, fewer than the %d instructions of %s: findings are located on the image", len(hist), len(l.chain), df.Path)
		l.chain = nil
		return l
	}
	for i, k := range l.chain {
		if kw := parseEntry(hist[off+i].CreatedBy, nil).keyword; kw != strings.ToUpper(k.cmd.Cmd) {
			problem(checks.Warning, "history entry %d (%s) does not match line %d (%s) of %s: the image was not built from it, findings are located on the image",
				off+i, kw, k.in.StartLine, strings.ToUpper(k.cmd.Cmd), df.Path)
			l.chain = nil
			return l
		}
	}
	l.entryIn = make([]*checks.Instruction, len(hist))
	for i, k := range l.chain {
		l.entryIn[off+i] = k.in
	}
	return l
}

// link is one entry of the chain: the instruction it sits on, and the
// command that made it (an ONBUILD's trigger, or the instruction itself).
type link struct {
	in, cmd *checks.Instruction
}

func (l *locator) at(in *checks.Instruction) place {
	if in == nil {
		return place{path: l.name}
	}
	return place{path: l.df.Path, span: checks.Span{Line: in.StartLine, EndLine: in.EndLine}}
}

// entry is where history entry i sits.
func (l *locator) entry(i int) place {
	if i < len(l.entryIn) {
		if in := l.entryIn[i]; in != nil {
			return l.at(in)
		}
		// An entry of the base image: its FROM brought it.
		return l.at(l.root)
	}
	return place{path: l.name}
}

// entryKey identifies entry i across base image updates: its distance from
// the last entry.
func (l *locator) entryKey(i int) int {
	return len(l.img.config.History) - 1 - i
}

// entryName names history entry i for messages.
func (l *locator) entryName(i int, keyword string) string {
	s := fmt.Sprintf("History entry %d", i)
	if keyword != "" {
		s += " (" + keyword + ")"
	}
	if i < len(l.entryIn) && l.entryIn[i] == nil {
		s += " of the base image"
	}
	for li, e := range l.layerEntry {
		if e == i {
			s += fmt.Sprintf(", layer %d (%s),", li, shortDigest(l.img.layers[li].digest))
		}
	}
	return strings.TrimSuffix(s, ",")
}

// onbuild is where trigger i of the config's OnBuild (of n) sits: the
// target's i-th ONBUILD when they are as many, else its last.
func (l *locator) onbuild(i, n int) place {
	if l.entryIn != nil && len(l.onbuilds) == n && i < n {
		return l.at(l.onbuilds[i])
	}
	return l.config("onbuild", "")
}

// layer is where layer i sits: the instruction that made it.
func (l *locator) layer(i int) place {
	if e := l.layerEntry[i]; e >= 0 {
		return l.entry(e)
	}
	return place{path: l.name}
}

// layerName names layer i for messages, with the history entry that made it.
func (l *locator) layerName(i int) string {
	s := fmt.Sprintf("layer %d (%s", i, shortDigest(l.img.layers[i].digest))
	if e := l.layerEntry[i]; e >= 0 {
		s += fmt.Sprintf(", history entry %d", e)
		if kw := parseEntry(l.img.config.History[e].CreatedBy, nil).keyword; kw != "" {
			s += ": " + kw
		}
	}
	return s + ")"
}

// config is where a config value sits: the last instruction of the chain
// that sets it (ENV or LABEL of that name, or the keyword), else the FROM
// whose base image brought it.
func (l *locator) config(keyword, name string) place {
	if l.entryIn == nil {
		return place{path: l.name}
	}
	if keyword == "onbuild" && len(l.onbuilds) > 0 {
		return l.at(l.onbuilds[len(l.onbuilds)-1])
	}
	for i := len(l.chain) - 1; i >= 0; i-- {
		in := l.chain[i].in
		if l.chain[i].cmd.Cmd != keyword {
			continue
		}
		var pairs instructions.KeyValuePairs
		switch c := l.chain[i].cmd.Command.(type) {
		case *instructions.EnvCommand:
			pairs = c.Env
		case *instructions.LabelCommand:
			pairs = c.Labels
		default:
			return l.at(in)
		}
		for _, kv := range pairs {
			if kv.Key == name {
				return l.at(in)
			}
		}
	}
	return l.at(l.root)
}
