package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/detect"
	"github.com/irdrill/irdrill/detect/library"
)

func newDetectCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "detect",
		Short: "Detections as code: test them over recorded telemetry, validate, list, and wait for them on an endpoint",
		Long: `Detections are YAML files, each with one rule: a CloudWatch Logs Insights
query, a filter pattern, or GuardDuty finding criteria, over one telemetry
role (cloudtrail, vpc-flow, dns or guardduty). irdrill's own library is in
detect/library and built into the binary.`,
		Example: `  irdrill detect list
  irdrill simulate detonate aws.impact.ec2-crypto-mining --record fixtures/mining
  irdrill detect test ./detections --junit report.xml
  irdrill detect run --target endpoint:http://127.0.0.1:4566 --since 15m`,
	})
	cmd.AddCommand(newDetectTestCommand(), newDetectValidateCommand(), newDetectListCommand(), newDetectRunCommand())
	return cmd
}

// parseParams reads repeated --param name=value flags.
func parseParams(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		name, value, ok := strings.Cut(f, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--param %q: want name=value", f)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--param %s given twice", name)
		}
		out[name] = value
	}
	return out, nil
}

func newDetectTestCommand() *cobra.Command {
	var (
		junit   string
		params  []string
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "test DIR",
		Short: "Run the test cases under DIR over their fixtures, offline",
		Long: `Run every test case found under DIR: each YAML file with a top-level
"cases" list is a suite, every other YAML file a detection, and each case
evaluates one detection over a fixture directory of JSON-lines files
(cloudtrail.jsonl, vpc-flow.jsonl, dns.jsonl, guardduty.jsonl) with the
Logs Insights, filter-pattern and GuardDuty-criteria engines in process:
no AWS and no server. Paths in suites are relative to the suite file, so a
copy of the folder works anywhere.

Exits non-zero when a case fails or a file does not parse.`,
		Example: `  irdrill detect test detect/library
  irdrill detect test ./detections --junit report.xml
  irdrill detect test ./detections --param attacker_ip=198.51.100.7 -v`,
		Args: exactArgs(1, "one folder of detections and test cases"),
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return checks(
				func() error { _, err := parseParams(params); return err },
				checkGivenNotEmpty(cmd, "junit", "want a file's path"),
			)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			values, err := parseParams(params)
			if err != nil {
				return err
			}
			if len(values) > 0 {
				tree, err := detect.LoadTree(args[0])
				if err != nil {
					return err
				}
				if err := detect.CheckParameters(values, tree.Detections); err != nil {
					return err
				}
			}
			rep, err := detect.RunTests(cmd.Context(), args[0], detect.TestOptions{Parameters: values})
			if err != nil {
				return err
			}
			if err := rep.WriteText(cmd.OutOrStdout(), verbose); err != nil {
				return err
			}
			if junit != "" {
				if err := writeFileWith(junit, rep.WriteJUnit); err != nil {
					return fmt.Errorf("write --junit %s: %w", junit, err)
				}
			}
			if !rep.OK() {
				passed, failed, errored := rep.Counts()
				return fmt.Errorf("detect test %s: %d passed, %d failed, %d errors", args[0], passed, failed, errored)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&junit, "junit", "", "also write the report as JUnit XML to `FILE`")
	cmd.Flags().StringArrayVar(&params, "param", nil, "override a parameter in every case, `name=value` (repeatable)")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "show every case's outcome and its first evidence rows")
	return cmd
}

// writeFileWith writes a file through fn, replacing it only when fn
// succeeds.
func writeFileWith(path string, fn func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func newDetectValidateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "validate PATH...",
		Short: "Parse detection and test-suite files (or every one under directories) and compile the rules",
		Example: `  irdrill detect validate my-detection.yaml
  irdrill detect validate ./detections`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("%s needs at least one detection file or folder", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			bad := 0
			for _, p := range args {
				st, err := os.Stat(p)
				if err != nil {
					return err
				}
				if !st.IsDir() {
					if suite, err := detect.ParseSuiteFile(p); err == nil {
						fmt.Fprintf(out, "ok  test suite, %d cases  %s\n", len(suite.Cases), p)
						continue
					} else if isSuiteFile(p) {
						bad++
						fmt.Fprintln(out, err)
						continue
					}
					d, err := detect.ParseFile(p)
					if err != nil {
						bad++
						fmt.Fprintln(out, err)
						continue
					}
					fmt.Fprintf(out, "ok  %s  %s\n", d.ID, p)
					continue
				}
				tree, err := detect.LoadTree(p)
				if err != nil {
					return err
				}
				for _, d := range tree.Detections {
					fmt.Fprintf(out, "ok  %s  %s\n", d.ID, d.File)
				}
				for _, pr := range tree.Problems {
					bad++
					fmt.Fprintln(out, pr.Err)
				}
			}
			if bad > 0 {
				return fmt.Errorf("detect validate: %d file(s) with errors", bad)
			}
			return nil
		},
	}
}

