package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/internal/seedlab"
	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/target"
)

// labOptions are `irdrill lab`'s flags.
type labOptions struct {
	region                  string
	attackerIP              string
	cloudTrailDeliveryDelay time.Duration
	detectTimeout           time.Duration
	stopLoggingBeforeAttack bool
	json                    bool
	endpoint                string
}

func newLabCommand() *cobra.Command {
	var o labOptions
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Run the seed playbook and lab end to end, on the embedded sandbox or a served one",
		Long: `Run irdrill's two seed documents end to end on an embedded sandbox and print
a drill report: set up the lab account (CloudTrail to CloudWatch Logs, VPC
flow-log configuration, the pipeline user and its key), simulate the "EC2
crypto mining" playbook's attacker with the leaked key from the attacker's
address, detect it with the queries and filter patterns of the lab
"Incident Response with AWS Console and CLI", contain it as the playbook
does, and check that containment holds when the key comes back to life.

With --endpoint URL it runs against a served sandbox (irdrill sandbox serve
--trust-source-ip-header, or --lab/--attack) and leaves everything there for
the lab's own CLI commands: the lab account is applied where missing, and the
playbook's key AKIAIOSFODNN7EXAMPLE is imported through the sandbox's signed
import-access-key extension. It signs as AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY when set, else with the sandbox's bootstrap key. It
refuses an endpoint that is not an irdrill sandbox with that extension and
the source-IP header trusted, and an account whose incident is already
contained (an earlier run's). There, --cloudtrail-delivery-delay says what
the served sandbox was started with, so that the detections wait for it.

Exits non-zero if a detection did not fire or a containment check failed.`,
		Example: `  irdrill lab
  irdrill lab --region eu-west-1 --attacker-ip 198.51.100.77 --json
  irdrill lab --cloudtrail-delivery-delay 5m
  irdrill lab --endpoint http://127.0.0.1:4566`,
		Args: noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return checks(
				checkRegion(cmd, "region", false),
				checkIP(cmd, "attacker-ip"),
				checkDuration(cmd, "cloudtrail-delivery-delay", false),
				checkDuration(cmd, "detect-timeout", false),
				checkEndpointURL(cmd, "endpoint", true),
			)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.endpoint != "" {
				return runLabOnEndpoint(cmd, o)
			}
			return runLab(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.region, "region", envOr("IRDRILL_REGION", sandbox.DefaultRegion), "region to run the lab in (env IRDRILL_REGION)")
	fromEnv(f, "region", "IRDRILL_REGION")
	f.StringVar(&o.attackerIP, "attacker-ip", seedlab.DefaultAttackerIP, "address the attacker's calls come from")
	f.DurationVar(&o.cloudTrailDeliveryDelay, "cloudtrail-delivery-delay", 0, "delay before CloudTrail records reach CloudWatch Logs, to rehearse AWS's 5–15m")
	f.DurationVar(&o.detectTimeout, "detect-timeout", 0, "how long to poll detections (default: the delivery delay plus a minute)")
	f.BoolVar(&o.stopLoggingBeforeAttack, "stop-logging-before-attack", false, "stop the trail before the attack, to rehearse a blind spot (the lab then fails)")
	f.BoolVar(&o.json, "json", false, "print the result as JSON instead of the report")
	f.StringVar(&o.endpoint, "endpoint", "", "run against this served sandbox, e.g. http://127.0.0.1:4566, and leave the lab's state there")
	return cmd
}

func runLab(cmd *cobra.Command, o labOptions) error {
	ctx := cmd.Context()
	sb, err := sandbox.Start(ctx, sandbox.Options{
		Region:                  o.region,
		TrustSourceIPHeader:     true,
		CloudTrailDeliveryDelay: o.cloudTrailDeliveryDelay,
		Logger:                  slog.Default(),
	})
	if err != nil {
		return fmt.Errorf("start the embedded sandbox: %w", err)
	}
	// Close also runs on Ctrl-C: the cancelled context ends Run, and the
	// sandbox stops with its in-flight requests drained.
	defer func() {
		if err := sb.Close(); err != nil {
			slog.Warn("stop the embedded sandbox", "err", err)
		}
	}()
	slog.Debug("embedded sandbox started", "url", sb.URL, "region", o.region)

	_, err = reportLab(cmd, o, seedlab.Config{
		Endpoint:                sb.URL,
		Region:                  o.region,
		AdminCredentials:        sb.AdminCredentials,
		AttackerIP:              o.attackerIP,
		CloudTrailDeliveryDelay: o.cloudTrailDeliveryDelay,
		DetectTimeout:           o.detectTimeout,
		StopLoggingBeforeAttack: o.stopLoggingBeforeAttack,
		Logger:                  slog.Default(),
		ProvisionLeakedKey: func(_ context.Context, userName string) (aws.Credentials, error) {
			err := sb.Handler().IAM().ImportAccessKey(userName, seedlab.SeedAccessKeyID, seedlab.SeedSecretAccessKey)
			return aws.Credentials{AccessKeyID: seedlab.SeedAccessKeyID, SecretAccessKey: seedlab.SeedSecretAccessKey}, err
		},
	})
	return err
}

