package ec2

import (
	"sort"
	"time"
)

// InstanceSnapshot is a copy of one instance's state for code in the same
// process (simulations, flow log and GuardDuty generation, tests). It is
// detached from the service: changing it changes nothing.
type InstanceSnapshot struct {
	ID                 string
	ReservationID      string
	Region             string
	AvailabilityZone   string
	AvailabilityZoneID string
	ImageID            string
	InstanceType       string
	State              string // pending, running, stopping, stopped, shutting-down, terminated
	StateCode          int
	LaunchTime         time.Time
	PrivateIP          string // "" once terminated
	PublicIP           string // "" when none is assigned
	PrivateDNSName     string
	SubnetID           string
	VpcID              string
	NetworkInterfaceID string // "" once terminated
	MACAddress         string
	SecurityGroupIDs   []string
	// UserData is the decoded user data; UserDataBase64 is as sent.
	UserData              []byte
	UserDataBase64        string
	IAMInstanceProfileARN string
	KeyName               string
	Tags                  map[string]string
	RootVolumeID          string
	DisableAPITermination bool
}

// Instances returns a snapshot of every instance in the region that
// DescribeInstances would show (terminated ones for an hour), in launch
// order, with pending transitions settled as of now.
func (s *Service) Instances(regionName string) []InstanceSnapshot {
	r := s.regionFor(regionName)
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	out := make([]InstanceSnapshot, 0, len(r.instances.order))
	for _, id := range r.instances.order {
		inst := r.instances.byID[id]
		if !r.visible(inst, now) {
			continue
		}
		snap := InstanceSnapshot{
			ID: inst.id, ReservationID: inst.reservationID, Region: r.name, AvailabilityZone: inst.zone.name,
			AvailabilityZoneID: inst.zone.id, ImageID: inst.imageID, InstanceType: inst.instanceType,
			State: inst.state.String(), StateCode: int(inst.state), LaunchTime: inst.launchTime,
			SubnetID: inst.subnetID, VpcID: inst.vpcID, UserDataBase64: inst.userData,
			IAMInstanceProfileARN: inst.iamProfileARN, KeyName: inst.keyName, RootVolumeID: inst.rootVolumeID,
			DisableAPITermination: inst.disableAPITermination, Tags: map[string]string{},
		}
		if inst.userData != "" {
			snap.UserData, _ = decodeUserData(inst.userData) // validated at launch
		}
		for k, v := range r.tags[inst.id] {
			snap.Tags[k] = v
		}
		if e, ok := r.enis.get(inst.eniID); ok && inst.state != stateTerminated {
			snap.NetworkInterfaceID = e.id
			snap.PrivateIP = e.privateIP.String()
			snap.PrivateDNSName = r.privateDNSName(e.privateIP)
			snap.PublicIP = e.publicIP
			snap.MACAddress = e.mac
			snap.SecurityGroupIDs = append([]string(nil), e.groups...)
		}
		out = append(out, snap)
	}
	return out
}

// FlowLogSnapshot is a copy of one flow log's configuration.
type FlowLogSnapshot struct {
	ID                     string
	Region                 string
	ResourceID             string // vpc-, subnet- or eni- ID
	TrafficType            string // ACCEPT, REJECT or ALL
	DestinationType        string // cloud-watch-logs, s3 or kinesis-data-firehose
	LogGroupName           string // cloud-watch-logs only
	Destination            string // the destination ARN
	DeliverLogsRoleARN     string
	LogFormat              string
	Fields                 []string // LogFormat's field names, in order
	MaxAggregationInterval time.Duration
	CreationTime           time.Time
	Tags                   map[string]string
}

// FlowLogs returns the region's flow log configurations in creation order.
func (s *Service) FlowLogs(regionName string) []FlowLogSnapshot {
	r := s.regionFor(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]FlowLogSnapshot, 0, len(r.flowLogs.order))
	for _, f := range r.flowLogs.all() {
		fields, _ := ParseLogFormat(f.format) // validated at creation
		snap := FlowLogSnapshot{
			ID: f.id, Region: r.name, ResourceID: f.resourceID, TrafficType: f.trafficType, DestinationType: f.destinationType,
			LogGroupName: f.logGroupName, Destination: f.destination, DeliverLogsRoleARN: f.permissionARN, LogFormat: f.format,
			Fields: fields, MaxAggregationInterval: time.Duration(f.maxAggregationInterval) * time.Second,
			CreationTime: f.creationTime, Tags: map[string]string{},
		}
		for k, v := range r.tags[f.id] {
			snap.Tags[k] = v
		}
		out = append(out, snap)
	}
	return out
}

// NetworkInterfaceSnapshot is a copy of one ENI, for resolving flow log
// resources (a VPC or subnet flow log covers every ENI inside it).
type NetworkInterfaceSnapshot struct {
	ID, SubnetID, VpcID, AvailabilityZone, AvailabilityZoneID string
	PrivateIP, PublicIP, MACAddress                           string
	InstanceID                                                string
	SecurityGroupIDs                                          []string
}

// NetworkInterfaces returns the region's network interfaces in creation
// order.
func (s *Service) NetworkInterfaces(regionName string) []NetworkInterfaceSnapshot {
	r := s.regionFor(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(s.now())
	out := make([]NetworkInterfaceSnapshot, 0, len(r.enis.order))
	for _, e := range r.enis.all() {
		snap := NetworkInterfaceSnapshot{
			ID: e.id, SubnetID: e.subnetID, VpcID: e.vpcID, AvailabilityZone: e.zone.name, AvailabilityZoneID: e.zone.id,
			PrivateIP: e.privateIP.String(), PublicIP: e.publicIP, MACAddress: e.mac, SecurityGroupIDs: append([]string(nil), e.groups...),
		}
		if e.attachment != nil {
			snap.InstanceID = e.attachment.instanceID
		}
		out = append(out, snap)
	}
	return out
}

// DecodeUserData decodes base64 user data as EC2 accepts it.
func DecodeUserData(encoded string) ([]byte, error) {
	if encoded == "" {
		return nil, nil
	}
	return decodeUserData(encoded)
}

// Regions lists, sorted, the regions that hold state: a region's default
// VPC and catalogue are made the first time a call reaches it.
func (s *Service) Regions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.regions))
	for name := range s.regions {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
