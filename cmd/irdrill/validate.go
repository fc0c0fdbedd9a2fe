package main

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/irdrill/irdrill/sandbox/sigv4"
	"github.com/irdrill/irdrill/target"
)

// Flags are checked before a command does anything (PreRunE), so that bad
// input is refused at once with the flag's name and what it expected,
// rather than a minute into a drill.

// envAnnotation names the environment variable a flag's default comes
// from; the README's flag tables list it, and refusals say where a bad
// value came from.
const envAnnotation = "irdrill-env"

// fromEnv records that the flag's default is read from env.
func fromEnv(fs *pflag.FlagSet, name, env string) {
	if err := fs.SetAnnotation(name, envAnnotation, []string{env}); err != nil {
		panic(err) // a flag registered under another name: a programming error
	}
}

// flagEnv is the environment variable behind a flag's default, or "".
func flagEnv(f *pflag.Flag) string {
	if v := f.Annotations[envAnnotation]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// refuse is the error for a flag's bad value: the flag, the value, where it
// came from when not from the command line, and what was expected.
func refuse(cmd *cobra.Command, name, want string) error {
	f := cmd.Flags().Lookup(name)
	if f == nil {
		return fmt.Errorf("--%s: %s", name, want)
	}
	source := ""
	if env := flagEnv(f); !f.Changed && env != "" && os.Getenv(env) != "" {
		source = " (from " + env + ")"
	}
	return fmt.Errorf("--%s %q%s: %s", name, f.Value.String(), source, want)
}

func flagValue(cmd *cobra.Command, name string) string {
	f := cmd.Flags().Lookup(name)
	if f == nil {
		panic("no flag --" + name + " on " + cmd.CommandPath())
	}
	return f.Value.String()
}

// checks runs the checks in order and returns the first refusal.
func checks(errs ...func() error) error {
	for _, check := range errs {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// checkRegion: a region of the aws partition, as the SDK's partition
// metadata lists them (the list the sandbox's SigV4 checks scopes with).
// An empty value passes when optional (the target's default).
func checkRegion(cmd *cobra.Command, name string, optional bool) func() error {
	return func() error {
		v := flagValue(cmd, name)
		if v == "" && optional {
			return nil
		}
		if !sigv4.KnownRegion(v) {
			return refuse(cmd, name, "want a region of the aws partition, such as us-east-1 or eu-west-1 (aws ec2 describe-regions lists them)")
		}
		return nil
	}
}

// checkIP: an IPv4 or IPv6 address.
func checkIP(cmd *cobra.Command, name string) func() error {
	return func() error {
		if _, err := netip.ParseAddr(flagValue(cmd, name)); err != nil {
			return refuse(cmd, name, "want an IP address, such as 203.0.113.99")
		}
		return nil
	}
}

// checkDuration: not negative; zero too is refused when positive.
func checkDuration(cmd *cobra.Command, name string, positive bool) func() error {
	return func() error {
		d, err := cmd.Flags().GetDuration(name)
		if err != nil {
			return refuse(cmd, name, "want a duration such as 90s, 5m or 1h30m")
		}
		switch {
		case d < 0:
			return refuse(cmd, name, "want a duration that is not negative")
		case d == 0 && positive:
			return refuse(cmd, name, "want a positive duration, such as 30s")
		}
		return nil
	}
}

// checkMin: an integer of at least min.
func checkMin(cmd *cobra.Command, name string, min int64) func() error {
	return func() error {
		n, err := strconv.ParseInt(flagValue(cmd, name), 10, 64)
		if err != nil || n < min {
			return refuse(cmd, name, fmt.Sprintf("want a whole number of at least %d", min))
		}
		return nil
	}
}

// checkOneOf: one of the values.
func checkOneOf(cmd *cobra.Command, name string, values ...string) func() error {
	return func() error {
		v := flagValue(cmd, name)
		for _, ok := range values {
			if v == ok {
				return nil
			}
		}
		return refuse(cmd, name, "want "+orList(values))
	}
}

func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// checkNotEmpty: any value but "".
func checkNotEmpty(cmd *cobra.Command, name, want string) func() error {
	return func() error {
		if strings.TrimSpace(flagValue(cmd, name)) == "" {
			return refuse(cmd, name, want)
		}
		return nil
	}
}

// checkGivenNotEmpty: a flag whose default may be empty, but that is not
// given empty on the command line.
func checkGivenNotEmpty(cmd *cobra.Command, name, want string) func() error {
	return func() error {
		if f := cmd.Flags().Lookup(name); f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return refuse(cmd, name, want)
		}
		return nil
	}
}

// checkEndpointURL: an http or https URL with a host and no path, as
// --target endpoint:URL takes it.
func checkEndpointURL(cmd *cobra.Command, name string, optional bool) func() error {
	return func() error {
		v := flagValue(cmd, name)
		if v == "" && optional {
			return nil
		}
		if _, err := parseEndpointURL(v); err != nil {
			return refuse(cmd, name, "want an endpoint URL such as http://127.0.0.1:4566 (scheme http or https, a host, no path)")
		}
		return nil
	}
}

// parseEndpointURL reads an endpoint URL as --target endpoint:URL does,
// without a trailing slash.
func parseEndpointURL(v string) (string, error) {
	spec, err := target.ParseSpec(string(target.KindEndpoint) + ":" + v)
	if err != nil {
		return "", err
	}
	return spec.URL, nil
}

// checkTargetSpec: a --target value.
func checkTargetSpec(cmd *cobra.Command, name string) func() error {
	return func() error {
		if _, err := target.ParseSpec(flagValue(cmd, name)); err != nil {
			return err // it names --target and what it wants
		}
		return nil
	}
}

// checkListenAddr: HOST:PORT where HOST is an IP address, localhost or
// empty (every interface) and PORT a number from 0 to 65535.
func checkListenAddr(cmd *cobra.Command, name string) func() error {
	return func() error {
		const want = "want HOST:PORT with an IP address (or localhost, or nothing for every interface) and a port from 0 to 65535, such as 127.0.0.1:4566 or 0.0.0.0:4566"
		host, port, err := net.SplitHostPort(flagValue(cmd, name))
		if err != nil {
			return refuse(cmd, name, want)
		}
		if p, err := strconv.ParseUint(port, 10, 16); err != nil || strconv.FormatUint(p, 10) != port {
			return refuse(cmd, name, want)
		}
		if host != "" && host != "localhost" {
			// A zoned IPv6 address (fe80::1%eth0) has no plain URL form.
			if ip, err := netip.ParseAddr(host); err != nil || ip.Zone() != "" {
				return refuse(cmd, name, want)
			}
		}
		return nil
	}
}

// checkAccountID: 12 digits.
func checkAccountID(cmd *cobra.Command, name string) func() error {
	return func() error {
		v := flagValue(cmd, name)
		if len(v) != 12 || strings.Trim(v, "0123456789") != "" {
			return refuse(cmd, name, "want an AWS account ID: 12 digits, such as 999999999999")
		}
		return nil
	}
}

// checkAccessKeyID: what the sandbox accepts as a long-term key ID.
func checkAccessKeyID(cmd *cobra.Command, name string) func() error {
	return func() error {
		v := flagValue(cmd, name)
		if !strings.HasPrefix(v, "AKIA") || len(v) < 16 || len(v) > 128 || strings.Trim(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			return refuse(cmd, name, "want an access key ID: AKIA then upper-case letters and digits, 16 to 128 characters in all")
		}
		return nil
	}
}

// checkPairs: repeated name=value flags, the name one of names when given.
func checkPairs(cmd *cobra.Command, name string, names ...string) func() error {
	return func() error {
		values, err := cmd.Flags().GetStringArray(name)
		if err != nil {
			return err
		}
		for _, v := range values {
			key, value, ok := strings.Cut(v, "=")
			if !ok || value == "" || (len(names) > 0 && !contains(names, key)) || key == "" {
				want := "want name=value"
				if len(names) > 0 {
					want = "want role=name with role " + orList(names)
				}
				return fmt.Errorf("--%s %q: %s", name, v, want)
			}
		}
		return nil
	}
}

func contains(values []string, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// noArgs refuses stray arguments on a command that takes none: a typo'd
// flag (-region) or a value without its flag is the usual cause.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return fmt.Errorf("%s takes no arguments, got %s (flags start with --; see %s --help)", cmd.CommandPath(), quoteAll(args), cmd.CommandPath())
}

// exactArgs refuses anything but n arguments, naming what they are.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == n {
			return nil
		}
		if len(args) == 0 {
			return fmt.Errorf("%s needs %s (see %s --help)", cmd.CommandPath(), what, cmd.CommandPath())
		}
		return fmt.Errorf("%s takes %s, got %d arguments: %s", cmd.CommandPath(), what, len(args), quoteAll(args))
	}
}

