package simulate

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/target"
)

// notServed reports whether err says the target does not serve the call,
// which for a listing means there is nothing of that kind.
func notServed(err error) bool {
	switch ErrorCode(err) {
	case "InvalidAction", "UnknownOperationException", "NotImplemented", "InternalFailure", "UnsupportedOperation":
		return true
	}
	return false
}

// Leftovers lists everything on the target that belongs to the run and
// still exists: resources tagged irdrill:run-id=<run>, resources named
// with the run's prefix, instances launched with the run's client tokens,
// and what the journal shows as made and not removed. Cleanup fails when
// it finds any.
func (r *Run) Leftovers(ctx context.Context) ([]string, error) {
	cfg, err := r.Config(ctx, target.Responder)
	if err != nil {
		return nil, err
	}
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	prefix := r.NamePrefix()

	e := ec2.NewFromConfig(cfg)
	seen := map[string]bool{}
	p := ec2.NewDescribeInstancesPaginator(e, &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, res := range page.Reservations {
			for _, inst := range res.Instances {
				if !alive(inst) {
					continue
				}
				id := aws.ToString(inst.InstanceId)
				tagged := false
				for _, t := range inst.Tags {
					if aws.ToString(t.Key) == TagKey && aws.ToString(t.Value) == r.ID {
						tagged = true
					}
				}
				if tagged || strings.HasPrefix(aws.ToString(inst.ClientToken), prefix) {
					seen[id] = true
					add("ec2 instance %s (%s)", id, inst.State.Name)
				}
			}
		}
	}
	tags, err := e.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{
		{Name: aws.String("key"), Values: []string{TagKey}}, {Name: aws.String("value"), Values: []string{r.ID}},
	}})
	if err != nil && !notServed(err) {
		return nil, fmt.Errorf("describe tags: %w", err)
	}
	if tags != nil {
		for _, t := range tags.Tags {
			if t.ResourceType == ec2types.ResourceTypeInstance {
				continue // listed above, unless terminated
			}
			add("ec2 %s %s (tagged)", t.ResourceType, aws.ToString(t.ResourceId))
		}
	}

	ic := iam.NewFromConfig(cfg)
	users := iam.NewListUsersPaginator(ic, &iam.ListUsersInput{})
	for users.HasMorePages() {
		page, err := users.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		for _, u := range page.Users {
			name := aws.ToString(u.UserName)
			if strings.HasPrefix(name, prefix) || strings.Contains(name, r.ID) {
				add("iam user %s", name)
				continue
			}
			ut, err := ic.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: u.UserName})
			if err != nil {
				if IsNotFound(err) {
					continue
				}
				return nil, fmt.Errorf("list tags of user %s: %w", name, err)
			}
			for _, t := range ut.Tags {
				if aws.ToString(t.Key) == TagKey && aws.ToString(t.Value) == r.ID {
					add("iam user %s (tagged)", name)
				}
			}
		}
	}
	roles := iam.NewListRolesPaginator(ic, &iam.ListRolesInput{})
	for roles.HasMorePages() {
		page, err := roles.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list roles: %w", err)
		}
		for _, ro := range page.Roles {
			name := aws.ToString(ro.RoleName)
			if strings.HasPrefix(name, prefix) {
				add("iam role %s", name)
				continue
			}
			// ListRoles leaves tags out, as IAM does; GetRole has them.
			got, err := ic.GetRole(ctx, &iam.GetRoleInput{RoleName: ro.RoleName})
			if err != nil {
				if IsNotFound(err) {
					continue
				}
				return nil, fmt.Errorf("get role %s: %w", name, err)
			}
			for _, t := range got.Role.Tags {
				if aws.ToString(t.Key) == TagKey && aws.ToString(t.Value) == r.ID {
					add("iam role %s (tagged)", name)
				}
			}
		}
	}
	trails, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil && !notServed(err) {
		return nil, fmt.Errorf("describe trails: %w", err)
	}
	if trails != nil {
		for _, t := range trails.TrailList {
			if name := aws.ToString(t.Name); strings.HasPrefix(name, prefix) {
				add("cloudtrail trail %s", name)
			}
		}
	}
	groups, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix)})
	if err != nil && !notServed(err) {
		return nil, fmt.Errorf("describe log groups: %w", err)
	}
	if groups != nil {
		for _, g := range groups.LogGroups {
			add("log group %s", aws.ToString(g.LogGroupName))
		}
	}

	// What the journal says is still there, checked where a listing
	// cannot see it (keys and attachments on users that are not the
	// run's, a stopped trail that is not the run's).
	live, err := r.Live("")
	if err != nil {
		return nil, err
	}
	c := &clients{cfg: cfg}
	for _, res := range live {
		switch res.Kind {
		case KindInstance:
			if !seen[res.ID] {
				out2, err := c.ec2(res.Region).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{res.ID}})
				if err != nil && !IsNotFound(err) {
					return nil, fmt.Errorf("describe instance %s: %w", res.ID, err)
				}
				if out2 != nil && len(out2.Reservations) > 0 && len(out2.Reservations[0].Instances) > 0 && alive(out2.Reservations[0].Instances[0]) {
					add("ec2 instance %s (journal)", res.ID)
				}
			}
		case KindAccessKey:
			keys, err := ic.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(res.Attrs["user"])})
			if err != nil && !IsNotFound(err) {
				return nil, fmt.Errorf("list access keys of %s: %w", res.Attrs["user"], err)
			}
			if keys != nil {
				for _, k := range keys.AccessKeyMetadata {
					if aws.ToString(k.AccessKeyId) == res.ID {
						add("iam access key %s of %s", res.ID, res.Attrs["user"])
					}
				}
			}
		case KindTrailStopped:
			st, err := c.trail(res.Region).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(res.ID)})
			if err != nil && !IsNotFound(err) {
				return nil, fmt.Errorf("get trail status %s: %w", res.ID, err)
			}
			if st != nil && !aws.ToBool(st.IsLogging) {
				add("cloudtrail trail %s still stopped", res.ID)
			}
		case KindUserPolicyAttachment:
			att, err := ic.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(res.Attrs["user"])})
			if err != nil && !IsNotFound(err) {
				return nil, fmt.Errorf("list policies of %s: %w", res.Attrs["user"], err)
			}
			if att != nil {
				for _, p := range att.AttachedPolicies {
					if aws.ToString(p.PolicyArn) == res.ID {
						add("policy %s still attached to %s", res.ID, res.Attrs["user"])
					}
				}
			}
		}
	}
	return out, nil
}
