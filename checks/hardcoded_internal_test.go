package checks

import "testing"

// qualifiedFlag looks for a qualifier in the flag's text before splitting it
// into words: checked against the words alone on random flags.
func TestQualifiedFlagPrefilter(t *testing.T) {
	pieces := []string{"-", "--", "password", "Password", "STDIN", "stdin", "Stdin", "prompt", "Prompt", "interactive",
		"INTERACTIVE", "no", "token", "from", "file", "_", ".", "1", "x"}
	qualified := 0
	randomJoins(5, pieces, 5, 50000, func(flag string) {
		want := false
		for _, w := range SplitWords(flag) {
			want = want || flagQualifiers[w]
		}
		if got := qualifiedFlag(flag); got != want {
			t.Errorf("qualifiedFlag(%q) = %v, its words say %v", flag, got, want)
		}
		if want {
			qualified++
		}
	})
	if qualified < 1000 {
		t.Fatalf("only %d qualified flags checked", qualified)
	}
}
