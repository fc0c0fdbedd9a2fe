package logs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/irdrill/irdrill/insights"
	"github.com/irdrill/irdrill/sandbox/api"
)

// Logs Insights limits (StartQuery / GetQueryResults API reference).
const (
	maxQueryGroups      = 50
	maxQueryLength      = 10000
	maxQueryLimit       = 100000 // StartQuery's limit; the model raised it from 10,000
	maxConcurrentQuery  = 100
	queryTimeout        = 60 * time.Minute
	queryResultLifetime = 7 * 24 * time.Hour
)

// MalformedQueryError is StartQuery's MalformedQueryException. Its JSON
// body carries queryCompileError next to __type and message; ErrorFields
// lists those extra members for the front end to merge into the body.
type MalformedQueryError struct {
	APIError          *api.Error
	QueryCompileError QueryCompileError
}

// QueryCompileError is the exception's queryCompileError member.
type QueryCompileError struct {
	Location QueryCompileErrorLocation `json:"location"`
	Message  string                    `json:"message"`
}

// QueryCompileErrorLocation gives the offending span as 0-based character
// offsets into the query string.
type QueryCompileErrorLocation struct {
	StartCharOffset int `json:"startCharOffset"`
	EndCharOffset   int `json:"endCharOffset"`
}

func (e *MalformedQueryError) Error() string { return e.APIError.Error() }

// Unwrap exposes the *api.Error so api.AsError renders the code and
// message.
func (e *MalformedQueryError) Unwrap() error { return e.APIError }

// ErrorFields returns the members of the error body besides __type and
// message.
func (e *MalformedQueryError) ErrorFields() map[string]any {
	return map[string]any{"queryCompileError": e.QueryCompileError}
}

func malformedQuery(start, end int, msg string) *MalformedQueryError {
	return &MalformedQueryError{
		APIError:          api.Errorf("MalformedQueryException", "%s", msg),
		QueryCompileError: QueryCompileError{Location: QueryCompileErrorLocation{StartCharOffset: start, EndCharOffset: end}, Message: msg},
	}
}

func newQueryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

