package filterpattern

import (
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the JSON matcher used by Match: a compiled selector
// automaton and a single-pass scanner over the raw message. See the package
// documentation ("JSON matching") for the design; the rules it must keep are
// those of the encoding/json based evaluation in json.go (decodeEvent and
// evalDoc), which Extract still uses and which the differential fuzz test
// FuzzJSONMatchEquivalence compares against.

// maxJSONDepth is encoding/json's nesting limit (maxNestingDepth in its
// scanner): a document with more than this many open objects and arrays at
// once is a syntax error there, so it is not JSON here either.
const maxJSONDepth = 10000

// jsonState is a state of the selector automaton. The value at a path in the
// document is in exactly one state (or none, when no selector reaches it):
// the root object is in the start state, and a property or element is in
// the state its container's state moves to on its key or index. States are
// built at Parse time from the selectors' steps; a state merges all the
// selector positions that can reach the same value, so a wildcard and a
// named property that both select a member are handled in one visit.
type jsonState struct {
	conds    []int32 // slots of the conditions whose selector ends here
	keys     []string
	keyNext  []*jsonState
	otherKey *jsonState // any other key (from .*)
	idx      []int
	idxNext  []*jsonState
	otherIdx *jsonState // any other index (from [*])
}

func (st *jsonState) objectKids() bool { return len(st.keys) > 0 || st.otherKey != nil }
func (st *jsonState) arrayKids() bool  { return len(st.idx) > 0 || st.otherIdx != nil }

func (st *jsonState) nextKey(k string) *jsonState {
	for i, key := range st.keys {
		if key == k {
			return st.keyNext[i]
		}
	}
	return st.otherKey
}

func (st *jsonState) nextIndex(n int) *jsonState {
	for i, x := range st.idx {
		if x == n {
			return st.idxNext[i]
		}
	}
	return st.otherIdx
}

// trieNode is a position in a selector: the selectors of a pattern form a
// trie of steps, which compileJSON then turns into jsonStates.
type trieNode struct {
	id       int
	conds    []int32
	keys     []string
	keyKids  []*trieNode
	idx      []int
	idxKids  []*trieNode
	anyField *trieNode
	anyElem  *trieNode
}

// jsonMatcher is the compiled form of a JSON pattern for Match.
type jsonMatcher struct {
	root  *node
	start *jsonState
	conds []*condition // by slot
	pre   *preNode     // nil when nothing can be ruled out cheaply
}

func compileJSON(root *node) *jsonMatcher {
	m := &jsonMatcher{root: root}
	nodes := 0
	newNode := func() *trieNode { nodes++; return &trieNode{id: nodes - 1} }
	trieRoot := newNode()
	root.walk(func(c *condition) {
		c.slot = len(m.conds)
		m.conds = append(m.conds, c)
		t := trieRoot
		for _, st := range c.sel.steps {
			switch st.kind {
			case stepKey:
				i := indexOf(t.keys, st.key)
				if i < 0 {
					t.keys = append(t.keys, st.key)
					t.keyKids = append(t.keyKids, newNode())
					i = len(t.keys) - 1
				}
				t = t.keyKids[i]
			case stepIndex:
				i := -1
				for j, x := range t.idx {
					if x == st.index {
						i = j
					}
				}
				if i < 0 {
					t.idx = append(t.idx, st.index)
					t.idxKids = append(t.idxKids, newNode())
					i = len(t.idx) - 1
				}
				t = t.idxKids[i]
			case stepAnyField:
				if t.anyField == nil {
					t.anyField = newNode()
				}
				t = t.anyField
			case stepAnyElement:
				if t.anyElem == nil {
					t.anyElem = newNode()
				}
				t = t.anyElem
			}
		}
		t.conds = append(t.conds, int32(c.slot))
	})
	b := &stateBuilder{states: map[string]*jsonState{}}
	m.start = b.state([]*trieNode{trieRoot})
	m.pre = compilePre(root)
	return m
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// stateBuilder is the subset construction from trie nodes to jsonStates.
// With at most three wildcards per pattern the sets stay small.
type stateBuilder struct {
	states map[string]*jsonState
}

func (b *stateBuilder) state(set []*trieNode) *jsonState {
	if len(set) == 0 {
		return nil
	}
	sort.Slice(set, func(i, j int) bool { return set[i].id < set[j].id })
	var key strings.Builder
	for _, t := range set {
		key.WriteString(strconv.Itoa(t.id))
		key.WriteByte(',')
	}
	if st, ok := b.states[key.String()]; ok {
		return st
	}
	st := &jsonState{}
	b.states[key.String()] = st
	var anyField, anyElem []*trieNode
	for _, t := range set {
		st.conds = append(st.conds, t.conds...)
		for _, k := range t.keys {
			if indexOf(st.keys, k) < 0 {
				st.keys = append(st.keys, k)
			}
		}
		for _, x := range t.idx {
			seen := false
			for _, y := range st.idx {
				seen = seen || x == y
			}
			if !seen {
				st.idx = append(st.idx, x)
			}
		}
		if t.anyField != nil {
			anyField = append(anyField, t.anyField)
		}
		if t.anyElem != nil {
			anyElem = append(anyElem, t.anyElem)
		}
	}
	for _, k := range st.keys {
		next := append([]*trieNode(nil), anyField...)
		for _, t := range set {
			if i := indexOf(t.keys, k); i >= 0 {
				next = append(next, t.keyKids[i])
			}
		}
		st.keyNext = append(st.keyNext, b.state(next))
	}
	st.otherKey = b.state(append([]*trieNode(nil), anyField...))
	for _, x := range st.idx {
		next := append([]*trieNode(nil), anyElem...)
		for _, t := range set {
			for i, y := range t.idx {
				if y == x {
					next = append(next, t.idxKids[i])
				}
			}
		}
		st.idxNext = append(st.idxNext, b.state(next))
	}
	st.otherIdx = b.state(append([]*trieNode(nil), anyElem...))
	return st
}

// preNode is a necessary condition on the raw message: when it fails, the
// pattern cannot match. A condition $.x = "text" (exact, or with leading or
// trailing wildcards) needs the text somewhere in the message. That holds
// in the raw bytes only when the message has no backslash (escapes can
// spell any character differently) and the text is valid UTF-8 without
// U+FFFD (the decoder replaces invalid bytes with U+FFFD), which match
// checks before using it.
type preNode struct {
	kind nodeKind // nodeCond: lit must occur; nodeAnd / nodeOr over kids
	lit  string
	kids []*preNode
}

func compilePre(n *node) *preNode {
	switch n.kind {
	case nodeCond:
		c := n.cond
		if c.op == opEq && c.val.kind == valString && c.val.core != "" &&
			utf8.ValidString(c.val.core) && !strings.ContainsRune(c.val.core, utf8.RuneError) {
			return &preNode{kind: nodeCond, lit: c.val.core}
		}
		return nil
	case nodeAnd:
		var kids []*preNode
		for _, k := range n.kids {
			if p := compilePre(k); p != nil {
				kids = append(kids, p)
			}
		}
		switch len(kids) {
		case 0:
			return nil
		case 1:
			return kids[0]
		}
		return &preNode{kind: nodeAnd, kids: kids}
	}
	var kids []*preNode
	for _, k := range n.kids {
		p := compilePre(k)
		if p == nil {
			return nil // this alternative needs nothing, so neither does the whole
		}
		kids = append(kids, p)
	}
	return &preNode{kind: nodeOr, kids: kids}
}

func (p *preNode) possible(msg string) bool {
	switch p.kind {
	case nodeAnd:
		for _, k := range p.kids {
			if !k.possible(msg) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, k := range p.kids {
			if k.possible(msg) {
				return true
			}
		}
		return false
	}
	return strings.Contains(msg, p.lit)
}

// jsonScan is the per-match scratch state, pooled so that matching does
// not allocate.
type jsonScan struct {
	s       string
	m       *jsonMatcher
	counts  []int32 // by condition slot: values reached (NOT EXISTS) or values satisfying the condition (all others)
	log     []int32 // slots counted, in order, so a duplicate key can take back what its earlier value counted
	members []jsonMember
	deep    []uint64 // container kinds beyond 64 levels while skipping
}

// jsonMember is a property of an object being walked whose value some
// selector reaches, kept to find duplicate keys: encoding/json keeps the
// last value of a duplicated key, so what an earlier one counted is undone.
type jsonMember struct {
	key              string
	logStart, logEnd int
}

var jsonScanPool = sync.Pool{New: func() any { return new(jsonScan) }}

func (m *jsonMatcher) match(msg string) bool {
	if m.pre != nil && strings.IndexByte(msg, '\\') < 0 && !m.pre.possible(msg) {
		return false
	}
	sc := jsonScanPool.Get().(*jsonScan)
	sc.s, sc.m = msg, m
	if cap(sc.counts) < len(m.conds) {
		sc.counts = make([]int32, len(m.conds))
	}
	sc.counts = sc.counts[:len(m.conds)]
	clear(sc.counts)
	sc.log = sc.log[:0]
	sc.members = sc.members[:0]
	ok := sc.document()
	if ok {
		ok = m.evalCounts(sc.counts)
	}
	sc.s, sc.m = "", nil
	for i := range sc.members {
		sc.members[i].key = ""
	}
	jsonScanPool.Put(sc)
	return ok
}

// evalCounts evaluates the pattern from the counts: a condition holds if a
// value satisfied it, and NOT EXISTS if no value was reached.
func (m *jsonMatcher) evalCounts(counts []int32) bool {
	return m.root.eval(func(c *condition) bool {
		if c.op == opNotExists {
			return counts[c.slot] == 0
		}
		return counts[c.slot] > 0
	})
}

// document scans the whole message, which must be one JSON object with
// nothing but JSON whitespace around it, as decodeEvent requires.
func (sc *jsonScan) document() bool {
	s := sc.s
	i := skipJSONSpace(s, 0)
	if i == len(s) || s[i] != '{' {
		return false
	}
	i = sc.walk(i, 0, sc.m.start)
	if i < 0 {
		return false
	}
	return skipJSONSpace(s, i) == len(s)
}

func (sc *jsonScan) count(slot int32) {
	sc.counts[slot]++
	sc.log = append(sc.log, slot)
}

func (sc *jsonScan) undo(from, to int) {
	for k := from; k < to; k++ {
		if slot := sc.log[k]; slot >= 0 {
			sc.counts[slot]--
			sc.log[k] = -1
		}
	}
}

// walk scans the value at s[i] (not whitespace), which the selectors reach
// in state st, counting the conditions that end there and descending into
// the members and elements that selectors go on to. depth is the number of
// objects and arrays open around the value. It returns the offset after
// the value, or -1 if the message is not valid JSON.
func (sc *jsonScan) walk(i, depth int, st *jsonState) int {
	s := sc.s
	switch c := s[i]; {
	case c == '{':
		for _, slot := range st.conds {
			if sc.m.conds[slot].op == opNotExists {
				sc.count(slot)
			}
		}
		if st.objectKids() {
			return sc.walkObject(i, depth, st)
		}
		return sc.skipContainer(i, depth)
	case c == '[':
		for _, slot := range st.conds {
			if sc.m.conds[slot].op == opNotExists {
				sc.count(slot)
			}
		}
		if st.arrayKids() {
			return sc.walkArray(i, depth, st)
		}
		return sc.skipContainer(i, depth)
	case c == '"':
		end, special := scanJSONString(s, i)
		if end < 0 {
			return -1
		}
		if len(st.conds) > 0 {
			text := s[i+1 : end-1]
			if special && needsUnquote(text) {
				text = unquoteJSON(text)
			}
			for _, slot := range st.conds {
				if c := sc.m.conds[slot]; c.op == opNotExists || stringSatisfies(c, text) {
					sc.count(slot)
				}
			}
		}
		return end
	case c == '-' || c >= '0' && c <= '9':
		end := scanJSONNumber(s, i)
		if end < 0 {
			return -1
		}
		for _, slot := range st.conds {
			if c := sc.m.conds[slot]; c.op == opNotExists || numberSatisfies(c, s[i:end]) {
				sc.count(slot)
			}
		}
		return end
	default:
		var lit string
		var op operator
		switch c {
		case 't':
			lit, op = "true", opIsTrue
		case 'f':
			lit, op = "false", opIsFalse
		case 'n':
			lit, op = "null", opIsNull
		default:
			return -1
		}
		if !strings.HasPrefix(s[i:], lit) {
			return -1
		}
		for _, slot := range st.conds {
			if c := sc.m.conds[slot]; c.op == opNotExists || c.op == op {
				sc.count(slot)
			}
		}
		return i + len(lit)
	}
}

// stringSatisfies is jsonNodeSatisfies for a JSON string.
func stringSatisfies(c *condition, text string) bool {
	if c.op != opEq && c.op != opNe || c.val.kind == valNumber {
		return false
	}
	return c.val.matchText(text) == (c.op == opEq)
}

// numberSatisfies is jsonNodeSatisfies for a JSON number, given its literal
// text (which is what json.Number holds).
func numberSatisfies(c *condition, text string) bool {
	switch c.op {
	case opIsNull, opIsTrue, opIsFalse, opNotExists:
		return false
	}
	switch c.val.kind {
	case valNumber:
		n, ok := parseNumber(text)
		return ok && c.op.holds(compareNumbers(n, c.val.num))
	case valRegex:
		return c.val.matchText(text) == (c.op == opEq)
	}
	if !c.val.hasWildcard() {
		return false
	}
	return c.val.matchText(text) == (c.op == opEq)
}

// maxLinearMembers is how many selected members of one object are compared
// pairwise for duplicate keys before a map takes over; only a wildcard
// selector (.*) can select more than the pattern names.
const maxLinearMembers = 32

func (sc *jsonScan) walkObject(i, depth int, st *jsonState) int {
	depth++
	if depth > maxJSONDepth {
		return -1
	}
	base := len(sc.members)
	i = sc.walkMembers(i, depth, st, base)
	for k := base; k < len(sc.members); k++ {
		sc.members[k].key = ""
	}
	sc.members = sc.members[:base]
	return i
}

// walkMembers is walkObject's loop over the members; the selected ones are
// recorded in sc.members from base on.
func (sc *jsonScan) walkMembers(i, depth int, st *jsonState, base int) int {
	s := sc.s
	var byKey map[string]int // index into sc.members, once there are many
	i = skipJSONSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return -1
		}
		end, special := scanJSONString(s, i)
		if end < 0 {
			return -1
		}
		key := s[i+1 : end-1]
		if special && needsUnquote(key) {
			key = unquoteJSON(key)
		}
		i = skipJSONSpace(s, end)
		if i >= len(s) || s[i] != ':' {
			return -1
		}
		i = skipJSONSpace(s, i+1)
		if i >= len(s) {
			return -1
		}
		next := st.nextKey(key)
		if next == nil {
			i = sc.skipValue(i, depth)
		} else {
			// A later duplicate replaces an earlier value, as in a Go map.
			dup := -1
			if byKey != nil {
				if k, ok := byKey[key]; ok {
					dup = k
				}
			} else {
				for k := base; k < len(sc.members); k++ {
					if sc.members[k].key == key {
						dup = k
						break
					}
				}
			}
			start := len(sc.log)
			i = sc.walk(i, depth, next)
			if dup >= 0 {
				m := &sc.members[dup]
				sc.undo(m.logStart, m.logEnd)
				m.logStart, m.logEnd = start, len(sc.log)
			} else {
				sc.members = append(sc.members, jsonMember{key: key, logStart: start, logEnd: len(sc.log)})
				if byKey != nil {
					byKey[key] = len(sc.members) - 1
				} else if len(sc.members)-base > maxLinearMembers {
					byKey = make(map[string]int, 2*maxLinearMembers)
					for k := base; k < len(sc.members); k++ {
						byKey[sc.members[k].key] = k
					}
				}
			}
		}
		if i < 0 {
			return -1
		}
		i = skipJSONSpace(s, i)
		if i >= len(s) {
			return -1
		}
		switch s[i] {
		case ',':
			i = skipJSONSpace(s, i+1)
		case '}':
			return i + 1
		default:
			return -1
		}
	}
}

func (sc *jsonScan) walkArray(i, depth int, st *jsonState) int {
	s := sc.s
	depth++
	if depth > maxJSONDepth {
		return -1
	}
	i = skipJSONSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return i + 1
	}
	for n := 0; ; n++ {
		if i >= len(s) {
			return -1
		}
		if next := st.nextIndex(n); next != nil {
			i = sc.walk(i, depth, next)
		} else {
			i = sc.skipValue(i, depth)
		}
		if i < 0 {
			return -1
		}
		i = skipJSONSpace(s, i)
		if i >= len(s) {
			return -1
		}
		switch s[i] {
		case ',':
			i = skipJSONSpace(s, i+1)
		case ']':
			return i + 1
		default:
			return -1
		}
	}
}

