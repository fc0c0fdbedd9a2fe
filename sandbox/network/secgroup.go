package network

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// SecurityGroup is a security group's rules, as EC2 stores them
// (DescribeSecurityGroupRules: one peer or several per rule).
type SecurityGroup struct {
	ID      string
	Ingress []Rule
	Egress  []Rule
}

// Rule is one security-group rule. It allows traffic of its protocol and
// ports from (ingress) or to (egress) any of its peers.
type Rule struct {
	// Protocol is EC2's IpProtocol: "-1" (all), "tcp", "udp", "icmp",
	// "icmpv6", or a protocol number ("6", "50").
	Protocol string
	// FromPort and ToPort bound the destination port for TCP and UDP; for
	// ICMP they are the type and the code. -1 means any.
	FromPort, ToPort int
	// CIDRs are IPv4 and IPv6 peers.
	CIDRs []netip.Prefix
	// GroupIDs are referenced security groups: the peer interface must be
	// in one (traffic over private addresses only, as in AWS).
	GroupIDs []string
}

// ProtocolNumber maps EC2's IpProtocol to an IANA number; "-1" (and "all")
// is -1. It reports false for a name it does not know.
func ProtocolNumber(p string) (int, bool) {
	switch strings.ToLower(p) {
	case "-1", "all":
		return -1, true
	case "tcp":
		return ProtocolTCP, true
	case "udp":
		return ProtocolUDP, true
	case "icmp":
		return ProtocolICMP, true
	case "icmpv6":
		return 58, true
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < -1 || n > 255 {
		return 0, false
	}
	return n, true
}

// SecurityGroupsAllow evaluates the security groups of the interface a
// flow crosses, as AWS does: groups only allow, so the flow passes when
// any rule of any group in its direction matches; no group, no rule, no
// passage. Response traffic of an accepted connection always passes
// (connection tracking). peerGroups are the groups of f.PeerInterfaceID,
// for rules that reference a group.
func SecurityGroupsAllow(groups []SecurityGroup, f Flow, peerGroups []string) bool {
	if f.Response {
		return true
	}
	peer := f.Dst // egress rules name the destination
	port := int(f.Dst.Port())
	if f.Direction == Ingress {
		peer = f.Src // ingress rules name the source
	}
	for gi := range groups {
		rules := groups[gi].Egress
		if f.Direction == Ingress {
			rules = groups[gi].Ingress
		}
		for ri := range rules {
			r := &rules[ri]
			if !protocolMatches(r.Protocol, r.FromPort, r.ToPort, f, port) {
				continue
			}
			if slices.ContainsFunc(r.CIDRs, func(p netip.Prefix) bool { return p.Contains(peer.Addr().Unmap()) }) {
				return true
			}
			if f.PeerInterfaceID != "" && slices.ContainsFunc(r.GroupIDs, func(g string) bool { return slices.Contains(peerGroups, g) }) {
				return true
			}
		}
	}
	return false
}

// protocolMatches checks a rule's protocol and port (or ICMP type/code)
// range against a flow.
func protocolMatches(protocol string, from, to int, f Flow, port int) bool {
	n, ok := ProtocolNumber(protocol)
	if !ok {
		return false
	}
	if n == -1 {
		return true
	}
	if n != f.Protocol {
		return false
	}
	switch n {
	case ProtocolTCP, ProtocolUDP:
		if from == -1 && to == -1 {
			return true
		}
		return from <= port && port <= to
	case ProtocolICMP, 58:
		return (from == -1 || from == f.ICMPType) && (to == -1 || to == f.ICMPCode)
	}
	return true
}

// NetworkACL is a subnet's network ACL.
type NetworkACL struct {
	Ingress []ACLEntry
	Egress  []ACLEntry
}

// ACLEntry is one numbered network-ACL rule.
type ACLEntry struct {
	RuleNumber int
	Protocol   string // as Rule.Protocol
	// FromPort and ToPort bound the destination port (TCP, UDP); -1 or 0
	// for both means any.
	FromPort, ToPort   int
	ICMPType, ICMPCode int // -1: any
	CIDR               netip.Prefix
	Allow              bool
}

// DefaultNetworkACL allows everything both ways, as a VPC's default ACL
// does (rule 100 allow all, then the implicit deny).
func DefaultNetworkACL() *NetworkACL {
	all := []ACLEntry{
		{RuleNumber: 100, Protocol: "-1", CIDR: netip.MustParsePrefix("0.0.0.0/0"), Allow: true, ICMPType: -1, ICMPCode: -1},
		{RuleNumber: 101, Protocol: "-1", CIDR: netip.MustParsePrefix("::/0"), Allow: true, ICMPType: -1, ICMPCode: -1},
	}
	return &NetworkACL{Ingress: all, Egress: slices.Clone(all)}
}

// Allows evaluates the ACL, as AWS does: the entries of the flow's
// direction in rule-number order, the first that matches decides, and
// none matching denies (the "*" rule). ACLs are stateless: Response does
// not matter.
func (a *NetworkACL) Allows(f Flow) bool {
	entries := a.Egress
	peer := f.Dst
	if f.Direction == Ingress {
		entries = a.Ingress
		peer = f.Src
	}
	if !slices.IsSortedFunc(entries, byRuleNumber) {
		entries = slices.SortedFunc(slices.Values(entries), byRuleNumber)
	}
	port := int(f.Dst.Port())
	for i := range entries {
		e := &entries[i]
		if !e.CIDR.Contains(peer.Addr().Unmap()) {
			continue
		}
		from, to := e.FromPort, e.ToPort
		if from == 0 && to == 0 {
			from, to = -1, -1
		}
		n, _ := ProtocolNumber(e.Protocol)
		if n == ProtocolICMP || n == 58 {
			from, to = e.ICMPType, e.ICMPCode
		}
		if !protocolMatches(e.Protocol, from, to, f, port) {
			continue
		}
		return e.Allow
	}
	return false
}

func byRuleNumber(a, b ACLEntry) int { return cmp.Compare(a.RuleNumber, b.RuleNumber) }

// RuleFirewall is a Firewall over plain rule descriptions: the EC2 service
// hands over each interface's groups and its subnet's ACL as they are at
// the call, and RuleFirewall decides as AWS does (security groups, then
// the network ACL; both must allow).
type RuleFirewall struct {
	// SecurityGroups returns the groups (with their current rules) of an
	// interface. An interface with no groups passes nothing.
	SecurityGroups func(interfaceID string) []SecurityGroup
	// NetworkACL returns the ACL of the interface's subnet; nil (or a nil
	// function) means the default ACL, which allows everything.
	NetworkACL func(interfaceID string) *NetworkACL
}

// Check implements Firewall.
func (fw *RuleFirewall) Check(f Flow) Verdict {
	if fw.SecurityGroups != nil && !f.Response {
		var peerGroups []string
		if f.PeerInterfaceID != "" {
			for _, g := range fw.SecurityGroups(f.PeerInterfaceID) {
				peerGroups = append(peerGroups, g.ID)
			}
		}
		if !SecurityGroupsAllow(fw.SecurityGroups(f.InterfaceID), f, peerGroups) {
			return Reject
		}
	}
	if fw.NetworkACL != nil {
		if acl := fw.NetworkACL(f.InterfaceID); acl != nil && !acl.Allows(f) {
			return Reject
		}
	}
	return Accept
}
