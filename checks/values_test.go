package checks

import "testing"

// TestValueClasses checks every example of every value class: a clean
// example is cleared by its own class (and by no earlier one that would
// hide it) and is no literal secret; a kept example is a literal secret.
func TestValueClasses(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range valueClasses {
		if c.id == "" || seen[c.id] {
			t.Errorf("value class %q: empty or duplicate ID", c.id)
		}
		seen[c.id] = true
		if len(c.clean) == 0 || len(c.kept) == 0 {
			t.Errorf("value class %s: needs clean and kept examples", c.id)
		}
		for _, ex := range c.clean {
			v := ReadValue(ex[1], 0)
			if got := harmlessClass(ex[0], v); got != c.id {
				t.Errorf("%s=%s: cleared by %q, want %q", ex[0], ex[1], got, c.id)
			}
			if LiteralSecret(ex[0], v, nil) {
				t.Errorf("%s=%s: a literal secret, want clean (%s)", ex[0], ex[1], c.id)
			}
		}
		for _, ex := range c.kept {
			v := ReadValue(ex[1], 0)
			if got := harmlessClass(ex[0], v); got != "" {
				t.Errorf("%s=%s: cleared by %q, want a secret", ex[0], ex[1], got)
			}
			if !LiteralSecret(ex[0], v, nil) {
				t.Errorf("%s=%s: not a literal secret, want one (kept by %s)", ex[0], ex[1], c.id)
			}
		}
	}
}
