package network

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/flowlog"
	"github.com/irdrill/irdrill/sandbox/world"
)

// Interface is a network interface attached to the fabric: everything the
// fabric, flow logs and the observers need to know of it. EC2 attaches an
// instance's interfaces when it starts and detaches them when it stops.
type Interface struct {
	ID               string // eni-…
	InstanceID       string // i-…; empty for an interface no instance owns
	AccountID        string
	Region           string
	AvailabilityZone string // us-east-1a
	AZID             string // use1-az1
	VPCID            string
	SubnetID         string
	// VPCCIDRs are the VPC's IPv4 and IPv6 blocks: traffic to them stays in
	// the VPC. Without them, private (RFC 1918) addresses are taken to be
	// the VPC's.
	VPCCIDRs []netip.Prefix
	// PrivateIP is the primary private address: flow logs show it in both
	// directions.
	PrivateIP netip.Addr
	// PublicIP is the public address, if any: the internet reaches the
	// interface there (and scanners probe it), and the interface reaches
	// the internet only with one (the fabric models no NAT gateway).
	PublicIP netip.Addr
	// Nitro instances aggregate flow logs over at most 60 seconds and
	// report traffic-path 8 for the internet gateway.
	Nitro bool
	// Listeners are the ports the instance answers on (sshd on 22, say),
	// for connections from other instances and the internet.
	Listeners []Listener
}

// Listener is a port an instance answers on.
type Listener struct {
	Protocol int // ProtocolTCP or ProtocolUDP
	Port     uint16
	Response []byte
}

// Host returns the interface as the Host the instance runtime uses.
func (i *Interface) Host() Host {
	return Host{
		InstanceID: i.InstanceID, InterfaceID: i.ID, VPCID: i.VPCID, SubnetID: i.SubnetID,
		PrivateIP: i.PrivateIP, PublicIP: i.PublicIP, Resolver: resolverAddr(i.VPCCIDRs),
	}
}

// Options configure a Fabric.
type Options struct {
	// Firewall judges every flow that crosses an interface; nil accepts
	// everything.
	Firewall Firewall
	// FlowLogDeliveryDelay delays each flow-log window's delivery past its
	// end (--flow-log-delivery-delay; 0 by default, 5–10 minutes rehearses
	// AWS).
	FlowLogDeliveryDelay time.Duration
	// Metadata answers requests to the instance metadata service
	// (169.254.169.254:80); nil answers 404 Not Found.
	Metadata func(ctx context.Context, ifc *Interface, request []byte) []byte
	// Seed varies the pseudo-random choices (ephemeral and scanner ports,
	// scanner phases); the same seed gives the same traffic.
	Seed uint64
	// DisableScanners turns the world's scanners off.
	DisableScanners bool
	// ResolverCachePerInterface gives every interface a resolver cache of
	// its own instead of one per VPC. With one cache per VPC (the default,
	// and what the VPC's single resolver address suggests), a name one
	// instance resolved is answered from the cache for the others in the
	// VPC, so query logs record it once for all of them (AWS does not
	// document how far its cache is shared).
	ResolverCachePerInterface bool
	// Context is passed to flow-log destinations; nil means Background.
	Context context.Context
}

// Fabric is the sandbox's network: it implements Network for the instance
// runtime over the modelled world, judges flows with the Firewall, writes
// flow-log records through its Collector and tells the observers what
// happened. Everything runs on the sandbox clock; nothing reaches the
// host. It is safe for concurrent use.
type Fabric struct {
	world    *world.World
	clock    *clock.Clock
	firewall Firewall
	flows    *flowlog.Collector
	metadata func(ctx context.Context, ifc *Interface, request []byte) []byte
	seed     uint64
	scanners bool
	cacheENI bool

	mu        sync.RWMutex
	byID      map[string]*attachment
	byPrivate map[vpcAddr]*attachment
	byPublic  map[netip.Addr]*attachment
	resolvers map[string]*resolver // by VPC

	queryObservers    atomic.Pointer[[]QueryObserver]
	activityObservers atomic.Pointer[[]ActivityObserver]
}

var _ Network = (*Fabric)(nil)

type vpcAddr struct {
	vpc  string
	addr netip.Addr
}

// attachment is an attached interface and its fabric state.
type attachment struct {
	ifc      Interface
	fl       *flowlog.Interface
	resolver netip.Addr
	// cacheScope names the resolver cache the interface's queries use.
	cacheScope string
	nextPort   atomic.Uint32
	scans      []*scanState // guarded by Fabric.mu
}

