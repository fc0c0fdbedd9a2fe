package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"syscall"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"

	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
)

// cmd is one invocation of a modelled command.
type cmd struct {
	p      *proc
	ctx    context.Context
	hc     interp.HandlerContext
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// errorf prints "name: message" on standard error, as utilities do.
func (c *cmd) errorf(format string, a ...any) {
	fmt.Fprintf(c.stderr, "%s: %s\n", path.Base(c.args[0]), fmt.Sprintf(format, a...))
}

func (c *cmd) abs(name string) string { return absPath(c.hc.Dir, name) }

// readInput reads a file operand, "-" or nothing meaning standard input.
func (c *cmd) readInput(name string) ([]byte, error) {
	if name == "" || name == "-" {
		if c.stdin == nil {
			return nil, nil
		}
		return io.ReadAll(io.LimitReader(c.stdin, maxOutput))
	}
	r, err := c.p.openRead(c.hc, c.abs(name))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, maxOutput))
}

// maxOutput bounds what one command reads or writes in one go, so that
// "cat /dev/zero" ends.
const maxOutput = 16 << 20

type command func(c *cmd) int

// commands are the utilities the sandbox models, by name. They are found
// on PATH as /usr/bin/NAME (and /bin/NAME, /usr/sbin/NAME, /sbin/NAME).
var commands map[string]command

func init() {
	commands = map[string]command{
		"mkdir": cmdMkdir, "touch": cmdTouch, "chmod": cmdChmod, "chown": cmdChown, "chgrp": cmdChown,
		"rm": cmdRm, "cat": cmdCat, "cp": cmdCp, "mv": cmdMv, "ls": cmdLs, "tee": cmdTee,
		"head": cmdHead, "wc": cmdWc, "base64": cmdBase64,
		"sleep": cmdSleep, "date": cmdDate, "hostname": cmdHostname, "whoami": cmdWhoami,
		"id": cmdID, "uname": cmdUname, "nproc": cmdNproc,
		"bash": cmdShell, "sh": cmdShell,
		"sudo": cmdWrapper, "nohup": cmdWrapper, "nice": cmdWrapper, "setsid": cmdWrapper,
		"env": cmdEnv, "timeout": cmdTimeout,
		"dig": cmdDig, "host": cmdHost, "nslookup": cmdNslookup,
		"curl": cmdCurl, "wget": cmdWget,
		"crontab": cmdCrontab,
	}
}

// binDirs are where the modelled commands live.
var binDirs = map[string]bool{"/bin": true, "/usr/bin": true, "/sbin": true, "/usr/sbin": true, "/usr/local/bin": true}

// exec runs every command that is neither a builtin nor a function.
func (p *proc) exec(ctx context.Context, args []string) error {
	hc := interp.HandlerCtx(ctx)
	switch args[0] {
	case markSpawn:
		return p.spawn(ctx, hc, args[1:])
	case cmdWait:
		return p.waitJobs(ctx)
	case cmdType:
		return p.typeOf(hc, args[1:])
	case cmdNotModelled:
		p.notModelled(args[1:], "builtin not modelled")
		return nil
	case cmdFail:
		code, _ := strconv.Atoi(args[1])
		if len(args) > 2 {
			fmt.Fprintln(hc.Stderr, args[2])
		}
		return interp.ExitStatus(uint8(code))
	}
	status, err := p.dispatch(ctx, hc, args, hc.Stdin, hc.Stdout, hc.Stderr)
	if err != nil {
		return err
	}
	if status != 0 {
		return interp.ExitStatus(uint8(status))
	}
	return nil
}

