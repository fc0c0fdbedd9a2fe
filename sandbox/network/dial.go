package network

import (
	"context"
	"net/netip"
	"time"

	"github.com/irdrill/irdrill/sandbox/flowlog"
	"github.com/irdrill/irdrill/sandbox/world"
)

// Packet sizes, as flow logs count bytes (IP total length), of the
// modelled exchanges.
const (
	synBytes      = 60 // IP 20 + TCP 20 + options 20 (MSS, SACK, timestamps, window scale), Linux's SYN and SYN-ACK
	ackBytes      = 52 // IP 20 + TCP 20 + timestamps 12
	rstBytes      = 40
	probeSYNBytes = 44 // a scanner's SYN with only an MSS option
	segmentHeader = ackBytes
	udpHeader     = 28
	icmpEchoBytes = 84 // ping's 56-byte payload
	ntpBytes      = 76 // IP 20 + UDP 8 + NTP 48
)

// Maximum segment sizes: 1500-byte MTU on the internet, 9001 inside a VPC,
// less 52 bytes of headers.
const (
	mssInternet = 1448
	mssVPC      = 8949
)

// Round trips when the world does not say: inside a VPC, and between two
// instances through the internet gateway.
const (
	rttVPC = 200 * time.Microsecond
	rttIGW = time.Millisecond
)

// synSchedule is when Linux sends a connection's SYNs when none is
// answered (tcp_syn_retries=6, initial RTO 1 s, doubling); tcpTimeout is
// when connect gives up.
var synSchedule = [...]time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second, 31 * time.Second, 63 * time.Second}

const (
	tcpTimeout      = 127 * time.Second
	datagramTimeout = 5 * time.Second
)

// AWS's link-local services: never filtered by security groups or ACLs,
// never in flow logs.
var (
	metadataV4 = netip.MustParseAddr("169.254.169.254")
	metadataV6 = netip.MustParseAddr("fd00:ec2::254")
	timeSyncV4 = netip.MustParseAddr("169.254.169.123")
	timeSyncV6 = netip.MustParseAddr("fd00:ec2::123")
	dnsLinkV4  = netip.MustParseAddr("169.254.169.253")
	dnsLinkV6  = netip.MustParseAddr("fd00:ec2::253")
)

type routeKind uint8

const (
	routeInternet  routeKind = iota // to the world, through the internet gateway
	routeVPC                        // to another interface's private address
	routeIGWPeer                    // to another instance's public address
	routeVPCNobody                  // to an unused address in the VPC
	routeNone                       // no public address: no way out
)

// leg is one end of a connection as its interface sees it.
type leg struct {
	att *attachment // nil for the internet
	// local is the interface's private address and port; remote the other
	// end as packets on this interface show it.
	local, remote netip.AddrPort
	peerID        string // the other interface, for group references (VPC route only)
	path          uint8  // traffic-path of this interface's egress records
	awsService    string // the remote address's AWS service, for pkt-*-aws-service
}

// packets crossing the leg's interface in a direction: (src, dst).
func (l *leg) ends(dir Direction) (netip.AddrPort, netip.AddrPort) {
	if dir == Egress {
		return l.local, l.remote
	}
	return l.remote, l.local
}

// exchange is one modelled connection or datagram exchange.
type exchange struct {
	f        *Fabric
	protocol int
	client   leg
	server   leg
	// host is the world's server when the server is on the internet.
	host   *world.Host
	exists bool // something answers at the address
	rtt    time.Duration
	mss    int
	start  time.Time
	// timeout bounds the attempts (SYN retries).
	timeout  time.Duration
	request  []byte
	scanner  bool
	bytesOut uint64 // client → server
	bytesIn  uint64 // server → client
	blocked  bool
}

func (x *exchange) check(l *leg, dir Direction, response bool) Verdict {
	if l.att == nil {
		return Accept
	}
	src, dst := l.ends(dir)
	fl := Flow{
		InterfaceID: l.att.ifc.ID, PeerInterfaceID: l.peerID, Direction: dir, Protocol: x.protocol,
		Src: src, Dst: dst, ICMPType: -1, ICMPCode: -1, Response: response,
	}
	if x.protocol == ProtocolICMP {
		// Echo request out, echo reply back.
		fl.ICMPType, fl.ICMPCode = 8, 0
		if response {
			fl.ICMPType = 0
		}
	}
	v := x.f.firewall.Check(fl)
	if v != Accept {
		x.blocked = true
	}
	return v
}

