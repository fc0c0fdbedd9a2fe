package filterpattern

import (
	"fmt"
	"strconv"
	"strings"
)

// This file holds what JSON and space-delimited patterns share: the
// comparison values, the operators, and the && / || / () expression parser.

type operator int

const (
	opEq operator = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opIsNull
	opIsTrue
	opIsFalse
	opNotExists
)

var operatorText = [...]string{
	opEq: "=", opNe: "!=", opLt: "<", opLe: "<=", opGt: ">", opGe: ">=",
	opIsNull: "IS NULL", opIsTrue: "IS TRUE", opIsFalse: "IS FALSE", opNotExists: "NOT EXISTS",
}

func (o operator) String() string { return operatorText[o] }

type valueKind int

const (
	valString valueKind = iota // exact text, or text with * wildcards at its ends
	valNumber                  // unquoted number, compared numerically
	valRegex
)

// value is the right-hand side of a comparison.
type value struct {
	kind valueKind
	text string // string content (unescaped) or number literal
	// For strings: AWS's wildcard rule (F21) is that '*' is a wildcard only
	// at the start or end of a value ("Ev*ent will only match the actual
	// string Ev*ent"); core is the text between the wildcards.
	leadingStar, trailingStar bool
	core                      string
	num                       number
	re                        *filterRegex
}

func (v *value) hasWildcard() bool {
	return v.kind == valString && (v.leadingStar || v.trailingStar)
}

// matchText applies a string or regex value to text.
func (v *value) matchText(s string) bool {
	if v.kind == valRegex {
		return v.re.match(s)
	}
	switch {
	case v.leadingStar && v.trailingStar:
		return strings.Contains(s, v.core)
	case v.leadingStar:
		return strings.HasSuffix(s, v.core)
	case v.trailingStar:
		return strings.HasPrefix(s, v.core)
	}
	return s == v.core
}

func (v *value) String() string {
	switch v.kind {
	case valNumber:
		return v.text
	case valRegex:
		return v.re.String()
	}
	return quote(v.text)
}

// quote writes s in double quotes, escaping the two characters that the
// parser treats specially inside quotes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// number keeps integers exact so that large identifiers compare precisely
// (AWS: "The metric filter syntax supports precise matching on numeric
// comparisons"); everything else is compared as float64.
type number struct {
	f     float64
	i     int64
	isInt bool
}

