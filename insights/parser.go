package insights

import (
	"regexp"
	"strconv"
	"strings"
)

// MaxQueryLength is StartQuery's limit on queryString.
const MaxQueryLength = 10000

// MaxStatsCommands is how many stats commands one query may hold (AWS's
// stats page: "A query can have a maximum of two stats commands").
const MaxStatsCommands = 2

type parser struct {
	src         string
	lx          lexer
	tok         token
	unsupported *UnsupportedError
	sawSort     bool
}

// Parse compiles a Logs Insights query. Errors are *SyntaxError or
// *UnsupportedError.
func Parse(query string) (*Query, error) {
	if len(query) > MaxQueryLength {
		return nil, newSyntaxError(query, MaxQueryLength, len(query),
			"query is longer than the maximum of 10000 characters")
	}
	p := &parser{src: query, lx: lexer{src: query}}
	p.advance()
	q := &Query{src: query}
	if p.tok.kind == tkEOF && p.lx.err == nil {
		return nil, p.errAt(p.tok, "empty query: expected a command such as fields, filter or stats")
	}
	for {
		cmd := p.parseCommand()
		if p.lx.err != nil {
			return nil, p.lx.err
		}
		if cmd != nil {
			q.commands = append(q.commands, cmd)
		}
		if p.tok.kind == tkEOF {
			break
		}
		if p.tok.kind != tkPipe {
			p.fail(p.tok, "expected '|' or end of query")
			return nil, p.lx.err
		}
		p.advance()
	}
	if p.lx.err != nil {
		return nil, p.lx.err
	}
	if err := validatePipeline(query, q.commands); err != nil {
		return nil, err
	}
	if p.unsupported != nil {
		return nil, p.unsupported
	}
	return q, nil
}

// validatePipeline enforces AWS's ordering rules between commands.
func validatePipeline(src string, cmds []command) error {
	stats := 0
	lastStats := -1
	for i, c := range cmds {
		if _, ok := c.(*statsCmd); ok {
			stats++
			lastStats = i
			if stats > MaxStatsCommands {
				s := c.cmdSpan()
				return newSyntaxError(src, s.start, s.start+5, "a query can have a maximum of two stats commands")
			}
		}
	}
	for i, c := range cmds {
		switch c.(type) {
		case *sortCmd, *limitCmd, *dedupCmd:
			if stats > 1 && i < lastStats {
				s := c.cmdSpan()
				return newSyntaxError(src, s.start, s.end, "sort, limit and dedup must appear after the last stats command")
			}
		}
		if _, ok := c.(*dedupCmd); ok {
			for _, later := range cmds[i+1:] {
				if _, ok := later.(*limitCmd); !ok {
					s := later.cmdSpan()
					return newSyntaxError(src, s.start, s.end, "only the limit command can follow dedup")
				}
			}
		}
	}
	return nil
}

func (p *parser) advance() {
	if p.lx.err != nil {
		p.tok = token{kind: tkEOF, start: len(p.src), end: len(p.src)}
		return
	}
	p.tok = p.lx.next()
}

func (p *parser) fail(t token, msg string) {
	p.lx.fail(t.start, t.end, msg)
	p.tok = token{kind: tkEOF, start: len(p.src), end: len(p.src)}
}

func (p *parser) errAt(t token, msg string) *SyntaxError {
	return newSyntaxError(p.src, t.start, t.end, msg)
}

func (p *parser) failed() bool { return p.lx.err != nil }

// isKeyword reports whether the current token is the bare word kw.
func (p *parser) isKeyword(kw string) bool {
	return p.tok.kind == tkIdent && p.tok.plain && len(p.tok.segs) == 1 && strings.EqualFold(p.tok.text, kw)
}

var reservedWords = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "like": true, "as": true, "by": true,
	"asc": true, "desc": true, "into": true,
}

func (p *parser) isReserved() bool {
	return p.tok.kind == tkIdent && p.tok.plain && len(p.tok.segs) == 1 && reservedWords[strings.ToLower(p.tok.text)]
}

func (p *parser) expect(k tokenKind, what string) token {
	t := p.tok
	if t.kind != k {
		p.fail(t, "expected "+what)
		return t
	}
	p.advance()
	return t
}

func (p *parser) atCommandEnd() bool { return p.tok.kind == tkPipe || p.tok.kind == tkEOF }

