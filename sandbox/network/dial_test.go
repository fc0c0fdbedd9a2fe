package network

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/flowlog"
	"github.com/irdrill/irdrill/sandbox/world"
)

// v5Fields is a format whose records the dial tests read field by field.
const v5Fields = "${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${action} ${tcp-flags} ${flow-direction} ${traffic-path} ${pkt-srcaddr} ${pkt-dstaddr}"

type rec struct {
	eni, src, dst, sport, dport, proto string
	packets, bytes                     int
	action, flags, dir, path           string
}

func parseRecs(t *testing.T, lines []string) []rec {
	t.Helper()
	var out []rec
	for _, l := range lines {
		f := strings.Fields(l)[1:]
		p, _ := strconv.Atoi(f[6])
		b, _ := strconv.Atoi(f[7])
		if f[12] != f[1] || f[13] != f[2] {
			t.Errorf("pkt addresses differ from the addresses: %s", l)
		}
		out = append(out, rec{f[0], f[1], f[2], f[3], f[4], f[5], p, b, f[8], f[9], f[10], f[11]})
	}
	return out
}

const curlRequest = "GET /dkjdjkjdlsajdkljalsskajdksakjdksajkllalkdjsalkjdsalkjdlkasj HTTP/1.1\r\nHost: pool.minergate.com\r\nUser-Agent: curl/7.76.1\r\nAccept: */*\r\n\r\n"

func TestDialInternet(t *testing.T) {
	type want struct {
		outcome Outcome
		recs    []string // "dir action packets flags"
	}
	tests := []struct {
		name    string
		dst     string
		egress  bool // default group; false: isolation group
		aclDeny bool // inbound ACL denies ephemeral ports
		timeout time.Duration
		want    want
	}{
		{"http to the pool", "198.51.100.10:80", true, false, 0,
			want{Connected, []string{"egress ACCEPT 6 3", "ingress ACCEPT 3 19"}}},
		{"stratum", "198.51.100.11:3333", true, false, 0,
			want{Connected, []string{"egress ACCEPT 6 3", "ingress ACCEPT 3 19"}}},
		{"nothing listens: reset", "198.51.100.10:8080", true, false, 0,
			want{Refused, []string{"egress ACCEPT 1 2", "ingress ACCEPT 1 4"}}},
		{"nobody at the address: seven SYNs", "198.51.100.99:80", true, false, 0,
			want{TimedOut, []string{"egress ACCEPT 6 2", "egress ACCEPT 1 2"}}},
		{"connect timeout cuts the SYNs", "198.51.100.99:80", true, false, 5 * time.Second,
			want{TimedOut, []string{"egress ACCEPT 3 2"}}},
		{"isolated: egress rejected", "198.51.100.10:80", false, false, 0,
			want{TimedOut, []string{"egress REJECT 6 2", "egress REJECT 1 2"}}},
		{"ACL drops the SYN-ACK", "198.51.100.10:80", true, true, 0,
			want{TimedOut, []string{"egress ACCEPT 6 2", "ingress REJECT 6 18", "egress ACCEPT 1 2", "ingress REJECT 1 18"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, Options{DisableScanners: true})
			l.flowLog(v5Fields, time.Minute)
			d := l.decoy(1, true)
			if !tc.egress {
				l.setGroups(d.ID, isolation)
			}
			if tc.aclDeny {
				l.setACL(d.ID, &NetworkACL{
					Ingress: []ACLEntry{{RuleNumber: 100, Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: anyV4, Allow: true}},
					Egress:  []ACLEntry{{RuleNumber: 100, Protocol: "-1", CIDR: anyV4, Allow: true}},
				})
			}
			req := curlRequest
			if strings.HasSuffix(tc.dst, ":3333") {
				req = `{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"x","pass":"x"}}` + "\n"
			}
			res := l.fabric.Dial(context.Background(), Dial{From: d.Host(), Dst: netip.MustParseAddrPort(tc.dst), Request: []byte(req), Timeout: tc.timeout})
			if res.Outcome != tc.want.outcome {
				t.Fatalf("outcome %v, want %v", res.Outcome, tc.want.outcome)
			}
			l.advance(10 * time.Minute)
			var got []string
			for _, r := range parseRecs(t, l.records.lines()) {
				got = append(got, r.dir+" "+r.action+" "+strconv.Itoa(r.packets)+" "+r.flags)
				if r.eni != d.ID || (r.dir == "egress" && r.src != d.PrivateIP.String()) || (r.dir == "ingress" && r.dst != d.PrivateIP.String()) {
					t.Errorf("record not on the decoy's private address: %+v", r)
				}
				if wantPath := map[string]string{"egress": "2", "ingress": "-"}[r.dir]; r.path != wantPath {
					t.Errorf("traffic-path %s on %s", r.path, r.dir)
				}
			}
			if !slices.Equal(got, tc.want.recs) {
				t.Errorf("records %q, want %q", got, tc.want.recs)
			}
			switch res.Outcome {
			case Connected:
				if !strings.HasPrefix(string(res.Response), "HTTP/1.1 404") && !strings.Contains(string(res.Response), "jsonrpc") {
					t.Errorf("response %q", res.Response)
				}
				if res.Elapsed != 180*time.Millisecond {
					t.Errorf("elapsed %v, want two round trips of 90ms", res.Elapsed)
				}
			case TimedOut:
				if want := map[bool]time.Duration{true: tc.timeout, false: 127 * time.Second}[tc.timeout > 0]; res.Elapsed != want {
					t.Errorf("elapsed %v, want %v", res.Elapsed, want)
				}
			}
		})
	}
}

