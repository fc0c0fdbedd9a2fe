package network

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/world"
)

// The same name asked twice within its TTL reaches the query-log observer
// once; asked again after the TTL, it reaches it again. GuardDuty's
// observer sees every query.
func TestResolverCacheUniqueness(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	d := l.decoy(1, true)
	tests := []struct {
		name, qtype string
		ttl         time.Duration
		rcode       string
	}{
		{"pool.minergate.com", "A", 300 * time.Second, "NOERROR"},
		{"dockerupdate.anondns.net", "A", 60 * time.Second, "NOERROR"},
		{"xmr.pool.minergate.comac", "A", 300 * time.Second, "NXDOMAIN"}, // negative TTL
		{"pool.minergate.com", "AAAA", 300 * time.Second, "NOERROR"},     // no data, negative TTL
		{"CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC.afsdem.com", "A", 300 * time.Second, "NOERROR"},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.qtype, func(t *testing.T) {
			before := len(l.acts.dns)
			first := l.resolve(d, tc.name, tc.qtype)
			if first.RCode != tc.rcode {
				t.Fatalf("rcode %s, want %s", first.RCode, tc.rcode)
			}
			l.advance(tc.ttl - time.Second)
			again := l.resolve(d, strings.ToUpper(tc.name[:1])+tc.name[1:], tc.qtype) // case does not matter
			if again.RCode != tc.rcode {
				t.Fatalf("cached rcode %s", again.RCode)
			}
			if n := l.queries.count(tc.name, tc.qtype); n != 1 {
				t.Fatalf("query-log observer saw %d queries within the TTL, want 1", n)
			}
			l.advance(time.Second)
			l.resolve(d, tc.name, tc.qtype)
			if n := l.queries.count(tc.name, tc.qtype); n != 2 {
				t.Fatalf("query-log observer saw %d queries after the TTL, want 2", n)
			}
			acts := l.acts.dns[before:]
			if len(acts) != 3 || acts[0].Cached || !acts[1].Cached || acts[2].Cached {
				t.Errorf("activity observer: %d events, cached %v", len(acts), cachedFlags(acts))
			}
		})
	}
}

func cachedFlags(a []DNSActivity) []bool {
	var out []bool
	for _, x := range a {
		out = append(out, x.Cached)
	}
	return out
}

func TestResolverTTLCountsDown(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	d := l.decoy(1, true)
	if a := l.resolve(d, "www.example.com", "A"); len(a.Answers) != 2 || a.Answers[0].TTL != 300 || a.Answers[0].Class != "IN" {
		t.Fatalf("first answer %+v", a)
	}
	l.advance(100 * time.Second)
	a := l.resolve(d, "www.example.com", "A")
	if a.Answers[0].TTL != 200 || a.Answers[1].TTL != 200 || a.Answers[1].Data != "203.0.113.10" {
		t.Errorf("cached answer %+v, want TTLs of 200", a)
	}
	// The stored answer was not changed by counting down.
	l.fabric.FlushResolverCache()
	if a := l.resolve(d, "www.example.com", "A"); a.Answers[0].TTL != 300 {
		t.Errorf("after a flush %+v", a)
	}
}

func TestResolverCachesPerVPC(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	d := l.decoy(1, true)
	other := Interface{ID: "eni-other", InstanceID: "i-other", AccountID: account, Region: "us-east-1", VPCID: "vpc-other",
		SubnetID: "subnet-other", VPCCIDRs: []netip.Prefix{netip.MustParsePrefix("172.31.0.0/16")}, PrivateIP: netip.MustParseAddr("172.31.29.22")}
	if err := l.fabric.Attach(other); err != nil {
		t.Fatal(err)
	}
	l.resolve(d, "xmrpool.eu", "A")
	l.fabric.Resolve(context.Background(), DNSQuery{From: other.Host(), Name: "xmrpool.eu", Type: "A"})
	l.resolve(d, "xmrpool.eu", "A")
	if n := l.queries.count("xmrpool.eu", "A"); n != 2 {
		t.Errorf("%d resolved queries, want one per VPC", n)
	}
	q := l.queries.queries[1]
	if q.Interface.VPCID != "vpc-other" || q.Interface.PrivateIP.String() != "172.31.29.22" || q.Query.Transport != "UDP" {
		t.Errorf("second query %+v", q)
	}
}

// With one cache per VPC a second instance's query is answered from the
// cache; with a cache per interface it is resolved (and logged) again.
func TestResolverCacheScope(t *testing.T) {
	for _, perENI := range []bool{false, true} {
		l := newLab(t, Options{DisableScanners: true, ResolverCachePerInterface: perENI})
		a, b := l.decoy(1, true), l.decoy(2, true)
		l.resolve(a, "xmrpool.eu", "A")
		l.resolve(b, "xmrpool.eu", "A")
		l.resolve(b, "xmrpool.eu", "A")
		want := map[bool]int{false: 1, true: 2}[perENI]
		if n := l.queries.count("xmrpool.eu", "A"); n != want {
			t.Errorf("per interface %v: %d resolved, want %d", perENI, n, want)
		}
	}
}

