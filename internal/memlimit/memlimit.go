// Package memlimit is the commands' memory policy: a soft limit on the Go
// runtime's memory for the length of a scan. It is main's, not the
// engine's: scan and image never set runtime limits. The benchmarks and
// bench/probe use it too, so that what they measure is what the binary does.
package memlimit

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Soft is the soft limit on the Go runtime's memory that Set sets, so
// that a scan of a large monorepo, with the binary's own pages, stays
// under DESIGN.md's bar for resident memory; the default pacing lets the
// heap grow to twice its live size, past the bar.
const Soft = 50 << 20

// Set sets the runtime's soft memory limit to Soft for a scan, unless the
// GOMEMLIMIT environment variable (read with getenv) sets one. Near the
// limit the collector runs more often; so that a tree whose live heap
// outgrows the limit is not collected without pause, the limit is raised
// while the live heap passes 60% of it, keeping the collector within about
// one and a half times its default pace. It returns the function that
// stops watching and restores the previous limit.
func Set(getenv func(string) string) (restore func()) {
	if getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	previous := debug.SetMemoryLimit(Soft)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		limit := int64(Soft)
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
