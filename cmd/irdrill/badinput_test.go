package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// badInputs are refusals, one or more for every flag of every command (a
// test checks that), and for stray arguments and unknown subcommands.
// STATE is replaced by a temporary state folder.
var badInputs = []struct {
	args []string
	want string
}{
	// Unknown subcommands, with cobra's suggestion; stray arguments.
	{[]string{"srve"}, `unknown command "srve" for "irdrill"`},
	{[]string{"sandbox", "srve"}, "unknown command \"srve\" for \"irdrill sandbox\"\n\nDid you mean this?\n\tserve\n"},
	{[]string{"detect", "rn"}, "Did you mean this?\n\trun\n"},
	{[]string{"simulate", "detonat"}, "Did you mean this?\n\tdetonate\n"},
	{[]string{"techniques", "lst"}, "Did you mean this?\n\tlist\n"},
	{[]string{"lab", "extra"}, `irdrill lab takes no arguments, got "extra"`},
	{[]string{"version", "now"}, `irdrill version takes no arguments, got "now"`},
	{[]string{"sandbox", "serve", "4566"}, `irdrill sandbox serve takes no arguments, got "4566"`},
	{[]string{"sandbox", "health", "http://127.0.0.1:4566"}, `irdrill sandbox health takes no arguments`},
	{[]string{"techniques", "list", "all"}, `irdrill techniques list takes no arguments`},
	{[]string{"techniques", "show"}, "irdrill techniques show needs one technique ID"},
	{[]string{"techniques", "show", "a", "b"}, "irdrill techniques show takes one technique ID (irdrill techniques list shows them), got 2 arguments"},
	{[]string{"simulate", "detonate", "--state-dir", "STATE"}, "irdrill simulate detonate needs one technique ID"},
	{[]string{"simulate", "status", "a", "b", "--state-dir", "STATE"}, "takes at most one technique ID, got 2 arguments"},
	{[]string{"detect", "validate"}, "needs at least one detection file or folder"},
	{[]string{"detect", "test"}, "irdrill detect test needs one folder"},
	{[]string{"detect", "list", "a", "b"}, "takes at most one folder"},

	// The root's flag.
	{[]string{"version", "--log-level", "loud"}, `--log-level "loud": want debug, info, warn or error`},

	// sandbox serve
	{[]string{"sandbox", "serve", "--addr", "localhost"}, `--addr "localhost": want HOST:PORT`},
	{[]string{"sandbox", "serve", "--addr", "example.com:4566"}, `--addr "example.com:4566": want HOST:PORT with an IP address`},
	{[]string{"sandbox", "serve", "--addr", "127.0.0.1:70000"}, `--addr "127.0.0.1:70000": want HOST:PORT`},
	{[]string{"sandbox", "serve", "--account-id", "12345"}, `--account-id "12345": want an AWS account ID: 12 digits`},
	{[]string{"sandbox", "serve", "--region", "mars-1"}, `--region "mars-1": want a region of the aws partition`},
	{[]string{"sandbox", "serve", "--region", "cn-north-1"}, `--region "cn-north-1": want a region of the aws partition`},
	{[]string{"sandbox", "serve", "--admin-access-key-id", "ASIAIRDRILLBOOTSTRAP"}, `--admin-access-key-id "ASIAIRDRILLBOOTSTRAP": want an access key ID`},
	{[]string{"sandbox", "serve", "--admin-secret-access-key", ""}, `--admin-secret-access-key "": want a secret`},
	{[]string{"sandbox", "serve", "--trust-source-ip-header=maybe"}, `invalid argument "maybe" for "--trust-source-ip-header" flag`},
	{[]string{"sandbox", "serve", "--cloudtrail-delivery-delay", "-5m"}, `--cloudtrail-delivery-delay "-5m0s": want a duration that is not negative`},
	{[]string{"sandbox", "serve", "--query-latency", "soon"}, `invalid argument "soon" for "--query-latency" flag: time: invalid duration "soon": want a duration such as 90s`},
	{[]string{"sandbox", "serve", "--query-results-max-bytes", "0"}, `--query-results-max-bytes "0": want a whole number of at least 1`},
	{[]string{"sandbox", "serve", "--cloudtrail-retention", "0s"}, `--cloudtrail-retention "0s": want a positive duration`},
	{[]string{"sandbox", "serve", "--cloudtrail-max-bytes", "-1"}, `--cloudtrail-max-bytes "-1": want a whole number of at least 1`},
	{[]string{"sandbox", "serve", "--read-header-timeout", "0"}, `--read-header-timeout "0s": want a positive duration`},
	{[]string{"sandbox", "serve", "--read-timeout", "-1s"}, `--read-timeout "-1s": want a duration that is not negative`},
	{[]string{"sandbox", "serve", "--write-timeout", "60"}, `invalid argument "60" for "--write-timeout" flag: time: missing unit in duration "60"`},
	{[]string{"sandbox", "serve", "--idle-timeout", "0s"}, `--idle-timeout "0s": want a positive duration`},
	{[]string{"sandbox", "serve", "--max-connections", "1"}, `--max-connections "1": want a whole number of at least 2`},
	{[]string{"sandbox", "serve", "--max-connections", "many"}, `invalid argument "many" for "--max-connections" flag`},
	{[]string{"sandbox", "serve", "--shutdown-timeout", "0s"}, `--shutdown-timeout "0s": want a positive duration`},
	{[]string{"sandbox", "serve", "--lab=yes"}, `invalid argument "yes" for "--lab" flag`},
	{[]string{"sandbox", "serve", "--attack=2"}, `invalid argument "2" for "--attack" flag`},
	{[]string{"sandbox", "serve", "--attack", "--attacker-ip", "203.0.113.999"}, `--attacker-ip "203.0.113.999": want an IP address`},

	// sandbox health
	{[]string{"sandbox", "health", "--endpoint", "127.0.0.1:4566"}, `--endpoint "127.0.0.1:4566": want an endpoint URL such as http://127.0.0.1:4566`},
	{[]string{"sandbox", "health", "--endpoint", "http://127.0.0.1:4566/_irdrill/health"}, `--endpoint "http://127.0.0.1:4566/_irdrill/health": want an endpoint URL`},
	{[]string{"sandbox", "health", "--timeout", "0s"}, `--timeout "0s": want a positive duration`},

	// lab
	{[]string{"lab", "--region", "mars-1"}, `--region "mars-1": want a region of the aws partition`},
	{[]string{"lab", "--attacker-ip", "not-an-ip"}, `--attacker-ip "not-an-ip": want an IP address`},
	{[]string{"lab", "--cloudtrail-delivery-delay", "-1m"}, `--cloudtrail-delivery-delay "-1m0s": want a duration that is not negative`},
	{[]string{"lab", "--detect-timeout", "abc"}, `invalid argument "abc" for "--detect-timeout" flag: time: invalid duration "abc": want a duration such as 90s`},
	{[]string{"lab", "--stop-logging-before-attack=sometimes"}, `invalid argument "sometimes" for "--stop-logging-before-attack" flag`},
	{[]string{"lab", "--json=pretty"}, `invalid argument "pretty" for "--json" flag`},
	{[]string{"lab", "--endpoint", "ftp://127.0.0.1:4566"}, `--endpoint "ftp://127.0.0.1:4566": want an endpoint URL`},

	// techniques
	{[]string{"techniques", "list", "--output", "yaml"}, `--output "yaml": want text or json`},
	{[]string{"techniques", "show", "aws.impact.ec2-crypto-mining", "--output", "yaml"}, `--output "yaml": want text or json`},

	// detect
	{[]string{"detect", "test", "../../detect/library", "--param", "attacker_ip"}, `--param "attacker_ip": want name=value`},
	{[]string{"detect", "test", "../../detect/library", "--junit", ""}, `--junit "": want a file's path`},
	{[]string{"detect", "test", "../../detect/library", "--verbose=loud"}, `invalid argument "loud" for "-v, --verbose" flag`},
	{[]string{"detect", "list", "--output", "csv"}, `--output "csv": want text or json`},
	{[]string{"detect", "run", "--since", "15m", "--target", "localstack"}, `--target "localstack": want sandbox`},
	{[]string{"detect", "run", "--since", "15m", "--target", "endpoint:127.0.0.1:4566"}, `--target "endpoint:127.0.0.1:4566"`},
	{[]string{"detect", "run", "--since", "15m", "--region", "mars-1"}, `--region "mars-1": want a region of the aws partition`},
	{[]string{"detect", "run", "--since", "15m", "--profile", ""}, `--profile "": want a profile's name`},
	{[]string{"detect", "run", "--since", "15m", "--allow-account", "1234"}, `--allow-account "1234": want an AWS account ID, 12 digits`},
	{[]string{"detect", "run", "--since", "15m", "--log-group", "cloudtrail"}, `--log-group "cloudtrail": want role=name with role cloudtrail, vpc-flow or dns`},
	{[]string{"detect", "run", "--since", "15m", "--log-group", "guardduty=x"}, `--log-group "guardduty=x": want role=name`},
	{[]string{"detect", "run", "--since", "15m", "--guardduty=on"}, `invalid argument "on" for "--guardduty" flag`},
	{[]string{"detect", "run", "--since", "yesterday"}, `--since "yesterday": want an RFC 3339 time`},
	{[]string{"detect", "run"}, "--since is required"},
	{[]string{"detect", "run", "--since", "15m", "--param", "=x"}, `--param "=x": want name=value`},
	{[]string{"detect", "run", "--since", "15m", "--timeout", "-1m"}, `--timeout "-1m0s": want a duration that is not negative`},
	{[]string{"detect", "run", "--since", "15m", "--poll-interval", "0s"}, `--poll-interval "0s": want a positive duration`},
	{[]string{"detect", "run", "--since", "15m", "--record", ""}, `--record "": want a folder's path`},
	{[]string{"detect", "run", "--since", "15m", "--output", "xml"}, `--output "xml": want text or json`},

	// simulate
	{[]string{"simulate", "warmup", "aws.impact.nope", "--state-dir", "STATE"}, `no technique "aws.impact.nope"`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--target", "moto", "--state-dir", "STATE"}, `--target "moto": want sandbox`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--region", "us-east-9", "--state-dir", "STATE"}, `--region "us-east-9": want a region of the aws partition`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--profile", " ", "--state-dir", "STATE"}, `--profile " ": want a profile's name`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--allow-account", "all", "--state-dir", "STATE"}, `--allow-account "all": want an AWS account ID`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--log-group", "=x", "--state-dir", "STATE"}, `--log-group "=x": want role=name`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--guardduty=1x", "--state-dir", "STATE"}, `invalid argument "1x" for "--guardduty" flag`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--state-dir", ""}, `--state-dir "": want the state folder's path`},
	{[]string{"simulate", "warmup", "aws.defense-evasion.cloudtrail-stop", "--run", "../etc", "--state-dir", "STATE"}, `--run "../etc": want a run ID`},
	{[]string{"simulate", "warmup", "aws.persistence.iam-backdoor-key", "--param", "usr=pipeline", "--state-dir", "STATE"}, "--param usr: aws.persistence.iam-backdoor-key has no such parameter"},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--param", "instances=2", "--state-dir", "STATE"}, "--param instances: aws.impact.ec2-crypto-mining has no such parameter"},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--param", "instances-per-subnet=0", "--state-dir", "STATE"}, "want 1 to 20, not 0"},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--param", "attacker-ip=nope", "--state-dir", "STATE"}, "want an IP address"},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--target", "endpoint:ftp://x", "--state-dir", "STATE"}, `--target "endpoint:ftp://x"`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--region", "eu-mars-1", "--state-dir", "STATE"}, `--region "eu-mars-1"`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--profile", "", "--state-dir", "STATE"}, `--profile "": want a profile's name`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--allow-account", "99999999999x", "--state-dir", "STATE"}, `--allow-account "99999999999x"`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--log-group", "vpc-flow", "--state-dir", "STATE"}, `--log-group "vpc-flow": want role=name`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--guardduty=no-thanks", "--state-dir", "STATE"}, `invalid argument "no-thanks" for "--guardduty" flag`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--state-dir", " "}, `--state-dir " ": want the state folder's path`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--run", "RUN!", "--state-dir", "STATE"}, `--run "RUN!": want a run ID`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--record", "", "--state-dir", "STATE"}, `--record "": want a folder's path`},
	{[]string{"simulate", "detonate", "aws.impact.ec2-crypto-mining", "--output", "yaml", "--state-dir", "STATE"}, `--output "yaml": want text or json`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--target", "aws:123", "--state-dir", "STATE"}, `--target "aws:123"`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--region", "moon", "--state-dir", "STATE"}, `--region "moon"`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--profile", "", "--state-dir", "STATE"}, `--profile "": want a profile's name`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--allow-account", "", "--state-dir", "STATE"}, `--allow-account "": want an AWS account ID`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--log-group", "dns=", "--state-dir", "STATE"}, `--log-group "dns=": want role=name`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--guardduty=maybe", "--state-dir", "STATE"}, `invalid argument "maybe" for "--guardduty" flag`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--state-dir", ""}, `--state-dir "": want the state folder's path`},
	{[]string{"simulate", "revert", "aws.impact.ec2-crypto-mining", "--run", "x", "--state-dir", "STATE"}, `--run "x": want a run ID`},
	{[]string{"simulate", "cleanup", "--run", "../etc", "--state-dir", "STATE"}, `--run "../etc": want a run ID`},
	{[]string{"simulate", "cleanup", "--state-dir", "STATE"}, "name what to clean up"},
	{[]string{"simulate", "cleanup", "--all", "--target", "sandbox:1", "--state-dir", "STATE"}, `--target "sandbox:1"`},
	{[]string{"simulate", "cleanup", "--all", "--region", "global", "--state-dir", "STATE"}, `--region "global"`},
	{[]string{"simulate", "cleanup", "--all", "--profile", "", "--state-dir", "STATE"}, `--profile "": want a profile's name`},
	{[]string{"simulate", "cleanup", "--all", "--allow-account", "123456789O12", "--state-dir", "STATE"}, `--allow-account "123456789O12"`},
	{[]string{"simulate", "cleanup", "--all", "--log-group", "cloudtrail:x", "--state-dir", "STATE"}, `--log-group "cloudtrail:x": want role=name`},
	{[]string{"simulate", "cleanup", "--all", "--guardduty=sure", "--state-dir", "STATE"}, `invalid argument "sure" for "--guardduty" flag`},
	{[]string{"simulate", "cleanup", "--all", "--state-dir", ""}, `--state-dir "": want the state folder's path`},
	{[]string{"simulate", "cleanup", "--all=sure", "--state-dir", "STATE"}, `invalid argument "sure" for "--all" flag`},
	{[]string{"simulate", "cleanup", "aws.impact.nope", "--state-dir", "STATE"}, `no technique "aws.impact.nope"`},
	{[]string{"simulate", "status", "--state-dir", ""}, `--state-dir "": want the state folder's path`},
	{[]string{"simulate", "status", "--run", "a/b", "--state-dir", "STATE"}, `--run "a/b": want a run ID`},
	{[]string{"simulate", "status", "--all=ok", "--state-dir", "STATE"}, `invalid argument "ok" for "--all" flag`},
	{[]string{"simulate", "status", "--output", "table", "--state-dir", "STATE"}, `--output "table": want text or json`},
	{[]string{"simulate", "status", "aws.impact.nope", "--state-dir", "STATE"}, `no technique "aws.impact.nope"`},

	// cobra's completion scripts.
	{[]string{"completion", "bash", "--no-descriptions=maybe"}, `invalid argument "maybe" for "--no-descriptions" flag`},
	{[]string{"completion", "zsh", "--no-descriptions=maybe"}, `invalid argument "maybe" for "--no-descriptions" flag`},
	{[]string{"completion", "fish", "--no-descriptions=maybe"}, `invalid argument "maybe" for "--no-descriptions" flag`},
	{[]string{"completion", "powershell", "--no-descriptions=maybe"}, `invalid argument "maybe" for "--no-descriptions" flag`},
	{[]string{"completion", "tcsh"}, "unknown command \"tcsh\" for \"irdrill completion\"\n\nDid you mean this?\n\tbash\n"},
	{[]string{"help", "srve"}, "unknown help topic \"srve\"\n\nDid you mean this?\n\tsandbox serve\n"},
}

