package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func newRootCommand() *cobra.Command {
	var logLevel string
	root := &cobra.Command{
		Use:   "irdrill",
		Short: "Incident-response drills for AWS: an AWS-compatible sandbox, the seed lab, attack techniques and detections",
		Long: `irdrill rehearses incident response on AWS without an AWS account, or on an
allowlisted one: it serves an AWS-compatible sandbox (irdrill sandbox), runs
the seed playbook and lab end to end (irdrill lab), plays attack techniques
(irdrill techniques, irdrill simulate) and waits for detections or tests them
over recorded telemetry (irdrill detect).`,
		Example: `  irdrill lab
  irdrill sandbox serve --lab --attack
  irdrill simulate detonate aws.impact.ec2-crypto-mining --record fixtures/mining
  irdrill detect test ./detections`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// No Args: cobra then answers an unknown command with its suggestion.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			level, err := parseLevel(logLevel)
			if err != nil {
				return err
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level})))
			return nil
		},
	}
	root.PersistentFlags().StringVar(&logLevel, "log-level", envOr("IRDRILL_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env IRDRILL_LOG_LEVEL)")
	fromEnv(root.PersistentFlags(), "log-level", "IRDRILL_LOG_LEVEL")
	root.SetFlagErrorFunc(flagError)
	root.AddCommand(newSandboxCommand(), newVersionCommand(), newLabCommand(), newDetectCommand(), newTechniquesCommand(), newSimulateCommand())
	addHelpAndCompletion(root)
	return root
}

// addHelpAndCompletion sets up cobra's help and completion commands now,
// rather than at Execute, so that they carry examples like every other
// command.
func addHelpAndCompletion(root *cobra.Command) {
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  irdrill help sandbox serve\n  irdrill help detect run"
		case "completion":
			c.Example = "  source <(irdrill completion bash)\n  irdrill completion zsh > \"${fpath[1]}/_irdrill\""
			for _, shell := range c.Commands() {
				switch shell.Name() {
				case "bash":
					shell.Example = "  source <(irdrill completion bash)\n  irdrill completion bash > /etc/bash_completion.d/irdrill"
				case "zsh":
					shell.Example = "  irdrill completion zsh > \"${fpath[1]}/_irdrill\""
				case "fish":
					shell.Example = "  irdrill completion fish > ~/.config/fish/completions/irdrill.fish"
				case "powershell":
					shell.Example = "  irdrill completion powershell | Out-String | Invoke-Expression"
				}
			}
		}
	}
}

func parseLevel(s string) (slog.Level, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", s)
	}
	return level, nil
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return fallback
}
