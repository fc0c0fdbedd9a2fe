package flowlog

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
)

var t0 = time.Date(2021, 7, 29, 1, 40, 0, 0, time.UTC)

// capture is a Destination that keeps every batch.
type capture struct {
	mu      sync.Mutex
	batches []Batch
	at      []time.Time
	clock   *clock.Clock
	fail    error
}

func (c *capture) DeliverFlowLogs(_ context.Context, b Batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.batches = append(c.batches, b)
	if c.clock != nil {
		c.at = append(c.at, c.clock.Now())
	}
	return nil
}

func (c *capture) lines() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, b := range c.batches {
		for _, e := range b.Events {
			out = append(out, b.LogStream+" "+e.Message)
		}
	}
	return out
}

var (
	decoy = &Interface{
		ID: "eni-08dc82c399a7ac5f7", AccountID: "999999999999", InstanceID: "i-021345abcdef678a",
		VPCID: "vpc-0f7b220f37f9c9e31", SubnetID: "subnet-0f6cbe2de726b03fc", Region: "us-east-1", AZID: "use1-az1",
	}
	other = &Interface{
		ID: "eni-0aaaaaaaaaaaaaaa1", AccountID: "999999999999", InstanceID: "i-021345abcdef678b",
		VPCID: "vpc-0f7b220f37f9c9e31", SubnetID: "subnet-0bbbbbbbbbbbbbbb2", Region: "us-east-1", AZID: "use1-az2",
	}
	nitro = &Interface{
		ID: "eni-0ccccccccccccccc3", AccountID: "999999999999", InstanceID: "i-021345abcdef678c",
		VPCID: "vpc-0f7b220f37f9c9e31", SubnetID: "subnet-0bbbbbbbbbbbbbbb2", Region: "us-east-1", AZID: "use1-az2", Nitro: true,
	}
	decoyIP = netip.MustParseAddr("192.168.2.146")
	poolIP  = netip.MustParseAddr("198.51.100.10")
	scanIP  = netip.MustParseAddr("192.0.2.45")
)

func egress(src, dst netip.Addr, sport, dport uint16) Flow {
	return Flow{Direction: Egress, Src: src, Dst: dst, SrcPort: sport, DstPort: dport, Protocol: 6, Action: Accept, TrafficPath: PathInternetGateway}
}

func ingress(src, dst netip.Addr, sport, dport uint16, a Action) Flow {
	return Flow{Direction: Ingress, Src: src, Dst: dst, SrcPort: sport, DstPort: dport, Protocol: 6, Action: a}
}

func pkt(at time.Time, n uint32, bytes uint64, flags uint8) []Packet {
	return []Packet{{At: at, Count: n, Bytes: bytes, Flags: flags}}
}

func newCollector(t *testing.T, delay time.Duration) (*clock.Clock, *Collector) {
	t.Helper()
	c := clock.NewManual(t0)
	return c, NewCollector(c, Options{DeliveryDelay: delay})
}

func add(t *testing.T, col *Collector, cfg Config) {
	t.Helper()
	if err := col.Add(cfg); err != nil {
		t.Fatal(err)
	}
}

