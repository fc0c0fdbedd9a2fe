package ec2

import (
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
)

// table keeps resources by ID in creation order, so that Describe* answers
// are stable and pagination is an offset into the order. items holds the
// resources in the same order as order, for passes over every resource
// that should not look each one up by ID.
type table[T any] struct {
	byID  map[string]*T
	order []string
	items []*T
}

func newTable[T any]() table[T] { return table[T]{byID: map[string]*T{}} }

func (t *table[T]) add(id string, v *T) {
	t.byID[id] = v
	t.order = append(t.order, id)
	t.items = append(t.items, v)
}

func (t *table[T]) get(id string) (*T, bool) {
	v, ok := t.byID[id]
	return v, ok
}

func (t *table[T]) has(id string) bool {
	_, ok := t.byID[id]
	return ok
}

func (t *table[T]) remove(id string) {
	if _, ok := t.byID[id]; !ok {
		return
	}
	delete(t.byID, id)
	for i, o := range t.order {
		if o == id {
			// Fresh arrays, so that a pass ranging over the old ones is
			// undisturbed.
			t.order = append(t.order[:i:i], t.order[i+1:]...)
			t.items = append(t.items[:i:i], t.items[i+1:]...)
			break
		}
	}
}

func (t *table[T]) all() []*T {
	return append(make([]*T, 0, len(t.items)), t.items...)
}

// selectByID returns the resources a Describe* request names, in the
// request's order, or every resource when it names none. The first unknown
// ID fails the whole request, as EC2 does.
func (t *table[T]) selectByID(ids []string) ([]*T, error) {
	if len(ids) == 0 {
		return t.all(), nil
	}
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		v, ok := t.byID[id]
		if !ok {
			return nil, notFound(id)
		}
		out = append(out, v)
	}
	return out, nil
}

// region is one region's EC2 state. mu guards everything in it; the lock
// order is region.mu before Service.mu (which only guards the region map).
type region struct {
	svc   *Service
	name  string
	info  regionInfo
	zones []zone

	mu           sync.Mutex
	vpcs         table[vpc]
	subnets      table[subnet]
	groups       table[securityGroup]
	enis         table[networkInterface]
	instances    table[instance]
	reservations table[reservation]
	volumes      table[volume]
	snapshots    table[snapshot]
	flowLogs     table[flowLog]
	tags         map[string]map[string]string
	clientTokens map[string]*idempotentRun
	flowTokens   map[string][]string
	// transitional counts instances in pending/stopping/shutting-down, so
	// reads skip the settle pass when nothing is moving.
	transitional int
}

type vpc struct {
	id, cidr, dhcpOptionsID, tenancy, cidrAssociationID string
	isDefault                                           bool
	prefix                                              netip.Prefix
}

type subnet struct {
	id, vpcID, cidr string
	zone            zone
	prefix          netip.Prefix
	defaultForAz    bool
	mapPublicIP     bool
	used            map[netip.Addr]bool
	cursor          uint32
}

type securityGroup struct {
	id, name, description, vpcID string
	rules                        []*sgRule // ingress and egress, in creation order
}

// sgRule is one security group rule as AWS stores it since rule IDs exist:
// one peer (CIDR, IPv6 CIDR, prefix list or group) per rule.
type sgRule struct {
	id                 string
	egress             bool
	protocol           string // "-1", "tcp", "udp", "icmp", "icmpv6" or a number
	fromPort, toPort   int
	hasPorts           bool
	cidrIPv4, cidrIPv6 string
	prefixListID       string
	refGroupID         string
	refUserID          string
	description        string
}

type networkInterface struct {
	id, subnetID, vpcID string
	zone                zone
	description         string
	privateIP           netip.Addr
	publicIP            string
	mac                 string
	groups              []string
	sourceDestCheck     bool
	interfaceType       string
	attachment          *eniAttachment
}

type eniAttachment struct {
	id, instanceID      string
	deviceIndex         int
	attachTime          time.Time
	deleteOnTermination bool
}

type instance struct {
	id, reservationID, imageID, instanceType string
	state                                    instanceState
	transitionAt                             time.Time // when a transitional state settles
	terminatedAt                             time.Time
	launchTime                               time.Time
	subnetID, vpcID                          string
	zone                                     zone
	eniID                                    string
	autoPublicIP                             bool
	keyName                                  string
	userData                                 string // base64, as sent
	iamProfileARN, iamProfileID              string
	iamAssoc                                 *iamAssociation
	clientToken                              string
	amiLaunchIndex                           int
	disableAPITermination, disableAPIStop    bool
	shutdownBehavior                         string
	rootDevice, rootVolumeID                 string
	stateReasonCode, stateReasonMessage      string
	stateTransitionReason                    string
	monitoring                               bool
	ebsOptimized                             bool
	arch, hypervisor, platform               string
	platformDetails, usageOperation          string
	cores, threads                           int
	tenancy                                  string
}