func (p *parser) parseCommand() command {
	t := p.tok
	if t.kind != tkIdent || !t.plain || len(t.segs) != 1 {
		p.fail(t, "expected a command (fields, display, filter, stats, sort, limit, parse, dedup, unnest, unmask)")
		return nil
	}
	name := strings.ToLower(t.text)
	p.advance()
	var cmd command
	switch name {
	case "fields", "display":
		items := p.parseProjList(false)
		cmd = &fieldsCmd{items: items, display: name == "display"}
	case "filter", "where", "filterindex":
		// filterIndex is evaluated like filter: the sandbox has no field
		// indexes, so it cannot skip unindexed log groups the way AWS does.
		cond := p.parseExpr()
		cmd = &filterCmd{cond: cond}
	case "stats":
		cmd = p.parseStats()
	case "sort":
		p.sawSort = true
		cmd = p.parseSort()
	case "limit":
		cmd = p.parseLimit()
	case "parse":
		cmd = p.parseParse()
	case "dedup":
		items := p.parseProjList(true)
		cmd = &dedupCmd{keys: items}
	case "unnest":
		src := p.parseExpr()
		if !p.isKeyword("into") {
			p.fail(p.tok, "expected 'into' after the unnest field")
			return nil
		}
		p.advance()
		id := p.tok
		if id.kind != tkIdent {
			p.fail(id, "expected the name of the field to unnest into")
			return nil
		}
		p.advance()
		cmd = &unnestCmd{source: src, into: id.text}
	case "unmask":
		// Data-protection masking is not modelled, so unmask has nothing to
		// undo; it accepts an optional field list and changes nothing.
		for !p.atCommandEnd() && !p.failed() {
			p.advance()
		}
		cmd = &unmaskCmd{}
	case "pattern", "diff", "anomaly":
		if name == "pattern" && p.sawSort {
			p.fail(t, "a query is not valid if it includes a pattern command after a sort command")
			return nil
		}
		for !p.atCommandEnd() && !p.failed() {
			p.advance()
		}
		if p.unsupported == nil {
			line, col := lineCol(p.src, t.start)
			p.unsupported = &UnsupportedError{Command: name, Line: line, Column: col, StartCharOffset: t.start, EndCharOffset: t.end}
		}
		return nil
	case "head", "tail":
		p.fail(t, "the "+name+" command is deprecated and no longer supported; use limit")
		return nil
	default:
		p.fail(t, "unknown command "+strconv.Quote(t.text))
		return nil
	}
	if p.failed() {
		return nil
	}
	if !p.atCommandEnd() {
		p.fail(p.tok, "unexpected "+describe(p.tok)+"; expected ',' or '|' or end of query")
		return nil
	}
	end := p.tok.start
	setSpan(cmd, span{t.start, trimEnd(p.src, end)})
	return cmd
}

func trimEnd(src string, end int) int {
	for end > 0 && strings.ContainsRune(" \t\r\n", rune(src[end-1])) {
		end--
	}
	return end
}

func setSpan(c command, s span) {
	switch c := c.(type) {
	case *fieldsCmd:
		c.span = s
	case *filterCmd:
		c.span = s
	case *statsCmd:
		c.span = s
	case *sortCmd:
		c.span = s
	case *limitCmd:
		c.span = s
	case *parseCmd:
		c.span = s
	case *dedupCmd:
		c.span = s
	case *unnestCmd:
		c.span = s
	case *unmaskCmd:
		c.span = s
	}
}

func describe(t token) string {
	if t.kind == tkEOF {
		return "end of query"
	}
	return t.kind.String() + " " + strconv.Quote(t.text)
}

// parseProjList parses "expr [as alias], ...". Dedup keys take no aliases.
func (p *parser) parseProjList(fieldsOnly bool) []projItem {
	var items []projItem
	for {
		if p.atCommandEnd() {
			p.fail(p.tok, "expected a field or expression")
			return nil
		}
		item := p.parseProjItem(!fieldsOnly)
		if p.failed() {
			return nil
		}
		items = append(items, item)
		if p.tok.kind != tkComma {
			return items
		}
		p.advance()
	}
}

