package shell

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"runtime"
	"time"

	"mvdan.cc/sh/v3/expand"

	"github.com/irdrill/irdrill/sandbox/behaviour/memfs"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/network"
)

// Costs is the sandbox time each kind of step takes. The defaults are
// rough figures for a t2.nano running Amazon Linux 2: enough that every
// event has its own time and a run lasts about as long as it would.
type Costs struct {
	// Builtin is a shell builtin (echo, test, assignment by a command).
	Builtin time.Duration
	// Exec is starting a small utility (mkdir, touch, chmod, cat, …).
	Exec time.Duration
	// Script is starting bash for a script run by path, bash -c or cron.
	Script time.Duration
	// Fork is starting a background job with "&".
	Fork time.Duration
	// DigStart and QueryRTT make a dig: start the tool, then one round
	// trip to the VPC resolver per query.
	DigStart, QueryRTT time.Duration
	// HTTPStart is starting curl or wget; the exchange then takes what
	// the network says it took.
	HTTPStart time.Duration
	// ConnectTimeout is how long an unanswered TCP connect takes to fail
	// when the tool sets no timeout: Linux's six SYN retries, 127 s.
	ConnectTimeout time.Duration
}

// DefaultCosts are the costs the sandbox uses unless told otherwise.
var DefaultCosts = Costs{
	Builtin:        20 * time.Microsecond,
	Exec:           time.Millisecond,
	Script:         3 * time.Millisecond,
	Fork:           500 * time.Microsecond,
	DigStart:       4 * time.Millisecond,
	QueryRTT:       time.Millisecond,
	HTTPStart:      5 * time.Millisecond,
	ConnectTimeout: 127 * time.Second,
}

// Config describes the instance a Machine models.
type Config struct {
	InstanceID string
	Hostname   string // ip-172-31-2-122.ec2.internal
	FS         *memfs.FS
	Net        network.Network
	Host       network.Host
	Programs   *Cache
	// ClockNow reads the sandbox clock. A process that runs more than
	// Lead ahead of it yields until the clock catches up.
	ClockNow func() time.Time
	Lead     time.Duration
	// Record receives every event of the behaviour log.
	Record func(trace.Event)
	// Spawn starts a background job as its own process on the clock. The
	// job runs when Spawn's caller calls Job.Run from it.
	Spawn func(*Job)
	Costs Costs
}

// Machine is the shell's view of one instance: its volume, its network
// interface and its process numbering. A Machine runs one process at a
// time; the caller (package behaviour) makes sure of that.
type Machine struct {
	cfg    Config
	rng    *rand.Rand
	pid    int32
	active *cursor
	// The parsed /etc/resolv.conf, kept while its text is unchanged.
	rcGen   uint64
	rcCache *resolvConf
	// lookPath answers, valid while the volume's generation is pathGen.
	pathGen   uint64
	pathCache map[pathKey]string
	frames    []uintptr
	calls     int
	liveJobs  int
}

// maxJobs bounds the background jobs alive at once on a machine.
const maxJobs = 256

