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
)

// labOptions are `irdrill lab`'s flags.
type labOptions struct {
	region                  string
	attackerIP              string
	cloudTrailDeliveryDelay time.Duration
	detectTimeout           time.Duration
	stopLoggingBeforeAttack bool
	json                    bool
}

func newLabCommand() *cobra.Command {
	var o labOptions
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Run the seed playbook and lab end to end on the embedded sandbox",
		Long: `Run irdrill's two seed documents end to end on an embedded sandbox and print
a drill report: set up the lab account (CloudTrail to CloudWatch Logs, VPC
flow-log configuration, the pipeline user and its key), simulate the "EC2
crypto mining" playbook's attacker with the leaked key from the attacker's
address, detect it with the queries and filter patterns of the lab
"Incident Response with AWS Console and CLI", contain it as the playbook
does, and check that containment holds when the key comes back to life.

Exits non-zero if a detection did not fire or a containment check failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runLab(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.region, "region", envOr("IRDRILL_REGION", sandbox.DefaultRegion), "region to run the lab in (env IRDRILL_REGION)")
	f.StringVar(&o.attackerIP, "attacker-ip", seedlab.DefaultAttackerIP, "address the attacker's calls come from")
	f.DurationVar(&o.cloudTrailDeliveryDelay, "cloudtrail-delivery-delay", 0, "delay before CloudTrail records reach CloudWatch Logs, to rehearse AWS's 5–15m")
	f.DurationVar(&o.detectTimeout, "detect-timeout", 0, "how long to poll detections (default: the delivery delay plus a minute)")
	f.BoolVar(&o.stopLoggingBeforeAttack, "stop-logging-before-attack", false, "stop the trail before the attack, to rehearse a blind spot (the lab then fails)")
	f.BoolVar(&o.json, "json", false, "print the result as JSON instead of the report")
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

	out := cmd.OutOrStdout()
	report := out
	if o.json {
		report = nil
	}
	res, runErr := seedlab.Run(ctx, seedlab.Config{
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
	}, report)
	if o.json && res != nil {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fmt.Errorf("print the result: %w", err)
		}
	}
	if runErr != nil {
		return fmt.Errorf("lab: %w", runErr)
	}
	if !res.Passed() {
		passed, total := res.ChecksPassed()
		return fmt.Errorf("lab failed: %d/%d detections fired, %d/%d containment checks passed",
			res.DetectionsFired(), len(res.Detections), passed, total)
	}
	return nil
}