// skipValue validates and skips the value at s[i] (not whitespace) that no
// selector reaches; depth is the number of containers open around it.
func (sc *jsonScan) skipValue(i, depth int) int {
	s := sc.s
	switch c := s[i]; {
	case c == '{' || c == '[':
		return sc.skipContainer(i, depth)
	case c == '"':
		end, _ := scanJSONString(s, i)
		return end
	case c == '-' || c >= '0' && c <= '9':
		return scanJSONNumber(s, i)
	case c == 't':
		return skipLiteral(s, i, "true")
	case c == 'f':
		return skipLiteral(s, i, "false")
	case c == 'n':
		return skipLiteral(s, i, "null")
	}
	return -1
}

func skipLiteral(s string, i int, lit string) int {
	if strings.HasPrefix(s[i:], lit) {
		return i + len(lit)
	}
	return -1
}

// skipContainer validates and skips the object or array at s[i] without
// recursion: the kinds of the open containers are kept as bits (1 for an
// object), in a word for the first 64 levels and in sc.deep beyond.
func (sc *jsonScan) skipContainer(i, depth int) int {
	s := sc.s
	var bits uint64 // bit k: container k levels in is an object
	level := 0      // containers open in this skip
value:
	// s[i] starts a value.
	switch c := s[i]; {
	case c == '{' || c == '[':
		if depth+level+1 > maxJSONDepth {
			return -1
		}
		k := level
		level++
		obj := c == '{'
		if k < 64 {
			bits &^= 1 << k
			if obj {
				bits |= 1 << k
			}
		} else {
			w, b := (k-64)/64, (k-64)%64
			for len(sc.deep) <= w {
				sc.deep = append(sc.deep, 0)
			}
			sc.deep[w] &^= 1 << b
			if obj {
				sc.deep[w] |= 1 << b
			}
		}
		i = skipJSONSpace(s, i+1)
		if i >= len(s) {
			return -1
		}
		if obj {
			if s[i] == '}' {
				i++
				level--
				goto after
			}
			goto key
		}
		if s[i] == ']' {
			i++
			level--
			goto after
		}
		goto value
	case c == '"':
		i, _ = scanJSONString(s, i)
	case c == '-' || c >= '0' && c <= '9':
		i = scanJSONNumber(s, i)
	case c == 't':
		i = skipLiteral(s, i, "true")
	case c == 'f':
		i = skipLiteral(s, i, "false")
	case c == 'n':
		i = skipLiteral(s, i, "null")
	default:
		return -1
	}
	if i < 0 {
		return -1
	}
after:
	// A value ended at s[i-1].
	if level == 0 {
		return i
	}
	i = skipJSONSpace(s, i)
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case ',':
		i = skipJSONSpace(s, i+1)
		if i >= len(s) {
			return -1
		}
		if sc.isObject(bits, level-1) {
			goto key
		}
		goto value
	case '}':
		if !sc.isObject(bits, level-1) {
			return -1
		}
	case ']':
		if sc.isObject(bits, level-1) {
			return -1
		}
	default:
		return -1
	}
	i++
	level--
	goto after
