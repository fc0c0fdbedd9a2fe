// Package ec2cryptomining is aws.impact.ec2-crypto-mining, the actor of the
// playbook "EC2 crypto mining": with a leaked access key (the lab's
// pipeline key) and from the attacker's address, it finds the newest
// Amazon Linux 2 image, every subnet of every VPC, and launches t2.nano
// decoys with the playbook's mining user data, as the workshop's
// simulate_crypto_mining_activity.sh does.
package ec2cryptomining

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// ID is the technique's ID.
const ID = "aws.impact.ec2-crypto-mining"

// userData is the playbook's crypto-mining user data, the MIME multipart
// document its analysis decodes from every instance. The seed's text lost
// the blank lines that end each header block (and the one before the
// second boundary); they are restored as in AWS's cloud-init multipart
// template, so that cloud-init would parse it. Everything else, the 11
// mining domains and the 63 afsdem.com labels included, is as the seed
// spells it.
//
//go:embed userdata.mime
var userData []byte

// UserData returns the playbook's crypto-mining user data as the attacker
// passes it to RunInstances (before base64).
func UserData() []byte { return bytes.Clone(userData) }

// ImageNamePattern is the workshop's describe-images name filter.
const ImageNamePattern = "amzn2-ami-hvm-2.0.????????.?-x86_64-gp2"

// EnvLeakedSecret holds the secret of a leaked-key parameter other than
// "lab".
const EnvLeakedSecret = "IRDRILL_LEAKED_SECRET_ACCESS_KEY"

func init() {
	simulate.Register(&simulate.Technique{
		ID:   ID,
		Name: "Launch crypto-mining instances with a leaked access key",
		Description: "The playbook's actor: with a leaked key (the lab's pipeline key, ec2:*) and from the attacker's address, " +
			"GetCallerIdentity, describe-images for the newest Amazon Linux 2 gp2 image, describe-vpcs, describe-subnets per VPC, " +
			"then one run-instances per subnet (t2.nano, the playbook's mining user data, no security group, key pair, profile or tags), " +
			"with the AWS CLI 2.2.1 user agent the playbook records. The harness tags the decoys afterwards under its own identity. " +
			"On AWS every decoy gets a time-to-live (shutdown behaviour terminate, and a TerminateInstances the harness schedules).",
		Tactics:   []simulate.Tactic{simulate.Impact, simulate.InitialAccess, simulate.Discovery, simulate.DefenseEvasion, simulate.Persistence, simulate.Exfiltration},
		MITRE:     []string{"T1496", "T1078.004", "T1580", "T1578.002", "T1071.004", "T1048.003", "T1053.003"},
		Telemetry: []string{"cloudtrail", "vpc-flow", "dns", "guardduty"},
		Parameters: []simulate.Param{
			{Name: "instances-per-subnet", Type: simulate.TypeInt, Default: "1", Min: 1, Max: 20, Description: "decoys launched in each subnet"},
			{Name: "instance-type", Type: simulate.TypeString, Default: "t2.nano", Description: "the decoys' instance type"},
			{Name: "leaked-key", Type: simulate.TypeString, Default: "lab", Description: "the leaked key: lab (the lab's pipeline key), or an access key ID whose secret is in " + EnvLeakedSecret},
			{Name: "attacker-ip", Type: simulate.TypeIP, Default: "203.0.113.99", Description: "the address the actor's calls come from (on targets that simulate it)"},
			{Name: "image-name", Type: simulate.TypeString, Default: ImageNamePattern, Description: "the describe-images name filter (the workshop's; moto's catalogue has no match for it)"},
			{Name: "ttl", Type: simulate.TypeDuration, Default: "1h", Description: "on AWS, each decoy's time to live"},
		},
		Detonate: detonate,
		Revert:   revert,
		Cleanup:  simulate.RemoveCreated,
	})
}

// actorKey resolves the leaked-key parameter to an identity.
func actorKey(ctx context.Context, r *simulate.Run) (target.Identity, error) {
	key := r.Params.String("leaked-key")
	if key == "lab" {
		if _, err := r.Lab(ctx); err != nil {
			return "", err
		}
		return target.LeakedKey, nil
	}
	secret := os.Getenv(EnvLeakedSecret)
	if secret == "" {
		return "", fmt.Errorf("leaked-key=%s: set %s to its secret", key, EnvLeakedSecret)
	}
	id := target.Identity("leaked:" + key)
	r.Target.SetCredentials(id, aws.Credentials{AccessKeyID: key, SecretAccessKey: secret})
	return id, nil
}