// dispatch finds what args[0] names and runs it: a file on the volume, a
// modelled command, or else a no-op recorded as not modelled.
func (p *proc) dispatch(ctx context.Context, hc interp.HandlerContext, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	name := args[0]
	line := int(hc.Pos.Line())
	if strings.Contains(name, "/") {
		full := absPath(hc.Dir, name)
		if _, err := p.m.cfg.FS.Stat(full); err == nil {
			return p.execFile(ctx, full, args[1:], stdin, stdout, stderr, snapshotEnviron(hc.Env, true, 0, p.pid), hc.Dir, line)
		}
		if fn, ok := commands[path.Base(full)]; ok && binDirs[path.Dir(full)] {
			return p.runCommand(ctx, hc, fn, args, stdin, stdout, stderr)
		}
		if binDirs[path.Dir(full)] {
			return p.notModelled(args, "not on the sandbox's volume"), p.spend(ctx, p.m.cfg.Costs.Exec)
		}
		fmt.Fprintf(stderr, "%s: line %d: %s: No such file or directory\n", p.name, line, name)
		p.record(trace.Event{Kind: trace.Command, Argv: cloneArgs(args), Status: 127})
		return 127, p.spend(ctx, p.m.cfg.Costs.Builtin)
	}
	if full := p.lookPath(hc, name); full != "" {
		return p.execFile(ctx, full, args[1:], stdin, stdout, stderr, snapshotEnviron(hc.Env, true, 0, p.pid), hc.Dir, line)
	}
	if fn, ok := commands[name]; ok {
		return p.runCommand(ctx, hc, fn, args, stdin, stdout, stderr)
	}
	return p.notModelled(args, ""), p.spend(ctx, p.m.cfg.Costs.Exec)
}

func (p *proc) runCommand(ctx context.Context, hc interp.HandlerContext, fn command, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	start := p.now()
	c := &cmd{p: p, ctx: ctx, hc: hc, args: args, stdin: stdin, stdout: stdout, stderr: stderr}
	status := fn(c)
	p.record(trace.Event{Time: start, Kind: trace.Command, Argv: cloneArgs(args), Status: int32(status)})
	if err := p.tree.err; err != nil {
		return status, err
	}
	return status, ctx.Err()
}

// notModelled records a command the sandbox does not model; it succeeds.
func (p *proc) notModelled(args []string, why string) int {
	if why == "" {
		why = "command not modelled"
	}
	p.record(trace.Event{Kind: trace.NotModelled, Argv: cloneArgs(args), Text: why})
	return 0
}

