package ec2

import "time"

// The types below are EC2's response shapes. Element names are the
// locationName of each member in the EC2 service model; lists are
// <xxxSet><item>…</item></xxxSet>.

// ec2Time formats a timestamp as EC2 does: ISO 8601 UTC with milliseconds.
func ec2Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

type tagXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type groupIdentifierXML struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

type stateXML struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

type stateReasonXML struct {
	Code    string `xml:"code"`
	Message string `xml:"message"`
}

type regionXML struct {
	RegionName  string `xml:"regionName"`
	Endpoint    string `xml:"regionEndpoint"`
	OptInStatus string `xml:"optInStatus"`
}

type describeRegionsResult struct {
	Regions []regionXML `xml:"regionInfo>item"`
}

type zoneXML struct {
	OptInStatus        string `xml:"optInStatus"`
	ZoneName           string `xml:"zoneName"`
	ZoneID             string `xml:"zoneId"`
	ZoneState          string `xml:"zoneState"`
	RegionName         string `xml:"regionName"`
	GroupName          string `xml:"groupName"`
	NetworkBorderGroup string `xml:"networkBorderGroup"`
	ZoneType           string `xml:"zoneType"`
	Messages           struct {
		Items []string `xml:"item"`
	} `xml:"messageSet"`
}

type describeZonesResult struct {
	Zones []zoneXML `xml:"availabilityZoneInfo>item"`
}

type accountAttributeXML struct {
	Name   string   `xml:"attributeName"`
	Values []string `xml:"attributeValueSet>item>attributeValue"`
}

type describeAccountAttributesResult struct {
	Attributes []accountAttributeXML `xml:"accountAttributeSet>item"`
}

type ebsBlockDeviceXML struct {
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	SnapshotID          string `xml:"snapshotId,omitempty"`
	VolumeSize          int    `xml:"volumeSize,omitempty"`
	VolumeType          string `xml:"volumeType,omitempty"`
	Encrypted           bool   `xml:"encrypted"`
}

type blockDeviceMappingXML struct {
	DeviceName string             `xml:"deviceName"`
	Ebs        *ebsBlockDeviceXML `xml:"ebs,omitempty"`
}

type imageXML struct {
	ImageID            string                  `xml:"imageId"`
	ImageLocation      string                  `xml:"imageLocation"`
	ImageState         string                  `xml:"imageState"`
	ImageOwnerID       string                  `xml:"imageOwnerId"`
	CreationDate       string                  `xml:"creationDate"`
	IsPublic           bool                    `xml:"isPublic"`
	Architecture       string                  `xml:"architecture"`
	ImageType          string                  `xml:"imageType"`
	Platform           string                  `xml:"platform,omitempty"`
	PlatformDetails    string                  `xml:"platformDetails"`
	UsageOperation     string                  `xml:"usageOperation"`
	ImageOwnerAlias    string                  `xml:"imageOwnerAlias,omitempty"`
	Name               string                  `xml:"name"`
	Description        string                  `xml:"description"`
	RootDeviceType     string                  `xml:"rootDeviceType"`
	RootDeviceName     string                  `xml:"rootDeviceName"`
	BlockDeviceMapping []blockDeviceMappingXML `xml:"blockDeviceMapping>item"`
	VirtualizationType string                  `xml:"virtualizationType"`
	Hypervisor         string                  `xml:"hypervisor"`
	EnaSupport         bool                    `xml:"enaSupport"`
	SriovNetSupport    string                  `xml:"sriovNetSupport,omitempty"`
}

type describeImagesResult struct {
	Images    []imageXML `xml:"imagesSet>item"`
	NextToken string     `xml:"nextToken,omitempty"`
}

type cidrBlockStateXML struct {
	State string `xml:"state"`
}

type vpcCidrAssociationXML struct {
	AssociationID  string            `xml:"associationId"`
	CidrBlock      string            `xml:"cidrBlock"`
	CidrBlockState cidrBlockStateXML `xml:"cidrBlockState"`
}

type vpcXML struct {
	VpcID           string                  `xml:"vpcId"`
	OwnerID         string                  `xml:"ownerId"`
	State           string                  `xml:"state"`
	CidrBlock       string                  `xml:"cidrBlock"`
	CidrAssociation []vpcCidrAssociationXML `xml:"cidrBlockAssociationSet>item"`
	DhcpOptionsID   string                  `xml:"dhcpOptionsId"`
	InstanceTenancy string                  `xml:"instanceTenancy"`
	IsDefault       bool                    `xml:"isDefault"`
	Tags            []tagXML                `xml:"tagSet>item,omitempty"`
}

