package behaviour

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/behaviourtest"
	"github.com/irdrill/irdrill/sandbox/behaviour/shell"
	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/network"
)

// nullNetwork answers every query at once, without recording it, so the
// benchmarks measure the behaviour engine alone.
type nullNetwork struct{}

var nullAnswer = network.DNSAnswer{RCode: "NOERROR", Answers: []network.Record{{Name: "x", Type: "A", Class: "IN", TTL: 60, Data: "198.51.100.53"}}}

func (nullNetwork) Resolve(context.Context, network.DNSQuery) network.DNSAnswer { return nullAnswer }
func (nullNetwork) Dial(context.Context, network.Dial) network.DialResult {
	return network.DialResult{Outcome: network.Connected, Response: []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"), Elapsed: 40 * time.Millisecond}
}

// BenchmarkPersistRun is one cron run of the seed's persist.sh: 641 digs,
// two background curls (A and AAAA each), on an instance already booted.
func BenchmarkPersistRun(b *testing.B) {
	clk := clock.NewManual(seedStart)
	in, err := New(Config{InstanceID: "i-0bench", Host: seedHost("i-0bench", 9), UserData: seedUserData(b),
		Clock: clk, Network: nullNetwork{}, MaxLogEvents: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	in.Boot()
	clk.Advance(context.Background(), time.Minute)
	in.mu.Lock()
	defer in.mu.Unlock()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		// Drive the run directly, as cron does, without the clock.
		tree := &shell.Tree{Run: 999, MaxSteps: DefaultMaxSteps}
		res := in.machine.Start(context.Background(), shell.Spec{Tree: tree, Start: seedStart,
			Command: "/usr/cryptokit/persist.sh", Env: cronEnv("root", nil), Dir: "/root"})
		if res.Status != 0 || res.Err != nil {
			b.Fatalf("run: %+v", res)
		}
		in.events.events = in.events.events[:0]
	}
}

// BenchmarkTenDecoysOneDay is the fast-forward: ten instances with
// the seed's user data for 24 hours of sandbox time (96 cron runs each,
// 645 DNS queries per run), against a network that only counts.
func BenchmarkTenDecoysOneDay(b *testing.B) {
	for b.Loop() {
		clk := clock.NewManual(seedStart)
		cache := shell.NewCache()
		var ins []*Instance
		for i := range 10 {
			id := fmt.Sprintf("i-0bench%02d", i)
			in, err := New(Config{InstanceID: id, Host: seedHost(id, byte(10+i)), UserData: seedUserData(b),
				Clock: clk, Network: nullNetwork{}, Programs: cache})
			if err != nil {
				b.Fatal(err)
			}
			in.Boot()
			ins = append(ins, in)
		}
		clk.Advance(context.Background(), 24*time.Hour)
		runs := 0
		for _, in := range ins {
			for _, r := range in.Runs() {
				if r.Kind == RunCron {
					runs++
				}
			}
		}
		if runs < 950 {
			b.Fatalf("%d cron runs, want about 960", runs)
		}
	}
}

var _ = behaviourtest.Seed
