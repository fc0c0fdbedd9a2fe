package insights

import "regexp"

// Query is a parsed Logs Insights query. It is immutable after Parse and
// safe to Run concurrently.
type Query struct {
	src      string
	commands []command
}

// String returns the query text as given to Parse.
func (q *Query) String() string { return q.src }

type span struct{ start, end int }

type command interface{ cmdSpan() span }

// projItem is one "expr [as alias]" item of fields, display, stats or by.
type projItem struct {
	expr  expr
	name  string // alias, or the field name, or the expression text as written
	alias bool
}

type fieldsCmd struct {
	span
	items   []projItem
	display bool
}

type filterCmd struct {
	span
	cond expr
}

type statsCmd struct {
	span
	items []projItem
	by    []projItem
}

type sortKey struct {
	expr expr
	name string
	desc bool
}

type sortCmd struct {
	span
	keys []sortKey
}

type limitCmd struct {
	span
	n   int
	any bool
}

type parseMode int

const (
	parseGlob parseMode = iota
	parseRegex
	parseCSV
	parseLogfmt
)

type parseCmd struct {
	span
	source expr // defaults to @message
	mode   parseMode
	re     *regexp.Regexp
	names  []string // output field per capture group (glob/regex) or column (csv)
	groups []int    // capture group index for each name
	multi  bool
}

type dedupCmd struct {
	span
	keys []projItem
}

type unnestCmd struct {
	span
	source expr
	into   string
}

type unmaskCmd struct{ span }

func (s span) cmdSpan() span { return s }

// Expressions.
type expr interface{ exprSpan() span }

func (s span) exprSpan() span { return s }

type fieldRef struct {
	span
	name string
	segs []string
}

type literal struct {
	span
	val value
}

type periodLit struct {
	span
	n    int64
	unit timeUnit
}

type regexLit struct {
	span
	re  *regexp.Regexp
	src string
}

type listLit struct {
	span
	items []expr
}

type unaryExpr struct {
	span
	op string // "-", "not"
	x  expr
}

type binaryExpr struct {
	span
	op   string // + - * / ^ % = != < > <= >= and or like =~
	l, r expr
}

type inExpr struct {
	span
	x    expr
	list []expr
	not  bool
}

type callExpr struct {
	span
	name string // lower-cased
	args []expr
	star bool // count(*)
	text string
}

type memberExpr struct {
	span
	x   expr
	key string
}

type indexExpr struct {
	span
	x, idx expr
}
