package insights

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// minEventsPerWorker keeps tiny inputs on one goroutine, where splitting
// costs more than it saves.
const minEventsPerWorker = 4096

// Run evaluates the query over events (any order; the caller has already
// applied the time range). It is safe to call concurrently on one Query.
//
// Execution: the commands before the first sort, limit, dedup or stats run
// per event on GOMAXPROCS workers, each over a contiguous share of the
// events; a stats command aggregates per worker and merges; everything
// after runs once over the merged rows.
func (q *Query) Run(ctx context.Context, events []*Event, opts RunOptions) (*Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	p, err := buildPlan(q)
	if err != nil {
		return nil, err
	}
	rc := &runContext{now: opts.Now, start: opts.QueryStart, end: opts.QueryEnd}
	if rc.now.IsZero() {
		rc.now = time.Now()
	}
	prefixLen := 0
	for prefixLen < len(p.stages) && !p.stages[prefixLen].blocking() {
		prefixLen++
	}
	prefix, rest := p.stages[:prefixLen], p.stages[prefixLen:]
	var stats *statsStage
	if len(rest) > 0 && rest[0].kind == stStats {
		stats = rest[0].stats
	}
	// With nothing but an optional sort (and limit) after the per-event
	// stage, each worker only needs to keep its best rows.
	topK, topKeys := -1, []sortSpec(nil)
	if stats == nil {
		r := rest
		if len(r) > 0 && r[0].kind == stSort {
			topKeys = r[0].keys
			r = r[1:]
		}
		switch {
		case len(r) == 0:
			topK = effectiveCap(p, opts)
		case r[0].kind == stLimit:
			topK = r[0].n
		}
	}

	nw := opts.Workers
	if nw <= 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	if max := (len(events) + minEventsPerWorker - 1) / minEventsPerWorker; nw > max {
		nw = max
	}
	if nw < 1 {
		nw = 1
	}
	workers := make([]*worker, nw)
	var wg sync.WaitGroup
	chunk := (len(events) + nw - 1) / nw
	for i := range workers {
		lo := min(i*chunk, len(events))
		hi := min(lo+chunk, len(events))
		w := newWorker(p, rc, prefix, stats, topK, topKeys)
		w.progress = opts.Progress
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.runEvents(ctx, events[lo:hi], lo)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("insights: query cancelled: %w", err)
	}

	res := &Result{}
	res.Statistics.RecordsScanned = float64(len(events))
	for _, e := range events {
		res.Statistics.BytesScanned += float64(len(e.msg))
	}
	var rows []row
	if stats != nil {
		groups := workers[0].groups
		order := workers[0].groupOrder
		for _, w := range workers[1:] {
			for _, key := range w.groupOrder {
				g := w.groups[key]
				if mine, ok := groups[key]; ok {
					for i := range mine.aggs {
						mine.aggs[i].merge(g.aggs[i])
					}
					mine.first = min(mine.first, g.first)
				} else {
					groups[key] = g
					order = append(order, key)
				}
			}
		}
		for _, w := range workers {
			res.Statistics.RecordsMatched += float64(w.matched)
		}
		rows = finishStats(rc, p.nslots, stats, groups, order)
		rest = rest[1:]
	} else {
		for _, w := range workers {
			res.Statistics.RecordsMatched += float64(w.matched)
			if w.top != nil {
				rows = append(rows, w.top.rows()...)
			} else {
				rows = append(rows, w.rows...)
			}
		}
		if len(rest) == 0 || rest[0].kind != stSort {
			sortDefault(rows)
		}
	}
	ectx := &evalCtx{rc: rc}
	rows, err = runRest(ctx, ectx, p.nslots, rest, rows)
	if err != nil {
		return nil, err
	}
	if cap := effectiveCap(p, opts); len(rows) > cap {
		rows = rows[:cap]
	}
	res.Rows = render(ectx, p.cols, rows)
	return res, nil
}