// record adds packets crossing l's interface in a direction to flow logs.
func (x *exchange) record(l *leg, dir Direction, v Verdict, pkts []flowlog.Packet) {
	if l.att == nil || len(pkts) == 0 {
		return
	}
	src, dst := l.ends(dir)
	fl := flowlog.Flow{
		Src: src.Addr(), Dst: dst.Addr(), SrcPort: src.Port(), DstPort: dst.Port(), Protocol: uint8(x.protocol),
		Action: flowlog.Accept,
	}
	if v != Accept {
		fl.Action = flowlog.Reject
	}
	if dir == Egress {
		fl.Direction, fl.TrafficPath, fl.PktDstAWSService = flowlog.Egress, l.path, l.awsService
	} else {
		fl.Direction, fl.PktSrcAWSService = flowlog.Ingress, l.awsService
	}
	x.f.flows.Observe(l.att.fl, fl, pkts)
}

// forward records packets going client → server on both interfaces: the
// client's egress with its verdict and, if they left, the server's ingress
// with its.
func (x *exchange) forward(vClient, vServer Verdict, pkts []flowlog.Packet) {
	x.record(&x.client, Egress, vClient, pkts)
	if vClient == Accept {
		x.bytesOut += sum(pkts)
		x.record(&x.server, Ingress, vServer, pkts)
	}
}

// backward records packets going server → client.
func (x *exchange) backward(vServer, vClient Verdict, pkts []flowlog.Packet) {
	x.record(&x.server, Egress, vServer, pkts)
	if vServer == Accept {
		x.record(&x.client, Ingress, vClient, pkts)
		if vClient == Accept {
			x.bytesIn += sum(pkts)
		}
	}
}

func sum(pkts []flowlog.Packet) uint64 {
	var n uint64
	for _, p := range pkts {
		n += p.Bytes
	}
	return n
}

// attempts are the SYN (or datagram) times within the timeout.
func (x *exchange) attempts() []time.Time {
	if x.protocol != ProtocolTCP {
		return []time.Time{x.start}
	}
	out := make([]time.Time, 0, len(synSchedule))
	for _, d := range synSchedule {
		if d >= x.timeout {
			break
		}
		out = append(out, x.start.Add(d))
	}
	if len(out) == 0 {
		out = append(out, x.start)
	}
	return out
}

func each(times []time.Time, offset time.Duration, bytes uint64, flags uint8) []flowlog.Packet {
	out := make([]flowlog.Packet, len(times))
	for i, t := range times {
		out[i] = flowlog.Packet{At: t.Add(offset), Count: 1, Bytes: bytes, Flags: flags}
	}
	return out
}

// run plays the exchange and says how it went. response tells whether
// the server listens and what it answers.
func (x *exchange) run(response func() ([]byte, bool)) DialResult {
	fwdClient := x.check(&x.client, Egress, false)
	fwdServer := Accept
	if fwdClient == Accept {
		fwdServer = x.check(&x.server, Ingress, false)
	}
	tries := x.attempts()
	firstBytes, firstFlags := x.firstPacket()
	if fwdClient != Accept || fwdServer != Accept || !x.exists {
		// Dropped on the way, or nobody there: the client sends every
		// attempt and hears nothing.
		x.forward(fwdClient, fwdServer, each(tries, 0, firstBytes, firstFlags))
		return DialResult{Outcome: TimedOut, Elapsed: x.timeout}
	}
	resp, listening := response()
	if x.protocol != ProtocolTCP && !listening {
		// A UDP port nobody listens on answers with ICMP port unreachable
		// (not modelled as a flow of its own); an unanswered ping times out.
		x.forward(Accept, Accept, each(tries, 0, firstBytes, firstFlags))
		if x.protocol == ProtocolUDP {
			return DialResult{Outcome: Refused, Elapsed: x.rtt}
		}
		return DialResult{Outcome: TimedOut, Elapsed: x.timeout}
	}
	revServer := x.check(&x.server, Egress, true)
	revClient := Accept
	if revServer == Accept {
		revClient = x.check(&x.client, Ingress, true)
	}
	replyBytes, replyFlags := x.replyPacket(listening, len(resp))
	if revServer != Accept || revClient != Accept {
		// Every attempt is answered and the answer dropped.
		x.forward(Accept, Accept, each(tries, 0, firstBytes, firstFlags))
		x.backward(revServer, revClient, each(tries, x.rtt/2, replyBytes, replyFlags))
		return DialResult{Outcome: TimedOut, Elapsed: x.timeout}
	}
	if !listening {
		// TCP: the server resets the connection at the first SYN.
		x.forward(Accept, Accept, each(tries[:1], 0, firstBytes, firstFlags))
		x.backward(Accept, Accept, each(tries[:1], x.rtt/2, replyBytes, replyFlags))
		return DialResult{Outcome: Refused, Elapsed: x.rtt}
	}
	if x.protocol == ProtocolTCP {
		out, back := tcpPackets(x.start, x.rtt, x.mss, len(x.request), len(resp))
		x.forward(Accept, Accept, out)
		x.backward(Accept, Accept, back)
	} else {
		x.forward(Accept, Accept, each(tries[:1], 0, firstBytes, 0))
		x.backward(Accept, Accept, each(tries[:1], x.rtt/2, replyBytes, 0))
	}
	if x.protocol != ProtocolTCP {
		return DialResult{Outcome: Connected, Response: resp, Elapsed: x.rtt}
	}
	// The handshake, then the request and its response.
	return DialResult{Outcome: Connected, Response: resp, Elapsed: 2 * x.rtt}
}

