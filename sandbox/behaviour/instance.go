package behaviour

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/memfs"
	"github.com/irdrill/irdrill/sandbox/behaviour/shell"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/clock"
	"github.com/irdrill/irdrill/sandbox/network"
)

// Defaults for the bounds of a run.
const (
	DefaultMaxSteps     = 100_000
	DefaultMaxRunTime   = time.Hour
	DefaultMaxLogEvents = 20_000
)

// Config describes one instance's runtime.
type Config struct {
	InstanceID string
	// Region names the instance's DNS domain: ec2.internal in us-east-1
	// (the default), REGION.compute.internal elsewhere.
	Region string
	Host   network.Host
	// UserData is the raw user data (not base64), any bytes.
	UserData []byte
	Clock    *clock.Clock
	Network  network.Network
	// MaxSteps bounds the steps (commands and loop iterations) of one
	// run: a boot's scripts, or one cron job, with everything they start.
	MaxSteps int
	// MaxRunTime bounds the sandbox time one run may take.
	MaxRunTime time.Duration
	// MaxLogEvents bounds the behaviour log; the oldest cron runs' events
	// go first (their Run summaries stay).
	MaxLogEvents int
	// Programs shares parsed scripts between instances; nil gives the
	// instance its own cache.
	Programs *shell.Cache
	// Costs overrides the time model (shell.DefaultCosts).
	Costs  shell.Costs
	Logger *slog.Logger
}

// State is where an instance is in its life.
type State int

// States.
const (
	Created State = iota // launched, not booted yet
	Running
	Stopped
	Terminated
)

func (s State) String() string {
	return [...]string{"created", "running", "stopped", "terminated"}[s]
}

// ErrTerminated is returned by Boot for a terminated instance.
var ErrTerminated = errors.New("instance is terminated")

// Instance is the runtime of one EC2 instance: its root volume, its
// cloud-init and cron, and the processes they run on the sandbox clock.
// It is safe for concurrent use.
type Instance struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	state    State
	userData []byte
	fs       *memfs.FS
	machine  *shell.Machine
	events   *eventLog
	power    context.Context
	cut      context.CancelFunc
	live     map[*coroutine]struct{}
	timers   []*clock.Timer
	cron     *crond
	runs     int32
	boots    int
	bootedAt time.Time
}

// New returns the runtime of a launched instance. It runs nothing until
// Boot.
func New(cfg Config) (*Instance, error) {
	if cfg.InstanceID == "" {
		return nil, errors.New("behaviour: instance id is required")
	}
	if cfg.Clock == nil || cfg.Network == nil {
		return nil, errors.New("behaviour: a clock and a network are required")
	}
	if cfg.MaxSteps <= 0 {
		cfg.MaxSteps = DefaultMaxSteps
	}
	if cfg.MaxRunTime <= 0 {
		cfg.MaxRunTime = DefaultMaxRunTime
	}
	if cfg.MaxLogEvents <= 0 {
		cfg.MaxLogEvents = DefaultMaxLogEvents
	}
	if cfg.Costs == (shell.Costs{}) {
		cfg.Costs = shell.DefaultCosts
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	in := &Instance{
		cfg:      cfg,
		log:      logger.With("instance", cfg.InstanceID),
		userData: append([]byte(nil), cfg.UserData...),
		events:   newEventLog(cfg.MaxLogEvents),
		live:     map[*coroutine]struct{}{},
	}
	in.fs = memfs.New(memfs.DefaultLimit, in.now)
	in.machine = shell.NewMachine(shell.Config{
		InstanceID: cfg.InstanceID,
		Hostname:   hostname(cfg.Host, cfg.Region),
		FS:         in.fs,
		Net:        cfg.Network,
		Host:       cfg.Host,
		Programs:   cfg.Programs,
		ClockNow:   cfg.Clock.Now,
		Record:     in.events.add,
		Spawn:      in.spawnJob,
		Costs:      cfg.Costs,
	})
	populate(in.fs, cfg)
	in.cron = newCrond(in)
	in.fs.Watch(in.cron.changed)
	return in, nil
}

// now is the time of whatever runs on the instance.
func (in *Instance) now() time.Time { return in.machine.Now() }

// State is the instance's state.
func (in *Instance) State() State {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.state
}

// SetUserData replaces the user data, as ModifyInstanceAttribute does for
// a stopped instance; cloud-init reads the new data at the next boot.
func (in *Instance) SetUserData(b []byte) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.userData = append([]byte(nil), b...)
}

