package shell

import (
	"bytes"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/behaviour/crontab"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
)

func fileEvent(name, op string, n int64) trace.Event {
	return trace.Event{Kind: trace.FileWrite, Path: name, Text: op, Bytes: n}
}

// cmdSleep spends sandbox time, never wall time: a long sleep lets the
// clock run on (the process yields) rather than block anything.
func cmdSleep(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	if len(c.args) < 2 {
		c.errorf("missing operand")
		return 1
	}
	var total time.Duration
	for _, a := range c.args[1:] {
		d, ok := parseSleep(a)
		if !ok {
			c.errorf("invalid time interval ‘%s’", a)
			return 1
		}
		total += d
	}
	if err := c.p.advance(c.ctx, total); err != nil {
		return 1
	}
	return 0
}

func parseSleep(s string) (time.Duration, bool) {
	if s == "infinity" || s == "inf" {
		return time.Duration(math.MaxInt64 / 2), true
	}
	unit := time.Second
	switch {
	case strings.HasSuffix(s, "s"):
		s = s[:len(s)-1]
	case strings.HasSuffix(s, "m"):
		s, unit = s[:len(s)-1], time.Minute
	case strings.HasSuffix(s, "h"):
		s, unit = s[:len(s)-1], time.Hour
	case strings.HasSuffix(s, "d"):
		s, unit = s[:len(s)-1], 24*time.Hour
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsNaN(f) {
		return 0, false
	}
	d := f * float64(unit)
	if d > math.MaxInt64/2 {
		d = math.MaxInt64 / 2
	}
	return time.Duration(d), true
}

// cmdDate prints the sandbox time, in UTC as Amazon Linux sets it.
func cmdDate(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	now := c.p.now().UTC()
	for _, a := range c.args[1:] {
		if strings.HasPrefix(a, "+") {
			fmt.Fprintln(c.stdout, strftime(a[1:], now))
			return 0
		}
	}
	fmt.Fprintln(c.stdout, now.Format("Mon Jan _2 15:04:05 UTC 2006"))
	return 0
}

func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			b.WriteString(t.Format("2006"))
		case 'm':
			b.WriteString(t.Format("01"))
		case 'd':
			b.WriteString(t.Format("02"))
		case 'H':
			b.WriteString(t.Format("15"))
		case 'M':
			b.WriteString(t.Format("04"))
		case 'S':
			b.WriteString(t.Format("05"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'N':
			fmt.Fprintf(&b, "%09d", t.Nanosecond())
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

func cmdHostname(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	h := c.p.m.cfg.Hostname
	if len(c.args) > 1 && (c.args[1] == "-s" || c.args[1] == "--short") {
		h, _, _ = strings.Cut(h, ".")
	}
	if len(c.args) > 1 && (c.args[1] == "-i" || c.args[1] == "-I") {
		h = c.p.m.cfg.Host.PrivateIP.String()
	}
	fmt.Fprintln(c.stdout, h)
	return 0
}

func cmdWhoami(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	fmt.Fprintln(c.stdout, "root")
	return 0
}

func cmdID(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	switch {
	case len(c.args) > 1 && (c.args[1] == "-u" || c.args[1] == "-g"):
		fmt.Fprintln(c.stdout, "0")
	case len(c.args) > 1 && (c.args[1] == "-un" || c.args[1] == "-nu" || c.args[1] == "-gn"):
		fmt.Fprintln(c.stdout, "root")
	default:
		fmt.Fprintln(c.stdout, "uid=0(root) gid=0(root) groups=0(root)")
	}
	return 0
}

func cmdUname(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	const (
		release = "4.14.238-182.422.amzn2.x86_64"
		version = "#1 SMP Tue Jul 20 20:35:54 UTC 2021"
	)
	flags, _, _ := splitFlags(c.args[1:])
	switch {
	case strings.Contains(flags, "a"):
		fmt.Fprintf(c.stdout, "Linux %s %s %s x86_64 x86_64 x86_64 GNU/Linux\n", c.p.m.cfg.Hostname, release, version)
	case strings.Contains(flags, "r"):
		fmt.Fprintln(c.stdout, release)
	case strings.Contains(flags, "m"), strings.Contains(flags, "p"):
		fmt.Fprintln(c.stdout, "x86_64")
	case strings.Contains(flags, "n"):
		fmt.Fprintln(c.stdout, c.p.m.cfg.Hostname)
	default:
		fmt.Fprintln(c.stdout, "Linux")
	}
	return 0
}

func cmdNproc(c *cmd) int {
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	fmt.Fprintln(c.stdout, "1") // a t2.nano has one vCPU
	return 0
}

// cmdShell is bash and sh: -c STRING, a script file, or a script on
// standard input ("curl … | bash").
func cmdShell(c *cmd) int {
	args := c.args[1:]
	var src []byte
	name := c.args[0]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && args[0] != "-" {
		a := args[0]
		args = args[1:]
		if a == "-c" {
			if len(args) == 0 {
				c.errorf("-c: option requires an argument")
				return 2
			}
			src, args = []byte(args[0]), args[1:]
			if len(args) > 0 {
				name, args = args[0], args[1:]
			}
			break
		}
		if a == "--" {
			break
		}
	}
	if src == nil {
		if len(args) > 0 && args[0] != "-" {
			full := c.abs(args[0])
			data, err := c.p.m.cfg.FS.ReadFile(full)
			if err != nil {
				fmt.Fprintf(c.stderr, "%s: %s: %s\n", c.args[0], args[0], errText(err))
				return 127
			}
			src, name, args = data, args[0], args[1:]
		} else {
			data, _ := c.readInput("-")
			src = data
		}
	}
	if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Script); err != nil {
		return 1
	}
	prog := c.p.m.cfg.Programs.Get(src, name)
	child := &proc{m: c.p.m, pid: c.p.m.NextPID(), ppid: c.p.pid, cur: c.p.cur, tree: c.p.tree, yield: c.p.yield, name: name}
	env := snapshotEnviron(c.hc.Env, true, child.pid, c.p.pid)
	status, err := child.runProgram(c.ctx, prog, name, args, nil, c.stdout, c.stderr, env, c.hc.Dir)
	if err != nil {
		return 1
	}
	return status
}

// cmdWrapper is sudo, nohup, nice and setsid: run the rest as a command
// (everything already runs as root).
func cmdWrapper(c *cmd) int {
	args := c.args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if (c.args[0] == "nice" && args[0] == "-n") || (c.args[0] == "sudo" && (args[0] == "-u" || args[0] == "-g")) {
			if len(args) > 1 {
				args = args[1:]
			}
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return 0
	}
	status, _ := c.p.dispatch(c.ctx, c.hc, args, c.stdin, c.stdout, c.stderr)
	return status
}

func cmdEnv(c *cmd) int {
	args := c.args[1:]
	for len(args) > 0 && (strings.Contains(args[0], "=") || strings.HasPrefix(args[0], "-")) {
		args = args[1:]
	}
	if len(args) == 0 {
		if err := c.p.spend(c.ctx, c.p.m.cfg.Costs.Exec); err != nil {
			return 1
		}
		for _, kv := range envList(c.hc.Env) {
			fmt.Fprintln(c.stdout, kv)
		}
		return 0
	}
	status, _ := c.p.dispatch(c.ctx, c.hc, args, c.stdin, c.stdout, c.stderr)
	return status
}

func cmdTimeout(c *cmd) int {
	args := c.args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	if len(args) < 2 {
		c.errorf("missing operand")
		return 125
	}
	status, _ := c.p.dispatch(c.ctx, c.hc, args[1:], c.stdin, c.stdout, c.stderr)
	return status
}

// cmdCrontab installs, lists and removes a user's crontab in
// /var/spool/cron, where cron reads it. Installing checks the file as
// cronie's crontab does and refuses it whole on any error.
func cmdCrontab(c *cmd) int {
	if err := c.p.spend(c.ctx, 2*c.p.m.cfg.Costs.Exec); err != nil {
		return 1
	}
	user := "root"
	var op, file string
	args := c.args[1:]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "-u":
			if i+1 < len(args) {
				user = args[i+1]
				i++
			}
		case "-l", "-r", "-e", "-i":
			op = a
		default:
			file = a
		}
	}
	spool := "/var/spool/cron/" + path.Base(user)
	switch op {
	case "-l":
		data, err := c.p.m.cfg.FS.ReadFile(spool)
		if err != nil {
			fmt.Fprintf(c.stderr, "no crontab for %s\n", user)
			return 1
		}
		c.stdout.Write(data)
		return 0
	case "-r":
		if err := c.p.m.cfg.FS.Remove(spool); err != nil {
			fmt.Fprintf(c.stderr, "no crontab for %s\n", user)
			return 1
		}
		c.p.record(fileEvent(spool, "removed", 0))
		return 0
	case "-e":
		c.p.notModelled(c.args, "crontab -e needs an editor")
		return 0
	}
	var data []byte
	var err error
	if file == "" || file == "-" {
		data, err = c.readInput("-")
		file = "-"
	} else {
		data, err = c.p.m.cfg.FS.ReadFile(c.abs(file))
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "%s: %s\n", file, errText(err))
		return 1
	}
	if msgs := crontab.ParseInstall(file, data); len(msgs) > 0 {
		for _, m := range msgs {
			fmt.Fprintln(c.stderr, m)
		}
		fmt.Fprintln(c.stderr, "errors in crontab file, can't install.")
		return 1
	}
	if c.abs(file) == spool {
		// Installing the spool file onto itself (the seed does) leaves it
		// as it is; cron has already seen it.
		return 0
	}
	w, err := c.p.createFile(spool, false, 0o600)
	if err == nil {
		_, err = w.Write(bytes.Clone(data))
		w.Close()
	}
	if err != nil {
		fmt.Fprintf(c.stderr, "crontab: %s\n", errText(err))
		return 1
	}
	return 0
}
