package ghtest

import (
	"context"
	"sync"
	"time"
)

// Clock is a fake of github.Clock (review/github) that advances only when something
// sleeps on it or a test moves it, so that tests never wait; its timers
// fire when it passes their time.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	timers []*timer
}

type timer struct {
	at   time.Time
	f    func()
	done bool
}

// NewClock returns a clock at the real time: go-github compares rate-limit
// resets with the wall clock, and the tests must meet that check.
func NewClock() *Clock { return &Clock{now: time.Now().Truncate(time.Second)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the clock on by d at once.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

// Slept returns the waits asked of the clock, in order.
func (c *Clock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advance(d)
}

func (c *Clock) advance(d time.Duration) {
	if d > 0 {
		c.now = c.now.Add(d)
	}
	pending := c.timers[:0]
	for _, tm := range c.timers {
		switch {
		case tm.done:
		case !tm.at.After(c.now):
			tm.done = true
			go tm.f()
		default:
			pending = append(pending, tm)
		}
	}
	c.timers = pending
}

// AfterFunc calls f in its own goroutine once the clock has passed d from
// now, unless stop is called first.
func (c *Clock) AfterFunc(d time.Duration, f func()) (stop func() bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tm := &timer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, tm)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		stopped := !tm.done
		tm.done = true
		return stopped
	}
}