func (x *exchange) firstPacket() (uint64, uint8) {
	switch x.protocol {
	case ProtocolTCP:
		if x.scanner {
			return probeSYNBytes, flowlog.FlagSYN
		}
		return synBytes, flowlog.FlagSYN
	case ProtocolUDP:
		return uint64(udpHeader + len(x.request)), 0
	}
	return icmpEchoBytes, 0
}

func (x *exchange) replyPacket(listening bool, response int) (uint64, uint8) {
	switch x.protocol {
	case ProtocolTCP:
		if listening {
			return synBytes, flowlog.FlagSYNACK
		}
		return rstBytes, flowlog.FlagRST
	case ProtocolUDP:
		return uint64(udpHeader + response), 0
	}
	return icmpEchoBytes, 0
}

// tcpPackets models a short connection that opens, sends one request,
// reads one response and closes (curl, wget): the client's packets and
// the server's. tcp-flags come out as AWS reports a short connection: 3
// (SYN, FIN) from the client and 19 (SYN-ACK, FIN) from the server.
//
// Client: SYN; ACK; the request in MSS-sized segments; a delayed ACK for
// every two response segments; FIN; the last ACK. Server: SYN-ACK; a bare
// ACK of the request when there is no response; the response in segments;
// FIN (with the ACK of the request piggybacked on the response).
func tcpPackets(start time.Time, rtt time.Duration, mss, request, response int) (client, server []flowlog.Packet) {
	segs := func(n int) (int, uint64) {
		if n <= 0 {
			return 0, 0
		}
		s := (n + mss - 1) / mss
		return s, uint64(s*segmentHeader + n)
	}
	reqSegs, reqBytes := segs(request)
	respSegs, respBytes := segs(response)
	half := rtt / 2

	client = append(client,
		flowlog.Packet{At: start, Count: 1, Bytes: synBytes, Flags: flowlog.FlagSYN},
		flowlog.Packet{At: start.Add(rtt), Count: 1, Bytes: ackBytes})
	if reqSegs > 0 {
		client = append(client, flowlog.Packet{At: start.Add(rtt), Count: uint32(reqSegs), Bytes: reqBytes})
	}
	if acks := (respSegs + 1) / 2; acks > 0 {
		client = append(client, flowlog.Packet{At: start.Add(2 * rtt), Count: uint32(acks), Bytes: uint64(acks * ackBytes)})
	}
	client = append(client,
		flowlog.Packet{At: start.Add(2 * rtt), Count: 1, Bytes: ackBytes, Flags: flowlog.FlagFIN},
		flowlog.Packet{At: start.Add(3 * rtt), Count: 1, Bytes: ackBytes})

	server = append(server, flowlog.Packet{At: start.Add(half), Count: 1, Bytes: synBytes, Flags: flowlog.FlagSYNACK})
	switch {
	case respSegs > 0:
		server = append(server, flowlog.Packet{At: start.Add(rtt + half), Count: uint32(respSegs), Bytes: respBytes})
	case reqSegs > 0:
		server = append(server, flowlog.Packet{At: start.Add(rtt + half), Count: 1, Bytes: ackBytes})
	}
	server = append(server, flowlog.Packet{At: start.Add(2*rtt + half), Count: 1, Bytes: ackBytes, Flags: flowlog.FlagFIN})
	return client, server
}

