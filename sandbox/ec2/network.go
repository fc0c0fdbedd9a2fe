package ec2

import (
	"context"
	"net/netip"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

func parseCIDR(param, value string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(value)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, api.Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", value, param)
	}
	return p, nil
}

func overlaps(a, b netip.Prefix) bool { return a.Overlaps(b) }

// ---- VPCs ----

func (r *region) vpcXML(v *vpc) vpcXML {
	return vpcXML{
		VpcID: v.id, OwnerID: r.svc.accountID, State: "available", CidrBlock: v.cidr,
		CidrAssociation: []vpcCidrAssociationXML{{AssociationID: v.cidrAssociationID, CidrBlock: v.cidr, CidrBlockState: cidrBlockStateXML{State: "associated"}}},
		DhcpOptionsID:   v.dhcpOptionsID, InstanceTenancy: v.tenancy, IsDefault: v.isDefault, Tags: r.sortedTags(v.id),
	}
}

func createVpc(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:CreateVpc", []string{s.arn(r, "vpc/*")}, nil); err != nil {
		return nil, err
	}
	cidr, ok := call.Params.Lookup("CidrBlock")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolEC2, "CidrBlock")
	}
	prefix, err := parseCIDR("cidrBlock", cidr)
	if err != nil {
		return nil, err
	}
	// AWS allows VPC netmasks from /16 to /28.
	if prefix.Bits() < 16 || prefix.Bits() > 28 {
		return nil, api.Errorf("InvalidVpc.Range", "The CIDR '%s' is invalid.", cidr)
	}
	tenancy := call.Params.Get("InstanceTenancy")
	if tenancy == "" {
		tenancy = "default"
	}
	if tenancy != "default" && tenancy != "dedicated" {
		return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter instanceTenancy is invalid.", tenancy)
	}
	specs, err := parseTagSpecs(call.Params, "vpc")
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.newVPC(prefix.Masked(), tenancy, false)
	r.setTags(v.id, specs["vpc"])
	x := r.vpcXML(v)
	x.State = "pending" // AWS reports the new VPC as pending
	return createVpcResult{Vpc: x}, nil
}

var vpcFilterNames = setOf("vpc-id", "cidr", "cidr-block", "cidr-block-association.cidr-block", "cidr-block-association.association-id", "cidr-block-association.state", "is-default", "isDefault", "state", "owner-id", "dhcp-options-id", "tag")

func describeVpcs(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeVpcs", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, vpcFilterNames)
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	ids := call.Params.List("VpcId")
	r.mu.Lock()
	defer r.mu.Unlock()
	list, err := r.vpcs.selectByID(ids)
	if err != nil {
		return nil, err
	}
	var out describeVpcsResult
	for _, v := range list {
		if !fs.match(func(name string) []string {
			switch name {
			case "vpc-id":
				return []string{v.id}
			case "cidr", "cidr-block", "cidr-block-association.cidr-block":
				return []string{v.cidr}
			case "cidr-block-association.association-id":
				return []string{v.cidrAssociationID}
			case "cidr-block-association.state":
				return []string{"associated"}
			case "is-default", "isDefault":
				return []string{boolString(v.isDefault)}
			case "state":
				return []string{"available"}
			case "owner-id":
				return []string{s.accountID}
			case "dhcp-options-id":
				return []string{v.dhcpOptionsID}
			}
			vals, _ := tagValues(name, r.tags[v.id])
			return vals
		}) {
			continue
		}
		out.Vpcs = append(out.Vpcs, r.vpcXML(v))
	}
	out.Vpcs, out.NextToken = paginate(pg, out.Vpcs)
	return out, nil
}

func deleteVpc(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	id, ok := call.Params.Lookup("VpcId")
	if !ok {
		if err := call.Authorize(ctx, "ec2:DeleteVpc", nil, nil); err != nil {
			return nil, err
		}
		return nil, api.MissingParameter(api.ProtocolEC2, "VpcId")
	}
	if err := call.Authorize(ctx, "ec2:DeleteVpc", []string{s.arn(r, "vpc/"+id)}, nil); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.vpcs.has(id) {
		return nil, notFound(id)
	}
	dependent := false
	for _, sn := range r.subnets.all() {
		dependent = dependent || sn.vpcID == id
	}
	for _, g := range r.groups.all() {
		dependent = dependent || (g.vpcID == id && g.name != "default")
	}
	if dependent {
		return nil, api.Errorf("DependencyViolation", "The vpc '%s' has dependencies and cannot be deleted.", id)
	}
	if g := r.defaultGroup(id); g != nil {
		r.groups.remove(g.id)
		delete(r.tags, g.id)
	}
	r.vpcs.remove(id)
	delete(r.tags, id)
	return acknowledged, nil
}

// ---- Subnets ----

func (r *region) subnetXML(sn *subnet) subnetXML {
	return subnetXML{
		SubnetID: sn.id, SubnetArn: r.svc.arn(r, "subnet/"+sn.id), State: "available", OwnerID: r.svc.accountID,
		VpcID: sn.vpcID, CidrBlock: sn.cidr, AvailableIPAddressCount: sn.availableIPs(),
		AvailabilityZone: sn.zone.name, AvailabilityZoneID: sn.zone.id, DefaultForAz: sn.defaultForAz,
		MapPublicIPOnLaunch: sn.mapPublicIP, Tags: r.sortedTags(sn.id),
	}
}

func createSubnet(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	vpcID := call.Params.Get("VpcId")
	resources := []string{s.arn(r, "subnet/*")}
	if vpcID != "" {
		resources = append(resources, s.arn(r, "vpc/"+vpcID))
	}
	if err := call.Authorize(ctx, "ec2:CreateSubnet", resources, nil); err != nil {
		return nil, err
	}
	if vpcID == "" {
		return nil, api.MissingParameter(api.ProtocolEC2, "VpcId")
	}
	cidr, ok := call.Params.Lookup("CidrBlock")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolEC2, "CidrBlock")
	}
	prefix, err := parseCIDR("cidrBlock", cidr)
	if err != nil {
		return nil, err
	}
	specs, err := parseTagSpecs(call.Params, "subnet")
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.vpcs.get(vpcID)
	if !ok {
		return nil, notFound(vpcID)
	}
	prefix = prefix.Masked()
	if prefix.Bits() < 16 || prefix.Bits() > 28 || !v.prefix.Contains(prefix.Addr()) || prefix.Bits() < v.prefix.Bits() {
		return nil, api.Errorf("InvalidSubnet.Range", "The CIDR '%s' is invalid.", cidr)
	}
	for _, other := range r.subnets.all() {
		if other.vpcID == vpcID && overlaps(other.prefix, prefix) {
			return nil, api.Errorf("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", cidr)
		}
	}
	z := r.zones[0]
	if name := call.Params.Get("AvailabilityZone"); name != "" {
		if z, ok = r.zoneByName(name); !ok {
			return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", name, r.zoneList())
		}
	} else if zid := call.Params.Get("AvailabilityZoneId"); zid != "" {
		found := false
		for _, cand := range r.zones {
			if cand.id == zid {
				z, found = cand, true
			}
		}
		if !found {
			return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter availabilityZoneId is invalid.", zid)
		}
	}
	sn := r.newSubnet(v, prefix, z, false)
	sn.mapPublicIP = false
	r.setTags(sn.id, specs["subnet"])
	return createSubnetResult{Subnet: r.subnetXML(sn)}, nil
}

func (r *region) zoneList() string {
	names := make([]string, len(r.zones))
	for i, z := range r.zones {
		names[i] = z.name
	}
	return strings.Join(names, ", ")
}

var subnetFilterNames = setOf("subnet-id", "subnet-arn", "vpc-id", "cidr", "cidr-block", "cidrBlock", "availability-zone", "availabilityZone", "availability-zone-id", "default-for-az", "defaultForAz", "map-public-ip-on-launch", "state", "owner-id", "available-ip-address-count", "tag")

func describeSubnets(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeSubnets", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, subnetFilterNames)
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	ids := call.Params.List("SubnetId")
	r.mu.Lock()
	defer r.mu.Unlock()
	list, err := r.subnets.selectByID(ids)
	if err != nil {
		return nil, err
	}
	var out describeSubnetsResult
	for _, sn := range list {
		if !fs.match(func(name string) []string {
			switch name {
			case "subnet-id":
				return []string{sn.id}
			case "subnet-arn":
				return []string{s.arn(r, "subnet/"+sn.id)}
			case "vpc-id":
				return []string{sn.vpcID}
			case "cidr", "cidr-block", "cidrBlock":
				return []string{sn.cidr}
			case "availability-zone", "availabilityZone":
				return []string{sn.zone.name}
			case "availability-zone-id":
				return []string{sn.zone.id}
			case "default-for-az", "defaultForAz":
				return []string{boolString(sn.defaultForAz)}
			case "map-public-ip-on-launch":
				return []string{boolString(sn.mapPublicIP)}
			case "state":
				return []string{"available"}
			case "owner-id":
				return []string{s.accountID}
			case "available-ip-address-count":
				return []string{itoa(sn.availableIPs())}
			}
			vals, _ := tagValues(name, r.tags[sn.id])
			return vals
		}) {
			continue
		}
		out.Subnets = append(out.Subnets, r.subnetXML(sn))
	}
	out.Subnets, out.NextToken = paginate(pg, out.Subnets)
	return out, nil
}

func deleteSubnet(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	id, ok := call.Params.Lookup("SubnetId")
	if !ok {
		if err := call.Authorize(ctx, "ec2:DeleteSubnet", nil, nil); err != nil {
			return nil, err
		}
		return nil, api.MissingParameter(api.ProtocolEC2, "SubnetId")
	}
	if err := call.Authorize(ctx, "ec2:DeleteSubnet", []string{s.arn(r, "subnet/"+id)}, nil); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.subnets.has(id) {
		return nil, notFound(id)
	}
	r.settleAll(s.now())
	for _, e := range r.enis.all() {
		if e.subnetID == id {
			return nil, api.Errorf("DependencyViolation", "The subnet '%s' has dependencies and cannot be deleted.", id)
		}
	}
	r.subnets.remove(id)
	delete(r.tags, id)
	return acknowledged, nil
}

// ---- Network interfaces ----

func (r *region) eniXML(e *networkInterface) networkInterfaceXML {
	x := networkInterfaceXML{
		NetworkInterfaceID: e.id, SubnetID: e.subnetID, VpcID: e.vpcID, AvailabilityZone: e.zone.name, AvailabilityZoneID: e.zone.id,
		Description: e.description, OwnerID: r.svc.accountID, Status: "available", MacAddress: e.mac,
		PrivateIPAddress: e.privateIP.String(), PrivateDNSName: r.privateDNSName(e.privateIP), SourceDestCheck: e.sourceDestCheck,
		Groups: r.groupIdentifiers(e.groups), Tags: r.sortedTags(e.id), InterfaceType: e.interfaceType,
	}
	var assoc *eniAssociationXML
	if e.publicIP != "" {
		assoc = &eniAssociationXML{IPOwnerID: "amazon", PublicDNSName: r.publicDNSName(e.publicIP), PublicIP: e.publicIP}
	}
	x.Association = assoc
	x.PrivateIPAddresses = []eniPrivateIPXML{{PrivateIPAddress: x.PrivateIPAddress, PrivateDNSName: x.PrivateDNSName, Primary: true, Association: assoc}}
	if a := e.attachment; a != nil {
		x.Status = "in-use"
		x.Attachment = &eniAttachmentXML{
			AttachmentID: a.id, InstanceID: a.instanceID, InstanceOwnerID: r.svc.accountID, DeviceIndex: a.deviceIndex,
			Status: r.attachmentStatus(a.instanceID), AttachTime: ec2Time(a.attachTime), DeleteOnTermination: a.deleteOnTermination,
		}
	}
	return x
}

// attachmentStatus follows the instance: attaching while it is pending,
// attached afterwards.
func (r *region) attachmentStatus(instanceID string) string {
	if inst, ok := r.instances.get(instanceID); ok && inst.state == statePending {
		return "attaching"
	}
	return "attached"
}

func (r *region) groupIdentifiers(ids []string) []groupIdentifierXML {
	out := make([]groupIdentifierXML, 0, len(ids))
	for _, id := range ids {
		name := ""
		if g, ok := r.groups.get(id); ok {
			name = g.name
		}
		out = append(out, groupIdentifierXML{GroupID: id, GroupName: name})
	}
	return out
}

var eniFilterNames = setOf("network-interface-id", "attachment.instance-id", "attachment.attachment-id", "attachment.status", "attachment.device-index", "attachment.instance-owner-id", "attachment.delete-on-termination", "group-id", "group-name", "subnet-id", "vpc-id", "availability-zone", "private-ip-address", "addresses.private-ip-address", "private-dns-name", "association.public-ip", "mac-address", "status", "owner-id", "description", "interface-type", "source-dest-check", "requester-managed", "tag")

func describeNetworkInterfaces(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeNetworkInterfaces", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, eniFilterNames)
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	ids := call.Params.List("NetworkInterfaceId")
	for _, id := range ids {
		if !validID("eni-", id) {
			return nil, malformed("InvalidNetworkInterfaceID.Malformed", id, "eni-")
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(s.now())
	list, err := r.enis.selectByID(ids)
	if err != nil {
		return nil, err
	}
	var out describeNetworkInterfacesResult
	for _, e := range list {
		x := r.eniXML(e)
		if !fs.match(func(name string) []string { return r.eniFilterValues(e, &x, name) }) {
			continue
		}
		out.NetworkInterfaces = append(out.NetworkInterfaces, x)
	}
	out.NetworkInterfaces, out.NextToken = paginate(pg, out.NetworkInterfaces)
	return out, nil
}

func (r *region) eniFilterValues(e *networkInterface, x *networkInterfaceXML, name string) []string {
	switch name {
	case "network-interface-id":
		return []string{e.id}
	case "attachment.instance-id":
		if x.Attachment != nil {
			return []string{x.Attachment.InstanceID}
		}
	case "attachment.attachment-id":
		if x.Attachment != nil {
			return []string{x.Attachment.AttachmentID}
		}
	case "attachment.status":
		if x.Attachment != nil {
			return []string{x.Attachment.Status}
		}
	case "attachment.device-index":
		if x.Attachment != nil {
			return []string{itoa(x.Attachment.DeviceIndex)}
		}
	case "attachment.instance-owner-id":
		if x.Attachment != nil {
			return []string{x.Attachment.InstanceOwnerID}
		}
	case "attachment.delete-on-termination":
		if x.Attachment != nil {
			return []string{boolString(x.Attachment.DeleteOnTermination)}
		}
	case "group-id":
		return e.groups
	case "group-name":
		var names []string
		for _, g := range x.Groups {
			names = append(names, g.GroupName)
		}
		return names
	case "subnet-id":
		return []string{e.subnetID}
	case "vpc-id":
		return []string{e.vpcID}
	case "availability-zone":
		return []string{e.zone.name}
	case "private-ip-address", "addresses.private-ip-address":
		return []string{x.PrivateIPAddress}
	case "private-dns-name":
		return []string{x.PrivateDNSName}
	case "association.public-ip":
		if e.publicIP != "" {
			return []string{e.publicIP}
		}
	case "mac-address":
		return []string{e.mac}
	case "status":
		return []string{x.Status}
	case "owner-id":
		return []string{r.svc.accountID}
	case "description":
		return []string{e.description}
	case "interface-type":
		return []string{e.interfaceType}
	case "source-dest-check":
		return []string{boolString(e.sourceDestCheck)}
	case "requester-managed":
		return []string{"false"}
	default:
		vals, _ := tagValues(name, r.tags[e.id])
		return vals
	}
	return nil
}

// resolveGroupSet checks the security groups a request puts on a network
// interface in vpcID. It returns them without repeats, in request order,
// and the request's groupSet as CloudTrail records it (repeats included).
func (r *region) resolveGroupSet(ids []string, vpcID string) (unique []string, trailSet map[string]any, err error) {
	items := make([]map[string]string, 0, len(ids))
	seen := map[string]bool{}
	for _, gid := range ids {
		if !validID("sg-", gid) {
			return nil, nil, malformed("InvalidGroupId.Malformed", gid, "sg-")
		}
		g, ok := r.groups.get(gid)
		if !ok {
			return nil, nil, notFound(gid)
		}
		if g.vpcID != vpcID {
			return nil, nil, api.Errorf("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", gid, vpcID)
		}
		if !seen[gid] {
			seen[gid] = true
			unique = append(unique, gid)
		}
		items = append(items, map[string]string{"groupId": gid})
	}
	return unique, map[string]any{"items": items}, nil
}

// maxGroupsPerInterface is AWS's default quota of security groups per
// network interface.
const maxGroupsPerInterface = 5

func modifyNetworkInterfaceAttribute(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	id, ok := call.Params.Lookup("NetworkInterfaceId")
	groups := call.Params.List("SecurityGroupId")
	resources := []string{s.arn(r, "network-interface/"+id)}
	for _, g := range groups {
		resources = append(resources, s.arn(r, "security-group/"+g))
	}
	if err := call.Authorize(ctx, "ec2:ModifyNetworkInterfaceAttribute", resources, nil); err != nil {
		return nil, err
	}
	if !ok {
		return nil, api.MissingParameter(api.ProtocolEC2, "NetworkInterfaceId")
	}
	if !validID("eni-", id) {
		return nil, malformed("InvalidNetworkInterfaceID.Malformed", id, "eni-")
	}
	description, hasDescription := call.Params.Lookup("Description.Value")
	sourceDest, hasSourceDest, err := call.Params.Bool("SourceDestCheck.Value")
	if err != nil {
		return nil, err
	}
	deleteOnTerm, hasDeleteOnTerm, err := call.Params.Bool("Attachment.DeleteOnTermination")
	if err != nil {
		return nil, err
	}
	count := 0
	for _, b := range []bool{len(groups) > 0, hasDescription, hasSourceDest, hasDeleteOnTerm} {
		if b {
			count++
		}
	}
	if count == 0 {
		return nil, api.Errorf("MissingParameter", "Either groupSet, description, sourceDestCheck or attachment must be specified.")
	}
	if count > 1 {
		return nil, api.Errorf("InvalidParameterCombination", "Only one attribute can be modified at a time.")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.enis.get(id)
	if !ok {
		return nil, notFound(id)
	}
	requestParameters := map[string]any{"networkInterfaceId": id}
	switch {
	case len(groups) > 0:
		if len(groups) > maxGroupsPerInterface {
			return nil, api.Errorf("SecurityGroupsPerInterfaceLimitExceeded", "The maximum number of security groups per interface has been reached.")
		}
		unique, trailSet, err := r.resolveGroupSet(groups, e.vpcID)
		if err != nil {
			return nil, err
		}
		e.groups = unique
		requestParameters["groupSet"] = trailSet
	case hasDescription:
		e.description = description
		requestParameters["description"] = map[string]string{"value": description}
	case hasSourceDest:
		e.sourceDestCheck = sourceDest
		requestParameters["sourceDestCheck"] = map[string]bool{"value": sourceDest}
	case hasDeleteOnTerm:
		attachID := call.Params.Get("Attachment.AttachmentId")
		if e.attachment == nil || attachID == "" || e.attachment.id != attachID {
			return nil, api.Errorf("InvalidAttachmentID.NotFound", "Interface does not have attachment '%s'", attachID)
		}
		e.attachment.deleteOnTermination = deleteOnTerm
		requestParameters["attachment"] = map[string]any{"attachmentId": attachID, "deleteOnTermination": deleteOnTerm}
	}
	call.RequestParameters = requestParameters
	call.ResponseElements = map[string]any{"requestId": call.RequestID, "_return": true}
	return acknowledged, nil
}
