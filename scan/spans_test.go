package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// maskOf is the span mask of lines that form one instruction, where a
// finding reported each of secrets.
func maskOf(lines []string, escape rune, secrets ...string) *spanMask {
	src := source{lines: lines, ranges: [][2]int{{1, len(lines)}}, escape: escape}
	var found []foundSecret
	for _, s := range secrets {
		found = append(found, foundSecret{s, 1, 1})
	}
	return newSpanMask(src, found)
}

// maskedLine is line ln (1-based) of lines as sm masks it.
func maskedLine(sm *spanMask, lines []string, ln int) string {
	if lm := sm.lines[ln]; lm != nil {
		return lm.masked
	}
	return lines[ln-1]
}

func TestSpanMask(t *testing.T) {
	tok := "ghp_" + "q8Xw2Lm5FAKERt9Vy3Np7Kd1Hs6Bf4Gj0CxZ"
	a, b := tok[:16], tok[16:]
	for _, tc := range []struct {
		name   string
		escape rune
		lines  []string
		want   []string // the masked lines
	}{
		{"verbatim", 0, []string{"ENV T=" + tok + " X=1"}, []string{"ENV T=ghp_…(40 chars) X=1"}},
		{"continuation", 0, []string{"ENV T=" + a + "\\", b, "RUN x"}, []string{"ENV T=ghp_…(40 chars)\\", "…", "RUN x"}},
		{"blank after the escape", 0, []string{"ENV T=" + a + "\\  ", b}, []string{"ENV T=ghp_…(40 chars)\\  ", "…"}},
		{"backtick", '`', []string{"ENV T=" + a + "`", b}, []string{"ENV T=ghp_…(40 chars)`", "…"}},
		{"escape", 0, []string{"ENV T=" + a + "\\" + b}, []string{"ENV T=ghp_…(40 chars)"}},
		{"quotes", 0, []string{`ENV T="` + a + `"'` + b + `'`}, []string{`ENV T="ghp_…(40 chars)'`}},
		{"reference", 0, []string{"ENV T=" + a + "${EMPTY}" + b}, []string{"ENV T=ghp_…(40 chars)"}},
		{"default word", 0, []string{"ENV T=" + a + "${X:-" + b[:4] + "}" + b[4:]}, []string{"ENV T=ghp_…(40 chars)"}},
		{"comment", 0, []string{"ENV T=" + a + "\\", "# note", "", b + " \\", "  Y=1"}, []string{"ENV T=ghp_…(40 chars)\\", "# note", "", "… \\", "  Y=1"}},
		{"twice", 0, []string{"RUN a " + tok, "RUN b " + a + "\\", b}, []string{"RUN a ghp_…(40 chars)", "RUN b ghp_…(40 chars)\\", "…"}},
		{"not there", 0, []string{"ENV T=" + a + "\\", "other"}, []string{"ENV T=" + a + "\\", "other"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sm := maskOf(tc.lines, tc.escape, tok)
			var got []string
			for i := range tc.lines {
				got = append(got, maskedLine(sm, tc.lines, i+1))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("masked lines (-want +got):\n%s", diff)
			}
			// A text a rule built from the lines, with a prefix of its own
			// on the first (the RUN that gains a mount), is masked alike.
			text := "RUN --mount=type=secret " + strings.Join(tc.lines, "\n")
			if diff := cmp.Diff("RUN --mount=type=secret "+strings.Join(tc.want, "\n"), sm.text(text)); diff != "" {
				t.Errorf("masked text (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpanMaskProseKeepsPlainWords(t *testing.T) {
	sm := maskOf([]string{`RUN curl https://admin:pass\`, `word@db/`}, 0, "password")
	if got := sm.prose("the password is in the URL"); got != "the password is in the URL" {
		t.Errorf("prose: %q", got)
	}
	if got := maskedLine(sm, []string{`RUN curl https://admin:pass\`, `word@db/`}, 1); got != `RUN curl https://admin:…(8 chars)\` {
		t.Errorf("line 1: %q", got)
	}
}

// TestSpanMaskBounded: a file made to make the walk backtrack stops at
// the budget instead of running for minutes.
func TestSpanMaskBounded(t *testing.T) {
	line := strings.Repeat(`a"`, 20000)
	sm := maskOf([]string{line}, 0, strings.Repeat("a", 5000)+"b")
	if len(sm.lines) != 0 {
		t.Errorf("a secret that is not in the file masked %d lines", len(sm.lines))
	}
}

func TestRedactWords(t *testing.T) {
	tok := "AKIA" + "QX7ZFAKER2LW5NT3"
	got := redactWords(`step "deploy ` + tok + `": ${{ secrets.X }} cannot be resolved`)
	if want := `step "deploy AKIA…(20 chars)": ${{ secrets.X }} cannot be resolved`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSpanMaskLinesEndingAlike: a line that ends like a piece of another
// secret's continuation is masked as its own line.
func TestSpanMaskLinesEndingAlike(t *testing.T) {
	s1, s2 := "ghp_FAKEsplitQ8Xw2L1Rt9Vy3Np7Kd1Hs6Bf4Gj", "ghp_FAKEsplitQ8Xw2L2Rt9Vy3Np7Kd1Hs6Bf4Gj"
	lines := []string{`ENV T1=ghp_FAKEsplitQ8Xw2L1\`, `Rt9Vy3Np7Kd1Hs6Bf4Gj`, `ENV T2="ghp_FAKEsplitQ8Xw2L2"'Rt9Vy3Np7Kd1Hs6Bf4Gj`}
	sm := maskOf(lines, 0, s1, s2)
	if got, want := sm.text(lines[2]), `ENV T2="ghp_…(40 chars)`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSpanMaskOverlappingSecrets: a secret inside another, or two that
// overlap, are masked as one range shown as the longer one.
func TestSpanMaskOverlappingSecrets(t *testing.T) {
	tok := "ghp_" + "q8Xw2Lm5FAKERt9Vy3Np7Kd1Hs6Bf4Gj0CxZ"
	lines := []string{"RUN x=" + tok + "tail9Zq"}
	sm := maskOf(lines, 0, tok[4:20], tok, tok[30:]+"tail9Zq")
	if got, want := maskedLine(sm, lines, 1), "RUN x=ghp_…(40 chars)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSpanMaskWork: each secret is walked over the instruction it was found
// in, not over the whole file: thousands of secrets in one file cost work
// in proportion to the file, not to the file times the secrets (which took
// seconds).
func TestSpanMaskWork(t *testing.T) {
	const n = 2000
	src := source{}
	var found []foundSecret
	for i := range n {
		tok := fmt.Sprintf("ghp_FAKEwork%04dQ8Xw2L1Rt9Vy3Np7Kd1Hs6Bf", i)
		ln := len(src.lines) + 1
		src.lines = append(src.lines, "ENV T="+tok[:20]+"\\", tok[20:])
		src.ranges = append(src.ranges, [2]int{ln, ln + 1})
		found = append(found, foundSecret{tok, ln, ln})
	}
	sm := newSpanMask(src, found)
	if len(sm.order) != 2*n {
		t.Errorf("%d masked lines, want %d", len(sm.order), 2*n)
	}
	if limit := n * 100; sm.work > limit {
		t.Errorf("the walks took %d steps, want at most %d", sm.work, limit)
	}
}
