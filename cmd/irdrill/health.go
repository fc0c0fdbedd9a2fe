package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/target"
)

// defaultHealthEndpoint is where `sandbox health` looks when not told: the
// address `sandbox serve` listens on by default, or IRDRILL_ADDR's, which
// a container's environment sets for both.
func defaultHealthEndpoint() string {
	return usableURL("http://" + envOr("IRDRILL_ADDR", "127.0.0.1:4566"))
}

func newSandboxHealthCommand() *cobra.Command {
	var (
		endpoint string
		timeout  time.Duration
	)
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Check a served sandbox's health: exit 0 when it answers ok, 1 otherwise",
		Long: `Read GET /_irdrill/health from a served sandbox and exit 0 when it answers
200 with status "ok", 1 otherwise (it does not answer, answers something
else, or takes longer than --timeout). It prints one line saying which.
The image's HEALTHCHECK runs it.`,
		Example: `  irdrill sandbox health
  irdrill sandbox health --endpoint http://127.0.0.1:4566 --timeout 2s
  docker inspect --format '{{.State.Health.Status}}' irdrill`,
		Args: noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return checks(checkEndpointURL(cmd, "endpoint", false), checkDuration(cmd, "timeout", true))
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			url, _ := parseEndpointURL(endpoint)
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			h, err := checkHealth(ctx, url)
			if err != nil {
				return fmt.Errorf("sandbox health %s: %w", url, err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "ok: irdrill sandbox %s at %s, account %s, region %s, serving %s\n",
				h.Version, url, h.Account, h.Region, strings.Join(h.Services, ", "))
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&endpoint, "endpoint", defaultHealthEndpoint(), "the served sandbox (default from IRDRILL_ADDR, as serve listens)")
	fromEnv(f, "endpoint", "IRDRILL_ADDR")
	f.DurationVar(&timeout, "timeout", 5*time.Second, "how long to wait for the answer")
	return cmd
}

// checkHealth reads and checks the health document.
func checkHealth(ctx context.Context, url string) (*target.Health, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+sandbox.HealthPath, nil)
	if err != nil {
		return nil, err
	}
	// Its own connection: a health check must not wait behind a pooled one.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s answered %s", sandbox.HealthPath, resp.Status)
	}
	h, err := target.ParseHealth(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", sandbox.HealthPath, err)
	}
	return h, nil
}
