package ec2_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// TestWorkshopSimulation replays simulate_crypto_mining_activity.sh: find
// the newest Amazon Linux 2 image by name pattern, enumerate VPCs and
// subnets, and launch one t2.nano per subnet with the playbook's user data.
func TestWorkshopSimulation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	images, err := e.client.DescribeImages(ctx, &sdk.DescribeImagesInput{
		Owners: []string{"amazon"},
		Filters: []types.Filter{
			{Name: aws.String("name"), Values: []string{"amzn2-ami-hvm-2.0.????????.?-x86_64-gp2"}},
			{Name: aws.String("state"), Values: []string{"available"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(images.Images) < 4 {
		t.Fatalf("want the 2021 amzn2 builds, got %d images", len(images.Images))
	}
	sort.Slice(images.Images, func(i, j int) bool { return *images.Images[i].CreationDate > *images.Images[j].CreationDate })
	for _, img := range images.Images {
		if !strings.HasPrefix(*img.Name, "amzn2-ami-hvm-2.0.") || !strings.HasSuffix(*img.Name, "-x86_64-gp2") {
			t.Errorf("filter let through %s", *img.Name)
		}
	}
	newest := images.Images[0]
	if *newest.ImageId != "ami-0c2b8ca1dad447f8a" {
		t.Fatalf("newest image = %s, want ami-0c2b8ca1dad447f8a", *newest.ImageId)
	}

	vpcs, err := e.client.DescribeVpcs(ctx, &sdk.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	userData := playbookUserData(t)
	var launched []string
	for _, v := range vpcs.Vpcs {
		subnets, err := e.client.DescribeSubnets(ctx, &sdk.DescribeSubnetsInput{Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{*v.VpcId}}}})
		if err != nil {
			t.Fatal(err)
		}
		for _, sn := range subnets.Subnets {
			out := e.run(&sdk.RunInstancesInput{ImageId: newest.ImageId, InstanceType: types.InstanceTypeT2Nano, SubnetId: sn.SubnetId, UserData: aws.String(userData)})
			inst := out.Instances[0]
			if inst.State.Name != types.InstanceStateNamePending || *inst.State.Code != 0 {
				t.Errorf("launch state = %v", inst.State)
			}
			if *inst.SubnetId != *sn.SubnetId || *inst.Placement.AvailabilityZone != *sn.AvailabilityZone {
				t.Errorf("instance placed in %s/%s, want %s/%s", *inst.SubnetId, *inst.Placement.AvailabilityZone, *sn.SubnetId, *sn.AvailabilityZone)
			}
			launched = append(launched, *inst.InstanceId)
		}
	}
	if len(launched) != 6 {
		t.Fatalf("us-east-1 default VPC has six subnets; launched %d", len(launched))
	}

	e.settle()
	for _, id := range launched {
		inst := e.instance(id)
		if inst.State.Name != types.InstanceStateNameRunning {
			t.Errorf("%s is %s after settling", id, inst.State.Name)
		}
		if inst.PublicIpAddress == nil || !strings.HasPrefix(*inst.PrivateIpAddress, "172.31.") {
			t.Errorf("%s addresses: private %v public %v", id, aws.ToString(inst.PrivateIpAddress), aws.ToString(inst.PublicIpAddress))
		}
		attr, err := e.client.DescribeInstanceAttribute(ctx, &sdk.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: types.InstanceAttributeNameUserData})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(attr.UserData.Value) != userData {
			t.Errorf("%s user data does not round-trip", id)
		}
	}

	// CloudTrail recorded RunInstances in EC2's shapes.
	var runs int
	for _, ev := range e.sb.Handler().CloudTrail().Events("us-east-1") {
		if ev.EventName != "RunInstances" {
			continue
		}
		runs++
		var req struct {
			InstancesSet struct {
				Items []struct {
					ImageID  string `json:"imageId"`
					MinCount int    `json:"minCount"`
					MaxCount int    `json:"maxCount"`
				} `json:"items"`
			} `json:"instancesSet"`
			UserData       string `json:"userData"`
			InstanceType   string `json:"instanceType"`
			SubnetID       string `json:"subnetId"`
			ClientToken    string `json:"clientToken"`
			DisableAPIStop *bool  `json:"disableApiStop"`
		}
		if err := json.Unmarshal(ev.RequestParameters, &req); err != nil {
			t.Fatalf("requestParameters: %v", err)
		}
		if req.UserData != "<sensitiveDataRemoved>" || req.InstanceType != "t2.nano" || req.InstancesSet.Items[0].ImageID != "ami-0c2b8ca1dad447f8a" || req.InstancesSet.Items[0].MinCount != 1 || req.DisableAPIStop == nil || req.SubnetID == "" {
			t.Errorf("requestParameters = %s", ev.RequestParameters)
		}
		var resp struct {
			ReservationID string `json:"reservationId"`
			OwnerID       string `json:"ownerId"`
			InstancesSet  struct {
				Items []struct {
					InstanceID    string `json:"instanceId"`
					InstanceState struct {
						Code int    `json:"code"`
						Name string `json:"name"`
					} `json:"instanceState"`
					LaunchTime          int64 `json:"launchTime"`
					NetworkInterfaceSet struct {
						Items []struct {
							NetworkInterfaceID string `json:"networkInterfaceId"`
						} `json:"items"`
					} `json:"networkInterfaceSet"`
				} `json:"items"`
			} `json:"instancesSet"`
		}
		if err := json.Unmarshal(ev.ResponseElements, &resp); err != nil {
			t.Fatalf("responseElements: %v", err)
		}
		item := resp.InstancesSet.Items[0]
		if !strings.HasPrefix(resp.ReservationID, "r-") || resp.OwnerID != "999999999999" || item.InstanceState.Name != "pending" ||
			item.LaunchTime != playbookTime.UnixMilli() || len(item.NetworkInterfaceSet.Items) != 1 {
			t.Errorf("responseElements = %s", ev.ResponseElements)
		}
	}
	if runs != 6 {
		t.Errorf("CloudTrail has %d RunInstances events, want 6", runs)
	}
}

// TestPlaybookStopThenTerminate follows the playbook's containment and
// eradication: stop every instance, wait until all read "stopped", then
// terminate them.
func TestPlaybookStopThenTerminate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	out := e.run(&sdk.RunInstancesInput{MinCount: aws.Int32(10), MaxCount: aws.Int32(10)})
	e.settle()
	var ids []string
	for _, inst := range out.Instances {
		ids = append(ids, *inst.InstanceId)
	}
	for _, id := range ids {
		stop, err := e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		c := stop.StoppingInstances[0]
		if *c.InstanceId != id || *c.CurrentState.Code != 64 || c.CurrentState.Name != "stopping" || *c.PreviousState.Code != 16 || c.PreviousState.Name != "running" {
			t.Errorf("StoppingInstances = %+v %+v", *c.CurrentState, *c.PreviousState)
		}
	}
	if got := e.instance(ids[0]).State.Name; got != types.InstanceStateNameStopping {
		t.Errorf("right after stop: %s", got)
	}
	e.settle()
	for _, id := range ids {
		if got := e.instance(id).State.Name; got != types.InstanceStateNameStopped {
			t.Errorf("%s: %s, want stopped", id, got)
		}
	}
	for _, id := range ids {
		term, err := e.client.TerminateInstances(ctx, &sdk.TerminateInstancesInput{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		c := term.TerminatingInstances[0]
		if *c.CurrentState.Code != 48 || *c.PreviousState.Code != 80 {
			t.Errorf("TerminatingInstances = %+v %+v", *c.CurrentState, *c.PreviousState)
		}
	}
	for _, id := range ids {
		inst := e.instance(id)
		if inst.State.Name != types.InstanceStateNameTerminated || len(inst.NetworkInterfaces) != 0 || inst.PrivateIpAddress != nil {
			t.Errorf("%s after terminate: %s, %d ENIs", id, inst.State.Name, len(inst.NetworkInterfaces))
		}
	}
	// Terminated instances release their network interfaces and volumes.
	enis, err := e.client.DescribeNetworkInterfaces(ctx, &sdk.DescribeNetworkInterfacesInput{})
	if err != nil {
		t.Fatal(err)
	}
	vols, err := e.client.DescribeVolumes(ctx, &sdk.DescribeVolumesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(enis.NetworkInterfaces) != 0 || len(vols.Volumes) != 0 {
		t.Errorf("left behind %d ENIs and %d volumes", len(enis.NetworkInterfaces), len(vols.Volumes))
	}
}

func TestStateMachineTransitions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := *e.run(&sdk.RunInstancesInput{}).Instances[0].InstanceId

	// A pending instance cannot be stopped or started.
	_, err := e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "IncorrectInstanceState")
	e.settle()
	start, err := e.client.StartInstances(ctx, &sdk.StartInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if c := start.StartingInstances[0]; c.CurrentState.Name != "running" || c.PreviousState.Name != "running" {
		t.Errorf("starting a running instance: %v -> %v", c.PreviousState.Name, c.CurrentState.Name)
	}
	publicBefore := aws.ToString(e.instance(id).PublicIpAddress)
	if _, err := e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.StartInstances(ctx, &sdk.StartInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "IncorrectInstanceState")
	e.settle()
	if inst := e.instance(id); inst.PublicIpAddress != nil || aws.ToString(inst.StateReason.Code) != "Client.UserInitiatedShutdown" {
		t.Errorf("stopped instance keeps public IP %v, state reason %v", aws.ToString(inst.PublicIpAddress), inst.StateReason)
	}
	start, err = e.client.StartInstances(ctx, &sdk.StartInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if c := start.StartingInstances[0]; c.CurrentState.Name != "pending" || c.PreviousState.Name != "stopped" {
		t.Errorf("start: %v -> %v", c.PreviousState.Name, c.CurrentState.Name)
	}
	e.settle()
	inst := e.instance(id)
	if inst.State.Name != "running" || inst.PublicIpAddress == nil || *inst.PublicIpAddress == publicBefore {
		t.Errorf("restarted: %s with public IP %v (before %s)", inst.State.Name, aws.ToString(inst.PublicIpAddress), publicBefore)
	}
	term, err := e.client.TerminateInstances(ctx, &sdk.TerminateInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if c := term.TerminatingInstances[0]; c.CurrentState.Name != "shutting-down" || c.PreviousState.Name != "running" {
		t.Errorf("terminate running: %v -> %v", c.PreviousState.Name, c.CurrentState.Name)
	}
	_, err = e.client.StartInstances(ctx, &sdk.StartInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "IncorrectInstanceState")
	e.settle()
	term, err = e.client.TerminateInstances(ctx, &sdk.TerminateInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if c := term.TerminatingInstances[0]; c.CurrentState.Name != "terminated" || c.PreviousState.Name != "terminated" {
		t.Errorf("terminating twice: %v -> %v", c.PreviousState.Name, c.CurrentState.Name)
	}
	_, err = e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "IncorrectInstanceState")
	// After AWS's retention window the instance is gone.
	e.clock.Advance(2 * 60 * 60 * 1e9)
	_, err = e.client.DescribeInstances(ctx, &sdk.DescribeInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "InvalidInstanceID.NotFound")
}

func TestTerminationAndStopProtection(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := *e.run(&sdk.RunInstancesInput{DisableApiTermination: aws.Bool(true)}).Instances[0].InstanceId
	e.settle()
	_, err := e.client.TerminateInstances(ctx, &sdk.TerminateInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "OperationNotPermitted")
	want := "The instance '" + id + "' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again."
	if errorMessage(err) != want {
		t.Errorf("message = %q", errorMessage(err))
	}
	attr, err := e.client.DescribeInstanceAttribute(ctx, &sdk.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: types.InstanceAttributeNameDisableApiTermination})
	if err != nil || !aws.ToBool(attr.DisableApiTermination.Value) {
		t.Fatalf("disableApiTermination attribute: %v %v", attr, err)
	}

	// Responders enable stop protection too; stopping is then refused.
	if _, err := e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), DisableApiStop: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{id}})
	wantCode(t, err, "OperationNotPermitted")

	for _, in := range []*sdk.ModifyInstanceAttributeInput{
		{InstanceId: aws.String(id), DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(false)}},
		{InstanceId: aws.String(id), DisableApiStop: &types.AttributeBooleanValue{Value: aws.Bool(false)}},
	} {
		if _, err := e.client.ModifyInstanceAttribute(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	term, err := e.client.TerminateInstances(ctx, &sdk.TerminateInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	if term.TerminatingInstances[0].CurrentState.Name != "shutting-down" {
		t.Errorf("terminate = %v", term.TerminatingInstances[0].CurrentState.Name)
	}
	// CloudTrail records the attribute change in EC2's shape.
	var found bool
	for _, ev := range e.sb.Handler().CloudTrail().Events("us-east-1") {
		if ev.EventName == "ModifyInstanceAttribute" && strings.Contains(string(ev.RequestParameters), `"disableApiTermination":{"value":false}`) {
			found = strings.Contains(string(ev.RequestParameters), `"instanceId":"`+id+`"`)
		}
	}
	if !found {
		t.Error("no ModifyInstanceAttribute record with disableApiTermination {value:false}")
	}
}

func TestDescribeInstancesPagination(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.run(&sdk.RunInstancesInput{MinCount: aws.Int32(60), MaxCount: aws.Int32(60)})
	e.run(&sdk.RunInstancesInput{MinCount: aws.Int32(65), MaxCount: aws.Int32(65), InstanceType: types.InstanceTypeT3Micro})

	seen := map[string]bool{}
	pages := 0
	p := sdk.NewDescribeInstancesPaginator(e.client, &sdk.DescribeInstancesInput{MaxResults: aws.Int32(50)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		count := 0
		for _, res := range page.Reservations {
			for _, inst := range res.Instances {
				if seen[*inst.InstanceId] {
					t.Fatalf("%s returned twice", *inst.InstanceId)
				}
				seen[*inst.InstanceId] = true
				count++
			}
		}
		if count > 50 {
			t.Errorf("page of %d instances exceeds MaxResults", count)
		}
	}
	if len(seen) != 125 || pages != 3 {
		t.Errorf("paged %d instances in %d pages, want 125 in 3", len(seen), pages)
	}

	all, err := e.client.DescribeInstances(ctx, &sdk.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Reservations) != 2 || len(all.Reservations[0].Instances) != 60 || len(all.Reservations[1].Instances) != 65 {
		t.Errorf("reservation grouping: %d reservations", len(all.Reservations))
	}
	for i, inst := range all.Reservations[1].Instances {
		if int(*inst.AmiLaunchIndex) != i {
			t.Errorf("AmiLaunchIndex %d at position %d", *inst.AmiLaunchIndex, i)
			break
		}
	}

	tests := []struct {
		name  string
		input *sdk.DescribeInstancesInput
		code  string
	}{
		{"MaxResults with InstanceIds", &sdk.DescribeInstancesInput{MaxResults: aws.Int32(10), InstanceIds: []string{"i-0123456789abcdef0"}}, "InvalidParameterCombination"},
		{"MaxResults too small", &sdk.DescribeInstancesInput{MaxResults: aws.Int32(4)}, "InvalidParameterValue"},
		{"MaxResults too large", &sdk.DescribeInstancesInput{MaxResults: aws.Int32(1001)}, "InvalidParameterValue"},
		{"bad token", &sdk.DescribeInstancesInput{NextToken: aws.String("garbage")}, "InvalidPaginationToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.DescribeInstances(ctx, tc.input)
			wantCode(t, err, tc.code)
		})
	}
}

func TestDescribeInstancesFiltersAndErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tagged := e.run(&sdk.RunInstancesInput{
		KeyName:           aws.String("responder"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("Case"), Value: aws.String("IR-42")}}}},
	}).Instances[0]
	plain := e.run(&sdk.RunInstancesInput{InstanceType: types.InstanceTypeT3Small, Placement: &types.Placement{AvailabilityZone: aws.String("us-east-1c")}}).Instances[0]
	e.settle()
	if _, err := e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{*plain.InstanceId}}); err != nil {
		t.Fatal(err)
	}
	taggedInst := e.instance(*tagged.InstanceId)

	f := func(name string, values ...string) types.Filter {
		return types.Filter{Name: aws.String(name), Values: values}
	}
	tests := []struct {
		name    string
		filters []types.Filter
		want    []string
	}{
		{"state name", []types.Filter{f("instance-state-name", "running")}, []string{*tagged.InstanceId}},
		{"state code", []types.Filter{f("instance-state-code", "64")}, []string{*plain.InstanceId}},
		{"two states", []types.Filter{f("instance-state-name", "running", "stopping")}, []string{*tagged.InstanceId, *plain.InstanceId}},
		{"tag value", []types.Filter{f("tag:Case", "IR-*")}, []string{*tagged.InstanceId}},
		{"tag key", []types.Filter{f("tag-key", "Case")}, []string{*tagged.InstanceId}},
		{"tag-value", []types.Filter{f("tag-value", "IR-42")}, []string{*tagged.InstanceId}},
		{"instance type", []types.Filter{f("instance-type", "t3.*")}, []string{*plain.InstanceId}},
		{"zone", []types.Filter{f("availability-zone", "us-east-1c")}, []string{*plain.InstanceId}},
		{"key name", []types.Filter{f("key-name", "responder")}, []string{*tagged.InstanceId}},
		{"private ip", []types.Filter{f("private-ip-address", *taggedInst.PrivateIpAddress)}, []string{*tagged.InstanceId}},
		{"public ip", []types.Filter{f("ip-address", *taggedInst.PublicIpAddress)}, []string{*tagged.InstanceId}},
		{"eni", []types.Filter{f("network-interface.network-interface-id", *taggedInst.NetworkInterfaces[0].NetworkInterfaceId)}, []string{*tagged.InstanceId}},
		{"group id", []types.Filter{f("instance.group-id", *taggedInst.SecurityGroups[0].GroupId)}, []string{*tagged.InstanceId, *plain.InstanceId}},
		{"subnet", []types.Filter{f("subnet-id", *taggedInst.SubnetId)}, []string{*tagged.InstanceId}},
		{"vpc", []types.Filter{f("vpc-id", *taggedInst.VpcId)}, []string{*tagged.InstanceId, *plain.InstanceId}},
		{"image", []types.Filter{f("image-id", "ami-0c2b8ca1dad447f8a")}, []string{*tagged.InstanceId, *plain.InstanceId}},
		{"reservation", []types.Filter{f("reservation-id", *taggedInst.InstanceId)}, nil},
		{"instance id", []types.Filter{f("instance-id", *plain.InstanceId)}, []string{*plain.InstanceId}},
		{"AND of filters", []types.Filter{f("instance-state-name", "running"), f("instance-type", "t3.small")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.client.DescribeInstances(ctx, &sdk.DescribeInstancesInput{Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, res := range out.Reservations {
				for _, inst := range res.Instances {
					got = append(got, *inst.InstanceId)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	errTests := []struct {
		name    string
		input   *sdk.DescribeInstancesInput
		code    string
		message string
	}{
		{"malformed id", &sdk.DescribeInstancesInput{InstanceIds: []string{"i-nothex"}}, "InvalidInstanceID.Malformed", `Invalid id: "i-nothex"`},
		{"unknown id", &sdk.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}}, "InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist"},
		{"unknown ids", &sdk.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0", "i-0123456789abcdef1"}}, "InvalidInstanceID.NotFound", "The instance IDs 'i-0123456789abcdef0, i-0123456789abcdef1' do not exist"},
		{"unknown filter", &sdk.DescribeInstancesInput{Filters: []types.Filter{f("colour", "blue")}}, "InvalidParameterValue", "The filter 'colour' is invalid"},
	}
	for _, tc := range errTests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.DescribeInstances(ctx, tc.input)
			wantCode(t, err, tc.code)
			if errorMessage(err) != tc.message {
				t.Errorf("message = %q, want %q", errorMessage(err), tc.message)
			}
		})
	}
}

func TestDescribeInstancesFields(t *testing.T) {
	e := newEnv(t)
	// RunInstances resolves the profile in IAM, as EC2 does.
	iamClient := iam.NewFromConfig(sandboxtest.AWSConfig(t, e.sb, e.sb.AdminCredentials))
	if _, err := iamClient.CreateInstanceProfile(context.Background(), &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatal(err)
	}
	out := e.run(&sdk.RunInstancesInput{
		IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("web")},
		ClientToken:        aws.String("d95702e9-a3cb-4949-b8fb-6b2cef480df3"),
	})
	e.settle()
	inst := e.instance(*out.Instances[0].InstanceId)
	checks := []struct {
		name      string
		got, want any
	}{
		{"architecture", inst.Architecture, types.ArchitectureValuesX8664},
		{"root device", aws.ToString(inst.RootDeviceName), "/dev/xvda"},
		{"root type", inst.RootDeviceType, types.DeviceTypeEbs},
		{"virtualization", inst.VirtualizationType, types.VirtualizationTypeHvm},
		{"hypervisor", inst.Hypervisor, types.HypervisorTypeXen},
		{"monitoring", inst.Monitoring.State, types.MonitoringStateDisabled},
		{"source/dest", aws.ToBool(inst.SourceDestCheck), true},
		{"client token", aws.ToString(inst.ClientToken), "d95702e9-a3cb-4949-b8fb-6b2cef480df3"},
		{"profile arn", aws.ToString(inst.IamInstanceProfile.Arn), "arn:aws:iam::999999999999:instance-profile/web"},
		{"profile id prefix", strings.HasPrefix(aws.ToString(inst.IamInstanceProfile.Id), "AIPA"), true},
		{"launch time", inst.LaunchTime.UTC(), playbookTime},
		{"private dns", aws.ToString(inst.PrivateDnsName), "ip-" + strings.ReplaceAll(aws.ToString(inst.PrivateIpAddress), ".", "-") + ".ec2.internal"},
		{"eni groups", aws.ToString(inst.NetworkInterfaces[0].Groups[0].GroupName), "default"},
		{"eni attachment", inst.NetworkInterfaces[0].Attachment.Status, types.AttachmentStatusAttached},
		{"eni private ips", aws.ToString(inst.NetworkInterfaces[0].PrivateIpAddresses[0].PrivateIpAddress), aws.ToString(inst.PrivateIpAddress)},
		{"root volume", strings.HasPrefix(aws.ToString(inst.BlockDeviceMappings[0].Ebs.VolumeId), "vol-"), true},
		{"delete on termination", aws.ToBool(inst.BlockDeviceMappings[0].Ebs.DeleteOnTermination), true},
		{"cpu", aws.ToInt32(inst.CpuOptions.CoreCount), int32(1)},
		{"security groups", aws.ToString(inst.SecurityGroups[0].GroupName), "default"},
		{"instance id shape", len(aws.ToString(inst.InstanceId)), 19},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	// The root volume takes its size from the image's block device mapping.
	vols, err := e.client.DescribeVolumes(context.Background(), &sdk.DescribeVolumesInput{VolumeIds: []string{*inst.BlockDeviceMappings[0].Ebs.VolumeId}})
	if err != nil {
		t.Fatal(err)
	}
	if v := vols.Volumes[0]; *v.Size != 8 || v.VolumeType != types.VolumeTypeGp2 || *v.SnapshotId != "snap-1234567890abcdef0" || *v.Attachments[0].InstanceId != *inst.InstanceId {
		t.Errorf("root volume = %+v", v)
	}
}

func TestRunInstancesValidation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := func(mod func(*sdk.RunInstancesInput)) *sdk.RunInstancesInput {
		in := &sdk.RunInstancesInput{ImageId: aws.String("ami-0c2b8ca1dad447f8a"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: types.InstanceTypeT2Nano}
		mod(in)
		return in
	}
	tests := []struct {
		name    string
		input   *sdk.RunInstancesInput
		code    string
		message string
	}{
		{"unknown image", base(func(in *sdk.RunInstancesInput) { in.ImageId = aws.String("ami-0123456789abcdef0") }), "InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist"},
		{"malformed image", base(func(in *sdk.RunInstancesInput) { in.ImageId = aws.String("ubuntu") }), "InvalidAMIID.Malformed", ""},
		{"bad instance type", base(func(in *sdk.RunInstancesInput) { in.InstanceType = "t2.gigantic" }), "InvalidParameterValue", "Invalid value 't2.gigantic' for InstanceType."},
		{"arch mismatch", base(func(in *sdk.RunInstancesInput) { in.InstanceType = types.InstanceTypeT4gNano }), "InvalidParameterValue", ""},
		{"min > max", base(func(in *sdk.RunInstancesInput) { in.MinCount = aws.Int32(3) }), "InvalidParameterValue", ""},
		{"zero count", base(func(in *sdk.RunInstancesInput) { in.MinCount, in.MaxCount = aws.Int32(0), aws.Int32(0) }), "InvalidParameterValue", ""},
		{"unknown subnet", base(func(in *sdk.RunInstancesInput) { in.SubnetId = aws.String("subnet-0123456789abcdef0") }), "InvalidSubnetID.NotFound", "The subnet ID 'subnet-0123456789abcdef0' does not exist"},
		{"unknown group", base(func(in *sdk.RunInstancesInput) { in.SecurityGroupIds = []string{"sg-0123456789abcdef0"} }), "InvalidGroup.NotFound", ""},
		{"unknown group name", base(func(in *sdk.RunInstancesInput) { in.SecurityGroups = []string{"nope"} }), "InvalidGroup.NotFound", ""},
		{"bad base64", base(func(in *sdk.RunInstancesInput) { in.UserData = aws.String("%%%") }), "InvalidParameterValue", "Invalid BASE64 encoding of user data."},
		{"user data too large", base(func(in *sdk.RunInstancesInput) {
			in.UserData = aws.String(strings.Repeat("QUFB", 16385/3+1))
		}), "InvalidParameterValue", "User data is limited to 16384 bytes"},
		{"bad shutdown behaviour", base(func(in *sdk.RunInstancesInput) { in.InstanceInitiatedShutdownBehavior = "hibernate" }), "InvalidParameterValue", ""},
		{"bad tag resource type", base(func(in *sdk.RunInstancesInput) {
			in.TagSpecifications = []types.TagSpecification{{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}}
		}), "InvalidParameterValue", ""},
		{"reserved tag key", base(func(in *sdk.RunInstancesInput) {
			in.TagSpecifications = []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("b")}}}}
		}), "InvalidParameterValue", ""},
		{"missing image", base(func(in *sdk.RunInstancesInput) { in.ImageId = nil }), "MissingParameter", ""},
		{"zone conflicts with subnet", base(func(in *sdk.RunInstancesInput) {
			in.Placement = &types.Placement{AvailabilityZone: aws.String("us-east-1z")}
		}), "InvalidParameterValue", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.RunInstances(ctx, tc.input)
			wantCode(t, err, tc.code)
			if tc.message != "" && errorMessage(err) != tc.message {
				t.Errorf("message = %q, want %q", errorMessage(err), tc.message)
			}
		})
	}
	out, err := e.client.DescribeInstances(ctx, &sdk.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Reservations) != 0 {
		t.Errorf("failed launches left %d reservations", len(out.Reservations))
	}
}

func TestRunInstancesClientToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	in := &sdk.RunInstancesInput{ClientToken: aws.String("token-1"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2)}
	first := e.run(in)
	again := e.run(&sdk.RunInstancesInput{ClientToken: aws.String("token-1"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2)})
	if *first.ReservationId != *again.ReservationId || *first.Instances[1].InstanceId != *again.Instances[1].InstanceId {
		t.Errorf("retry made a new reservation: %s vs %s", *first.ReservationId, *again.ReservationId)
	}
	_, err := e.client.RunInstances(ctx, &sdk.RunInstancesInput{ClientToken: aws.String("token-1"), ImageId: aws.String("ami-0c2b8ca1dad447f8a"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: types.InstanceTypeT2Nano})
	wantCode(t, err, "IdempotentParameterMismatch")
	all, err := e.client.DescribeInstances(ctx, &sdk.DescribeInstancesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Reservations) != 1 || len(all.Reservations[0].Instances) != 2 {
		t.Errorf("want one reservation of two instances, got %d", len(all.Reservations))
	}
}

func TestInstanceAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := *e.run(&sdk.RunInstancesInput{}).Instances[0].InstanceId
	e.settle()
	attr := func(name types.InstanceAttributeName) *sdk.DescribeInstanceAttributeOutput {
		t.Helper()
		out, err := e.client.DescribeInstanceAttribute(ctx, &sdk.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: name})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if v := aws.ToString(attr(types.InstanceAttributeNameInstanceType).InstanceType.Value); v != "t2.nano" {
		t.Errorf("instanceType = %s", v)
	}
	if v := aws.ToString(attr(types.InstanceAttributeNameInstanceInitiatedShutdownBehavior).InstanceInitiatedShutdownBehavior.Value); v != "stop" {
		t.Errorf("shutdown behaviour = %s", v)
	}
	if v := attr(types.InstanceAttributeNameUserData).UserData; v != nil && aws.ToString(v.Value) != "" {
		t.Errorf("userData without user data = %v", aws.ToString(v.Value))
	}
	_, err := e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceType: &types.AttributeValue{Value: aws.String("t2.micro")}})
	wantCode(t, err, "IncorrectInstanceState")
	_, err = e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), UserData: &types.SecureBlobAttributeValue{Value: []byte("#!/bin/sh\n")}})
	wantCode(t, err, "IncorrectInstanceState")
	if _, err := e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if _, err := e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceType: &types.AttributeValue{Value: aws.String("t2.micro")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), UserData: &types.SecureBlobAttributeValue{Value: []byte("#!/bin/sh\necho hi\n")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceInitiatedShutdownBehavior: &types.AttributeValue{Value: aws.String("terminate")}}); err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(attr(types.InstanceAttributeNameInstanceType).InstanceType.Value); v != "t2.micro" {
		t.Errorf("instanceType after modify = %s", v)
	}
	if v := aws.ToString(attr(types.InstanceAttributeNameUserData).UserData.Value); v != "IyEvYmluL3NoCmVjaG8gaGkK" {
		t.Errorf("userData after modify = %s", v)
	}
	if v := aws.ToString(attr(types.InstanceAttributeNameInstanceInitiatedShutdownBehavior).InstanceInitiatedShutdownBehavior.Value); v != "terminate" {
		t.Errorf("shutdown behaviour after modify = %s", v)
	}
	_, err = e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), InstanceType: &types.AttributeValue{Value: aws.String("t9.huge")}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = e.client.DescribeInstanceAttribute(ctx, &sdk.DescribeInstanceAttributeInput{InstanceId: aws.String(id), Attribute: "colour"})
	wantCode(t, err, "InvalidParameterValue")
	_, err = e.client.DescribeInstanceAttribute(ctx, &sdk.DescribeInstanceAttributeInput{InstanceId: aws.String("i-0123456789abcdef0"), Attribute: types.InstanceAttributeNameUserData})
	wantCode(t, err, "InvalidInstanceID.NotFound")

	// Isolation through the instance: replace its groups.
	sg, err := e.client.CreateSecurityGroup(ctx, &sdk.CreateSecurityGroupInput{GroupName: aws.String("isolation"), Description: aws.String("no rules")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ModifyInstanceAttribute(ctx, &sdk.ModifyInstanceAttributeInput{InstanceId: aws.String(id), Groups: []string{*sg.GroupId}}); err != nil {
		t.Fatal(err)
	}
	groups := attr(types.InstanceAttributeNameGroupSet).Groups
	if len(groups) != 1 || *groups[0].GroupId != *sg.GroupId || *groups[0].GroupName != "isolation" {
		t.Errorf("groupSet = %+v", groups)
	}
}

func TestDescribeInstanceStatus(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	out := e.run(&sdk.RunInstancesInput{MinCount: aws.Int32(2), MaxCount: aws.Int32(2)})
	first, second := *out.Instances[0].InstanceId, *out.Instances[1].InstanceId
	status, err := e.client.DescribeInstanceStatus(ctx, &sdk.DescribeInstanceStatusInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(status.InstanceStatuses) != 0 {
		t.Errorf("pending instances reported without IncludeAllInstances: %d", len(status.InstanceStatuses))
	}
	e.settle()
	if _, err := e.client.StopInstances(ctx, &sdk.StopInstancesInput{InstanceIds: []string{second}}); err != nil {
		t.Fatal(err)
	}
	status, err = e.client.DescribeInstanceStatus(ctx, &sdk.DescribeInstanceStatusInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(status.InstanceStatuses) != 1 || *status.InstanceStatuses[0].InstanceId != first || status.InstanceStatuses[0].InstanceStatus.Status != types.SummaryStatusOk {
		t.Errorf("running statuses = %+v", status.InstanceStatuses)
	}
	status, err = e.client.DescribeInstanceStatus(ctx, &sdk.DescribeInstanceStatusInput{IncludeAllInstances: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(status.InstanceStatuses) != 2 || status.InstanceStatuses[1].InstanceState.Name != types.InstanceStateNameStopping {
		t.Errorf("all statuses = %d", len(status.InstanceStatuses))
	}
}
