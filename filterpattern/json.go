package filterpattern

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Wildcard quotas AWS documents for JSON patterns: "You can only use up to one
// wildcard selector in a property selector, and up to three wildcard
// selectors in a filter pattern with compound expressions."
const (
	maxWildcardsPerSelector = 1
	maxWildcardsPerPattern  = 3
)

type stepKind int

const (
	stepKey        stepKind = iota // .name or ['name']
	stepIndex                      // [N]
	stepAnyElement                 // [*]
	stepAnyField                   // .*
)

type step struct {
	kind      stepKind
	key       string
	index     int
	bracketed bool // key written as ['...'], e.g. because it contains a '.'
}

// selector is a property selector such as $.users[0].email.
type selector struct {
	steps []step
}

func (s *selector) String() string {
	var b strings.Builder
	b.WriteByte('$')
	for _, st := range s.steps {
		switch st.kind {
		case stepKey:
			if st.bracketed || !isSelectorName(st.key) {
				b.WriteString(".['")
				for i := 0; i < len(st.key); i++ {
					if st.key[i] == '\'' || st.key[i] == '\\' {
						b.WriteByte('\\')
					}
					b.WriteByte(st.key[i])
				}
				b.WriteString("']")
			} else {
				b.WriteByte('.')
				b.WriteString(st.key)
			}
		case stepIndex:
			fmt.Fprintf(&b, "[%d]", st.index)
		case stepAnyElement:
			b.WriteString("[*]")
		case stepAnyField:
			b.WriteString(".*")
		}
	}
	return b.String()
}

func (s *selector) wildcards() int {
	n := 0
	for _, st := range s.steps {
		if st.kind == stepAnyElement || st.kind == stepAnyField {
			n++
		}
	}
	return n
}

// isSelectorName: AWS: "Property selectors are alphanumeric strings that
// support hyphen ("-") and underscore ("_") characters."
func isSelectorName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func (p *exprParser) parseSelector() (*selector, error) {
	at := p.pos
	if !p.peek("$") {
		return nil, p.errorf(at, "expected a property selector starting with \"$.\"")
	}
	p.pos++
	sel := &selector{}
	for p.pos < p.end {
		c := p.src[p.pos]
		if c == '.' && p.pos+1 < p.end && p.src[p.pos+1] == '[' {
			// $.['cluster.name'], AWS's form for keys containing a period.
			p.pos++
			continue
		}
		switch c {
		case '.':
			p.pos++
			if p.peek("*") {
				p.pos++
				sel.steps = append(sel.steps, step{kind: stepAnyField})
				continue
			}
			start := p.pos
			for p.pos < p.end && (isWordByte(p.src[p.pos]) || p.src[p.pos] == '-') {
				p.pos++
			}
			if p.pos == start {
				return nil, p.errorf(p.pos, "expected a property name after '.'; names other than letters, digits, - and _ need the form ['name']")
			}
			sel.steps = append(sel.steps, step{kind: stepKey, key: p.src[start:p.pos]})
		case '[':
			st, err := p.parseBracketStep()
			if err != nil {
				return nil, err
			}
			sel.steps = append(sel.steps, st)
		default:
			goto done
		}
	}
done:
	if p.pos < p.end && !isSpace(p.src[p.pos]) && strings.IndexByte("=!<>)", p.src[p.pos]) < 0 {
		return nil, p.errorf(p.pos, "unexpected character in property selector; property names other than letters, digits, - and _ need the form ['name']")
	}
	if len(sel.steps) == 0 {
		return nil, p.errorf(at, "property selector must name a property, as in $.name")
	}
	if sel.steps[0].kind == stepIndex || sel.steps[0].kind == stepAnyElement {
		// F21: "Array elements are denoted with [NUMBER] syntax, and must
		// follow a property."
		return nil, p.errorf(at+1, "an array index must follow a property, as in $.name[0]")
	}
	if sel.wildcards() > maxWildcardsPerSelector {
		return nil, p.errorf(at, "only %d wildcard is allowed in a property selector", maxWildcardsPerSelector)
	}
	return sel, nil
}

