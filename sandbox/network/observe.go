package network

import (
	"net/netip"
	"time"

	"github.com/irdrill/irdrill/sandbox/world"
)

// ResolverQuery is one query the VPC resolver resolved (not answered from
// its cache): what Route 53 Resolver query logging records.
type ResolverQuery struct {
	Time time.Time
	// Interface is the querying interface (account, region, VPC, instance,
	// private address). Shared: do not modify.
	Interface *Interface
	Query     DNSQuery
	Answer    DNSAnswer
}

// QueryObserver receives every query the resolver resolves, in the order
// they happen. The Route 53 Resolver service implements it and decides
// from the VPC which query-log configuration (if any) records it. It is
// called synchronously from Resolve without the fabric's lock, possibly in
// a clock callback: it must not block or advance the clock.
type QueryObserver interface {
	ObserveResolverQuery(q ResolverQuery)
}

// DNSActivity is one DNS query an instance sent, answered from the cache
// or not: what GuardDuty's own DNS feed sees.
type DNSActivity struct {
	Time      time.Time
	Interface *Interface // shared: do not modify
	Query     DNSQuery
	Answer    DNSAnswer
	// Cached reports that the resolver answered from its cache.
	Cached bool
	// Threats are the world's tags on the queried domain (or an ancestor),
	// most specific first. Shared: do not modify.
	Threats []world.Threat
}

// ConnectionDirection is GuardDuty's connectionDirection.
type ConnectionDirection uint8

const (
	Outbound ConnectionDirection = iota + 1
	Inbound
)

func (d ConnectionDirection) String() string {
	if d == Inbound {
		return "INBOUND"
	}
	return "OUTBOUND"
}

// ConnectionActivity is one connection attempt to or from an instance:
// what GuardDuty's own flow feed sees.
type ConnectionActivity struct {
	Time      time.Time
	Interface *Interface // the instance's interface; shared: do not modify
	Direction ConnectionDirection
	Protocol  int
	// Local is the interface's private address and port; Remote is the
	// other end as the instance sees it.
	Local, Remote netip.AddrPort
	// RemoteInterface is the other end when it is an instance in the
	// sandbox (nil for the internet).
	RemoteInterface *Interface
	Outcome         Outcome
	// Blocked reports that a security group or network ACL rejected the
	// connection (GuardDuty's networkConnectionAction.blocked).
	Blocked bool
	// BytesOut and BytesIn are the bytes the instance sent and received.
	BytesOut, BytesIn uint64
	// Threats are the world's tags on the remote address. Shared: do not
	// modify.
	Threats []world.Threat
	// Scanner reports that the remote end is one of the world's scanners.
	Scanner bool
}

// ActivityObserver receives every DNS query and every connection with the
// world's threat intelligence attached: GuardDuty implements it (it reads
// its own feeds, so it needs no flow log or query-log configuration). It
// is called synchronously without the fabric's lock, possibly in a clock
// callback: it must not block or advance the clock.
type ActivityObserver interface {
	ObserveDNS(a DNSActivity)
	ObserveConnection(a ConnectionActivity)
}