// sortDefault orders event rows the way AWS does without a sort command:
// @timestamp descending; equal timestamps keep input order.
func sortDefault(rows []row) {
	sort.SliceStable(rows, func(i, j int) bool { return defaultLess(&rows[i], &rows[j]) })
}

func defaultLess(a, b *row) bool {
	if a.ev != nil && b.ev != nil && a.ev.ts != b.ev.ts {
		return a.ev.ts > b.ev.ts
	}
	return a.idx < b.idx
}

type worker struct {
	p       *plan
	prefix  []*stage
	stats   *statsStage
	ctx     evalCtx
	scratch row
	matched int64
	rows    []row
	top     *topK

	progress func(Statistics)

	groups     map[string]*group
	groupOrder []string
	keyBuf     []byte
	byVals     []value
}

type group struct {
	keys  []value
	aggs  []aggregator
	first int
}

func newWorker(p *plan, rc *runContext, prefix []*stage, stats *statsStage, k int, keys []sortSpec) *worker {
	w := &worker{p: p, prefix: prefix, stats: stats}
	w.ctx.rc = rc
	w.scratch.slots = make([]value, p.nslots)
	if stats != nil {
		w.groups = map[string]*group{}
		w.byVals = make([]value, len(stats.byFns))
	} else if k >= 0 {
		w.top = newTopK(k, keys, &w.ctx)
	}
	return w
}

func (w *worker) runEvents(ctx context.Context, events []*Event, base int) {
	r := &w.scratch
	reported, matched, bytes := 0, w.matched, 0.0
	report := func(upto int) {
		if w.progress != nil && upto > reported {
			w.progress(Statistics{RecordsScanned: float64(upto - reported), RecordsMatched: float64(w.matched - matched), BytesScanned: bytes})
			reported, matched, bytes = upto, w.matched, 0
		}
	}
	for i, ev := range events {
		if i&4095 == 0 {
			report(i)
			if ctx.Err() != nil {
				return
			}
		}
		r.ev, r.idx = ev, base+i
		clear(r.slots)
		stream(&w.ctx, w.prefix, 0, r, w.emit)
		if w.progress != nil {
			bytes += float64(len(ev.msg))
		}
	}
	report(len(events))
}

// emit receives a row that passed every per-event command.
func (w *worker) emit(r *row) {
	w.matched++
	switch {
	case w.stats != nil:
		w.aggregate(r)
	case w.top != nil:
		w.top.offer(r)
	default:
		w.rows = append(w.rows, copyRow(r))
	}
}

func copyRow(r *row) row {
	c := row{ev: r.ev, idx: r.idx}
	if len(r.slots) > 0 {
		c.slots = append([]value(nil), r.slots...)
	}
	return c
}

// groupKey encodes the by-values so that the map lookup needs no
// allocation: a kind byte, then the text (NUL-terminated) or the number's
// bits.
func appendGroupKey(buf []byte, v value) []byte {
	buf = append(buf, byte(v.kind))
	switch v.kind {
	case kNull:
	case kNum, kBool, kTime:
		if v.kind == kNum && v.s != "" {
			buf = append(buf, v.s...)
			return append(buf, 0)
		}
		bits := math.Float64bits(v.n)
		for i := 0; i < 8; i++ {
			buf = append(buf, byte(bits>>(8*i)))
		}
	default:
		s, _ := v.render()
		buf = append(buf, s...)
		buf = append(buf, 0)
	}
	return buf
}

