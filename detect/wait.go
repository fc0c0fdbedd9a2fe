package detect

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Target is what waiting for detections needs from a drill target: the
// responder's SDK configuration, the target's clock, which telemetry it
// delivers and where. It uses only standard types so that the target
// package can satisfy it without importing detect.
type Target interface {
	// ResponderConfig is the SDK configuration detections read telemetry
	// with (the responder's identity).
	ResponderConfig(ctx context.Context) (aws.Config, error)
	// Now is the target's clock: the sandbox's, or the wall clock on AWS.
	Now() time.Time
	// Wait lets d pass on the target: it advances the sandbox's clock, and
	// sleeps on AWS.
	Wait(ctx context.Context, d time.Duration) error
	// The target's telemetry.
	HasCloudTrailDelivery() bool
	HasFlowLogs() bool
	HasDNSLogs() bool
	HasGuardDuty() bool
	// LogGroup is the log group that holds the role's telemetry
	// ("cloudtrail", "vpc-flow", "dns").
	LogGroup(role string) string
}

// TelemetrySourcer is implemented by targets that provide their own Source
// (a fake in tests, a recording in replays); Wait then reads from it
// instead of building a LiveSource from ResponderConfig.
type TelemetrySourcer interface {
	TelemetrySource(ctx context.Context) (Source, error)
}

// HasTelemetry reports whether the target delivers the role's telemetry.
func HasTelemetry(t Target, r Role) bool {
	switch r {
	case RoleCloudTrail:
		return t.HasCloudTrailDelivery()
	case RoleVPCFlow:
		return t.HasFlowLogs()
	case RoleDNS:
		return t.HasDNSLogs()
	case RoleGuardDuty:
		return t.HasGuardDuty()
	}
	return false
}

// SourceFor is the target's telemetry: its own Source when it has one,
// otherwise a LiveSource over its log groups with the responder's identity.
func SourceFor(ctx context.Context, t Target) (Source, error) {
	if ts, ok := t.(TelemetrySourcer); ok {
		return ts.TelemetrySource(ctx)
	}
	cfg, err := t.ResponderConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("responder configuration: %w", err)
	}
	groups := map[Role]string{}
	for _, r := range Roles {
		if r.IsLog() && HasTelemetry(t, r) {
			groups[r] = t.LogGroup(string(r))
		}
	}
	return NewLiveSource(cfg, groups), nil
}

// Status is how waiting for a detection ended.
type Status string

const (
	// StatusFired: the detection fired before its timeout.
	StatusFired Status = "fired"
	// StatusQuiet: the timeout passed without it firing.
	StatusQuiet Status = "quiet"
	// StatusNoTelemetry: the target lacks the telemetry the detection
	// reads; nothing was waited for.
	StatusNoTelemetry Status = "no-telemetry"
	// StatusError: every evaluation failed.
	StatusError Status = "error"
)

// WaitResult is how one detection fared.
type WaitResult struct {
	Detection *Bound
	Status    Status
	// Reason explains the status in a sentence: "target has no CloudTrail
	// delivery", or the last error.
	Reason string
	// FiredAt is the target's time at the poll that saw it fire;
	// TimeToDetect is FiredAt less the first attacker call.
	FiredAt      time.Time
	TimeToDetect time.Duration
	// Rows and Evidence are from the poll that fired it (or the last poll).
	Rows     int
	Evidence []Row
	// Polls counts evaluations; Err is the last evaluation error, if any.
	Polls int
	Err   error
}

// Fired reports whether the detection fired.
func (r *WaitResult) Fired() bool { return r.Status == StatusFired }

// WaitOptions tune waiting.
type WaitOptions struct {
	// PollInterval is target time between evaluations; DefaultPollInterval
	// when zero.
	PollInterval time.Duration
	// Timeout, when set, replaces every detection's own timeout.
	Timeout time.Duration
	// Source, when set, is read instead of the target's telemetry.
	Source Source
	// Progress, when set, is called after every round with the results so
	// far (for live progress).
	Progress func(round int, results []*WaitResult)
}

// DefaultPollInterval is the target time between evaluations: long enough
// not to hammer Logs Insights on AWS, short against delivery latencies.
const DefaultPollInterval = 30 * time.Second

