// Package ec2enumerate is aws.discovery.ec2-enumerate: the describe calls
// an actor makes with a leaked key before launching anything.
package ec2enumerate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// ID is the technique's ID.
const ID = "aws.discovery.ec2-enumerate"

func init() {
	simulate.Register(&simulate.Technique{
		ID:   ID,
		Name: "Enumerate EC2 with a leaked key",
		Description: "With the lab's leaked key and from the attacker's address: get-caller-identity, describe-regions, " +
			"describe-availability-zones, describe-images (the workshop's Amazon Linux 2 filter), describe-vpcs, describe-subnets, " +
			"describe-security-groups, describe-instances and describe-instance-types, with the playbook's AWS CLI user agent. " +
			"It creates nothing.",
		Tactics:    []simulate.Tactic{simulate.Discovery},
		MITRE:      []string{"T1580", "T1078.004"},
		Telemetry:  []string{"cloudtrail"},
		Idempotent: true,
		Parameters: []simulate.Param{
			{Name: "attacker-ip", Type: simulate.TypeIP, Default: "203.0.113.99", Description: "the address the actor's calls come from (on targets that simulate it)"},
		},
		Detonate: detonate,
		Cleanup:  simulate.RemoveCreated,
	})
}

func detonate(ctx context.Context, r *simulate.Run) error {
	if _, err := r.Lab(ctx); err != nil {
		return err
	}
	cfg, err := r.ActorConfig(ctx, simulate.Actor{Identity: target.LeakedKey, SourceIP: r.Params.String("attacker-ip"), CLIUserAgent: simulate.SeedCLIUserAgent})
	if err != nil {
		return err
	}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		return fmt.Errorf("get caller identity: %w", err)
	}
	ec := ec2.NewFromConfig(cfg)
	steps := []struct {
		name string
		fn   func() error
	}{
		{"describe-regions", func() error { _, err := ec.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}); return err }},
		{"describe-availability-zones", func() error {
			_, err := ec.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{})
			return err
		}},
		{"describe-images", func() error {
			_, err := ec.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}, Filters: []ec2types.Filter{
				{Name: aws.String("name"), Values: []string{"amzn2-ami-hvm-2.0.????????.?-x86_64-gp2"}}, {Name: aws.String("state"), Values: []string{"available"}}}})
			return err
		}},
		{"describe-vpcs", func() error { _, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); return err }},
		{"describe-subnets", func() error { _, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{}); return err }},
		{"describe-security-groups", func() error {
			_, err := ec.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
			return err
		}},
		{"describe-instances", func() error { _, err := ec.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); return err }},
		{"describe-instance-types", func() error {
			_, err := ec.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []ec2types.InstanceType{ec2types.InstanceTypeT2Nano}})
			return err
		}},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		r.Logf("ec2 %s", s.name)
	}
	return nil
}