func (p *parser) parseProjItem(allowAlias bool) projItem {
	start := p.tok
	e := p.parseExpr()
	if p.failed() {
		return projItem{}
	}
	item := projItem{expr: e, name: p.exprName(e)}
	_ = start
	if allowAlias && p.isKeyword("as") {
		p.advance()
		id := p.tok
		if id.kind != tkIdent || p.isReserved() {
			p.fail(id, "expected an alias name after 'as'")
			return projItem{}
		}
		p.advance()
		item.name = id.text
		item.alias = true
	}
	return item
}

// exprName is the column name of an un-aliased expression: the field name
// for a field reference, otherwise the expression text as written.
func (p *parser) exprName(e expr) string {
	if f, ok := e.(*fieldRef); ok {
		return f.name
	}
	s := e.exprSpan()
	return p.src[s.start:s.end]
}

func (p *parser) parseStats() command {
	c := &statsCmd{}
	for {
		if p.atCommandEnd() || p.isKeyword("by") {
			p.fail(p.tok, "expected an aggregation such as count(*)")
			return nil
		}
		c.items = append(c.items, p.parseProjItem(true))
		if p.failed() {
			return nil
		}
		if p.tok.kind != tkComma {
			break
		}
		p.advance()
	}
	if p.isKeyword("by") {
		p.advance()
		c.by = p.parseProjList(false)
		if p.failed() {
			return nil
		}
	}
	if err := checkStatsItems(p.src, c); err != nil {
		p.lx.err = err
		return nil
	}
	return c
}

// checkStatsItems makes sure every stats item aggregates: a field may appear
// outside an aggregation function only as an alias defined by an earlier
// item of the same stats command (AWS's overprovisioned-memory sample).
func checkStatsItems(src string, c *statsCmd) *SyntaxError {
	aliases := map[string]bool{}
	for _, it := range c.items {
		if bad := nonAggregatedRef(it.expr, aliases, false); bad != nil {
			s := bad.exprSpan()
			return newSyntaxError(src, s.start, s.end, "field "+strconv.Quote(bad.name)+" must be used inside an aggregation function such as count, sum or max")
		}
		aliases[it.name] = true
	}
	for _, it := range c.by {
		if containsAggregate(it.expr) {
			s := it.expr.exprSpan()
			return newSyntaxError(src, s.start, s.end, "aggregation functions are not allowed in the by clause")
		}
	}
	return nil
}

func nonAggregatedRef(e expr, aliases map[string]bool, inAgg bool) *fieldRef {
	switch e := e.(type) {
	case *fieldRef:
		if !inAgg && !aliases[e.name] {
			return e
		}
	case *callExpr:
		isAgg := aggregateNames[e.name]
		if isAgg && inAgg {
			return nil // nested aggregates are rejected when compiling
		}
		for _, a := range e.args {
			if r := nonAggregatedRef(a, aliases, inAgg || isAgg); r != nil {
				return r
			}
		}
	case *unaryExpr:
		return nonAggregatedRef(e.x, aliases, inAgg)
	case *binaryExpr:
		if r := nonAggregatedRef(e.l, aliases, inAgg); r != nil {
			return r
		}
		return nonAggregatedRef(e.r, aliases, inAgg)
	case *inExpr:
		if r := nonAggregatedRef(e.x, aliases, inAgg); r != nil {
			return r
		}
		for _, x := range e.list {
			if r := nonAggregatedRef(x, aliases, inAgg); r != nil {
				return r
			}
		}
	case *memberExpr:
		return nonAggregatedRef(e.x, aliases, inAgg)
	case *indexExpr:
		if r := nonAggregatedRef(e.x, aliases, inAgg); r != nil {
			return r
		}
		return nonAggregatedRef(e.idx, aliases, inAgg)
	case *listLit:
		for _, x := range e.items {
			if r := nonAggregatedRef(x, aliases, inAgg); r != nil {
				return r
			}
		}
	}
	return nil
}

func containsAggregate(e expr) bool {
	found := false
	walkExpr(e, func(x expr) {
		if c, ok := x.(*callExpr); ok && aggregateNames[c.name] {
			found = true
		}
	})
	return found
}

func walkExpr(e expr, f func(expr)) {
	if e == nil {
		return
	}
	f(e)
	switch e := e.(type) {
	case *callExpr:
		for _, a := range e.args {
			walkExpr(a, f)
		}
	case *unaryExpr:
		walkExpr(e.x, f)
	case *binaryExpr:
		walkExpr(e.l, f)
		walkExpr(e.r, f)
	case *inExpr:
		walkExpr(e.x, f)
		for _, x := range e.list {
			walkExpr(x, f)
		}
	case *memberExpr:
		walkExpr(e.x, f)
	case *indexExpr:
		walkExpr(e.x, f)
		walkExpr(e.idx, f)
	case *listLit:
		for _, x := range e.items {
			walkExpr(x, f)
		}
	}
}

