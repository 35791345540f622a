package scan

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stowaway-dev/stowaway/bench"
	"github.com/stowaway-dev/stowaway/checks"
)

// hostileFS returns the hostile input called name at the given scale.
func hostileFS(t *testing.T, name string, scale float64) fstest.MapFS {
	t.Helper()
	for _, h := range bench.HostileInputs(scale) {
		if h.Name == name {
			fsys := fstest.MapFS{}
			for p, content := range h.Files {
				fsys[p] = &fstest.MapFile{Data: []byte(content)}
			}
			return fsys
		}
	}
	t.Fatalf("no hostile input %q", name)
	return nil
}

// hostileWork scans the input and returns the work steps its files took;
// no file may be left not fully analysed under the default budget.
func hostileWork(t *testing.T, name string, scale float64) int64 {
	t.Helper()
	var mu sync.Mutex
	var total int64
	opts := Options{Config: &Config{}, Timeout: -1, spent: func(_ string, n int64) {
		mu.Lock()
		total += n
		mu.Unlock()
	}}
	res, err := Scan(context.Background(), hostileFS(t, name, scale), []string{"."}, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		if p.Incomplete {
			t.Errorf("%s at scale %v: %s", name, scale, p.Message)
		}
	}
	return total
}

// TestHostileInputsLinear doubles each hostile input that a model made
// super-linear (stage lineage, ARG references and scopes, command patterns
// read from each keyword hit): the work the models count must double with
// it, not grow with its square or worse.
func TestHostileInputsLinear(t *testing.T) {
	for _, name := range []string{"copy-from-fan", "from-chain", "secret-args", "keyword-run", "args-chain"} {
		t.Run(name, func(t *testing.T) {
			half, full := hostileWork(t, name, 0.125), hostileWork(t, name, 0.25)
			if half == 0 {
				t.Fatal("no work counted")
			}
			if r := float64(full) / float64(half); r > 2.5 {
				t.Errorf("work grew %.1f times (%d to %d steps) when the input doubled", r, half, full)
			}
		})
	}
}

// TestHostileIgnoreFile scans the `**/`-heavy ignore file beside a thousand
// files: its probes stay under the context's bound, so it is analysed in
// full.
func TestHostileIgnoreFile(t *testing.T) {
	hostileWork(t, "ignore-stars", 1)
}

func TestWorkBudgetExhausted(t *testing.T) {
	fsys := hostileFS(t, "copy-from-fan", 0.1)
	res, err := Scan(context.Background(), fsys, []string{"."}, Options{Config: &Config{}, WorkBudget: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []Problem
	for _, p := range res.Problems {
		if p.Incomplete {
			got = append(got, p)
		}
	}
	if len(got) != 1 || got[0].Path != "Dockerfile" || got[0].Level != checks.Error ||
		!strings.HasPrefix(got[0].Message, "not fully analysed: its stage lineage took more than the 10 work steps") {
		t.Errorf("problems = %+v, want one error: Dockerfile not fully analysed", res.Problems)
	}
}

func TestContextProbesExhausted(t *testing.T) {
	fsys := hostileFS(t, "ignore-stars", 0.05)
	res, err := Scan(context.Background(), fsys, []string{"."}, Options{Config: &Config{}, ContextLimits: ContextLimits{Probes: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range res.Problems {
		if p.Incomplete && p.Level == checks.Error && strings.Contains(p.Message, "not fully analysed: build context .: matching the 65 patterns of .dockerignore") {
			found = true
		}
	}
	if !found {
		t.Errorf("problems = %+v, want the context not fully analysed", res.Problems)
	}
	for _, c := range res.Contexts {
		if c.Complete {
			t.Errorf("context %s marked complete", c.Dir)
		}
	}
}

func TestDeadline(t *testing.T) {
	fsys := fstest.MapFS{
		"a/Dockerfile": {Data: []byte("FROM alpine\n")},
		"b/Dockerfile": {Data: []byte("FROM alpine\n")},
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, fsys, []string{"."}, Options{Config: &Config{}}); err == nil {
		t.Error("a cancelled scan returned no error")
	}
	res, err := Scan(context.Background(), fsys, []string{"."}, Options{Config: &Config{}, Timeout: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 2 {
		t.Fatalf("problems = %+v, want one per Dockerfile", res.Problems)
	}
	for _, p := range res.Problems {
		if !p.Incomplete || p.Level != checks.Error || !strings.Contains(p.Message, "not fully analysed: the scan's time limit (1ns) ran out") {
			t.Errorf("problem %+v, want not fully analysed", p)
		}
	}
}

// TestContextProbesWeighStars: a pattern's probe costs more for each `**`
// in it, the branches that make its regexp slow.
func TestContextProbesWeighStars(t *testing.T) {
	fsys := fstest.MapFS{"Dockerfile": {Data: []byte("FROM alpine\nCOPY . /app\n")}}
	var ign strings.Builder
	for i := range 10 {
		fmt.Fprintf(&ign, "**/a/**/x%d\n", i)
		fsys[fmt.Sprintf("f%d.txt", i)] = &fstest.MapFile{Data: []byte("x\n")}
	}
	fsys[".dockerignore"] = &fstest.MapFile{Data: []byte(ign.String())}
	// 12 paths and 10 patterns: 120 probes, 1,080 with 8 more per pattern.
	for _, tc := range []struct {
		limit      int64
		incomplete bool
	}{{1000, true}, {2000, false}} {
		res, err := Scan(context.Background(), fsys, []string{"."}, Options{Config: &Config{}, ContextLimits: ContextLimits{Probes: tc.limit}})
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, p := range res.Problems {
			got = got || p.Incomplete
		}
		if got != tc.incomplete {
			t.Errorf("limit %d: not fully analysed %v, want %v (%+v)", tc.limit, got, tc.incomplete, res.Problems)
		}
	}
}
