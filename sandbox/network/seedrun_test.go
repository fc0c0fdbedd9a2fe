package network

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/flowlog"
	"github.com/irdrill/irdrill/sandbox/world"
)

// workshopFormat is the workshop's 29-field flow-log format.
const workshopFormat = DefaultFormatForTests + " ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}"

// commandStep is how long each command of persist.sh takes in the
// emulation below.
const commandStep = 2 * time.Millisecond

func curlRequestFor(host, path string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: curl/7.76.1\r\nAccept: */*\r\n\r\n")
}

var seedCurls = []struct{ host, path string }{
	{"pool.minergate.com", "/dkjdjkjdlsajdkljalsskajdksakjdksajkllalkdjsalkjdsalkjdlkasj"},
	{"xmr.pool.minergate.com", "/dhdhjkhdjkhdjkhajkhdjskahhjkhjkahdsjkakjasdhkjahdjk"},
}

// persist runs what the seed's persist.sh sends, from at, as the instance
// runtime would: 645 queries and 2 HTTP connections.
func persist(n Network, h Host, at time.Time) {
	ctx := context.Background()
	q := func(name, qtype string) DNSAnswer {
		at = at.Add(commandStep)
		return n.Resolve(ctx, DNSQuery{Time: at, From: h, SrcPort: 40000 + uint16(at.Nanosecond()/1000%20000), Name: name, Type: qtype, Transport: "UDP"})
	}
	for _, name := range seedDigNames {
		q(name, "A")
	}
	for _, c := range seedCurls {
		a := q(c.host, "A")
		q(c.host, "AAAA")
		for _, rr := range a.Answers {
			if rr.Type == "A" {
				at = at.Add(commandStep)
				n.Dial(ctx, Dial{Time: at, From: h, Protocol: ProtocolTCP, Dst: netip.AddrPortFrom(netip.MustParseAddr(rr.Data), 80), Request: curlRequestFor(c.host, c.path)})
				break
			}
		}
	}
	for range 10 {
		for _, label := range seedExfilLabels {
			q(label+".afsdem.com", "A")
		}
	}
}

// The seed's script, run at boot and again by cron 15 minutes later, on
// one decoy: the flow-log records in the workshop's format and the
// queries the query log records, golden.
func TestSeedRunGolden(t *testing.T) {
	l := newLab(t, Options{})
	l.flowLog(workshopFormat, time.Minute)
	d := l.decoy(1, true)
	boot := start.Add(30 * time.Second)
	l.clock.AfterFunc(boot, func(now time.Time) { persist(l.fabric, d.Host(), now) })
	l.clock.AfterFunc(boot.Add(15*time.Minute), func(now time.Time) { persist(l.fabric, d.Host(), now) })
	l.advance(17 * time.Minute)

	golden(t, "testdata/seed-run-flows.golden", strings.Join(l.records.lines(), "\n")+"\n")

	// Query logs: each run's unique queries (its repeats come from the
	// cache); the typo is NXDOMAIN.
	counts := map[string]int{}
	for _, q := range l.queries.queries {
		counts[q.Query.Name+" "+q.Query.Type+" "+q.Answer.RCode]++
	}
	var lines []string
	for k, n := range counts {
		lines = append(lines, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(lines)
	golden(t, "testdata/seed-run-queries.golden", strings.Join(lines, "\n")+"\n")
	if n := len(l.queries.queries); n != 2*77 {
		t.Errorf("%d resolved queries, want 77 per run (11 digs, 3 new curl lookups, 63 exfiltration labels)", n)
	}
	if n := len(l.acts.dns); n != 2*645 {
		t.Errorf("GuardDuty saw %d queries, want 645 per run", n)
	}
	var poolConns int
	for _, c := range l.acts.conns {
		if c.Direction == Outbound {
			poolConns++
			if len(c.Threats) == 0 || c.Outcome != Connected {
				t.Errorf("pool connection %+v", c)
			}
		}
	}
	if poolConns != 4 {
		t.Errorf("%d outbound connections, want 2 per run", poolConns)
	}
}

// countingObserver counts what it sees, as cheaply as an observer can.
type countingObserver struct{ queries, dns, conns atomic.Int64 }

func (c *countingObserver) ObserveResolverQuery(ResolverQuery)   { c.queries.Add(1) }
func (c *countingObserver) ObserveDNS(DNSActivity)               { c.dns.Add(1) }
func (c *countingObserver) ObserveConnection(ConnectionActivity) { c.conns.Add(1) }

// storingSink keeps every event, as the Logs service would.
type storingSink struct {
	events []flowlog.Event
	raw    int
}

func (s *storingSink) DeliverFlowLogs(_ context.Context, b flowlog.Batch) error {
	s.events = append(s.events, b.Events...)
	for _, e := range b.Events {
		s.raw += len(e.Message)
	}
	return nil
}

// BenchmarkSeedDay fast-forwards 24 hours of ten decoys running the seed's
// persist.sh every 15 minutes, with the world's scanners, a workshop-format
// flow log with 60-second windows, and query-log and GuardDuty observers:
// the network's share of the fast-forward benchmark (the instance
// runtime adds its own). It reports the fast-forward factor, the records
// and queries per day, and the bytes a stored record costs over its raw
// bytes.
func BenchmarkSeedDay(b *testing.B) {
	var records, stored, raw int
	var obs *countingObserver
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		c := clock.NewManual(start)
		sink := &storingSink{}
		obs = &countingObserver{}
		fab := NewFabric(world.Default(), c, Options{Firewall: &RuleFirewall{SecurityGroups: func(string) []SecurityGroup { return []SecurityGroup{defaultGroup} }}})
		fab.ObserveQueries(obs)
		fab.ObserveActivity(obs)
		format, _ := flowlog.ParseFormat(workshopFormat)
		if err := fab.FlowLogs().Add(flowlog.Config{ID: "fl-1", ResourceID: vpcID, TrafficType: flowlog.TrafficAll, Format: format,
			MaxAggregationInterval: time.Minute, LogGroup: "vpc-flow-logs", Destination: sink}); err != nil {
			b.Fatal(err)
		}
		for i := 1; i <= 10; i++ {
			ifc := Interface{
				ID: fmt.Sprintf("eni-0%016x", i), InstanceID: fmt.Sprintf("i-021345abcdef678%c", 'a'+i-1), AccountID: account,
				Region: "us-east-1", AZID: "use1-az1", VPCID: vpcID, SubnetID: "subnet-1", VPCCIDRs: []netip.Prefix{vpcCIDR},
				PrivateIP: netip.AddrFrom4([4]byte{192, 168, byte(i), 10}), PublicIP: netip.AddrFrom4([4]byte{3, 80, 0, byte(i)}),
			}
			if err := fab.Attach(ifc); err != nil {
				b.Fatal(err)
			}
			h := ifc.Host()
			var run func(time.Time)
			run = func(now time.Time) {
				persist(fab, h, now)
				c.AfterFunc(now.Add(15*time.Minute), run)
			}
			c.AfterFunc(start.Add(time.Duration(i)*time.Second), run)
		}
		b.StartTimer()
		t0 := time.Now()
		if _, err := c.Advance(context.Background(), 24*time.Hour); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(t0)
		b.StopTimer()
		fab = nil
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		records, raw = len(sink.events), sink.raw
		stored = int(after.HeapAlloc) - int(before.HeapAlloc)
		runtime.KeepAlive(sink)
		b.StartTimer()
	}
	b.ReportMetric(float64(24*time.Hour)/float64(elapsed/time.Duration(b.N)), "x-realtime")
	b.ReportMetric(float64(records), "records/day")
	b.ReportMetric(float64(obs.queries.Load()), "logged-queries/day")
	b.ReportMetric(float64(obs.dns.Load()), "queries/day")
	b.ReportMetric(float64(raw)/float64(records), "raw-B/record")
	b.ReportMetric(float64(stored)/float64(raw), "stored/raw")
}

func BenchmarkResolveCached(b *testing.B) {
	c := clock.NewManual(start)
	fab := NewFabric(world.Default(), c, Options{DisableScanners: true})
	obs := &countingObserver{}
	fab.ObserveQueries(obs)
	fab.ObserveActivity(obs)
	ifc := Interface{ID: "eni-1", AccountID: account, VPCID: vpcID, VPCCIDRs: []netip.Prefix{vpcCIDR}, PrivateIP: netip.MustParseAddr("192.168.1.10")}
	if err := fab.Attach(ifc); err != nil {
		b.Fatal(err)
	}
	h := ifc.Host()
	q := DNSQuery{Time: start, From: h, Name: "CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC.afsdem.com", Type: "A"}
	fab.Resolve(context.Background(), q)
	q.Time = start.Add(10 * time.Second) // TTLs count down: a fresh answer each time
	b.ReportAllocs()
	for b.Loop() {
		fab.Resolve(context.Background(), q)
	}
}

func BenchmarkResolveMiss(b *testing.B) {
	c := clock.NewManual(start)
	fab := NewFabric(world.Default(), c, Options{DisableScanners: true})
	ifc := Interface{ID: "eni-1", AccountID: account, VPCID: vpcID, VPCCIDRs: []netip.Prefix{vpcCIDR}, PrivateIP: netip.MustParseAddr("192.168.1.10")}
	if err := fab.Attach(ifc); err != nil {
		b.Fatal(err)
	}
	q := DNSQuery{From: ifc.Host(), Name: "pool.minergate.com", Type: "A"}
	b.ReportAllocs()
	for b.Loop() {
		q.Time = q.Time.Add(301 * time.Second)
		fab.Resolve(context.Background(), q)
	}
}

func BenchmarkDialHTTP(b *testing.B) {
	c := clock.NewManual(start)
	fab := NewFabric(world.Default(), c, Options{DisableScanners: true, Firewall: &RuleFirewall{SecurityGroups: func(string) []SecurityGroup { return []SecurityGroup{defaultGroup} }}})
	sink := &storingSink{}
	fab.FlowLogs().Add(flowlog.Config{ID: "fl-1", ResourceID: vpcID, TrafficType: flowlog.TrafficAll, MaxAggregationInterval: time.Minute, LogGroup: "g", Destination: sink})
	ifc := Interface{ID: "eni-1", AccountID: account, VPCID: vpcID, SubnetID: "subnet-1", VPCCIDRs: []netip.Prefix{vpcCIDR},
		PrivateIP: netip.MustParseAddr("192.168.1.10"), PublicIP: netip.MustParseAddr("3.80.0.1")}
	fab.Attach(ifc)
	d := Dial{Time: start, From: ifc.Host(), Dst: netip.MustParseAddrPort("198.51.100.10:80"), Request: curlRequestFor("pool.minergate.com", "/x")}
	b.ReportAllocs()
	for b.Loop() {
		fab.Dial(context.Background(), d)
	}
}
