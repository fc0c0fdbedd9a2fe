package insights

import (
	"container/heap"
	"sort"
)

// topK keeps the k best rows a worker has seen, by the sort keys or by the
// default @timestamp-descending order, so a "filter | fields" query over a
// million events never materialises more than k rows per worker.
type topK struct {
	k    int
	keys []sortSpec
	ectx *evalCtx
	h    keyedHeap
}

type keyedHeap struct {
	items []keyedRow
	keys  []sortSpec
}

func (h *keyedHeap) Len() int { return len(h.items) }

// Less puts the worst row on top of the heap.
func (h *keyedHeap) Less(i, j int) bool {
	return compareKeyed(&h.items[i], &h.items[j], h.keys) > 0
}
func (h *keyedHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *keyedHeap) Push(x any)    { h.items = append(h.items, x.(keyedRow)) }
func (h *keyedHeap) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

func newTopK(k int, keys []sortSpec, ectx *evalCtx) *topK {
	return &topK{k: k, keys: keys, ectx: ectx, h: keyedHeap{keys: keys}}
}

func (t *topK) offer(r *row) {
	if t.k == 0 {
		return
	}
	var ks []sortable
	if len(t.keys) > 0 {
		ks = sortKeys(t.ectx, r, t.keys)
	}
	if len(t.h.items) >= t.k {
		cand := keyedRow{r: row{ev: r.ev, idx: r.idx}, keys: ks}
		if compareKeyed(&cand, &t.h.items[0], t.keys) >= 0 {
			return
		}
		cand.r = copyRow(r)
		t.h.items[0] = cand
		heap.Fix(&t.h, 0)
		return
	}
	heap.Push(&t.h, keyedRow{r: copyRow(r), keys: ks})
}

// rows returns the kept rows, best first.
func (t *topK) rows() []row {
	items := t.h.items
	sort.Slice(items, func(i, j int) bool { return compareKeyed(&items[i], &items[j], t.keys) < 0 })
	out := make([]row, len(items))
	for i := range items {
		out[i] = items[i].r
	}
	return out
}
