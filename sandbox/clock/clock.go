// Package clock is the sandbox's one notion of time. Every time the sandbox
// writes (CloudTrail eventTime, log ingestion, instance state changes,
// flow-log windows, findings) and every time it judges (session expiry,
// aws:CurrentTime) comes from a Clock.
//
// A Clock follows wall time, plus an offset that only grows: a drill can
// fast-forward it with Advance, never move it back. Work that falls due at
// a sandbox time (a cron run, the end of an aggregation window, a delayed
// delivery) is scheduled with AfterFunc. Advance runs everything that falls
// due in between, in time order, before it returns, with Now reading each
// callback's due time while it runs, so what the callback writes carries
// that time. Between advances, Run fires callbacks as wall time reaches
// them.
//
// Callbacks run one at a time, never concurrently with each other, and must
// not call Advance.
package clock

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Clock is a sandbox clock. The zero value is not usable; use New or
// NewManual.
type Clock struct {
	wall func() time.Time

	mu     sync.Mutex
	offset time.Duration
	// pinned is the due time of the callback that is running, or zero.
	pinned time.Time
	// last is the latest time Now returned, so that Now never goes back
	// even when a callback that ran late is pinned to its due time.
	last  time.Time
	queue timerQueue
	seq   uint64
	wake  chan struct{}

	// fire serialises callbacks: Advance and Run take it to run them, so
	// concurrent advances run one after the other.
	fire sync.Mutex
}

// New returns a clock that follows wall time.
func New() *Clock { return newClock(time.Now) }

// NewManual returns a clock that stands still at start until advanced, for
// tests that decide exactly when things happen.
func NewManual(start time.Time) *Clock {
	return newClock(func() time.Time { return start })
}

func newClock(wall func() time.Time) *Clock {
	return &Clock{wall: wall, wake: make(chan struct{}, 1)}
}

// Now returns the sandbox time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	now := c.wall().Add(c.offset)
	if !c.pinned.IsZero() {
		now = c.pinned
	}
	if now.Before(c.last) {
		now = c.last
	}
	c.last = now
	return now
}

// Offset is how far the clock is ahead of wall time: the sum of every
// Advance.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offset
}

// ErrBackwards is returned by Advance for a negative duration.
var ErrBackwards = errors.New("the sandbox clock never moves back")

// Advance moves the clock forward by d, running every callback due up to
// the new time in time order (callbacks due at the same time run in the
// order they were scheduled, and callbacks they schedule within the window
// run too). It returns the new time. If ctx ends first, Advance stops
// between callbacks and returns the time reached with ctx's error.
// Concurrent calls run one after the other; a callback that calls Advance
// deadlocks.
func (c *Clock) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	if d < 0 {
		return c.Now(), fmt.Errorf("advance by %s: %w", d, ErrBackwards)
	}
	c.fire.Lock()
	defer c.fire.Unlock()
	target := c.Now().Add(d)

	err := c.runDue(ctx, target)

	c.mu.Lock()
	defer c.mu.Unlock()
	reached := target
	if err != nil && !c.pinned.IsZero() {
		reached = c.pinned
	}
	c.pinned = time.Time{}
	if gap := reached.Sub(c.wall().Add(c.offset)); gap > 0 {
		c.offset += gap
	}
	return c.nowLocked(), err
}

// runDue runs every callback due at or before until. The caller holds fire.
func (c *Clock) runDue(ctx context.Context, until time.Time) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.mu.Lock()
		if c.queue.Len() == 0 || c.queue[0].at.After(until) {
			c.mu.Unlock()
			return nil
		}
		t := heap.Pop(&c.queue).(*Timer)
		t.index = -1
		at := t.at
		if at.Before(c.last) {
			at = c.last
		}
		c.pinned = at
		c.mu.Unlock()
		t.fn(at)
	}
}

// Timer is a callback scheduled on the clock.
type Timer struct {
	clock *Clock
	at    time.Time
	seq   uint64
	fn    func(now time.Time)
	index int // in the queue; -1 once run or stopped
}

// AfterFunc schedules fn to run at sandbox time at (at once, on the next
// Advance or Run step, if at has passed). fn receives the time it runs at,
// which Now also reads while it runs.
func (c *Clock) AfterFunc(at time.Time, fn func(now time.Time)) *Timer {
	c.mu.Lock()
	c.seq++
	t := &Timer{clock: c, at: at, seq: c.seq, fn: fn}
	heap.Push(&c.queue, t)
	first := c.queue[0] == t
	c.mu.Unlock()
	if first {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return t
}

// Stop cancels the timer. It reports whether the timer was still pending.
func (t *Timer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&c.queue, t.index)
	t.index = -1
	return true
}

// When is the time the timer is due.
func (t *Timer) When() time.Time { return t.at }

// Pending is the number of scheduled callbacks.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queue.Len()
}

// Run fires callbacks as wall time reaches them, until ctx ends. A sandbox
// runs it in the background; a clock nobody runs only fires on Advance.
func (c *Clock) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		c.fire.Lock()
		_ = c.runDue(ctx, c.Now())
		c.mu.Lock()
		c.pinned = time.Time{}
		c.mu.Unlock()
		c.fire.Unlock()

		c.mu.Lock()
		wait := time.Hour
		if c.queue.Len() > 0 {
			wait = max(c.queue[0].at.Sub(c.nowLocked()), time.Millisecond)
		}
		c.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
			if !timer.Stop() {
				<-timer.C
			}
		case <-timer.C:
		}
	}
}

// timerQueue is a min-heap of timers by due time, then scheduling order.
type timerQueue []*Timer

func (q timerQueue) Len() int { return len(q) }
func (q timerQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q timerQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index = i
	q[j].index = j
}
func (q *timerQueue) Push(x any) {
	t := x.(*Timer)
	t.index = len(*q)
	*q = append(*q, t)
}
func (q *timerQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return t
}
