package filterpattern

import (
	"fmt"
	"strconv"
	"strings"
)

type slotKind int

const (
	slotUnnamed  slotKind = iota // an empty slot, e.g. after a trailing comma
	slotEllipsis                 // ... : any number of fields
	slotNamed                    // a name, possibly with conditions on it
)

type slot struct {
	kind slotKind
	name string
	cond *node // nil when the field is only named
}

func (s slot) String() string {
	switch s.kind {
	case slotEllipsis:
		return "..."
	case slotNamed:
		if s.cond != nil {
			return s.cond.String()
		}
		return s.name
	}
	return ""
}

type delimPattern struct {
	slots       []slot
	hasEllipsis bool
}

func parseDelimPattern(src string, start int) (*delimPattern, error) {
	end := len(src)
	for end > start && isSpace(src[end-1]) {
		end--
	}
	if end-start < 2 || src[end-1] != ']' {
		return nil, newSyntaxError(src, end, "", "space-delimited pattern must end with ']'")
	}
	regexes := 0
	p := &exprParser{src: src, pos: start + 1, end: end - 1, regexes: &regexes}
	d := &delimPattern{}
	seen := map[string]bool{}
	for {
		p.skip()
		slotAt := p.pos
		var s slot
		switch {
		case p.pos >= p.end || p.src[p.pos] == ',':
			s.kind = slotUnnamed
		case p.peek("..."):
			p.pos += 3
			s.kind = slotEllipsis
			d.hasEllipsis = true
		default:
			var err error
			if s, err = parseNamedSlot(p); err != nil {
				return nil, err
			}
			if seen[s.name] {
				return nil, p.errorf(slotAt, "field name %q is used twice", s.name)
			}
			seen[s.name] = true
		}
		d.slots = append(d.slots, s)
		p.skip()
		if p.pos >= p.end {
			break
		}
		if p.src[p.pos] != ',' {
			return nil, p.errorf(p.pos, "expected ',' between fields")
		}
		p.pos++
	}
	if len(d.slots) == 1 && d.slots[0].kind == slotUnnamed {
		return nil, newSyntaxError(src, start, "[", "space-delimited pattern has no fields")
	}
	return d, nil
}

// parseNamedSlot reads "name" or a condition expression on one field, such
// as "status_code = 404 || status_code = 410".
func parseNamedSlot(p *exprParser) (slot, error) {
	save := p.pos
	if name := p.readWord(); name != "" {
		p.skip()
		if p.pos >= p.end || p.src[p.pos] == ',' {
			if !isFieldName(name) {
				return slot{}, p.errorf(save, "field name %q must start with a letter or underscore", name)
			}
			return slot{kind: slotNamed, name: name}, nil
		}
	}
	p.pos = save
	cond, err := p.parseOr()
	if err != nil {
		return slot{}, err
	}
	// Each slot's conditions must name the slot's own field. AWS's 2021
	// example [..., status_code = 4* && bytes > 1000] put a condition on
	// another field inside one slot, and AWS's console rejects exactly that
	// pattern as "Invalid filter pattern" (awsdocs/amazon-cloudwatch-logs-
	// user-guide issue #21). Names are case-sensitive, so the 2023 example's
	// "w1=ERROR || W1=WARNING" is rejected too.
	name := ""
	var bad *condition
	cond.walk(func(c *condition) {
		if name == "" {
			name = c.field
		} else if c.field != name && bad == nil {
			bad = c
		}
	})
	if bad != nil {
		return slot{}, p.errorf(bad.at, "condition on field %q inside the slot of field %q; each slot's conditions must name that slot's field", bad.field, name)
	}
	return slot{kind: slotNamed, name: name, cond: cond}, nil
}

