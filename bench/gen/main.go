// Command gen writes the benchmark monorepo: a tree of services, each with a
// multi-stage Dockerfile, usually a .dockerignore and a few filler files.
//
//	go run ./bench/gen -n 10000 -out /tmp/monorepo
//
// With -distinct N the services fall into N variants of ignore files and
// Dockerfiles instead of the few the default tree repeats (-distinct 10000:
// every service its own):
//
//	go run ./bench/gen -n 10000 -distinct 10000 -out /tmp/monorepo-varied
//
// With -hostile it writes instead the hostile inputs of bench.HostileInputs,
// a folder each, at the given scale:
//
//	go run ./bench/gen -hostile 1 -out /tmp/hostile
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/stowaway-dev/stowaway/bench"
)

func main() {
	n := flag.Int("n", 10000, "number of services")
	seed := flag.Uint64("seed", 1, "seed; the same seed writes the same tree")
	out := flag.String("out", "", "folder to write into (created; must not hold an older tree)")
	distinct := flag.Int("distinct", 0, "how many variants of ignore files and Dockerfiles the services fall into (0: the default tree, few distinct ignore files)")
	hostile := flag.Float64("hostile", 0, "write the hostile inputs at this `scale` (1: the sizes of the issue) instead")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if *hostile > 0 {
		if err := bench.WriteHostile(*out, bench.HostileInputs(*hostile)); err != nil {
			fmt.Fprintf(os.Stderr, "gen: %v\n", err)
			os.Exit(1)
		}
		return
	}
	st, err := bench.WriteMonorepo(*out, bench.MonorepoOptions{Services: *n, Seed: *seed, Distinct: *distinct})
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d services, %d Dockerfiles, %d ignore files, %d files, %d bytes, %d deliberate leaks\n",
		st.Services, st.Dockerfiles, st.IgnoreFiles, st.Files, st.Bytes, st.Leaks)
}