type reservation struct {
	id, ownerID, requesterID string
	instanceIDs              []string
}

type volume struct {
	id, volumeType, snapshotID string
	zone                       zone
	size, iops                 int
	createTime                 time.Time
	encrypted                  bool
	attachment                 *volumeAttachment
}

type volumeAttachment struct {
	instanceID, device  string
	attachTime          time.Time
	deleteOnTermination bool
}

type snapshot struct {
	id, volumeID, description string
	volumeSize                int
	startTime                 time.Time
	encrypted                 bool
}

type flowLog struct {
	id, resourceID, trafficType, destinationType string
	logGroupName, destination, permissionARN     string
	format                                       string
	maxAggregationInterval                       int
	creationTime                                 time.Time
}

// idempotentRun remembers a RunInstances client token: the request's
// fingerprint and the reservation it produced.
type idempotentRun struct {
	fingerprint   string
	reservationID string
}

func newRegion(s *Service, name string) *region {
	info := lookupRegion(name)
	r := &region{
		svc: s, name: name, info: info, zones: zonesFor(info),
		vpcs: newTable[vpc](), subnets: newTable[subnet](), groups: newTable[securityGroup](),
		enis: newTable[networkInterface](), instances: newTable[instance](), reservations: newTable[reservation](),
		volumes: newTable[volume](), snapshots: newTable[snapshot](), flowLogs: newTable[flowLog](),
		tags: map[string]map[string]string{}, clientTokens: map[string]*idempotentRun{}, flowTokens: map[string][]string{},
	}
	r.createDefaultVPC()
	return r
}

// createDefaultVPC builds what AWS gives every account in every region: a
// 172.31.0.0/16 VPC with one /20 public default subnet per zone and a
// default security group.
func (r *region) createDefaultVPC() {
	v := r.newVPC(netip.MustParsePrefix("172.31.0.0/16"), "default", true)
	for i, z := range r.zones {
		if i >= 16 {
			break
		}
		prefix := netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 31, byte(16 * i), 0}), 20)
		r.newSubnet(v, prefix, z, true)
	}
}

func (r *region) newVPC(prefix netip.Prefix, tenancy string, isDefault bool) *vpc {
	v := &vpc{
		id: r.svc.newID("vpc-"), cidr: prefix.String(), prefix: prefix, tenancy: tenancy, isDefault: isDefault,
		dhcpOptionsID: r.svc.newID("dopt-"), cidrAssociationID: r.svc.newID("vpc-cidr-assoc-"),
	}
	r.vpcs.add(v.id, v)
	sg := &securityGroup{id: r.svc.newID("sg-"), name: "default", description: "default VPC security group", vpcID: v.id}
	sg.rules = []*sgRule{
		{id: r.svc.newID("sgr-"), protocol: "-1", refGroupID: sg.id, refUserID: r.svc.accountID},
		{id: r.svc.newID("sgr-"), egress: true, protocol: "-1", cidrIPv4: "0.0.0.0/0"},
	}
	r.groups.add(sg.id, sg)
	return v
}

func (r *region) newSubnet(v *vpc, prefix netip.Prefix, z zone, isDefault bool) *subnet {
	sn := &subnet{
		id: r.svc.newID("subnet-"), vpcID: v.id, cidr: prefix.String(), prefix: prefix, zone: z,
		defaultForAz: isDefault, mapPublicIP: isDefault, used: map[netip.Addr]bool{},
	}
	r.subnets.add(sn.id, sn)
	return sn
}

// subnetSize is the number of addresses in the subnet's CIDR.
func (sn *subnet) size() uint32 { return uint32(1) << (32 - sn.prefix.Bits()) }

// availableIPs is AWS's AvailableIpAddressCount: the CIDR minus the five
// addresses AWS reserves minus the ones in use.
func (sn *subnet) availableIPs() int {
	n := int(sn.size()) - 5 - len(sn.used)
	return max(n, 0)
}

