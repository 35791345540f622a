package memlimit

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestSet(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	restore := Set(func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got < Soft {
		t.Errorf("limit = %d, want at least %d", got, Soft)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit after restore = %d, want %d", got, before)
	}
	// GOMEMLIMIT is the user's: left alone.
	restore = Set(func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	})
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit with GOMEMLIMIT set = %d, want %d", got, before)
	}
	restore()
}

// TestSetRises checks that a live heap past 60% of the limit raises
// it, so that the collector does not run without pause.
func TestSetRises(t *testing.T) {
	restore := Set(func(string) string { return "" })
	defer restore()
	var hold [][]byte
	for i := range 48 { // 48 MiB live, past 60% of the limit
		hold = append(hold, make([]byte, 1<<20))
		hold[i][0] = 1
	}
	defer runtime.KeepAlive(hold)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && debug.SetMemoryLimit(-1) <= Soft; {
		runtime.GC() // so that the live heap is measured
		time.Sleep(10 * time.Millisecond)
	}
	if got := debug.SetMemoryLimit(-1); got <= Soft {
		t.Errorf("limit stayed %d with %d MiB live", got, len(hold))
	}
}