func (p *parser) parseSort() command {
	c := &sortCmd{}
	for {
		if p.atCommandEnd() {
			p.fail(p.tok, "expected a field to sort by")
			return nil
		}
		e := p.parseExpr()
		if p.failed() {
			return nil
		}
		k := sortKey{expr: e, name: p.exprName(e)}
		if p.isKeyword("desc") {
			k.desc = true
			p.advance()
		} else if p.isKeyword("asc") {
			p.advance()
		}
		c.keys = append(c.keys, k)
		if p.tok.kind != tkComma {
			return c
		}
		p.advance()
	}
}

func (p *parser) parseLimit() command {
	c := &limitCmd{}
	if p.isKeyword("any") {
		c.any = true
		p.advance()
	}
	t := p.tok
	if t.kind != tkNumber {
		p.fail(t, "expected a positive whole number after limit")
		return nil
	}
	n, err := strconv.Atoi(t.text)
	if err != nil || n < 1 || n > MaxLimitCommand {
		p.fail(t, "limit must be a whole number between 1 and 100000")
		return nil
	}
	c.n = n
	p.advance()
	return c
}

func (p *parser) parseParse() command {
	c := &parseCmd{}
	if p.tok.kind == tkIdent && !(p.tok.plain && (strings.EqualFold(p.tok.text, "csv") || strings.EqualFold(p.tok.text, "logfmt"))) {
		c.source = p.parsePostfix()
		if p.failed() {
			return nil
		}
	} else {
		c.source = &fieldRef{name: "@message", segs: []string{"@message"}, span: span{p.tok.start, p.tok.start}}
	}
	patTok := p.tok
	if patTok.kind == tkOp && patTok.text == "/" {
		patTok = p.lx.lexRegex(patTok.start)
		if p.failed() {
			return nil
		}
	}
	var aliasesRequired bool
	switch {
	case patTok.kind == tkString:
		c.mode = parseGlob
		re, stars, err := compileGlob(patTok.text)
		if err != nil {
			p.fail(patTok, "invalid glob pattern: "+err.Error())
			return nil
		}
		c.re = re
		for i := 1; i <= stars; i++ {
			c.groups = append(c.groups, i)
		}
		if stars == 0 {
			p.fail(patTok, "a parse glob pattern needs at least one '*' wildcard")
			return nil
		}
		aliasesRequired = true
	case patTok.kind == tkRegex:
		c.mode = parseRegex
		re, err := compileQueryRegex(patTok.text)
		if err != nil {
			p.fail(patTok, "invalid regular expression: "+err.Error())
			return nil
		}
		c.re = re
	case patTok.kind == tkIdent && strings.EqualFold(patTok.text, "csv"):
		c.mode = parseCSV
		aliasesRequired = true
	case patTok.kind == tkIdent && strings.EqualFold(patTok.text, "logfmt"):
		c.mode = parseLogfmt
		aliasesRequired = true
	default:
		p.fail(patTok, "expected a glob pattern in quotes, a /regular expression/, csv or logfmt")
		return nil
	}
	p.advance()
	var aliases []token
	if p.isKeyword("as") {
		p.advance()
		for {
			t := p.tok
			if t.kind != tkIdent || p.isReserved() {
				p.fail(t, "expected a field name")
				return nil
			}
			aliases = append(aliases, t)
			p.advance()
			if p.tok.kind != tkComma {
				break
			}
			p.advance()
		}
	}
	if p.isKeyword("multi") {
		if c.mode != parseRegex {
			p.fail(p.tok, "multi is only allowed after a /regular expression/")
			return nil
		}
		c.multi = true
		p.advance()
	}
	if aliasesRequired && len(aliases) == 0 {
		p.fail(p.tok, "expected 'as' followed by the names of the extracted fields")
		return nil
	}
	for _, a := range aliases {
		c.names = append(c.names, a.text)
	}
	switch c.mode {
	case parseGlob:
		if len(aliases) != len(c.groups) {
			p.fail(patTok, "the glob has "+strconv.Itoa(len(c.groups))+" '*' wildcards but "+strconv.Itoa(len(aliases))+" field names follow 'as'; the counts must be equal")
			return nil
		}
	case parseLogfmt:
		if len(aliases) != 1 {
			p.fail(aliases[min(1, len(aliases)-1)], "parse logfmt takes exactly one field name to hold the map")
			return nil
		}
	case parseRegex:
		if len(aliases) > 0 {
			// Unnamed capture groups take the 'as' names in order.
			var unnamed []int
			for i, n := range c.re.SubexpNames() {
				if i > 0 && n == "" {
					unnamed = append(unnamed, i)
				}
			}
			if len(unnamed) == 0 && c.re.NumSubexp() == 0 && len(aliases) == 1 {
				unnamed = []int{0} // the whole match
			}
			if len(unnamed) != len(aliases) {
				p.fail(patTok, "the regular expression has "+strconv.Itoa(len(unnamed))+" unnamed capture groups but "+strconv.Itoa(len(aliases))+" field names follow 'as'")
				return nil
			}
			c.groups = unnamed
		} else {
			c.names = nil
		}
		for i, n := range c.re.SubexpNames() {
			if i > 0 && n != "" {
				c.names = append(c.names, n)
				c.groups = append(c.groups, i)
			}
		}
		if len(c.names) == 0 {
			p.fail(patTok, "the regular expression needs named capture groups such as (?<name>...) to create fields")
			return nil
		}
	}
	return c
}

