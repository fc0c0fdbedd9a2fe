package findingcriteria

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits from the model and the user guide.
const (
	// MaxValues is the most values an Eq, Neq, Equals or NotEquals list may
	// hold ("Max values: 50").
	MaxValues = 50
	// MaxAttributes is the most attributes one criteria may name ("up to a
	// maximum of 50 attributes as the criteria for a particular filter").
	MaxAttributes = 50
	// MaxMatches is the most patterns a Matches or NotMatches list may hold,
	// and MaxMatchLength the longest pattern (the model's Matches shape).
	MaxMatches     = 5
	MaxMatchLength = 512
)

// Operator is one comparison of a Condition.
type Operator int

// The operators of GuardDuty's Condition shape. The short forms are
// deprecated aliases of the long ones but still accepted everywhere.
const (
	Eq Operator = iota
	Neq
	Gt
	Gte
	Lt
	Lte
	Equals
	NotEquals
	GreaterThan
	GreaterThanOrEqual
	LessThan
	LessThanOrEqual
	Matches
	NotMatches
)

// operatorNames are each operator's SDK member name and wire (locationName)
// name.
var operatorNames = [...]struct{ member, wire string }{
	Eq: {"Eq", "eq"}, Neq: {"Neq", "neq"},
	Gt: {"Gt", "gt"}, Gte: {"Gte", "gte"}, Lt: {"Lt", "lt"}, Lte: {"Lte", "lte"},
	Equals: {"Equals", "equals"}, NotEquals: {"NotEquals", "notEquals"},
	GreaterThan: {"GreaterThan", "greaterThan"}, GreaterThanOrEqual: {"GreaterThanOrEqual", "greaterThanOrEqual"},
	LessThan: {"LessThan", "lessThan"}, LessThanOrEqual: {"LessThanOrEqual", "lessThanOrEqual"},
	Matches: {"Matches", "matches"}, NotMatches: {"NotMatches", "notMatches"},
}

var operatorByName = func() map[string]Operator {
	m := make(map[string]Operator, 2*len(operatorNames))
	for op, n := range operatorNames {
		m[n.member] = Operator(op)
		m[n.wire] = Operator(op)
	}
	return m
}()

// String returns the operator's SDK member name (Eq, GreaterThanOrEqual, …).
func (o Operator) String() string {
	if o < 0 || int(o) >= len(operatorNames) {
		return fmt.Sprintf("Operator(%d)", int(o))
	}
	return operatorNames[o].member
}

// WireName returns the operator's REST-JSON name (eq, greaterThanOrEqual, …).
func (o Operator) WireName() string {
	if o < 0 || int(o) >= len(operatorNames) {
		return o.String()
	}
	return operatorNames[o].wire
}

// Numeric reports whether the operator takes a number (Gt … LessThanOrEqual)
// rather than a list of strings.
func (o Operator) Numeric() bool {
	switch o {
	case Gt, Gte, Lt, Lte, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual:
		return true
	}
	return false
}

// Term is one operator of a condition with its operand.
type Term struct {
	Operator Operator
	// Values is the operand of the list operators (Eq, Neq, Equals,
	// NotEquals, Matches, NotMatches).
	Values []string
	// Number is the operand of the numeric operators.
	Number int64

	nums  []float64 // Values parsed, for number and time attributes
	globs []glob    // Values compiled, for Matches and NotMatches
}

// Condition is what the criteria asks of one attribute: every term must
// hold.
type Condition struct {
	// Attribute is the attribute path as the criteria spells it.
	Attribute string
	// Kind is how the attribute's values compare.
	Kind  Kind
	Terms []Term

	path []string // the finding field's path segments
}

// Criteria is a parsed FindingCriteria. It is immutable and safe for
// concurrent use.
type Criteria struct {
	conds []Condition
}

// Options tune Parse.
type Options struct {
	// AllowMatches accepts Matches and NotMatches, which the model reserves
	// for CreateFilter and UpdateFilter.
	AllowMatches bool
}

// Parse parses a FindingCriteria as ListFindings takes it, in either
// spelling: {"Criterion":{...}} with the SDK's operator names (what the AWS
// CLI's --finding-criteria takes) or {"criterion":{...}} with the wire
// names. Any error is an *Error.
func Parse(data []byte) (*Criteria, error) { return ParseWithOptions(data, Options{}) }