// TestBadInputRefusedUpFront: each bad input is refused with an error that
// names what was wrong, before the command prints or starts anything.
func TestBadInputRefusedUpFront(t *testing.T) {
	t.Parallel()
	state := t.TempDir()
	for _, tc := range badInputs {
		args := make([]string, len(tc.args))
		for i, a := range tc.args {
			args[i] = strings.ReplaceAll(a, "STATE", state)
		}
		out, stderr, err := execute(t, args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("irdrill %s: %v\nwant an error with %q", strings.Join(tc.args, " "), err, tc.want)
			continue
		}
		if out != "" || stderr != "" {
			t.Errorf("irdrill %s printed before refusing:\n%s%s", strings.Join(tc.args, " "), out, stderr)
		}
	}
	if entries, _ := os.ReadDir(state); len(entries) > 0 {
		t.Errorf("refused commands wrote to the state folder: %v", entries)
	}
}

// TestBadInputCoversEveryFlag: every flag of every command has a bad-input
// case above.
func TestBadInputCoversEveryFlag(t *testing.T) {
	t.Parallel()
	root := newRootCommand()
	covered := map[string]bool{}
	for _, tc := range badInputs {
		cmd, _, err := root.Find(tc.args)
		if err != nil {
			continue
		}
		for _, a := range tc.args {
			if name, ok := strings.CutPrefix(a, "--"); ok {
				name, _, _ = strings.Cut(name, "=")
				// An inherited flag is its defining command's.
				owner := cmd
				for owner.Parent() != nil && owner.LocalNonPersistentFlags().Lookup(name) == nil && owner.PersistentFlags().Lookup(name) == nil {
					owner = owner.Parent()
				}
				covered[owner.CommandPath()+" --"+name] = true
			}
		}
	}
	walkCommands(root, func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			if key := c.CommandPath() + " --" + f.Name; !covered[key] {
				t.Errorf("no bad-input case for %s", key)
			}
		})
	})
}

