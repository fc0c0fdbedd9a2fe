package library_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/detect"
	"github.com/irdrill/irdrill/internal/seedlab"
	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

var record = flag.Bool("record", false, "re-record fixtures/sandbox-* from the embedded sandbox")

// Addresses of the recordings' principals.
const (
	attackerIP = seedlab.DefaultAttackerIP // the playbook's 203.0.113.99, shared by DevOps/MaryMajor
	ciIP       = "192.0.2.44"
	adminIP    = "192.0.2.10"
	account    = sandbox.DefaultAccountID
	decoyTrail = "irdrill-lab-audit-copy"
)

// TestRecordFixtures re-records the CloudTrail fixtures of the library's
// cases from the embedded sandbox:
//
//	go test ./detect/library -run TestRecordFixtures -record
//
// One sandbox, three windows on its clock, each recorded with detect.Record
// from the trail's log group:
//
//   - fixtures/sandbox-seed-attack: the seed attack, exactly as
//     internal/seedlab plays it (the pipeline key from 203.0.113.99: IAM
//     probes that are denied, then the playbook's describe calls and one
//     RunInstances per subnet).
//   - fixtures/sandbox-baseline: ordinary activity by other principals:
//     DevOps/MaryMajor (an assumed role) describing instances from
//     203.0.113.99, the address the attacker shares, as the playbook found;
//     a CI user launching one instance; an administrator reading IAM and
//     CloudTrail.
//   - fixtures/sandbox-followup: the same actor with a stronger key
//     (helpdesk, administrator) after the mining: temporary credentials, a
//     backdoor user and key, a trail deleted and the lab's trail stopped.
func TestRecordFixtures(t *testing.T) {
	if !*record {
		t.Skip("run with -record to re-record fixtures/sandbox-* from the embedded sandbox")
	}
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	res, err := seedlab.Run(ctx, seedlab.Config{
		Endpoint: sb.URL, AdminCredentials: sb.AdminCredentials, PollInterval: 100 * time.Millisecond,
		ProvisionLeakedKey: func(_ context.Context, user string) (aws.Credentials, error) {
			err := sb.Handler().IAM().ImportAccessKey(user, seedlab.SeedAccessKeyID, seedlab.SeedSecretAccessKey)
			return aws.Credentials{AccessKeyID: seedlab.SeedAccessKeyID, SecretAccessKey: seedlab.SeedSecretAccessKey}, err
		},
	}, io.Discard)
	if err != nil {
		t.Fatalf("seedlab: %v", err)
	}
	admin := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	src := detect.NewLiveSource(admin, map[detect.Role]string{detect.RoleCloudTrail: seedlab.TrailLogGroup})
	rec := func(dir string, w detect.Window, r detect.Recording) {
		t.Helper()
		// CloudTrail's eventTime, and so the record's timestamp, has whole
		// seconds: the window covers the seconds it touches.
		w = detect.Window{Start: w.Start.UTC().Truncate(time.Second), End: w.End.UTC().Truncate(time.Second).Add(time.Second - time.Millisecond)}
		if err := sb.Handler().CloudTrail().Flush(ctx); err != nil {
			t.Fatal(err)
		}
		// The recording is the whole directory: stale files go first.
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := detect.Record(ctx, src, dir, []detect.Role{detect.RoleCloudTrail}, w, r); err != nil {
			t.Fatal(err)
		}
		t.Logf("recorded %s: %v", dir, w)
	}
	rec(filepath.Join("fixtures", "sandbox-seed-attack"), detect.Window{Start: res.AttackStart, End: res.AttackEnd}, detect.Recording{
		Description: "The EC2 crypto-mining playbook's attack on the embedded sandbox, played by internal/seedlab: the pipeline user's leaked key from 203.0.113.99, IAM probes denied, describe-images/vpcs/subnets, one run-instances per subnet. Re-record: go test ./detect/library -run TestRecordFixtures -record",
		Parameters:  map[string]string{"attacker_ip": res.AttackerIP, "access_key_id": res.LeakedKeyID},
	})

	b := newBaseline(t, sb)
	w := window(t, func() { b.activity(t) })
	rec(filepath.Join("fixtures", "sandbox-baseline"), w, detect.Recording{
		Description: "Ordinary activity on the embedded sandbox by principals other than the attacker: DevOps/MaryMajor (assumed role) describing instances from 203.0.113.99, the attacker's shared address; ci-deployer launching one instance from 192.0.2.44; an administrator reading IAM and CloudTrail from 192.0.2.10. Re-record: go test ./detect/library -run TestRecordFixtures -record",
		Parameters:  map[string]string{"attacker_ip": res.AttackerIP, "access_key_id": res.LeakedKeyID},
	})

	f := newFollowup(t, sb)
	w = window(t, func() { f.activity(t) })
	rec(filepath.Join("fixtures", "sandbox-followup"), w, detect.Recording{
		Description: "The actor's follow-up on the embedded sandbox with an administrator key (helpdesk) from 203.0.113.99: get-session-token, a backdoor user with an access key, delete-trail on a second trail, stop-logging on the lab's trail. Re-record: go test ./detect/library -run TestRecordFixtures -record",
		Parameters: map[string]string{
			"attacker_ip": attackerIP, "access_key_id": f.keyID,
			// The session key the actor's get-session-token returned: what
			// the lab's "IAM access key created" query looks for.
			"created_key_id": f.sessionKeyID,
		},
	})
}

// window runs fn in seconds of its own on the sandbox's clock (CloudTrail's
// eventTime has whole seconds) and returns them.
func window(t *testing.T, fn func()) detect.Window {
	t.Helper()
	nextSecond()
	start := time.Now().UTC().Truncate(time.Second)
	fn()
	end := time.Now().UTC()
	nextSecond()
	return detect.Window{Start: start, End: end}
}

