package network

import (
	"net/netip"
	"testing"
)

var (
	anyV4 = netip.MustParsePrefix("0.0.0.0/0")
	// defaultGroup is a VPC's default security group, as the seed's decoys
	// get it: all egress, ingress only from the group itself.
	defaultGroup = SecurityGroup{
		ID:      "sg-050c333b86822c1f1",
		Ingress: []Rule{{Protocol: "-1", FromPort: -1, ToPort: -1, GroupIDs: []string{"sg-050c333b86822c1f1"}}},
		Egress:  []Rule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDRs: []netip.Prefix{anyV4}}},
	}
	webGroup = SecurityGroup{
		ID: "sg-web",
		Ingress: []Rule{
			{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDRs: []netip.Prefix{anyV4}},
			{Protocol: "tcp", FromPort: 8000, ToPort: 8999, CIDRs: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}},
			{Protocol: "icmp", FromPort: 8, ToPort: -1, CIDRs: []netip.Prefix{anyV4}},
			{Protocol: "17", FromPort: 53, ToPort: 53, CIDRs: []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}},
		},
	}
	isolation = SecurityGroup{ID: "sg-isolate"} // no rules: nothing in, nothing out
)

func tcpFlow(dir Direction, src, dst string, response bool) Flow {
	return Flow{
		InterfaceID: "eni-a", Direction: dir, Protocol: ProtocolTCP,
		Src: netip.MustParseAddrPort(src), Dst: netip.MustParseAddrPort(dst), ICMPType: -1, ICMPCode: -1, Response: response,
	}
}

