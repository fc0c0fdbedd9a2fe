package insights

import "strings"

type stageKind int

const (
	stFields stageKind = iota // fields and display: compute created fields
	stFilter
	stParse
	stUnnest
	stStats
	stSort
	stLimit
	stDedup
)

type slotSet struct {
	slot int
	fn   evalFn
}

type sortSpec struct {
	fn   evalFn
	desc bool
}

type stage struct {
	kind  stageKind
	sets  []slotSet
	cond  evalFn
	parse *parseStage
	src   evalFn // unnest source
	slot  int    // unnest target
	stats *statsStage
	keys  []sortSpec
	dedup []evalFn
	n     int
}

// blocking stages need every row before they can produce one.
func (s *stage) blocking() bool {
	switch s.kind {
	case stStats, stSort, stLimit, stDedup:
		return true
	}
	return false
}

type parseStage struct {
	cmd   *parseCmd
	src   evalFn
	slots []int
}

type statsStage struct {
	byFns   []evalFn
	bySlots []int
	aggs    []*aggSpec
	items   []slotSet // evaluated per group after aggregation
	ts      evalFn    // @timestamp in the input scope, for earliest/latest
}

type outCol struct {
	name string
	fn   evalFn
}

type plan struct {
	nslots      int
	stages      []*stage
	cols        []outCol
	hasLimitCmd bool
}

// buildPlan resolves names to slots and interned field ids. It runs at the
// start of every Run because field ids are only known for names some
// ingested event already used.
func buildPlan(q *Query) (*plan, error) {
	c := &compiler{src: q.src, sc: &scope{slots: map[string]int{}, events: true}, composite: map[int]bool{}}
	noComposite := func(e expr, where string) error {
		if c.isComposite(e) {
			return c.errorAt(e, "maps and lists cannot be used in "+where)
		}
		return nil
	}
	p := &plan{}
	var cols, display []outCol
	explicit := false
	setCol := func(list []outCol, col outCol) []outCol {
		for i := range list {
			if list[i].name == col.name {
				list[i] = col
				return list
			}
		}
		return append(list, col)
	}
	slotReader := func(slot int) evalFn {
		return func(ctx *evalCtx) value { return ctx.row.slots[slot] }
	}
	for _, cmd := range q.commands {
		switch cmd := cmd.(type) {
		case *fieldsCmd:
			st := &stage{kind: stFields}
			var these []outCol
			for _, it := range cmd.items {
				if f, ok := it.expr.(*fieldRef); ok && !it.alias {
					these = append(these, outCol{name: it.name, fn: c.compileField(f.name, f.segs)})
					continue
				}
				fn, err := c.compileExpr(it.expr)
				if err != nil {
					return nil, err
				}
				comp := c.isComposite(it.expr)
				slot := c.newSlot(it.name)
				c.composite[slot] = comp
				st.sets = append(st.sets, slotSet{slot: slot, fn: fn})
				these = append(these, outCol{name: it.name, fn: slotReader(slot)})
			}
			if len(st.sets) > 0 {
				p.stages = append(p.stages, st)
			}
			if cmd.display {
				display = these
			} else {
				explicit = true
				for _, col := range these {
					cols = setCol(cols, col)
				}
			}
		case *filterCmd:
			fn, err := c.compileExpr(cmd.cond)
			if err != nil {
				return nil, err
			}
			p.stages = append(p.stages, &stage{kind: stFilter, cond: fn})
		case *parseCmd:
			src, err := c.compileExpr(cmd.source)
			if err != nil {
				return nil, err
			}
			ps := &parseStage{cmd: cmd, src: src}
			for _, name := range cmd.names {
				slot := c.newSlot(name)
				ps.slots = append(ps.slots, slot)
				cols = setCol(cols, outCol{name: name, fn: slotReader(slot)})
			}
			p.stages = append(p.stages, &stage{kind: stParse, parse: ps})
		case *unnestCmd:
			src, err := c.compileExpr(cmd.source)
			if err != nil {
				return nil, err
			}
			slot := c.newSlot(cmd.into)
			cols = setCol(cols, outCol{name: cmd.into, fn: slotReader(slot)})
			p.stages = append(p.stages, &stage{kind: stUnnest, src: src, slot: slot})
		case *unmaskCmd:
		case *statsCmd:
			for _, b := range cmd.by {
				if err := noComposite(b.expr, "stats"); err != nil {
					return nil, err
				}
			}
			for _, it := range cmd.items {
				var bad expr
				walkExpr(it.expr, func(x expr) {
					if call, ok := x.(*callExpr); ok && aggregateNames[call.name] && len(call.args) > 0 && c.isComposite(call.args[0]) && bad == nil {
						bad = call.args[0]
					}
				})
				if bad != nil {
					return nil, c.errorAt(bad, "maps and lists cannot be used in stats")
				}
			}
			st, outNames, err := c.compileStats(cmd)
			if err != nil {
				return nil, err
			}
			p.stages = append(p.stages, &stage{kind: stStats, stats: st})
			cols, display, explicit = nil, nil, true
			for _, n := range outNames {
				cols = append(cols, outCol{name: n, fn: slotReader(c.sc.slots[n])})
			}
		case *sortCmd:
			st := &stage{kind: stSort}
			for _, k := range cmd.keys {
				if err := noComposite(k.expr, "sort"); err != nil {
					return nil, err
				}
				fn, err := c.compileExpr(k.expr)
				if err != nil {
					return nil, err
				}
				st.keys = append(st.keys, sortSpec{fn: fn, desc: k.desc})
			}
			p.stages = append(p.stages, st)
		case *limitCmd:
			p.hasLimitCmd = true
			p.stages = append(p.stages, &stage{kind: stLimit, n: cmd.n})
		case *dedupCmd:
			st := &stage{kind: stDedup}
			for _, k := range cmd.keys {
				if err := noComposite(k.expr, "dedup"); err != nil {
					return nil, err
				}
				fn, err := c.compileExpr(k.expr)
				if err != nil {
					return nil, err
				}
				st.dedup = append(st.dedup, fn)
			}
			p.stages = append(p.stages, st)
		}
	}
	switch {
	case display != nil:
		p.cols = display
	case explicit:
		p.cols = cols
	default:
		// With neither fields nor stats AWS shows @timestamp and @message.
		p.cols = []outCol{
			{name: "@timestamp", fn: c.compileField("@timestamp", []string{"@timestamp"})},
			{name: "@message", fn: c.compileField("@message", []string{"@message"})},
		}
		for _, col := range cols {
			p.cols = setCol(p.cols, col)
		}
	}
	p.nslots = c.nslots
	return p, nil
}