func (d *delimPattern) String() string {
	parts := make([]string, len(d.slots))
	for i, s := range d.slots {
		parts[i] = s.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// field is one field of a space-delimited event.
type field struct {
	start, end int    // raw extent in the message, delimiters included
	text       string // value with enclosing quotes or brackets removed
}

// tokenize splits an event into fields per AWS §5.1: fields are separated by
// whitespace, and "Characters between brackets ("[]") and double quotation
// marks ("") are considered single fields", whose values drop the
// delimiters. Undocumented and chosen here: runs of whitespace (spaces, tabs)
// count as one separator; a quote or bracket groups only when it starts a
// field, and the field ends at its closing partner; brackets nest; an opener
// without a partner is an ordinary character.
//
// Partners are found in linear time (a cached next-quote position, and
// bracket pairs matched once with a stack) so that an event full of
// unmatched openers cannot make matching quadratic.
func tokenize(msg string) []field {
	var out []field
	nextQuote := -1 // position of the next '"' at or after the scan, or len(msg)
	var closeOf []int32
	i := 0
	for {
		i = skipSpace(msg, i)
		if i >= len(msg) {
			return out
		}
		start := i
		switch msg[i] {
		case '"':
			if nextQuote <= i {
				nextQuote = len(msg)
				if j := strings.IndexByte(msg[i+1:], '"'); j >= 0 {
					nextQuote = i + 1 + j
				}
			}
			if j := nextQuote; j < len(msg) {
				out = append(out, field{start, j + 1, msg[i+1 : j]})
				i = j + 1
				continue
			}
		case '[':
			if closeOf == nil {
				closeOf = matchBrackets(msg)
			}
			if j := int(closeOf[i]); j > 0 {
				out = append(out, field{start, j + 1, msg[i+1 : j]})
				i = j + 1
				continue
			}
		}
		for i < len(msg) && !isSpace(msg[i]) {
			i++
		}
		out = append(out, field{start, i, msg[start:i]})
	}
}

// matchBrackets maps the position of each '[' to the position of its
// matching ']', or 0 when it has none.
func matchBrackets(msg string) []int32 {
	closeOf := make([]int32, len(msg))
	var open []int32
	for i := 0; i < len(msg); i++ {
		switch msg[i] {
		case '[':
			open = append(open, int32(i))
		case ']':
			if n := len(open); n > 0 {
				closeOf[open[n-1]] = int32(i)
				open = open[:n-1]
			}
		}
	}
	return closeOf
}

// match matches an event and, when extract is set, collects the extracted
// fields.
//
// Arity is AWS's most contradictory point. The current documentation says
// [w1=ERROR, w2] returns "ERROR 09/25/2014 12:00:02 Failed to process request"
// (7 fields for 2 slots) and insists on the "blank w2 indicator", while the
// 2021 text says the same pattern does not match "ERROR WARN message". The
// current text is followed: without an ellipsis, an event needs at least as
// many fields as the pattern has slots, and the last slot takes the rest of
// the event (raw text, from its first field to the end). With ellipses, the
// ellipses take the surplus and every other slot is exactly one field.
func (d *delimPattern) match(msg string, extract bool) (map[string]string, bool) {
	fields := tokenize(msg)
	n := len(d.slots)
	if !d.hasEllipsis {
		if len(fields) < n {
			return nil, false
		}
		last := fields[n-1]
		if len(fields) > n {
			last = field{start: last.start, end: fields[len(fields)-1].end, text: msg[last.start:fields[len(fields)-1].end]}
		}
		for i := 0; i < n-1; i++ {
			if !slotAccepts(d.slots[i], fields[i].text) {
				return nil, false
			}
		}
		if !slotAccepts(d.slots[n-1], last.text) {
			return nil, false
		}
		if !extract {
			return nil, true
		}
		out := map[string]string{}
		for i := 0; i < n; i++ {
			text := fields[i].text
			if i == n-1 {
				text = last.text
			}
			out[slotKey(d.slots[i], i)] = text
		}
		return out, true
	}

	// placed[i] is the field index of non-ellipsis slot i. Runs of
	// non-ellipsis slots are fixed-length, so placing each run at the
	// earliest position where it fits leaves the most room for the runs
	// after it: that greedy choice finds a match whenever one exists.
	placed := make([]int, n)
	fits := func(slotFrom, slotTo, at int) bool {
		for k := slotFrom; k < slotTo; k++ {
			if !slotAccepts(d.slots[k], fields[at+k-slotFrom].text) {
				return false
			}
		}
		return true
	}
	// Trailing run (after the last ellipsis) is anchored at the end.
	tailFrom := n
	for tailFrom > 0 && d.slots[tailFrom-1].kind != slotEllipsis {
		tailFrom--
	}
	tailLen := n - tailFrom
	limit := len(fields) - tailLen // first field the tail takes
	pos := 0
	for i := 0; i < tailFrom; {
		if d.slots[i].kind == slotEllipsis {
			i++
			continue
		}
		j := i
		for j < tailFrom && d.slots[j].kind != slotEllipsis {
			j++
		}
		runLen := j - i
		at := -1
		if i == 0 {
			// Leading run is anchored at the start.
			if runLen <= limit && fits(i, j, 0) {
				at = 0
			}
		} else {
			for k := pos; k+runLen <= limit; k++ {
				if fits(i, j, k) {
					at = k
					break
				}
			}
		}
		if at < 0 {
			return nil, false
		}
		for k := i; k < j; k++ {
			placed[k] = at + k - i
		}
		pos = at + runLen
		i = j
	}
	if limit < pos || !fits(tailFrom, n, limit) {
		return nil, false
	}
	for k := tailFrom; k < n; k++ {
		placed[k] = limit + k - tailFrom
	}
	if !extract {
		return nil, true
	}
	out := map[string]string{}
	covered := make([]bool, len(fields))
	for i, s := range d.slots {
		if s.kind == slotEllipsis {
			continue
		}
		covered[placed[i]] = true
		out[slotKey(s, placed[i])] = fields[placed[i]].text
	}
	for i, f := range fields {
		if !covered[i] {
			out["$"+strconv.Itoa(i+1)] = f.text
		}
	}
	return out, true
}

// slotKey names an extracted field: "$name" for named fields and "$N" (the
// field's 1-based position in the event) otherwise, as in AWS's
// TestMetricFilter example where a trailing unnamed slot yields "$7".
func slotKey(s slot, fieldIndex int) string {
	if s.kind == slotNamed {
		return "$" + s.name
	}
	return fmt.Sprintf("$%d", fieldIndex+1)
}

func slotAccepts(s slot, text string) bool {
	if s.cond == nil {
		return true
	}
	return s.cond.eval(func(c *condition) bool { return delimSatisfies(c, text) })
}

// delimSatisfies compares one field. Fields are text, so a number literal
// compares numerically with a field that reads as a number, and never
// matches a field that does not (not even with !=, mirroring JSON's rule that
// a comparison on the wrong kind of value is simply false).
func delimSatisfies(c *condition, text string) bool {
	if c.val.kind == valNumber {
		n, ok := parseNumber(text)
		return ok && c.op.holds(compareNumbers(n, c.val.num))
	}
	return c.val.matchText(text) == (c.op == opEq)
}