// lookPath finds name in PATH on the volume, as bash does, so that a
// script a decoy writes to /usr/local/bin runs. Answers are cached until
// the volume changes.
func (p *proc) lookPath(hc interp.HandlerContext, name string) string {
	pathVar := hc.Env.Get("PATH").String()
	m := p.m
	if gen := m.cfg.FS.Gen(); gen != m.pathGen {
		clear(m.pathCache)
		m.pathGen = gen
	}
	key := pathKey{name: name, path: pathVar, dir: hc.Dir}
	if v, ok := m.pathCache[key]; ok {
		return v
	}
	found := ""
	for rest := pathVar; len(rest) > 0 || found == "" && rest != ""; {
		dir := rest
		if i := strings.IndexByte(rest, ':'); i >= 0 {
			dir, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if dir == "" {
			dir = "."
		}
		full := absPath(hc.Dir, dir+"/"+name)
		if m.cfg.FS.IsExecutable(full) {
			found = full
			break
		}
	}
	if m.pathCache == nil {
		m.pathCache = map[pathKey]string{}
	}
	if len(m.pathCache) > 4096 {
		clear(m.pathCache)
	}
	m.pathCache[key] = found
	return found
}

type pathKey struct{ name, path, dir string }

// execFile runs a file on the volume as the kernel would: a script by its
// #! line (bash and sh by the sandbox's shell, anything else not
// modelled), a file without one as a bash script (bash's fallback), and an
// ELF binary not at all. line is the calling script's line, or -1 when no
// shell calls it (cloud-init's run-parts), where a file without #! fails
// to execute.
func (p *proc) execFile(ctx context.Context, full string, args []string, stdin io.Reader, stdout, stderr io.Writer,
	env expand.Environ, dir string, line int) (int, error) {
	var (
		mode    fs.FileMode
		prog    *Program
		interpr string
		binary  bool
		noBang  bool
	)
	err := p.m.cfg.FS.View(full, func(data []byte, m fs.FileMode) {
		mode = m
		switch {
		case bytes.HasPrefix(data, []byte("\x7fELF")):
			binary = true
		case bytes.HasPrefix(data, []byte("#!")):
			first, _, _ := bytes.Cut(data[2:], []byte("\n"))
			f := strings.Fields(string(first))
			if len(f) > 0 {
				interpr = f[0]
				if path.Base(interpr) == "env" && len(f) > 1 {
					interpr = f[1]
				}
			}
			if b := path.Base(interpr); b == "bash" || b == "sh" {
				prog = p.m.cfg.Programs.Get(data, full)
			}
		default:
			noBang = true
			prog = p.m.cfg.Programs.Get(data, full)
		}
	})
	argv := append([]string{full}, args...)
	prefix := "bash: "
	if line > 0 {
		prefix = fmt.Sprintf("%s: line %d: ", p.name, line)
	}
	switch {
	case errors.Is(err, syscall.EISDIR):
		fmt.Fprintf(stderr, "%s%s: Is a directory\n", prefix, full)
		return 126, p.spend(ctx, p.m.cfg.Costs.Builtin)
	case err != nil:
		fmt.Fprintf(stderr, "%s%s: No such file or directory\n", prefix, full)
		return 127, p.spend(ctx, p.m.cfg.Costs.Builtin)
	case mode.Perm()&0o111 == 0:
		fmt.Fprintf(stderr, "%s%s: Permission denied\n", prefix, full)
		p.record(trace.Event{Kind: trace.Command, Argv: cloneArgs(argv), Status: 126})
		return 126, p.spend(ctx, p.m.cfg.Costs.Builtin)
	case binary:
		return p.notModelled(argv, "ELF executable not modelled"), p.spend(ctx, p.m.cfg.Costs.Exec)
	case prog == nil:
		return p.notModelled(argv, "interpreter "+interpr+" not modelled"), p.spend(ctx, p.m.cfg.Costs.Exec)
	case noBang && line < 0:
		return -1, nil // execve: Exec format error
	}
	child := &proc{m: p.m, pid: p.m.NextPID(), ppid: p.pid, cur: p.cur, tree: p.tree, yield: p.yield, name: full}
	if e, ok := env.(*environ); ok {
		e.vars[pidVar] = expand.Variable{Set: true, Kind: expand.String, Str: strconv.Itoa(int(child.pid))}
		e.vars[ppidVar] = expand.Variable{Set: true, Kind: expand.String, Str: strconv.Itoa(int(p.pid))}
	}
	start := p.now()
	child.record(trace.Event{Kind: trace.Script, Path: full, Argv: cloneArgs(argv)})
	if err := p.spend(ctx, p.m.cfg.Costs.Script); err != nil {
		return 1, err
	}
	status, err := child.runProgram(ctx, prog, full, args, stdin, stdout, stderr, env, dir)
	child.record(trace.Event{Kind: trace.Exit, Path: full, Status: int32(status)})
	p.record(trace.Event{Time: start, Kind: trace.Command, Argv: cloneArgs(argv), Status: int32(status)})
	return status, err
}

// spawn starts a background job: the statement the rewrite took out of
// "stmt &", in a copy of the current shell's variables and functions.
func (p *proc) spawn(ctx context.Context, hc interp.HandlerContext, args []string) error {
	prog, _ := ctx.Value(progKey{}).(*Program)
	if len(args) > 1 {
		if k, err := strconv.Atoi(args[1]); err == nil && k >= 0 && k < len(p.tree.evals) {
			prog = p.tree.evals[k]
		}
	}
	i, err := strconv.Atoi(args[0])
	if prog == nil || err != nil || i < 0 || i >= len(prog.jobs) {
		return nil
	}
	if err := p.spend(ctx, p.m.cfg.Costs.Fork); err != nil {
		return err
	}
	if p.m.liveJobs >= maxJobs {
		// The instance's process table is full (a t2.nano's ulimit -u is
		// a few thousand, its memory far less): bash cannot fork.
		fmt.Fprintf(hc.Stderr, "%s: fork: Resource temporarily unavailable\n", p.name)
		return interp.ExitStatus(254)
	}
	p.m.liveJobs++
	stmt := prog.jobs[i]
	child := &proc{m: p.m, pid: p.m.NextPID(), ppid: p.pid, cur: &cursor{}, tree: p.tree, name: p.name}
	env := snapshotEnviron(hc.Env, false, child.pid, p.pid)
	job := &Job{parent: p, proc: child, Start: p.now()}
	stdout, stderr, dir := hc.Stdout, hc.Stderr, hc.Dir
	// A background job's standard input is /dev/null, as bash gives it
	// when job control is off.
	job.run = func(ctx context.Context) {
		r, err := child.newRunner(nil, stdout, stderr, env, dir, nil)
		if err != nil {
			return
		}
		ctx = context.WithValue(ctx, progKey{}, prog)
		for _, f := range prog.funcs {
			if r.Run(ctx, f) != nil {
				break
			}
		}
		_, err = exitStatus(r.Run(ctx, stmt))
		_ = err
	}
	p.jobs = append(p.jobs, job)
	if p.m.cfg.Spawn != nil {
		p.m.cfg.Spawn(job)
	}
	return nil
}

// waitJobs is the wait builtin: it lets the clock run until every job of
// this shell has ended.
func (p *proc) waitJobs(ctx context.Context) error {
	for {
		pending := false
		next := p.now()
		for _, j := range p.jobs {
			if j.Done {
				if j.End.After(p.cur.t) {
					p.cur.t = j.End
				}
				continue
			}
			pending = true
			if j.Next.After(next) {
				next = j.Next
			}
		}
		if !pending || p.yield == nil {
			return nil
		}
		if err := p.tree.err; err != nil {
			return err
		}
		p.cur.t = next
		if err := p.yield(next); err != nil {
			return err
		}
		p.m.active = p.cur
	}
}

// typeOf answers type and command -v/-V from the volume and the modelled
// commands, never from the host's PATH.
func (p *proc) typeOf(hc interp.HandlerContext, args []string) error {
	if len(args) == 0 {
		return nil
	}
	verb := args[0]
	args = args[1:]
	short := false
	if verb == "command" {
		short = args[0] == "-v"
		args = args[1:]
	} else if len(args) > 0 && (args[0] == "-p" || args[0] == "-P" || args[0] == "-t") {
		short = true
		args = args[1:]
	}
	status := 0
	for _, a := range args {
		where := ""
		switch {
		case interp.IsBuiltin(a):
			if short {
				fmt.Fprintln(hc.Stdout, a)
			} else {
				fmt.Fprintf(hc.Stdout, "%s is a shell builtin\n", a)
			}
			continue
		case strings.Contains(a, "/"):
			if fi, err := p.m.cfg.FS.Stat(absPath(hc.Dir, a)); err == nil && !fi.IsDir() {
				where = a
			}
		default:
			where = p.lookPath(hc, a)
			if where == "" {
				if _, ok := commands[a]; ok {
					where = "/usr/bin/" + a
				}
			}
		}
		if where == "" {
			if !short {
				fmt.Fprintf(hc.Stderr, "bash: type: %s: not found\n", a)
			}
			status = 1
			continue
		}
		if short {
			fmt.Fprintln(hc.Stdout, where)
		} else {
			fmt.Fprintf(hc.Stdout, "%s is %s\n", a, where)
		}
	}
	if status != 0 {
		return interp.ExitStatus(uint8(status))
	}
	return nil
}