func nextSecond() {
	last := time.Now().Unix()
	for time.Now().Unix() == last {
		time.Sleep(20 * time.Millisecond)
	}
}

// must is for the generator's calls, which must all succeed: a failure
// panics, which fails the test with the call's stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// from is a configuration for creds calling from ip.
func from(sb *sandbox.Sandbox, creds aws.Credentials, ip string) aws.Config {
	cfg := sandboxtest.Config(sb.URL, sb.Region, creds)
	cfg.APIOptions = append(cfg.APIOptions, sandbox.WithSourceIP(ip))
	return cfg
}

func userWithKey(t *testing.T, c *iam.Client, name, policy string) aws.Credentials {
	t.Helper()
	ctx := context.Background()
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(name + "-policy"), PolicyDocument: aws.String(policy)}))
	key := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))
	return aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}
}

type baseline struct {
	sb         *sandbox.Sandbox
	mary, ci   aws.Credentials
	devOpsRole string
	subnet     string
	image      string
}

// newBaseline sets up the baseline's principals, before its window.
func newBaseline(t *testing.T, sb *sandbox.Sandbox) *baseline {
	ctx := context.Background()
	c := iam.NewFromConfig(from(sb, sb.AdminCredentials, adminIP))
	b := &baseline{sb: sb, devOpsRole: fmt.Sprintf("arn:aws:iam::%s:role/DevOps", account)}
	b.mary = userWithKey(t, c, "mary.major", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+b.devOpsRole+`"}]}`)
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("DevOps"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/mary.major"},"Action":"sts:AssumeRole"}]}`)}))
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("DevOps"), PolicyName: aws.String("describe"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)}))
	b.ci = userWithKey(t, c, "ci-deployer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:Describe*","ec2:RunInstances","ec2:CreateTags","sts:GetCallerIdentity"],"Resource":"*"}]}`)
	e := ec2.NewFromConfig(from(sb, sb.AdminCredentials, adminIP))
	subnets := must(e.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{}))
	b.subnet = aws.ToString(subnets.Subnets[0].SubnetId)
	images := must(e.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"},
		Filters: []ec2types.Filter{{Name: aws.String("architecture"), Values: []string{"x86_64"}}}}))
	b.image = aws.ToString(images.Images[0].ImageId)
	return b
}

func (b *baseline) activity(t *testing.T) {
	ctx := context.Background()
	// DevOps/MaryMajor, from the address the attacker also uses.
	maryCfg := from(b.sb, b.mary, attackerIP)
	out := must(sts.NewFromConfig(maryCfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(b.devOpsRole), RoleSessionName: aws.String("MaryMajor")}))
	role := ec2.NewFromConfig(from(b.sb, aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}, attackerIP))
	for i := 0; i < 2; i++ {
		must(role.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}))
		must(role.DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{}))
		must(role.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{}))
	}
	must(role.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{}))

	// The CI pipeline deploys one instance, in one subnet, and tags it.
	ciCfg := from(b.sb, b.ci, ciIP)
	must(sts.NewFromConfig(ciCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	ci := ec2.NewFromConfig(ciCfg)
	must(ci.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{b.image}}))
	run := must(ci.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(b.image), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: aws.String(b.subnet)}))
	must(ci.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{aws.ToString(run.Instances[0].InstanceId)},
		Tags: []ec2types.Tag{{Key: aws.String("Name"), Value: aws.String("web-1")}}}))
	must(ci.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{aws.ToString(run.Instances[0].InstanceId)}}))

	// An administrator's routine reads.
	adminCfg := from(b.sb, b.sb.AdminCredentials, adminIP)
	i := iam.NewFromConfig(adminCfg)
	must(i.ListUsers(ctx, &iam.ListUsersInput{}))
	must(i.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ci-deployer")}))
	must(i.ListRoles(ctx, &iam.ListRolesInput{}))
	ct := cloudtrail.NewFromConfig(adminCfg)
	must(ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))
	must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(seedlab.TrailName)}))
	must(cloudwatchlogs.NewFromConfig(adminCfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}))
}

type followup struct {
	sb                  *sandbox.Sandbox
	key                 aws.Credentials
	keyID, sessionKeyID string
}

// newFollowup gives the actor an administrator's key (the credential
// exposure playbook's helpdesk user) and the account a second trail, before
// the window.
func newFollowup(t *testing.T, sb *sandbox.Sandbox) *followup {
	ctx := context.Background()
	adminCfg := from(sb, sb.AdminCredentials, adminIP)
	c := iam.NewFromConfig(adminCfg)
	f := &followup{sb: sb}
	f.key = userWithKey(t, c, "helpdesk-7c1e", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	f.keyID = f.key.AccessKeyID
	must(cloudtrail.NewFromConfig(adminCfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(decoyTrail), S3BucketName: aws.String(seedlab.TrailBucket)}))
	return f
}

func (f *followup) activity(t *testing.T) {
	ctx := context.Background()
	cfg := from(f.sb, f.key, attackerIP)
	s := sts.NewFromConfig(cfg)
	must(s.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	tok := must(s.GetSessionToken(ctx, &sts.GetSessionTokenInput{}))
	f.sessionKeyID = aws.ToString(tok.Credentials.AccessKeyId)
	c := iam.NewFromConfig(cfg)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("svc-backup")}))
	must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("svc-backup")}))
	ct := cloudtrail.NewFromConfig(cfg)
	must(ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))
	must(ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String(decoyTrail)}))
	must(ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(seedlab.TrailName)}))
}
