package behaviour

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/shell"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
	"github.com/irdrill/irdrill/sandbox/behaviour/userdata"
)

// cloudInitVersion is the cloud-init Amazon Linux 2 shipped in 2021.
const cloudInitVersion = "19.3-44.amzn2"

// The boot's timeline: how long after the instance reaches running each
// cloud-init stage begins (its "Up N seconds"), and the pid it runs as.
// These are typical of a t2.nano booting Amazon Linux 2. cron starts
// before cloud-init's final stage, as systemd orders them.
var stageTimes = []struct {
	name string
	up   time.Duration
	pid  int32
}{
	{"init-local", 6840 * time.Millisecond, 2134},
	{"init", 8910 * time.Millisecond, 2263},
	{"modules:config", 12480 * time.Millisecond, 2556},
	{"modules:final", 13270 * time.Millisecond, 2598},
}

const crondStart = 5100 * time.Millisecond

// defaultFinalModules is Amazon Linux 2's cloud_final_modules, which a
// user-data cloud_final_modules replaces (cloud-config merging replaces
// top-level keys): the seed's [scripts-user, always] leaves only
// scripts-user, so its boots print no "finished at" line.
var defaultFinalModules = []userdata.Module{
	{Name: "scripts-per-once"}, {Name: "scripts-per-boot"}, {Name: "scripts-per-instance"},
	{Name: "scripts-user"}, {Name: "ssh-authkey-fingerprints"}, {Name: "keys-to-console"},
	{Name: "phone-home"}, {Name: "final-message"}, {Name: "power-state-change"},
}

// Module defaults, as the cc_* modules declare them.
var moduleFrequency = map[string]string{
	"scripts-user": "once-per-instance", "ssh-authkey-fingerprints": "once-per-instance",
	"final-message": "always", "scripts-per-boot": "always", "scripts-per-instance": "once-per-instance",
	"scripts-per-once": "once", "keys-to-console": "once-per-instance",
	"phone-home": "once-per-instance", "power-state-change": "once-per-instance",
}

const (
	scriptsDir   = "/var/lib/cloud/instance/scripts"
	boothooksDir = "/var/lib/cloud/instance/boothooks"
)

// cloudEnv is the environment systemd gives cloud-init's services.
var cloudEnv = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG=en_US.UTF-8"}