// parseNumber accepts the grammar AWS documents: an integer or decimal with
// an optional sign, optionally followed by e/E and a signed integer. It
// rejects what strconv would otherwise accept (Inf, NaN, hex, underscores).
func parseNumber(s string) (number, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits, fracDigits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	isInt := true
	if i < len(s) && s[i] == '.' {
		isInt = false
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			fracDigits++
		}
	}
	if digits+fracDigits == 0 {
		return number{}, false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		isInt = false
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			expDigits++
		}
		if expDigits == 0 {
			return number{}, false
		}
	}
	if i != len(s) {
		return number{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && f == 0 {
		// Out-of-range values come back as ±Inf with an error, which still
		// orders correctly; anything else is not a number.
		return number{}, false
	}
	n := number{f: f}
	if isInt {
		if iv, err := strconv.ParseInt(s, 10, 64); err == nil {
			n.i, n.isInt = iv, true
		}
	}
	return n, true
}

func compareNumbers(a, b number) int {
	if a.isInt && b.isInt {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	switch {
	case a.f < b.f:
		return -1
	case a.f > b.f:
		return 1
	}
	return 0
}

func (o operator) holds(cmp int) bool {
	switch o {
	case opEq:
		return cmp == 0
	case opNe:
		return cmp != 0
	case opLt:
		return cmp < 0
	case opLe:
		return cmp <= 0
	case opGt:
		return cmp > 0
	case opGe:
		return cmp >= 0
	}
	return false
}

// condition is one comparison. For JSON patterns sel is set; for
// space-delimited patterns field names the slot's field.
type condition struct {
	at    int // byte offset in the pattern, for errors found after parsing
	sel   *selector
	field string
	op    operator
	val   value
	slot  int // JSON patterns: the condition's index in jsonMatcher.conds
}

func (c *condition) String() string {
	lhs := c.field
	if c.sel != nil {
		lhs = c.sel.String()
	}
	if c.op >= opIsNull {
		return lhs + " " + c.op.String()
	}
	return lhs + " " + c.op.String() + " " + c.val.String()
}

type nodeKind int

const (
	nodeCond nodeKind = iota
	nodeAnd
	nodeOr
)

// node is a boolean expression tree; AWS's precedence is () > && > ||.
type node struct {
	kind nodeKind
	kids []*node
	cond *condition
}

func (n *node) eval(test func(*condition) bool) bool {
	switch n.kind {
	case nodeAnd:
		for _, k := range n.kids {
			if !k.eval(test) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, k := range n.kids {
			if k.eval(test) {
				return true
			}
		}
		return false
	}
	return test(n.cond)
}

func (n *node) walk(visit func(*condition)) {
	if n.kind == nodeCond {
		visit(n.cond)
		return
	}
	for _, k := range n.kids {
		k.walk(visit)
	}
}

func (n *node) String() string {
	switch n.kind {
	case nodeAnd:
		parts := make([]string, len(n.kids))
		for i, k := range n.kids {
			parts[i] = k.String()
			if k.kind == nodeOr {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return strings.Join(parts, " && ")
	case nodeOr:
		parts := make([]string, len(n.kids))
		for i, k := range n.kids {
			parts[i] = k.String()
		}
		return strings.Join(parts, " || ")
	}
	return n.cond.String()
}

// exprParser parses the condition language of JSON patterns (json true) and
// of space-delimited slots (json false). end is the byte offset its input
// stops at.
type exprParser struct {
	src     string
	pos     int
	end     int
	json    bool
	depth   int
	regexes *int // shared across the whole pattern, for the quota
}

func (p *exprParser) errorf(off int, format string, args ...any) error {
	return newSyntaxError(p.src, off, tokenAt(p.src, off), fmt.Sprintf(format, args...))
}

func (p *exprParser) skip() { p.pos = skipSpace(p.src[:p.end], p.pos) }

func (p *exprParser) peek(s string) bool { return strings.HasPrefix(p.src[p.pos:p.end], s) }

func (p *exprParser) parseOr() (*node, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for p.skip(); p.peek("||"); p.skip() {
		p.pos += 2
		k, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &node{kind: nodeOr, kids: kids}, nil
}

func (p *exprParser) parseAnd() (*node, error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for p.skip(); p.peek("&&"); p.skip() {
		p.pos += 2
		k, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	// Flatten (a && b) && c so String prints without redundant parentheses.
	var flat []*node
	for _, k := range kids {
		if k.kind == nodeAnd {
			flat = append(flat, k.kids...)
		} else {
			flat = append(flat, k)
		}
	}
	return &node{kind: nodeAnd, kids: flat}, nil
}

func (p *exprParser) parseUnary() (*node, error) {
	p.skip()
	if p.pos >= p.end {
		return nil, p.errorf(p.pos, "expected a condition")
	}
	if p.src[p.pos] != '(' {
		return p.parseCondition()
	}
	open := p.pos
	if p.depth >= maxNesting {
		return nil, p.errorf(open, "parentheses nested more than %d deep", maxNesting)
	}
	p.depth++
	p.pos++
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skip()
	if !p.peek(")") {
		if p.pos >= p.end {
			return nil, p.errorf(open, "unclosed '('")
		}
		return nil, p.errorf(p.pos, "expected ')' or an operator (&& or ||)")
	}
	p.pos++
	p.depth--
	return n, nil
}

func (p *exprParser) parseCondition() (*node, error) {
	c := &condition{at: p.pos}
	if p.json {
		sel, err := p.parseSelector()
		if err != nil {
			return nil, err
		}
		c.sel = sel
	} else {
		name, err := p.parseFieldName()
		if err != nil {
			return nil, err
		}
		c.field = name
	}
	p.skip()
	opAt := p.pos
	switch {
	case p.peek("!="):
		c.op, p.pos = opNe, p.pos+2
	case p.peek("<="):
		c.op, p.pos = opLe, p.pos+2
	case p.peek(">="):
		c.op, p.pos = opGe, p.pos+2
	case p.peek("=="):
		return nil, p.errorf(opAt, "'==' is not an operator; use '='")
	case p.peek("="):
		c.op, p.pos = opEq, p.pos+1
	case p.peek("<"):
		c.op, p.pos = opLt, p.pos+1
	case p.peek(">"):
		c.op, p.pos = opGt, p.pos+1
	default:
		if p.json {
			if err := p.parseKeywordTest(c); err != nil {
				return nil, err
			}
			return &node{kind: nodeCond, cond: c}, nil
		}
		return nil, p.errorf(opAt, "expected ',' or an operator (=, !=, <, <=, >, >=) after field %q", c.field)
	}
	p.skip()
	valAt := p.pos
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	if c.op != opEq && c.op != opNe && v.kind != valNumber {
		return nil, p.errorf(valAt, "operator %s needs a number", c.op)
	}
	c.val = v
	return &node{kind: nodeCond, cond: c}, nil
}

// parseKeywordTest reads IS NULL / IS TRUE / IS FALSE / NOT EXISTS. Keywords
// are accepted in any letter case; AWS only ever writes them in capitals and
// does not say whether others are accepted.
func (p *exprParser) parseKeywordTest(c *condition) error {
	at := p.pos
	word := p.readWord()
	switch strings.ToUpper(word) {
	case "IS":
		p.skip()
		at2 := p.pos
		switch w := strings.ToUpper(p.readWord()); w {
		case "NULL":
			c.op = opIsNull
		case "TRUE":
			c.op = opIsTrue
		case "FALSE":
			c.op = opIsFalse
		case "NOT":
			// AWS: "The variables IS NOT and EXISTS currently aren't supported."
			return p.errorf(at, "IS NOT is not supported; use != or NOT EXISTS")
		default:
			return p.errorf(at2, "expected NULL, TRUE or FALSE after IS")
		}
	case "NOT":
		p.skip()
		at2 := p.pos
		if strings.ToUpper(p.readWord()) != "EXISTS" {
			return p.errorf(at2, "expected EXISTS after NOT")
		}
		c.op = opNotExists
	case "EXISTS":
		return p.errorf(at, "EXISTS is not supported; use = * to require a value, or NOT EXISTS")
	default:
		return p.errorf(at, "expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS) after %s", c.sel)
	}
	return nil
}

func (p *exprParser) readWord() string {
	start := p.pos
	for p.pos < p.end && isWordByte(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *exprParser) parseFieldName() (string, error) {
	at := p.pos
	name := p.readWord()
	if name == "" {
		return "", p.errorf(at, "expected a field name")
	}
	if !isFieldName(name) {
		return "", p.errorf(at, "field name %q must start with a letter or underscore", name)
	}
	return name, nil
}

func isFieldName(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	return true
}

// isBareValueByte lists what an unquoted value may contain. AWS: strings with
// anything but letters, digits and '_' must be quoted, yet its own examples
// leave '.', '*', '+' and '-' unquoted (123.123.*, *.html*, 1e+3, -1), so
// those are accepted as well.
func isBareValueByte(c byte) bool {
	return isWordByte(c) || c == '.' || c == '*' || c == '+' || c == '-'
}

func (p *exprParser) parseValue() (value, error) {
	at := p.pos
	if p.pos >= p.end {
		return value{}, p.errorf(p.pos, "expected a value")
	}
	switch p.src[p.pos] {
	case '"':
		text, next, err := readQuoted(p.src, p.pos, p.end)
		if err != nil {
			return value{}, err
		}
		p.pos = next
		return stringValue(text), nil
	case '%':
		closeAt := strings.IndexByte(p.src[p.pos+1:p.end], '%')
		if closeAt < 0 {
			return value{}, p.errorf(at, "unterminated regex: missing closing %%")
		}
		body := p.src[p.pos+1 : p.pos+1+closeAt]
		if *p.regexes >= maxRegexPerPattern {
			return value{}, p.errorf(at, "more than %d regular expressions in one filter pattern", maxRegexPerPattern)
		}
		*p.regexes++
		re, err := compileRegex(p.src, p.pos+1, body)
		if err != nil {
			return value{}, err
		}
		p.pos += closeAt + 2
		return value{kind: valRegex, re: re}, nil
	}
	for p.pos < p.end && isBareValueByte(p.src[p.pos]) {
		p.pos++
	}
	text := p.src[at:p.pos]
	if text == "" {
		return value{}, p.errorf(at, "expected a value; text other than letters, digits and _ must be in double quotes")
	}
	if p.pos < p.end && !isSpace(p.src[p.pos]) && !strings.ContainsRune(",])}&|", rune(p.src[p.pos])) {
		return value{}, p.errorf(p.pos, "unquoted value %q is followed by %q; values containing it must be in double quotes", text, tokenAt(p.src, p.pos))
	}
	if n, ok := parseNumber(text); ok {
		return value{kind: valNumber, text: text, num: n}, nil
	}
	return stringValue(text), nil
}

// stringValue makes a string value. Quoting does not change its meaning
// except that a quoted number is a string: AWS's { $.eventType = "*" } shows
// that '*' is a wildcard inside quotes too.
func stringValue(text string) value {
	v := value{kind: valString, text: text, core: text}
	if strings.HasPrefix(v.core, "*") {
		v.leadingStar = true
		v.core = v.core[1:]
	}
	if strings.HasSuffix(v.core, "*") {
		v.trailingStar = true
		v.core = v.core[:len(v.core)-1]
	}
	return v
}

// readQuoted reads a double-quoted string starting at src[start] == '"'.
// AWS does not document escapes inside quotes; here a backslash makes the
// next character literal, so \" puts a quote inside a phrase.
func readQuoted(src string, start, end int) (string, int, error) {
	var b strings.Builder
	for i := start + 1; i < end; i++ {
		switch src[i] {
		case '\\':
			if i+1 < end {
				i++
			}
			b.WriteByte(src[i])
		case '"':
			return b.String(), i + 1, nil
		default:
			b.WriteByte(src[i])
		}
	}
	return "", 0, newSyntaxError(src, start, `"`, "unterminated quoted string")
}
