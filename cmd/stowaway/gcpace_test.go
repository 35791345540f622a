package main

import (
	"runtime/debug"
	"testing"
)

func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{
		{0, memoryFloor},
		{15 << 20, memoryFloor},      // the 10,000-service monorepo's live heap
		{40 << 20, 100 << 20},        // a larger tree: GOGC=100's goal, and room for the runtime
		{1 << 62, 5 * (1 << 50) / 2}, // no overflow
	} {
		if got := memoryLimit(c.live); got != c.want {
			t.Errorf("memoryLimit(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

// A GOGC or GOMEMLIMIT the user set is the policy: the process's stays.
func TestPaceCollectorLeavesTheUsers(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	for _, name := range []string{"GOGC", "GOMEMLIMIT"} {
		getenv := func(k string) string {
			if k == name {
				return "200"
			}
			return ""
		}
		if paceCollector(getenv) {
			t.Errorf("paceCollector with %s set: paced", name)
		}
		if limit := debug.SetMemoryLimit(-1); limit != before {
			t.Errorf("paceCollector with %s set: memory limit %d", name, limit)
		}
	}
}