func advance(t *testing.T, c *clock.Clock, d time.Duration) {
	t.Helper()
	if _, err := c.Advance(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// An HTTP exchange, a refused connection and scanner probes, delivered in
// the default, the workshop's and a v5 format: the golden records.
func TestRecordsGolden(t *testing.T) {
	formats := map[string]string{"default": DefaultFormatText, "workshop": WorkshopFormatText, "v5": v5FormatText}
	for name, text := range formats {
		t.Run(name, func(t *testing.T) {
			c, col := newCollector(t, 0)
			dest := &capture{}
			add(t, col, Config{ID: "fl-0f0649a3bb58c8feb", ResourceID: decoy.VPCID, TrafficType: TrafficAll,
				Format: mustParse(text), MaxAggregationInterval: time.Minute, LogGroup: "vpc-flow-logs", Destination: dest})
			at := t0.Add(5 * time.Second)
			// curl http://pool.minergate.com/…: one request, one response.
			col.Observe(decoy, egress(decoyIP, poolIP, 40512, 80), []Packet{
				{At: at, Count: 1, Bytes: 60, Flags: FlagSYN},
				{At: at.Add(90 * time.Millisecond), Count: 2, Bytes: 52 + 52 + 150},
				{At: at.Add(180 * time.Millisecond), Count: 3, Bytes: 156, Flags: FlagFIN},
			})
			col.Observe(decoy, Flow{Direction: Ingress, Src: poolIP, Dst: decoyIP, SrcPort: 80, DstPort: 40512, Protocol: 6, Action: Accept},
				[]Packet{{At: at.Add(45 * time.Millisecond), Count: 1, Bytes: 60, Flags: FlagSYNACK}, {At: at.Add(135 * time.Millisecond), Count: 2, Bytes: 104 + 265, Flags: FlagFIN}})
			// A scanner's probe, rejected by the security group.
			col.Observe(decoy, ingress(scanIP, decoyIP, 61000, 3389, Reject), pkt(t0.Add(20*time.Second), 1, 44, FlagSYN))
			// A refused connection: SYN out, RST back.
			col.Observe(decoy, egress(decoyIP, poolIP, 40514, 8080), pkt(t0.Add(30*time.Second), 1, 60, FlagSYN))
			col.Observe(decoy, ingress(poolIP, decoyIP, 8080, 40514, Accept), pkt(t0.Add(30*time.Second), 1, 40, FlagRST))
			// Ping to a private address in the VPC.
			col.Observe(decoy, Flow{Direction: Egress, Src: decoyIP, Dst: netip.MustParseAddr("192.168.1.234"), Protocol: 1, Action: Accept, TrafficPath: PathSameVPC},
				pkt(t0.Add(40*time.Second), 1, 84, 0))
			advance(t, c, 2*time.Minute)
			golden(t, "testdata/records-"+name+".golden", strings.Join(dest.lines(), "\n")+"\n")
		})
	}
}

func TestAggregationWindows(t *testing.T) {
	c, col := newCollector(t, 0)
	dest := &capture{clock: c}
	add(t, col, Config{ID: "fl-1", ResourceID: decoy.ID, TrafficType: TrafficAll, MaxAggregationInterval: time.Minute, LogGroup: "g", Destination: dest})
	f := egress(decoyIP, poolIP, 40000, 3333)
	// Three packets in the first minute aggregate; the fourth opens the
	// next window.
	col.Observe(decoy, f, pkt(t0.Add(1*time.Second), 1, 60, FlagSYN))
	col.Observe(decoy, f, pkt(t0.Add(30*time.Second), 4, 400, 0))
	col.Observe(decoy, f, pkt(t0.Add(59*time.Second), 1, 52, FlagFIN))
	col.Observe(decoy, f, pkt(t0.Add(60*time.Second), 1, 52, 0))
	if col.Pending() != 2 {
		t.Fatalf("%d pending records, want 2", col.Pending())
	}
	advance(t, c, 59*time.Second)
	if len(dest.lines()) != 0 {
		t.Fatalf("delivered before the window closed: %v", dest.lines())
	}
	advance(t, c, time.Second)
	got := dest.lines()
	want := "eni-08dc82c399a7ac5f7-all 2 999999999999 eni-08dc82c399a7ac5f7 192.168.2.146 198.51.100.10 40000 3333 6 6 512 1627522801 1627522859 ACCEPT OK"
	if len(got) != 1 || got[0] != want {
		t.Fatalf("first window:\n%v\nwant\n%s", got, want)
	}
	if !dest.at[0].Equal(t0.Add(time.Minute)) {
		t.Errorf("delivered at %s, want the window end", dest.at[0])
	}
	if ts := dest.batches[0].Events[0].Timestamp; !ts.Equal(t0.Add(time.Second)) {
		t.Errorf("event timestamp %s, want the record's start", ts)
	}
	advance(t, c, time.Minute)
	if got := dest.lines(); len(got) != 2 || !strings.Contains(got[1], " 1 52 1627522860 1627522860 ") {
		t.Errorf("second window: %v", got)
	}
	if st, _ := col.Status("fl-1"); st.Delivered != 2 || st.DeliverLogsStatus != "SUCCESS" {
		t.Errorf("status %+v", st)
	}
}

func TestTenMinuteWindowAndNitro(t *testing.T) {
	c, col := newCollector(t, 0)
	dest := &capture{clock: c}
	add(t, col, Config{ID: "fl-1", ResourceID: decoy.VPCID, TrafficType: TrafficAll, LogGroup: "g", Destination: dest}) // 600 s default
	for i := range 9 {
		at := t0.Add(time.Duration(i) * time.Minute)
		col.Observe(decoy, egress(decoyIP, poolIP, 40000, 80), pkt(at, 1, 100, 0))
		col.Observe(nitro, egress(netip.MustParseAddr("192.168.1.9"), poolIP, 40000, 80), pkt(at, 1, 100, 0))
	}
	advance(t, c, 5*time.Minute)
	// The Nitro interface aggregates over a minute whatever was asked.
	nitroLines, xenLines := 0, 0
	for _, l := range dest.lines() {
		if strings.HasPrefix(l, nitro.ID) {
			nitroLines++
		} else {
			xenLines++
		}
	}
	if nitroLines != 5 || xenLines != 0 {
		t.Fatalf("after 5 minutes: %d Nitro records, %d Xen records; want 5 and 0", nitroLines, xenLines)
	}
	advance(t, c, 5*time.Minute)
	lines := dest.lines()
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, decoy.ID) || !strings.Contains(last, " 9 900 ") {
		t.Errorf("ten-minute record: %s", last)
	}
}

func TestDeliveryDelay(t *testing.T) {
	c, col := newCollector(t, 7*time.Minute)
	dest := &capture{clock: c}
	add(t, col, Config{ID: "fl-1", ResourceID: decoy.VPCID, TrafficType: TrafficAll, MaxAggregationInterval: time.Minute, LogGroup: "g", Destination: dest})
	col.Observe(decoy, egress(decoyIP, poolIP, 40000, 80), pkt(t0.Add(10*time.Second), 1, 60, FlagSYN))
	advance(t, c, 7*time.Minute+59*time.Second)
	if len(dest.lines()) != 0 {
		t.Fatal("delivered before the delay passed")
	}
	advance(t, c, time.Second)
	if len(dest.lines()) != 1 || !dest.at[0].Equal(t0.Add(8*time.Minute)) {
		t.Fatalf("delivered %v at %v, want one record at +8m", dest.lines(), dest.at)
	}
}

func TestTrafficTypeCoverageAndStreams(t *testing.T) {
	c, col := newCollector(t, 0)
	dest := &capture{}
	other2 := &capture{}
	cfg := func(id, resource string, tt TrafficType, group string, d Destination) Config {
		return Config{ID: id, ResourceID: resource, TrafficType: tt, MaxAggregationInterval: time.Minute, LogGroup: group, Destination: d}
	}
	// An ACCEPT and a REJECT flow log into one group: one stream per
	// interface, named after the first that delivered to it.
	add(t, col, cfg("fl-accept", decoy.SubnetID, TrafficAccept, "combined", dest))
	add(t, col, cfg("fl-reject", decoy.VPCID, TrafficReject, "combined", dest))
	// A second group covering only the other subnet.
	add(t, col, cfg("fl-other", other.SubnetID, TrafficAll, "other", other2))
	col.Observe(decoy, egress(decoyIP, poolIP, 40000, 80), pkt(t0.Add(time.Second), 1, 60, FlagSYN))
	col.Observe(decoy, ingress(scanIP, decoyIP, 61000, 22, Reject), pkt(t0.Add(2*time.Second), 1, 44, FlagSYN))
	col.Observe(other, ingress(scanIP, netip.MustParseAddr("192.168.1.234"), 61000, 22, Reject), pkt(t0.Add(3*time.Second), 1, 44, FlagSYN))
	advance(t, c, time.Minute)
	got := dest.lines()
	if len(got) != 3 {
		t.Fatalf("combined group got %d records: %v", len(got), got)
	}
	for _, l := range got {
		stream := strings.Fields(l)[0]
		if l := strings.Fields(l); stream != decoy.ID+"-accept" && !(stream == other.ID+"-reject" && l[3] == other.ID) {
			t.Errorf("record in stream %s: %v", stream, l)
		}
	}
	if n := strings.Count(strings.Join(got, "\n"), "REJECT"); n != 2 {
		t.Errorf("%d REJECT records in the combined group, want 2 (the VPC flow log covers both subnets)", n)
	}
	if o := other2.lines(); len(o) != 1 || !strings.HasPrefix(o[0], other.ID+"-all ") {
		t.Errorf("other group: %v", o)
	}
	if StreamName("eni-1", TrafficAll) != "eni-1-all" {
		t.Error("stream name")
	}
}

func TestRemoveStopsCaptureButDeliversCaptured(t *testing.T) {
	c, col := newCollector(t, 0)
	dest := &capture{}
	add(t, col, Config{ID: "fl-1", ResourceID: decoy.VPCID, TrafficType: TrafficAll, MaxAggregationInterval: time.Minute, LogGroup: "g", Destination: dest})
	col.Observe(decoy, egress(decoyIP, poolIP, 40000, 80), pkt(t0.Add(time.Second), 1, 60, FlagSYN))
	if !col.Remove("fl-1") || col.Remove("fl-1") {
		t.Fatal("Remove reported wrongly")
	}
	col.Observe(decoy, egress(decoyIP, poolIP, 40001, 80), pkt(t0.Add(2*time.Second), 1, 60, FlagSYN))
	if col.Covers(decoy) {
		t.Error("a removed flow log still covers the interface")
	}
	advance(t, c, time.Minute)
	if got := dest.lines(); len(got) != 1 || !strings.Contains(got[0], " 40000 ") {
		t.Errorf("after removal: %v", got)
	}
}

func TestDeliveryFailureStatus(t *testing.T) {
	c, col := newCollector(t, 0)
	dest := &capture{fail: fmt.Errorf("put: %w", ErrAccess)}
	add(t, col, Config{ID: "fl-1", ResourceID: decoy.VPCID, TrafficType: TrafficAll, MaxAggregationInterval: time.Minute, LogGroup: "g", Destination: dest})
	col.Observe(decoy, egress(decoyIP, poolIP, 40000, 80), pkt(t0.Add(time.Second), 1, 60, FlagSYN))
	advance(t, c, time.Minute)
	st, ok := col.Status("fl-1")
	if !ok || st.DeliverLogsStatus != "FAILED" || st.DeliverLogsErrorMessage != "Access error" || !errors.Is(st.LastError, ErrAccess) {
		t.Fatalf("status %+v", st)
	}
	dest.fail = errors.New("boom")
	col.Observe(decoy, egress(decoyIP, poolIP, 40000, 80), pkt(t0.Add(61*time.Second), 1, 60, FlagSYN))
	advance(t, c, time.Minute)
	if st, _ := col.Status("fl-1"); st.DeliverLogsErrorMessage != "Unknown error" {
		t.Errorf("status %+v", st)
	}
	dest.fail = nil
	col.Observe(decoy, egress(decoyIP, poolIP, 40000, 80), pkt(t0.Add(121*time.Second), 1, 60, FlagSYN))
	advance(t, c, time.Minute)
	if st, _ := col.Status("fl-1"); st.DeliverLogsStatus != "SUCCESS" || st.Delivered != 1 || st.DeliverLogsErrorMessage != "" {
		t.Errorf("status after recovery %+v", st)
	}
}

func TestAddValidates(t *testing.T) {
	_, col := newCollector(t, 0)
	d := &capture{}
	bad := []Config{
		{ResourceID: "vpc-1", TrafficType: TrafficAll, LogGroup: "g", Destination: d},
		{ID: "fl-1", ResourceID: "i-1", TrafficType: TrafficAll, LogGroup: "g", Destination: d},
		{ID: "fl-1", ResourceID: "vpc-1", TrafficType: "SOME", LogGroup: "g", Destination: d},
		{ID: "fl-1", ResourceID: "vpc-1", TrafficType: TrafficAll, MaxAggregationInterval: 5 * time.Minute, LogGroup: "g", Destination: d},
		{ID: "fl-1", ResourceID: "vpc-1", TrafficType: TrafficAll, Destination: d},
		{ID: "fl-1", ResourceID: "vpc-1", TrafficType: TrafficAll, LogGroup: "g"},
	}
	for _, cfg := range bad {
		if err := col.Add(cfg); err == nil {
			t.Errorf("Add(%+v) accepted", cfg)
		}
	}
	good := Config{ID: "fl-1", ResourceID: "vpc-1", TrafficType: TrafficAll, LogGroup: "g", Destination: d}
	if err := col.Add(good); err != nil {
		t.Fatal(err)
	}
	if err := col.Add(good); err == nil {
		t.Error("a second flow log with the same ID was accepted")
	}
}

// Observations from many goroutines while the clock delivers; run with
// -race.
func TestConcurrentObserve(t *testing.T) {
	c, col := newCollector(t, 0)
	dest := &capture{}
	add(t, col, Config{ID: "fl-1", ResourceID: decoy.VPCID, TrafficType: TrafficAll, MaxAggregationInterval: time.Minute, LogGroup: "g", Destination: dest})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				col.Observe(decoy, egress(decoyIP, poolIP, uint16(40000+g), 80), pkt(t0.Add(time.Duration(i)*time.Second), 1, 60, 0))
			}
		}()
	}
	for range 5 {
		advance(t, c, 30*time.Second)
	}
	wg.Wait()
	advance(t, c, 10*time.Minute)
	var packets int
	for _, l := range dest.lines() {
		var n int
		fmt.Sscan(strings.Fields(l)[9], &n)
		packets += n
	}
	if packets != 800 {
		t.Errorf("%d packets delivered, want 800", packets)
	}
}
