package simulate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/target"
)

// Resource kinds the runner knows how to remove.
const (
	// KindInstance is an EC2 instance (ID: instance ID).
	KindInstance = "ec2:instance"
	// KindInstanceLaunch is a RunInstances call (ID: its client token):
	// every instance launched with the token is the run's, tagged or not.
	KindInstanceLaunch = "ec2:run-instances"
	// KindUser is an IAM user (ID: user name); removal deletes its keys,
	// policies and group memberships first, as IAM demands.
	KindUser = "iam:user"
	// KindAccessKey is an access key (ID: key ID; Attrs["user"]).
	KindAccessKey = "iam:access-key"
	// KindUserPolicyAttachment is a managed policy attached to a user that
	// is not the run's (ID: policy ARN; Attrs["user"]).
	KindUserPolicyAttachment = "iam:user-policy-attachment"
	// KindRole is an IAM role (ID: role name).
	KindRole = "iam:role"
	// KindTrail is a CloudTrail trail (ID: name).
	KindTrail = "cloudtrail:trail"
	// KindTrailStopped is a trail that was logging and that the run
	// stopped (ID: name); removal starts its logging again.
	KindTrailStopped = "cloudtrail:logging-stopped"
	// KindLogGroup is a CloudWatch Logs log group (ID: name).
	KindLogGroup = "logs:log-group"
)

// remover removes one resource; a resource already gone is no error.
type remover func(ctx context.Context, c *clients, r Resource) error

var removers = map[string]remover{
	KindInstance:             removeInstance,
	KindInstanceLaunch:       removeLaunch,
	KindUser:                 removeUser,
	KindAccessKey:            removeAccessKey,
	KindUserPolicyAttachment: removeUserPolicyAttachment,
	KindRole:                 removeRole,
	KindTrail:                removeTrail,
	KindTrailStopped:         restartTrail,
	KindLogGroup:             removeLogGroup,
}

// clients are the responder's clients for cleanup, per region.
type clients struct {
	cfg aws.Config
}

func (c *clients) ec2(region string) *ec2.Client {
	return ec2.NewFromConfig(c.cfg, func(o *ec2.Options) {
		if region != "" {
			o.Region = region
		}
	})
}
func (c *clients) iam() *iam.Client { return iam.NewFromConfig(c.cfg) }
func (c *clients) trail(region string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(c.cfg, func(o *cloudtrail.Options) {
		if region != "" {
			o.Region = region
		}
	})
}
func (c *clients) logs(region string) *cloudwatchlogs.Client {
	return cloudwatchlogs.NewFromConfig(c.cfg, func(o *cloudwatchlogs.Options) {
		if region != "" {
			o.Region = region
		}
	})
}

func gone(err error) error {
	if err == nil || IsNotFound(err) {
		return nil
	}
	return err
}

func terminate(ctx context.Context, c *clients, region string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := c.ec2(region).TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
	if err = gone(err); err != nil {
		return fmt.Errorf("terminate %s: %w", strings.Join(ids, " "), err)
	}
	return nil
}

func removeInstance(ctx context.Context, c *clients, r Resource) error {
	return terminate(ctx, c, r.Region, []string{r.ID})
}

// instancesByToken lists the live instances launched with a client token
// that starts with prefix.
func instancesByToken(ctx context.Context, c *clients, region, prefix string, exact bool) ([]ec2types.Instance, error) {
	var out []ec2types.Instance
	p := ec2.NewDescribeInstancesPaginator(c.ec2(region), &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, res := range page.Reservations {
			for _, inst := range res.Instances {
				tok := aws.ToString(inst.ClientToken)
				if (exact && tok != prefix) || (!exact && !strings.HasPrefix(tok, prefix)) || !alive(inst) {
					continue
				}
				out = append(out, inst)
			}
		}
	}
	return out, nil
}

func alive(inst ec2types.Instance) bool {
	if inst.State == nil {
		return true
	}
	return inst.State.Name != ec2types.InstanceStateNameTerminated && inst.State.Name != ec2types.InstanceStateNameShuttingDown
}

func removeLaunch(ctx context.Context, c *clients, r Resource) error {
	insts, err := instancesByToken(ctx, c, r.Region, r.ID, true)
	if err != nil {
		return err
	}
	ids := make([]string, len(insts))
	for i, inst := range insts {
		ids[i] = aws.ToString(inst.InstanceId)
	}
	return terminate(ctx, c, r.Region, ids)
}

