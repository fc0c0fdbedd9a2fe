package seedlab

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	ec2cryptomining "github.com/irdrill/irdrill/simulate/techniques/aws/impact/ec2-crypto-mining"
)

// userDataMIME is the playbook's crypto-mining user data, which lives with
// the technique that plays the actor.
var userDataMIME = ec2cryptomining.UserData()

// UserData returns the playbook's crypto-mining user data as the attacker
// passes it to RunInstances (before base64).
func UserData() []byte { return ec2cryptomining.UserData() }

// reconCall is a call an attacker probing a fresh key makes and that the
// pipeline user's ec2:* policy denies.
type reconCall struct {
	operation, command string
	call               func(ctx context.Context, c *iam.Client) error
}

var recon = []reconCall{
	{"ListUsers", "iam.list-users", func(ctx context.Context, c *iam.Client) error {
		_, err := c.ListUsers(ctx, &iam.ListUsersInput{}, iamCLI("iam.list-users"))
		return err
	}},
	{"ListRoles", "iam.list-roles", func(ctx context.Context, c *iam.Client) error {
		_, err := c.ListRoles(ctx, &iam.ListRolesInput{}, iamCLI("iam.list-roles"))
		return err
	}},
	{"CreateUser", "iam.create-user", func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("backdoor")}, iamCLI("iam.create-user"))
		return err
	}},
}

func (l *lab) recordCall(service, operation, command string, err error) {
	c := AttackCall{Service: service, Operation: operation, UserAgent: userAgent(command), ErrorCode: errorCode(err)}
	if err != nil && c.ErrorCode == "" {
		c.ErrorCode = "(no API error)"
	}
	l.res.AttackCalls = append(l.res.AttackCalls, c)
}

// attack plays the actor with the leaked key from the attacker's address:
// a look at whose key it is, IAM probes that fail, then the workshop's
// simulate_crypto_mining_activity.sh.
func (l *lab) attack(ctx context.Context) error {
	if err := l.nextSecond(ctx); err != nil {
		return err
	}
	l.res.AttackStart = l.cfg.Clock()
	l.log.Debug("attack starts", "key", l.res.LeakedKeyID, "from", l.cfg.AttackerIP)
	err := l.simulate(ctx)
	l.res.AttackEnd = l.cfg.Clock()
	if err != nil {
		return err
	}
	return l.nextSecond(ctx)
}

// simulate is the attacker's calls.
func (l *lab) simulate(ctx context.Context) error {

	who, err := l.attacker.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, stsCLI("sts.get-caller-identity"))
	l.recordCall("sts", "GetCallerIdentity", "sts.get-caller-identity", err)
	if err != nil {
		return fmt.Errorf("get caller identity with the leaked key: %w", err)
	}
	l.attackStep(true, "sts GetCallerIdentity: the key is %s", aws.ToString(who.Arn))

	for _, r := range recon {
		err := r.call(ctx, l.attacker.iam)
		l.recordCall("iam", r.operation, r.command, err)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		code := errorCode(err)
		if code != "" {
			l.res.DeniedCalls++
		}
		switch {
		case code == "AccessDenied":
			l.attackStep(true, "iam %s: AccessDenied, as expected: the key has no IAM rights", r.operation)
		case err == nil:
			l.attackStep(false, "iam %s: allowed, but the pipeline user should have no IAM rights", r.operation)
		default:
			l.attackStep(false, "iam %s: want AccessDenied, got %v", r.operation, err)
		}
	}

	image, err := l.newestImage(ctx)
	if err != nil {
		return err
	}
	subnets, err := l.findSubnets(ctx)
	if err != nil {
		return err
	}
	return l.launch(ctx, image, subnets)
}

