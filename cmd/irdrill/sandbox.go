package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/internal/seedlab"
	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
	"github.com/irdrill/irdrill/sandbox/logs"
)

func newSandboxCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "sandbox",
		Short: "Run irdrill's AWS-compatible sandbox endpoint, and check one's health",
		Example: `  irdrill sandbox serve --lab --attack
  irdrill sandbox health --endpoint http://127.0.0.1:4566`,
	})
	cmd.AddCommand(newSandboxServeCommand(), newSandboxHealthCommand())
	return cmd
}

// serveOptions are `irdrill sandbox serve`'s flags.
type serveOptions struct {
	sandbox.Options
	lab, attack bool
	attackerIP  string
}

func newSandboxServeCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve every sandbox service on one port until interrupted, optionally with the lab account and its incident",
		Long: `Serve IAM, STS, EC2, CloudTrail and CloudWatch Logs on one port.

Once it serves, it prints the endpoint and the lines that point the AWS CLI
at it (AWS_ENDPOINT_URL, the bootstrap admin's keys, AWS_DEFAULT_REGION).
The bootstrap admin's secret is printed only when it is the documented
default; a secret you chose is never printed.

--lab builds the workshop's lab account in it first, as irdrill lab and
--target do: the multi-region trail delivering to CloudWatch Logs, VPC flow
logs, the pipeline user with the playbook's key AKIAIOSFODNN7EXAMPLE
(imported), the responder roles; it implies --trust-source-ip-header.
--attack (which implies --lab) then plays the playbook's crypto-mining actor
(aws.impact.ec2-crypto-mining) with that key from --attacker-ip, so the
lab's and the playbook's CLI commands find the incident at once. The
endpoint line is printed once all that is done.

SIGTERM or SIGINT stops accepting connections and lets requests in flight
finish for --shutdown-timeout; a second signal exits at once. What the
sandbox keeps (CloudTrail records, Insights results) and its limits are in
the health document, GET /_irdrill/health.`,
		Example: `  irdrill sandbox serve --lab --attack
  irdrill sandbox serve --addr 127.0.0.1:4566 --trust-source-ip-header
  irdrill sandbox serve --addr 0.0.0.0:4566 --cloudtrail-delivery-delay 5m --shutdown-timeout 30s`,
		Args: noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return checks(
				checkListenAddr(cmd, "addr"),
				checkAccountID(cmd, "account-id"),
				checkRegion(cmd, "region", false),
				checkAccessKeyID(cmd, "admin-access-key-id"),
				checkNotEmpty(cmd, "admin-secret-access-key", "want a secret: the bootstrap admin signs with it"),
				checkDuration(cmd, "cloudtrail-delivery-delay", false),
				checkDuration(cmd, "query-latency", false),
				checkMin(cmd, "query-results-max-bytes", 1),
				checkDuration(cmd, "cloudtrail-retention", true),
				checkMin(cmd, "cloudtrail-max-bytes", 1),
				checkDuration(cmd, "read-header-timeout", true),
				checkDuration(cmd, "read-timeout", true),
				checkDuration(cmd, "write-timeout", true),
				checkDuration(cmd, "idle-timeout", true),
				checkMin(cmd, "max-connections", 2),
				checkDuration(cmd, "shutdown-timeout", true),
				checkIP(cmd, "attacker-ip"),
			)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", envOr("IRDRILL_ADDR", "127.0.0.1:4566"), "listen address, HOST:PORT (env IRDRILL_ADDR); 0.0.0.0:4566 for every interface")
	fromEnv(f, "addr", "IRDRILL_ADDR")
	f.StringVar(&o.AccountID, "account-id", envOr("IRDRILL_ACCOUNT_ID", sandbox.DefaultAccountID), "the sandbox account's id (env IRDRILL_ACCOUNT_ID)")
	fromEnv(f, "account-id", "IRDRILL_ACCOUNT_ID")
	f.StringVar(&o.Region, "region", envOr("IRDRILL_REGION", sandbox.DefaultRegion), "default region (env IRDRILL_REGION); every region of the aws partition is served")
	fromEnv(f, "region", "IRDRILL_REGION")
	f.StringVar(&o.AdminAccessKeyID, "admin-access-key-id", envOr("IRDRILL_ADMIN_ACCESS_KEY_ID", sandbox.DefaultAdminAccessKeyID), "bootstrap admin access key id (env IRDRILL_ADMIN_ACCESS_KEY_ID)")
	fromEnv(f, "admin-access-key-id", "IRDRILL_ADMIN_ACCESS_KEY_ID")
	f.StringVar(&o.AdminSecretAccessKey, "admin-secret-access-key", envOr("IRDRILL_ADMIN_SECRET_ACCESS_KEY", sandbox.DefaultAdminSecretAccessKey), "bootstrap admin secret access key (env IRDRILL_ADMIN_SECRET_ACCESS_KEY)")
	fromEnv(f, "admin-secret-access-key", "IRDRILL_ADMIN_SECRET_ACCESS_KEY")
	f.BoolVar(&o.TrustSourceIPHeader, "trust-source-ip-header", false, "honour "+sandbox.SourceIPHeader+" so simulations can play a remote attacker")
	f.DurationVar(&o.CloudTrailDeliveryDelay, "cloudtrail-delivery-delay", 0, "delay before CloudTrail records reach CloudWatch Logs (AWS: 5–15m)")
	f.DurationVar(&o.QueryLatency, "query-latency", 0, "least time Logs Insights queries report Scheduled, then Running")
	f.Int64Var(&o.QueryResultsMaxBytes, "query-results-max-bytes", logs.DefaultQueryResultsMaxBytes, "memory for finished Logs Insights queries' results; the oldest are forgotten first (AWS keeps results 7 days)")
	f.DurationVar(&o.CloudTrailRetention, "cloudtrail-retention", cloudtrail.DefaultRetention, "how long CloudTrail records are kept, by the sandbox clock (AWS: 90 days for LookupEvents)")
	f.Int64Var(&o.CloudTrailMaxBytes, "cloudtrail-max-bytes", cloudtrail.DefaultMaxBytes, "memory for CloudTrail records; the oldest are dropped first")
	f.DurationVar(&o.ReadHeaderTimeout, "read-header-timeout", sandbox.DefaultReadHeaderTimeout, "time a client has to send a request's headers")
	f.DurationVar(&o.ReadTimeout, "read-timeout", sandbox.DefaultReadTimeout, "time a client has to send a whole request, body included")
	f.DurationVar(&o.WriteTimeout, "write-timeout", sandbox.DefaultWriteTimeout, "time to answer a request once its headers are read")
	f.DurationVar(&o.IdleTimeout, "idle-timeout", sandbox.DefaultIdleTimeout, "how long an unused keep-alive connection stays open")
	f.IntVar(&o.MaxConnections, "max-connections", sandbox.DefaultMaxConnections, "concurrent connections, one kept for health checks (capped below the file descriptor limit)")
	f.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", sandbox.DefaultShutdownTimeout, "on SIGTERM or SIGINT, how long requests in flight have to finish")
	f.BoolVar(&o.lab, "lab", false, "build the workshop's lab account in the sandbox before serving (trail, flow logs, pipeline with AKIAIOSFODNN7EXAMPLE); implies --trust-source-ip-header")
	f.BoolVar(&o.attack, "attack", false, "also play the playbook's crypto-mining actor with the leaked key from --attacker-ip (implies --lab)")
	f.StringVar(&o.attackerIP, "attacker-ip", seedlab.DefaultAttackerIP, "with --attack, the address the actor's calls come from")
	return cmd
}

