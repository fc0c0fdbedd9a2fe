package shell

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"mvdan.cc/sh/v3/interp"

	"github.com/irdrill/irdrill/sandbox/behaviour/memfs"
	"github.com/irdrill/irdrill/sandbox/behaviour/trace"
)

// open serves every redirection and file a script opens: the volume, a
// few devices, the in-memory pipes of rewritten pipelines, and bash's
// /dev/tcp and /dev/udp, which become connections on the modelled network.
func (p *proc) open(ctx context.Context, name string, flag int, perm os.FileMode) (io.ReadWriteCloser, error) {
	hc := interp.HandlerCtx(ctx)
	name = absPath(hc.Dir, name)
	switch {
	case name == "/dev/null":
		return devNull{}, nil
	case name == "/dev/stdout" || name == "/dev/fd/1":
		return writeOnly{hc.Stdout}, nil
	case name == "/dev/stderr" || name == "/dev/fd/2":
		return writeOnly{hc.Stderr}, nil
	case name == "/dev/stdin" || name == "/dev/fd/0":
		if hc.Stdin == nil {
			return devNull{}, nil
		}
		return readOnly{hc.Stdin}, nil
	case name == "/dev/zero":
		return &devRand{zero: true}, nil
	case name == "/dev/urandom" || name == "/dev/random":
		return &devRand{m: p.m}, nil
	case strings.HasPrefix(name, pipePath):
		return p.pipe(name, flag), nil
	case strings.HasPrefix(name, "/dev/tcp/") || strings.HasPrefix(name, "/dev/udp/"):
		return p.devNet(ctx, name)
	}
	var flags int
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_RDONLY:
		flags = memfs.OpenRead
	case os.O_WRONLY:
		flags = memfs.OpenWrite
	default:
		flags = memfs.OpenRead | memfs.OpenWrite
	}
	if flag&os.O_CREATE != 0 {
		flags |= memfs.OpenCreate
	}
	if flag&os.O_TRUNC != 0 {
		flags |= memfs.OpenTruncate
	}
	if flag&os.O_APPEND != 0 {
		flags |= memfs.OpenAppend
	}
	if flag&os.O_EXCL != 0 {
		flags |= memfs.OpenExclusive
	}
	h, err := p.m.cfg.FS.Open(name, flags, perm)
	if err != nil {
		return nil, err
	}
	return &fileHandle{Handle: h, p: p}, nil
}

// openRead opens a file for a modelled command to read.
func (p *proc) openRead(hc interp.HandlerContext, name string) (io.ReadCloser, error) {
	switch name {
	case "/dev/null":
		return devNull{}, nil
	case "/dev/zero":
		return &devRand{zero: true}, nil
	case "/dev/urandom", "/dev/random":
		return &devRand{m: p.m}, nil
	case "/dev/stdin", "/dev/fd/0":
		if hc.Stdin == nil {
			return devNull{}, nil
		}
		return io.NopCloser(hc.Stdin), nil
	}
	if strings.HasPrefix(name, pipePath) {
		return p.pipe(name, os.O_RDONLY), nil
	}
	h, err := p.m.cfg.FS.Open(name, memfs.OpenRead, 0)
	if err != nil {
		return nil, err
	}
	return h, nil
}

// createFile opens a file for a modelled command to write (curl -o, cp).
func (p *proc) createFile(name string, appendTo bool, perm fs.FileMode) (io.WriteCloser, error) {
	switch name {
	case "/dev/null":
		return devNull{}, nil
	}
	flags := memfs.OpenWrite | memfs.OpenCreate | memfs.OpenTruncate
	if appendTo {
		flags = memfs.OpenWrite | memfs.OpenCreate | memfs.OpenAppend
	}
	h, err := p.m.cfg.FS.Open(name, flags, perm)
	if err != nil {
		return nil, err
	}
	return &fileHandle{Handle: h, p: p}, nil
}

// fileHandle records what was written to a volume file when it is closed.
type fileHandle struct {
	*memfs.Handle
	p      *proc
	logged bool
}

func (f *fileHandle) Close() error {
	if !f.logged && (f.Written > 0 || f.Created || f.Truncated) {
		f.logged = true
		op := "written"
		switch {
		case f.Created:
			op = "created"
		case f.Truncated:
			op = "truncated"
		}
		if f.Written > 0 && !f.Created && !f.Truncated {
			op = "appended"
		}
		f.p.record(trace.Event{Kind: trace.FileWrite, Path: f.Name(), Text: op, Bytes: f.Written})
	}
	return f.Handle.Close()
}

// pipeBuf is the buffer behind one in-memory pipe of a rewritten pipeline.
type pipeBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
	off int
}

// maxPipe is how much a pipe holds; a writer past it gets EPIPE, as a
// writer does whose reader has gone.
const maxPipe = 4 << 20

