package insights

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

type valueKind uint8

const (
	kNull valueKind = iota
	kStr            // text: discovered fields, string literals, string functions
	kNum            // number; s keeps the literal text when there is one
	kBool           // prints as 0/1 (trap 6)
	kTime           // epoch milliseconds in n; prints like @timestamp
	kList           // from jsonParse / split: c is []any
	kMap            // from jsonParse / parse logfmt: c is *orderedMap
)

// value is one cell during evaluation. It is a small struct passed by value
// so that evaluating an event allocates nothing unless a function builds a
// new string.
type value struct {
	s    string
	n    float64
	c    any
	kind valueKind
}

var nullValue = value{}

func strValue(s string) value  { return value{kind: kStr, s: s} }
func numValue(f float64) value { return value{kind: kNum, n: f} }
func timeValue(ms int64) value { return value{kind: kTime, n: float64(ms)} }
func numberValueText(f float64, text string) value {
	return value{kind: kNum, n: f, s: text}
}
func boolValue(b bool) value {
	if b {
		return value{kind: kBool, n: 1}
	}
	return value{kind: kBool}
}

func (v value) isNull() bool { return v.kind == kNull }

func (v value) isComposite() bool { return v.kind == kList || v.kind == kMap }

// looksNumeric reports whether s is a plain decimal number ("-12", "3.5",
// "1e6"). Numeric-looking text compares numerically (trap 4).
func looksNumeric(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseNumber converts numeric-looking text.
func parseNumber(s string) (float64, bool) {
	if !looksNumeric(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out of range: ParseFloat still returns ±Inf, which is the right order.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// asNumber converts a value for arithmetic and numeric functions.
func (v value) asNumber() (float64, bool) {
	switch v.kind {
	case kNum, kBool, kTime:
		return v.n, true
	case kStr:
		return parseNumber(strings.TrimSpace(v.s))
	}
	return 0, false
}

// asString converts a value for string functions. Maps and lists are null
// to string functions (AWS: "treated as null for string, number, and
// datetime functions").
func (v value) asString() (string, bool) {
	switch v.kind {
	case kStr:
		return v.s, true
	case kNum:
		if v.s != "" {
			return v.s, true
		}
		return formatNumber(v.n), true
	case kBool:
		if v.n != 0 {
			return "1", true
		}
		return "0", true
	case kTime:
		return formatTimestamp(int64(v.n)), true
	}
	return "", false
}

// asTime converts a value for datetime functions: timestamps pass through,
// numbers are epoch milliseconds.
func (v value) asTime() (int64, bool) {
	switch v.kind {
	case kTime:
		return int64(v.n), true
	case kNum, kStr:
		f, ok := v.asNumber()
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, false
		}
		return int64(f), true
	}
	return 0, false
}

// truth evaluates a value as a filter condition: ok is false for null.
func (v value) truth() (b, ok bool) {
	switch v.kind {
	case kNull:
		return false, false
	case kBool, kNum, kTime:
		return v.n != 0 && !math.IsNaN(v.n), true
	case kStr:
		if strings.EqualFold(v.s, "true") {
			return true, true
		}
		if f, ok := parseNumber(v.s); ok {
			return f != 0, true
		}
		return false, true
	}
	return false, true
}

// render produces the result string; ok is false for null, which leaves the
// field out of the row (trap 22).
func (v value) render() (string, bool) {
	switch v.kind {
	case kNull:
		return "", false
	case kList, kMap:
		return jsonStringify(v.c), true
	}
	return v.asString()
}

// formatNumber prints computed numbers: integers without a decimal point,
// other values in the shortest form that round-trips. AWS's exact number
// formatting is undocumented; this is an approximation.
func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e18:
		return strconv.FormatInt(int64(f), 10)
	case math.Abs(f) >= 1e21 || (math.Abs(f) < 1e-7 && f != 0):
		return strconv.FormatFloat(f, 'E', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// compareValues orders two values for comparison operators: numerically
// when both are numbers or numeric-looking text, otherwise as text. ok is
// false when either side is null, a map or a list (comparisons with those
// are false).
func compareValues(a, b value) (int, bool) {
	if a.kind == kNull || b.kind == kNull || a.isComposite() || b.isComposite() {
		return 0, false
	}
	if a.kind == kStr && b.kind == kStr && !maybeNumeric(a.s) && !maybeNumeric(b.s) {
		return strings.Compare(a.s, b.s), true
	}
	if x, ok := a.asNumber(); ok {
		if y, ok := b.asNumber(); ok {
			switch {
			case x < y:
				return -1, true
			case x > y:
				return 1, true
			case x == y:
				return 0, true
			}
			return 0, false // NaN
		}
	}
	as, _ := a.asString()
	bs, _ := b.asString()
	return strings.Compare(as, bs), true
}

// maybeNumeric is a cheap pre-check that rules out most non-numeric text
// without a full scan.
func maybeNumeric(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == ' '
}

func valuesEqual(a, b value) (bool, bool) {
	c, ok := compareValues(a, b)
	return c == 0, ok
}

// orderedMap keeps JSON object keys in document order so jsonStringify
// reproduces the input order.
type orderedMap struct {
	keys []string
	vals map[string]any
}

// jsonStringify renders a decoded JSON structure.
func jsonStringify(x any) string {
	var sb strings.Builder
	writeJSON(&sb, x)
	return sb.String()
}

func writeJSON(sb *strings.Builder, x any) {
	switch x := x.(type) {
	case nil:
		sb.WriteString("null")
	case *orderedMap:
		sb.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			sb.Write(kb)
			sb.WriteByte(':')
			writeJSON(sb, x.vals[k])
		}
		sb.WriteByte('}')
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeJSON(sb, e)
		}
		sb.WriteByte(']')
	case json.Number:
		sb.WriteString(string(x))
	case string:
		b, _ := json.Marshal(x)
		sb.Write(b)
	case bool:
		if x {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case float64:
		sb.WriteString(formatNumber(x))
	default:
		b, _ := json.Marshal(x)
		sb.Write(b)
	}
}

// fromJSON converts a decoded JSON element to a value.
func fromJSON(x any) value {
	switch x := x.(type) {
	case nil:
		return nullValue
	case *orderedMap:
		return value{kind: kMap, c: x}
	case []any:
		return value{kind: kList, c: x}
	case json.Number:
		f, _ := strconv.ParseFloat(string(x), 64)
		return numberValueText(f, string(x))
	case string:
		return strValue(x)
	case bool:
		if x {
			return strValue("true")
		}
		return strValue("false")
	}
	return nullValue
}

// decodeJSONOrdered decodes JSON text keeping object key order.
func decodeJSONOrdered(s string) (any, bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, ok := decodeElem(dec, 0)
	if !ok {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false // trailing data
	}
	return v, true
}

func decodeElem(dec *json.Decoder, depth int) (any, bool) {
	if depth > maxJSONDepth {
		return nil, false
	}
	t, err := dec.Token()
	if err != nil {
		return nil, false
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &orderedMap{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, false
				}
				k, ok := kt.(string)
				if !ok {
					return nil, false
				}
				v, ok := decodeElem(dec, depth+1)
				if !ok {
					return nil, false
				}
				if _, dup := m.vals[k]; !dup {
					m.keys = append(m.keys, k)
				}
				m.vals[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, false
			}
			return m, true
		case '[':
			l := []any{}
			for dec.More() {
				v, ok := decodeElem(dec, depth+1)
				if !ok {
					return nil, false
				}
				l = append(l, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, false
			}
			return l, true
		}
		return nil, false
	default:
		return t, true
	}
}

// Natural sort (AWS's "updated version of natural sorting", §5.6): all
// non-number values come before all number values; numbers compare by
// value (ties by text, so "0" < "01" < "1"); other values compare chunk by
// chunk, where digit runs compare by length and then value, and anything
// else compares by Unicode code point.

// sortClass orders null last after text and numbers.
type sortClass uint8

const (
	classText sortClass = iota
	classNumber
	classNull
)

type sortable struct {
	class sortClass
	n     float64
	s     string
}

func sortableOf(v value) sortable {
	switch v.kind {
	case kNull, kList, kMap:
		return sortable{class: classNull}
	case kNum, kBool, kTime:
		s, _ := v.asString()
		return sortable{class: classNumber, n: v.n, s: s}
	}
	if f, ok := parseNumber(v.s); ok {
		return sortable{class: classNumber, n: f, s: v.s}
	}
	return sortable{class: classText, s: v.s}
}

// compareSortable is the ascending natural order; nulls compare greater
// than everything (the caller keeps them last in both directions).
func compareSortable(a, b sortable) int {
	if a.class != b.class {
		if a.class < b.class {
			return -1
		}
		return 1
	}
	switch a.class {
	case classNull:
		return 0
	case classNumber:
		switch {
		case a.n < b.n:
			return -1
		case a.n > b.n:
			return 1
		}
		// Equal numbers: "0" < "01" < "1" in AWS's example, i.e. by text.
		return strings.Compare(a.s, b.s)
	}
	return naturalCompare(a.s, b.s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// naturalCompare compares two strings chunk-wise as described above.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		da, db := isDigit(a[i]), isDigit(b[j])
		if da && db {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			ca, cb := a[si:i], b[sj:j]
			if len(ca) != len(cb) {
				if len(ca) < len(cb) {
					return -1
				}
				return 1
			}
			if c := strings.Compare(ca, cb); c != 0 {
				return c
			}
			continue
		}
		if da != db {
			// A digit chunk against a non-digit chunk: plain code point order
			// ("2345_" < "@" because '2' < '@').
			if a[i] < b[j] {
				return -1
			}
			return 1
		}
		si, sj := i, j
		for i < len(a) && !isDigit(a[i]) {
			i++
		}
		for j < len(b) && !isDigit(b[j]) {
			j++
		}
		if c := compareCodePoints(a[si:i], b[sj:j]); c != 0 {
			return c
		}
	}
	switch {
	case len(a)-i < len(b)-j:
		return -1
	case len(a)-i > len(b)-j:
		return 1
	}
	return 0
}

// compareCodePoints compares by Unicode code point; for valid UTF-8 this is
// byte order, which strings.Compare already gives.
func compareCodePoints(a, b string) int {
	if utf8.ValidString(a) && utf8.ValidString(b) {
		return strings.Compare(a, b)
	}
	ra, rb := []rune(a), []rune(b)
	for k := 0; k < len(ra) && k < len(rb); k++ {
		if ra[k] != rb[k] {
			if ra[k] < rb[k] {
				return -1
			}
			return 1
		}
	}
	return len(ra) - len(rb)
}
