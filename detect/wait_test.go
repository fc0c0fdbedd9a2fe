package detect

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// fakeTarget is a target with a manual clock: Wait moves it forward.
type fakeTarget struct {
	mu        sync.Mutex
	now       time.Time
	waits     []time.Duration
	frozen    bool // Wait does not move the clock
	telemetry map[Role]bool
	src       Source
}

func (f *fakeTarget) ResponderConfig(context.Context) (aws.Config, error) { return aws.Config{}, nil }
func (f *fakeTarget) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}
func (f *fakeTarget) Wait(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	if !f.frozen {
		f.now = f.now.Add(d)
	}
	return ctx.Err()
}
func (f *fakeTarget) HasCloudTrailDelivery() bool { return f.telemetry[RoleCloudTrail] }
func (f *fakeTarget) HasFlowLogs() bool           { return f.telemetry[RoleVPCFlow] }
func (f *fakeTarget) HasDNSLogs() bool            { return f.telemetry[RoleDNS] }
func (f *fakeTarget) HasGuardDuty() bool          { return f.telemetry[RoleGuardDuty] }
func (f *fakeTarget) LogGroup(role string) string { return "group/" + role }
func (f *fakeTarget) TelemetrySource(context.Context) (Source, error) {
	return f.src, nil
}

// delayedSource delivers a fixture's events only once the target's clock
// has passed each event's time plus the delay, as CloudTrail delivery does.
type delayedSource struct {
	inner  Source
	target *fakeTarget
	delay  time.Duration
	calls  int
	fail   error
}

func (d *delayedSource) visible(w Window) Window {
	cut := d.target.Now().Add(-d.delay)
	if w.End.IsZero() || w.End.After(cut) {
		w.End = cut
	}
	return w
}

func (d *delayedSource) Query(ctx context.Context, r Role, q string, w Window) ([][]Field, error) {
	d.calls++
	if d.fail != nil {
		return nil, d.fail
	}
	return d.inner.Query(ctx, r, q, d.visible(w))
}
func (d *delayedSource) FilterLogEvents(ctx context.Context, r Role, p string, w Window) ([]Event, error) {
	d.calls++
	return d.inner.FilterLogEvents(ctx, r, p, d.visible(w))
}
func (d *delayedSource) Findings(ctx context.Context, c string, w Window) ([]json.RawMessage, error) {
	d.calls++
	return d.inner.Findings(ctx, c, d.visible(w))
}

func newWaitFixture(t *testing.T, delay time.Duration) (*fakeTarget, *delayedSource) {
	t.Helper()
	dir := t.TempDir()
	attackFixture(t, dir)
	inner, err := OpenFixtures(dir)
	if err != nil {
		t.Fatal(err)
	}
	target := &fakeTarget{now: t0.Add(5 * time.Second), telemetry: map[Role]bool{RoleCloudTrail: true}}
	src := &delayedSource{inner: inner, target: target, delay: delay}
	target.src = src
	return target, src
}