// compileGlob turns a parse glob into a regular expression: the match is
// not anchored at the start, every interior '*' is lazy up to the next
// literal, and a trailing '*' takes the rest of the value.
func compileGlob(glob string) (*regexp.Regexp, int, error) {
	parts := strings.Split(glob, "*")
	var sb strings.Builder
	sb.WriteString("(?s)")
	for i, part := range parts {
		sb.WriteString(regexp.QuoteMeta(part))
		if i < len(parts)-1 {
			if i == len(parts)-2 && parts[len(parts)-1] == "" {
				sb.WriteString("(.*)")
			} else {
				sb.WriteString("(.*?)")
			}
		}
	}
	re, err := regexp.Compile(sb.String())
	if err != nil {
		return nil, 0, err // only invalid UTF-8 gets here
	}
	return re, len(parts) - 1, nil
}

// compileQueryRegex compiles a /regex/ literal. Go's RE2 engine stands in
// for AWS's Hyperscan (filter) and PCRE-style named groups (parse); both
// accept (?<name>...) and inline flags such as (?i) anywhere.
func compileQueryRegex(src string) (*regexp.Regexp, error) {
	return regexp.Compile(src)
}

// Expression grammar, lowest precedence first:
//
//	or < and < not < comparison (= != < > <= >= =~ like in) < + - < * / % < unary - < ^ < postfix
func (p *parser) parseExpr() expr { return p.parseOr() }

func (p *parser) parseOr() expr {
	l := p.parseAnd()
	for !p.failed() && p.isKeyword("or") {
		p.advance()
		r := p.parseAnd()
		l = &binaryExpr{op: "or", l: l, r: r, span: joinSpan(l, r)}
	}
	return l
}

func (p *parser) parseAnd() expr {
	l := p.parseNot()
	for !p.failed() && p.isKeyword("and") {
		p.advance()
		r := p.parseNot()
		l = &binaryExpr{op: "and", l: l, r: r, span: joinSpan(l, r)}
	}
	return l
}

func (p *parser) parseNot() expr {
	if p.isKeyword("not") {
		t := p.tok
		p.advance()
		x := p.parseNot()
		if p.failed() {
			return x
		}
		return &unaryExpr{op: "not", x: x, span: span{t.start, x.exprSpan().end}}
	}
	return p.parseComparison()
}

func joinSpan(l, r expr) span {
	if l == nil || r == nil {
		return span{}
	}
	return span{l.exprSpan().start, r.exprSpan().end}
}

