package insights

import (
	"fmt"
	"time"
)

// EventInput is one log event as CloudWatch Logs stores it.
type EventInput struct {
	Timestamp     int64  // epoch milliseconds (@timestamp)
	IngestionTime int64  // epoch milliseconds (@ingestionTime)
	Message       string // @message
	LogStream     string // @logStream
	LogGroup      string // @log value: "<account-id>:<log-group-name>"
	Ptr           string // @ptr value, opaque
}

// SyntaxError reports a query that does not compile. Its fields mirror AWS's
// QueryCompileError / QueryCompileErrorLocation.
type SyntaxError struct {
	Line, Column    int    // 1-based position of the offending token
	StartCharOffset int    // 0-based offsets into the query string, as AWS's QueryCompileErrorLocation
	EndCharOffset   int    // offset just past the offending token (== StartCharOffset at end of input)
	Token           string // the offending token text ("" at end of input)
	Message         string // what was expected
}

// Error renders the error the way AWS's MalformedQueryException describes a
// compile error: position first, then the offending token, then what was wrong.
func (e *SyntaxError) Error() string {
	tok := e.Token
	if tok == "" {
		tok = "<EOF>"
	}
	return fmt.Sprintf("query syntax error at line %d, column %d (offset %d-%d) near %q: %s",
		e.Line, e.Column, e.StartCharOffset, e.EndCharOffset, tok, e.Message)
}

// UnsupportedError is returned for the ML commands pattern, diff and anomaly
// (they parse, but the sandbox cannot run them).
type UnsupportedError struct {
	Command                                      string
	Line, Column, StartCharOffset, EndCharOffset int
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("the %s command at line %d, column %d is not supported by the sandbox (it relies on AWS's proprietary machine-learning clustering)",
		e.Command, e.Line, e.Column)
}

// RunOptions tunes one execution of a query.
type RunOptions struct {
	Limit int // StartQuery's limit parameter; 0 means the default 10,000

	// QueryStart and QueryEnd are the StartQuery time window; they feed now(),
	// queryStartTime(), queryEndTime() and queryTimeRange(). Zero values mean
	// "unknown": now() then falls back to the wall clock and the window
	// functions return null.
	QueryStart, QueryEnd time.Time
	// Now overrides the wall clock used by now(); zero means time.Now().
	Now time.Time
	// Workers caps the parallelism of Run; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, receives a running query's statistics as the
	// workers scan: each call carries the counts of the events scanned
	// since that worker's previous call (a few thousand at a time), so
	// their sum is the statistics so far. It is called from the workers'
	// goroutines and must be safe for concurrent use; a worker blocked in
	// it is paused.
	Progress func(delta Statistics)
}

// Result is what GetQueryResults returns for a completed query.
type Result struct {
	Rows       [][]ResultField // every value a string, as GetQueryResults returns; @ptr appended per §13 trap 22 where AWS does
	Statistics Statistics
}

// ResultField is one field/value pair of a result row.
type ResultField struct{ Field, Value string }

// Statistics mirrors AWS's QueryStatistics (all doubles, as AWS returns them).
type Statistics struct{ RecordsMatched, RecordsScanned, BytesScanned float64 }

// DefaultLimit is the number of rows a query returns when neither the query
// nor the caller asks for another limit.
const DefaultLimit = 10000

// MaxLimitCommand is the largest value the limit command accepts (AWS's
// newest limit page; the StartQuery parameter itself stops at 10,000).
const MaxLimitCommand = 100000
