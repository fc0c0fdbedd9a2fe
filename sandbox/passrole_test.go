package sandbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// The reproductions of issue 6, §3: every API that hands a role to a
// service checks iam:PassRole, with iam:PassedToService.

const trustEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func policy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

const (
	allowEC2        = `{"Effect":"Allow","Action":"ec2:*","Resource":"*"}`
	allowCloudTrail = `{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*"}`
)

func allowPassRoleTo(service string) string {
	return `{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"` + service + `"}}}`
}

type passRoleEnv struct {
	t       *testing.T
	sb      *sandbox.Sandbox
	admin   aws.Config
	roleARN string
}

// newPassRoleEnv makes the administrator role a purple team wants to
// smuggle onto an instance, and its instance profile.
func newPassRoleEnv(t *testing.T) *passRoleEnv {
	t.Helper()
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	admin := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	ic := iam.NewFromConfig(admin)
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("admin-role"), AssumeRolePolicyDocument: aws.String(trustEC2)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("admin-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("admin-profile")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("admin-profile"), RoleName: aws.String("admin-role")}); err != nil {
		t.Fatal(err)
	}
	return &passRoleEnv{t: t, sb: sb, admin: admin, roleARN: aws.ToString(role.Role.Arn)}
}

func (e *passRoleEnv) user(name string, statements ...string) aws.Config {
	e.t.Helper()
	return sandboxtest.AWSConfig(e.t, e.sb, newUser(e.t, e.admin, name, policy(statements...)))
}

func (e *passRoleEnv) wantPassRoleDenied(err error, code string) {
	e.t.Helper()
	if got := apiCode(err); got != code {
		e.t.Fatalf("err = %v, want %s", err, code)
	}
	if !strings.Contains(err.Error(), "iam:PassRole") {
		e.t.Errorf("the denial does not name iam:PassRole: %v", err)
	}
}

var launch = func(profile string) *ec2.RunInstancesInput {
	in := &ec2.RunInstancesInput{ImageId: aws.String("ami-0c2b8ca1dad447f8a"), InstanceType: ec2types.InstanceTypeT2Nano, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}
	if profile != "" {
		in.IamInstanceProfile = &ec2types.IamInstanceProfileSpecification{Name: aws.String(profile)}
	}
	return in
}

func TestRunInstancesPassRole(t *testing.T) {
	ctx := context.Background()
	e := newPassRoleEnv(t)
	ec2Only := ec2.NewFromConfig(e.user("ec2-only", allowEC2))
	_, err := ec2Only.RunInstances(ctx, launch("admin-profile"))
	e.wantPassRoleDenied(err, "UnauthorizedOperation")
	if !strings.Contains(err.Error(), e.roleARN) {
		t.Errorf("the denial does not name the role: %v", err)
	}
	if n := len(e.sb.Handler().EC2().Instances("us-east-1")); n != 0 {
		t.Fatalf("%d instances launched with a role the caller may not pass", n)
	}
	// Launching without a profile needs no PassRole.
	if _, err := ec2Only.RunInstances(ctx, launch("")); err != nil {
		t.Fatal(err)
	}
	// A profile that does not exist is EC2's InvalidParameterValue.
	if _, err := ec2Only.RunInstances(ctx, launch("no-such-profile")); apiCode(err) != "InvalidParameterValue" || !strings.Contains(err.Error(), "Invalid IAM Instance Profile name") {
		t.Fatalf("unknown profile: %v", err)
	}

	wrongService := ec2.NewFromConfig(e.user("lambda-passer", allowEC2, allowPassRoleTo("lambda.amazonaws.com")))
	_, err = wrongService.RunInstances(ctx, launch("admin-profile"))
	e.wantPassRoleDenied(err, "UnauthorizedOperation")

	// PassRole scoped to EC2 and to this region's instances is enough.
	scoped := `{"Effect":"Allow","Action":"iam:PassRole","Resource":"` + e.roleARN + `","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"},"ArnLike":{"iam:AssociatedResourceArn":"arn:aws:ec2:us-east-1:999999999999:instance/*"}}}`
	passer := ec2.NewFromConfig(e.user("ec2-passer", allowEC2, scoped))
	out, err := passer.RunInstances(ctx, launch("admin-profile"))
	if err != nil {
		t.Fatalf("RunInstances with PassRole to EC2: %v", err)
	}
	inst := out.Instances[0]
	if inst.IamInstanceProfile == nil || !strings.HasSuffix(aws.ToString(inst.IamInstanceProfile.Arn), ":instance-profile/admin-profile") {
		t.Errorf("instance profile = %+v", inst.IamInstanceProfile)
	}
	assoc, err := passer.DescribeIamInstanceProfileAssociations(ctx, &ec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []ec2types.Filter{{Name: aws.String("instance-id"), Values: []string{aws.ToString(inst.InstanceId)}}},
	})
	if err != nil || len(assoc.IamInstanceProfileAssociations) != 1 || assoc.IamInstanceProfileAssociations[0].State != ec2types.IamInstanceProfileAssociationStateAssociated {
		t.Fatalf("associations of the launched instance: %+v, %v", assoc, err)
	}
	// The same policy in another region does not cover the instance.
	eu := e.user("ec2-passer-eu", allowEC2, scoped)
	eu.Region = "eu-west-1"
	_, err = ec2.NewFromConfig(eu).RunInstances(ctx, launch("admin-profile"))
	e.wantPassRoleDenied(err, "UnauthorizedOperation")
}