func (p *parser) parseComparison() expr {
	l := p.parseAdditive()
	for !p.failed() {
		switch {
		case p.tok.kind == tkOp && isComparisonOp(p.tok.text):
			op := p.tok.text
			p.advance()
			r := p.parseAdditive()
			l = &binaryExpr{op: op, l: l, r: r, span: joinSpan(l, r)}
		case p.isKeyword("like"):
			p.advance()
			r := p.parseAdditive()
			l = &binaryExpr{op: "like", l: l, r: r, span: joinSpan(l, r)}
		case p.isKeyword("in"):
			p.advance()
			l = p.parseInList(l, false)
		case p.isKeyword("not"):
			// "x not like y" / "x not in [...]"
			notTok := p.tok
			p.advance()
			switch {
			case p.isKeyword("like"):
				p.advance()
				r := p.parseAdditive()
				b := &binaryExpr{op: "like", l: l, r: r, span: joinSpan(l, r)}
				l = &unaryExpr{op: "not", x: b, span: b.span}
			case p.isKeyword("in"):
				p.advance()
				l = p.parseInList(l, true)
			default:
				p.fail(notTok, "expected 'like' or 'in' after 'not'")
				return l
			}
		default:
			return l
		}
	}
	return l
}

func isComparisonOp(op string) bool {
	switch op {
	case "=", "!=", "<", ">", "<=", ">=", "=~":
		return true
	}
	return false
}

func (p *parser) parseInList(x expr, not bool) expr {
	t := p.tok
	if t.kind != tkLBrack {
		p.fail(t, "expected '[' to start the list after 'in'")
		return x
	}
	lst := p.parsePrimary()
	if p.failed() {
		return x
	}
	l := lst.(*listLit)
	return &inExpr{x: x, list: l.items, not: not, span: joinSpan(x, l)}
}

func (p *parser) parseAdditive() expr {
	l := p.parseMultiplicative()
	for !p.failed() && p.tok.kind == tkOp && (p.tok.text == "+" || p.tok.text == "-") {
		op := p.tok.text
		p.advance()
		r := p.parseMultiplicative()
		l = &binaryExpr{op: op, l: l, r: r, span: joinSpan(l, r)}
	}
	return l
}

func (p *parser) parseMultiplicative() expr {
	l := p.parseUnary()
	for !p.failed() && p.tok.kind == tkOp && (p.tok.text == "*" || p.tok.text == "/" || p.tok.text == "%") {
		op := p.tok.text
		p.advance()
		r := p.parseUnary()
		l = &binaryExpr{op: op, l: l, r: r, span: joinSpan(l, r)}
	}
	return l
}

func (p *parser) parseUnary() expr {
	if p.tok.kind == tkOp && (p.tok.text == "-" || p.tok.text == "+") {
		t := p.tok
		p.advance()
		x := p.parseUnary()
		if p.failed() {
			return x
		}
		if t.text == "+" {
			return x
		}
		return &unaryExpr{op: "-", x: x, span: span{t.start, x.exprSpan().end}}
	}
	return p.parsePower()
}

func (p *parser) parsePower() expr {
	l := p.parsePostfix()
	if !p.failed() && p.tok.kind == tkOp && p.tok.text == "^" {
		p.advance()
		r := p.parseUnary() // right-associative
		return &binaryExpr{op: "^", l: l, r: r, span: joinSpan(l, r)}
	}
	return l
}

func (p *parser) parsePostfix() expr {
	x := p.parsePrimary()
	for !p.failed() {
		switch p.tok.kind {
		case tkDot:
			p.advance()
			t := p.tok
			if t.kind != tkIdent {
				p.fail(t, "expected a key name after '.'")
				return x
			}
			p.advance()
			for _, seg := range t.segs {
				x = &memberExpr{x: x, key: seg, span: span{x.exprSpan().start, t.end}}
			}
		case tkLBrack:
			p.advance()
			idx := p.parseExpr()
			end := p.expect(tkRBrack, "']'")
			x = &indexExpr{x: x, idx: idx, span: span{x.exprSpan().start, end.end}}
		default:
			return x
		}
	}
	return x
}