type startQueryInput struct {
	QueryLanguage       string   `json:"queryLanguage"`
	LogGroupName        string   `json:"logGroupName"`
	LogGroupNames       []string `json:"logGroupNames"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	QueryString         *string  `json:"queryString"`
	Limit               *int     `json:"limit"`
}

type startQueryOutput struct {
	QueryID string `json:"queryId"`
}

func (s *Service) startQuery(ctx context.Context, call *api.Call) (any, error) {
	var in startQueryInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	var raw []string
	kinds := 0
	if in.LogGroupName != "" {
		kinds++
		raw = append(raw, in.LogGroupName)
	}
	if in.LogGroupNames != nil {
		kinds++
		raw = append(raw, in.LogGroupNames...)
	}
	if in.LogGroupIdentifiers != nil {
		kinds++
		raw = append(raw, in.LogGroupIdentifiers...)
	}
	// AWS authorises StartQuery on every log group queried.
	resources := make([]string, 0, len(raw))
	for _, r := range raw {
		resources = append(resources, groupARN(call.Region, acct, identifierName(r)))
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	if err := call.Authorize(ctx, "logs:StartQuery", resources, nil); err != nil {
		return nil, err
	}
	switch in.QueryLanguage {
	case "", "CWLI":
	case "SQL", "PPL":
		return nil, invalidParam("The query language %s is not supported by the sandbox; use CWLI (Logs Insights QL).", in.QueryLanguage)
	default:
		return nil, api.ValidationError("InvalidParameterException", "queryLanguage", in.QueryLanguage, "Member must satisfy enum value set: [CWLI, SQL, PPL]")
	}
	if kinds != 1 {
		return nil, invalidParam("Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified.")
	}
	if len(raw) == 0 {
		return nil, api.ValidationError("InvalidParameterException", "logGroupNames", "[]", "Member must have length greater than or equal to 1")
	}
	if len(raw) > maxQueryGroups {
		return nil, api.ValidationError("InvalidParameterException", "logGroupIdentifiers", fmt.Sprintf("[%d log groups]", len(raw)), "Member must have length less than or equal to 50")
	}
	names := make([]string, 0, len(raw))
	for _, r := range raw {
		var name string
		var err error
		if in.LogGroupIdentifiers != nil {
			name, err = parseIdentifier(call.Region, acct, r)
			if err != nil && api.AsError(err).Code == "ResourceNotFoundException" {
				return nil, api.Errorf("ResourceNotFoundException", "Log group '%s' does not exist", r)
			}
		} else {
			name, err = r, validateGroupName("logGroupNames", r)
		}
		if err != nil {
			return nil, err
		}
		if !containsString(names, name) {
			names = append(names, name)
		}
	}
	if in.StartTime == nil {
		return nil, missing("startTime")
	}
	if in.EndTime == nil {
		return nil, missing("endTime")
	}
	if err := validateTimes(in.StartTime, in.EndTime); err != nil {
		return nil, err
	}
	if *in.EndTime < *in.StartTime {
		return nil, invalidParam("End time should not be before the start time")
	}
	if in.QueryString == nil {
		return nil, missing("queryString")
	}
	if n := len([]rune(*in.QueryString)); n > maxQueryLength {
		return nil, api.ValidationError("InvalidParameterException", "queryString", "(query)", "Member must have length less than or equal to 10000")
	}
	if err := validateLimit("limit", in.Limit, 1, maxQueryLimit); err != nil {
		return nil, err
	}
	parsed, err := insights.Parse(*in.QueryString)
	if err != nil {
		var syn *insights.SyntaxError
		var unsup *insights.UnsupportedError
		switch {
		case errors.As(err, &syn):
			return nil, malformedQuery(syn.StartCharOffset, syn.EndCharOffset, syn.Error())
		case errors.As(err, &unsup):
			// The ML commands are valid Logs Insights QL; the sandbox
			// reports them as a compile error at the command so that the
			// caller sees where, with a message saying why.
			return nil, malformedQuery(unsup.StartCharOffset, unsup.EndCharOffset, unsup.Error())
		}
		return nil, malformedQuery(0, 0, err.Error())
	}

	now := s.now()
	for _, name := range names {
		s.mu.RLock()
		g := s.groupLocked(call.Region, name)
		s.mu.RUnlock()
		if g == nil {
			return nil, api.Errorf("ResourceNotFoundException", "Log group '%s' does not exist", name)
		}
	}
	// The query outlives the request, so it must not inherit its context.
	runCtx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	q := &query{
		id: newQueryID(), region: call.Region, account: acct, queryString: *in.QueryString,
		groups: names, created: now, parsed: parsed, status: statusScheduled,
		// Both bounds are whole seconds and inclusive, so the window ends
		// just before the second after endTime.
		window: [2]int64{*in.StartTime * 1000, (*in.EndTime + 1) * 1000},
		opts: insights.RunOptions{
			QueryStart: time.Unix(*in.StartTime, 0).UTC(),
			QueryEnd:   time.Unix(*in.EndTime, 0).UTC(),
			Now:        now,
		},
		ctx: runCtx, cancel: cancel, done: make(chan struct{}),
	}
	if in.Limit != nil {
		q.opts.Limit = *in.Limit
	}
	if call.Caller != nil {
		q.userARN = call.Caller.ARN
	}
	s.qmu.Lock()
	s.pruneQueriesLocked(now)
	active := 0
	for _, other := range s.queries {
		if other.account == acct && !other.ended() {
			active++
		}
	}
	if active >= maxConcurrentQuery {
		s.qmu.Unlock()
		cancel()
		return nil, api.Errorf("LimitExceededException", "Account maximum query concurrency limit of [%d] reached.", maxConcurrentQuery)
	}
	s.queries[q.id] = q
	s.qmu.Unlock()
	go s.run(q)
	return startQueryOutput{QueryID: q.id}, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pruneQueriesLocked forgets finished queries whose results AWS no longer
// keeps (7 days after they started).
func (s *Service) pruneQueriesLocked(now time.Time) {
	for _, q := range s.queries {
		if now.Sub(q.created) > queryResultLifetime && q.ended() {
			s.forgetLocked(q)
		}
	}
}

// lookupQuery finds a query of this region and account.
func (s *Service) lookupQuery(call *api.Call, id string) (*query, error) {
	if id == "" {
		return nil, missing("queryId")
	}
	s.qmu.Lock()
	defer s.qmu.Unlock()
	s.pruneQueriesLocked(s.now())
	q := s.queries[id]
	if q == nil || q.region != call.Region || q.account != s.accountID(call) {
		return nil, api.Errorf("ResourceNotFoundException", "Query does not exist.")
	}
	return q, nil
}

// status reports a query as it stands, without waiting for it: Scheduled
// while it waits for a slot, Running (with the statistics so far) while it
// scans, then how it ended. With QueryLatency set, a query also reports
// Scheduled for the first quarter of it and Running until it has passed,
// however fast it really was; a stopped query is Cancelled at once.
func (s *Service) status(q *query) (string, insights.Statistics, *insights.Result) {
	status, stats, res := q.snapshot()
	if lat := s.cfg.QueryLatency; lat > 0 && status != statusCancelled {
		switch elapsed := s.now().Sub(q.created); {
		case elapsed < lat/4:
			return statusScheduled, insights.Statistics{}, nil
		case elapsed < lat:
			return statusRunning, stats, nil
		}
	}
	return status, stats, res
}

type getQueryResultsInput struct {
	QueryID   string  `json:"queryId"`
	NextToken *string `json:"nextToken"`
	MaxItems  *int    `json:"maxItems"`
}

// ResultField is one field/value pair of a result row.
type ResultField struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

// QueryStatistics are all doubles, as AWS returns them.
type QueryStatistics struct {
	RecordsMatched   float64 `json:"recordsMatched"`
	RecordsScanned   float64 `json:"recordsScanned"`
	BytesScanned     float64 `json:"bytesScanned"`
	LogGroupsScanned float64 `json:"logGroupsScanned"`
}

type getQueryResultsOutput struct {
	QueryLanguage string          `json:"queryLanguage"`
	Results       [][]ResultField `json:"results"`
	Statistics    QueryStatistics `json:"statistics"`
	Status        string          `json:"status"`
	NextToken     string          `json:"nextToken,omitempty"`
}

func (s *Service) getQueryResults(ctx context.Context, call *api.Call) (any, error) {
	var in getQueryResultsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := call.Authorize(ctx, "logs:GetQueryResults", []string{"*"}, nil); err != nil {
		return nil, err
	}
	if err := validateLimit("maxItems", in.MaxItems, 0, maxResponseEvents); err != nil {
		return nil, err
	}
	q, err := s.lookupQuery(call, in.QueryID)
	if err != nil {
		return nil, err
	}
	offset := 0
	if in.NextToken != nil {
		tok, err := decodeToken(*in.NextToken, tokenQueryResults)
		if err != nil {
			return nil, err
		}
		if tok.Name != q.id {
			return nil, errInvalidToken()
		}
		offset = tok.Offset
	}
	status, stats, res := s.status(q)
	out := getQueryResultsOutput{QueryLanguage: "CWLI", Results: [][]ResultField{}, Status: status}
	if status != statusScheduled {
		out.Statistics = QueryStatistics{
			RecordsMatched:   stats.RecordsMatched,
			RecordsScanned:   stats.RecordsScanned,
			BytesScanned:     stats.BytesScanned,
			LogGroupsScanned: float64(len(q.groups)),
		}
	}
	if res == nil {
		// A running query has partial results in AWS; the sandbox shows
		// its statistics so far but no rows until it completes
		// (approximation).
		return out, nil
	}
	rows := res.Rows
	if offset > len(rows) {
		offset = len(rows)
	}
	rows = rows[offset:]
	if in.MaxItems != nil && *in.MaxItems > 0 && len(rows) > *in.MaxItems {
		rows = rows[:*in.MaxItems]
		out.NextToken = encodeToken(pageToken{Kind: tokenQueryResults, Name: q.id, Offset: offset + len(rows)})
	}
	for _, row := range rows {
		r := make([]ResultField, len(row))
		for i, f := range row {
			r[i] = ResultField{Field: f.Field, Value: f.Value}
		}
		out.Results = append(out.Results, r)
	}
	return out, nil
}

type queryIDInput struct {
	QueryID string `json:"queryId"`
}

type stopQueryOutput struct {
	Success bool `json:"success"`
}

func (s *Service) stopQuery(ctx context.Context, call *api.Call) (any, error) {
	var in queryIDInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := call.Authorize(ctx, "logs:StopQuery", []string{"*"}, nil); err != nil {
		return nil, err
	}
	q, err := s.lookupQuery(call, in.QueryID)
	if err != nil {
		return nil, err
	}
	if status, _, _ := s.status(q); status != statusScheduled && status != statusRunning {
		// Only a query still in progress can be stopped.
		return stopQueryOutput{Success: false}, nil
	}
	q.mu.Lock()
	q.status, q.result = statusCancelled, nil
	q.mu.Unlock()
	q.cancel()
	return stopQueryOutput{Success: true}, nil
}

type describeQueriesInput struct {
	LogGroupName  string  `json:"logGroupName"`
	Status        string  `json:"status"`
	MaxResults    *int    `json:"maxResults"`
	NextToken     *string `json:"nextToken"`
	QueryLanguage string  `json:"queryLanguage"`
}

// QueryInfo is DescribeQueries' element.
type QueryInfo struct {
	QueryLanguage string `json:"queryLanguage"`
	QueryID       string `json:"queryId"`
	QueryString   string `json:"queryString"`
	Status        string `json:"status"`
	CreateTime    int64  `json:"createTime"`
	LogGroupName  string `json:"logGroupName,omitempty"`
	UserIdentity  string `json:"userIdentity,omitempty"`
}

type describeQueriesOutput struct {
	Queries   []QueryInfo `json:"queries"`
	NextToken string      `json:"nextToken,omitempty"`
}

var queryStatuses = map[string]bool{"Scheduled": true, "Running": true, "Complete": true, "Failed": true, "Cancelled": true, "Timeout": true, "Unknown": true}

func (s *Service) describeQueries(ctx context.Context, call *api.Call) (any, error) {
	var in describeQueriesInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	resource := "*"
	if in.LogGroupName != "" {
		resource = groupARN(call.Region, acct, in.LogGroupName)
	}
	if err := call.Authorize(ctx, "logs:DescribeQueries", []string{resource}, nil); err != nil {
		return nil, err
	}
	if in.LogGroupName != "" {
		if err := validateGroupName("logGroupName", in.LogGroupName); err != nil {
			return nil, err
		}
	}
	if in.Status != "" && !queryStatuses[in.Status] {
		return nil, api.ValidationError("InvalidParameterException", "status", in.Status, "Member must satisfy enum value set: [Scheduled, Running, Complete, Failed, Cancelled, Timeout, Unknown]")
	}
	if err := validateLimit("maxResults", in.MaxResults, 1, 1000); err != nil {
		return nil, err
	}
	limit := valueOr(in.MaxResults, 1000)
	fingerprint := in.LogGroupName + "|" + in.Status + "|" + in.QueryLanguage
	offset := 0
	if in.NextToken != nil {
		tok, err := decodeTokenFor(*in.NextToken, tokenQueries, fingerprint)
		if err != nil {
			return nil, err
		}
		offset = tok.Offset
	}
	s.qmu.Lock()
	s.pruneQueriesLocked(s.now())
	var list []*query
	for _, q := range s.queries {
		if q.region == call.Region && q.account == acct && (in.LogGroupName == "" || containsString(q.groups, in.LogGroupName)) {
			list = append(list, q)
		}
	}
	s.qmu.Unlock()
	if in.QueryLanguage != "" && in.QueryLanguage != "CWLI" {
		list = nil
	}
	// Newest first; the id breaks ties so pages are stable.
	sort.Slice(list, func(i, j int) bool {
		if !list[i].created.Equal(list[j].created) {
			return list[i].created.After(list[j].created)
		}
		return list[i].id < list[j].id
	})
	out := describeQueriesOutput{Queries: []QueryInfo{}}
	matched := 0
	for _, q := range list {
		status, _, _ := s.status(q)
		if in.Status != "" && status != in.Status {
			continue
		}
		matched++
		if matched <= offset {
			continue
		}
		if len(out.Queries) == limit {
			out.NextToken = encodeToken(pageToken{Kind: tokenQueries, Offset: offset + limit, Fingerprint: fingerprint})
			break
		}
		out.Queries = append(out.Queries, QueryInfo{
			QueryLanguage: "CWLI", QueryID: q.id, QueryString: q.queryString, Status: status,
			CreateTime: q.created.UnixMilli(), LogGroupName: q.groups[0], UserIdentity: q.userARN,
		})
	}
	return out, nil
}

// ---- GetLogRecord ----

type getLogRecordInput struct {
	LogRecordPointer string `json:"logRecordPointer"`
	Unmask           bool   `json:"unmask"`
}

type getLogRecordOutput struct {
	LogRecord map[string]string `json:"logRecord"`
}

func (s *Service) getLogRecord(ctx context.Context, call *api.Call) (any, error) {
	var in getLogRecordInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := call.Authorize(ctx, "logs:GetLogRecord", []string{"*"}, nil); err != nil {
		return nil, err
	}
	if in.Unmask {
		if err := call.Authorize(ctx, "logs:Unmask", []string{"*"}, nil); err != nil {
			return nil, err
		}
	}
	if in.LogRecordPointer == "" {
		return nil, missing("logRecordPointer")
	}
	p, ok := decodePtr(in.LogRecordPointer)
	if !ok {
		return nil, invalidParam("The specified logRecordPointer is not valid.")
	}
	notFound := api.Errorf("ResourceNotFoundException", "The specified log record does not exist.")
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.regions[call.Region]
	if r == nil {
		return nil, notFound
	}
	g := r.byID[p.group]
	if g == nil || p.ts < g.cutoff(s.now()) {
		return nil, notFound
	}
	st := g.streamsByID[p.stream]
	if st == nil {
		return nil, notFound
	}
	i := st.lowerBound(p.ts, p.seq)
	if i == len(st.events) || st.events[i].seq != p.seq {
		return nil, notFound
	}
	ev := st.events[i].ev
	// System fields first, then what Insights discovers; timestamps are
	// epoch milliseconds as strings, as GetLogRecord returns them.
	rec := map[string]string{
		"@timestamp":     strconv.FormatInt(ev.Timestamp(), 10),
		"@ingestionTime": strconv.FormatInt(ev.IngestionTime(), 10),
		"@message":       ev.Message(),
		"@logStream":     ev.LogStream(),
		"@log":           ev.LogGroup(),
	}
	for _, f := range ev.DiscoveredFields() {
		if _, exists := rec[f.Field]; !exists {
			rec[f.Field] = f.Value
		}
	}
	return getLogRecordOutput{LogRecord: rec}, nil
}
