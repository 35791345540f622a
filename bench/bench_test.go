package bench

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/stowaway-dev/stowaway/scan"
)

var (
	monorepoServices = flag.Int("monorepo.services", 10000, "services in the generated monorepo")
	workers          = flag.Int("workers", 0, "workers of the baseline and the scan (0: two per core, the scan's default)")
	monorepoDistinct = flag.Int("monorepo.distinct", 0, "variants of ignore files and Dockerfiles in the generated monorepo (MonorepoOptions.Distinct; 0: the default tree)")
	monorepoDir      = flag.String("monorepo.dir", "", "use this already generated monorepo instead of generating one (go run ./bench/gen)")
)

// The monorepo is generated once per test binary, into a folder removed
// when the benchmarks end; both benchmarks read the same tree.
var (
	monoOnce sync.Once
	monoPath string
	monoTemp string
	monoErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if monoTemp != "" {
		os.RemoveAll(monoTemp)
	}
	os.Exit(code)
}

func monorepo(tb testing.TB) string {
	monoOnce.Do(func() {
		if *monorepoDir != "" {
			monoPath = *monorepoDir
			return
		}
		monoTemp, monoErr = os.MkdirTemp("", "stowaway-monorepo-")
		if monoErr != nil {
			return
		}
		monoPath = monoTemp
		_, monoErr = WriteMonorepo(monoTemp, MonorepoOptions{Services: *monorepoServices, Seed: 1, Distinct: *monorepoDistinct})
	})
	if monoErr != nil {
		tb.Fatalf("generating the monorepo: %v", monoErr)
	}
	return monoPath
}

// realCorpus finds shared/corpus/real in the working directory or one of its
// parents: the repository sits beside shared/ on CI machines and here.
func realCorpus(tb testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "corpus", "real")
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no shared/corpus/real in the working directory or a parent; the real corpus benchmarks need it")
		}
		dir = parent
	}
}

type corpus struct {
	name string
	dir  func(testing.TB) string
}

var corpora = []corpus{{"real", realCorpus}, {"monorepo", monorepo}}

// BenchmarkParseOnly is the floor: walk the tree, read every Dockerfile and
// ignore file, and run BuildKit's parser (parser.Parse, and the ignore file
// reader) on it, over the same workers as the scan. Stowaway's bar is a scan
// at most twice as slow as this.
func BenchmarkParseOnly(b *testing.B) {
	for _, c := range corpora {
		b.Run(c.name, func(b *testing.B) {
			dir := c.dir(b)
			fsys := os.DirFS(dir)
			checkSameFiles(b, dir, fsys)
			measure(b, func() int {
				n, err := parseOnly(fsys, benchWorkers())
				if err != nil {
					b.Fatal(err)
				}
				return n
			})
		})
	}
}

// BenchmarkScan is the full scan with every rule over the same trees,
// through scan.OpenRoot as `stowaway scan` opens them, so that the cost of
// refusing symlinks out of the tree is counted.
func BenchmarkScan(b *testing.B) {
	for _, c := range corpora {
		b.Run(c.name, func(b *testing.B) {
			dir := c.dir(b)
			root, err := scan.OpenRoot(dir)
			if err != nil {
				b.Fatal(err)
			}
			defer root.Close()
			benchScan(b, dir, root.FS())
		})
	}
}

// BenchmarkScanDirFS is BenchmarkScan through os.DirFS, the file system the
// baseline reads: the difference between the two is the cost of refusing
// paths out of the tree.
func BenchmarkScanDirFS(b *testing.B) {
	for _, c := range corpora {
		b.Run(c.name, func(b *testing.B) {
			dir := c.dir(b)
			benchScan(b, dir, os.DirFS(dir))
		})
	}
}

func benchScan(b *testing.B, dir string, fsys fs.FS) {
	checkSameFiles(b, dir, fsys)
	findings := 0
	measure(b, func() int {
		res, err := scan.Scan(context.Background(), fsys, []string{"."}, scan.Options{Workers: benchWorkers()})
		if err != nil {
			b.Fatal(err)
		}
		findings = len(res.Findings)
		return len(res.Files)
	})
	b.ReportMetric(float64(findings), "findings/op")
}

// measure runs op in the benchmark loop and reports files per second, CPU
// per thousand files and the memory peaks seen while it ran. op returns the
// number of files it read.
func measure(b *testing.B, op func() int) {
	b.ReportAllocs()
	// Start from a heap without the set-up's garbage, returned to the OS,
	// so that the peaks are this benchmark's own.
	debug.FreeOSMemory()
	peak := startPeak()
	cpu0, cpuOK := cpuTime()
	files, iters := 0, 0
	for b.Loop() {
		files = op()
		iters++
	}
	cpu1, _ := cpuTime()
	heap, total := peak.stop()
	b.ReportMetric(float64(files*iters)/b.Elapsed().Seconds(), "files/s")
	if cpuOK && files > 0 {
		// DESIGN.md's bar: well under a second of CPU per thousand files.
		b.ReportMetric(float64((cpu1-cpu0).Milliseconds())/float64(iters)/float64(files)*1000, "cpu-ms/kfile")
	}
	b.ReportMetric(float64(files), "files/op")
	b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(total)/(1<<20), "peak-mem-MiB")
}

// peakSampler polls the runtime's memory metrics, which, unlike
// runtime.ReadMemStats, do not stop the world.
type peakSampler struct {
	done        chan struct{}
	wg          sync.WaitGroup
	heap, total uint64
}

const (
	heapObjects  = "/memory/classes/heap/objects:bytes" // live and not yet swept
	memTotal     = "/memory/classes/total:bytes"        // all the runtime mapped
	heapReleased = "/memory/classes/heap/released:bytes"
)

