package seedlab

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
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/target"
)

// flowLogFormat is the workshop's flow-log format: the 14 default version-2
// fields, then the fields its Glue table reads.
var flowLogFormat = strings.Join([]string{
	"${version}", "${account-id}", "${interface-id}", "${srcaddr}", "${dstaddr}", "${srcport}", "${dstport}",
	"${protocol}", "${packets}", "${bytes}", "${start}", "${end}", "${action}", "${log-status}",
	"${vpc-id}", "${subnet-id}", "${instance-id}", "${tcp-flags}", "${type}", "${pkt-srcaddr}", "${pkt-dstaddr}",
	"${region}", "${az-id}", "${sublocation-type}", "${sublocation-id}", "${pkt-src-aws-service}",
	"${pkt-dst-aws-service}", "${flow-direction}", "${traffic-path}",
}, " ")

func trustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

// setup builds the lab account as the workshop's stacks do, as the admin:
// CloudTrail to CloudWatch Logs, VPC flow-log configuration, and the
// pipeline user whose key leaks.
func (l *lab) setup(ctx context.Context) error {
	who, err := l.admin.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("get caller identity: %w", err)
	}
	account := aws.ToString(who.Account)
	l.res.AccountID = account
	l.setupStep(true, "responder is %s", aws.ToString(who.Arn))

	if l.cfg.Lab != nil {
		if err := l.usePreparedLab(ctx); err != nil {
			return err
		}
	} else {
		if err := l.setupTrail(ctx, account); err != nil {
			return err
		}
		if err := l.setupFlowLogs(ctx, account); err != nil {
			return err
		}
		if err := l.setupPipelineUser(ctx); err != nil {
			return err
		}
	}
	if l.cfg.StopLoggingBeforeAttack {
		if _, err := l.admin.trail.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(TrailName)}); err != nil {
			return fmt.Errorf("stop logging %s: %w", TrailName, err)
		}
		// A deliberate gap, shown as a failure so that nobody mistakes the
		// run for a healthy one.
		l.setupStep(false, "trail %s stopped logging before the attack (rehearsing a blind spot)", TrailName)
	}
	return nil
}

func (l *lab) setupTrail(ctx context.Context, account string) error {
	if _, err := l.admin.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(TrailLogGroup)}); err != nil {
		return fmt.Errorf("create log group %s: %w", TrailLogGroup, err)
	}
	groupARN := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", l.cfg.Region, account, TrailLogGroup)
	l.setupStep(true, "log group %s for CloudTrail", TrailLogGroup)

	role, err := l.admin.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(TrailRoleName),
		AssumeRolePolicyDocument: aws.String(trustPolicy("cloudtrail.amazonaws.com")),
	})
	if err != nil {
		return fmt.Errorf("create role %s: %w", TrailRoleName, err)
	}
	if _, err := l.admin.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:   aws.String(TrailRoleName),
		PolicyName: aws.String("CloudTrailToCloudWatchLogs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` +
			groupARN + `:log-stream:*"}]}`),
	}); err != nil {
		return fmt.Errorf("put delivery policy on role %s: %w", TrailRoleName, err)
	}
	l.setupStep(true, "role %s for CloudTrail delivery", TrailRoleName)

	trail, err := l.admin.trail.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
		Name:                       aws.String(TrailName),
		S3BucketName:               aws.String(TrailBucket),
		IsMultiRegionTrail:         aws.Bool(true),
		IncludeGlobalServiceEvents: aws.Bool(true),
		EnableLogFileValidation:    aws.Bool(true),
		CloudWatchLogsLogGroupArn:  aws.String(groupARN + ":*"),
		CloudWatchLogsRoleArn:      role.Role.Arn,
	})
	if err != nil {
		return fmt.Errorf("create trail %s: %w", TrailName, err)
	}
	l.res.TrailARN = aws.ToString(trail.TrailARN)
	if _, err := l.admin.trail.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(TrailName)}); err != nil {
		return fmt.Errorf("start logging %s: %w", TrailName, err)
	}
	status, err := l.admin.trail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(TrailName)})
	if err != nil {
		return fmt.Errorf("get trail status %s: %w", TrailName, err)
	}
	logging := aws.ToBool(status.IsLogging)
	l.setupStep(logging, "multi-region trail %s delivering to %s, logging: %t", TrailName, TrailLogGroup, logging)
	return nil
}

