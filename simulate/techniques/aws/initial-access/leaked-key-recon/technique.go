// Package leakedkeyrecon is aws.initial-access.leaked-key-recon, the
// credential-exposure actor of the workshop's second playbook: a
// helpdesk-<id> user with AdministratorAccess and an access key, which the
// actor switches to, polls until it works, then uses for list/describe
// reconnaissance across IAM, Lambda, KMS, S3, EC2, Secrets Manager and SQS.
package leakedkeyrecon

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// ID is the technique's ID.
const ID = "aws.initial-access.leaked-key-recon"

func init() {
	simulate.Register(&simulate.Technique{
		ID:   ID,
		Name: "Reconnaissance with an exposed administrator key",
		Description: "The workshop's credential-exposure actor: a helpdesk-<run-id> user with AdministratorAccess and an access key " +
			"(the warm-up), then, from the attacker's address with that key: get-caller-identity until the key works, and list/describe " +
			"calls across IAM, Lambda, KMS, S3, EC2, Secrets Manager and SQS. Calls to services the target does not serve fail; every call " +
			"and its outcome is in the run's journal.",
		Tactics:   []simulate.Tactic{simulate.InitialAccess, simulate.Discovery},
		MITRE:     []string{"T1078.004", "T1087.004", "T1526", "T1580", "T1619"},
		Telemetry: []string{"cloudtrail"},
		Parameters: []simulate.Param{
			{Name: "attacker-ip", Type: simulate.TypeIP, Default: "203.0.113.99", Description: "the address the actor's calls come from (on targets that simulate it)"},
			{Name: "key-wait", Type: simulate.TypeDuration, Default: "2m", Description: "how long to poll get-caller-identity until the new key works (IAM is eventually consistent on AWS)"},
		},
		Warmup:   warmup,
		Detonate: detonate,
		Cleanup:  simulate.RemoveCreated,
	})
}

func userName(r *simulate.Run) string { return "helpdesk-" + r.ID }

// warmup creates the exposed user and its key, once.
func warmup(ctx context.Context, r *simulate.Run) error {
	if keys, err := r.Live(simulate.KindAccessKey); err != nil || len(keys) > 0 {
		return err
	}
	cfg, err := r.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	c := iam.NewFromConfig(cfg)
	user := userName(r)
	res := simulate.Resource{Kind: simulate.KindUser, ID: user}
	if err := r.Intend(res); err != nil {
		return err
	}
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user), Tags: r.IAMTags()}); err != nil && simulate.ErrorCode(err) != "EntityAlreadyExists" {
		return fmt.Errorf("create user %s: %w", user, err)
	}
	if err := r.Created(res); err != nil {
		return err
	}
	if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		return fmt.Errorf("attach AdministratorAccess to %s: %w", user, err)
	}
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		return fmt.Errorf("create access key for %s: %w", user, err)
	}
	// The secret is kept in the run's journal (mode 0600) so that a
	// detonation in another process signs with it; the key dies with the
	// run's cleanup.
	return r.Created(simulate.Resource{Kind: simulate.KindAccessKey, ID: aws.ToString(key.AccessKey.AccessKeyId),
		Attrs: map[string]string{"user": user, "secret": aws.ToString(key.AccessKey.SecretAccessKey)}})
}

func detonate(ctx context.Context, r *simulate.Run) error {
	keys, err := r.Live(simulate.KindAccessKey)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return fmt.Errorf("no exposed key: the warm-up did not run")
	}
	k := keys[len(keys)-1]
	id := target.Identity("exposed:" + k.ID)
	r.Target.SetCredentials(id, aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Attrs["secret"]})
	cfg, err := r.ActorConfig(ctx, simulate.Actor{Identity: id, SourceIP: r.Params.String("attacker-ip")})
	if err != nil {
		return err
	}
	if err := waitForKey(ctx, r, sts.NewFromConfig(cfg)); err != nil {
		return err
	}
	failed := 0
	for _, call := range recon {
		if err := call.fn(ctx, cfg); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			r.Logf("%s %s: %s", call.service, call.op, short(err))
			continue
		}
		r.Logf("%s %s", call.service, call.op)
	}
	r.Logf("%d reconnaissance calls, %d failed or were denied", len(recon), failed)
	return nil
}

// waitForKey polls get-caller-identity until the new key works, as the
// workshop's script does.
func waitForKey(ctx context.Context, r *simulate.Run, c *sts.Client) error {
	deadline := time.Now().Add(r.Params.Duration("key-wait"))
	for {
		_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("the exposed key never worked: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

func short(err error) string {
	if code := simulate.ErrorCode(err); code != "" {
		return code
	}
	s := err.Error()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

type reconCall struct {
	service, op string
	fn          func(ctx context.Context, cfg aws.Config) error
}

// recon is the workshop script's list/describe calls.
var recon = []reconCall{
	{"iam", "ListUsers", func(ctx context.Context, cfg aws.Config) error {
		_, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
		return err
	}},
	{"iam", "ListRoles", func(ctx context.Context, cfg aws.Config) error {
		_, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{})
		return err
	}},
	{"iam", "ListPolicies", func(ctx context.Context, cfg aws.Config) error {
		_, err := iam.NewFromConfig(cfg).ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
		return err
	}},
	{"iam", "ListGroups", func(ctx context.Context, cfg aws.Config) error {
		_, err := iam.NewFromConfig(cfg).ListGroups(ctx, &iam.ListGroupsInput{})
		return err
	}},
	{"lambda", "ListFunctions", func(ctx context.Context, cfg aws.Config) error {
		_, err := lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
		return err
	}},
	{"kms", "ListKeys", func(ctx context.Context, cfg aws.Config) error {
		_, err := kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{})
		return err
	}},
	{"kms", "ListAliases", func(ctx context.Context, cfg aws.Config) error {
		_, err := kms.NewFromConfig(cfg).ListAliases(ctx, &kms.ListAliasesInput{})
		return err
	}},
	{"s3", "ListBuckets", func(ctx context.Context, cfg aws.Config) error {
		_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	}},
	{"ec2", "DescribeInstances", func(ctx context.Context, cfg aws.Config) error {
		_, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
		return err
	}},
	{"ec2", "DescribeSecurityGroups", func(ctx context.Context, cfg aws.Config) error {
		_, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
		return err
	}},
	{"ec2", "DescribeVpcs", func(ctx context.Context, cfg aws.Config) error {
		_, err := ec2.NewFromConfig(cfg).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		return err
	}},
	{"secretsmanager", "ListSecrets", func(ctx context.Context, cfg aws.Config) error {
		_, err := secretsmanager.NewFromConfig(cfg).ListSecrets(ctx, &secretsmanager.ListSecretsInput{})
		return err
	}},
	{"sqs", "ListQueues", func(ctx context.Context, cfg aws.Config) error {
		_, err := sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
		return err
	}},
}
