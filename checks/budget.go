package checks

import (
	"context"
	"fmt"
	"sync"
)

// Budget bounds the work of the models that can still grow faster than
// their file in a hostile one (lineage walks through COPY --from, ignore
// patterns against context files, regexp bytes read from keyword hits), and
// carries the scan's deadline. A file whose budget runs out is reported as
// not fully analysed, never passed in silence. A nil Budget is unlimited.
type Budget struct {
	ctx   context.Context
	mu    sync.Mutex
	left  int64
	limit int64
	spent int64
	ticks int64
	why   string // why spending stopped
	// partial is why some work stopped at a bound of its own (Stop); the
	// rest goes on.
	partial string
}

// NewBudget returns a budget of steps work steps that also ends when ctx
// is done; steps <= 0 means no step limit.
func NewBudget(ctx context.Context, steps int64) *Budget {
	return &Budget{ctx: ctx, left: steps, limit: steps}
}

// checkEvery is how many steps pass between two looks at the deadline.
const checkEvery = 1 << 12

// Spend takes n steps of work on what (a few words: "stage lineage",
// "ignore patterns"); it returns false when the budget or the deadline has
// run out, and the caller stops that work.
func (b *Budget) Spend(n int64, what string) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.why != "" {
		return false
	}
	if b.limit > 0 {
		b.left -= n
		if b.left < 0 {
			b.why = fmt.Sprintf("its %s took more than the %d work steps a file may take", what, b.limit)
			return false
		}
	}
	b.spent += n
	b.ticks += n
	if b.ticks >= checkEvery {
		b.ticks = 0
		if b.ctx != nil && b.ctx.Err() != nil {
			b.why = fmt.Sprintf("the scan's time limit ran out during its %s", what)
			return false
		}
	}
	return true
}

// Stop records that some work stopped at a bound of its own, so that the
// file is reported as not fully analysed; other work goes on.
func (b *Budget) Stop(why string) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.partial == "" {
		b.partial = why
	}
}

// Exhausted returns why the budget ran out, "" when it did not.
func (b *Budget) Exhausted() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.why != "" {
		return b.why
	}
	return b.partial
}

// Used returns the steps spent so far.
func (b *Budget) Used() int64 {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}
