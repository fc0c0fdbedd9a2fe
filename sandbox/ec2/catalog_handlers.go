package ec2

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

func describeRegions(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeRegions", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("endpoint", "region-name", "opt-in-status"))
	if err != nil {
		return nil, err
	}
	all, _, err := call.Params.Bool("AllRegions")
	if err != nil {
		return nil, err
	}
	names := call.Params.List("RegionName")
	wanted := setOf(names...)
	for _, n := range names {
		if lookupRegion(n).zoneIDKey == "" || !isKnownRegion(n) {
			return nil, api.Errorf("InvalidParameterValue", "Invalid region: %s", n)
		}
	}
	var out describeRegionsResult
	for _, info := range commercialRegions {
		status := "opt-in-not-required"
		if info.optIn {
			// A fresh account has not opted in to any opt-in region.
			status = "not-opted-in"
		}
		if info.optIn && !all && len(names) == 0 {
			continue
		}
		if len(names) > 0 && !wanted[info.name] {
			continue
		}
		x := regionXML{RegionName: info.name, Endpoint: "ec2." + info.name + ".amazonaws.com", OptInStatus: status}
		if !fs.match(func(name string) []string {
			switch name {
			case "endpoint":
				return []string{x.Endpoint}
			case "region-name":
				return []string{x.RegionName}
			case "opt-in-status":
				return []string{x.OptInStatus}
			}
			return nil
		}) {
			continue
		}
		out.Regions = append(out.Regions, x)
	}
	return out, nil
}

func isKnownRegion(name string) bool {
	for _, info := range commercialRegions {
		if info.name == name {
			return true
		}
	}
	return false
}

func describeAvailabilityZones(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeAvailabilityZones", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("zone-name", "zone-id", "region-name", "state", "zone-type", "group-name", "opt-in-status", "network-border-group"))
	if err != nil {
		return nil, err
	}
	names, ids := call.Params.List("ZoneName"), call.Params.List("ZoneId")
	for _, n := range names {
		if _, ok := r.zoneByName(n); !ok {
			return nil, api.Errorf("InvalidParameterValue", "Invalid availability zone: [%s]", n)
		}
	}
	for _, id := range ids {
		found := false
		for _, z := range r.zones {
			found = found || z.id == id
		}
		if !found {
			return nil, api.Errorf("InvalidParameterValue", "Invalid availability zone ID: [%s]", id)
		}
	}
	byName, byID := setOf(names...), setOf(ids...)
	var out describeZonesResult
	for _, z := range r.zones {
		if (len(names) > 0 || len(ids) > 0) && !byName[z.name] && !byID[z.id] {
			continue
		}
		x := zoneXML{OptInStatus: "opt-in-not-required", ZoneName: z.name, ZoneID: z.id, ZoneState: "available", RegionName: r.name, GroupName: r.name, NetworkBorderGroup: r.name, ZoneType: "availability-zone"}
		if !fs.match(func(name string) []string {
			switch name {
			case "zone-name":
				return []string{x.ZoneName}
			case "zone-id":
				return []string{x.ZoneID}
			case "region-name":
				return []string{x.RegionName}
			case "state":
				return []string{x.ZoneState}
			case "zone-type":
				return []string{x.ZoneType}
			case "group-name", "network-border-group":
				return []string{x.GroupName}
			case "opt-in-status":
				return []string{x.OptInStatus}
			}
			return nil
		}) {
			continue
		}
		out.Zones = append(out.Zones, x)
	}
	return out, nil
}

// accountAttributeNames are the attributes DescribeAccountAttributes knows.
// Values are those of a fresh account with a default VPC.
var accountAttributeNames = []string{"supported-platforms", "vpc-max-security-groups-per-interface", "max-elastic-ips", "max-instances", "vpc-max-elastic-ips", "default-vpc"}

