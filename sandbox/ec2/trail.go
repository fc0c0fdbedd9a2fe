package ec2

import (
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// CloudTrail shapes of EC2 events. CloudTrail renders EC2's query
// parameters with the XML locationNames (instancesSet, groupSet, items) and
// times as epoch milliseconds; the structs keep AWS's field order so records
// read like real ones.

// sensitiveDataRemoved is what CloudTrail writes in place of user data.
const sensitiveDataRemoved = "<sensitiveDataRemoved>"

type trailList[T any] struct {
	Items []T `json:"items"`
}

type emptyObject struct{}

type trailRunItem struct {
	ImageID  string `json:"imageId"`
	MinCount int    `json:"minCount"`
	MaxCount int    `json:"maxCount"`
	KeyName  string `json:"keyName,omitempty"`
}

type trailGroupID struct {
	GroupID   string `json:"groupId,omitempty"`
	GroupName string `json:"groupName,omitempty"`
}

type trailTagSpec struct {
	ResourceType string     `json:"resourceType"`
	Tags         []trailTag `json:"tags"`
}

type trailTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type trailRunRequest struct {
	InstancesSet       trailList[trailRunItem]  `json:"instancesSet"`
	GroupSet           *trailList[trailGroupID] `json:"groupSet,omitempty"`
	UserData           string                   `json:"userData,omitempty"`
	InstanceType       string                   `json:"instanceType"`
	BlockDeviceMapping emptyObject              `json:"blockDeviceMapping"`
	Placement          map[string]string        `json:"placement,omitempty"`
	Monitoring         struct {
		Enabled bool `json:"enabled"`
	} `json:"monitoring"`
	SubnetID                          string                   `json:"subnetId,omitempty"`
	DisableAPITermination             bool                     `json:"disableApiTermination"`
	DisableAPIStop                    bool                     `json:"disableApiStop"`
	InstanceInitiatedShutdownBehavior string                   `json:"instanceInitiatedShutdownBehavior,omitempty"`
	ClientToken                       string                   `json:"clientToken,omitempty"`
	IamInstanceProfile                map[string]string        `json:"iamInstanceProfile,omitempty"`
	EbsOptimized                      *bool                    `json:"ebsOptimized,omitempty"`
	TagSpecificationSet               *trailList[trailTagSpec] `json:"tagSpecificationSet,omitempty"`
}

func runInstancesTrailRequest(req *runRequest, p *api.Params) trailRunRequest {
	t := trailRunRequest{
		InstancesSet:          trailList[trailRunItem]{Items: []trailRunItem{{ImageID: req.img.id, MinCount: req.minCount, MaxCount: req.maxCount, KeyName: req.keyName}}},
		InstanceType:          req.instanceType,
		SubnetID:              req.subnetID,
		DisableAPITermination: req.disableAPITermination,
		DisableAPIStop:        req.disableAPIStop,
		ClientToken:           req.clientToken,
	}
	if maxCount, _, _ := p.Int("MaxCount"); int(maxCount) != req.maxCount {
		t.InstancesSet.Items[0].MaxCount = int(maxCount)
	}
	t.Monitoring.Enabled = req.monitoring
	if req.userData != "" {
		t.UserData = sensitiveDataRemoved
	}
	if len(req.groupIDs)+len(req.groupNames) > 0 {
		var items []trailGroupID
		for _, id := range req.groupIDs {
			items = append(items, trailGroupID{GroupID: id})
		}
		for _, name := range req.groupNames {
			items = append(items, trailGroupID{GroupName: name})
		}
		t.GroupSet = &trailList[trailGroupID]{Items: items}
	}
	if req.zoneName != "" {
		t.Placement = map[string]string{"availabilityZone": req.zoneName}
	}
	if p.Has("InstanceInitiatedShutdownBehavior") {
		t.InstanceInitiatedShutdownBehavior = req.shutdownBehavior
	}
	if req.profileARN != "" {
		t.IamInstanceProfile = map[string]string{"arn": req.profileARN}
	} else if req.profileName != "" {
		t.IamInstanceProfile = map[string]string{"name": req.profileName}
	}
	if p.Has("EbsOptimized") {
		b := req.ebsOptimized
		t.EbsOptimized = &b
	}
	if specs := p.Structs("TagSpecification"); len(specs) > 0 {
		list := &trailList[trailTagSpec]{}
		for _, spec := range specs {
			ts := trailTagSpec{ResourceType: spec.Get("ResourceType"), Tags: []trailTag{}}
			for _, tag := range spec.Structs("Tag") {
				ts.Tags = append(ts.Tags, trailTag{Key: tag.Get("Key"), Value: tag.Get("Value")})
			}
			list.Items = append(list.Items, ts)
		}
		t.TagSpecificationSet = list
	}
	return t
}

type trailState struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

type trailPrivateIP struct {
	PrivateIPAddress string `json:"privateIpAddress"`
	PrivateDNSName   string `json:"privateDnsName"`
	Primary          bool   `json:"primary"`
}

type trailAttachment struct {
	AttachmentID        string `json:"attachmentId"`
	DeviceIndex         int    `json:"deviceIndex"`
	NetworkCardIndex    int    `json:"networkCardIndex"`
	Status              string `json:"status"`
	AttachTime          int64  `json:"attachTime"`
	DeleteOnTermination bool   `json:"deleteOnTermination"`
}

type trailNetworkInterface struct {
	NetworkInterfaceID    string                  `json:"networkInterfaceId"`
	SubnetID              string                  `json:"subnetId"`
	VpcID                 string                  `json:"vpcId"`
	OwnerID               string                  `json:"ownerId"`
	Status                string                  `json:"status"`
	MacAddress            string                  `json:"macAddress"`
	PrivateIPAddress      string                  `json:"privateIpAddress"`
	PrivateDNSName        string                  `json:"privateDnsName"`
	SourceDestCheck       bool                    `json:"sourceDestCheck"`
	InterfaceType         string                  `json:"interfaceType"`
	GroupSet              trailList[trailGroupID] `json:"groupSet"`
	Attachment            trailAttachment         `json:"attachment"`
	PrivateIPAddressesSet struct {
		Item []trailPrivateIP `json:"item"`
	} `json:"privateIpAddressesSet"`
	Ipv6AddressesSet emptyObject `json:"ipv6AddressesSet"`
	TagSet           emptyObject `json:"tagSet"`
}

type trailInstance struct {
	InstanceID                       string                           `json:"instanceId"`
	ImageID                          string                           `json:"imageId"`
	InstanceState                    trailState                       `json:"instanceState"`
	PrivateDNSName                   string                           `json:"privateDnsName"`
	KeyName                          string                           `json:"keyName,omitempty"`
	AmiLaunchIndex                   int                              `json:"amiLaunchIndex"`
	ProductCodes                     emptyObject                      `json:"productCodes"`
	InstanceType                     string                           `json:"instanceType"`
	LaunchTime                       int64                            `json:"launchTime"`
	Placement                        map[string]string                `json:"placement"`
	Monitoring                       map[string]string                `json:"monitoring"`
	SubnetID                         string                           `json:"subnetId"`
	VpcID                            string                           `json:"vpcId"`
	PrivateIPAddress                 string                           `json:"privateIpAddress"`
	StateReason                      trailStateReason                 `json:"stateReason"`
	Architecture                     string                           `json:"architecture"`
	RootDeviceType                   string                           `json:"rootDeviceType"`
	RootDeviceName                   string                           `json:"rootDeviceName"`
	BlockDeviceMapping               emptyObject                      `json:"blockDeviceMapping"`
	VirtualizationType               string                           `json:"virtualizationType"`
	Hypervisor                       string                           `json:"hypervisor"`
	TagSet                           *trailList[trailTag]             `json:"tagSet,omitempty"`
	ClientToken                      string                           `json:"clientToken,omitempty"`
	GroupSet                         trailList[trailGroupID]          `json:"groupSet"`
	SourceDestCheck                  bool                             `json:"sourceDestCheck"`
	NetworkInterfaceSet              trailList[trailNetworkInterface] `json:"networkInterfaceSet"`
	IamInstanceProfile               map[string]string                `json:"iamInstanceProfile,omitempty"`
	EbsOptimized                     bool                             `json:"ebsOptimized"`
	EnaSupport                       bool                             `json:"enaSupport"`
	CPUOptions                       map[string]int                   `json:"cpuOptions"`
	CapacityReservationSpecification map[string]string                `json:"capacityReservationSpecification"`
	EnclaveOptions                   map[string]bool                  `json:"enclaveOptions"`
	MetadataOptions                  map[string]any                   `json:"metadataOptions"`
}

type trailStateReason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type trailRunResponse struct {
	RequestID     string                   `json:"requestId"`
	ReservationID string                   `json:"reservationId"`
	OwnerID       string                   `json:"ownerId"`
	GroupSet      emptyObject              `json:"groupSet"`
	InstancesSet  trailList[trailInstance] `json:"instancesSet"`
}

func epochMillis(t time.Time) int64 { return t.UnixMilli() }

// runInstancesTrailResponse renders the reservation as CloudTrail records
// RunInstances' responseElements (compare the playbook's Athena results).
func runInstancesTrailResponse(r *region, call *api.Call, res *reservation, now time.Time) trailRunResponse {
	out := trailRunResponse{RequestID: call.RequestID, ReservationID: res.id, OwnerID: res.ownerID}
	for _, id := range res.instanceIDs {
		inst, ok := r.instances.get(id)
		if !ok {
			continue
		}
		x := r.instanceXML(inst)
		groups := make([]trailGroupID, 0, len(x.Groups))
		for _, g := range x.Groups {
			groups = append(groups, trailGroupID{GroupID: g.GroupID, GroupName: g.GroupName})
		}
		ti := trailInstance{
			InstanceID: inst.id, ImageID: inst.imageID, InstanceState: trailState{Code: int(inst.state), Name: inst.state.String()},
			PrivateDNSName: x.PrivateDNSName, KeyName: inst.keyName, AmiLaunchIndex: inst.amiLaunchIndex, InstanceType: inst.instanceType,
			LaunchTime: epochMillis(inst.launchTime), Placement: map[string]string{"availabilityZone": inst.zone.name, "tenancy": inst.tenancy},
			Monitoring: map[string]string{"state": x.Monitoring.State}, SubnetID: inst.subnetID, VpcID: inst.vpcID,
			PrivateIPAddress: x.PrivateIPAddress, StateReason: trailStateReason{Code: inst.stateReasonCode, Message: inst.stateReasonMessage},
			Architecture: inst.arch, RootDeviceType: "ebs", RootDeviceName: inst.rootDevice, VirtualizationType: "hvm",
			Hypervisor: inst.hypervisor, ClientToken: inst.clientToken, GroupSet: trailList[trailGroupID]{Items: groups},
			SourceDestCheck: x.SourceDestCheck, EbsOptimized: inst.ebsOptimized, EnaSupport: true,
			CPUOptions:                       map[string]int{"coreCount": inst.cores, "threadsPerCore": inst.threads},
			CapacityReservationSpecification: map[string]string{"capacityReservationPreference": "open"},
			EnclaveOptions:                   map[string]bool{"enabled": false},
			MetadataOptions:                  map[string]any{"state": "pending", "httpTokens": "optional", "httpPutResponseHopLimit": 1, "httpEndpoint": "enabled"},
		}
		if tags := r.sortedTags(inst.id); len(tags) > 0 {
			list := &trailList[trailTag]{}
			for _, t := range tags {
				list.Items = append(list.Items, trailTag{Key: t.Key, Value: t.Value})
			}
			ti.TagSet = list
		}
		if inst.iamProfileARN != "" {
			ti.IamInstanceProfile = map[string]string{"arn": inst.iamProfileARN, "id": inst.iamProfileID}
		}
		for _, ni := range x.NetworkInterfaces {
			tn := trailNetworkInterface{
				NetworkInterfaceID: ni.NetworkInterfaceID, SubnetID: ni.SubnetID, VpcID: ni.VpcID, OwnerID: ni.OwnerID,
				Status: ni.Status, MacAddress: ni.MacAddress, PrivateIPAddress: ni.PrivateIPAddress, PrivateDNSName: ni.PrivateDNSName,
				SourceDestCheck: ni.SourceDestCheck, InterfaceType: ni.InterfaceType, GroupSet: trailList[trailGroupID]{Items: groups},
				Attachment: trailAttachment{
					AttachmentID: ni.Attachment.AttachmentID, DeviceIndex: ni.Attachment.DeviceIndex, Status: ni.Attachment.Status,
					AttachTime: epochMillis(inst.launchTime), DeleteOnTermination: ni.Attachment.DeleteOnTermination,
				},
			}
			tn.PrivateIPAddressesSet.Item = []trailPrivateIP{{PrivateIPAddress: ni.PrivateIPAddress, PrivateDNSName: ni.PrivateDNSName, Primary: true}}
			ti.NetworkInterfaceSet.Items = append(ti.NetworkInterfaceSet.Items, tn)
		}
		out.InstancesSet.Items = append(out.InstancesSet.Items, ti)
	}
	return out
}

type trailInstanceID struct {
	InstanceID string `json:"instanceId"`
}

func instanceItems(list []*instance) trailList[trailInstanceID] {
	out := trailList[trailInstanceID]{Items: make([]trailInstanceID, 0, len(list))}
	for _, inst := range list {
		out.Items = append(out.Items, trailInstanceID{InstanceID: inst.id})
	}
	return out
}

type trailStateChange struct {
	InstanceID    string     `json:"instanceId"`
	CurrentState  trailState `json:"currentState"`
	PreviousState trailState `json:"previousState"`
}

func stateChangeTrail(call *api.Call, res stateChangesResult) map[string]any {
	items := make([]trailStateChange, 0, len(res.Instances))
	for _, c := range res.Instances {
		items = append(items, trailStateChange{
			InstanceID:    c.InstanceID,
			CurrentState:  trailState{Code: c.CurrentState.Code, Name: c.CurrentState.Name},
			PreviousState: trailState{Code: c.PreviousState.Code, Name: c.PreviousState.Name},
		})
	}
	return map[string]any{"requestId": call.RequestID, "instancesSet": trailList[trailStateChange]{Items: items}}
}