key:
	// s[i] should start a member's key.
	if s[i] != '"' {
		return -1
	}
	if i, _ = scanJSONString(s, i); i < 0 {
		return -1
	}
	i = skipJSONSpace(s, i)
	if i >= len(s) || s[i] != ':' {
		return -1
	}
	i = skipJSONSpace(s, i+1)
	if i >= len(s) {
		return -1
	}
	goto value
}

// isObject reports whether the container k levels into a skip is an object.
func (sc *jsonScan) isObject(bits uint64, k int) bool {
	if k < 64 {
		return bits>>k&1 != 0
	}
	return sc.deep[(k-64)/64]>>((k-64)%64)&1 != 0
}

// skipJSONSpace skips JSON's four whitespace characters (not \v or \f).
func skipJSONSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// strPlain marks the bytes a JSON string can hold that need no attention:
// not '"', '\\', control characters, or non-ASCII bytes (which may be
// invalid UTF-8 that the decoder replaces).
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// load8 reads s[i:i+8] as a little-endian word (one load once compiled).
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// plain8 reports whether all eight bytes of x are plain string bytes (see
// strPlain), with the usual bit tricks: (v - 0x01..) & ^v & 0x80.. is
// non-zero exactly when some byte of v is zero, and with 0x20 in place of
// 0x01 when some byte is below 0x20.
func plain8(x uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (lo * '"')
	slash := x ^ (lo * '\\')
	bad := (quote-lo)&^quote | (slash-lo)&^slash | (x-lo*0x20)&^x | x
	return bad&hi == 0
}