func describeAccountAttributes(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeAccountAttributes", nil, nil); err != nil {
		return nil, err
	}
	names := call.Params.List("AttributeName")
	known := setOf(accountAttributeNames...)
	for _, n := range names {
		if !known[n] {
			return nil, api.Errorf("InvalidParameterValue", "Value (%s) for parameter attributeName is invalid. Unknown attribute.", n)
		}
	}
	if len(names) == 0 {
		names = accountAttributeNames
	}
	r.mu.Lock()
	defaultVPC := "none"
	if v := r.defaultVPC(); v != nil {
		defaultVPC = v.id
	}
	r.mu.Unlock()
	values := map[string][]string{
		"supported-platforms":                   {"VPC"},
		"vpc-max-security-groups-per-interface": {"5"},
		"max-elastic-ips":                       {"5"},
		"max-instances":                         {"20"},
		"vpc-max-elastic-ips":                   {"5"},
		"default-vpc":                           {defaultVPC},
	}
	var out describeAccountAttributesResult
	for _, n := range names {
		out.Attributes = append(out.Attributes, accountAttributeXML{Name: n, Values: values[n]})
	}
	return out, nil
}

var (
	amiIDPattern       = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)
	accountIDPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	imageFilterNames   = setOf("architecture", "block-device-mapping.delete-on-termination", "block-device-mapping.device-name", "block-device-mapping.snapshot-id", "block-device-mapping.volume-size", "block-device-mapping.volume-type", "block-device-mapping.encrypted", "creation-date", "description", "ena-support", "hypervisor", "image-id", "image-type", "is-public", "name", "owner-alias", "owner-id", "platform", "platform-details", "root-device-name", "root-device-type", "state", "sriov-net-support", "usage-operation", "virtualization-type", "tag")
	imageOwnerAliasSet = setOf("amazon", "aws-marketplace", "aws-backup-vault", "self")
)

