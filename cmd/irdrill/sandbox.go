package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
	"github.com/irdrill/irdrill/sandbox/logs"
)

func newSandboxCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run irdrill's AWS-compatible sandbox endpoint",
	}
	cmd.AddCommand(newSandboxServeCommand())
	return cmd
}

func newSandboxServeCommand() *cobra.Command {
	var opts sandbox.Options
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve every sandbox service on one port until interrupted",
		Long: `Serve IAM, STS, EC2, CloudTrail and CloudWatch Logs on one port.

Point any AWS client at it, e.g.
  aws --endpoint-url http://127.0.0.1:4566 sts get-caller-identity
with the bootstrap admin key (default AKIAIRDRILLBOOTSTRAP / irdrill-bootstrap-secret).

SIGTERM or SIGINT stops accepting connections and lets requests in flight
finish for --shutdown-timeout; a second signal exits at once. What the
sandbox keeps (CloudTrail records, Insights results) and its limits are in
the health document, GET /_irdrill/health.`,
		Example: `  irdrill sandbox serve --addr 127.0.0.1:4566 --trust-source-ip-header
  irdrill sandbox serve --cloudtrail-retention 720h --shutdown-timeout 30s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Logger = slog.Default()
			sb, err := sandbox.Start(cmd.Context(), opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "irdrill sandbox serving %s\n", sb.URL)
			fmt.Fprintf(out, "account %s, default region %s\n", sb.AccountID, sb.Region)
			fmt.Fprintf(out, "bootstrap admin access key id: %s\n", sb.AdminCredentials.AccessKeyID)
			if opts.TrustSourceIPHeader {
				fmt.Fprintf(out, "simulation on: %s is honoured\n", sandbox.SourceIPHeader)
			}
			<-cmd.Context().Done()
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
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Addr, "addr", envOr("IRDRILL_ADDR", "127.0.0.1:4566"), "listen address (env IRDRILL_ADDR)")
	f.StringVar(&opts.AccountID, "account-id", envOr("IRDRILL_ACCOUNT_ID", sandbox.DefaultAccountID), "the sandbox account's id (env IRDRILL_ACCOUNT_ID)")
	f.StringVar(&opts.Region, "region", envOr("IRDRILL_REGION", sandbox.DefaultRegion), "default region (env IRDRILL_REGION); every region is served")
	f.StringVar(&opts.AdminAccessKeyID, "admin-access-key-id", envOr("IRDRILL_ADMIN_ACCESS_KEY_ID", sandbox.DefaultAdminAccessKeyID), "bootstrap admin access key id (env IRDRILL_ADMIN_ACCESS_KEY_ID)")
	f.StringVar(&opts.AdminSecretAccessKey, "admin-secret-access-key", envOr("IRDRILL_ADMIN_SECRET_ACCESS_KEY", sandbox.DefaultAdminSecretAccessKey), "bootstrap admin secret access key (env IRDRILL_ADMIN_SECRET_ACCESS_KEY)")
	f.BoolVar(&opts.TrustSourceIPHeader, "trust-source-ip-header", false, "honour "+sandbox.SourceIPHeader+" so simulations can play a remote attacker")
	f.DurationVar(&opts.CloudTrailDeliveryDelay, "cloudtrail-delivery-delay", 0, "delay before CloudTrail records reach CloudWatch Logs (AWS: 5–15m)")
	f.DurationVar(&opts.QueryLatency, "query-latency", 0, "least time Logs Insights queries report Scheduled, then Running")
	f.Int64Var(&opts.QueryResultsMaxBytes, "query-results-max-bytes", logs.DefaultQueryResultsMaxBytes, "memory for finished Logs Insights queries' results; the oldest are forgotten first (AWS keeps results 7 days)")
	f.DurationVar(&opts.CloudTrailRetention, "cloudtrail-retention", cloudtrail.DefaultRetention, "how long CloudTrail records are kept, by the sandbox clock (AWS: 90 days for LookupEvents)")
	f.Int64Var(&opts.CloudTrailMaxBytes, "cloudtrail-max-bytes", cloudtrail.DefaultMaxBytes, "memory for CloudTrail records; the oldest are dropped first")
	f.DurationVar(&opts.ReadHeaderTimeout, "read-header-timeout", sandbox.DefaultReadHeaderTimeout, "time a client has to send a request's headers")
	f.DurationVar(&opts.ReadTimeout, "read-timeout", sandbox.DefaultReadTimeout, "time a client has to send a whole request, body included")
	f.DurationVar(&opts.WriteTimeout, "write-timeout", sandbox.DefaultWriteTimeout, "time to answer a request once its headers are read")
	f.DurationVar(&opts.IdleTimeout, "idle-timeout", sandbox.DefaultIdleTimeout, "how long an unused keep-alive connection stays open")
	f.IntVar(&opts.MaxConnections, "max-connections", sandbox.DefaultMaxConnections, "concurrent connections, one kept for health checks (capped below the file descriptor limit)")
	f.DurationVar(&opts.ShutdownTimeout, "shutdown-timeout", sandbox.DefaultShutdownTimeout, "on SIGTERM or SIGINT, how long requests in flight have to finish")
	return cmd
}
