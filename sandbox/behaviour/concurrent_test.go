package behaviour

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/behaviourtest"
	"github.com/irdrill/irdrill/sandbox/behaviour/shell"
	"github.com/irdrill/irdrill/sandbox/clock"
)

// Instances share a parse cache and a clock; the EC2 service calls them
// from its request goroutines while a drill advances the clock.
func TestConcurrentUse(t *testing.T) {
	clk := clock.NewManual(seedStart)
	net := behaviourtest.Seed()
	cache := shell.NewCache()
	var ins []*Instance
	for i := range 3 {
		id := fmt.Sprintf("i-0c%02d", i)
		in, err := New(Config{InstanceID: id, Host: seedHost(id, byte(20+i)), UserData: seedUserData(t),
			Clock: clk, Network: net, Programs: cache})
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, in)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for range 12 {
			clk.Advance(context.Background(), 5*time.Minute)
		}
	})
	for _, in := range ins {
		wg.Go(func() {
			in.Boot()
			for range 20 {
				in.ConsoleOutput()
				in.Events()
				in.Runs()
			}
			in.Stop()
			in.Boot()
		})
	}
	wg.Wait()
	clk.Advance(context.Background(), time.Hour)
	for _, in := range ins {
		if in.State() != Running {
			t.Errorf("%s is %s", in.cfg.InstanceID, in.State())
		}
		if len(in.Runs()) == 0 {
			t.Errorf("%s never ran", in.cfg.InstanceID)
		}
	}
}

// Boot and Stop may be called from inside a clock callback, as EC2's
// state transitions are.
func TestBootFromAClockCallback(t *testing.T) {
	r := newRig(t, seedUserData(t), nil)
	r.clock.AfterFunc(seedStart.Add(2*time.Second), func(time.Time) { r.in.Boot() })
	r.clock.AfterFunc(seedStart.Add(20*time.Minute), func(time.Time) { r.in.Stop() })
	r.advance(time.Hour)
	runs := r.in.Runs()
	if len(runs) != 2 || runs[0].Kind != RunBoot || runs[1].Kind != RunCron {
		t.Fatalf("runs = %+v, want the boot and the 01:45 cron run", runs)
	}
}