func (w *worker) aggregate(r *row) {
	st := w.stats
	w.ctx.row = r
	w.keyBuf = w.keyBuf[:0]
	for i, f := range st.byFns {
		v := f(&w.ctx)
		w.byVals[i] = v
		w.keyBuf = appendGroupKey(w.keyBuf, v)
	}
	g, ok := w.groups[string(w.keyBuf)]
	if !ok {
		g = &group{keys: append([]value(nil), w.byVals...), first: r.idx}
		for _, a := range st.aggs {
			g.aggs = append(g.aggs, a.newAggregator())
		}
		key := string(w.keyBuf)
		w.groups[key] = g
		w.groupOrder = append(w.groupOrder, key)
	}
	var ts int64
	if len(st.aggs) > 0 {
		if t, ok := st.ts(&w.ctx).asTime(); ok {
			ts = t
		}
	}
	for i, a := range st.aggs {
		v := nullValue
		if a.arg != nil {
			v = a.arg(&w.ctx)
		}
		g.aggs[i].add(v, ts, r.idx)
	}
}

// finishStats turns groups into rows. AWS does not document the order of
// stats output; groups are ordered by their by-values in turn, timestamps
// (bin) newest first and other values in ascending natural order.
func finishStats(rc *runContext, nslots int, st *statsStage, groups map[string]*group, order []string) []row {
	list := make([]*group, 0, len(order))
	for _, k := range order {
		list = append(list, groups[k])
	}
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		for k := range a.keys {
			x, y := a.keys[k], b.keys[k]
			if x.kind == kTime && y.kind == kTime {
				if x.n != y.n {
					return x.n > y.n
				}
				continue
			}
			if c := compareSortable(sortableOf(x), sortableOf(y)); c != 0 {
				return c < 0
			}
		}
		return a.first < b.first
	})
	if len(list) == 0 && len(st.bySlots) == 0 {
		// Without "by", stats always yields one row (count(*) is 0).
		g := &group{}
		for _, a := range st.aggs {
			g.aggs = append(g.aggs, a.newAggregator())
		}
		list = append(list, g)
	}
	ctx := &evalCtx{rc: rc}
	rows := make([]row, 0, len(list))
	for i, g := range list {
		r := row{slots: make([]value, nslots), idx: i}
		for k, slot := range st.bySlots {
			r.slots[slot] = g.keys[k]
		}
		aggs := make([]value, len(g.aggs))
		for k, a := range g.aggs {
			aggs[k] = a.result()
		}
		ctx.row, ctx.aggs = &r, aggs
		for _, it := range st.items {
			r.slots[it.slot] = it.fn(ctx)
		}
		rows = append(rows, r)
	}
	return rows
}

// stream pushes one row through the per-row stages starting at i.
func stream(ctx *evalCtx, stages []*stage, i int, r *row, sink func(*row)) {
	for ; i < len(stages); i++ {
		s := stages[i]
		ctx.row = r
		switch s.kind {
		case stFilter:
			if b, ok := s.cond(ctx).truth(); !ok || !b {
				return
			}
		case stFields:
			for _, set := range s.sets {
				r.slots[set.slot] = set.fn(ctx)
			}
		case stParse:
			if s.parse.cmd.multi {
				parseMulti(ctx, stages, i, r, sink)
				return
			}
			applyParse(ctx, s.parse, r)
		case stUnnest:
			unnest(ctx, stages, i, r, sink)
			return
		default:
			panic("insights: blocking stage in a streaming section")
		}
	}
	sink(r)
}

func applyParse(ctx *evalCtx, ps *parseStage, r *row) {
	for _, slot := range ps.slots {
		r.slots[slot] = nullValue
	}
	s, ok := ps.src(ctx).asString()
	if !ok {
		return // parse never drops a row; extracted fields stay null
	}
	cmd := ps.cmd
	switch cmd.mode {
	case parseGlob, parseRegex:
		m := cmd.re.FindStringSubmatchIndex(s)
		if m == nil {
			return
		}
		for k, g := range cmd.groups {
			if m[2*g] >= 0 {
				r.slots[ps.slots[k]] = strValue(s[m[2*g]:m[2*g+1]])
			}
		}
	case parseCSV:
		rd := csv.NewReader(strings.NewReader(s))
		rd.FieldsPerRecord = -1
		rd.LazyQuotes = true
		rec, err := rd.Read()
		if err != nil {
			return
		}
		for k, slot := range ps.slots {
			if k < len(rec) {
				r.slots[slot] = strValue(rec[k])
			}
		}
	case parseLogfmt:
		r.slots[ps.slots[0]] = value{kind: kMap, c: decodeLogfmt(s)}
	}
}

