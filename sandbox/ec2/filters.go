package ec2

import (
	"encoding/base64"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/irdrill/irdrill/sandbox/api"
)

// filter is one Filter.N of a Describe* request: the resource matches when
// any of its values for name matches any pattern.
type filter struct {
	name     string
	patterns []string
}

// filters is the conjunction of a request's filters.
type filters []filter

// parseFilters reads Filter.N.Name / Filter.N.Value.M and rejects names the
// resource does not support, as AWS does. tag:<key>, tag-key and tag-value
// are accepted wherever the resource has tags (known["tag"]).
func parseFilters(p *api.Params, known map[string]bool) (filters, error) {
	var out filters
	for _, f := range p.Structs("Filter") {
		name := f.Get("Name")
		if name == "" {
			return nil, api.Errorf("InvalidParameterValue", "The filter 'null' is invalid")
		}
		supported := known[name]
		if !supported && known["tag"] && (strings.HasPrefix(name, "tag:") && len(name) > 4 || name == "tag-key" || name == "tag-value") {
			supported = true
		}
		if !supported {
			return nil, api.Errorf("InvalidParameterValue", "The filter '%s' is invalid", name)
		}
		values := f.List("Value")
		if len(values) == 0 {
			// AWS rejects a filter without values.
			return nil, api.Errorf("InvalidParameterValue", "The filter '%s' requires at least one value", name)
		}
		out = append(out, filter{name: name, patterns: values})
	}
	return out, nil
}

// valuesFunc returns a resource's values for one filter name.
type valuesFunc func(name string) []string

// match reports whether a resource passes every filter.
func (fs filters) match(values valuesFunc) bool {
	for _, f := range fs {
		if !anyMatch(f.patterns, values(f.name)) {
			return false
		}
	}
	return true
}

func anyMatch(patterns, values []string) bool {
	for _, v := range values {
		for _, p := range patterns {
			if wildcardMatch(p, v) {
				return true
			}
		}
	}
	return false
}

// wildcardMatch matches EC2 filter values: '*' matches any run of
// characters, '?' exactly one, and a backslash makes the next character
// literal. Matching is case-sensitive. It runs in O(len(pattern) *
// len(value)) time with the classic single-backtrack algorithm, so hostile
// patterns cannot make it explode.
func wildcardMatch(pattern, value string) bool {
	// Most patterns are literal (tag:env=prod, an instance ID); compare
	// those without converting to runes. Invalid UTF-8 decodes every bad
	// byte to U+FFFD, so unequal invalid strings may still match and take
	// the general path.
	if !strings.ContainsAny(pattern, `*?\`) {
		if pattern == value {
			return true
		}
		if utf8.ValidString(pattern) && utf8.ValidString(value) {
			return false
		}
	}
	p := []rune(pattern)
	v := []rune(value)
	pi, vi := 0, 0
	starP, starV := -1, 0
	for vi < len(v) {
		if pi < len(p) {
			switch c := p[pi]; {
			case c == '*':
				starP, starV = pi, vi
				pi++
				continue
			case c == '?':
				pi++
				vi++
				continue
			case c == '\\' && pi+1 < len(p):
				if p[pi+1] == v[vi] {
					pi += 2
					vi++
					continue
				}
			case c == v[vi]:
				pi++
				vi++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starV++
		pi, vi = starP+1, starV
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// tagValues answers the tag filters for a resource's tags.
func tagValues(name string, tags map[string]string) ([]string, bool) {
	switch {
	case name == "tag-key":
		out := make([]string, 0, len(tags))
		for k := range tags {
			out = append(out, k)
		}
		return out, true
	case name == "tag-value":
		out := make([]string, 0, len(tags))
		for _, v := range tags {
			out = append(out, v)
		}
		return out, true
	case strings.HasPrefix(name, "tag:"):
		if v, ok := tags[name[4:]]; ok {
			return []string{v}, true
		}
		return nil, true
	}
	return nil, false
}

func boolString(b bool) string { return strconv.FormatBool(b) }

// page is a request's MaxResults/NextToken window.
type page struct {
	start, size int // size 0: everything
}

// parsePage reads MaxResults and NextToken. min and max bound MaxResults
// as the action documents them.
func parsePage(p *api.Params, min, max int) (page, error) {
	var pg page
	n, sent, err := p.Int("MaxResults")
	if err != nil {
		return pg, err
	}
	if sent {
		if n < int64(min) || n > int64(max) {
			return pg, api.Errorf("InvalidParameterValue", "Value ( %d ) for parameter maxResults is invalid. Expecting a value between %d and %d.", n, min, max)
		}
		pg.size = int(n)
	}
	if tok, ok := p.Lookup("NextToken"); ok && tok != "" {
		start, err := decodeToken(tok)
		if err != nil {
			return pg, err
		}
		pg.start = start
	}
	return pg, nil
}

// paginate cuts items to the page and returns the token for the next page
// ("" on the last page).
func paginate[T any](pg page, items []T) (pageItems []T, next string) {
	from, to := min(pg.start, len(items)), len(items)
	if pg.size > 0 && from+pg.size < to {
		to = from + pg.size
		next = encodeToken(to)
	}
	return items[from:to], next
}

// Tokens are opaque to clients; the sandbox encodes the offset of the next
// item. A list that changes between pages may skip or repeat items, which
// AWS also does not promise to avoid.
func encodeToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("ec2-page:" + strconv.Itoa(offset)))
}

func decodeToken(tok string) (int, error) {
	bad := api.Errorf("InvalidPaginationToken", "The specified pagination token is not valid: %s", tok)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	rest, found := strings.CutPrefix(string(raw), "ec2-page:")
	if !found {
		return 0, bad
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 {
		return 0, bad
	}
	return n, nil
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
