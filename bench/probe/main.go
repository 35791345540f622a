// Command probe runs one scan of a folder as `stowaway scan` does (through
// scan.OpenRoot) and prints what the collector did:
// wall time, cycles, CPU by class, bytes allocated and the largest live
// heap. Two builds compared run after run (see docs/performance.md) show a
// change of a few percent that the benchmarks' noise hides.
//
//	go run ./bench/probe [-trace] [-heap-at N -heap-profile FILE] [-classes] DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/stowaway-dev/stowaway/scan"
)

func main() {
	trace := flag.Bool("trace", false, "print the live heap and the goal after every collection")
	heapAt := flag.Int("heap-at", 0, "write the heap profile after collection `N` (0: after the scan)")
	heapProfile := flag.String("heap-profile", "", "heap profile `file`; sampling every 8 KiB slows the scan")
	classes := flag.Bool("classes", false, "print the runtime's memory classes after the scan")
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *heapProfile != "" {
		runtime.MemProfileRate = 8 << 10
	} else {
		runtime.MemProfileRate = 0 // the binary links no profiler, so the linker turns sampling off
	}
	if err := run(flag.Arg(0), *trace, *heapAt, *heapProfile, *classes); err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

func run(dir string, trace bool, heapAt int, heapProfile string, classes bool) error {
	root, err := scan.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()

	start := time.Now()
	done := make(chan struct{})
	watched := make(chan uint64)
	go func() { watched <- watch(start, done, trace, heapAt, heapProfile) }()
	res, err := scan.Scan(context.Background(), root.FS(), []string{"."}, scan.Options{})
	wall := time.Since(start)
	close(done)
	maxLive := <-watched
	if err != nil {
		return err
	}

	// busy is the CPU time the scheduler's Ps were not idle: Go code, the
	// collector and system calls.
	s := read("/gc/cycles/total:gc-cycles", "/cpu/classes/gc/total:cpu-seconds",
		"/cpu/classes/total:cpu-seconds", "/cpu/classes/idle:cpu-seconds", "/gc/heap/allocs:bytes")
	fmt.Printf("%d findings %v maxlive %.1f MiB gcs %d gc-cpu %.2f busy-cpu %.2f alloc %d MB\n",
		len(res.Findings), wall.Round(time.Millisecond), mib(maxLive), s[0].Value.Uint64(),
		s[1].Value.Float64(), s[2].Value.Float64()-s[3].Value.Float64(), s[4].Value.Uint64()>>20)
	if classes {
		for _, d := range metrics.All() {
			if strings.HasPrefix(d.Name, "/memory/classes/") {
				fmt.Printf("%-48s %7.2f MiB\n", d.Name, mib(read(d.Name)[0].Value.Uint64()))
			}
		}
	}
	if heapProfile != "" && heapAt == 0 {
		runtime.GC() // the profile shows the heap as of the last collection
		return writeHeap(heapProfile)
	}
	return nil
}

// watch polls the runtime until done and returns the largest live heap a
// collection left.
func watch(start time.Time, done <-chan struct{}, trace bool, heapAt int, heapProfile string) uint64 {
	var maxLive, last uint64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return maxLive
		case <-tick.C:
		}
		s := read("/gc/cycles/total:gc-cycles", "/gc/heap/live:bytes", "/gc/heap/goal:bytes", "/memory/classes/total:bytes")
		cycle, live := s[0].Value.Uint64(), s[1].Value.Uint64()
		if cycle == last {
			continue
		}
		last, maxLive = cycle, max(maxLive, live)
		if trace {
			fmt.Fprintf(os.Stderr, "gc %4d %6dms live %5.1f MiB goal %5.1f MiB runtime %5.1f MiB\n",
				cycle, time.Since(start).Milliseconds(), mib(live), mib(s[2].Value.Uint64()), mib(s[3].Value.Uint64()))
		}
		if heapProfile != "" && int(cycle) == heapAt {
			if err := writeHeap(heapProfile); err != nil {
				fmt.Fprintln(os.Stderr, "probe:", err)
			}
		}
	}
}

func read(names ...string) []metrics.Sample {
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	return s
}

func writeHeap(file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func mib(v uint64) float64 { return float64(v) / (1 << 20) }