// cloudInit runs cloud-init's four stages as a coroutine on the clock.
func (in *Instance) cloudInit(ctx context.Context, yield func(time.Time) error) {
	boot := in.bootedAt
	cur := boot.Add(stageTimes[0].up)
	tree, _ := in.newRun(RunBoot, "cloud-init", cur)
	pid := stageTimes[0].pid
	record := func(ev trace.Event) {
		if ev.Time.IsZero() {
			ev.Time = cur
		}
		ev.Run, ev.PID = tree.Run, pid
		in.events.add(ev)
	}
	warn := func(file, msg string) { record(trace.Event{Kind: trace.Warning, Path: file, Text: msg}) }
	stage := func(i int) bool {
		at := boot.Add(stageTimes[i].up)
		if at.After(cur) {
			if yield(at) != nil {
				return false
			}
			cur = at
		}
		pid = stageTimes[i].pid
		record(trace.Event{Kind: trace.Stage, Text: stageTimes[i].name})
		return ctx.Err() == nil
	}
	console := func(stream int32) *shell.LineWriter {
		p := pid
		return in.machine.NewLineWriter(func(at time.Time, line string) {
			in.events.add(trace.Event{Time: at, Kind: trace.Output, Run: tree.Run, PID: p, Status: stream, Text: line})
		})
	}
	run := func(path string, env []string) (shell.Result, bool) {
		res := in.machine.Start(ctx, shell.Spec{
			Tree: tree, Start: cur, Yield: yield, Path: path, Env: env, Dir: "/",
			Stdout: console(1), Stderr: console(2),
		})
		if res.End.After(cur) {
			cur = res.End
		}
		if res.Err != nil {
			if errors.Is(res.Err, shell.ErrStepBudget) || errors.Is(res.Err, shell.ErrTimeBudget) || errors.Is(res.Err, shell.ErrNesting) {
				record(trace.Event{Kind: trace.Note, Text: fmt.Sprintf("%s stopped after %d steps: %v (bounds: %d steps, %s of sandbox time)",
					path, tree.Steps(), res.Err, in.cfg.MaxSteps, in.cfg.MaxRunTime)})
				return res, true
			}
			return res, false
		}
		return res, true
	}
	final := shell.Result{}
	defer func() {
		if final.Err == nil {
			final.Err = tree.Err()
		}
		in.endRun(tree, final)
	}()

	if !stage(0) || !stage(1) {
		final.Err = errHalted
		return
	}
	// init: fetch and consume the user data.
	res := userdata.Consume(in.userData)
	for _, n := range res.Notes {
		record(trace.Event{Kind: trace.Note, Text: "user data: " + n})
	}
	for _, l := range res.Logs {
		warn(l.File, l.Message)
	}
	in.writeFile(record, "/var/lib/cloud/instance/user-data.txt", in.userData, 0o600)
	for _, s := range res.Scripts {
		in.writeFile(record, path.Join(scriptsDir, s.Name), s.Data, 0o700)
	}
	for _, b := range res.Boothooks {
		p := path.Join(boothooksDir, b.Name)
		in.writeFile(record, p, b.Data, 0o700)
		r, ok := run(p, append(cloudEnv[:len(cloudEnv):len(cloudEnv)], "INSTANCE_ID="+in.cfg.InstanceID))
		if !ok {
			final.Err = errHalted
			return
		}
		if r.Status != 0 {
			warn("util.py", fmt.Sprintf("Boothooks script %s execution error", p))
		}
	}
	if !stage(2) || !stage(3) {
		final.Err = errHalted
		return
	}
	mods := res.Config.FinalModules
	if mods == nil {
		mods = defaultFinalModules
	}
	for _, m := range mods {
		freq := m.Frequency
		if freq == "" {
			freq = moduleFrequency[m.Name]
		}
		if !in.semaphore(record, m.Name, freq) {
			continue
		}
		switch m.Name {
		case "scripts-user":
			if ok := in.runParts(run, warn); !ok {
				final.Err = errHalted
				return
			}
		case "ssh-authkey-fingerprints":
			// The seed's instances are launched without a key pair.
			record(trace.Event{Kind: trace.Output, Status: 1, Text: "ci-info: no authorized ssh keys fingerprints found for user ec2-user."})
		case "final-message":
			up := cur.Sub(boot)
			record(trace.Event{Kind: trace.Output, Status: 1, Text: fmt.Sprintf(
				"Cloud-init v. %s finished at %s. Datasource DataSourceEc2.  Up %.2f seconds",
				cloudInitVersion, cur.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700"), up.Seconds())})
		}
	}
	final.End = cur
}

// semaphore says whether a module runs at this boot, given its frequency,
// and marks it as run, with cloud-init's semaphore files on the volume.
func (in *Instance) semaphore(record func(trace.Event), module, freq string) bool {
	name := "config_" + strings.ReplaceAll(module, "-", "_")
	var sem string
	switch freq {
	case "always":
		return true
	case "once":
		sem = "/var/lib/cloud/sem/" + name + ".once"
	default:
		sem = "/var/lib/cloud/instances/" + in.cfg.InstanceID + "/sem/" + name
	}
	if _, err := in.fs.Stat(sem); err == nil {
		return false
	}
	in.fs.MkdirAll(path.Dir(sem), 0o755)
	in.fs.WriteFile(sem, []byte(strconv.Itoa(int(stageTimes[3].pid))+": "+
		strconv.FormatFloat(float64(in.now().UnixNano())/1e9, 'f', 6, 64)+"\n"), 0o644)
	return true
}

// runParts is cloud-init's util.runparts over the scripts directory:
// every executable regular file, in name order; a failure is logged and
// the rest still run.
func (in *Instance) runParts(run func(string, []string) (shell.Result, bool), warn func(file, msg string)) bool {
	ents, err := in.fs.ReadDir(scriptsDir)
	if err != nil {
		return true
	}
	failed := 0
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 {
			continue
		}
		p := path.Join(scriptsDir, e.Name())
		res, ok := run(p, cloudEnv)
		if !ok {
			return false
		}
		if res.Status != 0 || res.Err != nil {
			code := strconv.Itoa(res.Status)
			if res.Status < 0 || res.Err != nil {
				code = "-"
			}
			warn("util.py", fmt.Sprintf("Failed running %s [%s]", p, code))
			failed++
		}
	}
	if failed > 0 {
		warn("cc_scripts_user.py", "Failed to run module scripts-user (scripts in "+scriptsDir+")")
		warn("util.py", "Running module scripts-user (<module 'cloudinit.config.cc_scripts_user' from "+
			"'/usr/lib/python2.7/site-packages/cloudinit/config/cc_scripts_user.pyc'>) failed")
	}
	return true
}

// writeFile is a write cloud-init itself makes.
func (in *Instance) writeFile(record func(trace.Event), name string, data []byte, perm fs.FileMode) {
	in.fs.MkdirAll(path.Dir(name), 0o755)
	_, statErr := in.fs.Stat(name)
	if err := in.fs.WriteFile(name, data, perm); err != nil {
		record(trace.Event{Kind: trace.Note, Text: fmt.Sprintf("cloud-init could not write %s: %v", name, err)})
		return
	}
	in.fs.Chmod(name, perm)
	op := "written"
	if statErr != nil {
		op = "created"
	}
	record(trace.Event{Kind: trace.FileWrite, Path: name, Text: op, Bytes: int64(len(data))})
}