func (p *exprParser) parseBracketStep() (step, error) {
	open := p.pos
	p.pos++
	if p.pos >= p.end {
		return step{}, p.errorf(open, "unclosed '['")
	}
	var st step
	switch c := p.src[p.pos]; {
	case c == '*':
		p.pos++
		st = step{kind: stepAnyElement}
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < p.end && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		n, err := strconv.Atoi(p.src[start:p.pos])
		if err != nil || n > 1<<20 {
			return step{}, p.errorf(start, "array index %s is too large", p.src[start:p.pos])
		}
		st = step{kind: stepIndex, index: n}
	case c == '\'' || c == '"':
		var b strings.Builder
		i := p.pos + 1
		for ; i < p.end && p.src[i] != c; i++ {
			if p.src[i] == '\\' && i+1 < p.end {
				i++
			}
			b.WriteByte(p.src[i])
		}
		if i >= p.end {
			return step{}, p.errorf(p.pos, "unterminated quoted property name")
		}
		p.pos = i + 1
		st = step{kind: stepKey, key: b.String(), bracketed: true}
	default:
		return step{}, p.errorf(p.pos, "expected an array index, * or a quoted property name inside [ ]")
	}
	if !p.peek("]") {
		return step{}, p.errorf(p.pos, "expected ']'")
	}
	p.pos++
	return st, nil
}

// each calls visit with every JSON node the selector reaches in doc, stopping
// early when visit returns true; it reports whether any visit did.
func (s *selector) each(doc any, visit func(any) bool) bool {
	return walkSteps(doc, s.steps, visit)
}

// AWS: "You can use the JSON wildcard to select any array element or any
// JSON object field." Here [*] ranges over array elements and .* over object
// fields; AWS does not say whether either also crosses into the other kind.
func walkSteps(v any, steps []step, visit func(any) bool) bool {
	if len(steps) == 0 {
		return visit(v)
	}
	st, rest := steps[0], steps[1:]
	switch st.kind {
	case stepKey:
		if obj, ok := v.(map[string]any); ok {
			if child, ok := obj[st.key]; ok {
				return walkSteps(child, rest, visit)
			}
		}
	case stepIndex:
		if arr, ok := v.([]any); ok && st.index < len(arr) {
			return walkSteps(arr[st.index], rest, visit)
		}
	case stepAnyElement:
		if arr, ok := v.([]any); ok {
			for _, child := range arr {
				if walkSteps(child, rest, visit) {
					return true
				}
			}
		}
	case stepAnyField:
		if obj, ok := v.(map[string]any); ok {
			for _, child := range obj {
				if walkSteps(child, rest, visit) {
					return true
				}
			}
		}
	}
	return false
}

type jsonPattern struct {
	root    *node
	matcher *jsonMatcher
}

func parseJSONPattern(src string, start int) (*jsonPattern, error) {
	// The closing brace is the last non-blank character; braces cannot
	// appear elsewhere outside quotes, so searching from the end is safe and
	// gives a precise error for a missing one.
	end := len(src)
	for end > start && isSpace(src[end-1]) {
		end--
	}
	if end-start < 2 || src[end-1] != '}' {
		return nil, newSyntaxError(src, end, "", "JSON pattern must end with '}'")
	}
	regexes := 0
	p := &exprParser{src: src, pos: start + 1, end: end - 1, json: true, regexes: &regexes}
	p.skip()
	if p.pos >= p.end {
		return nil, newSyntaxError(src, start, "{", "empty JSON pattern; write { $.name = * } to require a property")
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skip()
	if p.pos < p.end {
		if p.src[p.pos] == ')' {
			return nil, p.errorf(p.pos, "unmatched ')'")
		}
		return nil, p.errorf(p.pos, "expected && or || between conditions")
	}
	wild := 0
	root.walk(func(c *condition) { wild += c.sel.wildcards() })
	if wild > maxWildcardsPerPattern {
		return nil, newSyntaxError(src, start, "{", fmt.Sprintf("%d wildcard selectors; at most %d are allowed in one pattern", wild, maxWildcardsPerPattern))
	}
	return &jsonPattern{root: root, matcher: compileJSON(root)}, nil
}

func (j *jsonPattern) String() string { return "{ " + j.root.String() + " }" }

// decodeEvent parses an event as JSON. Only an object qualifies: every selector
// starts at a property, and AWS says a message that is not JSON does not
// match a JSON pattern.
func decodeEvent(message string) (map[string]any, bool) {
	i := skipSpace(message, 0)
	if i == len(message) || message[i] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(message))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	// Trailing text after the object means the message as a whole is not
	// JSON.
	rest := message[dec.InputOffset():]
	if strings.Trim(rest, " \t\r\n") != "" {
		return nil, false
	}
	return doc, true
}