// Dial implements Network: it opens a connection (TCP), sends a datagram
// and waits for the answer (UDP), or pings (ICMP), as the Firewall, the
// world and the other instances allow, and leaves flow-log records on
// every interface the packets cross. A zero Protocol is TCP, a zero
// SrcPort an ephemeral port, a zero Time the clock's now, a zero Timeout
// Linux's (127 s for a TCP connect, 5 s for a datagram).
func (f *Fabric) Dial(ctx context.Context, d Dial) DialResult {
	start := f.now(d.Time)
	if ctx.Err() != nil {
		return DialResult{Outcome: TimedOut}
	}
	src := f.source(d.From)
	protocol := d.Protocol
	if protocol == 0 {
		protocol = ProtocolTCP
	}
	dst := netip.AddrPortFrom(d.Dst.Addr().Unmap(), d.Dst.Port())
	if protocol == ProtocolICMP {
		dst = netip.AddrPortFrom(dst.Addr(), 0)
	}
	sport := d.SrcPort
	if sport == 0 && protocol != ProtocolICMP {
		sport = src.ephemeralPort()
	}
	if protocol == ProtocolICMP {
		sport = 0
	}
	if res, ok := f.unlogged(ctx, src, protocol, dst, d.Request); ok {
		return res
	}
	if dst.Addr().Is4() != src.ifc.PrivateIP.Is4() {
		// The interface has no address of that family: the kernel fails
		// the connect at once ("network is unreachable"); nothing is sent.
		return DialResult{Outcome: Refused}
	}

	x := &exchange{
		f: f, protocol: protocol, start: start, request: d.Request, mss: mssInternet,
		client: leg{att: src, local: netip.AddrPortFrom(src.ifc.PrivateIP, sport), remote: dst},
	}
	x.timeout = d.Timeout
	if x.timeout <= 0 {
		x.timeout = datagramTimeout
		if protocol == ProtocolTCP {
			x.timeout = tcpTimeout
		}
	}
	clientSeenAs := src.ifc.PrivateIP
	igw := flowlog.PathInternetGateway
	if src.ifc.Nitro {
		igw = flowlog.PathInternetGatewayNitro
	}
	var peer *attachment
	f.mu.RLock()
	kind := routeInternet
	switch p, ok := f.byPrivate[vpcAddr{src.ifc.VPCID, dst.Addr()}]; {
	case ok:
		kind, peer = routeVPC, p
	case src.inVPC(dst.Addr()):
		kind = routeVPCNobody
	case !src.ifc.PublicIP.IsValid():
		kind = routeNone
	default:
		if p, ok := f.byPublic[dst.Addr()]; ok {
			kind, peer = routeIGWPeer, p
		}
	}
	f.mu.RUnlock()

	switch kind {
	case routeVPC:
		x.rtt, x.mss, x.exists = rttVPC, mssVPC, true
		x.client.path, x.client.peerID = flowlog.PathSameVPC, peer.ifc.ID
		x.server = leg{att: peer, local: netip.AddrPortFrom(peer.ifc.PrivateIP, dst.Port()),
			remote: netip.AddrPortFrom(clientSeenAs, sport), peerID: src.ifc.ID, path: flowlog.PathSameVPC}
	case routeIGWPeer:
		x.rtt, x.exists = rttIGW, true
		x.client.path = igw
		peerIGW := flowlog.PathInternetGateway
		if peer.ifc.Nitro {
			peerIGW = flowlog.PathInternetGatewayNitro
		}
		x.server = leg{att: peer, local: netip.AddrPortFrom(peer.ifc.PrivateIP, dst.Port()),
			remote: netip.AddrPortFrom(src.ifc.PublicIP, sport), path: peerIGW}
	case routeVPCNobody:
		x.rtt, x.mss = rttVPC, mssVPC
		x.client.path = flowlog.PathSameVPC
	case routeNone:
		x.rtt = rttIGW
	default:
		x.client.path = igw
		if h, ok := f.world.Host(dst.Addr()); ok {
			x.host, x.exists, x.rtt = h, true, h.RTT
			x.client.awsService = h.AWSService
		} else {
			x.rtt = 40 * time.Millisecond
		}
	}
	res := x.run(func() ([]byte, bool) {
		if peer != nil {
			l, ok := peer.listener(protocol, dst.Port())
			if !ok {
				return nil, protocol == ProtocolICMP // instances answer ping
			}
			return l.Response, true
		}
		if x.host == nil {
			return nil, false
		}
		if protocol == ProtocolICMP {
			return nil, x.host.Ping
		}
		l, ok := x.host.Listener(protocol, dst.Port())
		if !ok {
			return nil, false
		}
		return l.Response, true
	})
	f.observeConnection(x, res, peer)
	return res
}