func TestWaitFires(t *testing.T) {
	target, src := newWaitFixture(t, 7*time.Minute)
	b := detection(t, sourceIPDetection).MustBind(nil)
	res, err := Wait(context.Background(), target, b, t0, WaitOptions{PollInterval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	// Delivery after 7 minutes: the polls at +5s, 1m5s, … 6m5s see nothing,
	// the one at 7m5s sees the first two records (the third and fourth are
	// one and two seconds later).
	if !res.Fired() || res.Status != StatusFired || res.Polls != 8 || res.TimeToDetect != 7*time.Minute+5*time.Second || !res.FiredAt.Equal(t0.Add(res.TimeToDetect)) {
		t.Errorf("result %+v", res)
	}
	if res.Rows != 4 || len(res.Evidence) != 4 {
		t.Errorf("rows %d evidence %d, want 4", res.Rows, len(res.Evidence))
	}
	if len(target.waits) != 7 || src.calls != 8 {
		t.Errorf("%d waits, %d evaluations", len(target.waits), src.calls)
	}
}

func TestWaitTimesOut(t *testing.T) {
	target, _ := newWaitFixture(t, time.Hour)
	b := detection(t, sourceIPDetection+"timeout: 10m\n").MustBind(nil)
	var rounds []int
	res, err := Wait(context.Background(), target, b, t0, WaitOptions{PollInterval: 3 * time.Minute,
		Progress: func(round int, rs []*WaitResult) { rounds = append(rounds, round) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusQuiet || res.Fired() || !strings.Contains(res.Reason, "did not fire within 10m0s") {
		t.Errorf("result %+v", res)
	}
	// Polls at +5s, 3m5s, 6m5s, 9m5s, then a last wait of 55s to the
	// deadline: the clock never runs past it by more than needed.
	if got := target.waits; len(got) != 4 || got[3] != 55*time.Second || res.Polls != 5 || len(rounds) != 5 {
		t.Errorf("waits %v, polls %d, progress rounds %v", got, res.Polls, rounds)
	}
	if !target.Now().Equal(t0.Add(10 * time.Minute)) {
		t.Errorf("clock at %s, want the deadline", target.Now())
	}
}

func TestWaitWithoutTelemetryReturnsAtOnce(t *testing.T) {
	target, src := newWaitFixture(t, 0)
	target.telemetry = map[Role]bool{} // moto: no CloudTrail delivery
	dns := detection(t, "id: t.dns\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: dns\ninsights: fields query_name\n").MustBind(nil)
	results, err := WaitAll(context.Background(), target, []*Bound{detection(t, sourceIPDetection).MustBind(nil), dns}, t0)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"target has no CloudTrail delivery", "target has no DNS query logs"} {
		if results[i].Status != StatusNoTelemetry || results[i].Reason != want || results[i].Polls != 0 {
			t.Errorf("result %d: %+v, want %q", i, results[i], want)
		}
	}
	if len(target.waits) != 0 || src.calls != 0 {
		t.Errorf("waited %v and evaluated %d times; want neither", target.waits, src.calls)
	}
}

func TestWaitAllSharesTheClock(t *testing.T) {
	target, _ := newWaitFixture(t, 2*time.Minute)
	fast := detection(t, sourceIPDetection).MustBind(nil)
	never := detection(t, strings.Replace(sourceIPDetection, "t.source-ip", "t.never", 1)).MustBind(map[string]string{"attacker_ip": "192.0.2.1"})
	results, err := WaitAll(context.Background(), target, []*Bound{fast, never}, t0, WaitOptions{PollInterval: time.Minute, Timeout: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if !results[0].Fired() || results[0].TimeToDetect != 2*time.Minute+5*time.Second || results[1].Status != StatusQuiet {
		t.Errorf("results %+v %+v", results[0], results[1])
	}
	// One wait per round for both, not one per detection.
	var total time.Duration
	for _, w := range target.waits {
		total += w
	}
	if total != 5*time.Minute-5*time.Second {
		t.Errorf("waits %v add up to %s, want the 5m timeout less the 5s already gone", target.waits, total)
	}
}

func TestWaitErrors(t *testing.T) {
	t.Run("every poll fails", func(t *testing.T) {
		target, src := newWaitFixture(t, 0)
		src.fail = errors.New("throttled")
		res, err := Wait(context.Background(), target, detection(t, sourceIPDetection+"timeout: 2m\n").MustBind(nil), t0, WaitOptions{PollInterval: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != StatusError || !strings.Contains(res.Reason, "throttled") || res.Polls != 3 {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("frozen clock", func(t *testing.T) {
		target, _ := newWaitFixture(t, time.Hour)
		target.frozen = true
		res, err := Wait(context.Background(), target, detection(t, sourceIPDetection).MustBind(nil), t0)
		if err == nil || res.Status != StatusError || !strings.Contains(err.Error(), "clock stayed") {
			t.Errorf("Wait = %+v, %v", res, err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		target, _ := newWaitFixture(t, time.Hour)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := Wait(ctx, target, detection(t, sourceIPDetection).MustBind(nil), t0)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", err)
		}
	})
}
