//go:build !unix

package bench

import "time"

// cpuTime is not measured here; the CPU metric is left out.
func cpuTime() (time.Duration, bool) { return 0, false }
