package github

// GitHub's REST API limits, as this transport meets them:
//
//   - Primary rate limit: every response carries X-RateLimit-Remaining and
//     X-RateLimit-Reset (Unix seconds). At zero, GitHub answers 403 or 429
//     until the reset.
//   - Secondary rate limits (too many mutations or concurrent requests):
//     403 or 429, with Retry-After in seconds when GitHub knows, else
//     X-RateLimit-Reset, else "wait at least one minute" and back off.
//     GitHub asks for mutations to be sent serially and about a second apart.
//   - 5xx answers (mostly 502 from its proxies) are transient. A POST that
//     got one may still have been applied, so only requests that are safe to
//     repeat are retried here; callers that POST check what was stored.
//
// go-github v60 classifies 403 limits but not 429, and after a response
// with X-RateLimit-Remaining: 0 it refuses further calls locally until the
// wall-clock reset, which cannot be bypassed from outside its package. The
// transport therefore owns every wait: it retries here, and it hides the
// reset header of an exhausted limit from go-github so that go-github never
// refuses a call that the transport would have waited for.
//
// An API that stalls (a hung proxy, a connection that stops mid-body) would
// hold the job until GitHub's six-hour limit: every attempt has a timeout
// that covers reading the answer's body, and the transport can carry a
// deadline for all calls, past which it starts no attempt and no wait.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stowaway-dev/stowaway/actionlog"
)