// NewFabric returns a fabric over world w on clock c.
func NewFabric(w *world.World, c *clock.Clock, opts Options) *Fabric {
	fw := opts.Firewall
	if fw == nil {
		fw = AllowAll
	}
	seed := opts.Seed
	if seed == 0 {
		seed = 0x5eed_1dd7_11 // any fixed value: runs repeat
	}
	return &Fabric{
		world: w, clock: c, firewall: fw, metadata: opts.Metadata, seed: seed, scanners: !opts.DisableScanners,
		cacheENI:  opts.ResolverCachePerInterface,
		flows:     flowlog.NewCollector(c, flowlog.Options{DeliveryDelay: opts.FlowLogDeliveryDelay, Context: opts.Context}),
		byID:      map[string]*attachment{},
		byPrivate: map[vpcAddr]*attachment{},
		byPublic:  map[netip.Addr]*attachment{},
		resolvers: map[string]*resolver{},
	}
}

// World is the fabric's model of the internet.
func (f *Fabric) World() *world.World { return f.world }

// FlowLogs is the fabric's flow-log collector: EC2's CreateFlowLogs adds
// configurations to it, DeleteFlowLogs removes them, DescribeFlowLogs reads
// their Status.
func (f *Fabric) FlowLogs() *flowlog.Collector { return f.flows }

// ObserveQueries adds an observer of resolved queries (Route 53 Resolver
// query logging).
func (f *Fabric) ObserveQueries(o QueryObserver) {
	for {
		old := f.queryObservers.Load()
		var next []QueryObserver
		if old != nil {
			next = slices.Clone(*old)
		}
		next = append(next, o)
		if f.queryObservers.CompareAndSwap(old, &next) {
			return
		}
	}
}

// ObserveActivity adds an observer of every query and connection
// (GuardDuty).
func (f *Fabric) ObserveActivity(o ActivityObserver) {
	for {
		old := f.activityObservers.Load()
		var next []ActivityObserver
		if old != nil {
			next = slices.Clone(*old)
		}
		next = append(next, o)
		if f.activityObservers.CompareAndSwap(old, &next) {
			return
		}
	}
}

func (f *Fabric) queryObserverList() []QueryObserver {
	if p := f.queryObservers.Load(); p != nil {
		return *p
	}
	return nil
}

func (f *Fabric) activityObserverList() []ActivityObserver {
	if p := f.activityObservers.Load(); p != nil {
		return *p
	}
	return nil
}

// ErrAddressInUse is returned by Attach for an address another attached
// interface holds.
var ErrAddressInUse = errors.New("address in use")

// Attach connects an interface to the fabric, replacing an earlier
// attachment of the same ID (after a stop and start, with its new public
// address). From then on its traffic is modelled, flow logs that cover it
// record it, and, when it has a public address, the world's scanners
// probe it.
func (f *Fabric) Attach(ifc Interface) error {
	if ifc.ID == "" {
		return errors.New("attach interface: no ID")
	}
	if !ifc.PrivateIP.IsValid() {
		return fmt.Errorf("attach interface %s: no private address", ifc.ID)
	}
	ifc.PrivateIP = ifc.PrivateIP.Unmap()
	ifc.PublicIP = ifc.PublicIP.Unmap()
	ifc.VPCCIDRs = slices.Clone(ifc.VPCCIDRs)
	ifc.Listeners = slices.Clone(ifc.Listeners)
	a := &attachment{
		ifc: ifc,
		fl: &flowlog.Interface{
			ID: ifc.ID, AccountID: ifc.AccountID, InstanceID: ifc.InstanceID, VPCID: ifc.VPCID,
			SubnetID: ifc.SubnetID, Region: ifc.Region, AZID: ifc.AZID, Nitro: ifc.Nitro,
		},
		resolver: resolverAddr(ifc.VPCCIDRs),
	}
	a.cacheScope = f.cacheScope(&a.ifc)
	a.nextPort.Store(uint32(ephemeralLow + f.hash(ifc.ID)%(ephemeralHigh-ephemeralLow+1)))

	f.mu.Lock()
	defer f.mu.Unlock()
	if other, ok := f.byPrivate[vpcAddr{ifc.VPCID, ifc.PrivateIP}]; ok && other.ifc.ID != ifc.ID {
		return fmt.Errorf("attach interface %s: %s in %s is %s's: %w", ifc.ID, ifc.PrivateIP, ifc.VPCID, other.ifc.ID, ErrAddressInUse)
	}
	if ifc.PublicIP.IsValid() {
		if other, ok := f.byPublic[ifc.PublicIP]; ok && other.ifc.ID != ifc.ID {
			return fmt.Errorf("attach interface %s: public address %s is %s's: %w", ifc.ID, ifc.PublicIP, other.ifc.ID, ErrAddressInUse)
		}
	}
	if old, ok := f.byID[ifc.ID]; ok {
		f.detachLocked(old)
	}
	f.byID[ifc.ID] = a
	f.byPrivate[vpcAddr{ifc.VPCID, ifc.PrivateIP}] = a
	if ifc.PublicIP.IsValid() {
		f.byPublic[ifc.PublicIP] = a
		if f.scanners {
			f.startScansLocked(a)
		}
	}
	return nil
}