func startPeak() *peakSampler {
	p := &peakSampler{done: make(chan struct{})}
	p.wg.Go(func() {
		s := []metrics.Sample{{Name: heapObjects}, {Name: memTotal}, {Name: heapReleased}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			p.heap = max(p.heap, s[0].Value.Uint64())
			// Released pages are returned to the OS: not resident.
			p.total = max(p.total, s[1].Value.Uint64()-s[2].Value.Uint64())
			select {
			case <-p.done:
				return
			case <-t.C:
			}
		}
	})
	return p
}

func (p *peakSampler) stop() (heap, total uint64) {
	close(p.done)
	p.wg.Wait()
	return p.heap, p.total
}

type target struct {
	path   string
	ignore bool
}

// targets lists the Dockerfiles and ignore files under the root by the
// scan's own name rules, with a walk of its own.
func targets(fsys fs.FS) ([]target, error) {
	var ts []target
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && scan.SkippedFolder(d.Name()) {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// The scan reads a link inside the tree as the file it names.
			if info, err := fs.Stat(fsys, p); err != nil || !info.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		switch dockerfile, ignore := scan.TargetName(d.Name()); {
		case ignore:
			ts = append(ts, target{p, true})
		case dockerfile:
			ts = append(ts, target{p, false})
		}
		return nil
	})
	return ts, err
}

// parseOnly walks, reads and parses every target with BuildKit alone and
// returns how many it read. Files BuildKit rejects count: the scan reads
// them too.
func parseOnly(fsys fs.FS, workers int) (int, error) {
	ts, err := targets(fsys)
	if err != nil {
		return 0, err
	}
	jobs := make(chan target)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for t := range jobs {
				b, err := fs.ReadFile(fsys, t.path)
				if err != nil {
					errs[w] = err
					continue
				}
				if t.ignore {
					ignorefile.ReadAll(bytes.NewReader(b))
				} else {
					parser.Parse(bytes.NewReader(b))
				}
			}
		})
	}
	for _, t := range ts {
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	return len(ts), errors.Join(errs...)
}

// checkSameFiles fails when the baseline and the scan would read different
// files in dir, which would make their ratio meaningless. Each folder is
// checked once per process: -count runs a benchmark function again.
func checkSameFiles(tb testing.TB, dir string, fsys fs.FS) {
	if _, done := checked.Load(dir); done {
		return
	}
	ts, err := targets(fsys)
	if err != nil {
		tb.Fatal(err)
	}
	var base []string
	for _, t := range ts {
		base = append(base, t.path)
	}
	slices.Sort(base)
	res, err := scan.Scan(context.Background(), fsys, []string{"."}, scan.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if !slices.Equal(base, res.Files) {
		tb.Fatalf("parse-only reads %d files, the scan %d: the baseline must walk what the scan walks\nparse-only only: %v\nscan only: %v",
			len(base), len(res.Files), missing(base, res.Files), missing(res.Files, base))
	}
	checked.Store(dir, true)
}

// checked holds the folders checkSameFiles passed.
var checked sync.Map

// missing returns up to ten elements of a absent from b (both sorted).
func missing(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, ok := slices.BinarySearch(b, s); !ok && len(out) < 10 {
			out = append(out, s)
		}
	}
	return out
}

func TestParseOnlyReadsWhatScanReads(t *testing.T) {
	dir := t.TempDir()
	if _, err := WriteMonorepo(dir, MonorepoOptions{Services: 120, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for _, extra := range []string{"docs/Dockerfile.md", "ci/build.Dockerfile", "ci/Containerfile.arm64", "node_modules/x/Dockerfile", "web/app.dockerignore"} {
		p := filepath.Join(dir, filepath.FromSlash(extra))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("FROM scratch\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fsys := os.DirFS(dir)
	checkSameFiles(t, dir, fsys)
	n, err := parseOnly(fsys, 2)
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("parse-only read no file")
	}
}

func TestMonorepoDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	opts := MonorepoOptions{Services: 60, Seed: 3}
	sa, err := WriteMonorepo(a, opts)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := WriteMonorepo(b, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sa != sb {
		t.Fatalf("stats differ: %+v and %+v", sa, sb)
	}
	if sa.Dockerfiles < opts.Services || sa.IgnoreFiles == 0 || sa.Files <= sa.Dockerfiles+sa.IgnoreFiles {
		t.Errorf("implausible tree: %+v", sa)
	}
	err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			return err
		}
		if !bytes.Equal(x, y) {
			return fmt.Errorf("%s differs between two runs with one seed", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMonorepoDistinct checks the diversity knob: the default tree repeats
// a few ignore files, and Distinct set to the number of services gives each
// its own.
func TestMonorepoDistinct(t *testing.T) {
	for _, tt := range []struct {
		distinct int
		all      bool // every ignore file distinct
	}{{0, false}, {50, true}} {
		dir := t.TempDir()
		st, err := WriteMonorepo(dir, MonorepoOptions{Services: 50, Seed: 1, Distinct: tt.distinct})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Name() != ".dockerignore" {
				return err
			}
			b, err := os.ReadFile(p)
			seen[string(b)] = true
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(seen) == st.IgnoreFiles; got != tt.all || len(seen) == 0 {
			t.Errorf("Distinct %d: %d distinct contents among %d ignore files", tt.distinct, len(seen), st.IgnoreFiles)
		}
	}
}

// benchWorkers is the number of workers of both the baseline and the scan:
// the scan's default, which is also the baseline's fastest setting.
func benchWorkers() int {
	if *workers > 0 {
		return *workers
	}
	return 2 * runtime.GOMAXPROCS(0)
}
