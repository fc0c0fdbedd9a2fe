package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/irdrill/irdrill/detect"
	"github.com/irdrill/irdrill/simulate"
	"github.com/irdrill/irdrill/target"
)

// progress writes live progress lines with the time since the command
// started.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

func newProgress(w io.Writer) *progress { return &progress{w: w, start: time.Now()} }

func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%6.1fs] %s\n", time.Since(p.start).Seconds(), s)
}

type simulateFlags struct {
	targetFlags
	stateDir string
	runID    string
	params   []string
}

func (f *simulateFlags) register(cmd *cobra.Command, withParams bool) {
	f.targetFlags.register(cmd.Flags())
	cmd.Flags().StringVar(&f.stateDir, "state-dir", envOr("IRDRILL_STATE_DIR", target.DefaultStateDir()), "the state folder with the run journals (env IRDRILL_STATE_DIR; default $XDG_STATE_HOME/irdrill or ~/.local/state/irdrill)")
	fromEnv(cmd.Flags(), "state-dir", "IRDRILL_STATE_DIR")
	cmd.Flags().StringVar(&f.runID, "run", "", "the run to continue (default: a new run, or the newest open run of the technique on the target)")
	if withParams {
		cmd.Flags().StringArrayVar(&f.params, "param", nil, "a technique parameter, `name=value` (repeatable; irdrill techniques show ID lists them)")
	}
}

func newSimulateCommand() *cobra.Command {
	cmd := groupCommand(&cobra.Command{
		Use:   "simulate",
		Short: "Warm up, detonate, revert and clean up attack techniques on a target, leaving nothing behind",
		Long: `Each run of a technique has an ID, a journal in the state folder
(runs/<run-id>/simulate.jsonl, synced per entry), tags everything it creates
with irdrill:run-id, and carries the run ID in every call's user agent
(unless the technique plays an attacker's own). Ctrl+C or SIGTERM during a
detonation stops it and cleans up; after a kill -9, simulate cleanup --run
finishes the job from the journal. Cleanup fails if anything tagged with the
run ID is left.

On the embedded sandbox (--target sandbox, the default) a run lives and dies
with the command; use --target endpoint:URL (irdrill sandbox serve, moto_server,
LocalStack) or --target aws to keep a target between commands.`,
		Example: `  irdrill simulate detonate aws.impact.ec2-crypto-mining --record fixtures/mining
  irdrill simulate warmup aws.defense-evasion.cloudtrail-stop --target endpoint:http://127.0.0.1:4566
  irdrill simulate cleanup --all --target endpoint:http://127.0.0.1:4566`,
	})
	cmd.AddCommand(newSimulatePhaseCommand("warmup"), newSimulateDetonateCommand(), newSimulatePhaseCommand("revert"),
		newSimulateCleanupCommand(), newSimulateStatusCommand())
	return cmd
}

// findRun is the run a phase continues: --run, or the newest open run of
// the technique on the target in one of the states.
func findRun(rn *simulate.Runner, f *simulateFlags, technique string, states ...simulate.State) (*simulate.Run, error) {
	if f.runID != "" {
		return rn.Open(f.runID)
	}
	if rn.Target.Ephemeral() {
		return nil, nil
	}
	runs, err := simulate.ListRuns(f.stateDir)
	if err != nil {
		return nil, err
	}
	for _, rec := range runs {
		if rec.Info.Technique == technique && rec.Info.TargetKey == rn.Target.StateKey() && !rec.Summary.Closed {
			for _, s := range states {
				if rec.Summary.State == s {
					return rn.Open(rec.Info.ID)
				}
			}
		}
	}
	return nil, nil
}

// finish closes a run; on an embedded sandbox, which stops with the
// command, its journal is closed too, since nothing of it can outlive the
// process.
func finish(run *simulate.Run, stateDir string, p *progress) {
	if run == nil {
		return
	}
	_ = run.Close()
	if !run.Target.Ephemeral() {
		return
	}
	if _, closed, _ := run.State(); !closed {
		_ = simulate.CloseOrphan(stateDir, run.ID, "the embedded sandbox stopped with the command")
		p.line(fmt.Sprintf("run %s: the embedded sandbox stops with this command, and everything the run made with it", run.ID))
	}
}

