package scan

import (
	"fmt"
	"time"

	"github.com/stowaway-dev/stowaway/checks"
)

// DefaultTimeout is the scan's time limit when Options.Timeout is zero:
// a scan that has not finished by then reports every file it could not
// finish as not fully analysed.
const DefaultTimeout = 10 * time.Minute

// DefaultWorkBudget is the number of work steps each file's checks may take
// (checks.Budget) when Options.WorkBudget is zero. The largest file of the
// shared corpus and of the benchmark monorepo takes a small fraction of it.
const DefaultWorkBudget = 50_000_000

// NotFullyAnalysed is the problem of a file (or build context) that a bound
// kept from being fully analysed: an error, never a silent pass.
func NotFullyAnalysed(path, why string) Problem {
	return Problem{Path: path, Level: checks.Error, Message: "not fully analysed: " + why, Incomplete: true}
}

// late is the problem of a target that the scan's time limit kept from
// being checked at all.
func (e *engine) late(path string) Problem {
	return NotFullyAnalysed(path, fmt.Sprintf("the scan's time limit (%s) ran out before it was checked", e.timeout))
}