// scanJSONString validates the string literal at s[i] == '"' as
// encoding/json's scanner does and returns the offset after its closing
// quote (-1 if invalid), and whether it holds escapes or non-ASCII bytes,
// without which its content is its value.
func scanJSONString(s string, i int) (int, bool) {
	special := false
	i++
	for {
		// The common run of plain bytes, eight at a time.
		for i+8 <= len(s) && plain8(load8(s, i)) {
			i += 8
		}
		for i < len(s) && strPlain[s[i]] {
			i++
		}
		if i >= len(s) {
			return -1, false
		}
		switch c := s[i]; {
		case c == '"':
			return i + 1, special
		case c == '\\':
			special = true
			if i+1 >= len(s) {
				return -1, false
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
					return -1, false
				}
				i += 6
			default:
				return -1, false
			}
		case c < 0x20:
			return -1, false
		default: // non-ASCII
			special = true
			i++
		}
	}
}

// scanJSONNumber validates the number at s[i] against JSON's grammar,
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, and returns the offset
// after it, or -1. What follows is checked by the caller.
func scanJSONNumber(s string, i int) int {
	if s[i] == '-' {
		i++
		if i >= len(s) {
			return -1
		}
	}
	switch {
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return -1
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return -1
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return -1
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i
}

// needsUnquote reports whether the content of a valid string literal
// differs from its decoded value: it has an escape or invalid UTF-8.
func needsUnquote(text string) bool {
	return strings.IndexByte(text, '\\') >= 0 || !utf8.ValidString(text)
}

// unquoteJSON decodes the content of a valid JSON string literal exactly as
// encoding/json's unquote does: escapes are resolved, a \u escape of a
// lone or mismatched surrogate becomes U+FFFD, and each byte of invalid
// UTF-8 becomes U+FFFD.
func unquoteJSON(text string) string {
	b := make([]byte, 0, len(text)+utf8.UTFMax)
	for r := 0; r < len(text); {
		c := text[r]
		switch {
		case c == '\\':
			switch e := text[r+1]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(text[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(text[r:])); dec != unicode.ReplacementChar {
						r += 6
						b = utf8.AppendRune(b, dec)
						continue
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // '"', '\\', '/'
				b = append(b, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRuneInString(text[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return string(b)
}

// getu4 decodes \uXXXX at the start of s, or returns -1.
func getu4(s string) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range []byte(s[2:6]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
