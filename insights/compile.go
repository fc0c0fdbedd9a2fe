package insights

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
)

// evalFn evaluates a compiled expression against the current row.
type evalFn func(ctx *evalCtx) value

// runContext holds what is fixed for one Run.
type runContext struct {
	now, start, end time.Time
}

// evalCtx is per worker; row points at the row being evaluated and aggs at
// the aggregate results while a stats command finishes a group.
type evalCtx struct {
	rc   *runContext
	row  *row
	aggs []value
	buf  []value // argument scratch for variadic functions
}

// row is one record flowing through the pipeline: an event plus the values
// of fields created by the query (slots), or, after stats, slots only.
type row struct {
	ev    *Event
	slots []value
	idx   int // input position, for deterministic tie-breaking
}

// scope maps the names a command can see to slots. Before the first stats
// command discovered and system fields of the event are visible too.
type scope struct {
	slots  map[string]int
	events bool
}

func (s *scope) clone() *scope {
	n := &scope{slots: make(map[string]int, len(s.slots)), events: s.events}
	for k, v := range s.slots {
		n.slots[k] = v
	}
	return n
}

type compiler struct {
	src    string
	nslots int
	sc     *scope
	// aggRewrite is set while compiling a stats item; it turns aggregation
	// calls into reads of the group's results.
	aggRewrite func(e expr) (evalFn, error)
	// err records the first unresolvable field reference.
	err error
	// composite marks slots that statically hold a map or list (jsonParse,
	// split, list literals), which sort, dedup and stats may not use.
	composite map[int]bool
}

func (c *compiler) newSlot(name string) int {
	i := c.nslots
	c.nslots++
	c.sc.slots[name] = i
	return i
}

// compileError reports a problem found while planning; Parse has already
// validated syntax, so these are semantic errors with a position.
func (c *compiler) errorAt(e expr, msg string) error {
	s := e.exprSpan()
	return newSyntaxError(c.src, s.start, s.end, msg)
}

func (c *compiler) compileExpr(e expr) (evalFn, error) {
	switch e := e.(type) {
	case *paren:
		return c.compileExpr(e.x)
	case *literal:
		v := e.val
		return func(*evalCtx) value { return v }, nil
	case *periodLit:
		return nil, c.errorAt(e, "a time period such as "+c.src[e.start:e.end]+" can only be used as the period argument of bin, datefloor or dateceil")
	case *regexLit:
		return nil, c.errorAt(e, "a regular expression can only be used after like, =~ or in parse")
	case *listLit:
		items := make([]evalFn, len(e.items))
		for i, it := range e.items {
			f, err := c.compileExpr(it)
			if err != nil {
				return nil, err
			}
			items[i] = f
		}
		return func(ctx *evalCtx) value {
			l := make([]any, len(items))
			for i, f := range items {
				l[i] = toJSONAny(f(ctx))
			}
			return value{kind: kList, c: l}
		}, nil
	case *fieldRef:
		fn := c.compileField(e.name, e.segs)
		if !c.sc.events {
			if _, ok := c.sc.slots[e.name]; !ok && !c.slotPrefix(e.segs) {
				return nil, c.errorAt(e, "invalid reference to field "+strconv.Quote(e.name)+
					": after stats, only the fields that stats command defines can be used")
			}
		}
		return fn, nil
	case *memberExpr:
		x, err := c.compileExpr(e.x)
		if err != nil {
			return nil, err
		}
		key := e.key
		return func(ctx *evalCtx) value { return member(x(ctx), key) }, nil
	case *indexExpr:
		x, err := c.compileExpr(e.x)
		if err != nil {
			return nil, err
		}
		idx, err := c.compileExpr(e.idx)
		if err != nil {
			return nil, err
		}
		return func(ctx *evalCtx) value { return index(x(ctx), idx(ctx)) }, nil
	case *unaryExpr:
		x, err := c.compileExpr(e.x)
		if err != nil {
			return nil, err
		}
		if e.op == "not" {
			return func(ctx *evalCtx) value {
				b, ok := x(ctx).truth()
				if !ok {
					return nullValue
				}
				return boolValue(!b)
			}, nil
		}
		return func(ctx *evalCtx) value {
			f, ok := x(ctx).asNumber()
			if !ok {
				return nullValue
			}
			return numValue(-f)
		}, nil
	case *binaryExpr:
		return c.compileBinary(e)
	case *inExpr:
		x, err := c.compileExpr(e.x)
		if err != nil {
			return nil, err
		}
		items := make([]evalFn, len(e.list))
		for i, it := range e.list {
			if items[i], err = c.compileExpr(it); err != nil {
				return nil, err
			}
		}
		not := e.not
		return func(ctx *evalCtx) value {
			v := x(ctx)
			if v.isNull() {
				return nullValue
			}
			if v.isComposite() {
				return boolValue(false)
			}
			found := false
			for _, it := range items {
				if eq, ok := valuesEqual(v, it(ctx)); ok && eq {
					found = true
					break
				}
			}
			return boolValue(found != not)
		}, nil
	case *callExpr:
		return c.compileCall(e)
	}
	return nil, fmt.Errorf("insights: cannot compile %T", e)
}

