package shell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/interp"
	"mvdan.cc/sh/v3/syntax"

	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
)

// Spec describes a process to start: a cloud-init script, a cron job.
type Spec struct {
	Tree  *Tree
	Start time.Time
	// Yield suspends the calling coroutine until the sandbox clock reaches
	// at; it returns an error when the run must end instead.
	Yield func(at time.Time) error
	// Path is an executable file, run the way the kernel runs it: by its
	// #! line. Otherwise Command is run as /bin/sh -c Command.
	Path    string
	Command string
	Args    []string
	Env     []string
	Dir     string
	Stdin   []byte
	Stdout  io.Writer
	Stderr  io.Writer
}

// Result is how a process ended.
type Result struct {
	PID    int32
	Status int
	End    time.Time
	// Err is set when the run was cut short: a bound was reached, or the
	// instance stopped.
	Err error
}

// Start runs the process described by s on the calling goroutine.
func (m *Machine) Start(ctx context.Context, s Spec) Result {
	p := &proc{m: m, pid: m.NextPID(), ppid: 1, cur: &cursor{t: s.Start}, tree: s.Tree, yield: s.Yield}
	m.active = p.cur
	stdout, stderr := s.Stdout, s.Stderr
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	env := newEnviron(s.Env, p.pid, p.ppid)
	dir := s.Dir
	if dir == "" {
		dir = "/"
	}
	var stdin io.Reader
	if len(s.Stdin) > 0 {
		stdin = bytes.NewReader(s.Stdin)
	}
	var status int
	var err error
	if s.Path != "" {
		p.name = s.Path
		status, err = p.execFile(ctx, s.Path, s.Args, stdin, stdout, stderr, env, dir, -1)
	} else {
		p.name = "/bin/sh"
		if err = p.spend(ctx, m.cfg.Costs.Script); err == nil {
			prog := m.cfg.Programs.Get([]byte(s.Command), "/bin/sh")
			status, err = p.runProgram(ctx, prog, "/bin/sh", s.Args, stdin, stdout, stderr, env, dir)
		}
	}
	flush(stdout)
	flush(stderr)
	return Result{PID: p.pid, Status: status, End: p.cur.t, Err: err}
}

// runProgram runs prog in a fresh interpreter of process p.
func (p *proc) runProgram(ctx context.Context, prog *Program, name string, args []string, stdin io.Reader,
	stdout, stderr io.Writer, env expand.Environ, dir string) (int, error) {
	if err := p.deep(); err != nil {
		return 1, err
	}
	for _, n := range prog.notes {
		p.note("%s: %s", name, n)
	}
	r, err := p.newRunner(stdin, stdout, stderr, env, dir, args)
	if err != nil {
		return 1, err
	}
	f := *prog.file
	f.Name = name
	ctx = context.WithValue(ctx, progKey{}, prog)
	// Seed $RANDOM from the machine's generator, so that a drill gives the
	// same numbers every time.
	seed := &syntax.Stmt{Cmd: &syntax.CallExpr{Assigns: []*syntax.Assign{{
		Name: &syntax.Lit{Value: "RANDOM"}, Value: lit(strconv.Itoa(int(p.m.rng.Uint32() & 0x7fff)))}}}}
	if err := r.Run(ctx, seed); err != nil {
		return 1, err
	}
	status, err := exitStatus(r.Run(ctx, &f))
	if err == nil && prog.SyntaxErr != nil && !r.Exited() {
		fmt.Fprintf(stderr, "%s: line %d: syntax error: %s\n", name, prog.SyntaxErr.Line, prog.SyntaxErr.Msg)
		status = 2
	}
	return status, err
}

type progKey struct{}

// exitStatus splits an interpreter result into a status and a fatal error.
func exitStatus(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var es interp.ExitStatus
	if errors.As(err, &es) {
		return int(es), nil
	}
	return 1, err
}

