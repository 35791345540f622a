package scan

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/stowaway-dev/stowaway/checks"
)

// streamTree has a finding on a file that is not a target (the Compose
// file that passes a secret build argument), sorting before the Dockerfile
// that reports it and after another Dockerfile's findings.
var streamTree = fstest.MapFS{
	"a/Dockerfile":       {Data: []byte("FROM alpine:3.20\nENV API_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ456789\n")},
	"app/.env":           {Data: []byte("DB_PASSWORD=s3cr3t-Zq81vLx0\n")},
	"app/Dockerfile":     {Data: []byte("FROM alpine:3.20\nCOPY . /app\n")},
	"docker-compose.yml": {Data: []byte("services:\n  api:\n    build:\n      context: zz\n      args:\n        GITHUB_TOKEN: ghp_0123456789abcdefghijABCDEFGHIJ456789\n")},
	"b/id_rsa":           {Data: []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n")},
	"e/Dockerfile":       {Data: []byte("FROM alpine:3.20\nENV PASSWORD=hunter2-Zq81vLx0\n")},
	"zz/Dockerfile":      {Data: []byte("FROM alpine:3.20\nCOPY . /src\nARG GITHUB_TOKEN\n")},
	"zz/app/Dockerfile":  {Data: []byte("FROM alpine:3.20\nENV PASSWORD=hunter2-Zq81vLx0\n")},
}

// orderSink keeps the findings as they come.
type orderSink struct {
	Collect
	got []Finding
	err error // returned by Finding
}

func (s *orderSink) Finding(f Finding) error {
	s.got = append(s.got, f)
	return s.err
}

func TestStreamOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 8} {
		var s orderSink
		if err := Stream(context.Background(), streamTree, []string{"."}, Options{Workers: workers}, &s); err != nil {
			t.Fatal(err)
		}
		if len(s.got) < 4 {
			t.Fatalf("workers %d: %d findings, want at least 4", workers, len(s.got))
		}
		if !slices.IsSortedFunc(s.got, func(a, b Finding) int { return compareFindings(&a, &b) }) {
			for _, f := range s.got {
				t.Logf("%s:%d %s", f.Path, f.Region.StartLine, f.RuleID)
			}
			t.Errorf("workers %d: findings out of order", workers)
		}
		targets := s.Result.Files
		foreign := 0
		for _, f := range s.got {
			if !slices.Contains(targets, f.Path) {
				foreign++
			}
		}
		if foreign == 0 {
			t.Errorf("workers %d: no finding on a file that is not a target; the test tree lost its point", workers)
		}
	}
}

// TestOmitContexts checks that leaving out the build contexts changes
// nothing else in the result.
func TestOmitContexts(t *testing.T) {
	var with, without Collect
	if err := Stream(context.Background(), streamTree, []string{"."}, Options{}, &with); err != nil {
		t.Fatal(err)
	}
	if err := Stream(context.Background(), streamTree, []string{"."}, Options{OmitContexts: true}, &without); err != nil {
		t.Fatal(err)
	}
	if len(with.Result.Contexts) == 0 {
		t.Fatal("no build contexts in the full result; the test tree lost its point")
	}
	if len(without.Result.Contexts) != 0 {
		t.Errorf("OmitContexts kept %d build contexts", len(without.Result.Contexts))
	}
	with.Result.Contexts = nil
	if !reflect.DeepEqual(with.Result, without.Result) {
		t.Errorf("results differ beyond their contexts:\n%+v\n%+v", with.Result, without.Result)
	}
}

func TestStreamStopsOnSinkError(t *testing.T) {
	broken := errors.New("disk full")
	s := orderSink{err: broken}
	err := Stream(context.Background(), streamTree, []string{"."}, Options{Workers: 1}, &s)
	if !errors.Is(err, broken) {
		t.Fatalf("Stream = %v, want the sink's error", err)
	}
	if len(s.got) != 1 {
		t.Errorf("the sink heard %d findings after failing, want none", len(s.got)-1)
	}
	if s.Result != nil {
		t.Error("End was called after the sink failed")
	}
}

// TestRelatedRegions checks that related locations are resolved like the
// finding's own region: columns in UTF-16 code units, on the related file's
// text (here the ignore file, indented, after a character outside the BMP).
func TestRelatedRegions(t *testing.T) {
	res := scanMap(t, fstest.MapFS{
		"svc/Dockerfile":    {Data: []byte("FROM alpine:3.20\nCOPY . /app\n")},
		"svc/.dockerignore": {Data: []byte("  😀node_modules  \n")},
	}, Options{Rules: []*checks.Rule{checks.BroadCopy}})
	if len(res.Findings) != 1 {
		t.Fatalf("%d findings, want 1", len(res.Findings))
	}
	f := res.Findings[0]
	if len(f.Related) != 1 || f.Related[0].Path != "svc/.dockerignore" {
		t.Fatalf("related %+v; want the ignore file's", f.Related)
	}
	// Two spaces, then the emoji (two units) and node_modules (12).
	want := Region{StartLine: 1, StartColumn: 3, EndLine: 1, EndColumn: 17}
	if got := f.Related[0].Region; got != want {
		t.Errorf("related region %+v, want %+v", got, want)
	}
}

// TestFindingHeap checks that the heap gives back the least finding it
// holds, with pushes and pops interleaved, against a linear search.
func TestFindingHeap(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var h findingHeap
	var held []pending // what h holds, in no order
	pop := func() {
		least := 0
		for j := range held {
			if (findingHeap{held[j], held[least]}).less(0, 1) {
				least = j
			}
		}
		if p := h.pop(); p.seq != held[least].seq {
			t.Fatalf("pop gave seq %d, want %d", p.seq, held[least].seq)
		}
		held = slices.Delete(held, least, least+1)
	}
	for i := range 2000 {
		p := pending{f: Finding{Path: []string{"a", "b", "c"}[r.IntN(3)], RuleID: []string{"x", "y"}[r.IntN(2)],
			Region: Region{StartLine: r.IntN(4), StartColumn: r.IntN(3)}}, target: r.IntN(5), seq: i}
		h.push(p)
		held = append(held, p)
		for len(held) > 0 && r.IntN(3) == 0 {
			pop()
		}
	}
	for len(held) > 0 {
		pop()
	}
	if h.Len() != 0 {
		t.Errorf("%d findings left in the heap", h.Len())
	}
}