type createVpcResult struct {
	Vpc vpcXML `xml:"vpc"`
}

type describeVpcsResult struct {
	Vpcs      []vpcXML `xml:"vpcSet>item"`
	NextToken string   `xml:"nextToken,omitempty"`
}

type subnetXML struct {
	SubnetID                    string   `xml:"subnetId"`
	SubnetArn                   string   `xml:"subnetArn"`
	State                       string   `xml:"state"`
	OwnerID                     string   `xml:"ownerId"`
	VpcID                       string   `xml:"vpcId"`
	CidrBlock                   string   `xml:"cidrBlock"`
	AvailableIPAddressCount     int      `xml:"availableIpAddressCount"`
	AvailabilityZone            string   `xml:"availabilityZone"`
	AvailabilityZoneID          string   `xml:"availabilityZoneId"`
	DefaultForAz                bool     `xml:"defaultForAz"`
	MapPublicIPOnLaunch         bool     `xml:"mapPublicIpOnLaunch"`
	MapCustomerOwnedIPOnLaunch  bool     `xml:"mapCustomerOwnedIpOnLaunch"`
	AssignIpv6AddressOnCreation bool     `xml:"assignIpv6AddressOnCreation"`
	Tags                        []tagXML `xml:"tagSet>item,omitempty"`
}

type createSubnetResult struct {
	Subnet subnetXML `xml:"subnet"`
}

type describeSubnetsResult struct {
	Subnets   []subnetXML `xml:"subnetSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

type userIDGroupPairXML struct {
	Description string `xml:"description,omitempty"`
	UserID      string `xml:"userId"`
	GroupID     string `xml:"groupId"`
	GroupName   string `xml:"groupName,omitempty"`
}

type ipRangeXML struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type ipv6RangeXML struct {
	CidrIpv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type prefixListIDXML struct {
	PrefixListID string `xml:"prefixListId"`
	Description  string `xml:"description,omitempty"`
}

type ipPermissionXML struct {
	IPProtocol    string               `xml:"ipProtocol"`
	FromPort      *int                 `xml:"fromPort,omitempty"`
	ToPort        *int                 `xml:"toPort,omitempty"`
	Groups        []userIDGroupPairXML `xml:"groups>item"`
	IPRanges      []ipRangeXML         `xml:"ipRanges>item"`
	Ipv6Ranges    []ipv6RangeXML       `xml:"ipv6Ranges>item"`
	PrefixListIDs []prefixListIDXML    `xml:"prefixListIds>item"`
}

type securityGroupXML struct {
	OwnerID             string            `xml:"ownerId"`
	GroupID             string            `xml:"groupId"`
	GroupName           string            `xml:"groupName"`
	GroupDescription    string            `xml:"groupDescription"`
	VpcID               string            `xml:"vpcId"`
	SecurityGroupArn    string            `xml:"securityGroupArn"`
	IPPermissions       []ipPermissionXML `xml:"ipPermissions>item"`
	IPPermissionsEgress []ipPermissionXML `xml:"ipPermissionsEgress>item"`
	Tags                []tagXML          `xml:"tagSet>item,omitempty"`
}

type describeSecurityGroupsResult struct {
	Groups    []securityGroupXML `xml:"securityGroupInfo>item"`
	NextToken string             `xml:"nextToken,omitempty"`
}

type createSecurityGroupResult struct {
	Return           bool     `xml:"return"`
	GroupID          string   `xml:"groupId"`
	SecurityGroupArn string   `xml:"securityGroupArn"`
	Tags             []tagXML `xml:"tagSet>item,omitempty"`
}

type deleteSecurityGroupResult struct {
	Return  bool   `xml:"return"`
	GroupID string `xml:"groupId"`
}

type referencedGroupXML struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId"`
}

