package checks

import (
	"context"
	"strings"
	"testing"
)

func TestBudget(t *testing.T) {
	b := NewBudget(context.Background(), 100)
	if !b.Spend(60, "stage lineage") || !b.Spend(40, "stage lineage") || b.Exhausted() != "" {
		t.Fatalf("a budget of 100 refused 100 steps: %q", b.Exhausted())
	}
	if b.Spend(1, "stage lineage") || b.Spend(1, "secret patterns") {
		t.Error("a spent budget took more steps")
	}
	if got, want := b.Exhausted(), "its stage lineage took more than the 100 work steps a file may take"; got != want {
		t.Errorf("Exhausted() = %q, want %q", got, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b = NewBudget(ctx, 0)
	ok := true
	for i := 0; ok && i < 2*checkEvery; i++ {
		ok = b.Spend(1, "ARG references")
	}
	if ok || !strings.Contains(b.Exhausted(), "time limit ran out during its ARG references") {
		t.Errorf("the deadline did not stop the work: %q", b.Exhausted())
	}

	b = NewBudget(context.Background(), 0)
	b.Stop("a bound of its own")
	if !b.Spend(1, "stage lineage") || b.Exhausted() != "a bound of its own" || b.Used() != 1 {
		t.Errorf("after Stop: Exhausted %q, Used %d; the other work must go on", b.Exhausted(), b.Used())
	}

	var none *Budget
	if !none.Spend(1<<40, "anything") || none.Exhausted() != "" {
		t.Error("a nil budget is not unlimited")
	}
}
