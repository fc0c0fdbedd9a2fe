package shell

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Program is a parsed and rewritten script, shared read-only by every run
// of the same text.
type Program struct {
	file *syntax.File
	// SyntaxErr is the parse error, if any: bash runs the complete
	// commands before it, then reports it and exits with status 2.
	SyntaxErr *SyntaxError
	// jobs are the statements that ran with "&", in the order the rewrite
	// met them; the script starts job i with "__irdrill_spawn i".
	jobs []*syntax.Stmt
	// funcs are the function declarations, which a background job
	// inherits.
	funcs []*syntax.Stmt
	// notes are what the rewrite could not model (process substitution,
	// coprocesses).
	notes []string
	// rewritten says whether the rewrite changed anything, so that eval'd
	// code can be passed through unchanged when it did not.
	rewritten bool
	source    string
}

// SyntaxError is a shell syntax error, placed as bash reports it.
type SyntaxError struct {
	Line int
	Msg  string
}

// Marker commands the rewrite inserts. They never appear in the log.
const (
	markSpawn = "__irdrill_spawn"
	markTick  = "__irdrill_tick"
	pipePath  = "/dev/irdrill/pipe/"
	pidVar    = "__irdrill_pid"
	ppidVar   = "__irdrill_ppid"
)

// Cache shares parsed programs between runs and instances: the seed's
// persist.sh is parsed once however often cron runs it. It is safe for
// concurrent use.
type Cache struct {
	mu    sync.Mutex
	progs map[string]*Program
}

// maxCached bounds the cache; past it the cache starts again empty, which
// costs a re-parse, never a wrong answer.
const maxCached = 2048

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{progs: map[string]*Program{}} }

// Get returns the program for src, parsing it on first use.
func (c *Cache) Get(src []byte, name string) *Program {
	c.mu.Lock()
	if p, ok := c.progs[string(src)]; ok {
		c.mu.Unlock()
		return p
	}
	c.mu.Unlock()
	p := Compile(src, name)
	c.mu.Lock()
	if len(c.progs) >= maxCached {
		clear(c.progs)
	}
	c.progs[string(src)] = p
	c.mu.Unlock()
	return p
}

// Compile parses src as bash and rewrites it for the sandbox:
//   - "cmd &" becomes a spawn of a background job that runs as its own
//     process on the sandbox clock, deterministically;
//   - "a | b" runs a to completion into an in-memory pipe, then b from it,
//     each in a subshell, as bash does (without lastpipe), so that a
//     pipeline's events happen in one order every time;
//   - every loop body starts with a tick, so that a loop with no command
//     in it still counts against the step bound;
//   - $$ and $PPID read the modelled process ids, not the host's;
//   - process substitution and coprocesses, which would need host FIFOs,
//     become /dev/null and a no-op, with a note.
func Compile(src []byte, name string) *Program {
	prog := &Program{source: string(src)}
	stmts, err := parseStmts(src)
	if err != nil {
		prog.SyntaxErr = syntaxError(err)
		// Bash has run every complete command before the bad one; a
		// statement cut short by the error is not complete.
		if n := len(stmts); n > 0 && int(stmts[n-1].End().Line()) >= prog.SyntaxErr.Line {
			stmts = stmts[:n-1]
		}
	}
	prog.file = &syntax.File{Name: name, Stmts: stmts}
	rw := &rewriter{prog: prog}
	rw.stmts(prog.file.Stmts)
	return prog
}

// parseStmts parses statement by statement, keeping the complete ones
// before a syntax error. It consumes the parser's sequence to its end
// rather than breaking out of it (the parser's own Stmts helper breaks out
// on an error and can then panic), and turns a parser panic into a syntax
// error.
func parseStmts(src []byte) (stmts []*syntax.Stmt, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("1:1: the parser failed: %v", r)
		}
	}()
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	for st, e := range p.StmtsSeq(bytes.NewReader(src)) {
		if err != nil {
			continue
		}
		if e != nil {
			err = e
			continue
		}
		stmts = append(stmts, st)
	}
	return stmts, err
}

func syntaxError(err error) *SyntaxError {
	var pe syntax.ParseError
	if errors.As(err, &pe) {
		return &SyntaxError{Line: int(pe.Pos.Line()), Msg: pe.Text}
	}
	var le syntax.LangError
	if errors.As(err, &le) {
		return &SyntaxError{Line: int(le.Pos.Line()), Msg: le.Error()}
	}
	msg := err.Error()
	line := 1
	if a, _, ok := strings.Cut(msg, ":"); ok {
		if n, err := strconv.Atoi(a); err == nil {
			line = n
		}
	}
	return &SyntaxError{Line: line, Msg: msg}
}