// walkCommands calls fn on c and every command under it.
func walkCommands(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, fn)
	}
}

// TestUnknownSubcommandExitStatus runs the binary: a typo'd subcommand
// exits 1 with the suggestion on stderr and prints no help.
func TestUnknownSubcommandExitStatus(t *testing.T) {
	t.Parallel()
	for _, args := range []string{"sandbox srve", "lab extra", "srve"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), mainArgsEnv+"="+args)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("irdrill %s: %v, want exit status 1", args, err)
		}
		if stdout.Len() > 0 || strings.Contains(stderr.String(), "Usage:") {
			t.Errorf("irdrill %s printed help:\n%s%s", args, stdout.String(), stderr.String())
		}
		if !strings.HasPrefix(stderr.String(), "irdrill: ") {
			t.Errorf("irdrill %s: stderr %q", args, stderr.String())
		}
	}
}

// TestEveryCommandHasAnExample: every command's --help has an Example:
// section, cobra's help and completion commands included.
func TestEveryCommandHasAnExample(t *testing.T) {
	t.Parallel()
	walkCommands(newRootCommand(), func(c *cobra.Command) {
		if c.Example == "" {
			t.Errorf("%s has no example", c.CommandPath())
			return
		}
		var help bytes.Buffer
		c.SetOut(&help)
		if err := c.Help(); err != nil || !strings.Contains(help.String(), "\nExamples:\n") {
			t.Errorf("%s --help shows no Examples section (%v)", c.CommandPath(), err)
		}
	})
}