func describeImages(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeImages", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, imageFilterNames)
	if err != nil {
		return nil, err
	}
	ids := call.Params.List("ImageId")
	for _, id := range ids {
		if !amiIDPattern.MatchString(id) {
			return nil, api.Errorf("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
		}
	}
	owners := call.Params.List("Owner")
	for _, o := range owners {
		if !imageOwnerAliasSet[o] && !accountIDPattern.MatchString(o) {
			return nil, api.Errorf("InvalidUserID.Malformed", "Invalid user id: \"%s\"", o)
		}
	}
	var missing []string
	for _, id := range ids {
		if findImage(id) == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) == 1 {
		return nil, api.Errorf("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", missing[0])
	}
	if len(missing) > 1 {
		return nil, api.Errorf("InvalidAMIID.NotFound", "The image ids '[%s]' do not exist", strings.Join(missing, ", "))
	}
	wanted := setOf(ids...)
	var out describeImagesResult
	for i := range images {
		img := &images[i]
		if len(ids) > 0 && !wanted[img.id] {
			continue
		}
		if len(owners) > 0 && !ownedBy(img, owners, s.accountID) {
			continue
		}
		if !fs.match(img.filterValues) {
			continue
		}
		out.Images = append(out.Images, img.toXML())
	}
	sort.SliceStable(out.Images, func(i, j int) bool { return out.Images[i].ImageID < out.Images[j].ImageID })
	return out, nil
}

func ownedBy(img *image, owners []string, account string) bool {
	for _, o := range owners {
		switch {
		case o == "self" && img.ownerID == account:
			return true
		case o == img.ownerID:
			return true
		case img.ownerAlias != "" && o == img.ownerAlias:
			return true
		}
	}
	return false
}

func (img *image) filterValues(name string) []string {
	switch name {
	case "architecture":
		return []string{img.arch}
	case "block-device-mapping.delete-on-termination":
		return []string{"true"}
	case "block-device-mapping.device-name", "root-device-name":
		return []string{img.rootDevice}
	case "block-device-mapping.snapshot-id":
		return []string{img.snapshotID}
	case "block-device-mapping.volume-size":
		return []string{itoa(img.volumeSize)}
	case "block-device-mapping.volume-type":
		return []string{img.volumeType}
	case "block-device-mapping.encrypted":
		return []string{"false"}
	case "creation-date":
		return []string{ec2Time(img.created)}
	case "description":
		return []string{img.description}
	case "ena-support":
		return []string{boolString(img.enaSupport)}
	case "hypervisor":
		return []string{"xen"}
	case "image-id":
		return []string{img.id}
	case "image-type":
		return []string{"machine"}
	case "is-public":
		return []string{"true"}
	case "name":
		return []string{img.name}
	case "owner-alias":
		if img.ownerAlias == "" {
			return nil
		}
		return []string{img.ownerAlias}
	case "owner-id":
		return []string{img.ownerID}
	case "platform":
		if img.platform == "" {
			return nil
		}
		return []string{img.platform}
	case "platform-details":
		return []string{img.platformDetails}
	case "root-device-type":
		return []string{"ebs"}
	case "state":
		return []string{"available"}
	case "sriov-net-support":
		return []string{img.sriov}
	case "usage-operation":
		return []string{img.usageOperation}
	case "virtualization-type":
		return []string{"hvm"}
	}
	return nil // catalogue images carry no tags
}

func (img *image) toXML() imageXML {
	return imageXML{
		ImageID: img.id, ImageLocation: img.location, ImageState: "available", ImageOwnerID: img.ownerID,
		CreationDate: ec2Time(img.created), IsPublic: true, Architecture: img.arch, ImageType: "machine",
		Platform: img.platform, PlatformDetails: img.platformDetails, UsageOperation: img.usageOperation,
		ImageOwnerAlias: img.ownerAlias, Name: img.name, Description: img.description,
		RootDeviceType: "ebs", RootDeviceName: img.rootDevice,
		BlockDeviceMapping: []blockDeviceMappingXML{{DeviceName: img.rootDevice, Ebs: &ebsBlockDeviceXML{
			DeleteOnTermination: true, SnapshotID: img.snapshotID, VolumeSize: img.volumeSize, VolumeType: img.volumeType,
		}}},
		VirtualizationType: "hvm", Hypervisor: "xen", EnaSupport: img.enaSupport, SriovNetSupport: img.sriov,
	}
}

type instanceTypeXML struct {
	InstanceType string `xml:"instanceType"`
	VCPUInfo     struct {
		DefaultVCpus          int `xml:"defaultVCpus"`
		DefaultCores          int `xml:"defaultCores"`
		DefaultThreadsPerCore int `xml:"defaultThreadsPerCore"`
	} `xml:"vCpuInfo"`
	MemoryInfo struct {
		SizeInMiB int `xml:"sizeInMiB"`
	} `xml:"memoryInfo"`
	ProcessorInfo struct {
		Architectures []string `xml:"supportedArchitectures>item"`
	} `xml:"processorInfo"`
	Hypervisor string `xml:"hypervisor"`
}

type describeInstanceTypesResult struct {
	InstanceTypes []instanceTypeXML `xml:"instanceTypeSet>item"`
	NextToken     string            `xml:"nextToken,omitempty"`
}

func describeInstanceTypes(ctx context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "ec2:DescribeInstanceTypes", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("instance-type", "processor-info.supported-architecture", "hypervisor", "vcpu-info.default-vcpus"))
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 100)
	if err != nil {
		return nil, err
	}
	names := call.Params.List("InstanceType")
	for _, n := range names {
		if _, ok := instanceTypes[n]; !ok {
			return nil, api.Errorf("InvalidInstanceType", "The following supplied instance types do not exist: [%s]", n)
		}
	}
	if len(names) == 0 {
		for n := range instanceTypes {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var matched []instanceTypeXML
	for _, n := range names {
		info := instanceTypes[n]
		if !fs.match(func(f string) []string {
			switch f {
			case "instance-type":
				return []string{n}
			case "processor-info.supported-architecture":
				return []string{info.arch}
			case "hypervisor":
				return []string{info.hypervisor}
			case "vcpu-info.default-vcpus":
				return []string{itoa(info.vcpus)}
			}
			return nil
		}) {
			continue
		}
		var x instanceTypeXML
		x.InstanceType = n
		x.VCPUInfo.DefaultVCpus, x.VCPUInfo.DefaultCores, x.VCPUInfo.DefaultThreadsPerCore = info.vcpus, info.cores, info.threads
		x.MemoryInfo.SizeInMiB = info.memoryMiB
		x.ProcessorInfo.Architectures = []string{info.arch}
		x.Hypervisor = info.hypervisor
		matched = append(matched, x)
	}
	types, next := paginate(pg, matched)
	return describeInstanceTypesResult{InstanceTypes: types, NextToken: next}, nil
}