// match uses the scanner in jsonscan.go; it decides exactly as decoding
// with decodeEvent and evaluating with evalDoc would.
func (j *jsonPattern) match(message string) bool {
	return j.matcher.match(message)
}

func (j *jsonPattern) evalDoc(doc map[string]any) bool {
	return j.root.eval(func(c *condition) bool { return evalJSONCondition(c, doc) })
}

// evalJSONCondition is existential over the nodes a selector reaches (which
// is several only for wildcard selectors): the condition holds if any node
// satisfies it. NOT EXISTS is the exception and holds only if none is
// reached.
func evalJSONCondition(c *condition, doc map[string]any) bool {
	if c.op == opNotExists {
		return !c.sel.each(doc, func(any) bool { return true })
	}
	return c.sel.each(doc, func(v any) bool { return jsonNodeSatisfies(c, v) })
}

// jsonNodeSatisfies applies one comparison to one JSON node. AWS: "If a
// property selector points to an array or object, the filter pattern won't
// match", and the F21 note that both {$.users = 1} and {$.users != 1} fail on
// an array shows != is not simply the negation of =. Booleans and null are
// not "value nodes" either (AWS: "Value nodes can be strings or numbers") and
// are reached only through IS TRUE / IS FALSE / IS NULL.
//
// How a quoted string compares with a JSON number, and a number with a JSON
// string, is undocumented. Chosen here: a number literal compares only with
// JSON numbers, an exact string only with JSON strings; a value with '*'
// wildcards, and a regex, also test a JSON number's literal text, because
// AWS's own { $.latency = * } must match "latency": 50.
func jsonNodeSatisfies(c *condition, v any) bool {
	switch c.op {
	case opIsNull:
		return v == nil
	case opIsTrue:
		b, ok := v.(bool)
		return ok && b
	case opIsFalse:
		b, ok := v.(bool)
		return ok && !b
	}
	switch x := v.(type) {
	case string:
		switch c.val.kind {
		case valNumber:
			return false
		}
		return c.val.matchText(x) == (c.op == opEq)
	case json.Number:
		switch c.val.kind {
		case valNumber:
			n, ok := parseNumber(string(x))
			return ok && c.op.holds(compareNumbers(n, c.val.num))
		case valRegex:
			return c.val.matchText(string(x)) == (c.op == opEq)
		}
		if !c.val.hasWildcard() {
			return false
		}
		return c.val.matchText(string(x)) == (c.op == opEq)
	}
	return false
}

func (j *jsonPattern) extract(message string) (map[string]string, bool) {
	// Most events do not match; the scanner says so without decoding.
	if !j.matcher.match(message) {
		return nil, false
	}
	doc, ok := decodeEvent(message)
	if !ok || !j.evalDoc(doc) {
		return nil, false
	}
	fields := map[string]string{}
	j.root.walk(func(c *condition) {
		if c.sel.wildcards() > 0 {
			return
		}
		c.sel.each(doc, func(v any) bool {
			switch x := v.(type) {
			case string:
				fields[c.sel.String()] = x
			case json.Number:
				fields[c.sel.String()] = string(x)
			case bool:
				fields[c.sel.String()] = strconv.FormatBool(x)
			}
			return true
		})
	})
	return fields, true
}