// Boot is called when the instance reaches running, after launch and
// after every start: the instance boots, cron starts, and cloud-init runs
// its stages on the sandbox clock from now on.
func (in *Instance) Boot() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	switch in.state {
	case Terminated:
		return ErrTerminated
	case Running:
		return nil
	}
	now := in.cfg.Clock.Now()
	in.state = Running
	in.boots++
	in.bootedAt = now
	in.power, in.cut = context.WithCancel(context.Background())
	in.machine.ResetPIDs()
	in.events.add(trace.Event{Time: now, Kind: trace.Boot, Text: fmt.Sprintf("boot %d", in.boots)})
	in.log.Debug("boot", "n", in.boots, "at", now)
	in.after(now.Add(crondStart), func(time.Time) { in.cron.start() })
	in.spawn(now.Add(stageTimes[0].up), in.cloudInit)
	return nil
}

// Stop is called when the instance stops: every process ends where it is
// and cron stops. The volume keeps what was written.
func (in *Instance) Stop() {
	in.halt(Stopped, "instance stopped")
}

// Reboot is RebootInstances: every process ends, and the instance boots
// again at once (cloud-init's per-instance modules do not run again).
func (in *Instance) Reboot() error {
	in.halt(Stopped, "instance rebooting")
	return in.Boot()
}

// Terminate is called when the instance is terminated: it never runs
// again, and Boot fails.
func (in *Instance) Terminate() {
	in.halt(Terminated, "instance terminated")
}

func (in *Instance) halt(to State, why string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.state == Terminated || (in.state == to) {
		return
	}
	was := in.state
	in.state = to
	if was != Running {
		return
	}
	in.cut()
	for _, t := range in.timers {
		t.Stop()
	}
	in.timers = nil
	in.cron.stop()
	in.haltAll()
	in.events.add(trace.Event{Time: in.cfg.Clock.Now(), Kind: trace.Halt, Text: why})
	in.log.Debug("halt", "state", to)
}

// after runs fn at sandbox time at, unless the instance halts first. The
// caller holds in.mu.
func (in *Instance) after(at time.Time, fn func(now time.Time)) {
	var t *clock.Timer
	t = in.cfg.Clock.AfterFunc(at, func(now time.Time) {
		in.mu.Lock()
		defer in.mu.Unlock()
		for i, x := range in.timers {
			if x == t {
				in.timers = append(in.timers[:i], in.timers[i+1:]...)
				break
			}
		}
		if in.state != Running {
			return
		}
		fn(now)
	})
	in.timers = append(in.timers, t)
}

// spawnJob starts a background job as its own coroutine. It runs from
// inside a process, so in.mu is held.
func (in *Instance) spawnJob(j *shell.Job) {
	in.spawnWith(j.Start, func(ctx context.Context, yield func(time.Time) error) {
		j.Run(ctx, yield)
	}, j.Abandon)
}

func (in *Instance) newRun(kind RunKind, command string, start time.Time) (*shell.Tree, *Run) {
	in.runs++
	r := &Run{ID: in.runs, Kind: kind, Command: command, Start: start}
	in.events.startRun(r)
	return &shell.Tree{Run: in.runs, MaxSteps: in.cfg.MaxSteps, Deadline: start.Add(in.cfg.MaxRunTime)}, r
}

func (in *Instance) endRun(t *shell.Tree, res shell.Result) {
	in.events.endRun(t.Run, func(r *Run) {
		r.End, r.Status, r.Steps = res.End, res.Status, t.Steps()
		switch err := res.Err; {
		case err == nil:
		case errors.Is(err, shell.ErrStepBudget), errors.Is(err, shell.ErrTimeBudget), errors.Is(err, shell.ErrNesting):
			r.Stopped = err.Error()
		case errors.Is(err, errHalted), errors.Is(err, context.Canceled):
			r.Stopped = errHalted.Error()
		default:
			r.Stopped = err.Error()
		}
		if r.Stopped != "" && r.Stopped != errHalted.Error() {
			in.log.Info("run stopped", "run", r.ID, "kind", r.Kind, "why", r.Stopped, "steps", r.Steps)
		}
	})
}

// Events returns the behaviour log in time order.
func (in *Instance) Events() []Event { return in.events.snapshot() }

// Runs returns a summary of every run, in the order they started.
func (in *Instance) Runs() []Run { return in.events.runList() }

// ReadFile reads a file from the instance's volume (for tests and
// forensics).
func (in *Instance) ReadFile(name string) ([]byte, error) { return in.fs.ReadFile(name) }
