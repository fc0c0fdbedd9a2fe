package behaviour

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/crontab"
	"github.com/irdrill/irdrill/sandbox/behaviour/shell"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/clock"
)

// crond is cronie on the instance. It reads /var/spool/cron/<user>,
// /etc/crontab and /etc/cron.d/* when it starts, and again at the minute
// boundary after any of them changes (cronie wakes each minute and
// reloads what changed), so what it runs is what those files say then:
// the seed installs an empty crontab and appends its line to the spool
// file afterwards, and cron runs that line.
type crond struct {
	in      *Instance
	running bool
	reload  bool
	jobs    []*cronJob
	pid     int32
}

type cronJob struct {
	source string
	user   string
	entry  crontab.Entry
	timer  *clock.Timer
	last   time.Time
}

func newCrond(in *Instance) *crond { return &crond{in: in, pid: 1998} }

func isCronPath(p string) bool {
	return strings.HasPrefix(p, "/var/spool/cron/") || p == "/etc/crontab" || strings.HasPrefix(p, "/etc/cron.d/")
}

// start is crond starting at boot. The caller holds in.mu.
func (c *crond) start() {
	c.running = true
	now := c.in.cfg.Clock.Now()
	c.load(now, true)
}

// stop is crond stopping with the instance. The caller holds in.mu.
func (c *crond) stop() {
	c.running = false
	c.reload = false
	for _, j := range c.jobs {
		if j.timer != nil {
			j.timer.Stop()
		}
	}
	c.jobs = nil
}

// changed is the volume telling cron a file changed. It runs inside a
// process or cloud-init, which hold in.mu.
func (c *crond) changed(p string) {
	if !c.running || c.reload || !isCronPath(p) {
		return
	}
	c.reload = true
	at := c.in.now().Truncate(time.Minute).Add(time.Minute)
	c.in.after(at, func(now time.Time) {
		c.reload = false
		c.load(now, false)
	})
}

// load reads every crontab and schedules its entries; at boot it also
// runs the @reboot ones.
func (c *crond) load(now time.Time, boot bool) {
	last := map[string]time.Time{}
	for _, j := range c.jobs {
		if j.timer != nil {
			j.timer.Stop()
		}
		last[j.key()] = j.last
	}
	c.jobs = nil
	fs := c.in.fs
	type table struct {
		source string
		system bool
	}
	var tables []table
	if ents, err := fs.ReadDir("/var/spool/cron"); err == nil {
		for _, e := range ents {
			if !e.IsDir() {
				tables = append(tables, table{"/var/spool/cron/" + e.Name(), false})
			}
		}
	}
	tables = append(tables, table{"/etc/crontab", true})
	if ents, err := fs.ReadDir("/etc/cron.d"); err == nil {
		for _, e := range ents {
			if !e.IsDir() {
				tables = append(tables, table{"/etc/cron.d/" + e.Name(), true})
			}
		}
	}
	for _, t := range tables {
		data, err := fs.ReadFile(t.source)
		if err != nil {
			continue
		}
		entries, errs := crontab.Parse(data, t.system)
		user := path.Base(t.source)
		if len(errs) > 0 {
			// cronie refuses a crontab with a bad line whole.
			c.in.events.add(trace.Event{Time: now, Kind: trace.Note, PID: c.pid, Text: fmt.Sprintf(
				"crond: (%s) ERROR (Syntax error, this crontab file will be ignored): %s line %d: %s",
				user, t.source, errs[0].Line, errs[0].Msg)})
			continue
		}
		for _, e := range entries {
			u := user
			if t.system {
				u = e.User
			}
			j := &cronJob{source: t.source, user: u, entry: e}
			j.last = last[j.key()]
			c.jobs = append(c.jobs, j)
			c.in.events.add(trace.Event{Time: now, Kind: trace.Cron, PID: c.pid, Cron: &trace.CronEntry{
				Source: t.source, User: u, Spec: e.Spec, Command: e.Command, Next: e.Next(now.Add(-time.Nanosecond)),
			}})
			if e.Reboot {
				if boot {
					c.run(j, now)
				}
				continue
			}
			c.schedule(j, now.Add(-time.Nanosecond))
		}
	}
	sort.SliceStable(c.jobs, func(a, b int) bool { return c.jobs[a].source < c.jobs[b].source })
}

func (j *cronJob) key() string { return j.source + "\x00" + j.entry.Spec + "\x00" + j.entry.Command }

// schedule sets j's timer for its first time after t.
func (c *crond) schedule(j *cronJob, t time.Time) {
	next := j.entry.Next(t)
	if next.IsZero() {
		return
	}
	if !next.After(j.last) {
		next = j.entry.Next(j.last)
	}
	j.timer = c.in.cfg.Clock.AfterFunc(next, func(now time.Time) {
		c.in.mu.Lock()
		defer c.in.mu.Unlock()
		if !c.running || c.in.state != Running {
			return
		}
		j.last = next
		c.run(j, next)
		c.schedule(j, next)
	})
}

// cronEnv is what cronie gives a job, before the crontab's own
// NAME=value lines.
func cronEnv(user string, extra []string) []string {
	home := "/root"
	if user != "root" {
		home = "/home/" + user
	}
	env := []string{"SHELL=/bin/sh", "HOME=" + home, "LOGNAME=" + user, "USER=" + user, "PATH=/usr/bin:/bin", "LANG=en_US.UTF-8"}
	return append(env, extra...)
}

// run starts one job as its own run. Output is discarded: Amazon Linux 2
// has no mail transfer agent, and cronie discards the output then.
func (c *crond) run(j *cronJob, at time.Time) {
	in := c.in
	cmd := j.entry.Command
	tree, _ := in.newRun(RunCron, cmd, at)
	entry := &trace.CronEntry{Source: j.source, User: j.user, Spec: j.entry.Spec, Command: cmd}
	in.spawn(at, func(ctx context.Context, yield func(time.Time) error) {
		in.events.add(trace.Event{Time: at, Kind: trace.CronRun, Run: tree.Run, PID: c.pid, Cron: entry})
		res := in.machine.Start(ctx, shell.Spec{
			Tree: tree, Start: at, Yield: yield, Command: cmd, Env: cronEnv(j.user, j.entry.Env),
			Dir: cronHome(j.user), Stdin: []byte(j.entry.Input), Stdout: io.Discard, Stderr: io.Discard,
		})
		in.endRun(tree, res)
		text := fmt.Sprintf("exit %d", res.Status)
		if res.Err != nil {
			text = res.Err.Error()
		}
		in.events.add(trace.Event{Time: res.End, Kind: trace.Exit, Run: tree.Run, PID: res.PID, Path: cmd, Status: int32(res.Status), Text: text})
	})
}

func cronHome(user string) string {
	if user == "root" {
		return "/root"
	}
	return "/home/" + user
}