func newSimulatePhaseCommand(phase string) *cobra.Command {
	var f simulateFlags
	short, example := "", ""
	switch phase {
	case "warmup":
		short = "Make a technique's prerequisites (and the lab account where the target lacks it)"
		example = `  irdrill simulate warmup aws.defense-evasion.cloudtrail-stop --target endpoint:http://127.0.0.1:4566
  irdrill simulate warmup aws.persistence.iam-backdoor-key --target endpoint:http://127.0.0.1:4566 --param user=pipeline`
	case "revert":
		short = "Undo a technique's detonation, keeping its prerequisites"
		example = `  irdrill simulate revert aws.defense-evasion.cloudtrail-stop --target endpoint:http://127.0.0.1:4566
  irdrill simulate revert aws.impact.ec2-crypto-mining --run 3f9a0c1b2d --target endpoint:http://127.0.0.1:4566`
	}
	cmd := &cobra.Command{
		Use:     phase + " ID",
		Short:   short,
		Example: example,
		Args:    exactArgs(1, "one technique ID (irdrill techniques list shows them)"),
		PreRunE: func(cmd *cobra.Command, args []string) error { return f.check(cmd, args) },
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tech, err := simulate.Lookup(args[0])
			if err != nil {
				return err
			}
			given, err := simulate.ParseParamFlags(f.params)
			if err != nil {
				return err
			}
			if _, err := tech.ResolveParams(given); err != nil {
				return err
			}
			p := newProgress(cmd.ErrOrStderr())
			tg, err := f.open(ctx, "")
			if err != nil {
				return err
			}
			defer tg.Close()
			p.line("target: " + tg.Description() + "; capabilities: " + tg.Capabilities().String())
			rn := &simulate.Runner{Target: tg, StateDir: f.stateDir, Progress: p.line}
			var run *simulate.Run
			switch phase {
			case "warmup":
				if run, err = findRun(rn, &f, tech.ID, simulate.StateCold, simulate.StateWarming, simulate.StateWarm); err == nil && run == nil {
					run, err = rn.New(tech, given)
				}
				if err != nil {
					return err
				}
				defer finish(run, f.stateDir, p)
				err = run.Warmup(ctx)
			case "revert":
				if run, err = findRun(rn, &f, tech.ID, simulate.StateDetonated, simulate.StateReverting); err == nil && run == nil {
					err = fmt.Errorf("no detonated run of %s on %s in %s: name one with --run", tech.ID, tg.Spec(), f.stateDir)
				}
				if err != nil {
					return err
				}
				defer finish(run, f.stateDir, p)
				err = run.Revert(ctx)
			}
			if err != nil {
				return err
			}
			state, _, _ := run.State()
			fmt.Fprintf(cmd.OutOrStdout(), "run %s of %s: %s (journal %s)\n", run.ID, tech.ID, state, run.Journal())
			return nil
		},
	}
	f.register(cmd, phase == "warmup")
	return cmd
}

type detonateOptions struct {
	simulateFlags
	record string
	output string
}

