package insights

import (
	"math"
	"sort"
)

// aggregator accumulates one aggregation function for one group. Workers
// aggregate their share of the events and merge their groups at the end,
// so every aggregator must merge exactly.
type aggregator interface {
	add(v value, ts int64, idx int)
	merge(other aggregator)
	result() value
}

type aggSpec struct {
	name string
	arg  evalFn // nil for count(*)
	pct  float64
}

func (s *aggSpec) newAggregator() aggregator {
	switch s.name {
	case "count":
		if s.arg == nil {
			return &countAll{}
		}
		return &countField{}
	case "count_distinct":
		return &countDistinct{seen: map[string]struct{}{}}
	case "sum":
		return &sumAgg{}
	case "avg":
		return &sumAgg{avg: true}
	case "min":
		return &extremeAgg{sign: -1}
	case "max":
		return &extremeAgg{sign: 1}
	case "sortsfirst":
		return &extremeAgg{sign: -1, natural: true}
	case "sortslast":
		return &extremeAgg{sign: 1, natural: true}
	case "stddev":
		return &stddevAgg{}
	case "pct":
		return &pctAgg{p: s.pct}
	case "earliest":
		return &timedAgg{latest: false}
	case "latest":
		return &timedAgg{latest: true}
	}
	panic("insights: unknown aggregation " + s.name)
}

type countAll struct{ n int64 }

func (a *countAll) add(value, int64, int) { a.n++ }
func (a *countAll) merge(o aggregator)    { a.n += o.(*countAll).n }
func (a *countAll) result() value         { return numValue(float64(a.n)) }

// countField counts rows in which the field is present.
type countField struct{ n int64 }

func (a *countField) add(v value, _ int64, _ int) {
	if !v.isNull() {
		a.n++
	}
}
func (a *countField) merge(o aggregator) { a.n += o.(*countField).n }
func (a *countField) result() value      { return numValue(float64(a.n)) }

// countDistinct is exact; AWS says high-cardinality results may be
// approximate, so exact counts are always within AWS's tolerance.
type countDistinct struct{ seen map[string]struct{} }

func (a *countDistinct) add(v value, _ int64, _ int) {
	if s, ok := v.render(); ok {
		if _, dup := a.seen[s]; !dup {
			a.seen[cloneString(s)] = struct{}{}
		}
	}
}
func (a *countDistinct) merge(o aggregator) {
	for k := range o.(*countDistinct).seen {
		a.seen[k] = struct{}{}
	}
}
func (a *countDistinct) result() value { return numValue(float64(len(a.seen))) }

// sumAgg ignores values that are not numbers; with no numbers at all the
// result is null and the column is left out of the row.
type sumAgg struct {
	sum float64
	n   int64
	avg bool
}

func (a *sumAgg) add(v value, _ int64, _ int) {
	if f, ok := v.asNumber(); ok && !v.isComposite() {
		a.sum += f
		a.n++
	}
}
func (a *sumAgg) merge(o aggregator) {
	b := o.(*sumAgg)
	a.sum += b.sum
	a.n += b.n
}
func (a *sumAgg) result() value {
	if a.n == 0 {
		return nullValue
	}
	if a.avg {
		return numValue(a.sum / float64(a.n))
	}
	return numValue(a.sum)
}

// extremeAgg implements min/max and sortsFirst/sortsLast. Numbers compare
// numerically; text compares with the natural sort order, in which all text
// sorts before all numbers. The original value is kept, so max(@timestamp)
// is still a timestamp.
type extremeAgg struct {
	best    value
	key     sortable
	idx     int
	set     bool
	sign    int
	natural bool
}

func (a *extremeAgg) add(v value, _ int64, idx int) {
	if v.isNull() || v.isComposite() {
		return
	}
	k := sortableOf(v)
	if a.better(k, idx) {
		if v.kind == kStr {
			v.s = cloneString(v.s)
			k.s = v.s
		}
		a.best, a.key, a.idx, a.set = v, k, idx, true
	}
}