// newRunner builds an interpreter whose every handler stays inside the
// sandbox: no host file, process, DNS query or socket.
func (p *proc) newRunner(stdin io.Reader, stdout, stderr io.Writer, env expand.Environ, dir string, args []string) (*interp.Runner, error) {
	opts := []interp.RunnerOption{
		interp.Env(env),
		// interp.Dir would stat the host's directory; set it directly.
		func(r *interp.Runner) error { r.Dir = dir; return nil },
		interp.StdIO(stdin, stdout, stderr),
		interp.CallHandler(p.call),
		interp.ExecHandlers(func(interp.ExecHandlerFunc) interp.ExecHandlerFunc { return p.exec }),
		interp.OpenHandler(p.open),
		interp.StatHandler(p.stat),
		interp.ReadDirHandler2(p.readDir),
		interp.AccessHandler(p.access),
	}
	if len(args) > 0 {
		opts = append(opts, interp.Params(append([]string{"--"}, args...)...))
	}
	return interp.New(opts...)
}

// hostTmpGuard is the interpreter's temporary directory. The interpreter
// opens paths under it on the host directly (for its FIFOs), so it names a
// directory that cannot exist: a file under /dev/null.
const hostTmpGuard = "/dev/null/irdrill-no-host-tmp"

// environ is an interpreter's starting environment.
type environ struct {
	vars map[string]expand.Variable
	// guard answers the interpreter's one look-up of TMPDIR at reset
	// with hostTmpGuard, and the script's later ones with the real value.
	guard bool
	names []string // sorted, for Each
}

func newEnviron(list []string, pid, ppid int32) *environ {
	e := &environ{vars: make(map[string]expand.Variable, len(list)+8), guard: true}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if ok && k != "" {
			e.vars[k] = expand.Variable{Set: true, Exported: true, Kind: expand.String, Str: v}
		}
	}
	// The interpreter reads these from the host when they are unset.
	for k, v := range map[string]string{"HOME": "/root", "UID": "0", "EUID": "0", "GID": "0"} {
		if _, ok := e.vars[k]; !ok {
			e.vars[k] = expand.Variable{Set: true, Kind: expand.String, Str: v}
		}
	}
	e.vars[pidVar] = expand.Variable{Set: true, Kind: expand.String, Str: strconv.Itoa(int(pid))}
	e.vars[ppidVar] = expand.Variable{Set: true, Kind: expand.String, Str: strconv.Itoa(int(ppid))}
	return e
}

// snapshotEnviron copies the variables a running interpreter sees, for a
// background job (all of them) or a child program (exported ones).
func snapshotEnviron(src expand.Environ, exportedOnly bool, pid, ppid int32) *environ {
	e := &environ{vars: map[string]expand.Variable{}, guard: true}
	src.Each(func(name string, vr expand.Variable) bool {
		if !vr.IsSet() || (exportedOnly && !vr.Exported) || name == pidVar || name == ppidVar {
			return true
		}
		vr.Local = false
		if exportedOnly {
			vr.ReadOnly = false
		}
		e.vars[name] = vr
		return true
	})
	for k, v := range map[string]string{"HOME": "/root", "UID": "0", "EUID": "0", "GID": "0"} {
		if _, ok := e.vars[k]; !ok {
			e.vars[k] = expand.Variable{Set: true, Kind: expand.String, Str: v}
		}
	}
	e.vars[pidVar] = expand.Variable{Set: true, Kind: expand.String, Str: strconv.Itoa(int(pid))}
	e.vars[ppidVar] = expand.Variable{Set: true, Kind: expand.String, Str: strconv.Itoa(int(ppid))}
	return e
}

func (e *environ) Get(name string) expand.Variable {
	if name == "TMPDIR" && e.guard {
		e.guard = false
		return expand.Variable{Set: true, Kind: expand.String, Str: hostTmpGuard}
	}
	return e.vars[name]
}

func (e *environ) Each(fn func(name string, vr expand.Variable) bool) {
	if len(e.names) != len(e.vars) {
		e.names = e.names[:0]
		for k := range e.vars {
			e.names = append(e.names, k)
		}
		sort.Strings(e.names)
	}
	for _, k := range e.names {
		if !fn(k, e.vars[k]) {
			return
		}
	}
}