// ParseWithOptions is Parse with options.
func ParseWithOptions(data []byte, opts Options) (*Criteria, error) {
	top, err := decodeObject(data, "")
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	key := ""
	for k, v := range top {
		switch k {
		case "Criterion", "criterion":
			if key != "" {
				return nil, jsonError("", "both %q and %q given; FindingCriteria has one Criterion", key, k)
			}
			key, raw = k, v
		default:
			return nil, jsonError("", "unknown member %q of FindingCriteria; it has only Criterion (wire: criterion)", k)
		}
	}
	c := &Criteria{}
	if key == "" || isNull(raw) {
		return c, nil
	}
	members, err := decodeObject(raw, key)
	if err != nil {
		return nil, err
	}
	if len(members) > MaxAttributes {
		return nil, valueError(key, "%d attributes; at most %d may be given", len(members), MaxAttributes)
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		cond, err := parseCondition(key, name, members[name], opts)
		if err != nil {
			return nil, err
		}
		c.conds = append(c.conds, cond)
	}
	return c, nil
}

// MustParse is Parse for criteria known to be valid; it panics otherwise.
func MustParse(s string) *Criteria {
	c, err := Parse([]byte(s))
	if err != nil {
		panic(err)
	}
	return c
}

func parseCondition(key, name string, raw json.RawMessage, opts Options) (Condition, error) {
	at := fmt.Sprintf("%s[%q]", key, name)
	canonical, kind, ok := Attribute(name)
	if !ok {
		detail := fmt.Sprintf("GuardDuty does not filter on the attribute %q", name)
		if s := suggest(name); s != "" {
			detail += fmt.Sprintf("; did you mean %q?", s)
		}
		return Condition{}, valueError(at, "%s", detail)
	}
	if isNull(raw) {
		return Condition{}, valueError(at, "the condition is null")
	}
	ops, err := decodeObject(raw, at)
	if err != nil {
		return Condition{}, err
	}
	if len(ops) == 0 {
		return Condition{}, valueError(at, "the condition has no operator")
	}
	cond := Condition{Attribute: name, Kind: kind, path: strings.Split(canonical, ".")}
	opNames := make([]string, 0, len(ops))
	for k := range ops {
		opNames = append(opNames, k)
	}
	sort.Slice(opNames, func(i, j int) bool {
		a, b := operatorByName[opNames[i]], operatorByName[opNames[j]]
		if a != b {
			return a < b
		}
		return opNames[i] < opNames[j]
	})
	for _, opName := range opNames {
		op, known := operatorByName[opName]
		opAt := at + "." + opName
		if !known {
			return Condition{}, jsonError(at, "unknown operator %q%s; the operators are %s", opName, suggestOperator(opName), operatorList())
		}
		if (op == Matches || op == NotMatches) && !opts.AllowMatches {
			return Condition{}, valueError(opAt, "%s is available only for CreateFilter and UpdateFilter", op)
		}
		term := Term{Operator: op}
		if op.Numeric() {
			n, err := decodeInteger(ops[opName], opAt)
			if err != nil {
				return Condition{}, err
			}
			if kind == KindBool {
				return Condition{}, valueError(opAt, "%s is a boolean attribute; it takes Eq or Neq with \"true\" or \"false\", not %s", name, op)
			}
			term.Number = n
		} else {
			vals, err := decodeStrings(ops[opName], opAt)
			if err != nil {
				return Condition{}, err
			}
			if err := checkValues(&term, name, kind, vals, opAt); err != nil {
				return Condition{}, err
			}
		}
		cond.Terms = append(cond.Terms, term)
	}
	return cond, nil
}

