package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// memoryFloor is the memory the collector lets a process use before it
// collects. A scan allocates about forty times what it holds (520 MiB
// through a live heap of 14 MiB on a 10,000-service monorepo), so collecting
// at twice the live heap, as GOGC=100 does, runs the collector every 14 MiB.
// docs/performance.md has the measurements behind the number.
const memoryFloor = 52 << 20

// paceCollector sets the process's memory policy, unless the user set
// GOGC or GOMEMLIMIT: no collection below memoryFloor, and above it a limit
// that follows the live heap as GOGC=100 would, so that a tree whose live
// heap outgrows the floor does not make the collector run back to back.
// It reports whether it set the policy.
func paceCollector(getenv func(string) string) bool {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return false
	}
	p := &pacer{live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(memoryFloor)
	p.arm()
	return true
}

// pacer moves the memory limit after each collection.
type pacer struct {
	live []metrics.Sample
}

// cycle is garbage from birth: its cleanup runs once a collection has
// found it, so arming a new one after each gives a call per collection. The
// pointer keeps it out of the tiny allocator, whose blocks hold several
// objects and are freed together.
type cycle struct{ _ *byte }

func (p *pacer) arm() { runtime.AddCleanup(&cycle{}, (*pacer).tune, p) }

func (p *pacer) tune() {
	metrics.Read(p.live)
	debug.SetMemoryLimit(memoryLimit(p.live[0].Value.Uint64()))
	p.arm()
}

// memoryLimit is the limit for a live heap of live bytes: the floor, or
// two and a half times the live heap, whichever is larger. Twice the live
// heap is GOGC=100's goal; the half is for the runtime's own memory and the
// heap's fragmentation, which the limit counts and the goal does not.
func memoryLimit(live uint64) int64 {
	const most = 1 << 50 // past any live heap; keeps 5*live from overflowing
	return max(memoryFloor, 5*int64(min(live, most))/2)
}