// observeConnection tells the activity observers about both ends.
func (f *Fabric) observeConnection(x *exchange, res DialResult, peer *attachment) {
	obs := f.activityObserverList()
	if len(obs) == 0 {
		return
	}
	var threats []world.Threat
	if peer == nil {
		threats = f.world.AddressThreats(x.client.remote.Addr())
	}
	out := ConnectionActivity{
		Time: x.start, Interface: &x.client.att.ifc, Direction: Outbound, Protocol: x.protocol,
		Local: x.client.local, Remote: x.client.remote, Outcome: res.Outcome, Blocked: x.blocked,
		BytesOut: x.bytesOut, BytesIn: x.bytesIn, Threats: threats,
	}
	if peer != nil {
		out.RemoteInterface = &peer.ifc
	}
	for _, o := range obs {
		o.ObserveConnection(out)
	}
	if peer != nil {
		in := ConnectionActivity{
			Time: x.start, Interface: &peer.ifc, Direction: Inbound, Protocol: x.protocol,
			Local: x.server.local, Remote: x.server.remote, RemoteInterface: &x.client.att.ifc,
			Outcome: res.Outcome, Blocked: x.blocked, BytesOut: x.bytesIn, BytesIn: x.bytesOut,
		}
		for _, o := range obs {
			o.ObserveConnection(in)
		}
	}
}

// unlogged answers traffic to the addresses flow logs never record and
// firewalls never filter: instance metadata, Time Sync, the Amazon DNS
// server and DHCP, and the instance's own addresses.
func (f *Fabric) unlogged(ctx context.Context, src *attachment, protocol int, dst netip.AddrPort, request []byte) (DialResult, bool) {
	addr := dst.Addr()
	const local = time.Millisecond
	switch {
	case addr == metadataV4 || addr == metadataV6:
		if protocol != ProtocolTCP || dst.Port() != 80 {
			return DialResult{Outcome: Refused, Elapsed: local}, true
		}
		resp := []byte("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		if f.metadata != nil {
			resp = f.metadata(ctx, &src.ifc, request)
		}
		return DialResult{Outcome: Connected, Response: resp, Elapsed: local}, true
	case addr == timeSyncV4 || addr == timeSyncV6:
		if protocol != ProtocolUDP || dst.Port() != 123 {
			return DialResult{Outcome: TimedOut, Elapsed: datagramTimeout}, true
		}
		return DialResult{Outcome: Connected, Response: make([]byte, ntpBytes-udpHeader), Elapsed: local}, true
	case addr == dnsLinkV4 || addr == dnsLinkV6 || (src.resolver.IsValid() && addr == src.resolver):
		if dst.Port() != 53 {
			return DialResult{Outcome: Refused, Elapsed: local}, true
		}
		// DNS goes through Resolve; a raw connection to the resolver is
		// answered and not logged.
		return DialResult{Outcome: Connected, Elapsed: local}, true
	case protocol == ProtocolUDP && (dst.Port() == 67 || dst.Port() == 68):
		return DialResult{Outcome: Connected, Elapsed: local}, true
	case addr.IsLoopback() || addr == src.ifc.PrivateIP || (src.ifc.PublicIP.IsValid() && addr == src.ifc.PublicIP):
		// Never leaves the instance.
		if protocol == ProtocolICMP {
			return DialResult{Outcome: Connected, Elapsed: local}, true
		}
		if l, ok := src.listener(protocol, dst.Port()); ok {
			return DialResult{Outcome: Connected, Response: l.Response, Elapsed: local}, true
		}
		return DialResult{Outcome: Refused, Elapsed: local}, true
	}
	return DialResult{}, false
}