// Zero-TTL answers are never cached; SERVFAIL and FORMERR neither.
func TestResolverZeroTTLAndErrors(t *testing.T) {
	w, err := world.Parse("w.yaml", []byte("names:\n  - name: fresh.example.com\n    ttl: 0\n    a: [192.0.2.1]\n"))
	if err != nil {
		t.Fatal(err)
	}
	l := newLab(t, Options{DisableScanners: true})
	l.fabric = NewFabric(w, l.clock, Options{DisableScanners: true})
	l.fabric.ObserveQueries(l.queries)
	d := l.decoy(1, false)
	for range 3 {
		l.resolve(d, "fresh.example.com", "A")
		l.resolve(d, "bad..name", "A")
	}
	if n := l.queries.count("fresh.example.com", "A"); n != 3 {
		t.Errorf("zero TTL: %d resolved, want 3", n)
	}
	if n := l.queries.count("bad..name", "A"); n != 3 {
		t.Errorf("FORMERR: %d resolved, want 3", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if a := l.fabric.Resolve(ctx, DNSQuery{From: d.Host(), Name: "fresh.example.com"}); a.RCode != "SERVFAIL" {
		t.Errorf("cancelled: %+v", a)
	}
}

// The activity observer gets every query with the world's threat tags.
func TestDNSActivityCarriesThreats(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	d := l.decoy(1, true)
	for _, name := range []string{"pool.minergate.com", "CgpMb3JlbSBpcHN1bSBkb2xvciBzaXQgYW1ldC.afsdem.com", "example.com", "xmr.pool.minergate.comac"} {
		l.resolve(d, name, "A")
		l.resolve(d, name, "A") // the cached one carries them too
	}
	want := []world.Category{world.CryptoCurrencyMining, world.CryptoCurrencyMining, world.DNSExfiltration, world.DNSExfiltration, "", "", "", ""}
	if len(l.acts.dns) != len(want) {
		t.Fatalf("%d DNS activities", len(l.acts.dns))
	}
	for i, a := range l.acts.dns {
		var got world.Category
		if len(a.Threats) > 0 {
			got = a.Threats[0].Category
		}
		if got != want[i] {
			t.Errorf("%s: threat %q, want %q", a.Query.Name, got, want[i])
		}
		if a.Interface.InstanceID != d.InstanceID || a.Query.SrcPort != 53000 || a.Time.IsZero() {
			t.Errorf("activity %+v", a)
		}
	}
}

// Resolver traffic never appears in flow logs, nor do metadata, Time Sync
// and DHCP.
func TestUnloggedTraffic(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}", time.Minute)
	d := l.decoy(1, true)
	for range 50 {
		l.resolve(d, "pool.minergate.com", "A")
		l.resolve(d, "nonexistent.example.org", "AAAA")
	}
	tcpTo := func(dst string) DialResult { return l.dial(d, dst, "GET / HTTP/1.1\r\n\r\n") }
	if r := tcpTo("169.254.169.254:80"); r.Outcome != Connected || !strings.HasPrefix(string(r.Response), "HTTP/1.1 404") {
		t.Errorf("metadata: %+v", r)
	}
	if r := tcpTo("192.168.0.2:53"); r.Outcome != Connected {
		t.Errorf("resolver over TCP: %+v", r)
	}
	if r := l.fabric.Dial(context.Background(), Dial{From: d.Host(), Protocol: ProtocolUDP, Dst: netip.MustParseAddrPort("169.254.169.123:123")}); r.Outcome != Connected || len(r.Response) != 48 {
		t.Errorf("time sync: %+v", r)
	}
	l.fabric.Dial(context.Background(), Dial{From: d.Host(), Protocol: ProtocolUDP, Dst: netip.MustParseAddrPort("192.168.0.1:67")})
	if r := tcpTo("127.0.0.1:80"); r.Outcome != Refused {
		t.Errorf("loopback: %+v", r)
	}
	l.advance(10 * time.Minute)
	if lines := l.records.lines(); len(lines) != 0 {
		t.Errorf("unlogged traffic was logged:\n%s", strings.Join(lines, "\n"))
	}
	// The metadata hook answers when given.
	l2 := newLab(t, Options{DisableScanners: true, Metadata: func(_ context.Context, ifc *Interface, _ []byte) []byte {
		return []byte("HTTP/1.1 200 OK\r\n\r\n" + ifc.InstanceID)
	}})
	d2 := l2.decoy(1, true)
	if r := l2.dial(d2, "169.254.169.254:80", "GET /latest/meta-data/instance-id HTTP/1.1\r\n\r\n"); !strings.HasSuffix(string(r.Response), d2.InstanceID) {
		t.Errorf("metadata hook: %q", r.Response)
	}
}