// compileField resolves a name: a field created by the query wins, then a
// map-valued created field addressed with dots (json.a.b), then the event's
// system and discovered fields.
func (c *compiler) compileField(name string, segs []string) evalFn {
	if slot, ok := c.sc.slots[name]; ok {
		return func(ctx *evalCtx) value { return ctx.row.slots[slot] }
	}
	for k := len(segs) - 1; k >= 1; k-- {
		prefix := strings.Join(segs[:k], ".")
		if slot, ok := c.sc.slots[prefix]; ok {
			path := append([]string(nil), segs[k:]...)
			return func(ctx *evalCtx) value {
				v := ctx.row.slots[slot]
				for _, p := range path {
					v = member(v, p)
				}
				return v
			}
		}
	}
	if !c.sc.events {
		return func(*evalCtx) value { return nullValue }
	}
	switch name {
	case "@timestamp":
		return func(ctx *evalCtx) value { return timeValue(ctx.row.ev.ts) }
	case "@ingestionTime":
		return func(ctx *evalCtx) value { return timeValue(ctx.row.ev.ingest) }
	case "@message":
		return func(ctx *evalCtx) value { return strValue(ctx.row.ev.msg) }
	case "@logStream":
		return func(ctx *evalCtx) value { return strValue(ctx.row.ev.stream) }
	case "@log":
		return func(ctx *evalCtx) value { return strValue(ctx.row.ev.group) }
	case "@ptr":
		return func(ctx *evalCtx) value {
			if ctx.row.ev.ptr == "" {
				return nullValue
			}
			return strValue(ctx.row.ev.ptr)
		}
	}
	id, ok := registry.lookup(name)
	if !ok {
		// No stored event has ever had this field.
		return func(*evalCtx) value { return nullValue }
	}
	return func(ctx *evalCtx) value {
		if s, ok := ctx.row.ev.field(id); ok {
			return strValue(s)
		}
		return nullValue
	}
}

func (c *compiler) slotPrefix(segs []string) bool {
	for k := len(segs) - 1; k >= 1; k-- {
		if _, ok := c.sc.slots[strings.Join(segs[:k], ".")]; ok {
			return true
		}
	}
	return false
}

// isComposite reports whether e statically yields a map or list.
func (c *compiler) isComposite(e expr) bool {
	switch e := e.(type) {
	case *paren:
		return c.isComposite(e.x)
	case *listLit:
		return true
	case *callExpr:
		return e.name == "jsonparse" || e.name == "split"
	case *fieldRef:
		slot, ok := c.sc.slots[e.name]
		return ok && c.composite[slot]
	}
	return false
}

func member(v value, key string) value {
	switch v.kind {
	case kMap:
		m := v.c.(*orderedMap)
		x, ok := m.vals[key]
		if !ok {
			return nullValue
		}
		return fromJSON(x)
	case kList:
		i, err := strconv.Atoi(key)
		l := v.c.([]any)
		if err != nil || i < 0 || i >= len(l) {
			return nullValue
		}
		return fromJSON(l[i])
	}
	return nullValue
}