// reportLab runs the lab and prints its report or its JSON result.
func reportLab(cmd *cobra.Command, o labOptions, cfg seedlab.Config) (*seedlab.Result, error) {
	out := cmd.OutOrStdout()
	report := out
	if o.json {
		report = nil
	}
	res, runErr := seedlab.Run(cmd.Context(), cfg, report)
	if o.json && res != nil {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return res, fmt.Errorf("print the result: %w", err)
		}
	}
	if runErr != nil {
		return res, fmt.Errorf("lab: %w", runErr)
	}
	if !res.Passed() {
		passed, total := res.ChecksPassed()
		return res, fmt.Errorf("lab failed: %d/%d detections fired, %d/%d containment checks passed",
			res.DetectionsFired(), len(res.Detections), passed, total)
	}
	return res, nil
}

// runLabOnEndpoint runs the lab against a served sandbox, whose state it
// leaves there.
func runLabOnEndpoint(cmd *cobra.Command, o labOptions) error {
	ctx := cmd.Context()
	url, err := parseEndpointURL(o.endpoint)
	if err != nil {
		return err
	}
	tg, err := target.Open(ctx, target.Options{Spec: target.Spec{Kind: target.KindEndpoint, URL: url}, Region: o.region, Logger: slog.Default()})
	if err != nil {
		return fmt.Errorf("lab --endpoint %s: %w", url, err)
	}
	defer tg.Close()
	if err := labCapable(tg); err != nil {
		return fmt.Errorf("lab --endpoint %s: %w", url, err)
	}
	st, err := tg.SetUpLab(ctx, target.LabOptions{})
	if err != nil {
		return fmt.Errorf("lab --endpoint %s: %w", url, err)
	}
	cfg, err := tg.Config(ctx, target.Responder)
	if err != nil {
		return err
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("lab --endpoint %s: the responder's credentials: %w", url, err)
	}
	res, err := reportLab(cmd, o, seedlab.Config{
		Endpoint:                url,
		Region:                  tg.Region(),
		AdminCredentials:        creds,
		AttackerIP:              o.attackerIP,
		Clock:                   tg.Now,
		CloudTrailDeliveryDelay: o.cloudTrailDeliveryDelay,
		DetectTimeout:           o.detectTimeout,
		StopLoggingBeforeAttack: o.stopLoggingBeforeAttack,
		Logger:                  slog.Default(),
		Lab:                     st,
	})
	if !o.json && res != nil && len(res.AttackCalls) > 0 {
		fmt.Fprintf(cmd.OutOrStdout(), "\nThe lab's state stays on %s: its CloudTrail records are in %s (aws logs describe-log-groups --endpoint-url %s).\n",
			url, st.LogGroups[target.RoleCloudTrail], url)
	}
	return err
}

// labCapable says why a target cannot host the lab: it must be an irdrill
// sandbox that imports keys (the playbook's AKIAIOSFODNN7EXAMPLE), honours
// the source-IP header (the attacker's 203.0.113.99) and delivers
// CloudTrail to CloudWatch Logs (the lab's detections).
func labCapable(tg *target.Target) error {
	if tg.Flavor() != target.FlavorIrdrill {
		return fmt.Errorf("it is %s, not an irdrill sandbox: the lab needs a served irdrill sandbox (irdrill sandbox serve --trust-source-ip-header)", tg.Description())
	}
	caps := tg.Capabilities()
	switch {
	case !caps.KeyImport:
		return fmt.Errorf("the sandbox does not offer the %s extension (its health document, %s, lists none), so the pipeline user cannot get the playbook's key %s: serve it with an irdrill of this version",
			target.ExtensionImportAccessKey, sandbox.HealthPath, seedlab.SeedAccessKeyID)
	case !caps.SourceIP:
		return fmt.Errorf("the sandbox does not trust the %s header, so the attacker's calls would come from your own address instead of the playbook's: serve it with --trust-source-ip-header (or --lab or --attack)",
			sandbox.SourceIPHeader)
	case !caps.CloudTrailDelivery:
		return fmt.Errorf("the sandbox does not deliver CloudTrail records to CloudWatch Logs, which the lab's detections search")
	}
	return nil
}
