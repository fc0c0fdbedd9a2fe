// Package network is the contract between the sandbox's decoy instances and
// the network they live on: the instance runtime (package behaviour) sends
// DNS queries and opens connections through a Network, and the Network
// decides what happens to them (the VPC resolver and the modelled internet
// answer; security groups accept or reject) and leaves the telemetry AWS
// would (VPC flow-log records, Resolver query-log records, GuardDuty
// observations).
//
// Fabric is the Network: built from a world.World (the modelled internet),
// the sandbox clock and a Firewall (EC2's security groups and network ACLs,
// evaluated by RuleFirewall over plain rules). EC2 attaches instances'
// interfaces to it (Attach, Detach) and adds flow logs to its Collector
// (FlowLogs); Route 53 Resolver and GuardDuty observe it (ObserveQueries,
// ObserveActivity).
//
//	fab := network.NewFabric(world.Default(), clk, network.Options{
//		Firewall: &network.RuleFirewall{SecurityGroups: ec2.GroupsOf, NetworkACL: ec2.ACLOf},
//		FlowLogDeliveryDelay: delay,
//	})
//	fab.Attach(network.Interface{ID: "eni-…", InstanceID: "i-…", AccountID: acct, Region: "us-east-1",
//		AZID: "use1-az1", VPCID: vpc, SubnetID: subnet, VPCCIDRs: cidrs, PrivateIP: priv, PublicIP: pub})
//	ans := fab.Resolve(ctx, network.DNSQuery{From: host, Name: "pool.minergate.com", Type: "A"})
//	res := fab.Dial(ctx, network.Dial{From: host, Dst: netip.MustParseAddrPort("198.51.100.10:80"), Request: req})
//
// Nothing here touches the host: no real socket, DNS query or file is ever
// made. The types are plain values so that both sides, and tests, can build
// them without the other.
//
// # Approximations
//
// (Collected in docs/sandbox-fidelity.md.)
//   - The internet is the world file: an address the world does not list
//     drops every packet; a listed host resets ports it does not listen on
//     and answers every request on a port with the same response.
//   - TCP is modelled per connection, not per packet on a wire: one request
//     and one response, MSS-sized segments (1448 bytes on the internet, 8949
//     inside a VPC), a delayed ACK per two segments, the client closing
//     first; packet sizes are Linux's (60-byte SYN, 52-byte segments with
//     timestamps). An unanswered connect sends Linux's 7 SYNs over 127 s.
//     Round trips come from the world (40 ms by default), 0.2 ms inside a
//     VPC.
//   - An interface reaches the internet only with a public address (no NAT
//     gateways or route tables); an unused address in the VPC drops packets.
//   - A UDP port nobody listens on refuses without an ICMP flow; ICMP is
//     echo only.
//   - Scanners SYN-scan at a steady rate, one port per probe, never
//     retrying.
package network

import (
	"context"
	"net/netip"
	"time"
)

// Host is the sending side of a query or connection: one network interface
// of one instance.
type Host struct {
	InstanceID  string // i-…
	InterfaceID string // eni-…
	VPCID       string
	SubnetID    string
	// PrivateIP is the interface's primary private address. Flow logs show
	// it in both directions; the internet gateway translates to PublicIP.
	PrivateIP netip.Addr
	// PublicIP is the interface's public address, if it has one.
	PublicIP netip.Addr
	// Resolver is the VPC's Amazon-provided DNS resolver (the VPC CIDR's
	// base address plus two).
	Resolver netip.Addr
}

// DNSQuery is one query an instance sends to its VPC's resolver.
type DNSQuery struct {
	Time time.Time
	From Host
	// SrcPort is the ephemeral port the query leaves from.
	SrcPort uint16
	// Name is the name as asked, without a trailing dot
	// ("pool.minergate.com").
	Name string
	// Type is the query type's mnemonic: "A", "AAAA", "TXT", "MX", ….
	Type string
	// Transport is "UDP" or "TCP".
	Transport string
}

// Record is one resource record of an answer.
type Record struct {
	Name  string // without a trailing dot
	Type  string // "A", "AAAA", "CNAME", "TXT", …
	Class string // "IN"
	TTL   uint32 // seconds
	Data  string // "198.51.100.10", "pool.example.", …
}

// DNSAnswer is what the resolver answers.
type DNSAnswer struct {
	// RCode is the response code's mnemonic: "NOERROR", "NXDOMAIN",
	// "SERVFAIL", "REFUSED".
	RCode   string
	Answers []Record
}

// Protocol numbers, as flow logs record them (IANA).
const (
	ProtocolICMP = 1
	ProtocolTCP  = 6
	ProtocolUDP  = 17
)

// Dial is one connection an instance opens (or one datagram exchange it
// starts) to a remote address.
type Dial struct {
	Time     time.Time
	From     Host
	Protocol int // ProtocolTCP, ProtocolUDP, ProtocolICMP
	SrcPort  uint16
	Dst      netip.AddrPort
	// Request is the application payload the client sends (an HTTP request
	// line and headers, say); its length sizes the flow.
	Request []byte
	// Timeout bounds how long the client waits for the connection (curl's
	// --connect-timeout); zero is the operating system's (127 s for TCP on
	// Linux, 5 s for a datagram). It decides how many SYNs a dropped
	// connection sends.
	Timeout time.Duration
}

// DialResult is how a connection went.
type DialResult struct {
	// Outcome says whether the connection was made.
	Outcome Outcome
	// Response is the application payload the server sent back, when
	// Outcome is Connected.
	Response []byte
	// Elapsed is how long the exchange took on the sandbox clock.
	Elapsed time.Duration
}

// Outcome is the fate of a connection attempt.
type Outcome int

const (
	// Connected: the handshake completed and the server answered.
	Connected Outcome = iota
	// Refused: the remote host answered with a reset (nothing listens).
	Refused
	// TimedOut: nothing answered, or a security group or network ACL
	// dropped the traffic (security groups drop silently).
	TimedOut
)

func (o Outcome) String() string {
	switch o {
	case Connected:
		return "connected"
	case Refused:
		return "refused"
	case TimedOut:
		return "timed out"
	}
	return "unknown"
}

// Network carries an instance's traffic. Implementations are safe for
// concurrent use.
type Network interface {
	// Resolve sends q to the VPC resolver and returns its answer.
	Resolve(ctx context.Context, q DNSQuery) DNSAnswer
	// Dial opens a connection and exchanges d.Request for the server's
	// response.
	Dial(ctx context.Context, d Dial) DialResult
}