type rewriter struct {
	prog  *Program
	pipes int
}

func lit(s string) *syntax.Word { return &syntax.Word{Parts: []syntax.WordPart{&syntax.Lit{Value: s}}} }

func callStmt(args ...string) *syntax.Stmt {
	ce := &syntax.CallExpr{}
	for _, a := range args {
		ce.Args = append(ce.Args, lit(a))
	}
	return &syntax.Stmt{Cmd: ce}
}

func (rw *rewriter) stmts(list []*syntax.Stmt) {
	for i, st := range list {
		list[i] = rw.stmt(st)
	}
}

func (rw *rewriter) stmt(st *syntax.Stmt) *syntax.Stmt {
	if st == nil {
		return nil
	}
	for _, r := range st.Redirs {
		rw.word(r.Word)
		rw.word(r.Hdoc)
	}
	st.Cmd = rw.cmd(st.Cmd)
	if st.Coprocess {
		rw.prog.notes = append(rw.prog.notes, "coproc is not modelled; the coprocess does not run")
		rw.prog.rewritten = true
		return &syntax.Stmt{Cmd: callStmt(":").Cmd, Position: st.Position}
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		if len(c.Args) == 0 && len(c.Assigns) > 0 {
			return rw.guard(st)
		}
	case *syntax.DeclClause:
		return rw.guard(st)
	}
	if st.Background || st.Disown {
		job := *st
		job.Background, job.Disown = false, false
		rw.prog.jobs = append(rw.prog.jobs, &job)
		rw.prog.rewritten = true
		out := callStmt(markSpawn, strconv.Itoa(len(rw.prog.jobs)-1))
		out.Position = st.Position
		return out
	}
	return st
}

func (rw *rewriter) cmd(c syntax.Command) syntax.Command {
	switch c := c.(type) {
	case nil:
		return nil
	case *syntax.CallExpr:
		for _, a := range c.Assigns {
			rw.assign(a)
		}
		for _, w := range c.Args {
			rw.word(w)
		}
	case *syntax.Block:
		rw.stmts(c.Stmts)
	case *syntax.Subshell:
		rw.stmts(c.Stmts)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			rw.stmts(ic.Cond)
			rw.stmts(ic.Then)
		}
	case *syntax.WhileClause:
		rw.stmts(c.Cond)
		rw.stmts(c.Do)
		c.Do = append([]*syntax.Stmt{callStmt(markTick)}, c.Do...)
		rw.prog.rewritten = true
	case *syntax.ForClause:
		switch l := c.Loop.(type) {
		case *syntax.WordIter:
			for _, w := range l.Items {
				rw.word(w)
			}
		case *syntax.CStyleLoop:
			rw.arith(l.Init)
			rw.arith(l.Cond)
			rw.arith(l.Post)
		}
		rw.stmts(c.Do)
		c.Do = append([]*syntax.Stmt{callStmt(markTick)}, c.Do...)
		rw.prog.rewritten = true
	case *syntax.CaseClause:
		rw.word(c.Word)
		for _, item := range c.Items {
			for _, p := range item.Patterns {
				rw.word(p)
			}
			rw.stmts(item.Stmts)
		}
	case *syntax.BinaryCmd:
		c.X = rw.stmt(c.X)
		c.Y = rw.stmt(c.Y)
		if c.Op == syntax.Pipe || c.Op == syntax.PipeAll {
			return rw.pipeline(c)
		}
	case *syntax.FuncDecl:
		c.Body = rw.stmt(c.Body)
		rw.prog.funcs = append(rw.prog.funcs, &syntax.Stmt{Cmd: c})
	case *syntax.ArithmCmd:
		rw.arith(c.X)
	case *syntax.TestClause:
		rw.test(c.X)
	case *syntax.DeclClause:
		for _, a := range c.Args {
			rw.assign(a)
		}
	case *syntax.LetClause:
		for _, x := range c.Exprs {
			rw.arith(x)
		}
	case *syntax.TimeClause:
		// time would report wall-clock durations; run the command alone.
		rw.prog.rewritten = true
		rw.prog.notes = append(rw.prog.notes, "the time keyword is not modelled; the command runs untimed")
		return &syntax.Block{Stmts: []*syntax.Stmt{rw.stmt(c.Stmt)}}
	case *syntax.CoprocClause:
		c.Stmt = rw.stmt(c.Stmt)
	case *syntax.TestDecl:
		c.Body = rw.stmt(c.Body)
	}
	return c
}

// guard puts a tick before an assignment, so that the run's memory bound
// is checked before every assignment ("x=$x$x" in a loop doubles it).
func (rw *rewriter) guard(st *syntax.Stmt) *syntax.Stmt {
	if st.Background || st.Disown || st.Coprocess {
		return st
	}
	rw.prog.rewritten = true
	return &syntax.Stmt{Position: st.Position, Cmd: &syntax.Block{Stmts: []*syntax.Stmt{callStmt(markTick), st}}}
}