// The bytes of an HTTP exchange follow the request and response sizes.
func TestDialBytes(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog(v5Fields, time.Minute)
	d := l.decoy(1, true)
	res := l.dial(d, "198.51.100.10:80", curlRequest)
	l.advance(time.Minute)
	recs := parseRecs(t, l.records.lines())
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	// Client: SYN 60, ACK 52, the request (one segment), one delayed ACK,
	// FIN, the last ACK. Server: SYN-ACK 60, the response, FIN.
	wantOut := 60 + 52 + (52 + len(curlRequest)) + 52 + 52 + 52
	wantIn := 60 + (52 + len(res.Response)) + 52
	if recs[0].bytes != wantOut || recs[1].bytes != wantIn {
		t.Errorf("bytes %d and %d, want %d and %d", recs[0].bytes, recs[1].bytes, wantOut, wantIn)
	}
	// A 4380-byte TLS answer takes four segments and two delayed ACKs.
	l.dial(d, "198.51.100.10:443", "\x16\x03\x01")
	l.advance(time.Minute)
	recs = parseRecs(t, l.records.lines())[2:]
	if recs[0].packets != 7 || recs[1].packets != 6 || recs[1].bytes != 60+4*52+4380+52 {
		t.Errorf("TLS records %+v", recs)
	}
}

func TestDialConnectionActivity(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	d := l.decoy(1, true)
	l.dial(d, "198.51.100.10:80", curlRequest)
	l.dial(d, "203.0.113.10:80", curlRequest)
	l.setGroups(d.ID, isolation)
	l.dial(d, "198.51.100.11:80", curlRequest)
	if len(l.acts.conns) != 3 {
		t.Fatalf("%d connection activities", len(l.acts.conns))
	}
	pool, benign, blocked := l.acts.conns[0], l.acts.conns[1], l.acts.conns[2]
	if pool.Direction != Outbound || pool.Outcome != Connected || pool.Blocked || len(pool.Threats) == 0 ||
		pool.Threats[0].Category != world.CryptoCurrencyMining || pool.Remote.String() != "198.51.100.10:80" ||
		pool.Local.Addr() != d.PrivateIP || pool.BytesOut == 0 || pool.BytesIn == 0 {
		t.Errorf("pool connection %+v", pool)
	}
	if len(benign.Threats) != 0 {
		t.Errorf("benign site tagged %+v", benign.Threats)
	}
	if !blocked.Blocked || blocked.Outcome != TimedOut || blocked.BytesIn != 0 {
		t.Errorf("blocked connection %+v", blocked)
	}
}