// parseMulti emits one row per regex match (parse ... multi); without a
// match the row passes through with null fields.
func parseMulti(ctx *evalCtx, stages []*stage, i int, r *row, sink func(*row)) {
	ps := stages[i].parse
	s, ok := ps.src(ctx).asString()
	var matches [][]int
	if ok {
		matches = ps.cmd.re.FindAllStringSubmatchIndex(s, -1)
	}
	if len(matches) == 0 {
		for _, slot := range ps.slots {
			r.slots[slot] = nullValue
		}
		stream(ctx, stages, i+1, r, sink)
		return
	}
	saved := append([]value(nil), r.slots...)
	for _, m := range matches {
		copy(r.slots, saved)
		for k, g := range ps.cmd.groups {
			r.slots[ps.slots[k]] = nullValue
			if m[2*g] >= 0 {
				r.slots[ps.slots[k]] = strValue(s[m[2*g]:m[2*g+1]])
			}
		}
		stream(ctx, stages, i+1, r, sink)
	}
}

// unnest replaces the row by one row per list element; a value that is not
// a list counts as a one-element list, an empty list yields no rows, and a
// missing value passes the row through with the target field null (AWS
// leaves missing values undocumented).
func unnest(ctx *evalCtx, stages []*stage, i int, r *row, sink func(*row)) {
	s := stages[i]
	v := s.src(ctx)
	if v.kind != kList {
		r.slots[s.slot] = v
		stream(ctx, stages, i+1, r, sink)
		return
	}
	l := v.c.([]any)
	saved := append([]value(nil), r.slots...)
	for _, e := range l {
		copy(r.slots, saved)
		r.slots[s.slot] = fromJSON(e)
		stream(ctx, stages, i+1, r, sink)
	}
}

// decodeLogfmt reads space-separated key=value pairs; values may be double
// quoted. A bare key is recorded with an empty value.
func decodeLogfmt(s string) *orderedMap {
	m := &orderedMap{vals: map[string]any{}}
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ' ' {
			i++
		}
		key := s[start:i]
		val := ""
		if i < len(s) && s[i] == '=' {
			i++
			if i < len(s) && s[i] == '"' {
				var sb strings.Builder
				i++
				for i < len(s) && s[i] != '"' {
					if s[i] == '\\' && i+1 < len(s) {
						i++
					}
					sb.WriteByte(s[i])
					i++
				}
				i++
				val = sb.String()
			} else {
				vs := i
				for i < len(s) && s[i] != ' ' {
					i++
				}
				val = s[vs:i]
			}
		}
		if key == "" {
			continue
		}
		if _, dup := m.vals[key]; !dup {
			m.keys = append(m.keys, key)
		}
		m.vals[key] = val
	}
	return m
}

// runRest applies the commands that follow the per-event stage, in order,
// to the complete row set.
func runRest(ctx context.Context, ectx *evalCtx, nslots int, stages []*stage, rows []row) ([]row, error) {
	for i := 0; i < len(stages); i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("insights: query cancelled: %w", err)
		}
		s := stages[i]
		switch s.kind {
		case stStats:
			w := newWorker(&plan{nslots: nslots}, ectx.rc, nil, s.stats, -1, nil)
			for k := range rows {
				w.aggregate(&rows[k])
			}
			rows = finishStats(ectx.rc, nslots, s.stats, w.groups, w.groupOrder)
		case stSort:
			sortRows(ectx, rows, s.keys)
		case stLimit:
			if len(rows) > s.n {
				rows = rows[:s.n]
			}
		case stDedup:
			rows = dedupRows(ectx, rows, s.dedup)
		default:
			// A run of per-row stages.
			j := i
			for j < len(stages) && !stages[j].blocking() {
				j++
			}
			var out []row
			for k := range rows {
				r := copyRow(&rows[k])
				if len(r.slots) < nslots {
					r.slots = append(r.slots, make([]value, nslots-len(r.slots))...)
				}
				stream(ectx, stages[i:j], 0, &r, func(x *row) { out = append(out, copyRow(x)) })
			}
			rows = out
			i = j - 1
		}
	}
	return rows, nil
}

