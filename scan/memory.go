package scan

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// SoftMemoryLimit is the soft limit on the Go runtime's memory that
// LimitMemory sets: with the binary's own pages, a scan of a 10,000-service
// monorepo then stays under 64 MiB of resident memory (DESIGN.md's bar),
// where the default pacing, which lets the heap grow to twice its live
// size, reached 70 MiB.
const SoftMemoryLimit = 50 << 20

// LimitMemory sets the runtime's soft memory limit to SoftMemoryLimit for
// a scan, unless the GOMEMLIMIT environment variable (read with getenv)
// sets one. Near the limit the collector runs more often; so that a tree
// whose live heap outgrows the limit is not collected without pause, the
// limit is raised while the live heap passes 60% of it, keeping the
// collector within about one and a half times its default pace. It
// returns the function that stops watching and restores the previous
// limit.
func LimitMemory(getenv func(string) string) (restore func()) {
	if getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	previous := debug.SetMemoryLimit(SoftMemoryLimit)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		limit := int64(SoftMemoryLimit)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() != metrics.KindUint64 {
				return
			}
			if live := int64(sample[0].Value.Uint64()); live*10 > limit*6 {
				limit = live * 10 / 6
				debug.SetMemoryLimit(limit)
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
		debug.SetMemoryLimit(previous)
	}
}