func TestIamInstanceProfileAssociations(t *testing.T) {
	ctx := context.Background()
	e := newPassRoleEnv(t)
	adminEC2 := ec2.NewFromConfig(e.admin)
	out, err := adminEC2.RunInstances(ctx, launch(""))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	spec := &ec2types.IamInstanceProfileSpecification{Name: aws.String("admin-profile")}

	ec2Only := ec2.NewFromConfig(e.user("ec2-only", allowEC2))
	_, err = ec2Only.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(id), IamInstanceProfile: spec})
	e.wantPassRoleDenied(err, "UnauthorizedOperation")

	passer := ec2.NewFromConfig(e.user("ec2-passer", allowEC2, allowPassRoleTo("ec2.amazonaws.com")))
	assoc, err := passer.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(id), IamInstanceProfile: spec})
	if err != nil {
		t.Fatalf("AssociateIamInstanceProfile: %v", err)
	}
	a := assoc.IamInstanceProfileAssociation
	if !strings.HasPrefix(aws.ToString(a.AssociationId), "iip-assoc-") || aws.ToString(a.InstanceId) != id || a.State != ec2types.IamInstanceProfileAssociationStateAssociating ||
		!strings.HasSuffix(aws.ToString(a.IamInstanceProfile.Arn), "instance-profile/admin-profile") || !strings.HasPrefix(aws.ToString(a.IamInstanceProfile.Id), "AIPA") {
		t.Fatalf("association = %+v", a)
	}
	_, err = passer.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{InstanceId: aws.String(id), IamInstanceProfile: spec})
	if apiCode(err) != "IncorrectState" {
		t.Fatalf("second association: %v, want IncorrectState", err)
	}
	desc, err := passer.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || desc.Reservations[0].Instances[0].IamInstanceProfile == nil {
		t.Fatalf("DescribeInstances after association: %+v, %v", desc, err)
	}

	// Replacing the role passes it again; removing it passes nothing.
	_, err = ec2Only.ReplaceIamInstanceProfileAssociation(ctx, &ec2.ReplaceIamInstanceProfileAssociationInput{AssociationId: a.AssociationId, IamInstanceProfile: spec})
	if code := apiCode(err); code != "UnauthorizedOperation" && code != "IncorrectState" {
		t.Fatalf("replace by a user without PassRole: %v", err)
	}
	if _, err := ec2Only.DisassociateIamInstanceProfile(ctx, &ec2.DisassociateIamInstanceProfileInput{AssociationId: a.AssociationId}); err != nil {
		t.Fatalf("DisassociateIamInstanceProfile needs no PassRole: %v", err)
	}
	if _, err := ec2Only.DisassociateIamInstanceProfile(ctx, &ec2.DisassociateIamInstanceProfileInput{AssociationId: a.AssociationId}); apiCode(err) != "InvalidAssociationID.NotFound" {
		t.Fatalf("second disassociation: %v", err)
	}
	desc, err = passer.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || desc.Reservations[0].Instances[0].IamInstanceProfile != nil {
		t.Fatalf("DescribeInstances after disassociation: %+v, %v", desc.Reservations[0].Instances[0].IamInstanceProfile, err)
	}
}