func detonate(ctx context.Context, r *simulate.Run) error {
	key, err := actorKey(ctx, r)
	if err != nil {
		return err
	}
	actor, err := r.ActorConfig(ctx, simulate.Actor{Identity: key, SourceIP: r.Params.String("attacker-ip"), CLIUserAgent: simulate.SeedCLIUserAgent})
	if err != nil {
		return err
	}
	who, err := sts.NewFromConfig(actor).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return fmt.Errorf("get caller identity with the leaked key: %w", err)
	}
	r.Logf("the leaked key is %s", aws.ToString(who.Arn))
	ec := ec2.NewFromConfig(actor)
	image, err := newestImage(ctx, ec, r.Params.String("image-name"))
	if err != nil {
		return err
	}
	r.Logf("newest image %s (%s)", aws.ToString(image.ImageId), aws.ToString(image.Name))
	subnets, err := allSubnets(ctx, ec)
	if err != nil {
		return err
	}
	r.Logf("%d subnet(s) to launch into", len(subnets))
	harness, err := r.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	tagger := ec2.NewFromConfig(harness)
	onAWS := r.Target.Kind() == target.KindAWS
	encoded := base64.StdEncoding.EncodeToString(userData)
	n := 0
	for _, sn := range subnets {
		for i := 0; i < r.Params.Int("instances-per-subnet"); i++ {
			n++
			// The client token (the CLI sends one too) carries the run's
			// prefix, so a decoy whose launch outlived the journal is
			// still found by its token.
			token := fmt.Sprintf("%s-%d", r.NamePrefix(), n)
			launch := simulate.Resource{Kind: simulate.KindInstanceLaunch, ID: token, Region: r.Target.Region()}
			if err := r.Intend(launch); err != nil {
				return err
			}
			in := &ec2.RunInstancesInput{
				ImageId: image.ImageId, InstanceType: ec2types.InstanceType(r.Params.String("instance-type")),
				MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: sn.SubnetId, UserData: aws.String(encoded), ClientToken: aws.String(token),
			}
			if onAWS {
				in.InstanceInitiatedShutdownBehavior = ec2types.ShutdownBehaviorTerminate
			}
			out, err := ec.RunInstances(ctx, in)
			if err != nil {
				return fmt.Errorf("run instances in %s: %w", aws.ToString(sn.SubnetId), err)
			}
			for _, inst := range out.Instances {
				id := aws.ToString(inst.InstanceId)
				attrs := map[string]string{"subnet": aws.ToString(sn.SubnetId), "clientToken": token, "privateIp": aws.ToString(inst.PrivateIpAddress)}
				if onAWS {
					attrs["expires"] = time.Now().Add(r.Params.Duration("ttl")).UTC().Format(time.RFC3339)
				}
				if err := r.Created(simulate.Resource{Kind: simulate.KindInstance, ID: id, Region: r.Target.Region(), Attrs: attrs}); err != nil {
					return err
				}
				if _, err := tagger.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: r.EC2Tags()}); err != nil {
					return fmt.Errorf("tag decoy %s: %w", id, err)
				}
				if onAWS {
					r.ScheduleTermination(id, r.Target.Region(), r.Params.Duration("ttl"))
				}
				r.Logf("decoy %s in %s (%s)", id, aws.ToString(sn.SubnetId), aws.ToString(sn.AvailabilityZone))
			}
		}
	}
	return nil
}

// newestImage is the script's describe-images: Amazon's images named as
// the filter says, newest first.
func newestImage(ctx context.Context, ec *ec2.Client, pattern string) (ec2types.Image, error) {
	out, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{
		Owners: []string{"amazon"},
		Filters: []ec2types.Filter{
			{Name: aws.String("name"), Values: []string{pattern}},
			{Name: aws.String("state"), Values: []string{"available"}},
		},
	})
	if err != nil {
		return ec2types.Image{}, fmt.Errorf("describe images: %w", err)
	}
	if len(out.Images) == 0 {
		return ec2types.Image{}, fmt.Errorf("describe images: no image owned by amazon is named %s", pattern)
	}
	images := out.Images
	// CreationDate is ISO 8601 in UTC, so it sorts as text.
	sort.SliceStable(images, func(i, j int) bool {
		return aws.ToString(images[i].CreationDate) > aws.ToString(images[j].CreationDate)
	})
	return images[0], nil
}

// allSubnets is the script's describe-vpcs, then describe-subnets for
// every VPC.
func allSubnets(ctx context.Context, ec *ec2.Client) ([]ec2types.Subnet, error) {
	vpcs, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		return nil, fmt.Errorf("describe vpcs: %w", err)
	}
	var subnets []ec2types.Subnet
	for _, v := range vpcs.Vpcs {
		out, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{aws.ToString(v.VpcId)}}}})
		if err != nil {
			return nil, fmt.Errorf("describe subnets of %s: %w", aws.ToString(v.VpcId), err)
		}
		subnets = append(subnets, out.Subnets...)
	}
	if len(subnets) == 0 {
		return nil, fmt.Errorf("describe subnets: no subnet in %d VPC(s)", len(vpcs.Vpcs))
	}
	return subnets, nil
}

// revert is the workshop's undo script: terminate every decoy.
func revert(ctx context.Context, r *simulate.Run) error {
	return simulate.RemoveKinds(ctx, r, simulate.KindInstance, simulate.KindInstanceLaunch)
}