// removeUser deletes a user in the order IAM demands: keys, managed and
// inline policies, group memberships, then the user.
func removeUser(ctx context.Context, c *clients, r Resource) error {
	cl := c.iam()
	user := aws.String(r.ID)
	if _, err := cl.GetUser(ctx, &iam.GetUserInput{UserName: user}); IsNotFound(err) {
		return nil
	}
	keys, err := cl.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: user})
	if err = gone(err); err != nil {
		return fmt.Errorf("list access keys of %s: %w", r.ID, err)
	}
	if keys != nil {
		for _, k := range keys.AccessKeyMetadata {
			if _, err := cl.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: k.AccessKeyId}); gone(err) != nil {
				return fmt.Errorf("delete access key %s of %s: %w", aws.ToString(k.AccessKeyId), r.ID, err)
			}
		}
	}
	attached, err := cl.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: user})
	if err = gone(err); err != nil {
		return fmt.Errorf("list policies of %s: %w", r.ID, err)
	}
	if attached != nil {
		for _, p := range attached.AttachedPolicies {
			if _, err := cl.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: p.PolicyArn}); gone(err) != nil {
				return fmt.Errorf("detach %s from %s: %w", aws.ToString(p.PolicyArn), r.ID, err)
			}
		}
	}
	inline, err := cl.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: user})
	if err = gone(err); err != nil {
		return fmt.Errorf("list inline policies of %s: %w", r.ID, err)
	}
	if inline != nil {
		for _, name := range inline.PolicyNames {
			if _, err := cl.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String(name)}); gone(err) != nil {
				return fmt.Errorf("delete inline policy %s of %s: %w", name, r.ID, err)
			}
		}
	}
	groups, err := cl.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: user})
	if err = gone(err); err != nil {
		return fmt.Errorf("list groups of %s: %w", r.ID, err)
	}
	if groups != nil {
		for _, g := range groups.Groups {
			if _, err := cl.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: user, GroupName: g.GroupName}); gone(err) != nil {
				return fmt.Errorf("remove %s from %s: %w", r.ID, aws.ToString(g.GroupName), err)
			}
		}
	}
	if _, err := cl.DeleteUser(ctx, &iam.DeleteUserInput{UserName: user}); gone(err) != nil {
		return fmt.Errorf("delete user %s: %w", r.ID, err)
	}
	return nil
}

func removeAccessKey(ctx context.Context, c *clients, r Resource) error {
	_, err := c.iam().DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(r.Attrs["user"]), AccessKeyId: aws.String(r.ID)})
	if err = gone(err); err != nil {
		return fmt.Errorf("delete access key %s of %s: %w", r.ID, r.Attrs["user"], err)
	}
	return nil
}

func removeUserPolicyAttachment(ctx context.Context, c *clients, r Resource) error {
	_, err := c.iam().DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String(r.Attrs["user"]), PolicyArn: aws.String(r.ID)})
	if err = gone(err); err != nil {
		return fmt.Errorf("detach %s from %s: %w", r.ID, r.Attrs["user"], err)
	}
	return nil
}

func removeRole(ctx context.Context, c *clients, r Resource) error {
	cl := c.iam()
	role := aws.String(r.ID)
	attached, err := cl.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: role})
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list policies of role %s: %w", r.ID, err)
	}
	for _, p := range attached.AttachedPolicies {
		if _, err := cl.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: p.PolicyArn}); gone(err) != nil {
			return fmt.Errorf("detach %s from role %s: %w", aws.ToString(p.PolicyArn), r.ID, err)
		}
	}
	inline, err := cl.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: role})
	if err = gone(err); err != nil {
		return fmt.Errorf("list inline policies of role %s: %w", r.ID, err)
	}
	if inline != nil {
		for _, name := range inline.PolicyNames {
			if _, err := cl.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String(name)}); gone(err) != nil {
				return fmt.Errorf("delete inline policy %s of role %s: %w", name, r.ID, err)
			}
		}
	}
	if _, err := cl.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: role}); gone(err) != nil {
		return fmt.Errorf("delete role %s: %w", r.ID, err)
	}
	return nil
}

func removeTrail(ctx context.Context, c *clients, r Resource) error {
	_, err := c.trail(r.Region).DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(r.ID)})
	if err = gone(err); err != nil {
		return fmt.Errorf("delete trail %s: %w", r.ID, err)
	}
	return nil
}

// restartTrail undoes a StopLogging: the trail logs again, unless it is
// gone (deleted by the technique or by someone else).
func restartTrail(ctx context.Context, c *clients, r Resource) error {
	_, err := c.trail(r.Region).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(r.ID)})
	if err = gone(err); err != nil {
		return fmt.Errorf("start logging %s again: %w", r.ID, err)
	}
	return nil
}

func removeLogGroup(ctx context.Context, c *clients, r Resource) error {
	_, err := c.logs(r.Region).DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(r.ID)})
	if err = gone(err); err != nil {
		return fmt.Errorf("delete log group %s: %w", r.ID, err)
	}
	return nil
}

// RemoveCreated is the Cleanup of most techniques: it removes every
// resource the run's journal shows as made and not yet removed, newest
// first, journaling each removal. It goes on past a failure and returns
// every error.
func RemoveCreated(ctx context.Context, r *Run) error { return RemoveKinds(ctx, r) }

// RemoveKinds is RemoveCreated for the resources of the given kinds only
// (all kinds when none is given), e.g. for a Revert that keeps the
// prerequisites.
func RemoveKinds(ctx context.Context, r *Run, kinds ...string) error {
	all, err := r.Live("")
	if err != nil {
		return err
	}
	var live []Resource
	for _, res := range all {
		if len(kinds) == 0 || slices.Contains(kinds, res.Kind) {
			live = append(live, res)
		}
	}
	cfg, err := r.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	c := &clients{cfg: cfg}
	var errs []error
	for i := len(live) - 1; i >= 0; i-- {
		res := live[i]
		rm, ok := removers[res.Kind]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: no remover for kind %q", res, res.Kind))
			continue
		}
		if err := rm(ctx, c, res); err != nil {
			errs = append(errs, err)
			continue
		}
		r.Logf("removed %s", res)
		if err := r.Deleted(res); err != nil {
			return errors.Join(append(errs, err)...)
		}
	}
	return errors.Join(errs...)
}