// index implements list[i] (0-based, like the flattened items.0 names) and
// map["key"].
func index(v, i value) value {
	switch v.kind {
	case kList:
		f, ok := i.asNumber()
		l := v.c.([]any)
		if !ok || f != math.Trunc(f) || f < 0 || int(f) >= len(l) {
			return nullValue
		}
		return fromJSON(l[int(f)])
	case kMap:
		s, ok := i.asString()
		if !ok {
			return nullValue
		}
		return member(v, s)
	}
	return nullValue
}

func toJSONAny(v value) any {
	switch v.kind {
	case kNull:
		return nil
	case kList, kMap:
		return v.c
	case kStr:
		return v.s
	}
	s, _ := v.asString()
	return jsonNumberOrString(v, s)
}

func jsonNumberOrString(v value, s string) any {
	if v.kind == kNum {
		return json.Number(s)
	}
	return s
}

func (c *compiler) compileBinary(e *binaryExpr) (evalFn, error) {
	l, err := c.compileExpr(e.l)
	if err != nil {
		return nil, err
	}
	if e.op == "like" || e.op == "=~" {
		return c.compileMatch(l, e.r)
	}
	r, err := c.compileExpr(e.r)
	if err != nil {
		return nil, err
	}
	switch e.op {
	case "and":
		return func(ctx *evalCtx) value {
			a, aok := l(ctx).truth()
			if aok && !a {
				return boolValue(false)
			}
			b, bok := r(ctx).truth()
			if bok && !b {
				return boolValue(false)
			}
			if !aok || !bok {
				return nullValue
			}
			return boolValue(true)
		}, nil
	case "or":
		return func(ctx *evalCtx) value {
			a, aok := l(ctx).truth()
			if aok && a {
				return boolValue(true)
			}
			b, bok := r(ctx).truth()
			if bok && b {
				return boolValue(true)
			}
			if !aok || !bok {
				return nullValue
			}
			return boolValue(false)
		}, nil
	case "=", "!=", "<", ">", "<=", ">=":
		op := e.op
		return func(ctx *evalCtx) value {
			a, b := l(ctx), r(ctx)
			if a.isNull() || b.isNull() {
				return nullValue
			}
			cmp, ok := compareValues(a, b)
			if !ok {
				return boolValue(false) // maps, lists and NaN never compare
			}
			switch op {
			case "=":
				return boolValue(cmp == 0)
			case "!=":
				return boolValue(cmp != 0)
			case "<":
				return boolValue(cmp < 0)
			case ">":
				return boolValue(cmp > 0)
			case "<=":
				return boolValue(cmp <= 0)
			}
			return boolValue(cmp >= 0)
		}, nil
	}
	var arith func(a, b float64) (float64, bool)
	switch e.op {
	case "+":
		arith = func(a, b float64) (float64, bool) { return a + b, true }
	case "-":
		arith = func(a, b float64) (float64, bool) { return a - b, true }
	case "*":
		arith = func(a, b float64) (float64, bool) { return a * b, true }
	case "/":
		// Division is floating point; dividing by zero gives null (AWS
		// does not document it).
		arith = func(a, b float64) (float64, bool) { return a / b, b != 0 }
	case "%":
		arith = func(a, b float64) (float64, bool) { return math.Mod(a, b), b != 0 }
	case "^":
		arith = func(a, b float64) (float64, bool) { r := math.Pow(a, b); return r, !math.IsNaN(r) }
	default:
		return nil, c.errorAt(e, "unknown operator "+e.op)
	}
	return func(ctx *evalCtx) value {
		a, ok := l(ctx).asNumber()
		if !ok {
			return nullValue
		}
		b, ok := r(ctx).asNumber()
		if !ok {
			return nullValue
		}
		v, ok := arith(a, b)
		if !ok {
			return nullValue
		}
		return numValue(v)
	}, nil
}

