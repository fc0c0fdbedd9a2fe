// Package insights is a pure-Go engine for the CloudWatch Logs Insights
// query language: lexer, parser, planner and evaluator, usable without any
// server. It aims to return what AWS returns for the same query and events.
//
// # Events
//
// NewEvent indexes a log event once, at ingestion. The message string is
// kept once; every discovered field is an 8-byte entry (interned field-name
// id, offset and length of the value inside the message). Field names are
// interned in a process-wide, concurrency-safe registry. Only JSON strings
// that contained escapes, values longer than 64 KiB and synthesised values
// (Lambda memory sizes) are stored as separate strings. A query therefore
// reads a field with a short scan over the entries and a substring of the
// message: no re-parsing and no allocation.
//
// Discovery follows AWS's documentation: JSON objects are flattened with
// dots and 0-based array indexes (userIdentity.arn,
// responseElements.instancesSet.items.0.instanceId), at most MaxJSONFields
// leaves are kept (document order), a top-level key starting with '@' is
// shown with an extra '@', JSON null is absent. VPC Flow Logs records
// (default version 2 and the workshop's 29-field custom format) get
// camelCase fields; see flowlog.go for how a record is recognised. Lambda
// START/END/REPORT lines get @type, @requestId, @duration and friends.
//
// # Queries
//
// Parse compiles a query once (errors are *SyntaxError with AWS-style
// positions, or *UnsupportedError for pattern, diff and anomaly). Run plans
// the query against the current field registry, evaluates the per-event
// commands on GOMAXPROCS workers over contiguous shares of the events, with
// per-worker partial aggregation for stats and per-worker top-k for sorted or
// limited results, and returns rows the way GetQueryResults does: every
// value a string, booleans as 0/1, absent fields left out, @ptr appended to
// rows that are log events.
//
// Where AWS leaves behaviour undocumented the package makes a documented
// choice; the comments at each place say so. The main ones: comparisons
// and like/in on a missing field are null, so a filter drops the row (also
// for !=, not like and not in); numeric-looking text compares numerically;
// sort without a direction is ascending and missing values sort last in
// both directions; stats output without a sort is ordered by the by-values
// (bin timestamps newest first); stats over no matching events returns no
// rows; pct is nearest-rank and stddev is the sample deviation; numbers are
// printed as integers when integral, otherwise in shortest round-trip form;
// regular expressions use Go's RE2 engine in place of Hyperscan/PCRE.
package insights