func runServe(cmd *cobra.Command, o serveOptions) error {
	ctx := cmd.Context()
	opts := o.Options
	opts.Logger = slog.Default()
	if o.attack {
		o.lab = true
	}
	if o.lab {
		// A drill's attacker is recorded from its own address, as irdrill
		// lab --endpoint and simulate expect of the lab's sandbox.
		opts.TrustSourceIPHeader = true
	}
	sb, err := sandbox.Start(ctx, opts)
	if err != nil {
		return err
	}
	endpoint := usableURL(sb.URL)
	var lab *servedLab
	if o.lab {
		lab, err = setUpServedLab(ctx, endpoint, sb, o, newProgress(cmd.ErrOrStderr()).line)
		if err != nil && ctx.Err() == nil {
			_ = sb.Close()
			return fmt.Errorf("serve --lab: %w", err)
		}
	}
	out := cmd.OutOrStdout()
	if ctx.Err() == nil {
		printBanner(out, sb, endpoint, opts, lab)
	}
	<-ctx.Done()
	fmt.Fprintf(out, "shutting down: no new connections; requests in flight have %s to finish (a second signal exits at once)\n", sb.Limits().ShutdownTimeout)
	err = sb.Wait()
	var drain *sandbox.DrainError
	switch {
	case errors.As(err, &drain):
		// The shutdown was asked for and took its bounded time.
		fmt.Fprintf(out, "stopped: %v\n", drain)
		return nil
	case err != nil:
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(out, "stopped: every request in flight finished")
	return nil
}
