package behaviour

import (
	"sort"
	"sync"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
)

// Event is one entry of the behaviour log.
type Event = trace.Event

// RunKind says what started a run.
type RunKind string

// Run kinds.
const (
	RunBoot RunKind = "boot" // cloud-init, when the instance boots
	RunCron RunKind = "cron" // a cron job
)

// Run sums up one run: a boot's cloud-init, or one cron job, with every
// process they started.
type Run struct {
	ID      int32
	Kind    RunKind
	Command string // the cron command, or "cloud-init"
	Start   time.Time
	// End is when the run's main process ended; its background jobs may
	// go on after.
	End    time.Time
	Status int
	Steps  int
	// Stopped says why the run was cut short ("step bound reached",
	// "sandbox-time budget reached", "instance halted"), if it was.
	Stopped string

	DNSQueries, Connections, FilesWritten, NotModelled int
}

// eventLog is an instance's behaviour log. It keeps every event of the
// boot runs, and of cron runs as many as fit in max events, dropping the
// oldest cron runs first; the Run summaries are kept for all runs.
type eventLog struct {
	mu      sync.Mutex
	events  []trace.Event
	sorted  bool
	max     int
	dropped int
	runs    []*Run
	byID    map[int32]*Run
}

func newEventLog(max int) *eventLog {
	return &eventLog{max: max, sorted: true, byID: map[int32]*Run{}}
}

func (l *eventLog) add(ev trace.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := len(l.events); n > 0 && ev.Time.Before(l.events[n-1].Time) {
		l.sorted = false
	}
	l.events = append(l.events, ev)
	if r := l.byID[ev.Run]; r != nil {
		switch ev.Kind {
		case trace.DNS:
			r.DNSQueries++
		case trace.Connect:
			r.Connections++
		case trace.FileWrite:
			r.FilesWritten++
		case trace.NotModelled:
			r.NotModelled++
		}
	}
	if l.max > 0 && len(l.events) > l.max {
		l.trim()
	}
}

// trim drops the events of the oldest cron runs until a quarter of the
// room is free again.
func (l *eventLog) trim() {
	target := l.max * 3 / 4
	drop := map[int32]bool{}
	count := map[int32]int{}
	for _, ev := range l.events {
		count[ev.Run]++
	}
	excess := len(l.events) - target
	for _, r := range l.runs {
		if excess <= 0 {
			break
		}
		if r.Kind != RunCron || count[r.ID] == 0 {
			continue
		}
		drop[r.ID] = true
		excess -= count[r.ID]
	}
	if len(drop) == 0 {
		return
	}
	kept := l.events[:0]
	for _, ev := range l.events {
		if drop[ev.Run] {
			l.dropped++
			continue
		}
		kept = append(kept, ev)
	}
	clear(l.events[len(kept):])
	l.events = kept
}

func (l *eventLog) startRun(r *Run) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.runs = append(l.runs, r)
	l.byID[r.ID] = r
}

func (l *eventLog) endRun(id int32, fn func(*Run)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.byID[id]; r != nil {
		fn(r)
	}
}

// snapshot returns the events in time order (events of one time keep the
// order they were recorded in).
func (l *eventLog) snapshot() []trace.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.sorted {
		sort.SliceStable(l.events, func(i, j int) bool { return l.events[i].Time.Before(l.events[j].Time) })
		l.sorted = true
	}
	return append([]trace.Event(nil), l.events...)
}

func (l *eventLog) runList() []Run {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Run, len(l.runs))
	for i, r := range l.runs {
		out[i] = *r
	}
	return out
}
