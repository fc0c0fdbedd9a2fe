package network

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/flowlog"
	"github.com/irdrill/irdrill/sandbox/world"
)

// scanRTT is the round trip to a scanner.
const scanRTT = 80 * time.Millisecond

// scanState is one scanner's schedule against one public address.
type scanState struct {
	scanner *world.Scanner
	att     *attachment
	next    int // index of the next port
	probes  int
	timer   *clock.Timer
	stopped bool
}

// startScansLocked schedules every scanner against a newly attached public
// address. Each scanner probes it once every Every, starting at a phase
// of its own (from the seed), on its ports in turn: a steady, documented
// rate, not the bursts real scanners send.
func (f *Fabric) startScansLocked(a *attachment) {
	now := f.clock.Now()
	scanners := f.world.Scanners()
	for i := range scanners {
		s := &scanners[i]
		st := &scanState{scanner: s, att: a}
		phase := time.Duration(f.hash(s.Address.String(), a.ifc.ID) % uint64(s.Every))
		st.timer = f.clock.AfterFunc(now.Add(phase), func(t time.Time) { f.scanTick(st, t) })
		a.scans = append(a.scans, st)
	}
}

func (f *Fabric) scanTick(st *scanState, now time.Time) {
	f.mu.Lock()
	if st.stopped {
		f.mu.Unlock()
		return
	}
	st.timer = f.clock.AfterFunc(now.Add(st.scanner.Every), func(t time.Time) { f.scanTick(st, t) })
	port := st.scanner.Ports[st.next]
	st.next = (st.next + 1) % len(st.scanner.Ports)
	st.probes++
	n := st.probes
	f.mu.Unlock()
	f.probe(st.att, st.scanner, port, n, now)
}

// probe is one SYN-scan probe of an instance's public address: a SYN;
// a SYN-ACK and the scanner's reset when the port listens, a reset from
// the instance when it does not; nothing back when the security group (or
// the network ACL) rejects it. The instance's interface records it with
// its private address, as the internet gateway translated the public one.
func (f *Fabric) probe(a *attachment, s *world.Scanner, port uint16, n int, now time.Time) {
	sport := uint16(1024 + f.hash(s.Address.String(), a.ifc.ID, strconv.Itoa(n))%(65535-1024))
	igw := flowlog.PathInternetGateway
	if a.ifc.Nitro {
		igw = flowlog.PathInternetGatewayNitro
	}
	remote := netip.AddrPortFrom(s.Address, sport)
	x := &exchange{
		f: f, protocol: ProtocolTCP, start: now, scanner: true, rtt: scanRTT,
		server: leg{att: a, local: netip.AddrPortFrom(a.ifc.PrivateIP, port), remote: remote, path: igw},
	}
	res := Refused
	syn := flowlog.Packet{At: now, Count: 1, Bytes: probeSYNBytes, Flags: flowlog.FlagSYN}
	if v := x.check(&x.server, Ingress, false); v != Accept {
		x.record(&x.server, Ingress, Reject, []flowlog.Packet{syn})
		res = TimedOut
	} else {
		_, listening := a.listener(ProtocolTCP, port)
		reply := flowlog.Packet{At: now.Add(scanRTT / 2), Count: 1, Bytes: rstBytes, Flags: flowlog.FlagRST}
		if listening {
			reply = flowlog.Packet{At: now.Add(scanRTT / 2), Count: 1, Bytes: synBytes, Flags: flowlog.FlagSYNACK}
		}
		rev := x.check(&x.server, Egress, true)
		in := []flowlog.Packet{syn}
		switch {
		case rev != Accept:
			res = TimedOut
		case listening:
			// The scanner resets the half-open connection.
			in = append(in, flowlog.Packet{At: now.Add(scanRTT), Count: 1, Bytes: rstBytes, Flags: flowlog.FlagRST})
			res = Connected
		}
		x.record(&x.server, Ingress, Accept, in)
		x.record(&x.server, Egress, rev, []flowlog.Packet{reply})
		x.bytesOut, x.bytesIn = sum(in), reply.Bytes
	}
	obs := f.activityObserverList()
	if len(obs) == 0 {
		return
	}
	act := ConnectionActivity{
		Time: now, Interface: &a.ifc, Direction: Inbound, Protocol: ProtocolTCP,
		Local: x.server.local, Remote: remote, Outcome: res, Blocked: x.blocked,
		BytesOut: x.bytesIn, BytesIn: x.bytesOut, Threats: f.world.AddressThreats(s.Address), Scanner: true,
	}
	for _, o := range obs {
		o.ObserveConnection(act)
	}
}
