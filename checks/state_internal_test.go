package checks

import (
	"reflect"
	"slices"
	"testing"
)

// TestStateReadValue checks that a lexer lent by a scan's state reads a
// value as a fresh one does, whatever the lexer read before: the pool hands
// back lexers that kept the last word's matches.
func TestStateReadValue(t *testing.T) {
	raws := []string{`"$TOKEN"`, `abc`, `${A:-x}$B`, `'unterminated`, "a`$X", `k3j$$x9`, `${X:?gone}`, `"$TOKEN"`}
	st := NewState()
	for range 3 {
		for _, escape := range []rune{0, '\\', '`'} {
			for _, raw := range raws {
				// Refs come in the lexer's map order, either way.
				want, got := ReadValue(raw, escape), st.ReadValue(raw, escape)
				slices.Sort(want.Refs)
				slices.Sort(got.Refs)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("escape %q, %q: pooled lexer read %+v, a fresh one %+v", escape, raw, got, want)
				}
			}
		}
	}
}

// TestStateReincluded checks that the re-include memo answers as the
// computation does, with and without a state.
func TestStateReincluded(t *testing.T) {
	st := NewState()
	for range 2 {
		for _, p := range []string{".env", "**/.env.example", "config/*.pem", "src/**", "docs/v1/*.md"} {
			wp, wk, wg := computeReincludedSecret(p)
			for _, s := range []*State{nil, st} {
				if gp, gk, gg := reincludedSecret(s, p); gp != wp || gk != wk || gg != wg {
					t.Errorf("%q (state %v): %q %q %v, want %q %q %v", p, s != nil, gp, gk, gg, wp, wk, wg)
				}
			}
		}
	}
}
