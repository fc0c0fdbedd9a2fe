package behaviour

import (
	"context"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/behaviourtest"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/network"
)

var update = flag.Bool("update", false, "rewrite golden files")

// The playbook's first RunInstances: 2021-07-29T01:39:30Z, i-0ba42452619fc45aa.
var seedStart = time.Date(2021, 7, 29, 1, 39, 30, 0, time.UTC)

func seedUserData(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/seed-userdata.mime")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func seedHost(id string, last byte) network.Host {
	return network.Host{
		InstanceID:  id,
		InterfaceID: "eni-08dc82c399a7ac5f7",
		VPCID:       "vpc-0f7b220f37f9c9e31",
		SubnetID:    "subnet-0f6cbe2de726b03fc",
		PrivateIP:   netip.AddrFrom4([4]byte{192, 168, 2, last}),
		PublicIP:    netip.AddrFrom4([4]byte{3, 80, 12, last}),
		Resolver:    netip.MustParseAddr("192.168.0.2"),
	}
}

type rig struct {
	t     testing.TB
	clock *clock.Clock
	net   *behaviourtest.Network
	in    *Instance
}

func newRig(t testing.TB, userData []byte, mod func(*Config)) *rig {
	t.Helper()
	r := &rig{t: t, clock: clock.NewManual(seedStart), net: behaviourtest.Seed()}
	cfg := Config{
		InstanceID: "i-0ba42452619fc45aa",
		Host:       seedHost("i-0ba42452619fc45aa", 146),
		UserData:   userData,
		Clock:      r.clock,
		Network:    r.net,
	}
	if mod != nil {
		mod(&cfg)
	}
	in, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.in = in
	return r
}

func (r *rig) advance(d time.Duration) {
	r.t.Helper()
	if _, err := r.clock.Advance(context.Background(), d); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) boot() {
	r.t.Helper()
	if err := r.in.Boot(); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) console() string { return string(r.in.ConsoleOutput()) }

func eventsOf(evs []trace.Event, run int32, kind trace.Kind) []trace.Event {
	var out []trace.Event
	for _, ev := range evs {
		if ev.Run == run && ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n--- got\n%s", name, got)
	}
}