func (a *extremeAgg) better(k sortable, idx int) bool {
	if !a.set {
		return true
	}
	c := compareSortable(k, a.key)
	if c == 0 {
		return idx < a.idx
	}
	return (c > 0) == (a.sign > 0)
}

func (a *extremeAgg) merge(o aggregator) {
	b := o.(*extremeAgg)
	if b.set && a.better(b.key, b.idx) {
		a.best, a.key, a.idx, a.set = b.best, b.key, b.idx, true
	}
}
func (a *extremeAgg) result() value {
	if !a.set {
		return nullValue
	}
	return a.best
}

// stddevAgg is the sample standard deviation (n-1 denominator; AWS does not
// say which), computed with Welford's method and Chan's merge.
type stddevAgg struct {
	n        float64
	mean, m2 float64
}

func (a *stddevAgg) add(v value, _ int64, _ int) {
	f, ok := v.asNumber()
	if !ok || v.isComposite() {
		return
	}
	a.n++
	d := f - a.mean
	a.mean += d / a.n
	a.m2 += d * (f - a.mean)
}
func (a *stddevAgg) merge(o aggregator) {
	b := o.(*stddevAgg)
	if b.n == 0 {
		return
	}
	if a.n == 0 {
		*a = *b
		return
	}
	n := a.n + b.n
	d := b.mean - a.mean
	a.m2 += b.m2 + d*d*a.n*b.n/n
	a.mean += d * b.n / n
	a.n = n
}
func (a *stddevAgg) result() value {
	if a.n == 0 {
		return nullValue
	}
	if a.n == 1 {
		return numValue(0)
	}
	return numValue(math.Sqrt(a.m2 / (a.n - 1)))
}

// pctAgg returns an observed value by the nearest-rank method: the smallest
// value with at least p% of the values at or below it (AWS does not say how
// it interpolates; its description says pct returns a field value).
type pctAgg struct {
	p    float64
	vals []float64
}

func (a *pctAgg) add(v value, _ int64, _ int) {
	if f, ok := v.asNumber(); ok && !v.isComposite() && !math.IsNaN(f) {
		a.vals = append(a.vals, f)
	}
}
func (a *pctAgg) merge(o aggregator) { a.vals = append(a.vals, o.(*pctAgg).vals...) }
func (a *pctAgg) result() value {
	if len(a.vals) == 0 {
		return nullValue
	}
	sort.Float64s(a.vals)
	rank := int(math.Ceil(a.p / 100 * float64(len(a.vals))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(a.vals) {
		rank = len(a.vals)
	}
	return numValue(a.vals[rank-1])
}

// timedAgg implements earliest/latest: the value from the row with the
// smallest/largest @timestamp among rows where the field is present; equal
// timestamps resolve to the earlier input position.
type timedAgg struct {
	latest bool
	best   value
	ts     int64
	idx    int
	set    bool
}

func (a *timedAgg) better(ts int64, idx int) bool {
	if !a.set {
		return true
	}
	if ts != a.ts {
		return (ts > a.ts) == a.latest
	}
	return idx < a.idx
}

func (a *timedAgg) add(v value, ts int64, idx int) {
	if v.isNull() {
		return
	}
	if a.better(ts, idx) {
		if v.kind == kStr {
			v.s = cloneString(v.s)
		}
		a.best, a.ts, a.idx, a.set = v, ts, idx, true
	}
}
func (a *timedAgg) merge(o aggregator) {
	b := o.(*timedAgg)
	if b.set && a.better(b.ts, b.idx) {
		a.best, a.ts, a.idx, a.set = b.best, b.ts, b.idx, true
	}
}
func (a *timedAgg) result() value {
	if !a.set {
		return nullValue
	}
	return a.best
}

// cloneString is a no-op hook: values are substrings of stored messages,
// which live as long as the events, so nothing needs copying.
func cloneString(s string) string { return s }