func TestCreateFlowLogsPassRole(t *testing.T) {
	ctx := context.Background()
	e := newPassRoleEnv(t)
	vpcs, err := ec2.NewFromConfig(e.admin).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		t.Fatal(err)
	}
	in := &ec2.CreateFlowLogsInput{
		ResourceIds: []string{aws.ToString(vpcs.Vpcs[0].VpcId)}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeAll,
		LogGroupName: aws.String("flow"), DeliverLogsPermissionArn: aws.String(e.roleARN),
	}
	_, err = ec2.NewFromConfig(e.user("ec2-only", allowEC2)).CreateFlowLogs(ctx, in)
	e.wantPassRoleDenied(err, "UnauthorizedOperation")
	_, err = ec2.NewFromConfig(e.user("ec2-passer", allowEC2, allowPassRoleTo("ec2.amazonaws.com"))).CreateFlowLogs(ctx, in)
	e.wantPassRoleDenied(err, "UnauthorizedOperation")
	if n := len(e.sb.Handler().EC2().FlowLogs("us-east-1")); n != 0 {
		t.Fatalf("%d flow logs created without PassRole", n)
	}
	if _, err := ec2.NewFromConfig(e.user("flow-passer", allowEC2, allowPassRoleTo("vpc-flow-logs.amazonaws.com"))).CreateFlowLogs(ctx, in); err != nil {
		t.Fatalf("CreateFlowLogs with PassRole to flow logs: %v", err)
	}
}

func TestCloudTrailLogsRolePassRole(t *testing.T) {
	ctx := context.Background()
	e := newPassRoleEnv(t)
	group, err := cloudwatchlogs.NewFromConfig(e.admin).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("trail")})
	if err != nil || group == nil {
		t.Fatal(err)
	}
	groupARN := "arn:aws:logs:us-east-1:999999999999:log-group:trail:*"
	create := &cloudtrail.CreateTrailInput{Name: aws.String("drill-trail"), S3BucketName: aws.String("b"), CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(e.roleARN)}
	trailOnly := cloudtrail.NewFromConfig(e.user("trail-only", allowCloudTrail))
	_, err = trailOnly.CreateTrail(ctx, create)
	e.wantPassRoleDenied(err, "AccessDeniedException")
	// Without the role, no role is passed.
	if _, err := trailOnly.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("drill-trail"), S3BucketName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	_, err = trailOnly.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("drill-trail"), CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(e.roleARN)})
	e.wantPassRoleDenied(err, "AccessDeniedException")

	passer := cloudtrail.NewFromConfig(e.user("trail-passer", allowCloudTrail, allowPassRoleTo("cloudtrail.amazonaws.com")))
	if _, err := passer.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("drill-trail"), CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(e.roleARN)}); err != nil {
		t.Fatalf("UpdateTrail with PassRole to CloudTrail: %v", err)
	}
	create.Name = aws.String("drill-trail-2")
	if _, err := passer.CreateTrail(ctx, create); err != nil {
		t.Fatalf("CreateTrail with PassRole to CloudTrail: %v", err)
	}
}

func TestAddRoleToInstanceProfilePassRole(t *testing.T) {
	ctx := context.Background()
	e := newPassRoleEnv(t)
	ic := iam.NewFromConfig(e.admin)
	if _, err := ic.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("second")}); err != nil {
		t.Fatal(err)
	}
	add := &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("second"), RoleName: aws.String("admin-role")}
	allowAdd := `{"Effect":"Allow","Action":"iam:AddRoleToInstanceProfile","Resource":"*"}`
	_, err := iam.NewFromConfig(e.user("to-lambda", allowAdd, allowPassRoleTo("lambda.amazonaws.com"))).AddRoleToInstanceProfile(ctx, add)
	e.wantPassRoleDenied(err, "AccessDenied")
	// The IAM reference: this check's iam:AssociatedResourceArn is
	// arn:aws:ec2:*:<account>:instance/*.
	toEC2 := `{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com","iam:AssociatedResourceArn":"arn:aws:ec2:*:999999999999:instance/*"}}}`
	if _, err := iam.NewFromConfig(e.user("to-ec2", allowAdd, toEC2)).AddRoleToInstanceProfile(ctx, add); err != nil {
		t.Fatalf("AddRoleToInstanceProfile with PassRole to EC2: %v", err)
	}
}
