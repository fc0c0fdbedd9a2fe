package iampolicy

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type opFamily uint8

const (
	famString opFamily = iota
	famStringIgnoreCase
	famStringLike
	famArn
	famNumeric
	famDate
	famBool
	famIP
	famNull
)

type comparison uint8

const (
	cmpEq comparison = iota
	cmpLT
	cmpLTE
	cmpGT
	cmpGTE
)

type operatorSpec struct {
	family  opFamily
	cmp     comparison
	negated bool
}

// operators are the base condition operators (without ForAllValues:/ForAnyValue:
// prefixes or the IfExists suffix). BinaryEquals is deliberately absent: no
// supported key carries binary data.
var operators = map[string]operatorSpec{
	"StringEquals":              {family: famString},
	"StringNotEquals":           {family: famString, negated: true},
	"StringEqualsIgnoreCase":    {family: famStringIgnoreCase},
	"StringNotEqualsIgnoreCase": {family: famStringIgnoreCase, negated: true},
	"StringLike":                {family: famStringLike},
	"StringNotLike":             {family: famStringLike, negated: true},
	"ArnEquals":                 {family: famArn},
	"ArnLike":                   {family: famArn},
	"ArnNotEquals":              {family: famArn, negated: true},
	"ArnNotLike":                {family: famArn, negated: true},
	"NumericEquals":             {family: famNumeric},
	"NumericNotEquals":          {family: famNumeric, negated: true},
	"NumericLessThan":           {family: famNumeric, cmp: cmpLT},
	"NumericLessThanEquals":     {family: famNumeric, cmp: cmpLTE},
	"NumericGreaterThan":        {family: famNumeric, cmp: cmpGT},
	"NumericGreaterThanEquals":  {family: famNumeric, cmp: cmpGTE},
	"DateEquals":                {family: famDate},
	"DateNotEquals":             {family: famDate, negated: true},
	"DateLessThan":              {family: famDate, cmp: cmpLT},
	"DateLessThanEquals":        {family: famDate, cmp: cmpLTE},
	"DateGreaterThan":           {family: famDate, cmp: cmpGT},
	"DateGreaterThanEquals":     {family: famDate, cmp: cmpGTE},
	"Bool":                      {family: famBool},
	"IpAddress":                 {family: famIP},
	"NotIpAddress":              {family: famIP, negated: true},
	"Null":                      {family: famNull},
}

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAllValues
	setForAnyValue
)

// condition is one (operator, key) pair of a Condition block with its values
// compiled for the operator's family.
type condition struct {
	op       operatorSpec
	set      setQualifier
	ifExists bool
	key      string // canonical spelling
	values   []conditionValue
}

