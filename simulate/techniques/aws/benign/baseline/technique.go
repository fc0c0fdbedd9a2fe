// Package baseline is aws.benign.baseline: ordinary activity by principals
// other than the attacker, which detections must stay quiet on. As the
// playbook found, it includes an assumed role, DevOps/MaryMajor, calling
// EC2 describes from the attacker's own address.
package baseline

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// ID is the technique's ID.
const ID = "aws.benign.baseline"

func init() {
	simulate.Register(&simulate.Technique{
		ID:   ID,
		Name: "Benign baseline activity",
		Description: "Ordinary activity by other principals, for false-positive checks: the assumed role DevOps/MaryMajor describing " +
			"instances, instance status, volumes and security groups from 203.0.113.99 (the address the playbook's attacker shares); a CI " +
			"user launching and tagging one instance from 192.0.2.44; an administrator reading IAM, CloudTrail and CloudWatch Logs from " +
			"192.0.2.10. Its MITRE IDs are those whose detections it exercises as noise.",
		Tactics:   []simulate.Tactic{simulate.Benign},
		MITRE:     []string{"T1078.004", "T1580"},
		Telemetry: []string{"cloudtrail"},
		Parameters: []simulate.Param{
			{Name: "role-name", Type: simulate.TypeString, Default: "DevOps", Description: "the role the operator assumes (the playbook's DevOps)"},
			{Name: "session-name", Type: simulate.TypeString, Default: "MaryMajor", Description: "the operator's role session name (the playbook's MaryMajor)"},
			{Name: "shared-ip", Type: simulate.TypeIP, Default: "203.0.113.99", Description: "the operator's address, which the attacker shares"},
			{Name: "ci-ip", Type: simulate.TypeIP, Default: "192.0.2.44", Description: "the CI user's address"},
			{Name: "admin-ip", Type: simulate.TypeIP, Default: "192.0.2.10", Description: "the administrator's address"},
			{Name: "instance-type", Type: simulate.TypeString, Default: "t3.micro", Description: "the CI user's instance type"},
		},
		Warmup:   warmup,
		Detonate: detonate,
		Cleanup:  simulate.RemoveCreated,
	})
}

func operator(r *simulate.Run) string { return r.NamePrefix() + "-mary.major" }
func ciUser(r *simulate.Run) string   { return r.NamePrefix() + "-ci-deployer" }

// warmup makes the principals: the operator's user, the role it assumes,
// and the CI user, each with a key kept in the journal.
func warmup(ctx context.Context, r *simulate.Run) error {
	if users, err := r.Live(simulate.KindAccessKey); err != nil || len(users) >= 2 {
		return err
	}
	cfg, err := r.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	c := iam.NewFromConfig(cfg)
	account := r.Target.AccountID()
	roleName := r.Params.String("role-name")
	roleARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", account, roleName)
	if err := user(ctx, r, c, operator(r), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+roleARN+`"}]}`); err != nil {
		return err
	}
	role := simulate.Resource{Kind: simulate.KindRole, ID: roleName}
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)}); err == nil {
		if live, _ := r.Live(simulate.KindRole); len(live) == 0 {
			return fmt.Errorf("role %s already exists and is not this run's: pick another with role-name=", roleName)
		}
	} else {
		if err := r.Intend(role); err != nil {
			return err
		}
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(roleName), Tags: r.IAMTags(),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/` + operator(r) + `"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
			return fmt.Errorf("create role %s: %w", roleName, err)
		}
		if err := r.Created(role); err != nil {
			return err
		}
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("describe"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)}); err != nil {
		return fmt.Errorf("put policy on role %s: %w", roleName, err)
	}
	return user(ctx, r, c, ciUser(r), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","ec2:RunInstances","ec2:CreateTags","sts:GetCallerIdentity"],"Resource":"*"}]}`)
}

// user makes a user with an inline policy and an access key.
func user(ctx context.Context, r *simulate.Run, c *iam.Client, name, policy string) error {
	res := simulate.Resource{Kind: simulate.KindUser, ID: name}
	if err := r.Intend(res); err != nil {
		return err
	}
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Tags: r.IAMTags()}); err != nil && simulate.ErrorCode(err) != "EntityAlreadyExists" {
		return fmt.Errorf("create user %s: %w", name, err)
	}
	if err := r.Created(res); err != nil {
		return err
	}
	if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("baseline"), PolicyDocument: aws.String(policy)}); err != nil {
		return fmt.Errorf("put policy on %s: %w", name, err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("create access key for %s: %w", name, err)
	}
	return r.Created(simulate.Resource{Kind: simulate.KindAccessKey, ID: aws.ToString(key.AccessKey.AccessKeyId),
		Attrs: map[string]string{"user": name, "secret": aws.ToString(key.AccessKey.SecretAccessKey)}})
}

// keyOf names the journaled key of a user as an identity.
func keyOf(r *simulate.Run, user string) (target.Identity, error) {
	keys, err := r.Live(simulate.KindAccessKey)
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		if k.Attrs["user"] == user {
			id := target.Identity("baseline:" + user)
			r.Target.SetCredentials(id, aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Attrs["secret"]})
			return id, nil
		}
	}
	return "", fmt.Errorf("no key for %s: the warm-up did not run", user)
}

func detonate(ctx context.Context, r *simulate.Run) error {
	if err := operatorActivity(ctx, r); err != nil {
		return err
	}
	if err := ciActivity(ctx, r); err != nil {
		return err
	}
	return adminActivity(ctx, r)
}