// envList is the exported environment as NAME=value strings.
func envList(env expand.Environ) []string {
	var out []string
	env.Each(func(name string, vr expand.Variable) bool {
		if vr.Exported && vr.IsSet() && name != pidVar && name != ppidVar {
			out = append(out, name+"="+vr.String())
		}
		return true
	})
	return out
}

// Builtins that the interpreter lists but does not implement (they fail
// with "unsupported builtin"): the sandbox records them as not modelled.
var unsupportedBuiltins = map[string]bool{
	"kill": true, "ulimit": true, "suspend": true, "bind": true, "enable": true,
	"history": true, "compgen": true, "complete": true, "compopt": true, "fc": true,
	"fg": true, "bg": true, "jobs": true, "newgrp": true, "logout": true, "disown": true,
	"caller": true, "umask": true,
}

// Internal commands the call handler rewrites to.
const (
	cmdWait        = "__irdrill_wait"
	cmdType        = "__irdrill_type"
	cmdNotModelled = "__irdrill_not_modelled"
	cmdFail        = "__irdrill_fail"
)

// call runs before every simple command, builtins and functions
// included: it counts the step, spends its time, and steers the builtins
// that would otherwise look at the host.
func (p *proc) call(ctx context.Context, args []string) ([]string, error) {
	name := args[0]
	switch name {
	case markTick:
		if err := p.spend(ctx, 0); err != nil {
			return nil, err
		}
		if err := p.checkMemory(interp.HandlerCtx(ctx).Env); err != nil {
			return nil, err
		}
		return []string{":"}, nil
	case markSpawn, cmdWait, cmdType, cmdNotModelled, cmdFail:
		return args, nil
	}
	size := 0
	for _, a := range args {
		size += len(a)
	}
	builtin := interp.IsBuiltin(name)
	switch {
	case !builtin && size > maxArgBytes:
		return []string{cmdFail, "126", "bash: " + name + ": Argument list too long"}, nil
	case size > maxBuiltinArgBytes:
		p.tree.err = ErrMemory
		return nil, ErrMemory
	}
	if !builtin || p.isFunc(ctx, name) {
		// External commands count and spend in exec; a function call is
		// a step of its own (recursion must hit the bound).
		if p.isFunc(ctx, name) {
			if err := p.spend(ctx, 0); err != nil {
				return nil, err
			}
			if err := p.deep(); err != nil {
				return nil, err
			}
		} else if err := p.check(ctx); err != nil {
			return nil, err
		}
		return args, nil
	}
	if err := p.spend(ctx, p.m.cfg.Costs.Builtin); err != nil {
		return nil, err
	}
	switch {
	case unsupportedBuiltins[name]:
		return append([]string{cmdNotModelled}, args...), nil
	case name == "wait":
		return append([]string{cmdWait}, args[1:]...), nil
	case name == "type", name == "command" && len(args) > 1 && (args[1] == "-v" || args[1] == "-V"):
		return append([]string{cmdType}, args...), nil
	case name == "source" || name == "." || name == "eval":
		if err := p.deep(); err != nil {
			return nil, err
		}
		if name == "eval" {
			return p.eval(ctx, args), nil
		}
		return p.source(ctx, args)
	case name == "printf" && hugeWidth(args[1:]):
		return []string{cmdFail, "1", "printf: field width too large for the sandbox"}, nil
	}
	p.record(trace.Event{Kind: trace.Command, Argv: cloneArgs(args), Status: -1})
	return args, nil
}

func (p *proc) isFunc(ctx context.Context, name string) bool {
	prog, _ := ctx.Value(progKey{}).(*Program)
	if prog == nil {
		return false
	}
	for _, f := range prog.funcs {
		if fd, ok := f.Cmd.(*syntax.FuncDecl); ok && fd.Name != nil && fd.Name.Value == name {
			return true
		}
	}
	return false
}

func cloneArgs(args []string) []string { return append([]string(nil), args...) }

// hugeWidth spots printf formats that would make the interpreter allocate
// gigabytes ("%999999999d").
func hugeWidth(args []string) bool {
	if len(args) == 0 {
		return false
	}
	f := args[0]
	digits := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c >= '0' && c <= '9' {
			digits++
			if digits > 6 {
				return true
			}
			continue
		}
		digits = 0
	}
	return false
}

