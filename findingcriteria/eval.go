package findingcriteria

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Finding is one GuardDuty finding in its wire JSON (camelCase), decoded.
type Finding struct {
	doc map[string]any
}

// ParseFinding decodes a finding as GetFindings returns it on the wire (one
// element of "findings") or as EventBridge carries it (the "detail").
func ParseFinding(data []byte) (Finding, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return Finding{}, fmt.Errorf("decode finding: %w", err)
	}
	if doc == nil {
		return Finding{}, errors.New("decode finding: want a JSON object, got null")
	}
	if dec.More() {
		return Finding{}, errors.New("decode finding: unexpected data after the JSON object")
	}
	return Finding{doc: doc}, nil
}

// NewFinding wraps an already decoded finding. Numbers may be json.Number
// or float64.
func NewFinding(doc map[string]any) Finding { return Finding{doc: doc} }

// Doc returns the decoded finding.
func (f Finding) Doc() map[string]any { return f.doc }

// Values returns every value the attribute path has in the finding, in
// document order: a path through an array yields one value per element,
// and an array at the end of the path yields its elements. Objects and JSON
// nulls are not values. The returned values are strings, json.Number (or
// float64) and bools.
func (f Finding) Values(path string) []any {
	if a, ok := aliases[path]; ok {
		path = a
	}
	return f.values(strings.Split(path, "."))
}

func (f Finding) values(segs []string) []any {
	out := collect(nil, f.doc, segs)
	if len(out) == 0 && len(segs) > 2 && segs[0] == "service" && segs[1] == "additionalInfo" {
		// On the wire additionalInfo is {"value": "<JSON text>", "type":
		// "default"}; EventBridge and the console also spell its keys out.
		// The inline keys were tried first; now the encoded value.
		for _, v := range collect(nil, f.doc, []string{"service", "additionalInfo", "value"}) {
			s, ok := v.(string)
			if !ok {
				continue
			}
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			var inner any
			if dec.Decode(&inner) == nil {
				out = collect(out, inner, segs[2:])
			}
		}
	}
	return out
}

func collect(out []any, node any, segs []string) []any {
	switch n := node.(type) {
	case []any:
		for _, e := range n {
			out = collect(out, e, segs)
		}
		return out
	case map[string]any:
		if len(segs) == 0 {
			return out
		}
		child, ok := n[segs[0]]
		if !ok {
			return out
		}
		return collect(out, child, segs[1:])
	case nil:
		return out
	default:
		if len(segs) == 0 {
			return append(out, n)
		}
		return out
	}
}

// Match reports whether the finding meets every condition.
func (c *Criteria) Match(f Finding) bool {
	for i := range c.conds {
		if !c.conds[i].match(f) {
			return false
		}
	}
	return true
}

// Filter returns the findings that match, in their order.
func (c *Criteria) Filter(findings []Finding) []Finding {
	var out []Finding
	for _, f := range findings {
		if c.Match(f) {
			out = append(out, f)
		}
	}
	return out
}

func (cond *Condition) match(f Finding) bool {
	vals := f.values(cond.path)
	for i := range cond.Terms {
		if !cond.Terms[i].holds(cond, vals) {
			return false
		}
	}
	return true
}

func (t *Term) holds(cond *Condition, vals []any) bool {
	switch t.Operator {
	case Eq, Equals:
		return t.anyEqual(cond, vals)
	case Neq, NotEquals:
		return !t.anyEqual(cond, vals)
	case Matches:
		return t.anyMatch(vals)
	case NotMatches:
		return !t.anyMatch(vals)
	}
	n := float64(t.Number)
	for _, v := range vals {
		x, ok := number(v, cond.Kind)
		if !ok {
			continue
		}
		switch t.Operator {
		case Gt, GreaterThan:
			if x > n {
				return true
			}
		case Gte, GreaterThanOrEqual:
			if x >= n {
				return true
			}
		case Lt, LessThan:
			if x < n {
				return true
			}
		case Lte, LessThanOrEqual:
			if x <= n {
				return true
			}
		}
	}
	return false
}

func (t *Term) anyEqual(cond *Condition, vals []any) bool {
	for _, v := range vals {
		switch cond.Kind {
		case KindNumber, KindTime:
			x, ok := number(v, cond.Kind)
			if !ok {
				continue
			}
			for _, want := range t.nums {
				if x == want || (cond.Attribute == "severity" && want == math.Trunc(want) && math.Floor(x) == want) {
					return true
				}
			}
		case KindBool:
			s := text(v)
			for _, want := range t.Values {
				if strings.EqualFold(s, want) {
					return true
				}
			}
		default:
			s := text(v)
			for _, want := range t.Values {
				if s == want {
					return true
				}
			}
		}
	}
	return false
}

func (t *Term) anyMatch(vals []any) bool {
	for _, v := range vals {
		s := text(v)
		for _, g := range t.globs {
			if g.match(s) {
				return true
			}
		}
	}
	return false
}

// text is a value as criteria compare it: strings as they are, numbers as
// their JSON literal, booleans as true/false.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

// number is a value as numeric operators compare it: timestamps as epoch
// milliseconds, everything else as the number its text spells.
func number(v any, kind Kind) (float64, bool) {
	if kind == KindTime {
		if s, ok := v.(string); ok {
			ms, ok := parseTime(s)
			return float64(ms), ok
		}
	}
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// glob is a Matches pattern: "*" stands for any run of characters, anything
// else for itself.
type glob []string

func compileGlob(p string) glob { return strings.Split(p, "*") }

func (g glob) match(s string) bool {
	if len(g) == 1 {
		return s == g[0]
	}
	if !strings.HasPrefix(s, g[0]) {
		return false
	}
	s = s[len(g[0]):]
	last := g[len(g)-1]
	for _, part := range g[1 : len(g)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, last) && len(s) >= len(last)
}
