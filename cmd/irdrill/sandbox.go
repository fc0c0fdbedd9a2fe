package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/sandbox"
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
with the bootstrap admin key (default AKIAIRDRILLBOOTSTRAP / irdrill-bootstrap-secret).`,
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
			fmt.Fprintln(out, "shutting down")
			if err := sb.Wait(); err != nil {
				return fmt.Errorf("serve: %w", err)
			}
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
	f.DurationVar(&opts.QueryLatency, "query-latency", 0, "how long Logs Insights queries report Running")
	return cmd
}
