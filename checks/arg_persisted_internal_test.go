package checks

import (
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// randomDockerfiles returns n Dockerfiles of random lines of the test
// Dockerfiles, under two stages, the second built on the first and copied
// out of, so that stages inherit and carry.
func randomDockerfiles(t *testing.T, seed int64, n int) []*Dockerfile {
	t.Helper()
	var lines []string
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "Dockerfile") {
			return err
		}
		b, err := os.ReadFile(p)
		lines = append(lines, strings.Split(string(b), "\n")...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(seed))
	var out []*Dockerfile
	for len(out) < n {
		var b strings.Builder
		b.WriteString("ARG TOKEN=ghp_0123456789abcdefghijklmnopqrstuvwxyzAB\nFROM alpine AS base\n")
		for i := range 2 + rng.Intn(16) {
			if i == 6 {
				b.WriteString("FROM base AS next\n")
			}
			b.WriteString(lines[rng.Intn(len(lines))])
			b.WriteByte('\n')
		}
		b.WriteString("FROM scratch\nCOPY --from=next / /\n")
		if df, err := ParseDockerfile("Dockerfile", []byte(b.String()), nil); err == nil {
			out = append(out, df)
		}
	}
	return out
}

// TestArgPersistedEmptyScopeReportsNothing checks the cases that
// checkArgPersisted skips with no secret argument in scope: reading an ENV
// or LABEL and a RUN with an empty scope reports nothing.
func TestArgPersistedEmptyScopeReportsNothing(t *testing.T) {
	var got []Finding
	ran, whole := 0, 0
	for _, df := range randomDockerfiles(t, 7, 400) {
		// The whole rule, for a count: the files must give it secrets.
		p := NewPass(nil, df, nil, nil, func(Finding) { whole++ })
		p.Rule, p.State = ArgPersisted, NewState()
		ArgPersisted.Check(p)
		p = NewPass(nil, df, nil, nil, func(f Finding) { got = append(got, f) })
		p.Rule, p.State = ArgPersisted, NewState()
		for _, st := range df.Stages {
			for _, in := range st.Instructions {
				for _, scope := range []argScope{{dir: "/"}, {args: map[string]*argDecl{}, dir: "/"}} {
					switch c := in.Command.(type) {
					case *instructions.EnvCommand:
						reportCopiedPairs(p, in, "ENV", c.Env, scope)
					case *instructions.LabelCommand:
						reportCopiedPairs(p, in, "LABEL", c.Labels, scope)
					case *instructions.RunCommand:
						reportRunWrites(p, st, in, c, scope)
					default:
						continue
					}
					ran++
				}
				if len(got) > 0 {
					t.Fatalf("line %d %q, empty scope: reported %q", in.StartLine, in.Original, got[0].Message)
				}
			}
		}
	}
	if ran < 400 || whole == 0 {
		t.Fatalf("only %d ENV, LABEL and RUN readings, and %d findings of the rule", ran, whole)
	}
}

// TestURLRolesMatchInstructionRoles checks url-credentials' shared roles
// of a one-line instruction against instructionRoles, on random
// Dockerfiles with instructions over several lines and heredocs.
func TestURLRolesMatchInstructionRoles(t *testing.T) {
	one := []lineRole{roleCommand}
	single, several := 0, 0
	for _, df := range randomDockerfiles(t, 8, 400) {
		for _, in := range df.Instructions {
			want := instructionRoles(df, in)
			if got := urlRoles(df, in, one); !cmp.Equal(got, want) {
				t.Fatalf("line %d %q: roles %v, instructionRoles %v", in.StartLine, in.Original, got, want)
			}
			if len(want) == 1 {
				single++
			} else {
				several++
			}
		}
	}
	if single == 0 || several == 0 {
		t.Fatalf("%d one-line and %d longer instructions", single, several)
	}
	if one[0] != roleCommand {
		t.Fatal("a reading changed the shared roles")
	}
}