func TestSecurityGroupsAllow(t *testing.T) {
	tests := []struct {
		name   string
		groups []SecurityGroup
		flow   Flow
		peer   []string
		want   bool
	}{
		{"default group: egress to the internet", []SecurityGroup{defaultGroup},
			tcpFlow(Egress, "192.168.2.146:40000", "198.51.100.10:80", false), nil, true},
		{"default group: the pool's response is tracked", []SecurityGroup{defaultGroup},
			tcpFlow(Ingress, "198.51.100.10:80", "192.168.2.146:40000", true), nil, true},
		{"default group: a scanner's SYN", []SecurityGroup{defaultGroup},
			tcpFlow(Ingress, "192.0.2.45:61000", "192.168.2.146:22", false), nil, false},
		{"default group: another member over private addresses", []SecurityGroup{defaultGroup},
			func() Flow {
				f := tcpFlow(Ingress, "192.168.1.234:40000", "192.168.2.146:22", false)
				f.PeerInterfaceID = "eni-b"
				return f
			}(), []string{"sg-050c333b86822c1f1"}, true},
		{"default group: a group reference never matches the internet", []SecurityGroup{defaultGroup},
			tcpFlow(Ingress, "3.80.0.11:40000", "192.168.2.146:22", false), []string{"sg-050c333b86822c1f1"}, false},
		{"default group: a peer outside the group", []SecurityGroup{defaultGroup},
			func() Flow {
				f := tcpFlow(Ingress, "192.168.1.234:40000", "192.168.2.146:22", false)
				f.PeerInterfaceID = "eni-b"
				return f
			}(), []string{"sg-other"}, false},
		{"isolation group: no egress", []SecurityGroup{isolation},
			tcpFlow(Egress, "192.168.2.146:40000", "198.51.100.10:80", false), nil, false},
		{"isolation group: response of a tracked connection still passes", []SecurityGroup{isolation},
			tcpFlow(Ingress, "198.51.100.10:80", "192.168.2.146:40000", true), nil, true},
		{"no groups", nil, tcpFlow(Egress, "192.168.2.146:40000", "198.51.100.10:80", false), nil, false},
		{"web: port 80 from anywhere", []SecurityGroup{webGroup},
			tcpFlow(Ingress, "192.0.2.45:61000", "192.168.2.146:80", false), nil, true},
		{"web: port 81 closed", []SecurityGroup{webGroup},
			tcpFlow(Ingress, "192.0.2.45:61000", "192.168.2.146:81", false), nil, false},
		{"web: range from the right prefix", []SecurityGroup{webGroup},
			tcpFlow(Ingress, "203.0.113.9:61000", "192.168.2.146:8443", false), nil, true},
		{"web: range from the wrong prefix", []SecurityGroup{webGroup},
			tcpFlow(Ingress, "192.0.2.9:61000", "192.168.2.146:8443", false), nil, false},
		{"web: range upper bound", []SecurityGroup{webGroup},
			tcpFlow(Ingress, "203.0.113.9:61000", "192.168.2.146:9000", false), nil, false},
		{"web: udp rule does not admit tcp", []SecurityGroup{webGroup},
			tcpFlow(Ingress, "[2001:db8::1]:5000", "[2001:db8:1::5]:53", false), nil, false},
		{"web: udp rule over IPv6", []SecurityGroup{webGroup},
			func() Flow {
				f := tcpFlow(Ingress, "[2001:db8::1]:5000", "[2001:db8:1::5]:53", false)
				f.Protocol = ProtocolUDP
				return f
			}(), nil, true},
		{"web: ping", []SecurityGroup{webGroup},
			Flow{Direction: Ingress, Protocol: ProtocolICMP, Src: netip.MustParseAddrPort("192.0.2.1:0"), Dst: netip.MustParseAddrPort("192.168.2.146:0"), ICMPType: 8, ICMPCode: 0}, nil, true},
		{"web: other ICMP types", []SecurityGroup{webGroup},
			Flow{Direction: Ingress, Protocol: ProtocolICMP, Src: netip.MustParseAddrPort("192.0.2.1:0"), Dst: netip.MustParseAddrPort("192.168.2.146:0"), ICMPType: 13, ICMPCode: 0}, nil, false},
		{"web has no egress rule", []SecurityGroup{webGroup},
			tcpFlow(Egress, "192.168.2.146:40000", "198.51.100.10:80", false), nil, false},
		{"groups add up", []SecurityGroup{webGroup, defaultGroup},
			tcpFlow(Egress, "192.168.2.146:40000", "198.51.100.10:80", false), nil, true},
		{"unknown protocol names match nothing", []SecurityGroup{{ID: "sg-x", Egress: []Rule{{Protocol: "sctpish", CIDRs: []netip.Prefix{anyV4}}}}},
			tcpFlow(Egress, "192.168.2.146:40000", "198.51.100.10:80", false), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SecurityGroupsAllow(tc.groups, tc.flow, tc.peer); got != tc.want {
				t.Errorf("allow = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNetworkACL(t *testing.T) {
	// Inbound: web from anywhere, then deny a /24, then ephemeral return
	// traffic; outbound: everything. Rule order decides, not list order.
	acl := &NetworkACL{
		Ingress: []ACLEntry{
			{RuleNumber: 200, Protocol: "tcp", FromPort: 1024, ToPort: 65535, CIDR: anyV4, Allow: true},
			{RuleNumber: 100, Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: anyV4, Allow: true},
			{RuleNumber: 50, Protocol: "-1", CIDR: netip.MustParsePrefix("192.0.2.0/24"), Allow: false},
		},
		Egress: []ACLEntry{{RuleNumber: 100, Protocol: "-1", CIDR: anyV4, Allow: true}},
	}
	tests := []struct {
		name string
		flow Flow
		want bool
	}{
		{"web in", tcpFlow(Ingress, "198.51.100.1:5000", "10.0.0.5:80", false), true},
		{"denied prefix first", tcpFlow(Ingress, "192.0.2.45:61000", "10.0.0.5:80", false), false},
		{"return traffic is judged too", tcpFlow(Ingress, "198.51.100.10:80", "10.0.0.5:40000", true), true},
		{"ssh not listed: implicit deny", tcpFlow(Ingress, "198.51.100.1:5000", "10.0.0.5:22", false), false},
		{"all out", tcpFlow(Egress, "10.0.0.5:40000", "198.51.100.10:443", false), true},
		{"ipv6 out has no rule", tcpFlow(Egress, "[2001:db8::5]:40000", "[2001:db8:1::1]:443", false), false},
	}
	for _, tc := range tests {
		if got := acl.Allows(tc.flow); got != tc.want {
			t.Errorf("%s: allow = %v, want %v", tc.name, got, tc.want)
		}
	}
	def := DefaultNetworkACL()
	for _, f := range []Flow{tcpFlow(Ingress, "192.0.2.45:61000", "10.0.0.5:22", false), tcpFlow(Egress, "[2001:db8::5]:40000", "[2001:db8:1::1]:443", false)} {
		if !def.Allows(f) {
			t.Errorf("the default ACL denies %+v", f)
		}
	}
}

func TestRuleFirewall(t *testing.T) {
	groups := map[string][]SecurityGroup{
		"eni-a": {defaultGroup},
		"eni-b": {defaultGroup},
		"eni-c": {webGroup},
	}
	denyOut := &NetworkACL{
		Ingress: []ACLEntry{{RuleNumber: 100, Protocol: "-1", CIDR: anyV4, Allow: true}},
		Egress:  []ACLEntry{{RuleNumber: 1, Protocol: "-1", CIDR: anyV4, Allow: false}},
	}
	acls := map[string]*NetworkACL{"eni-c": denyOut}
	fw := &RuleFirewall{
		SecurityGroups: func(id string) []SecurityGroup { return groups[id] },
		NetworkACL:     func(id string) *NetworkACL { return acls[id] },
	}
	peerFlow := tcpFlow(Ingress, "192.168.1.234:40000", "192.168.2.146:22", false)
	peerFlow.PeerInterfaceID = "eni-b"
	if fw.Check(peerFlow) != Accept {
		t.Error("a member of the default group was rejected")
	}
	peerFlow.PeerInterfaceID = "eni-c"
	if fw.Check(peerFlow) != Reject {
		t.Error("a non-member was accepted")
	}
	// The security group admits the response; the stateless ACL does not.
	resp := tcpFlow(Egress, "192.168.2.146:80", "192.0.2.45:61000", true)
	resp.InterfaceID = "eni-c"
	if fw.Check(resp) != Reject {
		t.Error("the ACL's deny on egress let a response out")
	}
	in := tcpFlow(Ingress, "192.0.2.45:61000", "192.168.2.146:80", false)
	in.InterfaceID = "eni-c"
	if fw.Check(in) != Accept {
		t.Error("web ingress rejected")
	}
	// Changing the rules changes the next verdict (isolation mid-drill).
	out := tcpFlow(Egress, "192.168.2.146:40000", "198.51.100.10:80", false)
	if fw.Check(out) != Accept {
		t.Fatal("default egress rejected")
	}
	groups["eni-a"] = []SecurityGroup{isolation}
	if fw.Check(out) != Reject {
		t.Error("egress still accepted after isolation")
	}
	if (&RuleFirewall{}).Check(out) != Accept {
		t.Error("a RuleFirewall without rule sources should accept")
	}
}

func TestProtocolNumber(t *testing.T) {
	for in, want := range map[string]int{"-1": -1, "all": -1, "tcp": 6, "TCP": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "50": 50} {
		if got, ok := ProtocolNumber(in); !ok || got != want {
			t.Errorf("ProtocolNumber(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "sctpx", "256", "-2"} {
		if _, ok := ProtocolNumber(in); ok {
			t.Errorf("ProtocolNumber(%q) accepted", in)
		}
	}
}
