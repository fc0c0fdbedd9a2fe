package ec2

import (
	"context"
	"encoding/base64"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// maxUserDataBytes is EC2's limit on raw (decoded) user data.
const maxUserDataBytes = 16384

// maxInstancesPerRegion bounds how many live instances one region holds,
// standing in for AWS's vCPU quotas so that a runaway script cannot make
// the sandbox allocate without limit.
const maxInstancesPerRegion = 5000

// defaultInstanceType is what EC2 launches when InstanceType is omitted.
const defaultInstanceType = "m1.small"

func init() {
	// m1.small is only here because it is EC2's default instance type.
	instanceTypes["m1.small"] = instanceTypeInfo{vcpus: 1, cores: 1, threads: 1, memoryMiB: 1740, arch: "x86_64", hypervisor: "xen"}
}

// decodeUserData validates RunInstances/ModifyInstanceAttribute user data:
// base64 text whose decoded form fits EC2's 16 KB limit. Line breaks, which
// some tools insert every 76 characters, are tolerated.
func decodeUserData(encoded string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, encoded)
	raw, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		return nil, api.Errorf("InvalidParameterValue", "Invalid BASE64 encoding of user data.")
	}
	if len(raw) > maxUserDataBytes {
		return nil, api.Errorf("InvalidParameterValue", "User data is limited to %d bytes", maxUserDataBytes)
	}
	return raw, nil
}

// runRequest is a validated RunInstances request.
type runRequest struct {
	img                   *image
	instanceType          string
	typeInfo              instanceTypeInfo
	minCount, maxCount    int
	subnetID              string
	zoneName              string
	groupIDs, groupNames  []string
	userData              string
	keyName               string
	profileARN            string
	profileName           string
	profile               InstanceProfile // resolved; zero without IamInstanceProfile
	clientToken           string
	disableAPITermination bool
	disableAPIStop        bool
	shutdownBehavior      string
	monitoring            bool
	ebsOptimized          bool
	privateIP             string
	rootSize              int
	rootType              string
	rootDeleteOnTerm      bool
	tags                  tagSpec
}

func parseRunRequest(p *api.Params) (*runRequest, error) {
	req := &runRequest{}
	imageID, ok := p.Lookup("ImageId")
	if !ok || imageID == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "ImageId")
	}
	if !amiIDPattern.MatchString(imageID) {
		return nil, api.Errorf("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", imageID)
	}
	if req.img = findImage(imageID); req.img == nil {
		return nil, api.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", imageID)
	}
	minCount, hasMin, err := p.Int("MinCount")
	if err != nil {
		return nil, err
	}
	maxCount, hasMax, err := p.Int("MaxCount")
	if err != nil {
		return nil, err
	}
	if !hasMin {
		return nil, api.MissingParameter(api.ProtocolEC2, "MinCount")
	}
	if !hasMax {
		return nil, api.MissingParameter(api.ProtocolEC2, "MaxCount")
	}
	if minCount < 1 {
		return nil, api.Errorf("InvalidParameterValue", "Value (%d) for parameter minCount is invalid. Expected a value greater than or equal to 1.", minCount)
	}
	if maxCount < 1 {
		return nil, api.Errorf("InvalidParameterValue", "Value (%d) for parameter maxCount is invalid. Expected a value greater than or equal to 1.", maxCount)
	}
	if minCount > maxCount {
		return nil, api.Errorf("InvalidParameterValue", "Value (%d) for parameter minCount is invalid. Expected a value less than or equal to maxCount (%d).", minCount, maxCount)
	}
	if minCount > maxInstancesPerRegion {
		return nil, api.Errorf("InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", minCount, maxInstancesPerRegion)
	}
	req.minCount, req.maxCount = int(minCount), int(min(maxCount, maxInstancesPerRegion))

	req.instanceType = p.Get("InstanceType")
	if req.instanceType == "" {
		req.instanceType = defaultInstanceType
	}
	if req.typeInfo, ok = instanceTypes[req.instanceType]; !ok {
		return nil, api.Errorf("InvalidParameterValue", "Invalid value '%s' for InstanceType.", req.instanceType)
	}
	if req.typeInfo.arch != req.img.arch {
		return nil, api.Errorf("InvalidParameterValue", "The architecture '%s' of the specified instance type does not match the architecture '%s' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again. You can use 'describe-instance-types' or 'describe-images' to discover the architecture of the instance type or AMI.", req.typeInfo.arch, req.img.arch)
	}
	req.subnetID = p.Get("SubnetId")
	if req.subnetID != "" && !validID("subnet-", req.subnetID) {
		return nil, malformed("InvalidSubnetID.Malformed", req.subnetID, "subnet-")
	}
	req.zoneName = p.Get("Placement.AvailabilityZone")
	req.groupIDs, req.groupNames = p.List("SecurityGroupId"), p.List("SecurityGroup")
	for _, g := range req.groupIDs {
		if !validID("sg-", g) {
			return nil, malformed("InvalidGroupId.Malformed", g, "sg-")
		}
	}
	if ud, ok := p.Lookup("UserData"); ok && ud != "" {
		if _, err := decodeUserData(ud); err != nil {
			return nil, err
		}
		req.userData = ud
	}
	req.keyName = p.Get("KeyName")
	req.profileARN, req.profileName = p.Get("IamInstanceProfile.Arn"), p.Get("IamInstanceProfile.Name")
	req.clientToken = p.Get("ClientToken")
	if len(req.clientToken) > 64 {
		return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter clientToken is invalid. Maximum length is 64 characters.", req.clientToken)
	}
	if req.disableAPITermination, _, err = p.Bool("DisableApiTermination"); err != nil {
		return nil, err
	}
	if req.disableAPIStop, _, err = p.Bool("DisableApiStop"); err != nil {
		return nil, err
	}
	if req.monitoring, _, err = p.Bool("Monitoring.Enabled"); err != nil {
		return nil, err
	}
	if req.ebsOptimized, _, err = p.Bool("EbsOptimized"); err != nil {
		return nil, err
	}
	req.shutdownBehavior = p.Get("InstanceInitiatedShutdownBehavior")
	if req.shutdownBehavior == "" {
		req.shutdownBehavior = "stop"
	}
	if req.shutdownBehavior != "stop" && req.shutdownBehavior != "terminate" {
		return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are 'stop' and 'terminate'.", req.shutdownBehavior)
	}
	req.privateIP = p.Get("PrivateIpAddress")
	if req.privateIP != "" {
		if _, err := netip.ParseAddr(req.privateIP); err != nil {
			return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter privateIpAddress is invalid. This is not a valid IP address.", req.privateIP)
		}
		if req.maxCount > 1 {
			return nil, api.Errorf("InvalidParameterCombination", "Cannot specify a private IP address when launching more than one instance.")
		}
	}
	req.rootSize, req.rootType, req.rootDeleteOnTerm = req.img.volumeSize, req.img.volumeType, true
	for _, bdm := range p.Structs("BlockDeviceMapping") {
		if bdm.Get("DeviceName") != req.img.rootDevice {
			// Extra data volumes are accepted but not modelled.
			continue
		}
		if size, ok, err := bdm.Int("Ebs.VolumeSize"); err != nil {
			return nil, err
		} else if ok {
			if int(size) < req.img.volumeSize {
				return nil, api.Errorf("InvalidBlockDeviceMapping", "Volume of size %dGB is smaller than snapshot '%s', expect size >= %dGB", size, req.img.snapshotID, req.img.volumeSize)
			}
			if size > 16384 {
				return nil, api.Errorf("InvalidParameterValue", "Volume of %dGiB is too large; maximum is 16384GiB", size)
			}
			req.rootSize = int(size)
		}
		if vt := bdm.Get("Ebs.VolumeType"); vt != "" {
			switch vt {
			case "gp2", "gp3", "io1", "io2", "st1", "sc1", "standard":
				req.rootType = vt
			default:
				return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter volumeType is invalid. Valid values are: standard, io1, io2, gp2, sc1, st1, gp3.", vt)
			}
		}
		if dot, ok, err := bdm.Bool("Ebs.DeleteOnTermination"); err != nil {
			return nil, err
		} else if ok {
			req.rootDeleteOnTerm = dot
		}
	}
	tags, err := parseTagSpecs(p, "instance", "volume", "network-interface", "spot-instances-request", "elastic-gpu")
	if err != nil {
		return nil, err
	}
	req.tags = tags
	return req, nil
}

