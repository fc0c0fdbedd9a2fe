package api

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// maxListIndex bounds the index of a list member. AWS's largest lists
// (DescribeInstances filters, tag sets) stay far below it; the bound keeps a
// hostile request from making the sandbox sort millions of indexes.
const maxListIndex = 10000

// Params is a view of query-protocol form parameters. Nested members use
// AWS's dotted names: "Filter.1.Value.2" in EC2, "Tags.member.1.Key" in
// IAM. A Params returned by Struct or Structs is a view rooted at a prefix.
type Params struct {
	values map[string]string
	prefix string // "" or "Filter.1."
}

// ParseParams decodes a form-encoded body (or raw query string). It returns
// a MalformedQueryString error naming the offending part when the encoding
// is invalid.
func ParseParams(raw string) (*Params, error) {
	values, err := url.ParseQuery(raw)
	if err != nil {
		return nil, Errorf("MalformedQueryString", "The query string is malformed: %s", err.Error())
	}
	return ParamsFromValues(values), nil
}

// ParamsFromValues builds Params from already decoded values; when a key
// repeats, the first value wins, as AWS's query parsers do.
func ParamsFromValues(values url.Values) *Params {
	flat := make(map[string]string, len(values))
	for k, v := range values {
		if len(v) > 0 {
			flat[k] = v[0]
		}
	}
	return &Params{values: flat}
}

// Has reports whether the parameter was sent (even empty).
func (p *Params) Has(name string) bool {
	_, ok := p.values[p.prefix+name]
	return ok
}

// Get returns the parameter's value, or "" when it was not sent.
func (p *Params) Get(name string) string { return p.values[p.prefix+name] }

// Lookup returns the value and whether it was sent.
func (p *Params) Lookup(name string) (string, bool) {
	v, ok := p.values[p.prefix+name]
	return v, ok
}

// Int parses an integer parameter. ok is false when it was not sent.
func (p *Params) Int(name string) (n int64, ok bool, err error) {
	v, ok := p.Lookup(name)
	if !ok {
		return 0, false, nil
	}
	n, perr := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if perr != nil {
		return 0, true, Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected an integer.", v, p.prefix+name)
	}
	return n, true, nil
}

// Bool parses a boolean parameter ("true"/"false", any case).
func (p *Params) Bool(name string) (b bool, ok bool, err error) {
	v, ok := p.Lookup(name)
	if !ok {
		return false, false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, Errorf("InvalidParameterValue", "Value (%s) for parameter %s is invalid. Expected a boolean.", v, p.prefix+name)
}

// List returns the scalar members name.1, name.2, … in index order.
// For IAM-style lists pass "Name.member".
func (p *Params) List(name string) []string {
	idx := p.indexes(name, false)
	out := make([]string, 0, len(idx))
	for _, i := range idx {
		out = append(out, p.values[p.prefix+name+"."+strconv.Itoa(i)])
	}
	return out
}

// Structs returns views of the structure members name.1.*, name.2.*, … in
// index order.
func (p *Params) Structs(name string) []*Params {
	idx := p.indexes(name, true)
	out := make([]*Params, 0, len(idx))
	for _, i := range idx {
		out = append(out, &Params{values: p.values, prefix: p.prefix + name + "." + strconv.Itoa(i) + "."})
	}
	return out
}

// Struct returns the view of name.*.
func (p *Params) Struct(name string) *Params {
	return &Params{values: p.values, prefix: p.prefix + name + "."}
}

// Keys returns the parameter names under this view, sorted.
func (p *Params) Keys() []string {
	var keys []string
	for k := range p.values {
		if strings.HasPrefix(k, p.prefix) {
			keys = append(keys, k[len(p.prefix):])
		}
	}
	sort.Strings(keys)
	return keys
}

// indexes finds the member indexes under name. nested selects members that
// are structures (name.N.field) rather than scalars (name.N).
func (p *Params) indexes(name string, nested bool) []int {
	base := p.prefix + name + "."
	seen := map[int]bool{}
	for k := range p.values {
		rest, ok := strings.CutPrefix(k, base)
		if !ok {
			continue
		}
		num, tail, hasTail := strings.Cut(rest, ".")
		if hasTail != nested || (nested && tail == "") {
			continue
		}
		i, err := strconv.Atoi(num)
		if err != nil || i < 1 || i > maxListIndex || strconv.Itoa(i) != num {
			continue
		}
		seen[i] = true
	}
	out := make([]int, 0, len(seen))
	for i := range seen {
		out = append(out, i)
	}
	sort.Ints(out)
	return out
}

// Tree converts the view into nested maps and slices with lowerCamel keys,
// the way CloudTrail renders requestParameters of query-protocol calls that
// have no more specific shape. "member" levels are folded away.
func (p *Params) Tree() map[string]any {
	root := map[string]any{}
	for _, key := range p.Keys() {
		if key == "Action" || key == "Version" {
			continue
		}
		insertPath(root, strings.Split(key, "."), p.values[p.prefix+key])
	}
	// The root stays an object even when every name is a number.
	for k, child := range root {
		root[k] = normalizeTree(child)
	}
	return root
}

func insertPath(node map[string]any, path []string, value string) {
	var parts []string
	for _, s := range path {
		if s != "member" && s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return
	}
	cur := node
	for i, part := range parts {
		name := part
		if _, err := strconv.Atoi(part); err != nil {
			name = lowerFirst(part)
		}
		if i == len(parts)-1 {
			if _, exists := cur[name]; !exists {
				cur[name] = value
			}
			return
		}
		next, ok := cur[name].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[name] = next
		}
		cur = next
	}
}

// normalizeTree turns maps whose keys are all list indexes into slices.
func normalizeTree(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	allIndexes := len(m) > 0
	for k, child := range m {
		m[k] = normalizeTree(child)
		if _, err := strconv.Atoi(k); err != nil {
			allIndexes = false
		}
	}
	if !allIndexes {
		return m
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		i, _ := strconv.Atoi(k)
		keys = append(keys, i)
	}
	sort.Ints(keys)
	list := make([]any, 0, len(keys))
	for _, i := range keys {
		list = append(list, m[strconv.Itoa(i)])
	}
	return list
}