type securityGroupRuleXML struct {
	SecurityGroupRuleID  string              `xml:"securityGroupRuleId"`
	GroupID              string              `xml:"groupId"`
	GroupOwnerID         string              `xml:"groupOwnerId"`
	IsEgress             bool                `xml:"isEgress"`
	IPProtocol           string              `xml:"ipProtocol"`
	FromPort             int                 `xml:"fromPort"`
	ToPort               int                 `xml:"toPort"`
	CidrIpv4             string              `xml:"cidrIpv4,omitempty"`
	CidrIpv6             string              `xml:"cidrIpv6,omitempty"`
	PrefixListID         string              `xml:"prefixListId,omitempty"`
	ReferencedGroupInfo  *referencedGroupXML `xml:"referencedGroupInfo,omitempty"`
	Description          string              `xml:"description,omitempty"`
	SecurityGroupRuleArn string              `xml:"securityGroupRuleArn"`
	Tags                 []tagXML            `xml:"tagSet>item,omitempty"`
}

type authorizeResult struct {
	Return bool                   `xml:"return"`
	Rules  []securityGroupRuleXML `xml:"securityGroupRuleSet>item"`
}

type revokedRuleXML struct {
	SecurityGroupRuleID string `xml:"securityGroupRuleId"`
	GroupID             string `xml:"groupId"`
	IsEgress            bool   `xml:"isEgress"`
	IPProtocol          string `xml:"ipProtocol"`
	FromPort            int    `xml:"fromPort"`
	ToPort              int    `xml:"toPort"`
	CidrIpv4            string `xml:"cidrIpv4,omitempty"`
	CidrIpv6            string `xml:"cidrIpv6,omitempty"`
	PrefixListID        string `xml:"prefixListId,omitempty"`
	ReferencedGroupID   string `xml:"referencedGroupId,omitempty"`
	Description         string `xml:"description,omitempty"`
}

type revokeResult struct {
	Return       bool              `xml:"return"`
	UnknownPerms []ipPermissionXML `xml:"unknownIpPermissionSet>item,omitempty"`
	Revoked      []revokedRuleXML  `xml:"revokedSecurityGroupRuleSet>item"`
}

type describeSecurityGroupRulesResult struct {
	Rules     []securityGroupRuleXML `xml:"securityGroupRuleSet>item"`
	NextToken string                 `xml:"nextToken,omitempty"`
}

type eniAssociationXML struct {
	IPOwnerID     string `xml:"ipOwnerId"`
	PublicDNSName string `xml:"publicDnsName"`
	PublicIP      string `xml:"publicIp"`
}

type eniAttachmentXML struct {
	AttachmentID        string `xml:"attachmentId"`
	InstanceID          string `xml:"instanceId,omitempty"`
	InstanceOwnerID     string `xml:"instanceOwnerId,omitempty"`
	DeviceIndex         int    `xml:"deviceIndex"`
	NetworkCardIndex    int    `xml:"networkCardIndex"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type eniPrivateIPXML struct {
	PrivateIPAddress string             `xml:"privateIpAddress"`
	PrivateDNSName   string             `xml:"privateDnsName"`
	Primary          bool               `xml:"primary"`
	Association      *eniAssociationXML `xml:"association,omitempty"`
}

type networkInterfaceXML struct {
	NetworkInterfaceID string               `xml:"networkInterfaceId"`
	SubnetID           string               `xml:"subnetId"`
	VpcID              string               `xml:"vpcId"`
	AvailabilityZone   string               `xml:"availabilityZone"`
	AvailabilityZoneID string               `xml:"availabilityZoneId"`
	Description        string               `xml:"description"`
	OwnerID            string               `xml:"ownerId"`
	RequesterManaged   bool                 `xml:"requesterManaged"`
	Status             string               `xml:"status"`
	MacAddress         string               `xml:"macAddress"`
	PrivateIPAddress   string               `xml:"privateIpAddress"`
	PrivateDNSName     string               `xml:"privateDnsName"`
	SourceDestCheck    bool                 `xml:"sourceDestCheck"`
	Groups             []groupIdentifierXML `xml:"groupSet>item"`
	Attachment         *eniAttachmentXML    `xml:"attachment,omitempty"`
	Association        *eniAssociationXML   `xml:"association,omitempty"`
	Tags               []tagXML             `xml:"tagSet>item"`
	PrivateIPAddresses []eniPrivateIPXML    `xml:"privateIpAddressesSet>item"`
	InterfaceType      string               `xml:"interfaceType"`
}

type describeNetworkInterfacesResult struct {
	NetworkInterfaces []networkInterfaceXML `xml:"networkInterfaceSet>item"`
	NextToken         string                `xml:"nextToken,omitempty"`
}

type instanceEniAttachmentXML struct {
	AttachmentID        string `xml:"attachmentId"`
	DeviceIndex         int    `xml:"deviceIndex"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	NetworkCardIndex    int    `xml:"networkCardIndex"`
}