// NewMachine returns a machine for cfg.
func NewMachine(cfg Config) *Machine {
	if cfg.Programs == nil {
		cfg.Programs = NewCache()
	}
	if cfg.Lead <= 0 {
		cfg.Lead = time.Second
	}
	if cfg.Costs == (Costs{}) {
		cfg.Costs = DefaultCosts
	}
	if cfg.Record == nil {
		cfg.Record = func(trace.Event) {}
	}
	if cfg.ClockNow == nil {
		cfg.ClockNow = time.Now
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	h := fnv.New64a()
	io.WriteString(h, cfg.InstanceID)
	seed := h.Sum64()
	return &Machine{
		cfg: cfg,
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		// The first processes a fresh Amazon Linux 2 boot hands out are
		// in the low thousands by the time cloud-init's final stage runs.
		pid: 2800,
	}
}

// FS is the machine's volume.
func (m *Machine) FS() *memfs.FS { return m.cfg.FS }

// NextPID hands out a process id.
func (m *Machine) NextPID() int32 {
	m.pid++
	if m.pid > 32768 {
		m.pid = 1000
	}
	return m.pid
}

// ephemeralPort is a source port from Linux's default ephemeral range.
func (m *Machine) ephemeralPort() uint16 { return uint16(32768 + m.rng.IntN(61000-32768)) }

// Now is the time of the process that is running, for output lines
// written on its behalf.
func (m *Machine) Now() time.Time {
	if m.active != nil {
		return m.active.t
	}
	return m.cfg.ClockNow()
}

// ErrStepBudget, ErrTimeBudget and ErrNesting end a run that went past
// its bounds.
var (
	ErrStepBudget = errors.New("step bound reached")
	ErrTimeBudget = errors.New("sandbox-time budget reached")
	ErrNesting    = errors.New("maximum nesting of functions, evals and scripts reached")
	ErrMemory     = errors.New("memory bound reached (shell variables and arguments)")
)

// Memory bounds: what a run's variables may hold, and what one command's
// arguments may (Linux refuses more than ARG_MAX, 2 MiB, to execve).
const (
	maxVarBytes        = 32 << 20
	maxArgBytes        = 2 << 20
	maxBuiltinArgBytes = 32 << 20
)

// checkMemory stops the run when its variables hold more than maxVarBytes.
func (p *proc) checkMemory(env expand.Environ) error {
	total := 0
	env.Each(func(_ string, vr expand.Variable) bool {
		total += len(vr.Str)
		for _, s := range vr.List {
			total += len(s)
		}
		for k, v := range vr.Map {
			total += len(k) + len(v)
		}
		return total <= maxVarBytes
	})
	if total > maxVarBytes {
		if p.tree.err == nil {
			p.tree.err = ErrMemory
		}
		return p.tree.err
	}
	return nil
}

// maxFrames bounds the interpreter's Go stack: function recursion, eval
// and scripts that run themselves each nest the interpreter, and a stack
// past Go's limit would kill the process rather than the script.
const maxFrames = 20000

// deep reports whether the interpreter is nested too deeply, and stops the
// run if so.
func (p *proc) deep() error {
	m := p.m
	if m.calls++; m.calls%16 != 0 {
		return nil
	}
	if m.frames == nil {
		m.frames = make([]uintptr, maxFrames+1)
	}
	if runtime.Callers(0, m.frames) > maxFrames {
		if p.tree.err == nil {
			p.tree.err = ErrNesting
		}
		return p.tree.err
	}
	return nil
}

// Tree is one run: a boot's script, a cron job, with every process it
// starts, sharing one budget.
type Tree struct {
	Run      int32
	MaxSteps int
	Deadline time.Time

	steps int
	err   error
	evals []*Program
}

// Steps is the number of steps the run has taken.
func (t *Tree) Steps() int { return t.steps }

// Err is why the run was stopped, if it was.
func (t *Tree) Err() error { return t.err }

type cursor struct{ t time.Time }

// proc is one modelled process: an interpreter with its own pid, sharing
// its time cursor with the synchronous children it waits for.
type proc struct {
	m     *Machine
	pid   int32
	ppid  int32
	cur   *cursor
	tree  *Tree
	yield func(at time.Time) error
	pipes map[string]*pipeBuf
	jobs  []*Job
	name  string // $0, for messages
}

func (p *proc) now() time.Time { return p.cur.t }

// spend counts one step against the run's bound and moves the process's
// time on by d.
func (p *proc) spend(ctx context.Context, d time.Duration) error {
	t := p.tree
	if t.err != nil {
		return t.err
	}
	t.steps++
	if t.MaxSteps > 0 && t.steps > t.MaxSteps {
		t.err = ErrStepBudget
		return t.err
	}
	return p.advance(ctx, d)
}

// check reports whether the run may go on.
func (p *proc) check(ctx context.Context) error {
	if err := p.tree.err; err != nil {
		return err
	}
	return ctx.Err()
}

// advance moves the process's time on by d, yielding to the clock when it
// runs more than Lead ahead of it, and enforces the run's time budget.
func (p *proc) advance(ctx context.Context, d time.Duration) error {
	t := p.tree
	if t.err != nil {
		return t.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	next := p.cur.t.Add(d)
	if !t.Deadline.IsZero() && next.After(t.Deadline) {
		p.cur.t = t.Deadline
		t.err = ErrTimeBudget
		return t.err
	}
	p.cur.t = next
	if p.yield != nil && p.cur.t.Sub(p.m.cfg.ClockNow()) > p.m.cfg.Lead {
		at := p.cur.t
		if err := p.yield(at); err != nil {
			return err
		}
		p.m.active = p.cur
		if p.cur.t.Before(at) {
			p.cur.t = at
		}
	}
	return nil
}

func (p *proc) record(ev trace.Event) {
	if ev.Time.IsZero() {
		ev.Time = p.cur.t
	}
	ev.Run = p.tree.Run
	if ev.PID == 0 {
		ev.PID = p.pid
	}
	p.m.cfg.Record(ev)
}

func (p *proc) note(format string, args ...any) {
	p.record(trace.Event{Kind: trace.Note, Text: fmt.Sprintf(format, args...)})
}

// Job is a background job: a statement started with "&" that runs as its
// own process, concurrently on the sandbox clock.
type Job struct {
	parent *proc
	proc   *proc
	run    func(ctx context.Context)

	// Start is when the job starts.
	Start time.Time
	// Done and End say whether and when it ended.
	Done bool
	End  time.Time
	// Next is when the job next resumes, while it is waiting for the
	// clock.
	Next time.Time
}

// Run runs the job on the calling goroutine, which must be a coroutine
// that yields through yield.
func (j *Job) Run(ctx context.Context, yield func(at time.Time) error) {
	j.proc.yield = func(at time.Time) error {
		j.Next = at
		return yield(at)
	}
	j.proc.cur.t = j.Start
	j.parent.m.active = j.proc.cur
	defer func() { j.parent.m.liveJobs-- }()
	j.run(ctx)
	j.Done, j.End = true, j.proc.cur.t
}

// Abandon is called instead of Run for a job that will never run (its
// instance halted first).
func (j *Job) Abandon() { j.parent.m.liveJobs-- }

// Tree is the run the job belongs to.
func (j *Job) Tree() *Tree { return j.proc.tree }

// ResetPIDs starts the process numbering again, as a new boot does.
func (m *Machine) ResetPIDs() { m.pid = 2800; m.liveJobs = 0 }

// Pending is the number of background jobs alive.
func (m *Machine) Pending() int { return m.liveJobs }