// allocateIP hands out the next free host address. AWS reserves the first
// four addresses and the last one of every subnet.
func (sn *subnet) allocateIP() (netip.Addr, bool) {
	size := sn.size()
	if size < 16 {
		return netip.Addr{}, false
	}
	base := sn.prefix.Masked().Addr().As4()
	baseN := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	usable := size - 5
	for i := uint32(0); i < usable; i++ {
		off := 4 + (sn.cursor+i)%usable
		n := baseN + off
		a := netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		if !sn.used[a] {
			sn.used[a] = true
			sn.cursor = (sn.cursor + i + 1) % usable
			return a, true
		}
	}
	return netip.Addr{}, false
}

func (sn *subnet) reserve(a netip.Addr) bool {
	if !sn.prefix.Contains(a) || sn.used[a] {
		return false
	}
	base := sn.prefix.Masked().Addr().As4()
	baseN := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	b := a.As4()
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	off := n - baseN
	if off < 4 || off >= sn.size()-1 {
		return false
	}
	sn.used[a] = true
	return true
}

// publicIPBlock is where the sandbox draws public IPv4 addresses from:
// 3.80.0.0/12, a block EC2 really uses in us-east-1, so addresses look
// genuine in flow logs and findings. The sandbox never sends traffic to
// them. Consecutive allocations are spread over the block by an odd
// multiplier, which visits every address once before repeating.
const (
	publicIPBase      = uint32(3)<<24 | uint32(80)<<16
	publicIPBlockBits = 20
)

func (s *Service) allocatePublicIP() string {
	for {
		n := s.publicIPCounter.Add(1)
		off := uint32(n*0x9E3B1) & (1<<publicIPBlockBits - 1)
		a := publicIPBase + off
		if last := byte(a); last == 0 || last == 255 {
			continue
		}
		return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)}).String()
	}
}

// macFor derives a stable locally administered MAC address from an ENI ID.
func macFor(eniID string) string {
	h := hashUint("mac/" + eniID)
	b := []byte{0x02 | byte(h>>40)&0xfc, byte(h >> 32), byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h)}
	const hexdigits = "0123456789abcdef"
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteByte(hexdigits[x>>4])
		sb.WriteByte(hexdigits[x&0xf])
	}
	return sb.String()
}

// privateDNSName is the instance's internal host name as AWS builds it:
// ec2.internal in us-east-1, <region>.compute.internal elsewhere.
func (r *region) privateDNSName(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	var buf [80]byte
	b := append(buf[:0], "ip-"...)
	b = dashed(a.AppendTo(b), len(b))
	if r.name == "us-east-1" {
		return string(append(b, ".ec2.internal"...))
	}
	b = append(append(append(b, '.'), r.name...), ".compute.internal"...)
	return string(b)
}

func (r *region) publicDNSName(ip string) string {
	if ip == "" {
		return ""
	}
	var buf [80]byte
	b := append(buf[:0], "ec2-"...)
	b = dashed(append(b, ip...), len(b))
	if r.name == "us-east-1" {
		return string(append(b, ".compute-1.amazonaws.com"...))
	}
	b = append(append(append(b, '.'), r.name...), ".compute.amazonaws.com"...)
	return string(b)
}

// dashed replaces the dots in b[from:] with dashes, as EC2's DNS names
// spell addresses.
func dashed(b []byte, from int) []byte {
	for i := from; i < len(b); i++ {
		if b[i] == '.' {
			b[i] = '-'
		}
	}
	return b
}

func (r *region) defaultVPC() *vpc {
	for _, v := range r.vpcs.all() {
		if v.isDefault {
			return v
		}
	}
	return nil
}

func (r *region) defaultGroup(vpcID string) *securityGroup {
	for _, g := range r.groups.all() {
		if g.vpcID == vpcID && g.name == "default" {
			return g
		}
	}
	return nil
}

func (r *region) zoneByName(name string) (zone, bool) {
	for _, z := range r.zones {
		if z.name == name {
			return z, true
		}
	}
	return zone{}, false
}

// sortedTags returns a resource's tags ordered by key, for stable output.
func (r *region) sortedTags(id string) []tagXML {
	tags := r.tags[id]
	if len(tags) == 0 {
		return nil
	}
	out := make([]tagXML, 0, len(tags))
	for k, v := range tags {
		out = append(out, tagXML{Key: k, Value: v})
	}
	if len(out) > 1 {
		slices.SortFunc(out, func(a, b tagXML) int { return strings.Compare(a.Key, b.Key) })
	}
	return out
}

func (r *region) setTags(id string, tags []tagXML) {
	if len(tags) == 0 {
		return
	}
	m := r.tags[id]
	if m == nil {
		m = map[string]string{}
		r.tags[id] = m
	}
	for _, t := range tags {
		m[t.Key] = t.Value
	}
}