type conditionValue struct {
	pattern pattern // string and ARN families
	// arnParts holds ArnEquals/ArnLike values split into the six ARN fields,
	// each matched separately as AWS documents; nil when the value is not a
	// six-field ARN (then only a lone "*" can match).
	arnParts []pattern
	number   float64
	when     time.Time
	prefix   netip.Prefix
	flag     string // Bool and Null: the value as written
	// valid is false when the policy value cannot be read as the operator's
	// type (a number that is not a number, ...). IAM accepts such policies at
	// CreatePolicy; the value then never matches.
	valid bool
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
// Operator names are case-sensitive in AWS.
func parseOperator(name string) (spec operatorSpec, set setQualifier, ifExists, ok bool) {
	base := name
	switch {
	case strings.HasPrefix(base, "ForAllValues:"):
		set = setForAllValues
		base = base[len("ForAllValues:"):]
	case strings.HasPrefix(base, "ForAnyValue:"):
		set = setForAnyValue
		base = base[len("ForAnyValue:"):]
	}
	if s, found := operators[base]; found {
		return s, set, false, !(s.family == famNull && set != setNone)
	}
	if trimmed, found := strings.CutSuffix(base, "IfExists"); found {
		if s, known := operators[trimmed]; known && s.family != famNull {
			return s, set, true, true
		}
	}
	return operatorSpec{}, setNone, false, false
}

// compileConditionValue prepares one policy value. variables is true for
// Version 2012-10-17 policies; AWS substitutes variables in string and ARN
// operators only.
func compileConditionValue(spec operatorSpec, raw string, variables bool) (conditionValue, string) {
	v := conditionValue{valid: true}
	var unknown string
	switch spec.family {
	case famString, famStringIgnoreCase:
		v.pattern, unknown = compilePattern(raw, false, variables)
	case famStringLike:
		v.pattern, unknown = compilePattern(raw, true, variables)
	case famArn:
		v.pattern, unknown = compilePattern(raw, true, variables)
		if fields := strings.SplitN(raw, ":", 6); len(fields) == 6 {
			v.arnParts = make([]pattern, 6)
			for i, f := range fields {
				var u string
				v.arnParts[i], u = compilePattern(f, true, variables)
				if unknown == "" {
					unknown = u
				}
			}
		}
	case famNumeric:
		n, err := strconv.ParseFloat(raw, 64)
		v.number, v.valid = n, err == nil && !math.IsNaN(n)
	case famDate:
		v.when, v.valid = parseDate(raw)
	case famIP:
		v.prefix, v.valid = parseCIDR(raw)
	case famBool, famNull:
		v.flag = raw
	}
	return v, unknown
}

// parseDate accepts the ISO 8601 forms AWS documents for date conditions
// (with or without seconds, fractions and a zone; or a bare date) and epoch
// seconds. Approximation: week dates and ordinal dates are not supported.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) || (s[0] == '-' && isDigits(s[1:])) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02",
	"20060102T150405Z0700",
	"20060102T150405Z",
	"20060102",
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCIDR reads a CIDR or a bare address (a /32 or /128), IPv4 or IPv6.
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// holds evaluates the condition against the request, following AWS's rules:
// several values of one key OR together (NOR for negated operators); an
// absent key makes positive operators false and negated operators true,
// except IfExists (absent is true) and Null; ForAllValues is true for an
// absent or empty key; ForAnyValue is false for one.
func (c *condition) holds(ctx *evalContext) bool {
	values, present := ctx.values(c.key)
	if c.op.family == famNull {
		// Null "true" asks for the key to be absent. AWS treats an empty value
		// like an absent one.
		return c.anyNullValue(!present || len(values) == 0)
	}
	if !present || len(values) == 0 {
		switch {
		case c.ifExists:
			return true
		case c.set == setForAllValues:
			return true
		case c.set == setForAnyValue:
			return false
		default:
			return c.op.negated
		}
	}
	switch c.set {
	case setForAllValues:
		for _, v := range values {
			if c.matchesAny(v, ctx) == c.op.negated {
				return false
			}
		}
		return true
	case setForAnyValue:
		for _, v := range values {
			if c.matchesAny(v, ctx) != c.op.negated {
				return true
			}
		}
		return false
	default:
		// Without a set qualifier AWS compares each request value and the
		// condition holds if any of them matches (for negated operators: if
		// none does).
		matched := false
		for _, v := range values {
			if c.matchesAny(v, ctx) {
				matched = true
				break
			}
		}
		return matched != c.op.negated
	}
}

// anyNullValue evaluates Null: each policy value is "true" (key absent) or
// "false" (key present); several values OR together.
func (c *condition) anyNullValue(absent bool) bool {
	for i := range c.values {
		switch strings.ToLower(c.values[i].flag) {
		case "true":
			if absent {
				return true
			}
		case "false":
			if !absent {
				return true
			}
		}
	}
	return false
}

// matchesAny reports whether the request value matches any policy value under
// the operator's positive form.
func (c *condition) matchesAny(requestValue string, ctx *evalContext) bool {
	switch c.op.family {
	case famNumeric:
		n, err := strconv.ParseFloat(requestValue, 64)
		if err != nil {
			return false
		}
		for i := range c.values {
			if c.values[i].valid && compareFloat(n, c.values[i].number, c.op.cmp) {
				return true
			}
		}
		return false
	case famDate:
		t, ok := parseDate(requestValue)
		if !ok {
			return false
		}
		for i := range c.values {
			if c.values[i].valid && compareTime(t, c.values[i].when, c.op.cmp) {
				return true
			}
		}
		return false
	case famIP:
		a, err := netip.ParseAddr(requestValue)
		if err != nil {
			return false
		}
		a = a.Unmap()
		for i := range c.values {
			if c.values[i].valid && c.values[i].prefix.Contains(a) {
				return true
			}
		}
		return false
	}
	for i := range c.values {
		v := &c.values[i]
		switch c.op.family {
		case famString, famStringLike:
			if v.pattern.match(requestValue, false, ctx) {
				return true
			}
		case famStringIgnoreCase:
			if v.pattern.match(requestValue, true, ctx) {
				return true
			}
		case famArn:
			if matchARN(v, requestValue, ctx) {
				return true
			}
		case famBool:
			if strings.EqualFold(v.flag, requestValue) {
				return true
			}
		}
	}
	return false
}

// matchARN compares the six colon-separated ARN fields separately, so a
// wildcard in one field cannot swallow a colon of another, as AWS documents
// for the Arn operators. The last field (the resource) keeps its own colons.
func matchARN(v *conditionValue, arn string, ctx *evalContext) bool {
	if v.arnParts == nil {
		return v.pattern.any
	}
	rest := arn
	for i := 0; i < 5; i++ {
		colon := strings.IndexByte(rest, ':')
		if colon < 0 {
			return false
		}
		if !v.arnParts[i].match(rest[:colon], false, ctx) {
			return false
		}
		rest = rest[colon+1:]
	}
	return v.arnParts[5].match(rest, false, ctx)
}

func compareFloat(request, policy float64, cmp comparison) bool {
	switch cmp {
	case cmpLT:
		return request < policy
	case cmpLTE:
		return request <= policy
	case cmpGT:
		return request > policy
	case cmpGTE:
		return request >= policy
	}
	return request == policy
}

func compareTime(request, policy time.Time, cmp comparison) bool {
	switch cmp {
	case cmpLT:
		return request.Before(policy)
	case cmpLTE:
		return !request.After(policy)
	case cmpGT:
		return request.After(policy)
	case cmpGTE:
		return !request.Before(policy)
	}
	return request.Equal(policy)
}