func checkValues(t *Term, name string, kind Kind, vals []string, at string) error {
	max := MaxValues
	if t.Operator == Matches || t.Operator == NotMatches {
		max = MaxMatches
	}
	if len(vals) == 0 {
		return valueError(at, "the list of values is empty")
	}
	if len(vals) > max {
		return valueError(at, "%d values; at most %d may be given", len(vals), max)
	}
	t.Values = vals
	if t.Operator == Matches || t.Operator == NotMatches {
		for i, v := range vals {
			if v == "" || len(v) > MaxMatchLength {
				return valueError(fmt.Sprintf("%s[%d]", at, i), "a pattern is 1 to %d characters long", MaxMatchLength)
			}
			t.globs = append(t.globs, compileGlob(v))
		}
		return nil
	}
	switch kind {
	case KindNumber:
		for i, v := range vals {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return valueError(fmt.Sprintf("%s[%d]", at, i), "%s is a number; %q is not one", name, v)
			}
			t.nums = append(t.nums, f)
		}
	case KindTime:
		for i, v := range vals {
			ms, ok := parseTime(v)
			if !ok {
				return valueError(fmt.Sprintf("%s[%d]", at, i), "%s is a timestamp: give Unix epoch milliseconds (1486685375000) or ISO 8601 (2017-02-10T00:09:35.000Z), not %q", name, v)
			}
			t.nums = append(t.nums, float64(ms))
		}
	case KindBool:
		for i, v := range vals {
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return valueError(fmt.Sprintf("%s[%d]", at, i), "%s is a boolean; give \"true\" or \"false\", not %q", name, v)
			}
		}
	}
	return nil
}

// parseTime reads a timestamp as criteria give it: Unix epoch milliseconds
// or ISO 8601.
func parseTime(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return t.UnixMilli(), true
}

func suggestOperator(name string) string {
	for op, n := range operatorNames {
		if strings.EqualFold(name, n.member) {
			return fmt.Sprintf(" (did you mean %q?)", Operator(op).String())
		}
	}
	return ""
}

func operatorList() string {
	names := make([]string, 0, len(operatorNames))
	for _, n := range operatorNames {
		names = append(names, n.member)
	}
	return strings.Join(names, ", ")
}

func decodeObject(data []byte, at string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, jsonError(at, "want a JSON object: %s", jsonProblem(err))
	}
	if dec.More() {
		return nil, jsonError(at, "unexpected data after the JSON object")
	}
	if m == nil {
		return nil, jsonError(at, "want a JSON object, got null")
	}
	return m, nil
}

func decodeStrings(raw json.RawMessage, at string) ([]string, error) {
	var vals []any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&vals); err != nil || vals == nil {
		return nil, jsonError(at, "want a list of strings, got %s", describeJSON(raw))
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			return nil, jsonError(fmt.Sprintf("%s[%d]", at, i), "want a string, got %s (values are strings even for numbers and booleans: \"8\", \"false\")", describeValue(v))
		}
		out[i] = s
	}
	return out, nil
}

func decodeInteger(raw json.RawMessage, at string) (int64, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return 0, jsonError(at, "want an integer, got %s", describeJSON(raw))
	}
	num, ok := v.(json.Number)
	if !ok {
		return 0, jsonError(at, "want an integer, got %s", describeValue(v))
	}
	n, err := strconv.ParseInt(num.String(), 10, 64)
	if err != nil {
		return 0, jsonError(at, "want an integer (a Long), got %s", num)
	}
	return n, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func describeJSON(raw json.RawMessage) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "invalid JSON"
	}
	return describeValue(v)
}

func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", x)
	case json.Number:
		return "the number " + x.String()
	case bool:
		return fmt.Sprintf("the boolean %t", x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func jsonProblem(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("%v at offset %d", e, e.Offset)
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("got a JSON %s", e.Value)
	}
	return err.Error()
}

// Conditions returns the criteria's conditions, sorted by attribute.
func (c *Criteria) Conditions() []Condition {
	out := make([]Condition, len(c.conds))
	copy(out, c.conds)
	return out
}

// String renders the criteria in the wire spelling, attributes sorted; Parse
// reads it back to equal criteria.
func (c *Criteria) String() string {
	var b strings.Builder
	b.WriteString(`{"criterion":{`)
	for i, cond := range c.conds {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, cond.Attribute)
		b.WriteString(":{")
		for j, t := range cond.Terms {
			if j > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, t.Operator.WireName())
			b.WriteByte(':')
			if t.Operator.Numeric() {
				b.WriteString(strconv.FormatInt(t.Number, 10))
				continue
			}
			b.WriteByte('[')
			for k, v := range t.Values {
				if k > 0 {
					b.WriteByte(',')
				}
				writeJSONString(&b, v)
			}
			b.WriteByte(']')
		}
		b.WriteByte('}')
	}
	b.WriteString("}}")
	return b.String()
}

func writeJSONString(b *strings.Builder, s string) {
	enc, _ := json.Marshal(s)
	b.Write(enc)
}
