package seedlab

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// containmentPolicy is the playbook's iam-containment-policy.
const containmentPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"IamPolicyForContainment","Action":"*","Effect":"Deny","Resource":"*"}]}`

// restoreTimeout bounds the deactivation that ends verification, which
// runs even when the run's context has ended: a drill must not leave the
// leaked key active.
const restoreTimeout = 30 * time.Second

func (l *lab) containCheck(passed bool, name, detail string) {
	l.res.Containment = append(l.res.Containment, Check{Name: name, Passed: passed, Detail: detail})
}

func (l *lab) verifyCheck(passed bool, name, detail string) {
	l.res.Verification = append(l.res.Verification, Check{Name: name, Passed: passed, Detail: detail})
}

// quietIf drops a detail that would only repeat a passed check's name.
func quietIf(passed bool, detail string) string {
	if passed {
		return ""
	}
	return detail
}

// expectCode turns an API call's outcome into a check detail: passed when
// the call failed with want.
func expectCode(err error, want string) (bool, string) {
	got := errorCode(err)
	switch {
	case err == nil:
		return false, "the call succeeded; want " + want
	case got == want:
		return true, got
	case got == "":
		return false, fmt.Sprintf("want %s, got %v", want, err)
	default:
		return false, fmt.Sprintf("want %s, got %s", want, got)
	}
}

// contain is the playbook's Part 4, as SecurityBreakGlassRole: disable the
// key and verify, attach the deny-all containment policy, stop every
// instance and check until each reads stopped. Failed checks are recorded;
// only the context ending stops it.
func (l *lab) contain(ctx context.Context) error {
	user, keyID := l.cfg.LeakedUser, l.res.LeakedKeyID

	_, err := l.admin.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: aws.String(user), AccessKeyId: aws.String(keyID), Status: iamtypes.StatusTypeInactive,
	})
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		l.containCheck(false, "UpdateAccessKey "+keyID+" Inactive", err.Error())
	} else {
		status, detail := l.keyStatus(ctx, user, keyID)
		l.containCheck(status == iamtypes.StatusTypeInactive, "UpdateAccessKey "+keyID+" Inactive, ListAccessKeys reads Inactive", quietIf(status == iamtypes.StatusTypeInactive, detail))
	}

	_, err = l.attacker.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, ec2CLI("ec2.describe-instances"))
	ok, detail := expectCode(err, "AuthFailure")
	l.containCheck(ok, "leaked key rejected by EC2 DescribeInstances", detail)
	_, err = l.attacker.iam.GetUser(ctx, &iam.GetUserInput{}, iamCLI("iam.get-user"))
	ok, detail = expectCode(err, "InvalidClientTokenId")
	l.containCheck(ok, "leaked key rejected by IAM GetUser", detail)
	if ctx.Err() != nil {
		return ctx.Err()
	}

	l.attachContainmentPolicy(ctx)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := l.stopInstances(ctx); err != nil {
		return err
	}

	passed, total := 0, len(l.res.Containment)
	for _, c := range l.res.Containment {
		if c.Passed {
			passed++
		}
	}
	if passed == total {
		l.res.TimeToContain = l.since(l.res.AttackStart)
	}
	return nil
}

// keyStatus reads the key's status with ListAccessKeys, as the playbook
// verifies it.
func (l *lab) keyStatus(ctx context.Context, user, keyID string) (iamtypes.StatusType, string) {
	out, err := l.admin.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		return "", fmt.Sprintf("list access keys: %v", err)
	}
	for _, k := range out.AccessKeyMetadata {
		if aws.ToString(k.AccessKeyId) == keyID {
			return k.Status, string(k.Status)
		}
	}
	return "", "key not listed"
}

func (l *lab) attachContainmentPolicy(ctx context.Context) {
	const name = "iam-containment-policy created and attached to "
	policy, err := l.admin.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
		PolicyName:     aws.String(ContainmentPolicy),
		PolicyDocument: aws.String(containmentPolicy),
	})
	switch {
	case err == nil:
		l.containmentPolicyARN = aws.ToString(policy.Policy.Arn)
	case errorCode(err) == "EntityAlreadyExists":
		// An account that kept an earlier run's state (a served sandbox)
		// has the policy already, detached.
		l.containmentPolicyARN = fmt.Sprintf("arn:aws:iam::%s:policy/%s", l.res.AccountID, ContainmentPolicy)
	default:
		l.containCheck(false, name+l.cfg.LeakedUser, fmt.Sprintf("create policy: %v", err))
		return
	}
	if _, err := l.admin.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{
		UserName: aws.String(l.cfg.LeakedUser), PolicyArn: aws.String(l.containmentPolicyARN),
	}); err != nil {
		l.containCheck(false, name+l.cfg.LeakedUser, fmt.Sprintf("attach user policy: %v", err))
		return
	}
	out, err := l.admin.iam.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(l.cfg.LeakedUser)})
	if err != nil {
		l.containCheck(false, name+l.cfg.LeakedUser, fmt.Sprintf("list attached user policies: %v", err))
		return
	}
	attached := slices.ContainsFunc(out.AttachedPolicies, func(p iamtypes.AttachedPolicy) bool {
		return aws.ToString(p.PolicyArn) == l.containmentPolicyARN
	})
	l.containCheck(attached, name+l.cfg.LeakedUser, fmt.Sprintf("%d policies attached", len(out.AttachedPolicies)))
}

// stopInstances stops each instance with its own StopInstances, as the
// playbook's loop does, then reads their states until all are stopped.
func (l *lab) stopInstances(ctx context.Context) error {
	var ids []string
	var failures []string
	deadline := time.Now().Add(defaultContainWindow)
	if err := l.waitWhilePending(ctx, deadline); err != nil {
		return err
	}
	for _, inst := range l.res.Instances {
		if _, err := l.admin.ec2.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{inst.ID}}); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failures = append(failures, fmt.Sprintf("%s: %v", inst.ID, err))
			continue
		}
		ids = append(ids, inst.ID)
	}
	name := fmt.Sprintf("StopInstances: every one of the %d instances reads stopped", len(l.res.Instances))
	if len(l.res.Instances) == 0 {
		l.containCheck(false, name, "no instances to stop")
		return nil
	}
	stopped := 0
	for len(ids) > 0 {
		states, err := l.instanceStates(ctx, ids)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			stopped = 0
			for i := range l.res.Instances {
				if st, ok := states[l.res.Instances[i].ID]; ok {
					l.res.Instances[i].State = st
					if st == string(ec2types.InstanceStateNameStopped) {
						stopped++
					}
				}
			}
			if stopped == len(ids) {
				break
			}
		}
		if !time.Now().Before(deadline) {
			if err != nil {
				failures = append(failures, fmt.Sprintf("describe instances: %v", err))
			}
			break
		}
		if err := sleep(ctx, l.cfg.PollInterval); err != nil {
			return err
		}
	}
	detail := fmt.Sprintf("%d/%d stopped", stopped, len(l.res.Instances))
	for _, f := range failures {
		detail += "; " + f
	}
	l.containCheck(stopped == len(l.res.Instances), name, detail)
	return nil
}

// waitWhilePending reads the instances' states until none is pending:
// EC2 refuses to stop a pending instance (IncorrectInstanceState), and a
// detection can be faster than a launch.
func (l *lab) waitWhilePending(ctx context.Context, deadline time.Time) error {
	ids := make([]string, 0, len(l.res.Instances))
	for _, inst := range l.res.Instances {
		ids = append(ids, inst.ID)
	}
	for len(ids) > 0 {
		states, err := l.instanceStates(ctx, ids)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil && !slices.Contains(slices.Collect(maps.Values(states)), string(ec2types.InstanceStateNamePending)) {
			return nil
		}
		if !time.Now().Before(deadline) {
			// Stopping will fail and say why.
			return nil
		}
		if err := sleep(ctx, l.cfg.PollInterval); err != nil {
			return err
		}
	}
	return nil
}

func (l *lab) instanceStates(ctx context.Context, ids []string) (map[string]string, error) {
	states := map[string]string{}
	pages := ec2.NewDescribeInstancesPaginator(l.admin.ec2, &ec2.DescribeInstancesInput{InstanceIds: ids})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, r := range out.Reservations {
			for _, inst := range r.Instances {
				if inst.State != nil {
					states[aws.ToString(inst.InstanceId)] = string(inst.State.Name)
				}
			}
		}
	}
	return states, nil
}

// verify shows that containment does not rest on the key being inactive:
// with the key briefly active again, the containment policy still denies
// it everywhere. The key is deactivated again whatever happens, even when
// ctx has ended.
func (l *lab) verify(ctx context.Context) error {
	user, keyID := l.cfg.LeakedUser, l.res.LeakedKeyID
	if _, err := l.admin.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: aws.String(user), AccessKeyId: aws.String(keyID), Status: iamtypes.StatusTypeActive,
	}); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		l.verifyCheck(false, "reactivate "+keyID+" to test the containment policy", err.Error())
		return nil
	}
	defer l.deactivateAgain(ctx, user, keyID)

	_, err := l.attacker.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}, ec2CLI("ec2.describe-instances"))
	ok, detail := expectCode(err, "UnauthorizedOperation")
	l.verifyCheck(ok, "reactivated key denied EC2 DescribeInstances", detail)

	_, err = l.attacker.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(l.res.ImageID), InstanceType: ec2types.InstanceType(InstanceType),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
	}, ec2CLI("ec2.run-instances"))
	ok, detail = expectCode(err, "UnauthorizedOperation")
	l.verifyCheck(ok, "reactivated key denied EC2 RunInstances", detail)

	_, err = l.attacker.iam.ListUsers(ctx, &iam.ListUsersInput{}, iamCLI("iam.list-users"))
	ok, detail = expectCode(err, "AccessDenied")
	l.verifyCheck(ok, "reactivated key denied IAM ListUsers", detail)
	return ctx.Err()
}

func (l *lab) deactivateAgain(ctx context.Context, user, keyID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), restoreTimeout)
	defer cancel()
	name := "key " + keyID + " deactivated again, ListAccessKeys reads Inactive"
	if _, err := l.admin.iam.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
		UserName: aws.String(user), AccessKeyId: aws.String(keyID), Status: iamtypes.StatusTypeInactive,
	}); err != nil {
		l.log.Error("the leaked key could not be deactivated again", "key", keyID, "err", err)
		l.verifyCheck(false, name, err.Error())
		return
	}
	status, detail := l.keyStatus(ctx, user, keyID)
	l.verifyCheck(status == iamtypes.StatusTypeInactive, name, quietIf(status == iamtypes.StatusTypeInactive, detail))
}