func newSimulateDetonateCommand() *cobra.Command {
	var o detonateOptions
	cmd := &cobra.Command{
		Use:   "detonate ID",
		Short: "Play a technique (warming it up first), optionally recording its telemetry as detection fixtures",
		Long: `Detonate a technique on the target, warming it up first if the run is cold.
Ctrl+C or SIGTERM stops the detonation and cleans up everything the run made.
With --record DIR, the run's telemetry (from its first attacker call to the
end) is written to DIR as fixtures for irdrill detect test: one JSON-lines
file per telemetry role the target has, and recording.yaml with the run's
parameters (attacker_ip, access_key_id).`,
		Example: `  irdrill simulate detonate aws.impact.ec2-crypto-mining --record fixtures/mining
  irdrill simulate detonate aws.impact.ec2-crypto-mining --target endpoint:http://127.0.0.1:4566 --param instances-per-subnet=2
  irdrill simulate detonate aws.impact.ec2-crypto-mining --target aws --profile drill --allow-account 123456789012 \
      --log-group cloudtrail=aws-cloudtrail-logs`,
		Args: exactArgs(1, "one technique ID (irdrill techniques list shows them)"),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			return checks(func() error { return o.check(cmd, args) },
				checkGivenNotEmpty(cmd, "record", "want a folder's path"),
				checkOneOf(cmd, "output", "text", "json"))
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runDetonate(cmd, args[0], &o) },
	}
	o.register(cmd, true)
	cmd.Flags().StringVar(&o.record, "record", "", "write the run's telemetry as detection fixtures to `DIR`")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "text or json")
	return cmd
}

type runJSON struct {
	Run        string              `json:"run"`
	Technique  string              `json:"technique"`
	Target     string              `json:"target"`
	State      string              `json:"state"`
	Journal    string              `json:"journal"`
	FirstCall  time.Time           `json:"firstCall,omitzero"`
	LastCall   time.Time           `json:"lastCall,omitzero"`
	Calls      []simulate.Call     `json:"calls"`
	Resources  []simulate.Resource `json:"resources"`
	Parameters map[string]string   `json:"detectionParameters"`
	Recorded   string              `json:"recorded,omitempty"`
}

// detectionParams are the run's values for the library's detection
// parameters.
func detectionParams(run *simulate.Run) map[string]string {
	out := map[string]string{}
	if ip, ok := run.Info.Params["attacker-ip"]; ok {
		out["attacker_ip"] = ip
	}
	if key, ok := run.Target.Credentials(target.LeakedKey); ok && run.Info.Params["leaked-key"] == "lab" {
		out["access_key_id"] = key.AccessKeyID
	} else if k := run.Info.Params["leaked-key"]; k != "" && k != "lab" {
		out["access_key_id"] = k
	}
	return out
}

