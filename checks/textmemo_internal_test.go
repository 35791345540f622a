package checks

import (
	"context"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// memoRules are the rules that read texts through the scan's text memo,
// and those whose findings it leaves to them.
var memoRules = []*Rule{HardcodedSecret, URLCredentials, SecretEnv, SecretArg}

// runMemoRules runs memoRules on one Dockerfile with st, and returns the
// findings and the work steps its budget spent; ok is false for a file that
// is not a Dockerfile.
func runMemoRules(name string, src []byte, st *State) (out []Finding, steps int64, ok bool) {
	df, err := ParseDockerfile(name, src, nil)
	if err != nil {
		return nil, 0, false
	}
	df.Budget = NewBudget(context.Background(), 0)
	p := NewPass(nil, df, nil, nil, func(f Finding) { out = append(out, f) })
	p.State = st
	for _, r := range memoRules {
		p.Rule = r
		r.Check(p)
	}
	return out, df.Budget.Used(), true
}

// TestTextMemoMatchesFreshReading checks that rules reading through a
// scan's text memo find what they find without one, with the same work
// steps spent, on the test Dockerfiles and on random ones made of their
// lines: each file is read twice with one state, so that the second
// reading is all hits.
func TestTextMemoMatchesFreshReading(t *testing.T) {
	var files []string
	var lines []string
	err := filepath.WalkDir("testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "Dockerfile") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, string(b))
		lines = append(lines, strings.Split(string(b), "\n")...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("only %d test Dockerfiles", len(files))
	}
	rng := rand.New(rand.NewSource(1))
	for range 300 {
		var b strings.Builder
		b.WriteString("FROM alpine AS base\n")
		for range 1 + rng.Intn(12) {
			b.WriteString(lines[rng.Intn(len(lines))])
			b.WriteByte('\n')
		}
		files = append(files, b.String())
	}
	st := NewState()
	read := 0
	for round := range 2 {
		for i, src := range files {
			name := "Dockerfile"
			want, wantSteps, ok := runMemoRules(name, []byte(src), nil)
			if !ok {
				continue
			}
			got, gotSteps, _ := runMemoRules(name, []byte(src), st)
			read++
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("round %d, file %d:\n%s\nwith the memo (-without +with):\n%s", round, i, src, diff)
			}
			if gotSteps != wantSteps {
				t.Fatalf("round %d, file %d:\n%s\nspent %d steps with the memo, %d without", round, i, src, gotSteps, wantSteps)
			}
		}
	}
	if read < len(files) {
		t.Fatalf("only %d of %d readings were of Dockerfiles", read, 2*len(files))
	}
	if len(st.texts.texts) == 0 {
		t.Fatal("the memo kept no text")
	}
}

// TestTextMemoBounds checks that the memo keeps no long text and stops
// growing at its bound.
func TestTextMemoBounds(t *testing.T) {
	st := NewState()
	if st.facts(strings.Repeat("x", maxMemoText+1)) != nil {
		t.Error("a text over maxMemoText was kept")
	}
	if st.facts(strings.Repeat("y", maxMemoText)) == nil {
		t.Error("a text of maxMemoText bytes was not kept")
	}
	n := 0
	for i := 0; st.facts(strings.Repeat("w", 100)+strconv.Itoa(i)) != nil; i++ {
		n++
		if n > maxMemoBytes {
			t.Fatal("the memo grows past maxMemoBytes")
		}
	}
	if st.texts.bytes > maxMemoBytes {
		t.Errorf("the memo holds %d bytes, over %d", st.texts.bytes, maxMemoBytes)
	}
	var none *State
	if none.facts("abc") != nil {
		t.Error("a nil state kept a text")
	}
}