// operatorActivity is DevOps/MaryMajor, from the shared address.
func operatorActivity(ctx context.Context, r *simulate.Run) error {
	id, err := keyOf(r, operator(r))
	if err != nil {
		return err
	}
	cfg, err := r.ActorConfig(ctx, simulate.Actor{Identity: id, SourceIP: r.Params.String("shared-ip")})
	if err != nil {
		return err
	}
	roleARN := fmt.Sprintf("arn:aws:iam::%s:role/%s", r.Target.AccountID(), r.Params.String("role-name"))
	var out *sts.AssumeRoleOutput
	// IAM is eventually consistent on AWS: a new role may take a few
	// seconds to be assumable.
	for attempt := 0; ; attempt++ {
		out, err = sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(r.Params.String("session-name"))})
		if err == nil || attempt >= 10 || simulate.ErrorCode(err) != "AccessDenied" {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	if err != nil {
		return fmt.Errorf("assume %s as %s: %w", roleARN, r.Params.String("session-name"), err)
	}
	session := target.Identity("baseline:session")
	r.Target.SetCredentials(session, aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)})
	rc, err := r.ActorConfig(ctx, simulate.Actor{Identity: session, SourceIP: r.Params.String("shared-ip")})
	if err != nil {
		return err
	}
	ec := ec2.NewFromConfig(rc)
	for i := 0; i < 2; i++ {
		if _, err := ec.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
			return fmt.Errorf("describe instances as %s: %w", aws.ToString(out.AssumedRoleUser.Arn), err)
		}
		if _, err := ec.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{}); err != nil {
			return fmt.Errorf("describe instance status: %w", err)
		}
		if _, err := ec.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{}); err != nil {
			return fmt.Errorf("describe volumes: %w", err)
		}
	}
	if _, err := ec.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{}); err != nil {
		return fmt.Errorf("describe security groups: %w", err)
	}
	r.Logf("%s described EC2 from %s", aws.ToString(out.AssumedRoleUser.Arn), r.Params.String("shared-ip"))
	return nil
}

// ciActivity is the pipeline deploying one tagged instance.
func ciActivity(ctx context.Context, r *simulate.Run) error {
	id, err := keyOf(r, ciUser(r))
	if err != nil {
		return err
	}
	cfg, err := r.ActorConfig(ctx, simulate.Actor{Identity: id, SourceIP: r.Params.String("ci-ip")})
	if err != nil {
		return err
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		return fmt.Errorf("get caller identity as %s: %w", ciUser(r), err)
	}
	ec := ec2.NewFromConfig(cfg)
	images, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"},
		Filters: []ec2types.Filter{{Name: aws.String("architecture"), Values: []string{"x86_64"}}, {Name: aws.String("state"), Values: []string{"available"}}}})
	if err != nil || len(images.Images) == 0 {
		return fmt.Errorf("describe images: %v (%d)", err, lenImages(images))
	}
	subnets, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subnets.Subnets) == 0 {
		return fmt.Errorf("describe subnets: %v", err)
	}
	token := r.NamePrefix() + "-ci"
	launch := simulate.Resource{Kind: simulate.KindInstanceLaunch, ID: token, Region: r.Target.Region()}
	if err := r.Intend(launch); err != nil {
		return err
	}
	run, err := ec.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: images.Images[0].ImageId, InstanceType: ec2types.InstanceType(r.Params.String("instance-type")),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: subnets.Subnets[0].SubnetId, ClientToken: aws.String(token),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: append(r.EC2Tags(), ec2types.Tag{Key: aws.String("Name"), Value: aws.String("web-1")})}}})
	if err != nil {
		return fmt.Errorf("run instances as %s: %w", ciUser(r), err)
	}
	instID := aws.ToString(run.Instances[0].InstanceId)
	if err := r.Created(simulate.Resource{Kind: simulate.KindInstance, ID: instID, Region: r.Target.Region(), Attrs: map[string]string{"clientToken": token}}); err != nil {
		return err
	}
	if _, err := ec.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{instID}, Tags: []ec2types.Tag{{Key: aws.String("Team"), Value: aws.String("web")}}}); err != nil {
		return fmt.Errorf("create tags as %s: %w", ciUser(r), err)
	}
	if _, err := ec.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{instID}}); err != nil {
		return fmt.Errorf("describe instance %s: %w", instID, err)
	}
	r.Logf("%s launched %s from %s", ciUser(r), instID, r.Params.String("ci-ip"))
	return nil
}

func lenImages(o *ec2.DescribeImagesOutput) int {
	if o == nil {
		return 0
	}
	return len(o.Images)
}

// adminActivity is an administrator's routine reads.
func adminActivity(ctx context.Context, r *simulate.Run) error {
	cfg, err := r.ActorConfig(ctx, simulate.Actor{Identity: target.Responder, SourceIP: r.Params.String("admin-ip")})
	if err != nil {
		return err
	}
	ic := iam.NewFromConfig(cfg)
	if _, err := ic.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	if _, err := ic.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(ciUser(r))}); err != nil {
		return fmt.Errorf("get user: %w", err)
	}
	if _, err := ic.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		return fmt.Errorf("list roles: %w", err)
	}
	if r.Target.Capabilities().CloudTrailDelivery {
		ct := cloudtrail.NewFromConfig(cfg)
		if _, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}); err != nil {
			return fmt.Errorf("describe trails: %w", err)
		}
		if _, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
			return fmt.Errorf("describe log groups: %w", err)
		}
	}
	r.Logf("an administrator read IAM, CloudTrail and CloudWatch Logs from %s", r.Params.String("admin-ip"))
	return nil
}
