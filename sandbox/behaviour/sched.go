package behaviour

import (
	"context"
	"errors"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
)

// errHalted ends the processes of an instance that stops or terminates.
var errHalted = errors.New("instance halted")

// coroutine is one modelled process that runs in steps on the sandbox
// clock: its goroutine runs only between a resume and the next yield, so
// an instance runs one thing at a time, in an order the clock decides.
type coroutine struct {
	resume  chan error
	yielded chan time.Time // the time to resume at; zero when done
	timer   *clock.Timer
	done    bool
}

// spawn starts body as a coroutine due at sandbox time at. The caller
// holds in.mu.
func (in *Instance) spawn(at time.Time, body func(ctx context.Context, yield func(time.Time) error)) {
	in.spawnWith(at, body, nil)
}

// spawnWith is spawn with a function to call instead of body if the
// coroutine is ended before it starts.
func (in *Instance) spawnWith(at time.Time, body func(ctx context.Context, yield func(time.Time) error), never func()) {
	co := &coroutine{resume: make(chan error), yielded: make(chan time.Time)}
	ctx := in.power
	go func() {
		if err := <-co.resume; err == nil {
			body(ctx, co.yield)
		} else if never != nil {
			never()
		}
		co.yielded <- time.Time{}
	}()
	in.live[co] = struct{}{}
	in.wake(co, at)
}

func (co *coroutine) yield(at time.Time) error {
	co.yielded <- at
	return <-co.resume
}

// wake schedules co to resume at at. The caller holds in.mu.
func (in *Instance) wake(co *coroutine, at time.Time) {
	co.timer = in.cfg.Clock.AfterFunc(at, func(time.Time) {
		in.mu.Lock()
		defer in.mu.Unlock()
		if co.done {
			return
		}
		in.step(co, nil)
	})
}

// step resumes co (with err, to make it unwind) and waits until it yields
// or ends. The caller holds in.mu.
func (in *Instance) step(co *coroutine, err error) {
	for {
		co.resume <- err
		at := <-co.yielded
		if at.IsZero() {
			co.done = true
			delete(in.live, co)
			return
		}
		if err == nil {
			in.wake(co, at)
			return
		}
		// Unwinding: keep resuming with the error until it ends.
	}
}

// haltAll unwinds every process. The caller holds in.mu.
func (in *Instance) haltAll() {
	for co := range in.live {
		if co.timer != nil {
			co.timer.Stop()
		}
		in.step(co, errHalted)
	}
}