// compileMatch builds like / =~: a quoted string is a case-sensitive
// substring test, a /regex/ an unanchored search.
func (c *compiler) compileMatch(l evalFn, pat expr) (evalFn, error) {
	for {
		p, ok := pat.(*paren)
		if !ok {
			break
		}
		pat = p.x
	}
	if rl, ok := pat.(*regexLit); ok {
		if lits, ok := literalAlternatives(rl.src); ok {
			return func(ctx *evalCtx) value {
				s, ok := l(ctx).asString()
				if !ok {
					return nullValue
				}
				for _, lit := range lits {
					if strings.Contains(s, lit) {
						return boolValue(true)
					}
				}
				return boolValue(false)
			}, nil
		}
		re := rl.re
		return func(ctx *evalCtx) value {
			s, ok := l(ctx).asString()
			if !ok {
				return nullValue
			}
			return boolValue(re.MatchString(s))
		}, nil
	}
	r, err := c.compileExpr(pat)
	if err != nil {
		return nil, err
	}
	return func(ctx *evalCtx) value {
		s, ok := l(ctx).asString()
		if !ok {
			return nullValue
		}
		sub, ok := r(ctx).asString()
		if !ok {
			return nullValue
		}
		return boolValue(strings.Contains(s, sub))
	}, nil
}

// literalAlternatives recognises regexes that are a plain literal or an
// alternation of plain literals (/Unauthorized|Denied|Forbidden/), which a
// substring search answers much faster than the regex engine.
func literalAlternatives(src string) ([]string, bool) {
	re, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil, false
	}
	lit := func(r *syntax.Regexp) (string, bool) {
		if r.Op == syntax.OpLiteral && r.Flags&syntax.FoldCase == 0 {
			return string(r.Rune), true
		}
		if r.Op == syntax.OpConcat {
			var sb strings.Builder
			for _, s := range r.Sub {
				if s.Op != syntax.OpLiteral || s.Flags&syntax.FoldCase != 0 {
					return "", false
				}
				sb.WriteString(string(s.Rune))
			}
			return sb.String(), true
		}
		return "", false
	}
	if s, ok := lit(re); ok && s != "" {
		return []string{s}, true
	}
	if re.Op != syntax.OpAlternate {
		return nil, false
	}
	var out []string
	for _, sub := range re.Sub {
		s, ok := lit(sub)
		if !ok || s == "" {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func (c *compiler) compileCall(e *callExpr) (evalFn, error) {
	if c.aggRewrite != nil {
		if fn, err := c.aggRewrite(e); fn != nil || err != nil {
			return fn, err
		}
	}
	// After stats, an un-aliased aggregate column is addressed by its text.
	for _, name := range []string{e.text, strings.ReplaceAll(e.text, " ", "")} {
		if slot, ok := c.sc.slots[name]; ok {
			return func(ctx *evalCtx) value { return ctx.row.slots[slot] }, nil
		}
	}
	spec, ok := lookupFunction(e.name)
	if !ok {
		return nil, c.errorAt(e, "unknown function "+strconv.Quote(e.name))
	}
	if spec.agg {
		return nil, c.errorAt(e, "the aggregation function "+e.name+" can only be used in stats")
	}
	if e.name == "bin" {
		p := e.args[0].(*periodLit)
		if _, ok := c.sc.slots["@timestamp"]; !ok && !c.sc.events {
			return nil, c.errorAt(e, "bin() reads @timestamp, which is not available after stats unless that stats command defines @timestamp")
		}
		ts := c.compileField("@timestamp", []string{"@timestamp"})
		return func(ctx *evalCtx) value {
			t, ok := ts(ctx).asTime()
			if !ok {
				return nullValue
			}
			return timeValue(floorTime(t, p.n, p.unit))
		}, nil
	}
	args := make([]evalFn, len(e.args))
	for i, a := range e.args {
		if _, isPeriod := a.(*periodLit); isPeriod && spec.compile != nil {
			continue
		}
		if _, isRe := a.(*regexLit); isRe && e.name == "regexreplace" {
			continue
		}
		f, err := c.compileExpr(a)
		if err != nil {
			return nil, err
		}
		args[i] = f
	}
	switch {
	case spec.compile != nil:
		return spec.compile(e, args), nil
	case spec.eval1 != nil:
		a, f := args[0], spec.eval1
		return func(ctx *evalCtx) value { return f(a(ctx)) }, nil
	case spec.eval2 != nil:
		a, b, f := args[0], args[1], spec.eval2
		return func(ctx *evalCtx) value { return f(a(ctx), b(ctx)) }, nil
	}
	f := spec.evalN
	return func(ctx *evalCtx) value {
		vals := make([]value, len(args))
		for i, a := range args {
			vals[i] = a(ctx)
		}
		return f(ctx.rc, vals)
	}, nil
}