// nextSecond waits for the next second on the clock. CloudTrail's
// eventTime, and so the timestamp of a record delivered to CloudWatch Logs,
// has whole seconds, and so do Logs Insights time ranges: giving the attack
// seconds of its own keeps the setup's records (CreateUser,
// CreateAccessKey) and the responder's (StartQuery, whose queryString holds
// the key id and the address the searches look for) out of the
// detections' window. A real attack comes hours after setup and days
// before the investigation. The wait is bounded in wall time in case the
// clock is a fake that stands still.
func (l *lab) nextSecond(ctx context.Context) error {
	last := l.cfg.Clock().Unix()
	deadline := time.Now().Add(1100 * time.Millisecond)
	for l.cfg.Clock().Unix() == last && time.Now().Before(deadline) {
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// newestImage is the script's describe-images: Amazon's Amazon Linux 2
// gp2 images, newest first.
func (l *lab) newestImage(ctx context.Context) (ec2types.Image, error) {
	out, err := l.attacker.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners: []string{"amazon"},
		Filters: []ec2types.Filter{
			{Name: aws.String("name"), Values: []string{ImageNamePattern}},
			{Name: aws.String("state"), Values: []string{"available"}},
		},
	}, ec2CLI("ec2.describe-images"))
	l.recordCall("ec2", "DescribeImages", "ec2.describe-images", err)
	if err != nil {
		return ec2types.Image{}, fmt.Errorf("describe images: %w", err)
	}
	if len(out.Images) == 0 {
		return ec2types.Image{}, fmt.Errorf("describe images: no image named %s", ImageNamePattern)
	}
	images := out.Images
	// CreationDate is ISO 8601 in UTC, so it sorts as text.
	sort.SliceStable(images, func(i, j int) bool {
		return aws.ToString(images[i].CreationDate) > aws.ToString(images[j].CreationDate)
	})
	newest := images[0]
	l.res.ImageID, l.res.ImageName = aws.ToString(newest.ImageId), aws.ToString(newest.Name)
	l.attackStep(true, "ec2 DescribeImages: %d Amazon Linux 2 images, newest %s (%s)", len(images), l.res.ImageID, l.res.ImageName)
	return newest, nil
}

// findSubnets is the script's describe-vpcs, then describe-subnets for
// every VPC.
func (l *lab) findSubnets(ctx context.Context) ([]ec2types.Subnet, error) {
	vpcs, err := l.attacker.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}, ec2CLI("ec2.describe-vpcs"))
	l.recordCall("ec2", "DescribeVpcs", "ec2.describe-vpcs", err)
	if err != nil {
		return nil, fmt.Errorf("describe vpcs: %w", err)
	}
	l.attackStep(true, "ec2 DescribeVpcs: %d VPC(s)", len(vpcs.Vpcs))
	var subnets []ec2types.Subnet
	for _, v := range vpcs.Vpcs {
		vpcID := aws.ToString(v.VpcId)
		l.res.VPCIDs = append(l.res.VPCIDs, vpcID)
		out, err := l.attacker.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
			Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}},
		}, ec2CLI("ec2.describe-subnets"))
		l.recordCall("ec2", "DescribeSubnets", "ec2.describe-subnets", err)
		if err != nil {
			return nil, fmt.Errorf("describe subnets of %s: %w", vpcID, err)
		}
		l.attackStep(true, "ec2 DescribeSubnets %s: %d subnet(s)", vpcID, len(out.Subnets))
		subnets = append(subnets, out.Subnets...)
	}
	if len(subnets) == 0 {
		return nil, fmt.Errorf("describe subnets: region %s has none", l.cfg.Region)
	}
	return subnets, nil
}

// launch is the script's run-instances loop: one t2.nano per subnet with
// the mining user data, and no security group, key pair, instance profile
// or tags.
func (l *lab) launch(ctx context.Context, image ec2types.Image, subnets []ec2types.Subnet) error {
	encoded := base64.StdEncoding.EncodeToString(userDataMIME)
	for _, sn := range subnets {
		subnetID := aws.ToString(sn.SubnetId)
		l.res.SubnetIDs = append(l.res.SubnetIDs, subnetID)
		out, err := l.attacker.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId:      image.ImageId,
			InstanceType: ec2types.InstanceType(InstanceType),
			MinCount:     aws.Int32(1),
			MaxCount:     aws.Int32(1),
			SubnetId:     sn.SubnetId,
			UserData:     aws.String(encoded),
		}, ec2CLI("ec2.run-instances"))
		l.recordCall("ec2", "RunInstances", "ec2.run-instances", err)
		if err != nil {
			return fmt.Errorf("run instances in %s: %w", subnetID, err)
		}
		for _, inst := range out.Instances {
			i := Instance{
				ID:               aws.ToString(inst.InstanceId),
				SubnetID:         aws.ToString(inst.SubnetId),
				AvailabilityZone: aws.ToString(sn.AvailabilityZone),
				PrivateIP:        aws.ToString(inst.PrivateIpAddress),
			}
			if inst.State != nil {
				i.State = string(inst.State.Name)
			}
			l.res.Instances = append(l.res.Instances, i)
			l.attackStep(true, "ec2 RunInstances %s in %s (%s): %s, %s", InstanceType, i.SubnetID, i.AvailabilityZone, i.ID, i.State)
		}
	}
	return nil
}
