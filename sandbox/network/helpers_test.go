package network

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/flowlog"
	"github.com/irdrill/irdrill/sandbox/world"
)

var update = flag.Bool("update", false, "rewrite golden files")

var start = time.Date(2021, 7, 29, 1, 40, 0, 0, time.UTC)

const (
	account = "999999999999"
	vpcID   = "vpc-0f7b220f37f9c9e31"
)

var vpcCIDR = netip.MustParsePrefix("192.168.0.0/16")

// lab is a fabric with the seed's VPC, a firewall over mutable security
// groups, and recorders for every sink.
type lab struct {
	t      *testing.T
	clock  *clock.Clock
	fabric *Fabric

	mu     sync.Mutex
	groups map[string][]SecurityGroup
	acls   map[string]*NetworkACL

	records *recordSink
	queries *queryRecorder
	acts    *activityRecorder
}

func newLab(t *testing.T, opts Options) *lab {
	t.Helper()
	l := &lab{
		t: t, clock: clock.NewManual(start), groups: map[string][]SecurityGroup{}, acls: map[string]*NetworkACL{},
		records: &recordSink{}, queries: &queryRecorder{}, acts: &activityRecorder{},
	}
	opts.Firewall = &RuleFirewall{
		SecurityGroups: func(id string) []SecurityGroup {
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.groups[id]
		},
		NetworkACL: func(id string) *NetworkACL {
			l.mu.Lock()
			defer l.mu.Unlock()
			return l.acls[id]
		},
	}
	l.fabric = NewFabric(world.Default(), l.clock, opts)
	l.fabric.ObserveQueries(l.queries)
	l.fabric.ObserveActivity(l.acts)
	return l
}

// decoy attaches decoy n (1-based) in the default security group.
func (l *lab) decoy(n int, public bool) *Interface {
	l.t.Helper()
	ifc := Interface{
		ID: fmt.Sprintf("eni-0%016x", n), InstanceID: fmt.Sprintf("i-021345abcdef678%c", 'a'+n-1), AccountID: account,
		Region: "us-east-1", AvailabilityZone: "us-east-1a", AZID: "use1-az1", VPCID: vpcID,
		SubnetID: "subnet-0f6cbe2de726b03fc", VPCCIDRs: []netip.Prefix{vpcCIDR},
		PrivateIP: netip.AddrFrom4([4]byte{192, 168, byte(n), byte(100 + n)}),
	}
	if public {
		ifc.PublicIP = netip.AddrFrom4([4]byte{3, 80, 0, byte(n)})
	}
	l.setGroups(ifc.ID, defaultGroup)
	if err := l.fabric.Attach(ifc); err != nil {
		l.t.Fatal(err)
	}
	got, _ := l.fabric.Interface(ifc.ID)
	return got
}

func (l *lab) setGroups(eni string, gs ...SecurityGroup) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.groups[eni] = gs
}

func (l *lab) setACL(eni string, acl *NetworkACL) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acls[eni] = acl
}

// flowLog adds a flow log of the VPC in a format.
func (l *lab) flowLog(format string, interval time.Duration) {
	l.t.Helper()
	f, err := flowlog.ParseFormat(format)
	if err != nil {
		l.t.Fatal(err)
	}
	if err := l.fabric.FlowLogs().Add(flowlog.Config{
		ID: "fl-0f0649a3bb58c8feb", ResourceID: vpcID, TrafficType: flowlog.TrafficAll, Format: f,
		MaxAggregationInterval: interval, LogGroup: "vpc-flow-logs", Destination: l.records,
	}); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) advance(d time.Duration) {
	l.t.Helper()
	if _, err := l.clock.Advance(context.Background(), d); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) resolve(ifc *Interface, name, qtype string) DNSAnswer {
	return l.fabric.Resolve(context.Background(), DNSQuery{From: ifc.Host(), SrcPort: 53000, Name: name, Type: qtype})
}

func (l *lab) dial(ifc *Interface, dst string, req string) DialResult {
	return l.fabric.Dial(context.Background(), Dial{From: ifc.Host(), Dst: netip.MustParseAddrPort(dst), Request: []byte(req)})
}

// recordSink keeps delivered flow-log records.
type recordSink struct {
	mu      sync.Mutex
	batches []flowlog.Batch
	bytes   int
	events  int
}

func (s *recordSink) DeliverFlowLogs(_ context.Context, b flowlog.Batch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, b)
	for _, e := range b.Events {
		s.bytes += len(e.Message)
	}
	s.events += len(b.Events)
	return nil
}

// lines returns "stream message" for every record.
func (s *recordSink) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, b := range s.batches {
		for _, e := range b.Events {
			out = append(out, b.LogStream+" "+e.Message)
		}
	}
	return out
}

// fields returns each record split into the default format's fields.
func (s *recordSink) fields() [][]string {
	var out [][]string
	for _, l := range s.lines() {
		out = append(out, strings.Fields(l)[1:])
	}
	return out
}

type queryRecorder struct {
	mu      sync.Mutex
	queries []ResolverQuery
}

func (r *queryRecorder) ObserveResolverQuery(q ResolverQuery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries = append(r.queries, q)
}

func (r *queryRecorder) count(name, qtype string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.queries {
		if strings.EqualFold(q.Query.Name, name) && q.Query.Type == qtype {
			n++
		}
	}
	return n
}

type activityRecorder struct {
	mu    sync.Mutex
	dns   []DNSActivity
	conns []ConnectionActivity
}

func (r *activityRecorder) ObserveDNS(a DNSActivity) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dns = append(r.dns, a)
}

func (r *activityRecorder) ObserveConnection(a ConnectionActivity) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns = append(r.conns, a)
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