func (l *lab) setupFlowLogs(ctx context.Context, account string) error {
	if _, err := l.admin.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(FlowLogGroup)}); err != nil {
		return fmt.Errorf("create log group %s: %w", FlowLogGroup, err)
	}
	groupARN := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", l.cfg.Region, account, FlowLogGroup)
	role, err := l.admin.iam.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String(FlowLogRoleName),
		AssumeRolePolicyDocument: aws.String(trustPolicy("vpc-flow-logs.amazonaws.com")),
	})
	if err != nil {
		return fmt.Errorf("create role %s: %w", FlowLogRoleName, err)
	}
	if _, err := l.admin.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:   aws.String(FlowLogRoleName),
		PolicyName: aws.String("VPCFlowLogsToCloudWatchLogs"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Resource":"` +
			groupARN + `:*"}]}`),
	}); err != nil {
		return fmt.Errorf("put delivery policy on role %s: %w", FlowLogRoleName, err)
	}

	vpcs, err := l.admin.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{
		Filters: []ec2types.Filter{{Name: aws.String("is-default"), Values: []string{"true"}}},
	})
	if err != nil {
		return fmt.Errorf("find the default VPC: %w", err)
	}
	if len(vpcs.Vpcs) == 0 {
		return fmt.Errorf("find the default VPC: region %s has none", l.cfg.Region)
	}
	vpcID := aws.ToString(vpcs.Vpcs[0].VpcId)
	l.res.DefaultVPCID = vpcID
	out, err := l.admin.ec2.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
		ResourceIds:              []string{vpcID},
		ResourceType:             ec2types.FlowLogsResourceTypeVpc,
		TrafficType:              ec2types.TrafficTypeAll,
		LogGroupName:             aws.String(FlowLogGroup),
		DeliverLogsPermissionArn: role.Role.Arn,
		LogFormat:                aws.String(flowLogFormat),
		MaxAggregationInterval:   aws.Int32(60),
	})
	if err != nil {
		return fmt.Errorf("create flow logs on %s: %w", vpcID, err)
	}
	if len(out.Unsuccessful) > 0 || len(out.FlowLogIds) != 1 {
		return fmt.Errorf("create flow logs on %s: %d created, %d unsuccessful", vpcID, len(out.FlowLogIds), len(out.Unsuccessful))
	}
	l.res.FlowLogID = out.FlowLogIds[0]
	l.setupStep(true, "flow log %s on default VPC %s (traffic ALL, 60-second aggregation, the workshop's format) to %s", l.res.FlowLogID, vpcID, FlowLogGroup)
	l.res.Setup[len(l.res.Setup)-1].Detail = "configuration only: the sandbox writes no flow-log records yet (a later issue), so the lab's VPC Flow Logs queries are not run"
	return nil
}

func (l *lab) setupPipelineUser(ctx context.Context) error {
	user := l.cfg.LeakedUser
	if _, err := l.admin.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user)}); err != nil {
		return fmt.Errorf("create user %s: %w", user, err)
	}
	policy, err := l.admin.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(IntegrationPolicy),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`),
	})
	if err != nil {
		return fmt.Errorf("create policy %s: %w", IntegrationPolicy, err)
	}
	l.integrationPolicyARN = aws.ToString(policy.Policy.Arn)
	if _, err := l.admin.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: policy.Policy.Arn}); err != nil {
		return fmt.Errorf("attach %s to %s: %w", IntegrationPolicy, user, err)
	}
	l.setupStep(true, "user %s with %s (ec2:*)", user, IntegrationPolicy)

	var keyID, secret string
	if l.cfg.ProvisionLeakedKey != nil {
		creds, err := l.cfg.ProvisionLeakedKey(ctx, user)
		if err != nil {
			return fmt.Errorf("provision the leaked key for %s: %w", user, err)
		}
		keyID, secret = creds.AccessKeyID, creds.SecretAccessKey
	} else {
		key, err := l.admin.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
		if err != nil {
			return fmt.Errorf("create access key for %s: %w", user, err)
		}
		keyID, secret = aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	}
	l.res.LeakedKeyID = keyID
	l.useLeakedKey(keyID, secret)
	l.setupStep(true, "access key %s for %s: the leaked key", keyID, user)
	return nil
}

// usePreparedLab takes the lab account that target.SetUpLab found or made
// (on a served sandbox); checkPrepared has seen that its key can play the
// attacker.
func (l *lab) usePreparedLab(context.Context) error {
	st := l.cfg.Lab
	for _, step := range st.Steps {
		l.setupStep(true, "%s", step)
	}
	l.res.TrailARN = st.TrailARN
	if len(st.FlowLogIDs) > 0 {
		l.res.FlowLogID = st.FlowLogIDs[0]
	}
	if g := st.LogGroups[target.RoleVPCFlow]; g != "" {
		l.res.FlowLogGroup = g
	}
	l.res.LeakedKeyID = st.LeakedKey.AccessKeyID
	l.useLeakedKey(st.LeakedKey.AccessKeyID, st.LeakedKey.SecretAccessKey)
	return nil
}

// checkPrepared refuses a prepared lab account whose leaked key cannot
// play the attacker: none named, inactive, or behind the containment
// policy of an earlier run (or of a responder).
func (l *lab) checkPrepared(ctx context.Context) error {
	st := l.cfg.Lab
	key := st.LeakedKey
	if key.AccessKeyID == "" {
		return fmt.Errorf("the lab account names no leaked key for %s", st.LeakedUser)
	}
	keys, err := l.admin.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(st.LeakedUser)})
	if err != nil {
		return fmt.Errorf("list access keys of %s: %w", st.LeakedUser, err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) == key.AccessKeyID && k.Status != iamtypes.StatusTypeActive {
			return fmt.Errorf("the leaked key %s of %s is %s: this account's incident is already contained (by an earlier lab run, or a responder); "+
				"serve a fresh sandbox for another run", key.AccessKeyID, st.LeakedUser, k.Status)
		}
	}
	attached, err := l.admin.iam.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(st.LeakedUser)})
	if err != nil {
		return fmt.Errorf("list the policies of %s: %w", st.LeakedUser, err)
	}
	for _, p := range attached.AttachedPolicies {
		if aws.ToString(p.PolicyName) == ContainmentPolicy {
			return fmt.Errorf("%s is attached to %s: this account's incident is already contained (by an earlier lab run, or a responder); "+
				"serve a fresh sandbox for another run", ContainmentPolicy, st.LeakedUser)
		}
	}
	return nil
}