// isSuiteFile reports whether a YAML file has a top-level cases field.
func isSuiteFile(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "cases:") {
			return true
		}
	}
	return false
}

func newDetectListCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "list [DIR]",
		Short: "List detections: irdrill's library, or the ones under DIR",
		Example: `  irdrill detect list
  irdrill detect list ./detections --output json`,
		Args:    maxArgs(1, "one folder"),
		PreRunE: func(cmd *cobra.Command, _ []string) error { return checkOneOf(cmd, "output", "text", "json")() },
		RunE: func(cmd *cobra.Command, args []string) error {
			dets, err := loadDetections(args)
			if err != nil {
				return err
			}
			return printDetections(cmd.OutOrStdout(), dets, output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

// loadDetections reads detection files and directories, or the built-in
// library when there are none.
func loadDetections(paths []string) ([]*detect.Detection, error) {
	if len(paths) == 0 {
		return library.Detections()
	}
	var out []*detect.Detection
	seen := map[string]string{}
	add := func(d *detect.Detection) error {
		if prev, dup := seen[d.ID]; dup {
			return fmt.Errorf("%s: id %q is also the id of %s", d.Where(), d.ID, prev)
		}
		seen[d.ID] = d.Where()
		out = append(out, d)
		return nil
	}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			d, err := detect.ParseFile(p)
			if err != nil {
				return nil, err
			}
			if err := add(d); err != nil {
				return nil, err
			}
			continue
		}
		tree, err := detect.LoadTree(p)
		if err != nil {
			return nil, err
		}
		if len(tree.Problems) > 0 {
			var errs []error
			for _, pr := range tree.Problems {
				errs = append(errs, pr.Err)
			}
			return nil, errors.Join(errs...)
		}
		for _, d := range tree.Detections {
			if err := add(d); err != nil {
				return nil, err
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

type detectionJSON struct {
	ID         string            `json:"id"`
	Title      string            `json:"title"`
	Severity   string            `json:"severity"`
	MITRE      []string          `json:"mitre"`
	Telemetry  string            `json:"telemetry"`
	Rule       string            `json:"rule"`
	Text       string            `json:"text"`
	Parameters map[string]string `json:"parameters,omitempty"`
	File       string            `json:"file"`
}

func printDetections(w io.Writer, dets []*detect.Detection, output string) error {
	switch output {
	case "json":
		out := make([]detectionJSON, len(dets))
		for i, d := range dets {
			params := map[string]string{}
			for _, p := range d.Parameters {
				params[p.Name] = p.Default
			}
			out[i] = detectionJSON{ID: d.ID, Title: d.Title, Severity: string(d.Severity), MITRE: d.MITRE, Telemetry: string(d.Telemetry),
				Rule: d.Rule.Kind.Field(), Text: d.Rule.Text, Parameters: params, File: d.File}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "text", "":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTELEMETRY\tSEVERITY\tMITRE\tTITLE")
		for _, d := range dets {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.ID, d.Telemetry, d.Severity, strings.Join(d.MITRE, ","), d.Title)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--output %q: want text or json", output)
}

type detectRunOptions struct {
	targetFlags
	since, output, record string
	params                []string
	timeout, poll         time.Duration
}

func newDetectRunCommand() *cobra.Command {
	var o detectRunOptions
	cmd := &cobra.Command{
		Use:   "run [PATH...]",
		Short: "Wait for detections to fire on a target",
		Long: `Evaluate detections (files or directories; irdrill's library when none)
against a target (--target endpoint:URL for a served sandbox, moto_server or
LocalStack; --target aws for an allowlisted account), polling until each
fires or its timeout passes, and report the time to detect from --since (the
first attacker call). Between polls time passes on the target: its clock
is advanced where it can be, and the command sleeps otherwise. The
telemetry is what the target has: an irdrill sandbox's lab log groups, the
--log-group flags on AWS; a detection over telemetry the target lacks is
reported at once ("target has no CloudTrail delivery"), without waiting.

On an endpoint the responder's credentials are AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, or the sandbox's bootstrap key (moto and LocalStack:
"test"). Exits non-zero when a detection did not fire.`,
		Example: `  irdrill simulate detonate aws.impact.ec2-crypto-mining --target endpoint:http://127.0.0.1:4566
  irdrill detect run --target endpoint:http://127.0.0.1:4566 --since 10m --param attacker_ip=203.0.113.99
  irdrill detect run detections/ --target aws --allow-account 123456789012 --log-group cloudtrail=aws-cloudtrail-logs --since 1h`,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return checks(
				func() error { return o.targetFlags.check(cmd) },
				func() error { _, err := parseSince(o.since, time.Now()); return err },
				func() error { _, err := parseParams(o.params); return err },
				checkDuration(cmd, "timeout", false),
				checkDuration(cmd, "poll-interval", true),
				checkGivenNotEmpty(cmd, "record", "want a folder's path"),
				checkOneOf(cmd, "output", "text", "json"),
			)
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runDetect(cmd, args, o) },
	}
	f := cmd.Flags()
	o.targetFlags.register(f)
	f.StringVar(&o.since, "since", "", "the first attacker call: an RFC 3339 time, or a duration ago such as 15m")
	f.StringArrayVar(&o.params, "param", nil, "a parameter value for the detections, `name=value` (repeatable)")
	f.DurationVar(&o.timeout, "timeout", 0, "wait at most this long from --since (default: each detection's timeout)")
	f.DurationVar(&o.poll, "poll-interval", detect.DefaultPollInterval, "target time between evaluations")
	f.StringVar(&o.record, "record", "", "afterwards, write the window's telemetry as fixtures to `DIR`")
	f.StringVarP(&o.output, "output", "o", "text", "text or json")
	return cmd
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("--since is required: the time of the first attacker call (RFC 3339) or a duration ago such as 15m")
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %s: want a duration ago, not a negative one", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time such as 2021-07-29T01:39:30Z, or a duration ago such as 15m", s)
	}
	return t, nil
}

func runDetect(cmd *cobra.Command, args []string, o detectRunOptions) error {
	ctx := cmd.Context()
	if o.since == "" {
		_, err := parseSince("", time.Time{})
		return err
	}
	target, err := o.open(ctx, "")
	if err != nil {
		return err
	}
	defer target.Close()
	since, err := parseSince(o.since, target.Now())
	if err != nil {
		return err
	}
	values, err := parseParams(o.params)
	if err != nil {
		return err
	}
	dets, err := loadDetections(args)
	if err != nil {
		return err
	}
	if err := detect.CheckParameters(values, dets); err != nil {
		return err
	}
	bound := make([]*detect.Bound, len(dets))
	for i, d := range dets {
		if bound[i], err = d.Bind(values); err != nil {
			return err
		}
	}
	stderr := cmd.ErrOrStderr()
	results, waitErr := detect.WaitAll(ctx, target, bound, since, detect.WaitOptions{
		PollInterval: o.poll,
		Timeout:      o.timeout,
		Progress: func(round int, rs []*detect.WaitResult) {
			counts := map[detect.Status]int{}
			for _, r := range rs {
				counts[r.Status]++
			}
			fmt.Fprintf(stderr, "round %d at %s: %d fired, %d quiet, %d without telemetry, %d errors, %d waiting\n", round,
				target.Now().Sub(since).Round(time.Second), counts[detect.StatusFired], counts[detect.StatusQuiet], counts[detect.StatusNoTelemetry],
				counts[detect.StatusError], counts[""])
		},
	})
	if err := printWaitResults(cmd.OutOrStdout(), results, o.output); err != nil {
		return err
	}
	if waitErr != nil {
		return fmt.Errorf("detect run: %w", waitErr)
	}
	if o.record != "" {
		src, err := detect.SourceFor(ctx, target)
		if err != nil {
			return err
		}
		var roles []detect.Role
		for _, r := range detect.Roles {
			if detect.HasTelemetry(target, r) {
				roles = append(roles, r)
			}
		}
		w := detect.Window{Start: since, End: target.Now()}
		if err := detect.Record(ctx, src, o.record, roles, w, detect.Recording{
			Description: "Recorded by irdrill detect run from " + target.Description(), Parameters: values,
		}); err != nil {
			return fmt.Errorf("--record %s: %w", o.record, err)
		}
		fmt.Fprintf(stderr, "recorded %s telemetry to %s\n", w, o.record)
	}
	missed := 0
	for _, r := range results {
		if !r.Fired() {
			missed++
		}
	}
	if missed > 0 {
		return fmt.Errorf("detect run: %d of %d detections did not fire", missed, len(results))
	}
	return nil
}

type waitResultJSON struct {
	ID           string       `json:"id"`
	Status       string       `json:"status"`
	Reason       string       `json:"reason,omitempty"`
	TimeToDetect string       `json:"timeToDetect,omitempty"`
	Rows         int          `json:"rows"`
	Evidence     []detect.Row `json:"evidence,omitempty"`
}

func printWaitResults(w io.Writer, results []*detect.WaitResult, output string) error {
	switch output {
	case "json":
		out := make([]waitResultJSON, len(results))
		for i, r := range results {
			out[i] = waitResultJSON{ID: r.Detection.ID, Status: string(r.Status), Reason: r.Reason, Rows: r.Rows, Evidence: r.Evidence}
			if r.Fired() {
				out[i].TimeToDetect = r.TimeToDetect.String()
			}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "text", "":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "STATUS\tDETECTION\tTIME TO DETECT\tROWS\tDETAIL")
		for _, r := range results {
			ttd, detail := "-", r.Reason
			if r.Fired() {
				ttd = r.TimeToDetect.Round(time.Second).String()
				detail = r.Detection.Title
				if len(r.Evidence) > 0 {
					detail += ": " + truncateRunes(r.Evidence[0].String(), 120)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", strings.ToUpper(string(r.Status)), r.Detection.ID, ttd, r.Rows, detail)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--output %q: want text or json", output)
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
