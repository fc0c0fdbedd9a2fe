package findingcriteria

import (
	"fmt"
	"sort"
	"strings"
)

// SortCriteria orders findings, as ListFindings' and GetFindings'
// sortCriteria do.
type SortCriteria struct {
	// AttributeName is any finding attribute path, e.g. "severity" or
	// "updatedAt".
	AttributeName string
	// OrderBy is "ASC" or "DESC"; empty means ASC.
	OrderBy string
}

// ParseSortCriteria parses a SortCriteria in either spelling
// ({"AttributeName":…,"OrderBy":…} or the wire's attributeName/orderBy).
// Any error is an *Error.
func ParseSortCriteria(data []byte) (*SortCriteria, error) {
	top, err := decodeObject(data, "")
	if err != nil {
		return nil, err
	}
	sc := &SortCriteria{}
	for k, v := range top {
		if isNull(v) {
			continue
		}
		var s string
		switch k {
		case "AttributeName", "attributeName", "OrderBy", "orderBy":
			vals, err := decodeStrings(append(append([]byte{'['}, v...), ']'), k)
			if err != nil {
				return nil, err
			}
			s = vals[0]
		default:
			return nil, jsonError("", "unknown member %q of SortCriteria; it has AttributeName and OrderBy", k)
		}
		if strings.EqualFold(k, "attributeName") {
			sc.AttributeName = s
		} else {
			sc.OrderBy = s
		}
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return sc, nil
}

// Validate checks OrderBy (the model's enum) and the attribute path's shape.
func (sc *SortCriteria) Validate() error {
	if sc == nil {
		return nil
	}
	switch sc.OrderBy {
	case "", "ASC", "DESC":
	default:
		return jsonError("OrderBy", "%q is not ASC or DESC", sc.OrderBy)
	}
	if sc.AttributeName != "" && !validPath(sc.AttributeName) {
		return valueError("AttributeName", "%q is not an attribute path", sc.AttributeName)
	}
	return nil
}

// Sort orders findings in place by the criteria, stably. Values compare as
// numbers when both are numbers, as times when the attribute is a
// timestamp, otherwise as text; an attribute with several values sorts by
// its first. Findings without the attribute go last in both orders. A nil
// criteria or one without an attribute leaves the order alone.
func Sort(findings []Finding, sc *SortCriteria) {
	if sc == nil || sc.AttributeName == "" {
		return
	}
	_, kind, _ := Attribute(sc.AttributeName)
	if kind == KindString && isTimeAttribute(sc.AttributeName) {
		kind = KindTime
	}
	desc := sc.OrderBy == "DESC"
	type keyed struct {
		has bool
		num float64
		isN bool
		txt string
	}
	keys := make([]keyed, len(findings))
	for i, f := range findings {
		vals := f.Values(sc.AttributeName)
		if len(vals) == 0 {
			continue
		}
		k := keyed{has: true, txt: text(vals[0])}
		if kind == KindTime || kind == KindNumber {
			k.num, k.isN = number(vals[0], kind)
		} else if _, isStr := vals[0].(string); !isStr {
			k.num, k.isN = number(vals[0], kind)
		}
		keys[i] = k
	}
	idx := make([]int, len(findings))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ka, kb := keys[idx[a]], keys[idx[b]]
		if !ka.has || !kb.has {
			return ka.has && !kb.has
		}
		var c int
		if ka.isN && kb.isN {
			c = cmpFloat(ka.num, kb.num)
		} else {
			c = strings.Compare(ka.txt, kb.txt)
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	sorted := make([]Finding, len(findings))
	for i, j := range idx {
		sorted[i] = findings[j]
	}
	copy(findings, sorted)
}

// isTimeAttribute recognises the finding's timestamps that criteria cannot
// filter on but results can be sorted by.
func isTimeAttribute(path string) bool {
	switch path {
	case "createdAt", "service.eventFirstSeen", "service.eventLastSeen":
		return true
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String renders the sort criteria in the wire spelling.
func (sc *SortCriteria) String() string {
	var b strings.Builder
	b.WriteString("{")
	sep := ""
	if sc.AttributeName != "" {
		b.WriteString(`"attributeName":`)
		writeJSONString(&b, sc.AttributeName)
		sep = ","
	}
	if sc.OrderBy != "" {
		fmt.Fprintf(&b, `%s"orderBy":%q`, sep, sc.OrderBy)
	}
	b.WriteString("}")
	return b.String()
}
