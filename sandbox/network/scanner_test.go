package network

import (
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// With the default security group every probe is rejected, at each
// scanner's documented rate, and the lab's "rejected requests by IP
// address" query finds the scanners.
func TestScannersRejectedWithoutIngressRule(t *testing.T) {
	l := newLab(t, Options{})
	l.flowLog(DefaultFormatForTests, time.Minute)
	d := l.decoy(1, true)
	l.decoy(2, false) // no public address: never probed
	l.advance(time.Hour)
	rejections := map[string]int{}
	for _, f := range l.records.fields() {
		if f[2] != d.ID {
			t.Fatalf("a record on an interface without a public address: %v", f)
		}
		if f[12] != "REJECT" || f[4] != d.PrivateIP.String() || f[7] != "6" || f[8] != "1" || f[9] != "44" {
			t.Errorf("probe record %v", f)
		}
		if !slices.Contains([]string{"22", "23", "80", "443", "445", "3389"}, f[6]) {
			t.Errorf("probe of port %s", f[6])
		}
		rejections[f[3]]++
	}
	// filter action="REJECT" | stats count(*) as numRejections by srcAddr
	var addrs []string
	for a := range rejections {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	if want := []string{"192.0.2.133", "192.0.2.45", "198.18.7.21", "198.19.200.4"}; !slices.Equal(addrs, want) {
		t.Fatalf("rejected sources %v, want the scanners %v", addrs, want)
	}
	if rejections["192.0.2.45"] != 30 || rejections["192.0.2.133"] != 12 {
		t.Errorf("an hour of probes: %v; want 30 from the 2-minute scanner and 12 from the 5-minute one", rejections)
	}
	if n := rejections["198.18.7.21"]; n < 8 || n > 9 {
		t.Errorf("7-minute scanner: %d probes", n)
	}
	if n := rejections["198.19.200.4"]; n < 4 || n > 5 {
		t.Errorf("13-minute scanner: %d probes", n)
	}
	var inbound int
	for _, c := range l.acts.conns {
		if !c.Scanner || c.Direction != Inbound || !c.Blocked || c.Interface.ID != d.ID || c.Local.Addr() != d.PrivateIP {
			t.Errorf("scanner activity %+v", c)
		}
		inbound++
	}
	if inbound != len(l.records.lines()) {
		t.Errorf("%d scanner activities for %d records", inbound, len(l.records.lines()))
	}
}

// DefaultFormatForTests is the 14-field default format.
const DefaultFormatForTests = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"

// A group that opens SSH to the world, on an instance whose sshd
// listens: probes of 22 are accepted (SYN, SYN-ACK, the scanner's reset);
// port 80 is open in the group but nothing listens (a reset back).
func TestScannersAcceptedByIngressRule(t *testing.T) {
	l := newLab(t, Options{})
	l.flowLog(DefaultFormatForTests+" ${tcp-flags} ${flow-direction}", time.Minute)
	ifc := Interface{
		ID: "eni-ssh", InstanceID: "i-ssh", AccountID: account, Region: "us-east-1", AZID: "use1-az1", VPCID: vpcID,
		SubnetID: "subnet-1", VPCCIDRs: []netip.Prefix{vpcCIDR}, PrivateIP: netip.MustParseAddr("192.168.3.174"),
		PublicIP:  netip.MustParseAddr("3.80.0.99"),
		Listeners: []Listener{{Protocol: ProtocolTCP, Port: 22, Response: []byte("SSH-2.0-OpenSSH_7.4\r\n")}},
	}
	l.setGroups(ifc.ID, defaultGroup, SecurityGroup{ID: "sg-ssh", Ingress: []Rule{
		{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDRs: []netip.Prefix{anyV4}},
		{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRs: []netip.Prefix{anyV4}},
	}})
	if err := l.fabric.Attach(ifc); err != nil {
		t.Fatal(err)
	}
	l.advance(2 * time.Hour)
	seen := map[string]int{}
	for _, f := range l.records.fields() {
		port := f[6]
		if f[15] == "egress" {
			port = f[5]
		}
		key := f[15] + " " + port + " " + f[12] + " packets=" + f[8] + " flags=" + f[14]
		if port != "22" && port != "80" {
			key = f[15] + " other " + f[12] + " packets=" + f[8] + " flags=" + f[14]
		}
		seen[key]++
	}
	for _, want := range []string{
		"ingress 22 ACCEPT packets=2 flags=6", "egress 22 ACCEPT packets=1 flags=18",
		"ingress 80 ACCEPT packets=1 flags=2", "egress 80 ACCEPT packets=1 flags=4",
		"ingress other REJECT packets=1 flags=2",
	} {
		if seen[want] == 0 {
			t.Errorf("no %q record; saw %v", want, seen)
		}
	}
	if len(seen) != 5 {
		t.Errorf("unexpected records: %v", seen)
	}
	if seen["ingress 22 ACCEPT packets=2 flags=6"] != seen["egress 22 ACCEPT packets=1 flags=18"] {
		t.Errorf("every accepted SYN gets a SYN-ACK: %v", seen)
	}
	for _, c := range l.acts.conns {
		if c.Local.Port() == 22 && (c.Blocked || c.Outcome != Connected) {
			t.Errorf("accepted probe %+v", c)
		}
	}
}

func TestScannersStopOnDetach(t *testing.T) {
	l := newLab(t, Options{})
	l.flowLog(DefaultFormatForTests, time.Minute)
	d := l.decoy(1, true)
	l.advance(30 * time.Minute)
	before := len(l.records.lines())
	if before == 0 {
		t.Fatal("no probes in 30 minutes")
	}
	pending := l.clock.Pending()
	l.fabric.Detach(d.ID)
	if l.clock.Pending() >= pending {
		t.Errorf("detach left the scanners' timers: %d pending, %d before", l.clock.Pending(), pending)
	}
	l.advance(2 * time.Hour)
	if after := len(l.records.lines()); after != before {
		t.Errorf("%d records after detaching, %d before", after, before)
	}
	// A new public address is probed again.
	moved := *d
	moved.PublicIP = netip.MustParseAddr("3.80.5.5")
	if err := l.fabric.Attach(moved); err != nil {
		t.Fatal(err)
	}
	l.advance(time.Hour)
	if len(l.records.lines()) == before {
		t.Error("no probes after re-attaching")
	}
	// Off by option.
	quiet := newLab(t, Options{DisableScanners: true})
	quiet.flowLog(DefaultFormatForTests, time.Minute)
	quiet.decoy(1, true)
	quiet.advance(time.Hour)
	if n := len(quiet.records.lines()); n != 0 {
		t.Errorf("%d records with scanners disabled", n)
	}
}

// The same seed gives the same probes.
func TestScannersAreDeterministic(t *testing.T) {
	run := func(seed uint64) string {
		l := newLab(t, Options{Seed: seed})
		l.flowLog(DefaultFormatForTests, time.Minute)
		l.decoy(1, true)
		l.advance(time.Hour)
		return strings.Join(l.records.lines(), "\n")
	}
	if run(7) != run(7) {
		t.Error("two runs with one seed differ")
	}
	if run(7) == run(8) {
		t.Error("two seeds give the same probes")
	}
}