// maxArgs refuses more than n arguments.
func maxArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) <= n {
			return nil
		}
		return fmt.Errorf("%s takes at most %s, got %d arguments: %s", cmd.CommandPath(), what, len(args), quoteAll(args))
	}
}

func quoteAll(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = strconv.Quote(a)
	}
	return strings.Join(q, " ")
}

// groupCommand makes a command that only holds subcommands answer an
// unknown one with an error and cobra's suggestion, instead of printing
// its help and exiting 0; with no argument it prints its help.
func groupCommand(cmd *cobra.Command) *cobra.Command {
	cmd.Args = cobra.ArbitraryArgs
	cmd.SuggestionsMinimumDistance = 2 // cobra's own default, set where it sets it
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t") + "\n"
		}
		return errors.New(msg + "\nRun '" + cmd.CommandPath() + " --help' for usage.")
	}
	return cmd
}

// flagError adds what a flag expects to pflag's parse errors ("invalid
// argument "x" for "--detect-timeout" flag: time: invalid duration").
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	start := strings.Index(msg, `for "-`)
	if start < 0 {
		return err
	}
	rest := msg[start+len(`for "`):]
	end := strings.IndexByte(rest, '"')
	if end < 0 {
		return err
	}
	name := rest[:end]
	if i := strings.LastIndex(name, "--"); i >= 0 {
		name = name[i+2:]
	} else {
		name = strings.TrimPrefix(name, "-")
	}
	f := cmd.Flags().Lookup(name)
	if f == nil {
		return err
	}
	switch f.Value.Type() {
	case "duration":
		return fmt.Errorf("%w: want a duration such as 90s, 5m or 1h30m", err)
	case "bool":
		return fmt.Errorf("%w: want true or false, or the flag alone", err)
	case "int", "int64":
		return fmt.Errorf("%w: want a whole number", err)
	}
	return err
}
