package network

import "net/netip"

// Direction is which way packets cross an interface.
type Direction uint8

const (
	// Ingress packets arrive at the interface.
	Ingress Direction = iota + 1
	// Egress packets leave the interface.
	Egress
)

func (d Direction) String() string {
	switch d {
	case Ingress:
		return "ingress"
	case Egress:
		return "egress"
	}
	return "unknown"
}

// Flow describes packets crossing one interface, for a Firewall to judge.
// Addresses are as the interface sees them: its own is always its private
// address (the internet gateway translates the public one).
type Flow struct {
	// InterfaceID is the interface the packets cross.
	InterfaceID string
	// PeerInterfaceID is the interface at the other end when the traffic
	// stays inside the VPC (private addresses): security-group rules that
	// reference a group match on the peer's groups. Empty for traffic to or
	// from the internet, including another instance's public address, which
	// group references never match.
	PeerInterfaceID string
	Direction       Direction
	Protocol        int // ProtocolTCP, ProtocolUDP, ProtocolICMP, …
	// Src sends the packets and Dst receives them: for Ingress, Dst is the
	// interface's address; for Egress, Src is.
	Src, Dst netip.AddrPort
	// ICMPType and ICMPCode are set for ICMP (-1 otherwise).
	ICMPType, ICMPCode int
	// Response is set for the packets that answer a connection the other
	// side opened and that was accepted: security groups are stateful and
	// let them through without a rule; network ACLs are stateless and
	// judge them like any other packets.
	Response bool
}

// Verdict is a firewall's decision.
type Verdict uint8

const (
	Accept Verdict = iota + 1
	Reject
)

func (v Verdict) String() string {
	if v == Accept {
		return "ACCEPT"
	}
	return "REJECT"
}

// Firewall decides whether packets may cross an interface: the EC2 service
// implements it from the interface's security groups and its subnet's
// network ACL (RuleFirewall does the evaluation over plain rules). It is
// called without the fabric's lock held, possibly from a clock callback,
// and must not advance the clock. It reads the rules as they are at the
// call, so changing an instance's groups changes the next flows.
type Firewall interface {
	Check(f Flow) Verdict
}

// FirewallFunc adapts a function to Firewall.
type FirewallFunc func(f Flow) Verdict

// Check calls fn.
func (fn FirewallFunc) Check(f Flow) Verdict { return fn(f) }

// AllowAll is a firewall that accepts everything: a fabric without a
// firewall uses it.
var AllowAll Firewall = FirewallFunc(func(Flow) Verdict { return Accept })