// Wait evaluates the detection on the target until it fires or its
// timeout (from since) passes, letting time pass with the target's Wait
// between evaluations. since is the first attacker call: the start of the
// window the detection reads, and the origin of the time to detect. A
// target without the detection's telemetry gets StatusNoTelemetry at once.
// The error is the context's, or one building the target's Source.
func Wait(ctx context.Context, t Target, b *Bound, since time.Time, opts ...WaitOptions) (*WaitResult, error) {
	res, err := WaitAll(ctx, t, []*Bound{b}, since, opts...)
	if len(res) == 0 {
		return nil, err
	}
	return res[0], err
}

// WaitAll is Wait for several detections at once: each round evaluates
// every detection still waiting, then lets the poll interval pass once on
// the target, so that a sandbox's clock moves as it would for one.
func WaitAll(ctx context.Context, t Target, dets []*Bound, since time.Time, opts ...WaitOptions) ([]*WaitResult, error) {
	var o WaitOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	results := make([]*WaitResult, len(dets))
	var waiting []int
	for i, b := range dets {
		results[i] = &WaitResult{Detection: b}
		if !HasTelemetry(t, b.Telemetry) {
			results[i].Status = StatusNoTelemetry
			results[i].Reason = "target has no " + b.Telemetry.Telemetry()
			continue
		}
		waiting = append(waiting, i)
	}
	if len(waiting) == 0 {
		if o.Progress != nil {
			o.Progress(0, results)
		}
		return results, nil
	}
	src := o.Source
	if src == nil {
		var err error
		if src, err = SourceFor(ctx, t); err != nil {
			for _, i := range waiting {
				results[i].Status, results[i].Err, results[i].Reason = StatusError, err, err.Error()
			}
			return results, err
		}
	}
	deadline := func(b *Bound) time.Time {
		timeout := b.EffectiveTimeout()
		if o.Timeout > 0 {
			timeout = o.Timeout
		}
		return since.Add(timeout)
	}
	windowStart := since.Truncate(time.Second)
	stuck := 0
	for round := 1; ; round++ {
		now := t.Now()
		var still []int
		for _, i := range waiting {
			r, b := results[i], dets[i]
			r.Polls++
			ev, err := Evaluate(ctx, src, b, Window{Start: windowStart, End: now})
			if ctx.Err() != nil {
				return results, ctx.Err()
			}
			switch {
			case err != nil:
				r.Err = err
				if errors.Is(err, ErrNoTelemetry) {
					r.Status, r.Reason = StatusNoTelemetry, err.Error()
					continue
				}
			case ev.Fired:
				r.Status, r.Err, r.Reason = StatusFired, nil, ""
				r.FiredAt, r.TimeToDetect = now, now.Sub(since)
				r.Rows, r.Evidence = ev.Rows, ev.Evidence
				continue
			default:
				r.Err = nil
				r.Rows, r.Evidence = ev.Rows, ev.Evidence
			}
			if !now.Before(deadline(b)) {
				if r.Err != nil {
					r.Status, r.Reason = StatusError, r.Err.Error()
				} else {
					r.Status = StatusQuiet
					r.Reason = fmt.Sprintf("did not fire within %s: %d of %d %s", deadline(b).Sub(since), r.Rows, b.Fires.MinRows, b.Rule.Kind.Rows())
				}
				continue
			}
			still = append(still, i)
		}
		if o.Progress != nil {
			o.Progress(round, results)
		}
		waiting = still
		if len(waiting) == 0 {
			return results, nil
		}
		// Never sleep past the nearest deadline by more than needed.
		step := o.PollInterval
		for _, i := range waiting {
			if left := deadline(dets[i]).Sub(now); left > 0 && left < step {
				step = left
			}
		}
		if err := t.Wait(ctx, step); err != nil {
			if ctx.Err() != nil {
				return results, ctx.Err()
			}
			return results, fmt.Errorf("wait on the target: %w", err)
		}
		// A target whose clock does not move would keep us here forever.
		if t.Now().After(now) {
			stuck = 0
		} else if stuck++; stuck >= maxStuckRounds {
			err := fmt.Errorf("the target's clock stayed at %s through %d waits of %s", now.UTC().Format(time.RFC3339), stuck, step)
			for _, i := range waiting {
				results[i].Status, results[i].Err, results[i].Reason = StatusError, err, err.Error()
			}
			return results, err
		}
	}
}

// maxStuckRounds is how many waits may leave the target's clock where it
// was before WaitAll gives up.
const maxStuckRounds = 3