func (p *proc) pipe(name string, flag int) io.ReadWriteCloser {
	if p.pipes == nil {
		p.pipes = map[string]*pipeBuf{}
	}
	if flag&(os.O_WRONLY|os.O_RDWR) != 0 {
		b := &pipeBuf{}
		p.pipes[name] = b
		return &pipeEnd{b: b}
	}
	b := p.pipes[name]
	if b == nil {
		return devNull{}
	}
	delete(p.pipes, name)
	return &pipeEnd{b: b}
}

type pipeEnd struct{ b *pipeBuf }

func (e *pipeEnd) Read(q []byte) (int, error) {
	e.b.mu.Lock()
	defer e.b.mu.Unlock()
	data := e.b.buf.Bytes()
	if e.b.off >= len(data) {
		return 0, io.EOF
	}
	n := copy(q, data[e.b.off:])
	e.b.off += n
	return n, nil
}

func (e *pipeEnd) Write(q []byte) (int, error) {
	e.b.mu.Lock()
	defer e.b.mu.Unlock()
	if e.b.buf.Len()+len(q) > maxPipe {
		return 0, &fs.PathError{Op: "write", Path: "pipe", Err: syscall.EPIPE}
	}
	return e.b.buf.Write(q)
}

func (e *pipeEnd) Close() error { return nil }

type devNull struct{}

func (devNull) Read([]byte) (int, error)    { return 0, io.EOF }
func (devNull) Write(p []byte) (int, error) { return len(p), nil }
func (devNull) Close() error                { return nil }

type writeOnly struct{ w io.Writer }

func (w writeOnly) Read([]byte) (int, error)    { return 0, io.EOF }
func (w writeOnly) Write(p []byte) (int, error) { return w.w.Write(p) }
func (w writeOnly) Close() error                { return nil }

type readOnly struct{ r io.Reader }

func (r readOnly) Read(p []byte) (int, error)  { return r.r.Read(p) }
func (r readOnly) Write(p []byte) (int, error) { return len(p), nil }
func (r readOnly) Close() error                { return nil }

// devRand is /dev/zero or /dev/urandom (the machine's deterministic
// generator). Reads end after maxOutput bytes so nothing loops forever.
type devRand struct {
	m    *Machine
	zero bool
	n    int
}

func (d *devRand) Read(p []byte) (int, error) {
	if d.n >= maxOutput {
		return 0, io.EOF
	}
	if len(p) > maxOutput-d.n {
		p = p[:maxOutput-d.n]
	}
	for i := range p {
		if d.zero {
			p[i] = 0
		} else {
			p[i] = byte(d.m.rng.Uint32())
		}
	}
	d.n += len(p)
	return len(p), nil
}
func (d *devRand) Write(p []byte) (int, error) { return len(p), nil }
func (d *devRand) Close() error                { return nil }

// discards reports whether output written to w goes nowhere, so that a
// tool can skip formatting it.
func discards(w io.Writer) bool {
	switch w.(type) {
	case devNull:
		return true
	}
	return w == io.Discard
}

type devInfo struct{ name string }

func (d devInfo) Name() string       { return d.name }
func (d devInfo) Size() int64        { return 0 }
func (d devInfo) Mode() fs.FileMode  { return fs.ModeDevice | fs.ModeCharDevice | 0o666 }
func (d devInfo) ModTime() time.Time { return time.Time{} }
func (d devInfo) IsDir() bool        { return false }
func (d devInfo) Sys() any           { return nil }

func deviceInfo(name string) (fs.FileInfo, bool) {
	switch name {
	case "/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/stdin", "/dev/stdout", "/dev/stderr":
		return devInfo{name[len("/dev/"):]}, true
	}
	return nil, false
}

// LineWriter turns a script's output into console lines, each stamped
// with the time of the process that wrote it.
type LineWriter struct {
	m    *Machine
	emit func(at time.Time, line string)
	buf  []byte
}

// NewLineWriter returns a writer that calls emit once per line.
func (m *Machine) NewLineWriter(emit func(at time.Time, line string)) *LineWriter {
	return &LineWriter{m: m, emit: emit}
}

// maxLine is where an overlong line is cut.
const maxLine = 4096

func (w *LineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.buf = append(w.buf, p...)
			if len(w.buf) > maxLine {
				w.emit(w.m.Now(), string(w.buf[:maxLine]))
				w.buf = w.buf[:0]
			}
			break
		}
		w.buf = append(w.buf, p[:i]...)
		if len(w.buf) > maxLine {
			w.buf = w.buf[:maxLine]
		}
		w.emit(w.m.Now(), string(w.buf))
		w.buf = w.buf[:0]
		p = p[i+1:]
	}
	return n, nil
}

// Flush emits a last line that has no newline.
func (w *LineWriter) Flush() {
	if len(w.buf) > 0 {
		w.emit(w.m.Now(), string(w.buf))
		w.buf = w.buf[:0]
	}
}

func flush(w io.Writer) {
	if lw, ok := w.(*LineWriter); ok {
		lw.Flush()
	}
}