// compileStats compiles one stats command and switches the compiler to the
// scope it produces: only its output columns are visible afterwards.
func (c *compiler) compileStats(cmd *statsCmd) (*statsStage, []string, error) {
	st := &statsStage{}
	in := c.sc
	if _, ok := in.slots["@timestamp"]; ok || in.events {
		st.ts = c.compileField("@timestamp", []string{"@timestamp"})
	} else {
		st.ts = func(*evalCtx) value { return nullValue }
	}
	for _, b := range cmd.by {
		fn, err := c.compileExpr(b.expr)
		if err != nil {
			return nil, nil, err
		}
		st.byFns = append(st.byFns, fn)
	}
	out := &scope{slots: map[string]int{}}
	c.sc = out
	var names []string
	for _, b := range cmd.by {
		st.bySlots = append(st.bySlots, c.newSlot(b.name))
		names = append(names, b.name)
	}
	for _, it := range cmd.items {
		fn, err := c.compileAggExpr(it.expr, in, st)
		if err != nil {
			return nil, nil, err
		}
		slot := c.newSlot(it.name)
		if !it.alias {
			// An un-aliased item is also reachable by its text with the
			// whitespace AWS users tend to vary (sort count(*) desc).
			c.sc.slots[strings.ReplaceAll(it.name, " ", "")] = slot
		}
		st.items = append(st.items, slotSet{slot: slot, fn: fn})
		if !contains(names, it.name) {
			names = append(names, it.name)
		}
	}
	return st, names, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// compileAggExpr compiles a stats item: aggregation calls are compiled
// against the input scope and become reads of the group's results; any
// other name refers to an earlier item of the same stats command.
func (c *compiler) compileAggExpr(e expr, in *scope, st *statsStage) (evalFn, error) {
	var err error
	var rewrite func(e expr) (evalFn, error)
	rewrite = func(e expr) (evalFn, error) {
		call, ok := e.(*callExpr)
		if !ok || !aggregateNames[call.name] {
			return nil, nil
		}
		spec := &aggSpec{name: call.name}
		if len(call.args) > 0 {
			if containsAggregate(call.args[0]) {
				return nil, c.errorAt(call, "aggregation functions cannot be nested")
			}
			outer := c.sc
			c.sc = in
			spec.arg, err = c.compileExpr(call.args[0])
			c.sc = outer
			if err != nil {
				return nil, err
			}
		}
		if call.name == "pct" {
			spec.pct = call.args[1].(*literal).val.n
		}
		k := len(st.aggs)
		st.aggs = append(st.aggs, spec)
		return func(ctx *evalCtx) value { return ctx.aggs[k] }, nil
	}
	c.aggRewrite = rewrite
	defer func() { c.aggRewrite = nil }()
	return c.compileExpr(e)
}

// effectiveCap is the number of rows returned at the end: StartQuery's
// limit parameter (default 10,000) unless the query has its own limit
// command, which may go up to 100,000 when the caller sets no parameter.
func effectiveCap(p *plan, opts RunOptions) int {
	if p.hasLimitCmd {
		if opts.Limit > 0 {
			return opts.Limit
		}
		return int(^uint(0) >> 1)
	}
	if opts.Limit > 0 {
		return opts.Limit
	}
	return DefaultLimit
}