func runDetonate(cmd *cobra.Command, id string, o *detonateOptions) error {
	ctx := cmd.Context()
	tech, err := simulate.Lookup(id)
	if err != nil {
		return err
	}
	given, err := simulate.ParseParamFlags(o.params)
	if err != nil {
		return err
	}
	if _, err := tech.ResolveParams(given); err != nil {
		return err
	}
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("--output %q: want text or json", o.output)
	}
	p := newProgress(cmd.ErrOrStderr())
	tg, err := o.open(ctx, "")
	if err != nil {
		return err
	}
	defer tg.Close()
	p.line("target: " + tg.Description() + "; capabilities: " + tg.Capabilities().String())
	rn := &simulate.Runner{Target: tg, StateDir: o.stateDir, Progress: p.line}
	run, err := findRun(rn, &o.simulateFlags, tech.ID, simulate.StateWarm)
	if err == nil && run == nil {
		run, err = rn.New(tech, given)
	}
	if err != nil {
		return err
	}
	defer finish(run, o.stateDir, p)
	p.line(fmt.Sprintf("run %s of %s, journal %s", run.ID, tech.ID, run.Journal()))
	if err := run.Detonate(ctx); err != nil {
		return err
	}
	s, err := run.Summary()
	if err != nil {
		return err
	}
	params := detectionParams(run)
	out := runJSON{Run: run.ID, Technique: tech.ID, Target: tg.Spec().String(), State: string(s.State), Journal: run.Journal(),
		FirstCall: s.FirstCall, LastCall: s.LastCall, Calls: s.Calls, Resources: s.Live, Parameters: params}
	if out.Calls == nil {
		out.Calls = []simulate.Call{}
	}
	if out.Resources == nil {
		out.Resources = []simulate.Resource{}
	}
	if o.record != "" {
		if err := recordRun(ctx, tg, run, s, params, o.record, p); err != nil {
			return err
		}
		out.Recorded = o.record
	}
	if o.output == "json" {
		return writeJSON(cmd.OutOrStdout(), out)
	}
	w := cmd.OutOrStdout()
	failed := 0
	for _, c := range s.Calls {
		if c.ErrorCode != "" {
			failed++
		}
	}
	fmt.Fprintf(w, "run %s of %s on %s: %s\n", run.ID, tech.ID, tg.Spec(), s.State)
	fmt.Fprintf(w, "  %d attacker call(s), %d failed or denied", len(s.Calls), failed)
	if !s.FirstCall.IsZero() {
		fmt.Fprintf(w, ", from %s to %s", s.FirstCall.Format(time.RFC3339), s.LastCall.Format(time.RFC3339))
	}
	fmt.Fprintf(w, "\n  %d resource(s) of the run's are live; journal %s\n", len(s.Live), run.Journal())
	if !tg.Ephemeral() {
		since := s.FirstCall
		if since.IsZero() {
			since = time.Now()
		}
		args := []string{"irdrill detect run --target " + tg.Spec().String(), "--since " + since.UTC().Format(time.RFC3339)}
		for _, k := range sortedKeys(params) {
			args = append(args, "--param "+k+"="+params[k])
		}
		fmt.Fprintf(w, "  detect: %s\n  clean up: irdrill simulate cleanup --run %s --target %s\n", strings.Join(args, " "), run.ID, tg.Spec())
	}
	if o.record != "" {
		fmt.Fprintf(w, "  telemetry recorded in %s: irdrill detect test runs over it\n", o.record)
	}
	return nil
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// recordRun writes the run's telemetry window as detection fixtures once
// delivery has settled: the number of CloudTrail records in the window
// stops growing.
func recordRun(ctx context.Context, tg *target.Target, run *simulate.Run, s simulate.Summary, params map[string]string, dir string, p *progress) error {
	if s.FirstCall.IsZero() {
		return fmt.Errorf("--record %s: the run made no attacker call", dir)
	}
	var roles []detect.Role
	for _, r := range detect.Roles {
		if detect.HasTelemetry(tg, r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return fmt.Errorf("--record %s: target %s delivers no telemetry", dir, tg.Spec())
	}
	src, err := detect.SourceFor(ctx, tg)
	if err != nil {
		return fmt.Errorf("--record %s: %w", dir, err)
	}
	// CloudTrail's eventTime has whole seconds: the window covers the
	// seconds the run touched.
	start := s.FirstCall.UTC().Truncate(time.Second)
	end := func() time.Time { return tg.Now().UTC().Truncate(time.Second).Add(time.Second - time.Millisecond) }
	if detect.HasTelemetry(tg, detect.RoleCloudTrail) {
		last, stable := -1, 0
		for deadline := time.Now().Add(2 * time.Minute); stable < 2 && time.Now().Before(deadline); {
			events, err := src.FilterLogEvents(ctx, detect.RoleCloudTrail, "", detect.Window{Start: start, End: end()})
			if err != nil {
				return fmt.Errorf("--record %s: %w", dir, err)
			}
			if len(events) == last && last > 0 {
				stable++
			} else {
				stable = 0
			}
			last = len(events)
			if err := tg.Wait(ctx, 500*time.Millisecond); err != nil {
				return err
			}
		}
		p.line(fmt.Sprintf("%d CloudTrail records delivered for the run", last))
	}
	w := detect.Window{Start: start, End: end()}
	if err := detect.Record(ctx, src, dir, roles, w, detect.Recording{
		Description: fmt.Sprintf("irdrill simulate detonate %s (run %s) on %s", run.Technique.ID, run.ID, tg.Description()),
		Parameters:  params,
	}); err != nil {
		return fmt.Errorf("--record %s: %w", dir, err)
	}
	p.line(fmt.Sprintf("recorded %s of telemetry (%s) to %s", w, joinRoles(roles), dir))
	return nil
}

func joinRoles(rs []detect.Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

type cleanupOptions struct {
	simulateFlags
	all bool
}

func newSimulateCleanupCommand() *cobra.Command {
	var o cleanupOptions
	cmd := &cobra.Command{
		Use:   "cleanup [ID]",
		Short: "Remove everything a run made, from its journal, and check that nothing tagged with its ID is left",
		Long: `Clean up a run: --run ID (after a kill -9, for example), every run whose
journal is not closed with --all, or the newest open run of technique ID on
the target. The target is the one in the run's run.json unless --target is
given. Cleanup is idempotent; it fails, and leaves the journal open, if
anything tagged irdrill:run-id=<run>, named irdrill-<run>-… or launched with
the run's client tokens is still there.`,
		Example: `  irdrill simulate cleanup --run 3f9a0c1b2d
  irdrill simulate cleanup --all
  irdrill simulate cleanup aws.impact.ec2-crypto-mining --target endpoint:http://127.0.0.1:4566`,
		Args:    maxArgs(1, "one technique ID"),
		PreRunE: func(cmd *cobra.Command, args []string) error { return o.check(cmd, args) },
		RunE:    func(cmd *cobra.Command, args []string) error { return runCleanup(cmd, args, &o) },
	}
	o.register(cmd, false)
	cmd.Flags().BoolVar(&o.all, "all", false, "clean up every run whose journal is not closed")
	return cmd
}

func runCleanup(cmd *cobra.Command, args []string, o *cleanupOptions) error {
	ctx := cmd.Context()
	p := newProgress(cmd.ErrOrStderr())
	var ids []string
	runs, err := simulate.ListRuns(o.stateDir)
	if err != nil {
		return err
	}
	explicitTarget := cmd.Flags().Changed("target")
	switch {
	case o.all:
		if o.runID != "" || len(args) > 0 {
			return errors.New("--all cleans every open run: give no --run and no technique ID with it")
		}
		for _, rec := range runs {
			if !rec.Summary.Closed {
				ids = append(ids, rec.Info.ID)
			}
		}
		if len(ids) == 0 {
			fmt.Fprintf(cmd.OutOrStdout(), "no open run in %s\n", o.stateDir)
			return nil
		}
	case o.runID != "":
		ids = []string{o.runID}
	case len(args) == 1:
		if _, err := simulate.Lookup(args[0]); err != nil {
			return err
		}
		tg, err := o.open(ctx, "")
		if err != nil {
			return err
		}
		key := tg.StateKey()
		_ = tg.Close()
		for _, rec := range runs {
			if rec.Info.Technique == args[0] && !rec.Summary.Closed && (rec.Info.TargetKey == key || rec.Info.Ephemeral) {
				ids = append(ids, rec.Info.ID)
				break
			}
		}
		if len(ids) == 0 {
			fmt.Fprintf(cmd.OutOrStdout(), "no open run of %s in %s\n", args[0], o.stateDir)
			return nil
		}
	default:
		return errors.New("name what to clean up: --run ID, --all, or a technique ID")
	}
	var errs []error
	for _, id := range ids {
		if err := cleanupOne(ctx, cmd.OutOrStdout(), p, o, id, explicitTarget); err != nil {
			errs = append(errs, err)
			if len(ids) > 1 {
				fmt.Fprintf(cmd.OutOrStdout(), "run %s: cleanup FAILED: %v\n", id, err)
			}
		}
	}
	if len(errs) == 1 && len(ids) == 1 {
		return errs[0]
	}
	if len(errs) > 0 {
		return fmt.Errorf("simulate cleanup: %d of %d run(s) failed: %w", len(errs), len(ids), errors.Join(errs...))
	}
	return nil
}

func cleanupOne(ctx context.Context, w io.Writer, p *progress, o *cleanupOptions, id string, explicitTarget bool) error {
	if !simulate.ValidRunID(id) {
		return fmt.Errorf("run %q: not a run ID", id)
	}
	rec, err := simulate.LoadRun(o.stateDir, id)
	if err != nil {
		return err
	}
	if rec.Info.Ephemeral {
		if !rec.Summary.Closed {
			if err := simulate.CloseOrphan(o.stateDir, id, "the embedded sandbox stopped with its process"); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "run %s of %s was on an embedded sandbox, which stopped with its process (%d): nothing is left; journal closed\n", id, rec.Info.Technique, rec.Info.PID)
		return nil
	}
	spec := rec.Info.Target
	if explicitTarget {
		spec = ""
	}
	tg, err := o.open(ctx, spec)
	if err != nil {
		return err
	}
	defer tg.Close()
	rn := &simulate.Runner{Target: tg, StateDir: o.stateDir, Progress: p.line}
	run, err := rn.Open(id)
	if err != nil {
		return err
	}
	defer run.Close()
	if err := run.Cleanup(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "run %s of %s: cleaned up; nothing tagged %s=%s is left on %s\n", id, rec.Info.Technique, simulate.TagKey, id, tg.Spec())
	return nil
}

func newSimulateStatusCommand() *cobra.Command {
	var (
		stateDir, runID, output string
		all                     bool
	)
	cmd := &cobra.Command{
		Use:   "status [ID]",
		Short: "Show runs from the state folder: state, live resources, attacker calls",
		Example: `  irdrill simulate status
  irdrill simulate status aws.impact.ec2-crypto-mining --all
  irdrill simulate status --run 3f9a0c1b2d --output json`,
		Args: maxArgs(1, "one technique ID"),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			return checks(
				checkNotEmpty(cmd, "state-dir", "want the state folder's path"),
				checkRunID(cmd, "run"),
				checkOneOf(cmd, "output", "text", "json"),
				func() error {
					if len(args) == 1 {
						_, err := simulate.Lookup(args[0])
						return err
					}
					return nil
				},
			)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			runs, err := simulate.ListRuns(stateDir)
			if err != nil {
				return err
			}
			var shown []simulate.RunRecord
			for _, rec := range runs {
				if runID != "" && rec.Info.ID != runID || len(args) == 1 && rec.Info.Technique != args[0] || !all && runID == "" && rec.Summary.Closed {
					continue
				}
				shown = append(shown, rec)
			}
			if runID != "" && len(shown) == 0 {
				return fmt.Errorf("no run %s in %s", runID, stateDir)
			}
			if output == "json" {
				out := make([]runJSON, len(shown))
				for i, rec := range shown {
					out[i] = runJSON{Run: rec.Info.ID, Technique: rec.Info.Technique, Target: rec.Info.Target, State: string(rec.Summary.State),
						Journal: rec.Dir, FirstCall: rec.Summary.FirstCall, LastCall: rec.Summary.LastCall, Calls: rec.Summary.Calls, Resources: rec.Summary.Live}
					if out[i].Calls == nil {
						out[i].Calls = []simulate.Call{}
					}
					if out[i].Resources == nil {
						out[i].Resources = []simulate.Resource{}
					}
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			if output != "text" && output != "" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			if len(shown) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "no open run in %s (--all shows closed ones too)\n", stateDir)
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tTECHNIQUE\tTARGET\tSTATE\tLIVE\tCALLS\tSTARTED")
			for _, rec := range shown {
				state := string(rec.Summary.State)
				if rec.Summary.Closed {
					state += " (closed)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", rec.Info.ID, rec.Info.Technique, rec.Info.Target, state, len(rec.Summary.Live),
					len(rec.Summary.Calls), rec.Info.Started.Local().Format(time.DateTime))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&stateDir, "state-dir", envOr("IRDRILL_STATE_DIR", target.DefaultStateDir()), "the state folder with the run journals (env IRDRILL_STATE_DIR)")
	fromEnv(cmd.Flags(), "state-dir", "IRDRILL_STATE_DIR")
	cmd.Flags().StringVar(&runID, "run", "", "show only this run")
	cmd.Flags().BoolVar(&all, "all", false, "show closed runs too")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}
