package clock

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

var start = time.Date(2021, 7, 29, 1, 39, 30, 0, time.UTC)

func TestManualClockStandsStill(t *testing.T) {
	c := NewManual(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %s, want %s", got, start)
	}
	if got := c.Offset(); got != 0 {
		t.Fatalf("Offset = %s, want 0", got)
	}
}

func TestAdvanceRunsDueCallbacksInOrder(t *testing.T) {
	c := NewManual(start)
	var got []string
	record := func(name string) func(time.Time) {
		return func(now time.Time) {
			if !c.Now().Equal(now) {
				t.Errorf("%s: Now reads %s inside the callback, want its due time %s", name, c.Now(), now)
			}
			got = append(got, name+"@"+now.Sub(start).String())
		}
	}
	c.AfterFunc(start.Add(10*time.Minute), record("b"))
	c.AfterFunc(start.Add(5*time.Minute), record("a"))
	c.AfterFunc(start.Add(10*time.Minute), record("c")) // same time as b: scheduling order
	c.AfterFunc(start.Add(20*time.Minute), record("late"))

	now, err := c.Advance(context.Background(), 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a@5m0s", "b@10m0s", "c@10m0s"}
	if len(got) != len(want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ran %v, want %v", got, want)
		}
	}
	if !now.Equal(start.Add(15 * time.Minute)) {
		t.Errorf("Advance returned %s", now)
	}
	if c.Offset() != 15*time.Minute {
		t.Errorf("Offset = %s, want 15m", c.Offset())
	}
	if c.Pending() != 1 {
		t.Errorf("Pending = %d, want 1", c.Pending())
	}
}

// A cron-like callback that reschedules itself runs every period inside
// one long advance.
func TestCallbacksScheduledDuringAdvanceRun(t *testing.T) {
	c := NewManual(start)
	runs := 0
	var tick func(time.Time)
	tick = func(now time.Time) {
		runs++
		c.AfterFunc(now.Add(15*time.Minute), tick)
	}
	c.AfterFunc(start.Add(15*time.Minute), tick)
	if _, err := c.Advance(context.Background(), 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if runs != 96 {
		t.Errorf("%d runs in 24h, want 96", runs)
	}
}

func TestAdvanceNeverGoesBack(t *testing.T) {
	c := NewManual(start)
	if _, err := c.Advance(context.Background(), -time.Second); !errors.Is(err, ErrBackwards) {
		t.Fatalf("err = %v, want ErrBackwards", err)
	}
	if !c.Now().Equal(start) {
		t.Errorf("clock moved: %s", c.Now())
	}
}

func TestStoppedTimerDoesNotRun(t *testing.T) {
	c := NewManual(start)
	ran := false
	timer := c.AfterFunc(start.Add(time.Minute), func(time.Time) { ran = true })
	if !timer.Stop() {
		t.Fatal("Stop reported the timer was not pending")
	}
	if timer.Stop() {
		t.Fatal("second Stop reported pending")
	}
	if _, err := c.Advance(context.Background(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Error("a stopped timer ran")
	}
}

func TestAdvanceStopsWhenContextEnds(t *testing.T) {
	c := NewManual(start)
	ctx, cancel := context.WithCancel(context.Background())
	c.AfterFunc(start.Add(time.Minute), func(time.Time) { cancel() })
	ranSecond := false
	c.AfterFunc(start.Add(2*time.Minute), func(time.Time) { ranSecond = true })
	now, err := c.Advance(ctx, time.Hour)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if ranSecond {
		t.Error("a callback ran after the context ended")
	}
	if !now.Equal(start.Add(time.Minute)) {
		t.Errorf("reached %s, want the last callback's time", now)
	}
}

// Concurrent readers see a clock that never goes back while another
// goroutine advances it and callbacks pin it.
func TestNowIsMonotonicUnderConcurrentAdvance(t *testing.T) {
	c := New()
	for i := 1; i <= 200; i++ {
		c.AfterFunc(c.Now().Add(time.Duration(i)*time.Second), func(time.Time) {})
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev := c.Now()
			for {
				select {
				case <-stop:
					return
				default:
				}
				now := c.Now()
				if now.Before(prev) {
					t.Errorf("Now went back from %s to %s", prev, now)
					return
				}
				prev = now
			}
		}()
	}
	for range 10 {
		if _, err := c.Advance(context.Background(), 30*time.Second); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	if c.Pending() != 0 {
		t.Errorf("%d callbacks left after advancing past them all", c.Pending())
	}
}

// Run fires callbacks whose time wall time reaches, without an advance.
func TestRunFiresAsWallTimePasses(t *testing.T) {
	c := New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
	fired := make(chan time.Time, 1)
	at := c.Now().Add(20 * time.Millisecond)
	c.AfterFunc(at, func(now time.Time) { fired <- now })
	select {
	case now := <-fired:
		if now.Before(at) {
			t.Errorf("fired at %s, before its due time %s", now, at)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not fire a due callback")
	}
	// Pinned time is released after the callback: Now follows wall time again.
	a := c.Now()
	time.Sleep(5 * time.Millisecond)
	if !c.Now().After(a) {
		t.Error("Now stands still after Run fired a callback")
	}
}