// source reads a script from the volume and evaluates it in the current
// shell, without the interpreter's host look-up along PATH.
func (p *proc) source(ctx context.Context, args []string) ([]string, error) {
	if len(args) < 2 {
		return []string{cmdFail, "2", args[0] + ": filename argument required"}, nil
	}
	hc := interp.HandlerCtx(ctx)
	name := args[1]
	var found string
	if strings.Contains(name, "/") {
		found = absPath(hc.Dir, name)
	} else {
		for _, dir := range append(strings.Split(hc.Env.Get("PATH").String(), ":"), hc.Dir) {
			if dir == "" {
				continue
			}
			cand := path.Join(absPath(hc.Dir, dir), name)
			if fi, err := p.m.cfg.FS.Stat(cand); err == nil && !fi.IsDir() {
				found = cand
				break
			}
		}
	}
	data, err := p.m.cfg.FS.ReadFile(found)
	if found == "" || err != nil {
		return []string{cmdFail, "1", fmt.Sprintf("%s: %s: No such file or directory", args[0], name)}, nil
	}
	prog := p.m.cfg.Programs.Get(data, found)
	return []string{"eval", p.evalText(prog)}, nil
}

// eval lets the interpreter evaluate code as it is, unless the code needs
// the sandbox's rewrite (background jobs, pipelines, loops).
func (p *proc) eval(ctx context.Context, args []string) []string {
	src := strings.Join(args[1:], " ")
	prog := p.m.cfg.Programs.Get([]byte(src), "eval")
	if !prog.rewritten || prog.SyntaxErr != nil {
		return args
	}
	return []string{"eval", p.evalText(prog)}
}

// evalText prints prog for eval, its background jobs registered with the
// run so that the spawn markers find them.
func (p *proc) evalText(prog *Program) string {
	if len(prog.jobs) == 0 {
		if !prog.rewritten {
			return prog.source
		}
		return prog.print()
	}
	idx := -1
	for i, e := range p.tree.evals {
		if e == prog {
			idx = i
			break
		}
	}
	if idx < 0 {
		idx = len(p.tree.evals)
		p.tree.evals = append(p.tree.evals, prog)
	}
	// Re-print with the markers naming the registered program.
	var b strings.Builder
	text := prog.print()
	for _, line := range strings.SplitAfter(text, "\n") {
		if i := strings.Index(line, markSpawn+" "); i >= 0 {
			rest := line[i+len(markSpawn)+1:]
			j := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
				j++
			}
			line = line[:i] + markSpawn + " " + rest[:j] + " " + strconv.Itoa(idx) + rest[j:]
		}
		b.WriteString(line)
	}
	return b.String()
}

func absPath(dir, name string) string {
	if strings.HasPrefix(name, "/") {
		return path.Clean(name)
	}
	if dir == "" {
		dir = "/"
	}
	return path.Join(dir, name)
}

// stat, readDir and access answer from the volume.
func (p *proc) stat(ctx context.Context, name string, _ bool) (fs.FileInfo, error) {
	name = absPath(interp.HandlerCtx(ctx).Dir, name)
	if fi, ok := deviceInfo(name); ok {
		return fi, nil
	}
	return p.m.cfg.FS.Stat(name)
}

func (p *proc) readDir(ctx context.Context, name string) ([]fs.DirEntry, error) {
	return p.m.cfg.FS.ReadDir(absPath(interp.HandlerCtx(ctx).Dir, name))
}

func (p *proc) access(ctx context.Context, name string, mode interp.AccessMode) error {
	name = absPath(interp.HandlerCtx(ctx).Dir, name)
	if _, ok := deviceInfo(name); ok {
		return nil
	}
	fi, err := p.m.cfg.FS.Stat(name)
	if err != nil {
		return err
	}
	// Root may read and write anything; it may run what has an x bit.
	if mode&interp.AccessExec != 0 && !fi.IsDir() && fi.Mode().Perm()&0o111 == 0 {
		return &fs.PathError{Op: "access", Path: name, Err: fs.ErrPermission}
	}
	return nil
}