// Traffic between instances in one VPC is recorded on both interfaces,
// with traffic-path 1; the default group admits its own members.
func TestDialInsideTheVPC(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog(v5Fields, time.Minute)
	a := l.decoy(1, true)
	bi := Interface{
		ID: "eni-0b", InstanceID: "i-b", AccountID: account, Region: "us-east-1", AZID: "use1-az1", VPCID: vpcID,
		SubnetID: "subnet-2", VPCCIDRs: []netip.Prefix{vpcCIDR}, PrivateIP: netip.MustParseAddr("192.168.1.234"),
		Listeners: []Listener{{Protocol: ProtocolTCP, Port: 22, Response: []byte("SSH-2.0-OpenSSH_7.4\r\n")}},
	}
	l.setGroups(bi.ID, defaultGroup)
	if err := l.fabric.Attach(bi); err != nil {
		t.Fatal(err)
	}
	res := l.dial(a, "192.168.1.234:22", "SSH-2.0-OpenSSH_8.0\r\n")
	if res.Outcome != Connected || !strings.HasPrefix(string(res.Response), "SSH-2.0") {
		t.Fatalf("ssh: %+v", res)
	}
	if r := l.dial(a, "192.168.1.234:80", ""); r.Outcome != Refused {
		t.Errorf("port 80: %v", r.Outcome)
	}
	if r := l.dial(a, "192.168.77.1:80", ""); r.Outcome != TimedOut {
		t.Errorf("unused address: %v", r.Outcome)
	}
	if r := l.fabric.Dial(context.Background(), Dial{From: a.Host(), Protocol: ProtocolICMP, Dst: netip.MustParseAddrPort("192.168.1.234:0")}); r.Outcome != Connected {
		t.Errorf("ping: %v", r.Outcome)
	}
	// b is not in a's group any more: its ingress rejects a's SYNs.
	l.setGroups(bi.ID, webGroup)
	if r := l.dial(a, "192.168.1.234:22", ""); r.Outcome != TimedOut {
		t.Errorf("after b left the group: %v", r.Outcome)
	}
	l.advance(5 * time.Minute)
	byENI := map[string][]string{}
	for _, r := range parseRecs(t, l.records.lines()) {
		byENI[r.eni] = append(byENI[r.eni], r.dir+" "+r.dport+" "+r.action+" "+r.flags+" "+r.path)
	}
	wantA := []string{
		"egress 22 ACCEPT 3 1", "ingress " + "" + portOf(t, l, a, 22) + " ACCEPT 19 -",
		"egress 80 ACCEPT 2 1", "ingress " + portOf(t, l, a, 80) + " ACCEPT 4 -",
		"egress 80 ACCEPT 2 1",
		"egress 0 ACCEPT 0 1", "ingress 0 ACCEPT 0 -",
		"egress 22 ACCEPT 2 1",
		// The next window: the seventh SYN of each timed-out connection.
		"egress 80 ACCEPT 2 1", "egress 22 ACCEPT 2 1",
	}
	wantB := []string{
		"ingress 22 ACCEPT 3 -", "egress " + portOf(t, l, a, 22) + " ACCEPT 19 1",
		"ingress 80 ACCEPT 2 -", "egress " + portOf(t, l, a, 80) + " ACCEPT 4 1",
		"ingress 0 ACCEPT 0 -", "egress 0 ACCEPT 0 1",
		"ingress 22 REJECT 2 -", "ingress 22 REJECT 2 -",
	}
	if !slices.Equal(byENI[a.ID], wantA) {
		t.Errorf("a's records:\n%q\nwant\n%q", byENI[a.ID], wantA)
	}
	if !slices.Equal(byENI[bi.ID], wantB) {
		t.Errorf("b's records:\n%q\nwant\n%q", byENI[bi.ID], wantB)
	}
}