// fingerprint identifies a request for ClientToken idempotency: every
// parameter except the token itself, in a canonical order.
func fingerprint(p *api.Params) string {
	var b strings.Builder
	for _, k := range p.Keys() {
		if k == "ClientToken" || k == "Action" || k == "Version" {
			continue
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(p.Get(k))
		b.WriteByte('&')
	}
	return b.String()
}

func runInstances(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	p := call.Params
	imageID, subnetID, instanceType := p.Get("ImageId"), p.Get("SubnetId"), p.Get("InstanceType")
	if instanceType == "" {
		instanceType = defaultInstanceType
	}
	resources := []string{s.arn(r, "instance/*"), s.arn(r, "network-interface/*"), s.arn(r, "volume/*")}
	if imageID != "" {
		resources = append(resources, "arn:aws:ec2:"+r.name+"::image/"+imageID)
	}
	if subnetID != "" {
		resources = append(resources, s.arn(r, "subnet/"+subnetID))
	}
	for _, g := range p.List("SecurityGroupId") {
		resources = append(resources, s.arn(r, "security-group/"+g))
	}
	conditions := map[string][]string{"ec2:instancetype": {instanceType}, "ec2:region": {r.name}}
	if err := call.Authorize(ctx, "ec2:RunInstances", resources, conditions); err != nil {
		return nil, err
	}
	req, err := parseRunRequest(p)
	if err != nil {
		return nil, err
	}
	if req.profileARN != "" || req.profileName != "" {
		if req.profile, err = s.resolveProfile(req.profileARN, req.profileName); err != nil {
			return nil, err
		}
		// Launching with a profile passes its role to EC2, as AWS checks.
		if err := passProfileRole(ctx, call, req.profile, s.arn(r, "instance/*")); err != nil {
			return nil, err
		}
	}
	call.RequestParameters = runInstancesTrailRequest(req, p)
	now := s.now()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	if req.clientToken != "" {
		if prior, ok := r.clientTokens[req.clientToken]; ok {
			if prior.fingerprint != fingerprint(p) {
				return nil, api.Errorf("IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
			}
			res, ok := r.reservations.get(prior.reservationID)
			if !ok {
				return nil, api.Errorf("IdempotentInstanceTerminated", "The client token you have provided is associated with a resource that is already deleted. Please use a different client token.")
			}
			out := r.reservationXML(res, res.instanceIDs, now)
			call.ResponseElements = runInstancesTrailResponse(r, call, res, now)
			return out, nil
		}
	}
	res, err := r.launch(call, req, now)
	if err != nil {
		return nil, err
	}
	if req.clientToken != "" {
		r.clientTokens[req.clientToken] = &idempotentRun{fingerprint: fingerprint(p), reservationID: res.id}
	}
	call.ResponseElements = runInstancesTrailResponse(r, call, res, now)
	return r.reservationXML(res, res.instanceIDs, now), nil
}

// launch validates the placement and creates the reservation's instances
// with their network interfaces and root volumes. The caller holds r.mu.
func (r *region) launch(call *api.Call, req *runRequest, now time.Time) (*reservation, error) {
	s := r.svc
	var sn *subnet
	if req.subnetID != "" {
		var ok bool
		if sn, ok = r.subnets.get(req.subnetID); !ok {
			return nil, notFound(req.subnetID)
		}
		if req.zoneName != "" && req.zoneName != sn.zone.name {
			return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter availabilityZone is invalid. Subnet '%s' is in the availability zone %s", req.zoneName, sn.id, sn.zone.name)
		}
	} else {
		v := r.defaultVPC()
		if v == nil {
			return nil, api.Errorf("VPCIdNotSpecified", "No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.")
		}
		zoneName := req.zoneName
		if zoneName == "" {
			zoneName = r.zones[0].name
		} else if _, ok := r.zoneByName(zoneName); !ok {
			return nil, api.Errorf("InvalidParameterValue", "Invalid availability zone: [%s]", zoneName)
		}
		for _, cand := range r.subnets.all() {
			if cand.vpcID == v.id && cand.defaultForAz && cand.zone.name == zoneName {
				sn = cand
				break
			}
		}
		if sn == nil {
			return nil, api.Errorf("MissingInput", "No subnets found for the default VPC '%s'. Please specify a subnet.", v.id)
		}
	}
	groups, err := r.launchGroups(req, sn)
	if err != nil {
		return nil, err
	}
	live := 0
	for _, inst := range r.instances.items {
		if inst.state != stateTerminated {
			live++
		}
	}
	count := min(req.maxCount, maxInstancesPerRegion-live)
	if count < req.minCount {
		return nil, api.Errorf("InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of %d allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.", req.minCount, maxInstancesPerRegion)
	}
	count = min(count, sn.availableIPs())
	if count < req.minCount {
		return nil, api.Errorf("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", sn.id)
	}
	var fixedIP netip.Addr
	if req.privateIP != "" {
		fixedIP = netip.MustParseAddr(req.privateIP)
		if !sn.prefix.Contains(fixedIP) {
			return nil, api.Errorf("InvalidParameterValue", "Address %s does not fall within the subnet's address range", req.privateIP)
		}
		if !sn.reserve(fixedIP) {
			return nil, api.Errorf("InvalidIPAddress.InUse", "Address %s is in use.", req.privateIP)
		}
	}
	res := &reservation{id: s.newID("r-"), ownerID: s.accountID}
	launchTime := now.Truncate(time.Second)
	for i := 0; i < count; i++ {
		inst := &instance{
			id: s.newID("i-"), reservationID: res.id, imageID: req.img.id, instanceType: req.instanceType,
			launchTime: launchTime, subnetID: sn.id, vpcID: sn.vpcID, zone: sn.zone,
			keyName: req.keyName, userData: req.userData, clientToken: req.clientToken, amiLaunchIndex: i,
			disableAPITermination: req.disableAPITermination, disableAPIStop: req.disableAPIStop,
			shutdownBehavior: req.shutdownBehavior, rootDevice: req.img.rootDevice,
			stateReasonCode: "pending", stateReasonMessage: "pending", monitoring: req.monitoring, ebsOptimized: req.ebsOptimized,
			arch: req.img.arch, hypervisor: req.typeInfo.hypervisor, platform: req.img.platform,
			platformDetails: req.img.platformDetails, usageOperation: req.img.usageOperation,
			cores: req.typeInfo.cores, threads: req.typeInfo.threads, tenancy: "default",
		}
		if req.profile.ARN != "" {
			r.associate(inst, req.profile, "associated", launchTime)
		}
		ip := fixedIP
		if !ip.IsValid() {
			ip, _ = sn.allocateIP() // capacity was checked above
		}
		e := &networkInterface{
			id: s.newID("eni-"), subnetID: sn.id, vpcID: sn.vpcID, zone: sn.zone, privateIP: ip,
			groups: append([]string(nil), groups...), sourceDestCheck: true, interfaceType: "interface",
			attachment: &eniAttachment{id: s.newID("eni-attach-"), instanceID: inst.id, attachTime: launchTime, deleteOnTermination: true},
		}
		e.mac = macFor(e.id)
		if sn.mapPublicIP {
			e.publicIP = s.allocatePublicIP()
			inst.autoPublicIP = true
		}
		inst.eniID = e.id
		vol := &volume{
			id: s.newID("vol-"), volumeType: req.rootType, snapshotID: req.img.snapshotID, zone: sn.zone,
			size: req.rootSize, iops: volumeIops(req.rootType, req.rootSize), createTime: launchTime,
			attachment: &volumeAttachment{instanceID: inst.id, device: req.img.rootDevice, attachTime: launchTime, deleteOnTermination: req.rootDeleteOnTerm},
		}
		inst.rootVolumeID = vol.id
		// The zero state is pending; count the new instance as moving.
		inst.transitionAt = now.Add(s.delay())
		r.transitional++
		r.instances.add(inst.id, inst)
		r.enis.add(e.id, e)
		r.volumes.add(vol.id, vol)
		r.setTags(inst.id, req.tags["instance"])
		r.setTags(e.id, req.tags["network-interface"])
		r.setTags(vol.id, req.tags["volume"])
		res.instanceIDs = append(res.instanceIDs, inst.id)
	}
	r.reservations.add(res.id, res)
	return res, nil
}

// launchGroups resolves the security groups of a launch: IDs and names in
// the subnet's VPC, or the VPC's default group when none were given.
func (r *region) launchGroups(req *runRequest, sn *subnet) ([]string, error) {
	var groups []string
	for _, id := range req.groupIDs {
		g, ok := r.groups.get(id)
		if !ok {
			return nil, notFound(id)
		}
		if g.vpcID != sn.vpcID {
			return nil, api.Errorf("InvalidParameter", "Security group %s and subnet %s belong to different networks.", id, sn.id)
		}
		groups = append(groups, id)
	}
	for _, name := range req.groupNames {
		found := false
		for _, g := range r.groups.all() {
			if g.vpcID == sn.vpcID && g.name == name {
				groups, found = append(groups, g.id), true
				break
			}
		}
		if !found {
			return nil, api.Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", name, sn.vpcID)
		}
	}
	if len(groups) == 0 {
		g := r.defaultGroup(sn.vpcID)
		if g == nil {
			return nil, api.Errorf("InvalidGroup.NotFound", "The security group 'default' does not exist in VPC '%s'", sn.vpcID)
		}
		groups = []string{g.id}
	}
	if len(groups) > maxGroupsPerInterface {
		return nil, api.Errorf("SecurityGroupsPerInstanceLimitExceeded", "The maximum number of security groups per instance has been reached.")
	}
	return groups, nil
}

// volumeIops is the baseline IOPS AWS reports for a volume type and size.
func volumeIops(volumeType string, size int) int {
	switch volumeType {
	case "gp2":
		return min(max(100, 3*size), 16000)
	case "gp3":
		return 3000
	case "io1", "io2":
		return 100
	}
	return 0
}

// instanceXML renders an instance as DescribeInstances and RunInstances
// show it. Terminated instances have no network interfaces, addresses or
// volumes left.
func (r *region) instanceXML(inst *instance) instanceXML {
	launchTime := ec2Time(inst.launchTime)
	x := instanceXML{
		InstanceID: inst.id, ImageID: inst.imageID, InstanceState: inst.state.xml(),
		Reason: inst.stateTransitionReason, KeyName: inst.keyName, AmiLaunchIndex: inst.amiLaunchIndex,
		InstanceType: inst.instanceType, LaunchTime: launchTime,
		Placement: placementXML{AvailabilityZone: inst.zone.name, Tenancy: inst.tenancy},
		Platform:  inst.platform, Architecture: inst.arch, RootDeviceType: "ebs", RootDeviceName: inst.rootDevice,
		VirtualizationType: "hvm", ClientToken: inst.clientToken, Tags: r.sortedTags(inst.id), Hypervisor: inst.hypervisor,
		EbsOptimized: inst.ebsOptimized, EnaSupport: true, CPUOptions: cpuOptionsXML{CoreCount: inst.cores, ThreadsPerCore: inst.threads},
		MetadataOptions: metadataOptionsXML{State: "applied", HTTPTokens: "optional", HTTPPutResponseHopLimit: 1, HTTPEndpoint: "enabled", HTTPProtocolIpv6: "disabled", InstanceMetadataTags: "disabled"},
		PlatformDetails: inst.platformDetails, UsageOperation: inst.usageOperation, UsageOperationUpdated: launchTime,
		CurrentBootMode: "legacy-bios",
		SourceDestCheck: true,
	}
	x.Monitoring.State = "disabled"
	if inst.monitoring {
		x.Monitoring.State = "enabled"
	}
	x.CapacityReservation.Preference = "open"
	x.MaintenanceOptions.AutoRecovery = "default"
	if inst.state == statePending {
		x.MetadataOptions.State = "pending"
	}
	if inst.stateReasonCode != "" {
		x.StateReason = &stateReasonXML{Code: inst.stateReasonCode, Message: inst.stateReasonMessage}
	}
	if inst.iamProfileARN != "" {
		x.IamInstanceProfile = &iamProfileXML{Arn: inst.iamProfileARN, ID: inst.iamProfileID}
	}
	if inst.state == stateTerminated {
		x.Groups = []groupIdentifierXML{}
		return x
	}
	x.SubnetID, x.VpcID = inst.subnetID, inst.vpcID
	if e, ok := r.enis.get(inst.eniID); ok {
		x.PrivateIPAddress = e.privateIP.String()
		x.PrivateDNSName = r.privateDNSName(e.privateIP)
		x.IPAddress = e.publicIP
		x.DNSName = r.publicDNSName(e.publicIP)
		x.SourceDestCheck = e.sourceDestCheck
		x.Groups = r.groupIdentifiers(e.groups)
		var assoc *eniAssociationXML
		if e.publicIP != "" {
			assoc = &eniAssociationXML{IPOwnerID: "amazon", PublicDNSName: x.DNSName, PublicIP: e.publicIP}
		}
		ni := instanceNetworkInterfaceXML{
			NetworkInterfaceID: e.id, SubnetID: e.subnetID, VpcID: e.vpcID, Description: e.description, OwnerID: r.svc.accountID,
			Status: "in-use", MacAddress: e.mac, PrivateIPAddress: x.PrivateIPAddress, PrivateDNSName: x.PrivateDNSName,
			SourceDestCheck: e.sourceDestCheck, Groups: x.Groups, Association: assoc, InterfaceType: e.interfaceType,
			PrivateIPAddresses: []instancePrivateIPXML{{PrivateIPAddress: x.PrivateIPAddress, PrivateDNSName: x.PrivateDNSName, Primary: true, Association: assoc}},
		}
		if a := e.attachment; a != nil {
			ni.Attachment = instanceEniAttachmentXML{AttachmentID: a.id, DeviceIndex: a.deviceIndex, Status: volumeAttachmentStatus(inst), AttachTime: sameTime(a.attachTime, inst.launchTime, launchTime), DeleteOnTermination: a.deleteOnTermination}
		}
		x.NetworkInterfaces = []instanceNetworkInterfaceXML{ni}
	}
	if v, ok := r.volumes.get(inst.rootVolumeID); ok && v.attachment != nil {
		x.BlockDeviceMapping = []instanceBlockDeviceXML{{DeviceName: v.attachment.device, Ebs: instanceEbsXML{
			VolumeID: v.id, Status: volumeAttachmentStatus(inst), AttachTime: sameTime(v.attachment.attachTime, inst.launchTime, launchTime), DeleteOnTermination: v.attachment.deleteOnTermination,
		}}}
	}
	return x
}

// sameTime formats t, reusing formatted (ec2Time(ref)) when t is ref, as
// launch-time attachments are.
func sameTime(t, ref time.Time, formatted string) string {
	if t.Equal(ref) {
		return formatted
	}
	return ec2Time(t)
}

func volumeAttachmentStatus(inst *instance) string {
	if inst.state == statePending {
		return "attaching"
	}
	return "attached"
}

func (r *region) reservationXML(res *reservation, ids []string, now time.Time) reservationXML {
	x := reservationXML{ReservationID: res.id, OwnerID: res.ownerID, RequesterID: res.requesterID, Groups: []groupIdentifierXML{}}
	for _, id := range ids {
		if inst, ok := r.instances.get(id); ok {
			x.Instances = append(x.Instances, r.instanceXML(inst))
		}
	}
	return x
}

var instanceFilterNames = setOf("instance-id", "instance-state-name", "instance-state-code", "instance-type", "image-id",
	"subnet-id", "vpc-id", "private-ip-address", "ip-address", "private-dns-name", "dns-name",
	"network-interface.network-interface-id", "network-interface.subnet-id", "network-interface.vpc-id",
	"network-interface.addresses.private-ip-address", "network-interface.group-id", "network-interface.group-name",
	"instance.group-id", "instance.group-name", "group-id", "group-name", "key-name", "availability-zone",
	"placement-availability-zone", "reservation-id", "owner-id", "architecture", "launch-time", "iam-instance-profile.arn",
	"client-token", "root-device-type", "root-device-name", "hypervisor", "virtualization-type", "platform",
	"platform-details", "ami-launch-index", "block-device-mapping.volume-id", "block-device-mapping.device-name",
	"monitoring-state", "tenancy", "source-dest-check", "state-reason-code", "tag")

// instanceFilterValues answers one filter for an instance. Most filters
// read the instance itself; the ones that read the rendered view call
// view, which builds it on first use, so that filtering many instances
// does not render the ones that do not match.
func (r *region) instanceFilterValues(inst *instance, view func() *instanceXML, name string) []string {
	one := func(v string) []string {
		if v == "" {
			return nil
		}
		return []string{v}
	}
	switch name {
	case "instance-id":
		return one(inst.id)
	case "instance-state-name":
		return one(inst.state.String())
	case "instance-state-code":
		return one(itoa(int(inst.state)))
	case "instance-type":
		return one(inst.instanceType)
	case "image-id":
		return one(inst.imageID)
	case "subnet-id", "network-interface.subnet-id":
		return one(view().SubnetID)
	case "vpc-id", "network-interface.vpc-id":
		return one(view().VpcID)
	case "private-ip-address", "network-interface.addresses.private-ip-address":
		return one(view().PrivateIPAddress)
	case "ip-address":
		return one(view().IPAddress)
	case "private-dns-name":
		return one(view().PrivateDNSName)
	case "dns-name":
		return one(view().DNSName)
	case "network-interface.network-interface-id":
		if x := view(); len(x.NetworkInterfaces) > 0 {
			return one(x.NetworkInterfaces[0].NetworkInterfaceID)
		}
	case "instance.group-id", "group-id", "network-interface.group-id":
		x := view()
		out := make([]string, 0, len(x.Groups))
		for _, g := range x.Groups {
			out = append(out, g.GroupID)
		}
		return out
	case "instance.group-name", "group-name", "network-interface.group-name":
		x := view()
		out := make([]string, 0, len(x.Groups))
		for _, g := range x.Groups {
			out = append(out, g.GroupName)
		}
		return out
	case "key-name":
		return one(inst.keyName)
	case "availability-zone", "placement-availability-zone":
		return one(inst.zone.name)
	case "reservation-id":
		return one(inst.reservationID)
	case "owner-id":
		return one(r.svc.accountID)
	case "architecture":
		return one(inst.arch)
	case "launch-time":
		return one(view().LaunchTime)
	case "iam-instance-profile.arn":
		return one(inst.iamProfileARN)
	case "client-token":
		return one(inst.clientToken)
	case "root-device-type":
		return one("ebs")
	case "root-device-name", "block-device-mapping.device-name":
		return one(inst.rootDevice)
	case "block-device-mapping.volume-id":
		if x := view(); len(x.BlockDeviceMapping) > 0 {
			return one(x.BlockDeviceMapping[0].Ebs.VolumeID)
		}
	case "hypervisor":
		return one(inst.hypervisor)
	case "virtualization-type":
		return one("hvm")
	case "platform":
		return one(inst.platform)
	case "platform-details":
		return one(inst.platformDetails)
	case "ami-launch-index":
		return one(itoa(inst.amiLaunchIndex))
	case "monitoring-state":
		return one(view().Monitoring.State)
	case "tenancy":
		return one(inst.tenancy)
	case "source-dest-check":
		return one(boolString(view().SourceDestCheck))
	case "state-reason-code":
		return one(inst.stateReasonCode)
	default:
		vals, _ := tagValues(name, r.tags[inst.id])
		return vals
	}
	return nil
}

// instanceIDsParam reads InstanceId.N, rejecting malformed IDs.
func instanceIDsParam(p *api.Params) ([]string, error) {
	ids := p.List("InstanceId")
	for _, id := range ids {
		if !validID("i-", id) {
			return nil, api.Errorf("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
		}
	}
	return ids, nil
}

// lookupInstances finds every ID or reports the missing ones in AWS's
// singular or plural wording. The caller holds r.mu.
func (r *region) lookupInstances(ids []string, now time.Time) ([]*instance, error) {
	out := make([]*instance, 0, len(ids))
	var missing []string
	for _, id := range ids {
		inst, ok := r.instances.get(id)
		if !ok || !r.visible(inst, now) {
			missing = append(missing, id)
			continue
		}
		out = append(out, inst)
	}
	switch {
	case len(missing) == 1:
		return nil, api.Errorf("InvalidInstanceID.NotFound", "The instance ID '%s' does not exist", missing[0])
	case len(missing) > 1:
		return nil, api.Errorf("InvalidInstanceID.NotFound", "The instance IDs '%s' do not exist", strings.Join(missing, ", "))
	}
	return out, nil
}

func describeInstances(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeInstances", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, instanceFilterNames)
	if err != nil {
		return nil, err
	}
	ids, err := instanceIDsParam(call.Params)
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 && call.Params.Has("MaxResults") {
		return nil, api.Errorf("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	var list []*instance
	if len(ids) > 0 {
		if list, err = r.lookupInstances(ids, now); err != nil {
			return nil, err
		}
	} else {
		list = r.instances.items
	}
	// Filter on the model and render only the page: the rendered view is
	// built only for a filter that needs it, and then kept for the response.
	type match struct {
		inst *instance
		x    *instanceXML
	}
	var (
		cur     match
		scratch [1]string
	)
	view := func() *instanceXML {
		if cur.x == nil {
			x := r.instanceXML(cur.inst)
			cur.x = &x
		}
		return cur.x
	}
	values := func(name string) []string {
		if key, ok := strings.CutPrefix(name, "tag:"); ok && key != "" {
			// The commonest filter, answered without allocating.
			v, ok := r.tags[cur.inst.id][key]
			if !ok {
				return nil
			}
			scratch[0] = v
			return scratch[:]
		}
		return r.instanceFilterValues(cur.inst, view, name)
	}
	matched := make([]match, 0, min(len(list), 1024))
	for _, inst := range list {
		if len(ids) == 0 && !r.visible(inst, now) {
			continue
		}
		cur = match{inst: inst}
		if len(fs) > 0 && !fs.match(values) {
			continue
		}
		matched = append(matched, cur)
	}
	page, next := paginate(pg, matched)
	out := describeInstancesResult{NextToken: next, Reservations: []reservationXML{}}
	// Consecutive instances of one reservation share a reservation entry.
	for i := 0; i < len(page); {
		inst := page[i].inst
		j := i + 1
		for j < len(page) && page[j].inst.reservationID == inst.reservationID {
			j++
		}
		res, _ := r.reservations.get(inst.reservationID)
		rx := reservationXML{ReservationID: inst.reservationID, OwnerID: res.ownerID, RequesterID: res.requesterID, Groups: []groupIdentifierXML{}, Instances: make([]instanceXML, j-i)}
		for k, m := range page[i:j] {
			if m.x != nil {
				rx.Instances[k] = *m.x
			} else {
				rx.Instances[k] = r.instanceXML(m.inst)
			}
		}
		out.Reservations = append(out.Reservations, rx)
		i = j
	}
	return out, nil
}

func describeInstanceStatus(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeInstanceStatus", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("availability-zone", "instance-state-name", "instance-state-code", "system-status.status", "instance-status.status"))
	if err != nil {
		return nil, err
	}
	ids, err := instanceIDsParam(call.Params)
	if err != nil {
		return nil, err
	}
	includeAll, _, err := call.Params.Bool("IncludeAllInstances")
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 && call.Params.Has("MaxResults") {
		return nil, api.Errorf("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	var list []*instance
	if len(ids) > 0 {
		if list, err = r.lookupInstances(ids, now); err != nil {
			return nil, err
		}
	} else {
		for _, id := range r.instances.order {
			if inst := r.instances.byID[id]; r.visible(inst, now) {
				list = append(list, inst)
			}
		}
	}
	var out describeInstanceStatusResult
	for _, inst := range list {
		if inst.state != stateRunning && !includeAll {
			continue
		}
		status := "not-applicable"
		if inst.state == stateRunning {
			status = "ok"
		}
		x := instanceStatusXML{
			InstanceID: inst.id, AvailabilityZone: inst.zone.name, AvailabilityZoneID: inst.zone.id, InstanceState: inst.state.xml(),
			SystemStatus:      statusSummaryXML{Status: status, Details: []statusDetailXML{{Name: "reachability", Status: statusDetail(status)}}},
			InstanceStatus:    statusSummaryXML{Status: status, Details: []statusDetailXML{{Name: "reachability", Status: statusDetail(status)}}},
			AttachedEbsStatus: statusSummaryXML{Status: status, Details: []statusDetailXML{{Name: "reachability", Status: statusDetail(status)}}},
		}
		if !fs.match(func(name string) []string {
			switch name {
			case "availability-zone":
				return []string{inst.zone.name}
			case "instance-state-name":
				return []string{inst.state.String()}
			case "instance-state-code":
				return []string{itoa(int(inst.state))}
			case "system-status.status", "instance-status.status":
				return []string{status}
			}
			return nil
		}) {
			continue
		}
		out.Statuses = append(out.Statuses, x)
	}
	out.Statuses, out.NextToken = paginate(pg, out.Statuses)
	return out, nil
}

func statusDetail(status string) string {
	if status == "ok" {
		return "passed"
	}
	return status
}

// instanceAttributes are the names DescribeInstanceAttribute accepts.
var instanceAttributes = setOf("instanceType", "kernel", "ramdisk", "userData", "disableApiTermination", "disableApiStop",
	"instanceInitiatedShutdownBehavior", "rootDeviceName", "blockDeviceMapping", "productCodes", "sourceDestCheck",
	"groupSet", "ebsOptimized", "sriovNetSupport", "enaSupport", "enclaveOptions")

func describeInstanceAttribute(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	id := call.Params.Get("InstanceId")
	if err := call.Authorize(ctx, "ec2:DescribeInstanceAttribute", []string{"*"}, nil); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "InstanceId")
	}
	attr, ok := call.Params.Lookup("Attribute")
	if !ok || attr == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "Attribute")
	}
	if !instanceAttributes[attr] {
		return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	if !validID("i-", id) {
		return nil, api.Errorf("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	list, err := r.lookupInstances([]string{id}, now)
	if err != nil {
		return nil, err
	}
	inst := list[0]
	x := r.instanceXML(inst)
	out := instanceAttributeResult{InstanceID: id}
	switch attr {
	case "instanceType":
		out.InstanceType = &attributeValueXML{Value: inst.instanceType}
	case "userData":
		out.UserData = &attributeValueXML{Value: inst.userData}
	case "disableApiTermination":
		out.DisableAPITermination = &attributeBoolXML{Value: inst.disableAPITermination}
	case "disableApiStop":
		out.DisableAPIStop = &attributeBoolXML{Value: inst.disableAPIStop}
	case "instanceInitiatedShutdownBehavior":
		out.InstanceInitiatedShutdownBehavior = &attributeValueXML{Value: inst.shutdownBehavior}
	case "rootDeviceName":
		out.RootDeviceName = &attributeValueXML{Value: inst.rootDevice}
	case "sourceDestCheck":
		out.SourceDestCheck = &attributeBoolXML{Value: x.SourceDestCheck}
	case "groupSet":
		out.Groups = x.Groups
	case "ebsOptimized":
		out.EbsOptimized = &attributeBoolXML{Value: inst.ebsOptimized}
	case "enaSupport":
		out.EnaSupport = &attributeBoolXML{Value: true}
	case "sriovNetSupport":
		out.SriovNetSupport = &attributeValueXML{}
	case "kernel":
		out.Kernel = &attributeValueXML{}
	case "ramdisk":
		out.Ramdisk = &attributeValueXML{}
	case "blockDeviceMapping":
		out.BlockDeviceMapping = x.BlockDeviceMapping
	}
	return out, nil
}

func modifyInstanceAttribute(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	p := call.Params
	id := p.Get("InstanceId")
	resources := []string{s.arn(r, "instance/"+id)}
	for _, g := range p.List("GroupId") {
		resources = append(resources, s.arn(r, "security-group/"+g))
	}
	if err := call.Authorize(ctx, "ec2:ModifyInstanceAttribute", resources, nil); err != nil {
		return nil, err
	}
	if id == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "InstanceId")
	}
	if !validID("i-", id) {
		return nil, api.Errorf("InvalidInstanceID.Malformed", "Invalid id: \"%s\"", id)
	}
	change, err := parseInstanceChange(p)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(now)
	list, err := r.lookupInstances([]string{id}, now)
	if err != nil {
		return nil, err
	}
	inst := list[0]
	if inst.state == stateTerminated || inst.state == stateShuttingDown {
		return nil, api.Errorf("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be modified.", id)
	}
	trail := map[string]any{"instanceId": id}
	switch change.attr {
	case "instanceType":
		info, ok := instanceTypes[change.value]
		if !ok {
			return nil, api.Errorf("InvalidParameterValue", "Invalid value '%s' for InstanceType.", change.value)
		}
		if inst.state != stateStopped {
			return nil, api.Errorf("IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", id)
		}
		if info.arch != inst.arch {
			return nil, api.Errorf("InvalidParameterValue", "The instance type '%s' does not support the architecture '%s' of the instance's AMI.", change.value, inst.arch)
		}
		inst.instanceType, inst.hypervisor, inst.cores, inst.threads = change.value, info.hypervisor, info.cores, info.threads
		trail["instanceType"] = map[string]string{"value": change.value}
	case "userData":
		if inst.state != stateStopped {
			return nil, api.Errorf("IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", id)
		}
		inst.userData = change.value
		trail["userData"] = sensitiveDataRemoved
	case "disableApiTermination":
		inst.disableAPITermination = change.boolValue
		trail["disableApiTermination"] = map[string]bool{"value": change.boolValue}
	case "disableApiStop":
		inst.disableAPIStop = change.boolValue
		trail["disableApiStop"] = map[string]bool{"value": change.boolValue}
	case "instanceInitiatedShutdownBehavior":
		if change.value != "stop" && change.value != "terminate" {
			return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are 'stop' and 'terminate'.", change.value)
		}
		inst.shutdownBehavior = change.value
		trail["instanceInitiatedShutdownBehavior"] = map[string]string{"value": change.value}
	case "sourceDestCheck":
		if e, ok := r.enis.get(inst.eniID); ok {
			e.sourceDestCheck = change.boolValue
		}
		trail["sourceDestCheck"] = map[string]bool{"value": change.boolValue}
	case "ebsOptimized":
		if inst.state != stateStopped {
			return nil, api.Errorf("IncorrectInstanceState", "The instance '%s' is not in the 'stopped' state.", id)
		}
		inst.ebsOptimized = change.boolValue
		trail["ebsOptimized"] = map[string]bool{"value": change.boolValue}
	case "groupSet":
		e, ok := r.enis.get(inst.eniID)
		if !ok {
			return nil, api.Errorf("IncorrectInstanceState", "The instance '%s' has no network interface.", id)
		}
		if len(change.groups) > maxGroupsPerInterface {
			return nil, api.Errorf("SecurityGroupsPerInstanceLimitExceeded", "The maximum number of security groups per instance has been reached.")
		}
		unique, trailSet, err := r.resolveGroupSet(change.groups, e.vpcID)
		if err != nil {
			return nil, err
		}
		e.groups = unique
		trail["groupSet"] = trailSet
	}
	call.RequestParameters = trail
	call.ResponseElements = map[string]any{"requestId": call.RequestID, "_return": true}
	return acknowledged, nil
}

type instanceChange struct {
	attr      string
	value     string
	boolValue bool
	groups    []string
}

// parseInstanceChange reads the one attribute a ModifyInstanceAttribute
// request changes, in either the Attribute/Value form or the X.Value form.
func parseInstanceChange(p *api.Params) (instanceChange, error) {
	var changes []instanceChange
	strAttrs := []struct{ param, attr string }{
		{"InstanceType.Value", "instanceType"}, {"UserData.Value", "userData"},
		{"InstanceInitiatedShutdownBehavior.Value", "instanceInitiatedShutdownBehavior"},
		{"Kernel.Value", "kernel"}, {"Ramdisk.Value", "ramdisk"}, {"SriovNetSupport.Value", "sriovNetSupport"},
	}
	for _, a := range strAttrs {
		if v, ok := p.Lookup(a.param); ok {
			changes = append(changes, instanceChange{attr: a.attr, value: v})
		}
	}
	boolAttrs := []struct{ param, attr string }{
		{"DisableApiTermination.Value", "disableApiTermination"}, {"DisableApiStop.Value", "disableApiStop"},
		{"SourceDestCheck.Value", "sourceDestCheck"}, {"EbsOptimized.Value", "ebsOptimized"}, {"EnaSupport.Value", "enaSupport"},
	}
	for _, a := range boolAttrs {
		b, ok, err := p.Bool(a.param)
		if err != nil {
			return instanceChange{}, err
		}
		if ok {
			changes = append(changes, instanceChange{attr: a.attr, boolValue: b})
		}
	}
	if groups := p.List("GroupId"); len(groups) > 0 {
		for _, g := range groups {
			if !validID("sg-", g) {
				return instanceChange{}, malformed("InvalidGroupId.Malformed", g, "sg-")
			}
		}
		changes = append(changes, instanceChange{attr: "groupSet", groups: groups})
	}
	if attr, ok := p.Lookup("Attribute"); ok {
		if !instanceAttributes[attr] {
			return instanceChange{}, api.Errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
		}
		value, hasValue := p.Lookup("Value")
		if !hasValue {
			return instanceChange{}, api.MissingParameter(api.ProtocolEC2, "Value")
		}
		c := instanceChange{attr: attr, value: value}
		switch attr {
		case "disableApiTermination", "disableApiStop", "sourceDestCheck", "ebsOptimized", "enaSupport":
			switch strings.ToLower(value) {
			case "true":
				c.boolValue = true
			case "false":
			default:
				return instanceChange{}, api.Errorf("InvalidParameterValue", "Value (%s) for parameter value is invalid. Expected a boolean.", value)
			}
		}
		changes = append(changes, c)
	}
	if len(changes) == 0 {
		return instanceChange{}, api.Errorf("MissingParameter", "The request must contain exactly one attribute to modify.")
	}
	if len(changes) > 1 {
		return instanceChange{}, api.Errorf("InvalidParameterCombination", "Fields for multiple attribute types specified: %s", joinAttrs(changes))
	}
	c := changes[0]
	switch c.attr {
	case "kernel", "ramdisk", "sriovNetSupport", "enaSupport":
		// Accepted by AWS for HVM instances; the sandbox does not model them.
		return instanceChange{}, api.Errorf("UnsupportedOperation", "The attribute '%s' cannot be modified in this sandbox.", c.attr)
	case "userData":
		if _, err := decodeUserData(c.value); err != nil {
			return instanceChange{}, err
		}
	case "groupSet":
		if len(c.groups) == 0 {
			return instanceChange{}, api.MissingParameter(api.ProtocolEC2, "GroupId")
		}
	case "productCodes", "blockDeviceMapping", "rootDeviceName", "enclaveOptions":
		return instanceChange{}, api.Errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. The attribute cannot be modified.", c.attr)
	}
	return c, nil
}

func joinAttrs(changes []instanceChange) string {
	names := make([]string, len(changes))
	for i, c := range changes {
		names[i] = c.attr
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ---- Start, stop, terminate ----

func stateChangeAction(ctx context.Context, s *Service, r *region, call *api.Call, action string) ([]*instance, time.Time, error) {
	ids, err := instanceIDsParam(call.Params)
	var resources []string
	for _, id := range call.Params.List("InstanceId") {
		resources = append(resources, s.arn(r, "instance/"+id))
	}
	if len(resources) == 0 {
		resources = []string{s.arn(r, "instance/*")}
	}
	if aerr := call.Authorize(ctx, "ec2:"+action, resources, nil); aerr != nil {
		return nil, time.Time{}, aerr
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(ids) == 0 {
		return nil, time.Time{}, api.MissingParameter(api.ProtocolEC2, "InstanceId")
	}
	now := s.now()
	r.mu.Lock()
	r.settleAll(now)
	list, err := r.lookupInstances(ids, now)
	if err != nil {
		r.mu.Unlock()
		return nil, time.Time{}, err
	}
	return list, now, nil // the caller unlocks r.mu
}

func userInitiated(now time.Time) string {
	return "User initiated (" + now.UTC().Format("2006-01-02 15:04:05") + " GMT)"
}

// changeStates applies transition to each instance in request order and
// reports the state each was in before and after.
func changeStates(list []*instance, transition func(inst *instance)) stateChangesResult {
	var out stateChangesResult
	for _, inst := range list {
		prev := inst.state
		transition(inst)
		out.Instances = append(out.Instances, stateChangeXML{InstanceID: inst.id, CurrentState: inst.state.xml(), PreviousState: prev.xml()})
	}
	return out
}

func stopInstances(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	force, _, err := call.Params.Bool("Force")
	if err != nil {
		if aerr := call.Authorize(ctx, "ec2:StopInstances", nil, nil); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	list, now, err := stateChangeAction(ctx, s, r, call, "StopInstances")
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	for _, inst := range list {
		switch inst.state {
		case statePending, stateShuttingDown, stateTerminated:
			return nil, api.Errorf("IncorrectInstanceState", "This instance '%s' is not in a state from which it can be stopped.", inst.id)
		}
		if inst.disableAPIStop && inst.state == stateRunning {
			return nil, api.Errorf("OperationNotPermitted", "The instance '%s' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.", inst.id)
		}
	}
	out := changeStates(list, func(inst *instance) {
		switch {
		case inst.state == stateRunning:
			r.enter(inst, stateStopping, now)
			inst.stateTransitionReason = userInitiated(now)
			inst.markUserShutdown()
		case inst.state == stateStopping && force:
			r.settle(inst, now)
		}
	})
	call.RequestParameters = map[string]any{"instancesSet": instanceItems(list), "force": force}
	call.ResponseElements = stateChangeTrail(call, out)
	return out, nil
}

func startInstances(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	list, now, err := stateChangeAction(ctx, s, r, call, "StartInstances")
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	for _, inst := range list {
		switch inst.state {
		case stateStopping, stateShuttingDown, stateTerminated:
			return nil, api.Errorf("IncorrectInstanceState", "The instance '%s' is not in a state from which it can be started.", inst.id)
		}
	}
	out := changeStates(list, func(inst *instance) {
		if inst.state != stateStopped {
			return
		}
		r.enter(inst, statePending, now)
		inst.stateTransitionReason = ""
		inst.stateReasonCode, inst.stateReasonMessage = "pending", "pending"
		if e, ok := r.enis.get(inst.eniID); ok && inst.autoPublicIP && e.publicIP == "" {
			e.publicIP = s.allocatePublicIP()
		}
	})
	call.RequestParameters = map[string]any{"instancesSet": instanceItems(list)}
	call.ResponseElements = stateChangeTrail(call, out)
	return out, nil
}

func terminateInstances(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	list, now, err := stateChangeAction(ctx, s, r, call, "TerminateInstances")
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	for _, inst := range list {
		if inst.disableAPITermination && inst.state != stateTerminated && inst.state != stateShuttingDown {
			return nil, api.Errorf("OperationNotPermitted", "The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", inst.id)
		}
	}
	out := changeStates(list, func(inst *instance) {
		switch inst.state {
		case statePending, stateRunning, stateStopping:
			r.enter(inst, stateShuttingDown, now)
			inst.stateTransitionReason = userInitiated(now)
			inst.markUserShutdown()
		case stateStopped:
			// Nothing is running to shut down.
			inst.stateTransitionReason = userInitiated(now)
			r.finishTermination(inst, now)
		}
	})
	call.RequestParameters = map[string]any{"instancesSet": instanceItems(list)}
	call.ResponseElements = stateChangeTrail(call, out)
	return out, nil
}