type instancePrivateIPXML struct {
	PrivateIPAddress string             `xml:"privateIpAddress"`
	PrivateDNSName   string             `xml:"privateDnsName"`
	Primary          bool               `xml:"primary"`
	Association      *eniAssociationXML `xml:"association,omitempty"`
}

type instanceNetworkInterfaceXML struct {
	NetworkInterfaceID string                   `xml:"networkInterfaceId"`
	SubnetID           string                   `xml:"subnetId"`
	VpcID              string                   `xml:"vpcId"`
	Description        string                   `xml:"description"`
	OwnerID            string                   `xml:"ownerId"`
	Status             string                   `xml:"status"`
	MacAddress         string                   `xml:"macAddress"`
	PrivateIPAddress   string                   `xml:"privateIpAddress"`
	PrivateDNSName     string                   `xml:"privateDnsName"`
	SourceDestCheck    bool                     `xml:"sourceDestCheck"`
	Groups             []groupIdentifierXML     `xml:"groupSet>item"`
	Attachment         instanceEniAttachmentXML `xml:"attachment"`
	Association        *eniAssociationXML       `xml:"association,omitempty"`
	PrivateIPAddresses []instancePrivateIPXML   `xml:"privateIpAddressesSet>item"`
	Ipv6Addresses      struct{}                 `xml:"ipv6AddressesSet"`
	InterfaceType      string                   `xml:"interfaceType"`
}