// Detach disconnects an interface (its instance stopped or terminated):
// its traffic stops and scanners find nothing at its old public address.
// It reports whether the interface was attached.
func (f *Fabric) Detach(interfaceID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.byID[interfaceID]
	if ok {
		f.detachLocked(a)
	}
	return ok
}

func (f *Fabric) detachLocked(a *attachment) {
	delete(f.byID, a.ifc.ID)
	if f.byPrivate[vpcAddr{a.ifc.VPCID, a.ifc.PrivateIP}] == a {
		delete(f.byPrivate, vpcAddr{a.ifc.VPCID, a.ifc.PrivateIP})
	}
	if a.ifc.PublicIP.IsValid() && f.byPublic[a.ifc.PublicIP] == a {
		delete(f.byPublic, a.ifc.PublicIP)
	}
	for _, s := range a.scans {
		s.stopped = true
		if s.timer != nil {
			s.timer.Stop()
		}
	}
	a.scans = nil
}

// Interface returns an attached interface. Shared: do not modify.
func (f *Fabric) Interface(id string) (*Interface, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	a, ok := f.byID[id]
	if !ok {
		return nil, false
	}
	return &a.ifc, true
}

// Interfaces returns every attached interface, in no particular order.
func (f *Fabric) Interfaces() []*Interface {
	f.mu.RLock()
	defer f.mu.RUnlock()
	out := make([]*Interface, 0, len(f.byID))
	for _, a := range f.byID {
		out = append(out, &a.ifc)
	}
	return out
}

// source returns the attachment a Host names, or a stand-in built from
// the Host for an interface that was never attached (its traffic is still
// answered, but flow logs know no account or region for it).
func (f *Fabric) source(h Host) *attachment {
	f.mu.RLock()
	a, ok := f.byID[h.InterfaceID]
	f.mu.RUnlock()
	if ok {
		return a
	}
	ifc := Interface{
		ID: h.InterfaceID, InstanceID: h.InstanceID, VPCID: h.VPCID, SubnetID: h.SubnetID,
		PrivateIP: h.PrivateIP.Unmap(), PublicIP: h.PublicIP.Unmap(),
	}
	a = &attachment{
		ifc:      ifc,
		fl:       &flowlog.Interface{ID: ifc.ID, InstanceID: ifc.InstanceID, VPCID: ifc.VPCID, SubnetID: ifc.SubnetID},
		resolver: h.Resolver,
	}
	a.cacheScope = f.cacheScope(&a.ifc)
	a.nextPort.Store(uint32(ephemeralLow + f.hash(h.InterfaceID)%(ephemeralHigh-ephemeralLow+1)))
	return a
}

func (f *Fabric) cacheScope(ifc *Interface) string {
	if f.cacheENI {
		return "eni:" + ifc.ID
	}
	return ifc.VPCID
}

// Linux's default ephemeral port range (net.ipv4.ip_local_port_range).
const (
	ephemeralLow  = 32768
	ephemeralHigh = 60999
)

func (a *attachment) ephemeralPort() uint16 {
	for {
		p := a.nextPort.Load()
		next := p + 1
		if next > ephemeralHigh {
			next = ephemeralLow
		}
		if a.nextPort.CompareAndSwap(p, next) {
			return uint16(p)
		}
	}
}

func (a *attachment) listener(protocol int, port uint16) (*Listener, bool) {
	for i := range a.ifc.Listeners {
		if l := &a.ifc.Listeners[i]; l.Protocol == protocol && l.Port == port {
			return l, true
		}
	}
	return nil, false
}

// inVPC reports whether addr is in the interface's VPC.
func (a *attachment) inVPC(addr netip.Addr) bool {
	if len(a.ifc.VPCCIDRs) == 0 {
		return addr.IsPrivate()
	}
	for _, p := range a.ifc.VPCCIDRs {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// resolverAddr is the Amazon-provided DNS server of a VPC: the base of its
// first IPv4 block plus two.
func resolverAddr(cidrs []netip.Prefix) netip.Addr {
	for _, p := range cidrs {
		if p.Addr().Is4() {
			return p.Masked().Addr().Next().Next()
		}
	}
	return netip.Addr{}
}

// hash mixes the seed with s: stable pseudo-random choices.
func (f *Fabric) hash(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return splitmix(h.Sum64() ^ f.seed)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (f *Fabric) now(t time.Time) time.Time {
	if t.IsZero() {
		return f.clock.Now()
	}
	return t
}
