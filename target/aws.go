package target

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// loadDefaultAWSConfig is the default credential chain with the options'
// profile and region.
func loadDefaultAWSConfig(ctx context.Context, o Options) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// openAWS opens a real account, and only one the allowlist names: it asks
// STS whose credentials the chain found and refuses any other account. The
// allowlist has no default.
func openAWS(ctx context.Context, o Options) (*Target, error) {
	load := o.loadAWSConfig
	if load == nil {
		load = loadDefaultAWSConfig
	}
	cfg, err := load(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("target aws: load the credential chain: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("target aws: no region: give --region or set one in the profile")
	}
	account, arn, err := callerAccount(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("target aws: %w", err)
	}
	allowed := allowlist(o)
	if !slices.Contains(allowed, account) {
		return nil, &AccountNotAllowedError{Account: account, ARN: arn, Allowed: allowed}
	}
	base := cfg.Copy()
	base.Credentials = nil
	t := newTarget(o.Spec, base, o.Logger)
	t.flavor = FlavorAWS
	t.accountID = account
	t.responder = cfg.Credentials
	t.stateKey = stateKeyFor("aws", "", account)
	// The telemetry is what the flags name: the lab's Terraform module
	// (a later issue) will provide it.
	t.caps = Capabilities{
		CloudTrailDelivery: o.LogGroups[RoleCloudTrail] != "",
		FlowLogs:           o.LogGroups[RoleVPCFlow] != "",
		DNSLogs:            o.LogGroups[RoleDNS] != "",
		GuardDuty:          o.GuardDuty,
	}
	profile := o.Profile
	if profile == "" {
		profile = "default chain"
	}
	t.description = fmt.Sprintf("AWS account %s in %s (%s, as %s)", account, cfg.Region, profile, arn)
	return t, nil
}