// Clock tells the time and waits; tests replace it so that they never sleep.
type Clock interface {
	Now() time.Time
	// Sleep waits for d, or returns ctx's error when ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
	// AfterFunc calls f in its own goroutine once d has passed, unless
	// stop is called first; stop reports whether it prevented the call.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// RateLimitError is a rate limit that lasts longer than the transport may
// wait, or that is still there after every attempt.
type RateLimitError struct {
	Until     time.Time // when GitHub says the limit lifts; zero when it did not say
	Secondary bool
}

func (e *RateLimitError) Error() string {
	kind := "rate limit"
	if e.Secondary {
		kind = "secondary rate limit"
	}
	if e.Until.IsZero() {
		return "GitHub API " + kind + " still exceeded after retrying"
	}
	return fmt.Sprintf("GitHub API %s exceeded until %s", kind, e.Until.UTC().Format(time.RFC3339))
}

// TimeoutError is a call that GitHub did not answer, body included, within
// the attempt's timeout, or that the transport's deadline cut short. It
// wraps context.DeadlineExceeded, so that callers do not retry it.
type TimeoutError struct {
	Method, Path string
	After        time.Duration // the attempt's timeout; zero when the deadline had passed before it started
	Deadline     bool          // the transport's deadline for all calls, not the attempt's own timeout
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("GitHub API: %s %s: %s", e.Method, e.Path, e.reason())
}

func (e *TimeoutError) reason() string {
	if e.Deadline {
		return "the time allowed for API calls (api-timeout) ran out"
	}
	return fmt.Sprintf("no complete answer within %s", e.After)
}

func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// Transport is an http.RoundTripper that paces and retries GitHub API calls.
// Its zero value is ready to use.
type Transport struct {
	// Base sends the requests; nil is http.DefaultTransport.
	Base http.RoundTripper
	// Clock is the time source and sleeper; nil is the real clock.
	Clock Clock
	// MaxWait is the longest rate-limit wait the transport accepts; a longer
	// one fails the call with a *RateLimitError at once. Zero means 10
	// minutes.
	MaxWait time.Duration
	// Log receives a line for each wait; nil discards them.
	Log io.Writer
	// Timeout bounds each attempt, from sending the request to reading the
	// last byte of the answer. Zero means 30 seconds.
	Timeout time.Duration
	// Deadline, when set, is when every call must be over (the Action's
	// api-timeout): no attempt runs and no wait lasts past it, and a call
	// then fails with a *TimeoutError. It is read on Clock.
	Deadline time.Time

	mutations sync.Mutex // held for the whole of a mutation: they go one at a time

	mu           sync.Mutex
	limitedUntil time.Time // primary limit exhausted until then
	lastMutation time.Time
}

const (
	maxAttempts      = 6
	maxServerRetries = 3
	firstBackoff     = time.Second
	secondaryBackoff = time.Minute
	mutationGap      = time.Second
	maxBodySniff     = 1 << 20
	attemptTimeout   = 30 * time.Second
)

func (t *Transport) clock() Clock {
	if t == nil || t.Clock == nil {
		return realClock{}
	}
	return t.Clock
}

func (t *Transport) maxWait() time.Duration {
	if t.MaxWait <= 0 {
		return 10 * time.Minute
	}
	return t.MaxWait
}

// left is how long the calls may still take: until the transport's
// deadline or ctx's, whichever comes first; ok is false when neither is set.
func (t *Transport) left(ctx context.Context, clock Clock) (d time.Duration, ok bool) {
	if !t.Deadline.IsZero() {
		d, ok = t.Deadline.Sub(clock.Now()), true
	}
	if dl, has := ctx.Deadline(); has && (!ok || time.Until(dl) < d) {
		d, ok = time.Until(dl), true
	}
	return d, ok
}

// fits reports whether a wait of d ends before the calls' deadline.
func (t *Transport) fits(ctx context.Context, clock Clock, d time.Duration) bool {
	left, ok := t.left(ctx, clock)
	return !ok || d < left
}

func (t *Transport) logf(format string, args ...any) {
	if t.Log != nil {
		fmt.Fprintln(t.Log, actionlog.Line(fmt.Sprintf(format, args...)))
	}
}

// RoundTrip sends req, waiting out rate limits and retrying transient
// failures.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	clock := t.clock()
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	mutation := req.Method != http.MethodGet && req.Method != http.MethodHead
	// POST creates things: repeating one after a 5xx could post twice.
	repeatable := req.Method != http.MethodPost
	if mutation {
		t.mutations.Lock()
		defer t.mutations.Unlock()
	}

	backoff := firstBackoff
	limitBackoff := secondaryBackoff
	serverRetries := 0
	for attempt := 1; ; attempt++ {
		if err := t.waitForLimit(ctx, clock); err != nil {
			return nil, err
		}
		if mutation {
			t.mu.Lock()
			gap := mutationGap - clock.Now().Sub(t.lastMutation)
			t.mu.Unlock()
			if gap > 0 {
				if err := clock.Sleep(ctx, gap); err != nil {
					return nil, err
				}
			}
		}
		r, err := rewind(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := t.attempt(ctx, clock, base, r)
		if mutation {
			t.mu.Lock()
			t.lastMutation = clock.Now()
			t.mu.Unlock()
		}
		if err != nil {
			var te *TimeoutError
			timedOut := errors.As(err, &te)
			if timedOut && te.Deadline {
				return nil, err
			}
			if ctx.Err() != nil || !repeatable || serverRetries >= maxServerRetries || req.Body != nil && req.GetBody == nil || !t.fits(ctx, clock, backoff) {
				return nil, err
			}
			serverRetries++
			what := err.Error()
			if timedOut {
				what = te.reason()
			}
			t.logf("GitHub API: %s %s: %s; retrying in %s", req.Method, req.URL.Path, what, backoff)
			if err := clock.Sleep(ctx, backoff); err != nil {
				return nil, err
			}
			backoff *= 2
			continue
		}
		t.track(resp, clock)

		wait, limit := t.classify(resp, clock, &limitBackoff)
		switch {
		case limit != nil:
			if attempt >= maxAttempts || wait > t.maxWait() || !t.fits(ctx, clock, wait) || req.Body != nil && req.GetBody == nil {
				discard(resp)
				if limit.Until.IsZero() && wait > 0 {
					limit.Until = clock.Now().Add(wait)
				}
				return nil, limit
			}
			what := "rate limit"
			if limit.Secondary {
				what = "secondary rate limit"
			}
			t.logf("GitHub API %s on %s %s: waiting %s", what, req.Method, req.URL.Path, wait.Round(time.Second))
		case resp.StatusCode >= 500 && resp.StatusCode <= 504 && resp.StatusCode != http.StatusNotImplemented:
			wait = backoff
			if ra, ok := retryAfter(resp, clock); ok {
				wait = ra
			}
			if !repeatable || serverRetries >= maxServerRetries || req.Body != nil && req.GetBody == nil || !t.fits(ctx, clock, wait) {
				return t.hide(resp), nil
			}
			serverRetries++
			backoff *= 2
			t.logf("GitHub API: %s %s answered %d; retrying in %s", req.Method, req.URL.Path, resp.StatusCode, wait.Round(time.Second))
		default:
			return t.hide(resp), nil
		}
		discard(resp)
		if err := clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends r once, under the attempt's timeout, which goes on running
// while the caller reads the body and stops when it closes it.
func (t *Transport) attempt(ctx context.Context, clock Clock, base http.RoundTripper, r *http.Request) (*http.Response, error) {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = attemptTimeout
	}
	timedOut := &TimeoutError{Method: r.Method, Path: r.URL.Path, After: timeout}
	if !t.Deadline.IsZero() {
		left := t.Deadline.Sub(clock.Now())
		if left <= 0 {
			return nil, &TimeoutError{Method: r.Method, Path: r.URL.Path, Deadline: true}
		}
		if left < timeout {
			timedOut.After, timedOut.Deadline = left, true
		}
	}
	actx, cancel := context.WithCancel(ctx)
	var fired atomic.Bool
	stop := clock.AfterFunc(timedOut.After, func() {
		fired.Store(true)
		cancel()
	})
	resp, err := base.RoundTrip(r.WithContext(actx))
	if err != nil {
		stop()
		cancel()
		if fired.Load() && ctx.Err() == nil {
			return nil, timedOut
		}
		return nil, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, stop: stop, cancel: cancel, fired: &fired, err: timedOut}
	return resp, nil
}

// timedBody is an answer's body under its attempt's timeout.
type timedBody struct {
	io.ReadCloser
	stop   func() bool
	cancel context.CancelFunc
	fired  *atomic.Bool
	err    error // what a read cut short by the timeout returns
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.fired.Load() {
		err = b.err
	}
	return n, err
}

func (b *timedBody) Close() error {
	b.stop()
	b.cancel()
	return b.ReadCloser.Close()
}

// waitForLimit waits out a primary limit that an earlier response
// exhausted, so that no call is spent on a certain 403.
func (t *Transport) waitForLimit(ctx context.Context, clock Clock) error {
	t.mu.Lock()
	until := t.limitedUntil
	t.mu.Unlock()
	wait := until.Sub(clock.Now())
	if wait <= 0 {
		return nil
	}
	if wait > t.maxWait() || !t.fits(ctx, clock, wait) {
		return &RateLimitError{Until: until}
	}
	t.logf("GitHub API rate limit exhausted: waiting %s", wait.Round(time.Second))
	return clock.Sleep(ctx, wait)
}

// track remembers an exhausted primary limit.
func (t *Transport) track(resp *http.Response, clock Clock) {
	if resp.Header.Get("X-RateLimit-Remaining") != "0" {
		return
	}
	reset, ok := unixHeader(resp, "X-RateLimit-Reset")
	if !ok {
		return
	}
	t.mu.Lock()
	// A second of margin: the reset is whole seconds and clocks drift.
	t.limitedUntil = reset.Add(time.Second)
	t.mu.Unlock()
}

// classify says whether resp is a rate limit and how long to wait for it.
func (t *Transport) classify(resp *http.Response, clock Clock, limitBackoff *time.Duration) (time.Duration, *RateLimitError) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, nil
	}
	now := clock.Now()
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, ok := unixHeader(resp, "X-RateLimit-Reset"); ok {
			return max(reset.Add(time.Second).Sub(now), time.Second), &RateLimitError{Until: reset}
		}
	}
	if d, ok := retryAfter(resp, clock); ok {
		return d, &RateLimitError{Until: now.Add(d), Secondary: true}
	}
	body := sniff(resp)
	secondary := strings.Contains(body, "secondary rate limit") || strings.Contains(body, "abuse")
	if !secondary && resp.StatusCode == http.StatusForbidden {
		return 0, nil // a permission error, for the caller
	}
	if reset, ok := unixHeader(resp, "X-RateLimit-Reset"); ok && reset.After(now) {
		return reset.Sub(now), &RateLimitError{Until: reset, Secondary: true}
	}
	d := *limitBackoff
	*limitBackoff *= 2
	return d, &RateLimitError{Secondary: true}
}

// hide keeps go-github from refusing calls locally until the reset of an
// exhausted limit: the transport waits for that reset itself.
func (t *Transport) hide(resp *http.Response) *http.Response {
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		resp.Header.Del("X-RateLimit-Reset")
	}
	return resp
}

func retryAfter(resp *http.Response, clock Clock) (time.Duration, bool) {
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if when, err := http.ParseTime(v); err == nil {
		return max(when.Sub(clock.Now()), 0), true
	}
	return 0, false
}

func unixHeader(resp *http.Response, name string) (time.Time, bool) {
	s, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get(name)), 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}, false
	}
	return time.Unix(s, 0), true
}

// sniff returns the lower-cased start of resp's body and puts the body back.
func sniff(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxBodySniff))
	rest := resp.Body
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), rest), rest}
	return strings.ToLower(string(b))
}

func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodySniff))
	resp.Body.Close()
}

// rewind returns the request for an attempt: the original first, then a
// copy with a fresh body.
func rewind(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, errors.New("request body cannot be sent again")
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}
