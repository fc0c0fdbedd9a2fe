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
			c.Args = cobra.ArbitraryArgs
			c.Run = nil
			c.RunE = helpTopic
		case "completion":
			groupCommand(c)
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

// helpTopic is the help command: the named command's help, or an error
// with the closest commands for a topic that names none.
func helpTopic(c *cobra.Command, args []string) error {
	root := c.Root()
	cmd, rest, err := root.Find(args)
	if err == nil && len(rest) == 0 && cmd != nil {
		return cmd.Help()
	}
	topic := strings.Join(args, " ")
	var near []string
	walkTree(root, func(sub *cobra.Command) {
		path := strings.TrimPrefix(sub.CommandPath(), root.Name()+" ")
		if sub != root && !sub.Hidden && (levenshtein(topic, path) <= 2 || levenshtein(topic, sub.Name()) <= 2) {
			near = append(near, path)
		}
	})
	msg := fmt.Sprintf("unknown help topic %q", topic)
	if len(near) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(near, "\n\t") + "\n"
	}
	return fmt.Errorf("%s\nRun 'irdrill --help' for the commands.", msg)
}

func walkTree(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walkTree(sub, fn)
	}
}

// levenshtein is the edit distance cobra's suggestions use.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
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