func (p *parser) parsePrimary() expr {
	t := p.tok
	switch t.kind {
	case tkNumber:
		p.advance()
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.fail(t, "invalid number")
			return nil
		}
		return &literal{val: numberValueText(f, t.text), span: span{t.start, t.end}}
	case tkDuration:
		p.advance()
		u, ok := parseTimeUnit(t.unit)
		if !ok {
			p.fail(t, "unknown time unit "+strconv.Quote(t.unit)+"; use ms, s, m, h, d, w, mo, q or y")
			return nil
		}
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil || n <= 0 {
			p.fail(t, "a time period must be a positive whole number followed by a unit, such as 5m")
			return nil
		}
		return &periodLit{n: n, unit: u, span: span{t.start, t.end}}
	case tkString:
		p.advance()
		return &literal{val: strValue(t.text), span: span{t.start, t.end}}
	case tkOp:
		if t.text == "/" {
			rt := p.lx.lexRegex(t.start)
			if p.failed() {
				return nil
			}
			p.advance()
			re, err := compileQueryRegex(rt.text)
			if err != nil {
				p.fail(rt, "invalid regular expression: "+err.Error())
				return nil
			}
			return &regexLit{re: re, src: rt.text, span: span{rt.start, rt.end}}
		}
	case tkLParen:
		p.advance()
		e := p.parseExpr()
		end := p.expect(tkRParen, "')'")
		if p.failed() {
			return e
		}
		// Keep the parentheses in the span so column names read as written.
		return wrapSpan(e, span{t.start, end.end})
	case tkLBrack:
		p.advance()
		l := &listLit{}
		if p.tok.kind != tkRBrack {
			for {
				item := p.parseExpr()
				if p.failed() {
					return nil
				}
				l.items = append(l.items, item)
				if p.tok.kind != tkComma {
					break
				}
				p.advance()
			}
		}
		end := p.expect(tkRBrack, "']' to close the list")
		l.span = span{t.start, end.end}
		return l
	case tkIdent:
		if p.isReserved() {
			p.fail(t, "expected an expression but found the keyword "+strconv.Quote(t.text))
			return nil
		}
		p.advance()
		if p.tok.kind == tkLParen && t.plain && len(t.segs) == 1 {
			return p.parseCall(t)
		}
		if t.plain && len(t.segs) == 1 {
			switch strings.ToLower(t.text) {
			case "true":
				return &literal{val: boolValue(true), span: span{t.start, t.end}}
			case "false":
				return &literal{val: boolValue(false), span: span{t.start, t.end}}
			}
		}
		return &fieldRef{name: t.text, segs: t.segs, span: span{t.start, t.end}}
	}
	if t.kind == tkEOF || t.kind == tkPipe {
		p.fail(t, "expected an expression")
	} else {
		p.fail(t, "unexpected "+describe(t)+"; expected an expression")
	}
	return nil
}

// paren marks a parenthesised expression so its column name keeps the
// parentheses; it evaluates exactly like its content.
type paren struct {
	span
	x expr
}

func wrapSpan(e expr, s span) expr { return &paren{x: e, span: s} }

func (p *parser) parseCall(name token) expr {
	fn := strings.ToLower(name.text)
	spec, ok := lookupFunction(fn)
	if !ok {
		p.fail(name, "unknown function "+strconv.Quote(name.text))
		return nil
	}
	p.advance() // '('
	c := &callExpr{name: fn}
	if p.tok.kind == tkOp && p.tok.text == "*" {
		if fn != "count" {
			p.fail(p.tok, "'*' is only allowed in count(*)")
			return nil
		}
		c.star = true
		p.advance()
	} else if p.tok.kind != tkRParen {
		for {
			a := p.parseExpr()
			if p.failed() {
				return nil
			}
			c.args = append(c.args, a)
			if p.tok.kind != tkComma {
				break
			}
			p.advance()
		}
	}
	end := p.expect(tkRParen, "')' to close the call to "+name.text)
	if p.failed() {
		return nil
	}
	c.span = span{name.start, end.end}
	c.text = p.src[name.start:end.end]
	n := len(c.args)
	if n < spec.minArgs || (spec.maxArgs >= 0 && n > spec.maxArgs) {
		p.lx.fail(name.start, end.end, arityMessage(name.text, spec))
		return nil
	}
	if spec.check != nil {
		if msg, bad := spec.check(c); msg != "" {
			s := c.span
			if bad != nil {
				s = bad.exprSpan()
			}
			p.lx.fail(s.start, s.end, msg)
			return nil
		}
	}
	return c
}

func arityMessage(name string, spec *funcSpec) string {
	switch {
	case spec.maxArgs == spec.minArgs:
		return name + " takes exactly " + strconv.Itoa(spec.minArgs) + " argument(s)"
	case spec.maxArgs < 0:
		return name + " takes at least " + strconv.Itoa(spec.minArgs) + " argument(s)"
	default:
		return name + " takes " + strconv.Itoa(spec.minArgs) + " to " + strconv.Itoa(spec.maxArgs) + " arguments"
	}
}
