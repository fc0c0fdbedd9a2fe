package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// targetFlags are the flags that name a target, shared by simulate and
// detect run.
type targetFlags struct {
	spec, region, profile string
	allow, logGroups      []string
	guardDuty             bool
}

func (f *targetFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.spec, "target", envOr("IRDRILL_TARGET", "sandbox"), "what to run against: "+target.SpecHelp+" (env IRDRILL_TARGET)")
	fromEnv(fs, "target", "IRDRILL_TARGET")
	fs.StringVar(&f.region, "region", os.Getenv("IRDRILL_REGION"), "region (default: the sandbox's, us-east-1 for endpoints, the profile's on AWS; env IRDRILL_REGION)")
	fromEnv(fs, "region", "IRDRILL_REGION")
	fs.StringVar(&f.profile, "profile", os.Getenv("AWS_PROFILE"), "aws: the shared-config profile (env AWS_PROFILE)")
	fromEnv(fs, "profile", "AWS_PROFILE")
	fs.StringArrayVar(&f.allow, "allow-account", nil, "aws: an account ID the harness may act on (repeatable; also "+target.EnvAllowedAccounts+")")
	fs.StringArrayVar(&f.logGroups, "log-group", nil, "the log group of a telemetry role, `role=name` (cloudtrail, vpc-flow, dns; repeatable): on aws, the telemetry the account has")
	fs.BoolVar(&f.guardDuty, "guardduty", false, "aws: the account has a GuardDuty detector")
}

// check refuses bad target flags before anything is opened.
func (f *targetFlags) check(cmd *cobra.Command) error {
	return checks(
		checkTargetSpec(cmd, "target"),
		checkRegion(cmd, "region", true),
		checkGivenNotEmpty(cmd, "profile", "want a profile's name from ~/.aws/config"),
		func() error {
			for _, a := range f.allow {
				if len(a) != 12 || strings.Trim(a, "0123456789") != "" {
					return fmt.Errorf("--allow-account %q: want an AWS account ID, 12 digits", a)
				}
			}
			return nil
		},
		checkPairs(cmd, "log-group", target.RoleCloudTrail, target.RoleVPCFlow, target.RoleDNS),
	)
}

func (f *targetFlags) options(spec string) (target.Options, error) {
	s, err := target.ParseSpec(spec)
	if err != nil {
		return target.Options{}, err
	}
	o := target.Options{Spec: s, Region: f.region, Profile: f.profile, AllowAccounts: f.allow, GuardDuty: f.guardDuty, LogGroups: map[string]string{}}
	for _, lg := range f.logGroups {
		role, name, ok := strings.Cut(lg, "=")
		if !ok || name == "" || (role != target.RoleCloudTrail && role != target.RoleVPCFlow && role != target.RoleDNS) {
			return target.Options{}, fmt.Errorf("--log-group %q: want role=name with role cloudtrail, vpc-flow or dns", lg)
		}
		o.LogGroups[role] = name
	}
	return o, nil
}

// open opens the target the flags name (or spec, when given).
func (f *targetFlags) open(ctx context.Context, spec string) (*target.Target, error) {
	if spec == "" {
		spec = f.spec
	}
	o, err := f.options(spec)
	if err != nil {
		return nil, err
	}
	return target.Open(ctx, o)
}

// check refuses bad simulate flags before anything is opened.
func (f *simulateFlags) check(cmd *cobra.Command, args []string) error {
	return checks(
		func() error { return f.targetFlags.check(cmd) },
		checkNotEmpty(cmd, "state-dir", "want the state folder's path"),
		checkRunID(cmd, "run"),
		func() error { return checkTechniqueParams(cmd, args, f.params) },
	)
}

// checkRunID: a run ID, when given.
func checkRunID(cmd *cobra.Command, name string) func() error {
	return func() error {
		if v := flagValue(cmd, name); v != "" && !simulate.ValidRunID(v) {
			return refuse(cmd, name, "want a run ID as simulate status lists them (4 to 32 lower-case letters, digits and dashes)")
		}
		return nil
	}
}

// checkTechniqueParams looks the technique up and checks --param against
// its parameters.
func checkTechniqueParams(cmd *cobra.Command, args, params []string) error {
	if len(args) == 0 {
		if len(params) > 0 {
			return fmt.Errorf("--param needs a technique ID to apply to")
		}
		return nil
	}
	tech, err := simulate.Lookup(args[0])
	if err != nil {
		return err
	}
	given, err := simulate.ParseParamFlags(params)
	if err != nil {
		return err
	}
	_, err = tech.ResolveParams(given)
	return err
}