// portOf finds the ephemeral port a's connection to dport used, from the
// records.
func portOf(t *testing.T, l *lab, a *Interface, dport int) string {
	for _, r := range parseRecs(t, l.records.lines()) {
		if r.eni == a.ID && r.dir == "egress" && r.dport == strconv.Itoa(dport) {
			return r.sport
		}
	}
	return "?"
}

// Through another instance's public address the traffic leaves by the
// internet gateway: the destination sees the source's public address, and
// group references do not match.
func TestDialPublicAddressOfAnotherInstance(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog(v5Fields, time.Minute)
	a := l.decoy(1, true)
	b := l.decoy(2, true)
	if r := l.dial(a, b.PublicIP.String()+":22", ""); r.Outcome != TimedOut {
		t.Errorf("default group admitted traffic over the public address: %v", r.Outcome)
	}
	l.advance(5 * time.Minute)
	recs := parseRecs(t, l.records.lines())
	var sawB bool
	for _, r := range recs {
		if r.eni == a.ID && r.dir == "egress" && (r.dst != b.PublicIP.String() || r.path != "2") {
			t.Errorf("a's egress %+v", r)
		}
		if r.eni == b.ID {
			sawB = true
			if r.src != a.PublicIP.String() || r.dst != b.PrivateIP.String() || r.action != "REJECT" {
				t.Errorf("b's ingress %+v", r)
			}
		}
	}
	if !sawB {
		t.Error("no records on b")
	}
}

// Without a public address an interface has no way to the internet.
func TestDialWithoutPublicAddress(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog(v5Fields, time.Minute)
	d := l.decoy(1, false)
	if r := l.dial(d, "198.51.100.10:80", curlRequest); r.Outcome != TimedOut {
		t.Fatalf("outcome %v", r.Outcome)
	}
	l.advance(5 * time.Minute)
	for _, r := range parseRecs(t, l.records.lines()) {
		if r.dir != "egress" || r.action != "ACCEPT" || r.path != "-" {
			t.Errorf("record %+v", r)
		}
	}
}

// An IPv4-only interface cannot reach an IPv6 address: the connect fails
// at once and nothing is sent.
func TestDialOtherAddressFamily(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog(v5Fields, time.Minute)
	d := l.decoy(1, true)
	if r := l.dial(d, "[2001:db8:5100::12]:80", curlRequest); r.Outcome != Refused || r.Elapsed != 0 {
		t.Errorf("outcome %+v", r)
	}
	l.advance(time.Minute)
	if n := len(l.records.lines()); n != 0 {
		t.Errorf("%d records", n)
	}
}

func TestDialUDPAndPing(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog(v5Fields, time.Minute)
	d := l.decoy(1, true)
	udp := func(dst string) DialResult {
		return l.fabric.Dial(context.Background(), Dial{From: d.Host(), Protocol: ProtocolUDP, Dst: netip.MustParseAddrPort(dst), Request: []byte("0123456789")})
	}
	if r := udp("198.51.100.40:53"); r.Outcome != Connected || len(r.Response) != 96 {
		t.Errorf("udp to a listener: %+v", r)
	}
	if r := udp("198.51.100.40:5353"); r.Outcome != Refused {
		t.Errorf("udp to a closed port: %+v", r)
	}
	ping := func(dst string) DialResult {
		return l.fabric.Dial(context.Background(), Dial{From: d.Host(), Protocol: ProtocolICMP, Dst: netip.MustParseAddrPort(dst)})
	}
	if r := ping("198.51.100.10:0"); r.Outcome != Connected {
		t.Errorf("ping a host: %+v", r)
	}
	if r := ping("198.51.100.99:7"); r.Outcome != TimedOut {
		t.Errorf("ping nobody: %+v", r)
	}
	l.advance(time.Minute)
	var got []string
	for _, r := range parseRecs(t, l.records.lines()) {
		port := r.dport
		if r.proto == "17" && r.dir == "ingress" {
			port = "ephemeral" // the reply goes to the client's port
		}
		got = append(got, r.proto+" "+r.dir+" "+port+" "+strconv.Itoa(r.bytes)+" "+r.flags)
	}
	want := []string{
		"17 egress 53 38 0", "17 ingress ephemeral 124 0",
		"17 egress 5353 38 0",
		"1 egress 0 84 0", "1 ingress 0 84 0",
		"1 egress 0 84 0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("records\n%q\nwant\n%q", got, want)
	}
}