// pipeline turns "x | y" into "{ ( x ) >P || :; ( y ) <P; }" over an
// in-memory pipe P, so that x runs to completion before y reads.
func (rw *rewriter) pipeline(c *syntax.BinaryCmd) syntax.Command {
	rw.prog.rewritten = true
	path := pipePath + strconv.Itoa(rw.pipes)
	rw.pipes++
	left := &syntax.Stmt{
		Cmd:    &syntax.Subshell{Stmts: []*syntax.Stmt{c.X}},
		Redirs: []*syntax.Redirect{{Op: syntax.RdrOut, Word: lit(path)}},
	}
	if c.Op == syntax.PipeAll {
		left.Redirs = append(left.Redirs, &syntax.Redirect{Op: syntax.DplOut, N: &syntax.Lit{Value: "2"}, Word: lit("1")})
	}
	right := &syntax.Stmt{
		Cmd:    &syntax.Subshell{Stmts: []*syntax.Stmt{c.Y}},
		Redirs: []*syntax.Redirect{{Op: syntax.RdrIn, Word: lit(path)}},
	}
	return &syntax.Block{Stmts: []*syntax.Stmt{
		{Cmd: &syntax.BinaryCmd{Op: syntax.OrStmt, X: left, Y: callStmt(":")}},
		right,
	}}
}

func (rw *rewriter) assign(a *syntax.Assign) {
	if a == nil {
		return
	}
	rw.word(a.Value)
	rw.arith(a.Index)
	if a.Array != nil {
		for _, e := range a.Array.Elems {
			rw.arith(e.Index)
			rw.word(e.Value)
		}
	}
}

func (rw *rewriter) word(w *syntax.Word) {
	if w == nil {
		return
	}
	for i, part := range w.Parts {
		w.Parts[i] = rw.wordPart(part)
	}
}

func (rw *rewriter) wordPart(part syntax.WordPart) syntax.WordPart {
	switch p := part.(type) {
	case *syntax.DblQuoted:
		for i, q := range p.Parts {
			p.Parts[i] = rw.wordPart(q)
		}
	case *syntax.ParamExp:
		if p.Param != nil {
			switch p.Param.Value {
			case "$":
				p.Param = &syntax.Lit{ValuePos: p.Param.ValuePos, Value: pidVar}
				rw.prog.rewritten = true
			case "PPID":
				p.Param = &syntax.Lit{ValuePos: p.Param.ValuePos, Value: ppidVar}
				rw.prog.rewritten = true
			}
		}
		rw.arith(p.Index)
		if p.Slice != nil {
			rw.arith(p.Slice.Offset)
			rw.arith(p.Slice.Length)
		}
		if p.Repl != nil {
			rw.word(p.Repl.Orig)
			rw.word(p.Repl.With)
		}
		if p.Exp != nil {
			rw.word(p.Exp.Word)
		}
	case *syntax.CmdSubst:
		rw.stmts(p.Stmts)
	case *syntax.ArithmExp:
		rw.arith(p.X)
	case *syntax.ProcSubst:
		rw.prog.rewritten = true
		rw.prog.notes = append(rw.prog.notes, "process substitution is not modelled; it reads as /dev/null")
		return &syntax.Lit{ValuePos: p.OpPos, Value: "/dev/null"}
	case *syntax.ExtGlob, *syntax.BraceExp, *syntax.Lit, *syntax.SglQuoted:
	}
	return part
}

func (rw *rewriter) arith(x syntax.ArithmExpr) {
	switch x := x.(type) {
	case *syntax.Word:
		rw.word(x)
	case *syntax.BinaryArithm:
		rw.arith(x.X)
		rw.arith(x.Y)
	case *syntax.UnaryArithm:
		rw.arith(x.X)
	case *syntax.ParenArithm:
		rw.arith(x.X)
	}
}

func (rw *rewriter) test(x syntax.TestExpr) {
	switch x := x.(type) {
	case *syntax.Word:
		rw.word(x)
	case *syntax.BinaryTest:
		rw.test(x.X)
		rw.test(x.Y)
	case *syntax.UnaryTest:
		rw.test(x.X)
	case *syntax.ParenTest:
		rw.test(x.X)
	}
}

// print renders the rewritten program as shell text, for eval.
func (p *Program) print() string {
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, p.file); err != nil {
		return p.source
	}
	return b.String()
}

func (e *SyntaxError) String() string { return fmt.Sprintf("line %d: syntax error: %s", e.Line, e.Msg) }