type keyedRow struct {
	r    row
	keys []sortable
}

func sortKeys(ectx *evalCtx, r *row, keys []sortSpec) []sortable {
	ks := make([]sortable, len(keys))
	ectx.row = r
	for i, k := range keys {
		ks[i] = sortableOf(k.fn(ectx))
		if ks[i].class == classText {
			ks[i].s = strings.Clone(ks[i].s)
		}
	}
	return ks
}

// compareKeyed orders rows by the sort keys (nulls last in either
// direction), then by the default order.
func compareKeyed(a, b *keyedRow, keys []sortSpec) int {
	for i, k := range keys {
		x, y := a.keys[i], b.keys[i]
		if x.class == classNull || y.class == classNull {
			if x.class != y.class {
				if x.class == classNull {
					return 1
				}
				return -1
			}
			continue
		}
		c := compareSortable(x, y)
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	if defaultLess(&a.r, &b.r) {
		return -1
	}
	if defaultLess(&b.r, &a.r) {
		return 1
	}
	return 0
}

func sortRows(ectx *evalCtx, rows []row, keys []sortSpec) {
	keyed := make([]keyedRow, len(rows))
	for i := range rows {
		keyed[i] = keyedRow{r: rows[i], keys: sortKeys(ectx, &rows[i], keys)}
	}
	sort.SliceStable(keyed, func(i, j int) bool { return compareKeyed(&keyed[i], &keyed[j], keys) < 0 })
	for i := range keyed {
		rows[i] = keyed[i].r
	}
}

// dedupRows keeps the first row for each combination of key values; rows
// with a null key are always kept (AWS: "Null values are not considered
// duplicates").
func dedupRows(ectx *evalCtx, rows []row, keys []evalFn) []row {
	seen := map[string]struct{}{}
	var out []row
	var buf []byte
	for i := range rows {
		ectx.row = &rows[i]
		buf = buf[:0]
		hasNull := false
		for _, k := range keys {
			v := ectx.row.slotsOrEval(ectx, k)
			if v.isNull() {
				hasNull = true
				break
			}
			s, _ := v.render()
			buf = append(buf, s...)
			buf = append(buf, 0)
		}
		if !hasNull {
			if _, dup := seen[string(buf)]; dup {
				continue
			}
			seen[string(buf)] = struct{}{}
		}
		out = append(out, rows[i])
	}
	return out
}

func (r *row) slotsOrEval(ectx *evalCtx, f evalFn) value { return f(ectx) }

// render builds the GetQueryResults rows: every value a string, null fields
// left out, and @ptr appended for rows that are log events.
func render(ectx *evalCtx, cols []outCol, rows []row) [][]ResultField {
	out := make([][]ResultField, 0, len(rows))
	hasPtr := false
	for _, c := range cols {
		if c.name == "@ptr" {
			hasPtr = true
		}
	}
	for i := range rows {
		r := &rows[i]
		ectx.row = r
		fields := make([]ResultField, 0, len(cols)+1)
		for _, c := range cols {
			if s, ok := c.fn(ectx).render(); ok {
				fields = append(fields, ResultField{Field: c.name, Value: s})
			}
		}
		if !hasPtr && r.ev != nil && r.ev.ptr != "" {
			fields = append(fields, ResultField{Field: "@ptr", Value: r.ev.ptr})
		}
		out = append(out, fields)
	}
	return out
}