func TestAttachRules(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	a := l.decoy(1, true)
	if err := l.fabric.Attach(Interface{ID: "eni-x", VPCID: vpcID, PrivateIP: a.PrivateIP}); err == nil {
		t.Error("a second interface took a's private address")
	}
	if err := l.fabric.Attach(Interface{ID: "eni-y", VPCID: "vpc-other", PrivateIP: a.PrivateIP, PublicIP: a.PublicIP}); err == nil {
		t.Error("a second interface took a's public address")
	}
	if err := l.fabric.Attach(Interface{ID: "eni-z", VPCID: "vpc-other", PrivateIP: a.PrivateIP}); err != nil {
		t.Errorf("the same private address in another VPC: %v", err)
	}
	if err := l.fabric.Attach(Interface{VPCID: vpcID, PrivateIP: a.PrivateIP}); err == nil {
		t.Error("an interface without an ID")
	}
	if err := l.fabric.Attach(Interface{ID: "eni-w"}); err == nil {
		t.Error("an interface without an address")
	}
	// Re-attaching with a new public address moves it.
	moved := *a
	moved.PublicIP = netip.MustParseAddr("3.80.9.9")
	if err := l.fabric.Attach(moved); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.fabric.Interface(a.ID); got.PublicIP != moved.PublicIP {
		t.Errorf("public address %s", got.PublicIP)
	}
	if err := l.fabric.Attach(Interface{ID: "eni-v", VPCID: "vpc-v", PrivateIP: netip.MustParseAddr("10.9.9.9"), PublicIP: netip.MustParseAddr("3.80.0.1")}); err != nil {
		t.Errorf("the old public address is still taken: %v", err)
	}
	if len(l.fabric.Interfaces()) != 3 || !l.fabric.Detach(a.ID) || l.fabric.Detach(a.ID) {
		t.Error("Interfaces or Detach")
	}
	// A detached interface's traffic is still answered (EC2 stopped it; the
	// runtime should not send any), without account details.
	if r := l.dial(&moved, "198.51.100.10:80", curlRequest); r.Outcome != Connected {
		t.Errorf("unattached dial: %v", r.Outcome)
	}
}

// Flow logs' interface details come from the attachment.
func TestRecordsCarryInterfaceDetails(t *testing.T) {
	l := newLab(t, Options{DisableScanners: true})
	l.flowLog("${account-id} ${instance-id} ${vpc-id} ${subnet-id} ${region} ${az-id} ${type} ${flow-direction}", time.Minute)
	d := l.decoy(1, true)
	l.dial(d, "198.51.100.10:80", curlRequest)
	l.advance(time.Minute)
	want := d.ID + "-all 999999999999 " + d.InstanceID + " " + vpcID + " subnet-0f6cbe2de726b03fc us-east-1 use1-az1 IPv4 egress"
	if lines := l.records.lines(); len(lines) != 2 || lines[0] != want {
		t.Errorf("records %q, want first %q", lines, want)
	}
	_ = flowlog.DefaultFormat
}
