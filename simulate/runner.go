package simulate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/irdrill/irdrill/internal/ids"
	"github.com/irdrill/irdrill/target"
)

// Runner plays techniques on one target, keeping each run's journal in the
// state folder.
type Runner struct {
	Target *target.Target
	// StateDir is the state folder; target.DefaultStateDir() when empty.
	StateDir string
	// Progress receives live progress lines.
	Progress func(string)
	// Registry is where runs find their technique; Techniques when nil.
	Registry *Registry
	// CleanupTimeout bounds the cleanup that follows an interrupted or
	// failed phase, which runs after the phase's context ended; 2 minutes
	// when zero.
	CleanupTimeout time.Duration
}

func (rn *Runner) stateDir() string {
	if rn.StateDir == "" {
		return target.DefaultStateDir()
	}
	return rn.StateDir
}

func (rn *Runner) registry() *Registry {
	if rn.Registry == nil {
		return Techniques
	}
	return rn.Registry
}

// NewRunID returns a fresh run ID: 10 lower-case hex characters, short
// enough for the names it prefixes.
func NewRunID() string { return ids.Hex(10) }

// ValidRunID reports whether s looks like a run ID (and so is safe as a
// folder name).
func ValidRunID(s string) bool {
	if len(s) < 4 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// New starts a run of the technique with the given parameter values
// (validated, defaults filled in): it writes run.json and opens the
// journal.
func (rn *Runner) New(t *Technique, given map[string]string) (*Run, error) {
	params, err := t.ResolveParams(given)
	if err != nil {
		return nil, err
	}
	id := NewRunID()
	for {
		if _, err := os.Stat(RunDir(rn.stateDir(), id)); errors.Is(err, os.ErrNotExist) {
			break
		}
		id = NewRunID()
	}
	info := RunInfo{
		ID: id, Technique: t.ID, Target: rn.Target.Spec().String(), TargetKey: rn.Target.StateKey(), Ephemeral: rn.Target.Ephemeral(),
		Account: rn.Target.AccountID(), Region: rn.Target.Region(), Params: params.Map(), Started: time.Now().UTC(), PID: os.Getpid(),
	}
	dir := RunDir(rn.stateDir(), id)
	if err := writeRunInfo(dir, info); err != nil {
		return nil, fmt.Errorf("run %s: %w", id, err)
	}
	return rn.open(t, params, info)
}

func (rn *Runner) open(t *Technique, params Params, info RunInfo) (*Run, error) {
	j, err := OpenJournal(RunDir(rn.stateDir(), info.ID), nil)
	if err != nil {
		return nil, err
	}
	r := &Run{ID: info.ID, Technique: t, Params: params, Target: rn.Target, Info: info, journal: j, stateDir: rn.stateDir(),
		progress: rn.Progress, now: time.Now, cleanupTimeout: rn.CleanupTimeout}
	if r.cleanupTimeout <= 0 {
		r.cleanupTimeout = 2 * time.Minute
	}
	if s, _ := r.Summary(); s.State == StateCold && len(s.Live) == 0 && !s.Closed {
		if err := r.setState(StateCold); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Open continues a run of this runner's target from its journal.
func (rn *Runner) Open(runID string) (*Run, error) {
	if !ValidRunID(runID) {
		return nil, fmt.Errorf("run %q: not a run ID", runID)
	}
	rec, err := LoadRun(rn.stateDir(), runID)
	if err != nil {
		return nil, err
	}
	if rec.Info.Ephemeral {
		return nil, fmt.Errorf("run %s was on an embedded sandbox (process %d), which is gone: there is nothing to continue", runID, rec.Info.PID)
	}
	if rec.Info.TargetKey != rn.Target.StateKey() {
		return nil, fmt.Errorf("run %s is on target %s (account %s), not %s", runID, rec.Info.Target, rec.Info.Account, rn.Target.Spec())
	}
	t, err := rn.registry().Lookup(rec.Info.Technique)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", runID, err)
	}
	params, err := t.ResolveParams(rec.Info.Params)
	if err != nil {
		return nil, fmt.Errorf("run %s: %w", runID, err)
	}
	return rn.open(t, params, rec.Info)
}

// CloseOrphan closes the journal of a run whose target died with its
// process (an embedded sandbox): nothing it made can exist any more.
func CloseOrphan(stateDir, runID, reason string) error {
	j, err := OpenJournal(RunDir(stateDir, runID), nil)
	if err != nil {
		return err
	}
	defer j.Close()
	if err := j.Append(Entry{Type: EntryState, State: StateCleaned, Message: reason}); err != nil {
		return err
	}
	return j.Append(Entry{Type: EntryClosed, Message: reason})
}

func (r *Run) setState(s State) error {
	return r.journal.Append(Entry{Type: EntryState, State: s})
}

func (r *Run) fail(phase string, err error) error {
	_ = r.journal.Append(Entry{Type: EntryError, Message: phase + ": " + err.Error()})
	return fmt.Errorf("%s %s (run %s): %w", phase, r.Technique.ID, r.ID, err)
}

// Journal is the run's journal file.
func (r *Run) Journal() string { return r.journal.Path() }

// Dir is the run's folder.
func (r *Run) Dir() string { return filepath.Dir(r.journal.Path()) }

// Close stops the run's timers and closes its journal; the run can be
// opened again.
func (r *Run) Close() error {
	r.mu.Lock()
	for _, t := range r.ttls {
		t.Stop()
	}
	r.ttls = nil
	r.mu.Unlock()
	return r.journal.Close()
}

// State is where the run is.
func (r *Run) State() (State, bool, error) {
	s, err := r.Summary()
	return s.State, s.Closed, err
}

// ErrClosed is returned for a phase asked of a run that was cleaned up.
var ErrClosed = errors.New("the run is cleaned up and closed")

// Warmup makes the technique's prerequisites (and the lab account where
// the target lacks it). A failed warm-up removes what it made.
func (r *Run) Warmup(ctx context.Context) error {
	state, closed, err := r.State()
	if err != nil {
		return err
	}
	if closed {
		return fmt.Errorf("warm up run %s: %w", r.ID, ErrClosed)
	}
	if _, err := r.Lab(ctx); err != nil {
		return r.fail("warm up", err)
	}
	if err := r.setState(StateWarming); err != nil {
		return err
	}
	if r.Technique.Warmup != nil {
		r.Logf("warming up %s", r.Technique.ID)
		if err := r.Technique.Warmup(ctx, r); err != nil {
			werr := r.fail("warm up", err)
			return errors.Join(werr, r.cleanupAfter("the failed warm-up"))
		}
	}
	if state == StateDetonated || state == StateReverted {
		return r.setState(state)
	}
	return r.setState(StateWarm)
}

// Detonate plays the technique, warming up first when the run is cold.
// When ctx ends during the detonation (Ctrl+C, SIGTERM), the detonation
// stops and everything the run made is cleaned up before Detonate
// returns.
func (r *Run) Detonate(ctx context.Context) error {
	state, closed, err := r.State()
	if err != nil {
		return err
	}
	if closed {
		return fmt.Errorf("detonate run %s: %w", r.ID, ErrClosed)
	}
	if state == StateCold || state == StateWarming {
		if err := r.Warmup(ctx); err != nil {
			return err
		}
	} else if _, err := r.Lab(ctx); err != nil {
		return r.fail("detonate", err)
	}
	if state == StateDetonated && !r.Technique.Idempotent {
		return fmt.Errorf("run %s of %s is already detonated: revert or clean it up first", r.ID, r.Technique.ID)
	}
	if err := r.setState(StateDetonating); err != nil {
		return err
	}
	if err := r.ownSecond(ctx); err != nil {
		return err
	}
	r.Logf("detonating %s", r.Technique.ID)
	err = r.Technique.Detonate(ctx, r)
	if ctx.Err() != nil {
		r.Logf("interrupted: cleaning up run %s", r.ID)
		ierr := r.fail("detonate", fmt.Errorf("interrupted: %w", context.Cause(ctx)))
		return errors.Join(ierr, r.cleanupAfter("the interrupted detonation"))
	}
	if err != nil {
		_ = r.setState(StateDetonated)
		return r.fail("detonate", err)
	}
	return r.setState(StateDetonated)
}

// ownSecond waits for the next second on the target's clock, so that the
// detonation starts in a second of its own: CloudTrail's eventTime, and so
// the detections' windows, have whole seconds, and the warm-up's and the
// lab's records (CreateUser, CreateRole) must not fall inside the attack.
func (r *Run) ownSecond(ctx context.Context) error {
	now := r.Target.Now()
	next := now.Truncate(time.Second).Add(time.Second)
	if r.Target.Capabilities().Clock {
		return r.Target.Wait(ctx, next.Sub(now))
	}
	deadline := time.Now().Add(1100 * time.Millisecond)
	for r.Target.Now().Before(next) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// cleanupAfter cleans up on a context of its own, after the phase's ended.
func (r *Run) cleanupAfter(what string) error {
	ctx, cancel := context.WithTimeout(context.Background(), r.cleanupTimeout)
	defer cancel()
	if err := r.Cleanup(ctx); err != nil {
		return fmt.Errorf("clean up after %s: %w", what, err)
	}
	return nil
}

// Revert undoes the detonation where the technique can, keeping the
// prerequisites.
func (r *Run) Revert(ctx context.Context) error {
	if r.Technique.Revert == nil {
		return fmt.Errorf("%s cannot be reverted: clean it up instead", r.Technique.ID)
	}
	state, closed, err := r.State()
	if err != nil {
		return err
	}
	if closed {
		return fmt.Errorf("revert run %s: %w", r.ID, ErrClosed)
	}
	if state != StateDetonated && state != StateReverting {
		return fmt.Errorf("run %s is %s: only a detonated run can be reverted", r.ID, state)
	}
	if err := r.setState(StateReverting); err != nil {
		return err
	}
	r.Logf("reverting %s", r.Technique.ID)
	if err := r.Technique.Revert(ctx, r); err != nil {
		return r.fail("revert", err)
	}
	return r.setState(StateReverted)
}

// LeftoversError is returned by Cleanup when something of the run's is
// still there.
type LeftoversError struct {
	RunID string
	Left  []string
}

func (e *LeftoversError) Error() string {
	return fmt.Sprintf("run %s: %d resource(s) left after cleanup: %s", e.RunID, len(e.Left), strings.Join(e.Left, "; "))
}

// Cleanup removes everything the run made (the technique's Cleanup), then
// lists everything on the target that carries the run's tag, name prefix
// or client tokens, and fails if anything is left. Only then is the
// journal closed. It is idempotent: a closed run is checked again and
// stays closed.
func (r *Run) Cleanup(ctx context.Context) error {
	s, err := r.Summary()
	if err != nil {
		return err
	}
	if !s.Closed {
		if err := r.setState(StateCleaning); err != nil {
			return err
		}
		r.Logf("cleaning up run %s of %s (%d resource(s) in the journal)", r.ID, r.Technique.ID, len(s.Live))
		if err := r.Technique.Cleanup(ctx, r); err != nil {
			return r.fail("clean up", err)
		}
	}
	left, err := r.Leftovers(ctx)
	if err != nil {
		return r.fail("list leftovers", err)
	}
	if len(left) > 0 {
		return r.fail("clean up", &LeftoversError{RunID: r.ID, Left: left})
	}
	if s.Closed {
		r.Logf("run %s was already cleaned up; nothing of it is left", r.ID)
		return nil
	}
	if err := r.setState(StateCleaned); err != nil {
		return err
	}
	r.Logf("run %s cleaned up: nothing tagged %s=%s is left", r.ID, TagKey, r.ID)
	return r.journal.Append(Entry{Type: EntryClosed})
}

// ScheduleTermination terminates an instance at its time-to-live, from
// this process, unless the run is cleaned up first; the deadline is in the
// journal too (the instance's "expires" attribute), so that a later
// `irdrill simulate cleanup --all` finds decoys whose process died.
func (r *Run) ScheduleTermination(instanceID, region string, ttl time.Duration) {
	cfg, err := r.Config(context.Background(), target.Responder)
	if err != nil {
		return
	}
	timer := time.AfterFunc(ttl, func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = region }).TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{instanceID}})
		if err == nil || IsNotFound(err) {
			r.Logf("time-to-live: terminated %s", instanceID)
		}
	})
	r.mu.Lock()
	r.ttls = append(r.ttls, timer)
	r.mu.Unlock()
}