type instanceEbsXML struct {
	VolumeID            string `xml:"volumeId"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type instanceBlockDeviceXML struct {
	DeviceName string         `xml:"deviceName"`
	Ebs        instanceEbsXML `xml:"ebs"`
}

type placementXML struct {
	AvailabilityZone string `xml:"availabilityZone"`
	GroupName        string `xml:"groupName"`
	Tenancy          string `xml:"tenancy"`
}

type iamProfileXML struct {
	Arn string `xml:"arn"`
	ID  string `xml:"id"`
}

type cpuOptionsXML struct {
	CoreCount      int `xml:"coreCount"`
	ThreadsPerCore int `xml:"threadsPerCore"`
}

type metadataOptionsXML struct {
	State                   string `xml:"state"`
	HTTPTokens              string `xml:"httpTokens"`
	HTTPPutResponseHopLimit int    `xml:"httpPutResponseHopLimit"`
	HTTPEndpoint            string `xml:"httpEndpoint"`
	HTTPProtocolIpv6        string `xml:"httpProtocolIpv6"`
	InstanceMetadataTags    string `xml:"instanceMetadataTags"`
}

type instanceXML struct {
	InstanceID     string       `xml:"instanceId"`
	ImageID        string       `xml:"imageId"`
	InstanceState  stateXML     `xml:"instanceState"`
	PrivateDNSName string       `xml:"privateDnsName"`
	DNSName        string       `xml:"dnsName"`
	Reason         string       `xml:"reason"`
	KeyName        string       `xml:"keyName,omitempty"`
	AmiLaunchIndex int          `xml:"amiLaunchIndex"`
	ProductCodes   struct{}     `xml:"productCodes"`
	InstanceType   string       `xml:"instanceType"`
	LaunchTime     string       `xml:"launchTime"`
	Placement      placementXML `xml:"placement"`
	Platform       string       `xml:"platform,omitempty"`
	Monitoring     struct {
		State string `xml:"state"`
	} `xml:"monitoring"`
	SubnetID            string                        `xml:"subnetId,omitempty"`
	VpcID               string                        `xml:"vpcId,omitempty"`
	PrivateIPAddress    string                        `xml:"privateIpAddress,omitempty"`
	IPAddress           string                        `xml:"ipAddress,omitempty"`
	SourceDestCheck     bool                          `xml:"sourceDestCheck"`
	Groups              []groupIdentifierXML          `xml:"groupSet>item"`
	StateReason         *stateReasonXML               `xml:"stateReason,omitempty"`
	Architecture        string                        `xml:"architecture"`
	RootDeviceType      string                        `xml:"rootDeviceType"`
	RootDeviceName      string                        `xml:"rootDeviceName"`
	BlockDeviceMapping  []instanceBlockDeviceXML      `xml:"blockDeviceMapping>item"`
	VirtualizationType  string                        `xml:"virtualizationType"`
	ClientToken         string                        `xml:"clientToken"`
	Tags                []tagXML                      `xml:"tagSet>item,omitempty"`
	Hypervisor          string                        `xml:"hypervisor"`
	NetworkInterfaces   []instanceNetworkInterfaceXML `xml:"networkInterfaceSet>item"`
	IamInstanceProfile  *iamProfileXML                `xml:"iamInstanceProfile,omitempty"`
	EbsOptimized        bool                          `xml:"ebsOptimized"`
	EnaSupport          bool                          `xml:"enaSupport"`
	CPUOptions          cpuOptionsXML                 `xml:"cpuOptions"`
	CapacityReservation struct {
		Preference string `xml:"capacityReservationPreference"`
	} `xml:"capacityReservationSpecification"`
	HibernationOptions struct {
		Configured bool `xml:"configured"`
	} `xml:"hibernationOptions"`
	MetadataOptions metadataOptionsXML `xml:"metadataOptions"`
	EnclaveOptions  struct {
		Enabled bool `xml:"enabled"`
	} `xml:"enclaveOptions"`
	PlatformDetails       string `xml:"platformDetails"`
	UsageOperation        string `xml:"usageOperation"`
	UsageOperationUpdated string `xml:"usageOperationUpdateTime"`
	MaintenanceOptions    struct {
		AutoRecovery string `xml:"autoRecovery"`
	} `xml:"maintenanceOptions"`
	CurrentBootMode string `xml:"currentInstanceBootMode"`
}

type reservationXML struct {
	ReservationID string               `xml:"reservationId"`
	OwnerID       string               `xml:"ownerId"`
	RequesterID   string               `xml:"requesterId,omitempty"`
	Groups        []groupIdentifierXML `xml:"groupSet>item"`
	Instances     []instanceXML        `xml:"instancesSet>item"`
}

type describeInstancesResult struct {
	Reservations []reservationXML `xml:"reservationSet>item"`
	NextToken    string           `xml:"nextToken,omitempty"`
}

type stateChangeXML struct {
	InstanceID    string   `xml:"instanceId"`
	CurrentState  stateXML `xml:"currentState"`
	PreviousState stateXML `xml:"previousState"`
}

type stateChangesResult struct {
	Instances []stateChangeXML `xml:"instancesSet>item"`
}

type statusDetailXML struct {
	Name   string `xml:"name"`
	Status string `xml:"status"`
}

type statusSummaryXML struct {
	Status  string            `xml:"status"`
	Details []statusDetailXML `xml:"details>item"`
}

type instanceStatusXML struct {
	InstanceID         string           `xml:"instanceId"`
	AvailabilityZone   string           `xml:"availabilityZone"`
	AvailabilityZoneID string           `xml:"availabilityZoneId"`
	InstanceState      stateXML         `xml:"instanceState"`
	SystemStatus       statusSummaryXML `xml:"systemStatus"`
	InstanceStatus     statusSummaryXML `xml:"instanceStatus"`
	AttachedEbsStatus  statusSummaryXML `xml:"attachedEbsStatus"`
}

type describeInstanceStatusResult struct {
	Statuses  []instanceStatusXML `xml:"instanceStatusSet>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

type attributeValueXML struct {
	// An unset attribute is an empty element (<userData/>), not an empty
	// value: Terraform's AWS provider tells "no user data" from "" by it
	// and would otherwise plan a change on every run.
	Value string `xml:"value,omitempty"`
}

type attributeBoolXML struct {
	Value bool `xml:"value"`
}

type instanceAttributeResult struct {
	InstanceID                        string                   `xml:"instanceId"`
	UserData                          *attributeValueXML       `xml:"userData,omitempty"`
	InstanceType                      *attributeValueXML       `xml:"instanceType,omitempty"`
	DisableAPITermination             *attributeBoolXML        `xml:"disableApiTermination,omitempty"`
	DisableAPIStop                    *attributeBoolXML        `xml:"disableApiStop,omitempty"`
	InstanceInitiatedShutdownBehavior *attributeValueXML       `xml:"instanceInitiatedShutdownBehavior,omitempty"`
	RootDeviceName                    *attributeValueXML       `xml:"rootDeviceName,omitempty"`
	SourceDestCheck                   *attributeBoolXML        `xml:"sourceDestCheck,omitempty"`
	EbsOptimized                      *attributeBoolXML        `xml:"ebsOptimized,omitempty"`
	EnaSupport                        *attributeBoolXML        `xml:"enaSupport,omitempty"`
	Kernel                            *attributeValueXML       `xml:"kernel,omitempty"`
	Ramdisk                           *attributeValueXML       `xml:"ramdisk,omitempty"`
	SriovNetSupport                   *attributeValueXML       `xml:"sriovNetSupport,omitempty"`
	Groups                            []groupIdentifierXML     `xml:"groupSet>item,omitempty"`
	BlockDeviceMapping                []instanceBlockDeviceXML `xml:"blockDeviceMapping>item,omitempty"`
}

type tagDescriptionXML struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

type describeTagsResult struct {
	Tags      []tagDescriptionXML `xml:"tagSet>item"`
	NextToken string              `xml:"nextToken,omitempty"`
}

type volumeAttachmentXML struct {
	VolumeID            string `xml:"volumeId"`
	InstanceID          string `xml:"instanceId"`
	Device              string `xml:"device"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type volumeXML struct {
	VolumeID           string                `xml:"volumeId"`
	Size               int                   `xml:"size"`
	SnapshotID         string                `xml:"snapshotId"`
	AvailabilityZone   string                `xml:"availabilityZone"`
	AvailabilityZoneID string                `xml:"availabilityZoneId"`
	Status             string                `xml:"status"`
	CreateTime         string                `xml:"createTime"`
	Attachments        []volumeAttachmentXML `xml:"attachmentSet>item"`
	Tags               []tagXML              `xml:"tagSet>item,omitempty"`
	VolumeType         string                `xml:"volumeType"`
	Iops               int                   `xml:"iops"`
	Encrypted          bool                  `xml:"encrypted"`
	MultiAttachEnabled bool                  `xml:"multiAttachEnabled"`
}

type describeVolumesResult struct {
	Volumes   []volumeXML `xml:"volumeSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

type snapshotXML struct {
	SnapshotID  string   `xml:"snapshotId"`
	VolumeID    string   `xml:"volumeId"`
	Status      string   `xml:"status"`
	StartTime   string   `xml:"startTime"`
	Progress    string   `xml:"progress"`
	OwnerID     string   `xml:"ownerId"`
	VolumeSize  int      `xml:"volumeSize"`
	Description string   `xml:"description"`
	Encrypted   bool     `xml:"encrypted"`
	StorageTier string   `xml:"storageTier,omitempty"`
	Tags        []tagXML `xml:"tagSet>item,omitempty"`
}

type describeSnapshotsResult struct {
	Snapshots []snapshotXML `xml:"snapshotSet>item"`
	NextToken string        `xml:"nextToken,omitempty"`
}

type unsuccessfulItemXML struct {
	ResourceID string `xml:"resourceId"`
	Error      struct {
		Code    string `xml:"code"`
		Message string `xml:"message"`
	} `xml:"error"`
}

type createFlowLogsResult struct {
	ClientToken  string                `xml:"clientToken,omitempty"`
	FlowLogIDs   []string              `xml:"flowLogIdSet>item"`
	Unsuccessful []unsuccessfulItemXML `xml:"unsuccessful>item"`
}

type flowLogXML struct {
	FlowLogID                string   `xml:"flowLogId"`
	CreationTime             string   `xml:"creationTime"`
	DeliverLogsPermissionArn string   `xml:"deliverLogsPermissionArn,omitempty"`
	DeliverLogsStatus        string   `xml:"deliverLogsStatus"`
	FlowLogStatus            string   `xml:"flowLogStatus"`
	LogGroupName             string   `xml:"logGroupName,omitempty"`
	ResourceID               string   `xml:"resourceId"`
	TrafficType              string   `xml:"trafficType"`
	LogDestinationType       string   `xml:"logDestinationType"`
	LogDestination           string   `xml:"logDestination"`
	LogFormat                string   `xml:"logFormat"`
	MaxAggregationInterval   int      `xml:"maxAggregationInterval"`
	Tags                     []tagXML `xml:"tagSet>item,omitempty"`
}

type describeFlowLogsResult struct {
	FlowLogs  []flowLogXML `xml:"flowLogSet>item"`
	NextToken string       `xml:"nextToken,omitempty"`
}

type deleteFlowLogsResult struct {
	Unsuccessful []unsuccessfulItemXML `xml:"unsuccessful>item"`
}

type createSnapshotResult = snapshotXML
