package ec2_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestCatalogue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	regions, err := e.client.DescribeRegions(ctx, &sdk.DescribeRegionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.client.DescribeRegions(ctx, &sdk.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(regions.Regions) < 17 || len(all.Regions) <= len(regions.Regions) {
		t.Errorf("regions: %d enabled, %d in all", len(regions.Regions), len(all.Regions))
	}
	for _, r := range regions.Regions {
		if *r.Endpoint != "ec2."+*r.RegionName+".amazonaws.com" || *r.OptInStatus != "opt-in-not-required" {
			t.Errorf("region %s: %s %s", *r.RegionName, *r.Endpoint, *r.OptInStatus)
		}
	}
	zones, err := e.client.DescribeAvailabilityZones(ctx, &sdk.DescribeAvailabilityZonesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, z := range zones.AvailabilityZones {
		names = append(names, *z.ZoneName+"="+*z.ZoneId)
	}
	if got := strings.Join(names, ","); got != "us-east-1a=use1-az1,us-east-1b=use1-az2,us-east-1c=use1-az3,us-east-1d=use1-az4,us-east-1e=use1-az5,us-east-1f=use1-az6" {
		t.Errorf("zones = %s", got)
	}
	_, err = e.client.DescribeAvailabilityZones(ctx, &sdk.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-east-1z"}})
	wantCode(t, err, "InvalidParameterValue")

	attrs, err := e.client.DescribeAccountAttributes(ctx, &sdk.DescribeAccountAttributesInput{AttributeNames: []types.AccountAttributeName{types.AccountAttributeNameDefaultVpc}})
	if err != nil {
		t.Fatal(err)
	}
	vpcs, _ := e.client.DescribeVpcs(ctx, &sdk.DescribeVpcsInput{Filters: []types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}}})
	if *attrs.AccountAttributes[0].AttributeValues[0].AttributeValue != *vpcs.Vpcs[0].VpcId {
		t.Errorf("default-vpc attribute does not name the default VPC")
	}

	img, err := e.client.DescribeImages(ctx, &sdk.DescribeImagesInput{ImageIds: []string{"ami-0c2b8ca1dad447f8a"}})
	if err != nil {
		t.Fatal(err)
	}
	i := img.Images[0]
	if *i.CreationDate != "2021-07-27T06:11:27.000Z" || *i.OwnerId != "137112412989" || *i.ImageOwnerAlias != "amazon" ||
		*i.ImageLocation != "amazon/amzn2-ami-hvm-2.0.20210721.2-x86_64-gp2" || *i.Description != "Amazon Linux 2 AMI 2.0.20210721.2 x86_64 HVM gp2" ||
		*i.SriovNetSupport != "simple" || !*i.EnaSupport || i.Hypervisor != types.HypervisorTypeXen || !*i.Public ||
		*i.BlockDeviceMappings[0].Ebs.SnapshotId != "snap-1234567890abcdef0" || *i.BlockDeviceMappings[0].Ebs.VolumeSize != 8 || *i.PlatformDetails != "Linux/UNIX" {
		t.Errorf("image = %+v", i)
	}
	imageErrs := []struct {
		in   *sdk.DescribeImagesInput
		code string
	}{
		{&sdk.DescribeImagesInput{ImageIds: []string{"ami-0123456789abcdef0"}}, "InvalidAMIID.NotFound"},
		{&sdk.DescribeImagesInput{ImageIds: []string{"image-1"}}, "InvalidAMIID.Malformed"},
		{&sdk.DescribeImagesInput{Filters: []types.Filter{{Name: aws.String("flavour"), Values: []string{"x"}}}}, "InvalidParameterValue"},
	}
	for _, tc := range imageErrs {
		_, err := e.client.DescribeImages(ctx, tc.in)
		wantCode(t, err, tc.code)
	}
	self, err := e.client.DescribeImages(ctx, &sdk.DescribeImagesInput{Owners: []string{"self"}})
	if err != nil || len(self.Images) != 0 {
		t.Errorf("self-owned images: %v %v", self, err)
	}
	ubuntu, err := e.client.DescribeImages(ctx, &sdk.DescribeImagesInput{Owners: []string{"099720109477"}})
	if err != nil || len(ubuntu.Images) != 1 {
		t.Errorf("images by owner id: %v", err)
	}
}

func TestVpcsAndSubnets(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	subnets, err := e.client.DescribeSubnets(ctx, &sdk.DescribeSubnetsInput{Filters: []types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(subnets.Subnets) != 6 || *subnets.Subnets[0].CidrBlock != "172.31.0.0/20" || !*subnets.Subnets[0].MapPublicIpOnLaunch || *subnets.Subnets[0].AvailableIpAddressCount != 4091 {
		t.Errorf("default subnets = %+v", subnets.Subnets[0])
	}
	vpc, err := e.client.CreateVpc(ctx, &sdk.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("forensics")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := vpc.Vpc.VpcId
	sn, err := e.client.CreateSubnet(ctx, &sdk.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.0.1.0/24"), AvailabilityZone: aws.String("us-east-1b")})
	if err != nil {
		t.Fatal(err)
	}
	if *sn.Subnet.AvailableIpAddressCount != 251 || *sn.Subnet.MapPublicIpOnLaunch || *sn.Subnet.DefaultForAz {
		t.Errorf("new subnet = %+v", sn.Subnet)
	}
	errs := []struct {
		name string
		call func() error
		code string
	}{
		{"vpc too big", func() error {
			_, err := e.client.CreateVpc(ctx, &sdk.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/8")})
			return err
		}, "InvalidVpc.Range"},
		{"vpc bad cidr", func() error {
			_, err := e.client.CreateVpc(ctx, &sdk.CreateVpcInput{CidrBlock: aws.String("10.0.0.300/16")})
			return err
		}, "InvalidParameterValue"},
		{"subnet outside vpc", func() error {
			_, err := e.client.CreateSubnet(ctx, &sdk.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.1.0.0/24")})
			return err
		}, "InvalidSubnet.Range"},
		{"subnet overlaps", func() error {
			_, err := e.client.CreateSubnet(ctx, &sdk.CreateSubnetInput{VpcId: vpcID, CidrBlock: aws.String("10.0.1.128/25")})
			return err
		}, "InvalidSubnet.Conflict"},
		{"subnet unknown vpc", func() error {
			_, err := e.client.CreateSubnet(ctx, &sdk.CreateSubnetInput{VpcId: aws.String("vpc-0123456789abcdef0"), CidrBlock: aws.String("10.0.2.0/24")})
			return err
		}, "InvalidVpcID.NotFound"},
		{"delete vpc with subnet", func() error {
			_, err := e.client.DeleteVpc(ctx, &sdk.DeleteVpcInput{VpcId: vpcID})
			return err
		}, "DependencyViolation"},
		{"describe unknown subnet", func() error {
			_, err := e.client.DescribeSubnets(ctx, &sdk.DescribeSubnetsInput{SubnetIds: []string{"subnet-0123456789abcdef0"}})
			return err
		}, "InvalidSubnetID.NotFound"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.code) })
	}
	// An instance in the subnet blocks its deletion until it is terminated.
	out := e.run(&sdk.RunInstancesInput{SubnetId: sn.Subnet.SubnetId})
	if out.Instances[0].PublicIpAddress != nil || !strings.HasPrefix(*out.Instances[0].PrivateIpAddress, "10.0.1.") {
		t.Errorf("instance in private subnet: %v / %v", aws.ToString(out.Instances[0].PublicIpAddress), *out.Instances[0].PrivateIpAddress)
	}
	_, err = e.client.DeleteSubnet(ctx, &sdk.DeleteSubnetInput{SubnetId: sn.Subnet.SubnetId})
	wantCode(t, err, "DependencyViolation")
	if _, err := e.client.TerminateInstances(ctx, &sdk.TerminateInstancesInput{InstanceIds: []string{*out.Instances[0].InstanceId}}); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if _, err := e.client.DeleteSubnet(ctx, &sdk.DeleteSubnetInput{SubnetId: sn.Subnet.SubnetId}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteVpc(ctx, &sdk.DeleteVpcInput{VpcId: vpcID}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DescribeVpcs(ctx, &sdk.DescribeVpcsInput{VpcIds: []string{*vpcID}})
	wantCode(t, err, "InvalidVpcID.NotFound")
}

func TestSecurityGroupsAndIsolation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	inst := e.run(&sdk.RunInstancesInput{}).Instances[0]
	e.settle()
	defaults, err := e.client.DescribeSecurityGroups(ctx, &sdk.DescribeSecurityGroupsInput{GroupNames: []string{"default"}})
	if err != nil {
		t.Fatal(err)
	}
	def := defaults.SecurityGroups[0]
	if len(def.IpPermissions) != 1 || *def.IpPermissions[0].IpProtocol != "-1" || *def.IpPermissions[0].UserIdGroupPairs[0].GroupId != *def.GroupId ||
		*def.IpPermissionsEgress[0].IpRanges[0].CidrIp != "0.0.0.0/0" {
		t.Errorf("default group rules = %+v", def)
	}

	sg, err := e.client.CreateSecurityGroup(ctx, &sdk.CreateSecurityGroupInput{GroupName: aws.String("isolation"), Description: aws.String("IR isolation")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.client.CreateSecurityGroup(ctx, &sdk.CreateSecurityGroupInput{GroupName: aws.String("isolation"), Description: aws.String("again")})
	wantCode(t, err, "InvalidGroup.Duplicate")

	ssh := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("198.51.100.0/24")}}}
	auth, err := e.client.AuthorizeSecurityGroupIngress(ctx, &sdk.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{ssh}})
	if err != nil {
		t.Fatal(err)
	}
	if len(auth.SecurityGroupRules) != 1 || *auth.SecurityGroupRules[0].CidrIpv4 != "198.51.100.0/24" || *auth.SecurityGroupRules[0].FromPort != 22 {
		t.Errorf("SecurityGroupRules = %+v", auth.SecurityGroupRules)
	}
	_, err = e.client.AuthorizeSecurityGroupIngress(ctx, &sdk.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{ssh}})
	wantCode(t, err, "InvalidPermission.Duplicate")
	bad := []types.IpPermission{
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(90), ToPort: aws.Int32(80), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}},
		{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0/8")}}},
		{IpProtocol: aws.String("gre-ish"), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}},
	}
	for _, p := range bad {
		_, err = e.client.AuthorizeSecurityGroupIngress(ctx, &sdk.AuthorizeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{p}})
		wantCode(t, err, "InvalidParameterValue")
	}
	// Isolation: revoke the default egress rule, then swap the instance's
	// groups on its network interface.
	if _, err := e.client.RevokeSecurityGroupEgress(ctx, &sdk.RevokeSecurityGroupEgressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.RevokeSecurityGroupEgress(ctx, &sdk.RevokeSecurityGroupEgressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	wantCode(t, err, "InvalidPermission.NotFound")
	if _, err := e.client.RevokeSecurityGroupIngress(ctx, &sdk.RevokeSecurityGroupIngressInput{GroupId: sg.GroupId, IpPermissions: []types.IpPermission{ssh}}); err != nil {
		t.Fatal(err)
	}
	enis, err := e.client.DescribeNetworkInterfaces(ctx, &sdk.DescribeNetworkInterfacesInput{Filters: []types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{*inst.InstanceId}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(enis.NetworkInterfaces) != 1 || enis.NetworkInterfaces[0].Attachment.Status != types.AttachmentStatusAttached {
		t.Fatalf("ENIs of the instance: %d", len(enis.NetworkInterfaces))
	}
	eniID := enis.NetworkInterfaces[0].NetworkInterfaceId
	if _, err := e.client.ModifyNetworkInterfaceAttribute(ctx, &sdk.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: eniID, Groups: []string{*sg.GroupId}}); err != nil {
		t.Fatal(err)
	}
	after := e.instance(*inst.InstanceId)
	if len(after.SecurityGroups) != 1 || *after.SecurityGroups[0].GroupId != *sg.GroupId || *after.NetworkInterfaces[0].Groups[0].GroupName != "isolation" {
		t.Errorf("instance groups after isolation = %+v", after.SecurityGroups)
	}
	isolated, err := e.client.DescribeSecurityGroups(ctx, &sdk.DescribeSecurityGroupsInput{GroupIds: []string{*sg.GroupId}})
	if err != nil {
		t.Fatal(err)
	}
	if g := isolated.SecurityGroups[0]; len(g.IpPermissions) != 0 || len(g.IpPermissionsEgress) != 0 {
		t.Errorf("isolation group still has rules: %+v", g)
	}
	byGroup, err := e.client.DescribeNetworkInterfaces(ctx, &sdk.DescribeNetworkInterfacesInput{Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{*sg.GroupId}}}})
	if err != nil || len(byGroup.NetworkInterfaces) != 1 {
		t.Errorf("ENIs by group: %v", err)
	}
	_, err = e.client.DeleteSecurityGroup(ctx, &sdk.DeleteSecurityGroupInput{GroupId: sg.GroupId})
	wantCode(t, err, "DependencyViolation")
	_, err = e.client.DeleteSecurityGroup(ctx, &sdk.DeleteSecurityGroupInput{GroupId: def.GroupId})
	wantCode(t, err, "CannotDelete")
	_, err = e.client.ModifyNetworkInterfaceAttribute(ctx, &sdk.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: eniID, Groups: []string{"sg-0123456789abcdef0"}})
	wantCode(t, err, "InvalidGroup.NotFound")
	_, err = e.client.ModifyNetworkInterfaceAttribute(ctx, &sdk.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: aws.String("eni-0123456789abcdef0"), Groups: []string{*sg.GroupId}})
	wantCode(t, err, "InvalidNetworkInterfaceID.NotFound")
	_, err = e.client.DescribeSecurityGroups(ctx, &sdk.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0123456789abcdef0"}})
	wantCode(t, err, "InvalidGroup.NotFound")

	var modified bool
	for _, ev := range e.sb.Handler().CloudTrail().Events("us-east-1") {
		if ev.EventName == "ModifyNetworkInterfaceAttribute" {
			rp := string(ev.RequestParameters)
			modified = modified || strings.Contains(rp, `"groupSet":{"items":[{"groupId":"`+*sg.GroupId+`"}]}`) && strings.Contains(rp, `"networkInterfaceId":"`+*eniID+`"`)
		}
	}
	if !modified {
		t.Error("ModifyNetworkInterfaceAttribute not recorded in CloudTrail's shape")
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	inst := e.run(&sdk.RunInstancesInput{}).Instances[0]
	id := *inst.InstanceId
	if _, err := e.client.CreateTags(ctx, &sdk.CreateTagsInput{Resources: []string{id, *inst.NetworkInterfaces[0].NetworkInterfaceId}, Tags: []types.Tag{
		{Key: aws.String("Case"), Value: aws.String("IR-7")}, {Key: aws.String("Status"), Value: aws.String("contained")},
	}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.client.DescribeTags(ctx, &sdk.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("resource-type"), Values: []string{"instance"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 2 || *tags.Tags[0].Key != "Case" || tags.Tags[0].ResourceType != types.ResourceTypeInstance {
		t.Errorf("instance tags = %+v", tags.Tags)
	}
	// A value that does not match leaves the tag; no value removes it.
	if _, err := e.client.DeleteTags(ctx, &sdk.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String("Case"), Value: aws.String("IR-8")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteTags(ctx, &sdk.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String("Status")}}}); err != nil {
		t.Fatal(err)
	}
	tags, err = e.client.DescribeTags(ctx, &sdk.DescribeTagsInput{Filters: []types.Filter{{Name: aws.String("resource-id"), Values: []string{id}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags) != 1 || *tags.Tags[0].Value != "IR-7" {
		t.Errorf("after deletes = %+v", tags.Tags)
	}
	all, err := e.client.DescribeTags(ctx, &sdk.DescribeTagsInput{MaxResults: aws.Int32(5)})
	if err != nil || len(all.Tags) != 3 || all.NextToken != nil {
		t.Errorf("all tags: %v %v", all, err)
	}
	_, err = e.client.CreateTags(ctx, &sdk.CreateTagsInput{Resources: []string{"i-0123456789abcdef0"}, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, err, "InvalidInstanceID.NotFound")
	_, err = e.client.CreateTags(ctx, &sdk.CreateTagsInput{Resources: []string{"nonsense"}, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, err, "InvalidID")
	_, err = e.client.CreateTags(ctx, &sdk.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String("aws:cloudformation:stack"), Value: aws.String("b")}}})
	wantCode(t, err, "InvalidParameterValue")
}

func TestVolumesAndSnapshots(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	inst := e.run(&sdk.RunInstancesInput{}).Instances[0]
	vols, err := e.client.DescribeVolumes(ctx, &sdk.DescribeVolumesInput{Filters: []types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{*inst.InstanceId}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vols.Volumes) != 1 || vols.Volumes[0].State != types.VolumeStateInUse {
		t.Fatalf("volumes = %+v", vols.Volumes)
	}
	volID := vols.Volumes[0].VolumeId
	snap, err := e.client.CreateSnapshot(ctx, &sdk.CreateSnapshotInput{VolumeId: volID, Description: aws.String("IR-7 evidence"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSnapshot, Tags: []types.Tag{{Key: aws.String("Case"), Value: aws.String("IR-7")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if snap.State != types.SnapshotStatePending || *snap.VolumeSize != 8 || *snap.OwnerId != "999999999999" {
		t.Errorf("CreateSnapshot = %+v", snap)
	}
	e.settle()
	snaps, err := e.client.DescribeSnapshots(ctx, &sdk.DescribeSnapshotsInput{OwnerIds: []string{"self"}, Filters: []types.Filter{{Name: aws.String("tag:Case"), Values: []string{"IR-7"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps.Snapshots) != 1 || snaps.Snapshots[0].State != types.SnapshotStateCompleted || *snaps.Snapshots[0].Progress != "100%" {
		t.Errorf("DescribeSnapshots = %+v", snaps.Snapshots)
	}
	_, err = e.client.CreateSnapshot(ctx, &sdk.CreateSnapshotInput{VolumeId: aws.String("vol-0123456789abcdef0")})
	wantCode(t, err, "InvalidVolume.NotFound")
	if _, err := e.client.DeleteSnapshot(ctx, &sdk.DeleteSnapshotInput{SnapshotId: snap.SnapshotId}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteSnapshot(ctx, &sdk.DeleteSnapshotInput{SnapshotId: snap.SnapshotId})
	wantCode(t, err, "InvalidSnapshot.NotFound")
	_, err = e.client.DescribeVolumes(ctx, &sdk.DescribeVolumesInput{VolumeIds: []string{"vol-0123456789abcdef0"}})
	wantCode(t, err, "InvalidVolume.NotFound")
}

func TestFlowLogs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	vpcs, err := e.client.DescribeVpcs(ctx, &sdk.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	vpcID := *vpcs.Vpcs[0].VpcId
	format := "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}"
	out, err := e.client.CreateFlowLogs(ctx, &sdk.CreateFlowLogsInput{
		ResourceIds: []string{vpcID, "vpc-0123456789abcdef0"}, ResourceType: types.FlowLogsResourceTypeVpc, TrafficType: types.TrafficTypeAll,
		LogDestinationType: types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::ir-flow-logs"),
		LogFormat: aws.String(format), MaxAggregationInterval: aws.Int32(60),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.FlowLogIds) != 1 || len(out.Unsuccessful) != 1 || *out.Unsuccessful[0].ResourceId != "vpc-0123456789abcdef0" {
		t.Fatalf("CreateFlowLogs = %+v", out)
	}
	dup, err := e.client.CreateFlowLogs(ctx, &sdk.CreateFlowLogsInput{
		ResourceIds: []string{vpcID}, ResourceType: types.FlowLogsResourceTypeVpc, TrafficType: types.TrafficTypeAll,
		LogDestinationType: types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::ir-flow-logs"),
	})
	if err != nil || len(dup.Unsuccessful) != 1 || *dup.Unsuccessful[0].Error.Code != "FlowLogAlreadyExists" {
		t.Errorf("duplicate flow log: %+v %v", dup, err)
	}
	cw, err := e.client.CreateFlowLogs(ctx, &sdk.CreateFlowLogsInput{
		ResourceIds: []string{vpcID}, ResourceType: types.FlowLogsResourceTypeVpc, TrafficType: types.TrafficTypeReject,
		LogGroupName: aws.String("/ir/flow"), DeliverLogsPermissionArn: aws.String("arn:aws:iam::999999999999:role/flow-logs"),
	})
	if err != nil || len(cw.FlowLogIds) != 1 {
		t.Fatalf("cloud-watch-logs flow log: %v", err)
	}
	described, err := e.client.DescribeFlowLogs(ctx, &sdk.DescribeFlowLogsInput{Filter: []types.Filter{{Name: aws.String("resource-id"), Values: []string{vpcID}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(described.FlowLogs) != 2 || *described.FlowLogs[0].LogFormat != format || *described.FlowLogs[0].MaxAggregationInterval != 60 ||
		*described.FlowLogs[1].LogFormat != "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}" ||
		*described.FlowLogs[1].LogDestination != "arn:aws:logs:us-east-1:999999999999:log-group:/ir/flow" {
		t.Errorf("DescribeFlowLogs = %+v", described.FlowLogs)
	}
	snaps := e.sb.Handler().EC2().FlowLogs("us-east-1")
	if len(snaps) != 2 || len(snaps[0].Fields) != 29 || snaps[0].Fields[28] != "traffic-path" {
		t.Errorf("FlowLogs accessor = %+v", snaps)
	}
	bad := []*sdk.CreateFlowLogsInput{
		{ResourceIds: []string{vpcID}, ResourceType: types.FlowLogsResourceTypeVpc, TrafficType: types.TrafficTypeAll, LogDestinationType: types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::b"), LogFormat: aws.String("${srcaddr} ${colour}")},
		{ResourceIds: []string{vpcID}, ResourceType: types.FlowLogsResourceTypeVpc, TrafficType: types.TrafficTypeAll, LogDestinationType: types.LogDestinationTypeS3, LogDestination: aws.String("arn:aws:s3:::b"), MaxAggregationInterval: aws.Int32(30)},
		{ResourceIds: []string{vpcID}, ResourceType: types.FlowLogsResourceTypeVpc, TrafficType: types.TrafficTypeAll, LogGroupName: aws.String("g")},
	}
	for i, in := range bad {
		if _, err := e.client.CreateFlowLogs(ctx, in); err == nil || !strings.HasPrefix(errorCode(err), "InvalidParameter") {
			t.Errorf("bad flow log %d: %v", i, err)
		}
	}
	del, err := e.client.DeleteFlowLogs(ctx, &sdk.DeleteFlowLogsInput{FlowLogIds: []string{out.FlowLogIds[0], "fl-0123456789abcdef0"}})
	if err != nil || len(del.Unsuccessful) != 1 {
		t.Errorf("DeleteFlowLogs = %+v %v", del, err)
	}
	left, _ := e.client.DescribeFlowLogs(ctx, &sdk.DescribeFlowLogsInput{})
	if len(left.FlowLogs) != 1 {
		t.Errorf("%d flow logs left, want 1", len(left.FlowLogs))
	}
}
