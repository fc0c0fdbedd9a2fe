package logs

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/irdrill/irdrill/filterpattern"
	"github.com/irdrill/irdrill/insights"
	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
)

// PutLogEvents limits (API reference).
const (
	maxBatchEvents    = 10000
	maxBatchBytes     = 1048576
	perEventOverhead  = 26
	maxPastAge        = 14 * 24 * time.Hour
	maxFutureSkew     = 2 * time.Hour
	maxBatchSpan      = 24 * time.Hour
	maxResponseEvents = 10000
	// maxResponseBytes caps GetLogEvents and FilterLogEvents pages ("as
	// many log events as can fit in a response size of 1 MB"). Counted as
	// message bytes plus the 26-byte per-event overhead PutLogEvents uses;
	// AWS does not document how it counts (approximation).
	maxResponseBytes = 1048576
)

// InputEvent is one event for in-process ingestion (PutEvents).
type InputEvent struct {
	Timestamp time.Time
	Message   string
}

// ingest stores events (sorted by timestamp, messages non-empty) in a
// stream, creating the stream when create is set.
func (s *Service) ingest(regionName, groupName, streamName string, create bool, ts []int64, msgs []string) (*logStream, error) {
	s.mu.RLock()
	g := s.groupLocked(regionName, groupName)
	var st *logStream
	if g != nil {
		st = g.streams[streamName]
	}
	s.mu.RUnlock()
	if g == nil {
		return nil, errGroupNotFound()
	}
	if st == nil && !create {
		return nil, errStreamNotFound()
	}

	g.ingest.Lock()
	defer g.ingest.Unlock()
	if st == nil {
		s.mu.Lock()
		if !s.groupLiveLocked(regionName, g) {
			s.mu.Unlock()
			return nil, errGroupNotFound()
		}
		if st = g.streams[streamName]; st == nil {
			st = s.addStreamLocked(g, streamName)
		}
		s.mu.Unlock()
	}

	// Index outside the service lock: this is the expensive part.
	now := s.now().UnixMilli()
	batch := make([]stored, len(ts))
	var bytes int64
	seq := g.seq
	for i := range ts {
		seq++
		ptr := encodePtr(recordPtr{group: g.id, stream: st.id, ts: ts[i], seq: seq})
		batch[i] = stored{seq: seq, ev: insights.NewEvent(insights.EventInput{
			Timestamp: ts[i], IngestionTime: now, Message: msgs[i],
			LogStream: st.name, LogGroup: g.logField, Ptr: ptr,
		})}
		bytes += int64(len(msgs[i]))
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.groupLiveLocked(regionName, g) {
		return nil, errGroupNotFound()
	}
	if g.streamsByID[st.id] != st {
		return nil, errStreamNotFound()
	}
	if len(batch) == 0 {
		return st, nil
	}
	g.storedBytes -= st.expireBefore(g.cutoff(s.now()))
	st.insert(batch)
	st.lastSeq = seq
	g.seq = seq
	g.storedBytes += bytes
	return st, nil
}

// groupLiveLocked reports whether g is still the group of its name.
func (s *Service) groupLiveLocked(regionName string, g *logGroup) bool {
	r := s.regions[regionName]
	return r != nil && r.byID[g.id] == g
}

// PutEvents ingests events in-process, for the sandbox's own telemetry
// generators (VPC flow logs, Route 53 resolver logs). The log group must
// exist; the stream is created if needed. Unlike the API it sorts the
// events and applies none of PutLogEvents' batch limits or time window,
// so generators may backfill history; empty messages are skipped because
// AWS cannot store them.
func (s *Service) PutEvents(ctx context.Context, region, logGroupName, logStreamName string, events []InputEvent) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put events into %s: %w", logGroupName, err)
	}
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b InputEvent) int { return a.Timestamp.Compare(b.Timestamp) })
	ts := make([]int64, 0, len(sorted))
	msgs := make([]string, 0, len(sorted))
	for _, e := range sorted {
		if e.Message == "" {
			continue
		}
		ts = append(ts, e.Timestamp.UnixMilli())
		msgs = append(msgs, e.Message)
	}
	if _, err := s.ingest(region, logGroupName, logStreamName, true, ts, msgs); err != nil {
		return fmt.Errorf("put events into %s/%s: %w", logGroupName, logStreamName, err)
	}
	return nil
}

// DeliverTrailEvents implements cloudtrail.LogDeliverer: CloudTrail's
// delivery of records to the log group named by logGroupARN.
func (s *Service) DeliverTrailEvents(ctx context.Context, logGroupARN, logStreamName string, events []cloudtrail.DeliveredEvent) error {
	parts := strings.SplitN(logGroupARN, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" || parts[5] != "log-group" {
		return fmt.Errorf("deliver trail events: %q is not a log group ARN", logGroupARN)
	}
	name := strings.TrimSuffix(parts[6], ":*")
	in := make([]InputEvent, len(events))
	for i, e := range events {
		in[i] = InputEvent{Timestamp: e.Timestamp, Message: e.Message}
	}
	return s.PutEvents(ctx, parts[3], name, logStreamName, in)
}

// ---- PutLogEvents ----

type inputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

type putLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []inputLogEvent `json:"logEvents"`
	SequenceToken *string         `json:"sequenceToken"` // ignored, as AWS now does
}

// RejectedLogEventsInfo reports events PutLogEvents did not store. Both
// end indexes are exclusive (the number of leading events rejected).
type RejectedLogEventsInfo struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

type putLogEventsOutput struct {
	NextSequenceToken     string                 `json:"nextSequenceToken,omitempty"`
	RejectedLogEventsInfo *RejectedLogEventsInfo `json:"rejectedLogEventsInfo,omitempty"`
}

func (s *Service) putLogEvents(ctx context.Context, call *api.Call) (any, error) {
	var in putLogEventsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	if err := call.Authorize(ctx, "logs:PutLogEvents", []string{streamARN(call.Region, acct, in.LogGroupName, in.LogStreamName)}, nil); err != nil {
		return nil, err
	}
	if err := validateStreamPath(in.LogGroupName, in.LogStreamName); err != nil {
		return nil, err
	}
	switch {
	case in.LogEvents == nil:
		return nil, missing("logEvents")
	case len(in.LogEvents) == 0:
		return nil, api.ValidationError("InvalidParameterException", "logEvents", "[]", "Member must have length greater than or equal to 1")
	case len(in.LogEvents) > maxBatchEvents:
		return nil, api.ValidationError("InvalidParameterException", "logEvents", fmt.Sprintf("[%d events]", len(in.LogEvents)), "Member must have length less than or equal to 10000")
	}
	ts := make([]int64, len(in.LogEvents))
	msgs := make([]string, len(in.LogEvents))
	size := 0
	for i, e := range in.LogEvents {
		member := "logEvents." + strconv.Itoa(i+1) + ".member."
		if e.Timestamp == nil {
			return nil, missing(member + "timestamp")
		}
		if e.Message == nil {
			return nil, missing(member + "message")
		}
		if *e.Timestamp < 0 {
			return nil, api.ValidationError("InvalidParameterException", member+"timestamp", strconv.FormatInt(*e.Timestamp, 10), "Member must have value greater than or equal to 0")
		}
		if *e.Message == "" {
			return nil, api.ValidationError("InvalidParameterException", member+"message", "", "Member must have length greater than or equal to 1")
		}
		ts[i], msgs[i] = *e.Timestamp, *e.Message
		// The batch cap also enforces the 1 MB per-event limit: one event
		// of 1 MB plus its overhead is already over it.
		size += len(*e.Message) + perEventOverhead
	}
	if size > maxBatchBytes {
		return nil, invalidParam("Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	for i := 1; i < len(ts); i++ {
		if ts[i] < ts[i-1] {
			// AWS's API reference still requires chronological order and
			// says the call fails otherwise.
			return nil, invalidParam("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}

	s.mu.RLock()
	g := s.groupLocked(call.Region, in.LogGroupName)
	retention := 0
	streamExists := false
	if g != nil {
		retention = g.retention
		_, streamExists = g.streams[in.LogStreamName]
	}
	s.mu.RUnlock()
	if g == nil {
		return nil, errGroupNotFound()
	}
	if !streamExists {
		return nil, errStreamNotFound()
	}

	now := s.now()
	tooOld := now.Add(-maxPastAge).UnixMilli()
	expired := int64(math.MinInt64)
	if retention != 0 {
		expired = now.UnixMilli() - int64(retention)*dayMillis
	}
	tooNew := now.Add(maxFutureSkew).UnixMilli()
	// ts is sorted, so each rejection class is a contiguous run.
	oldEnd, _ := slices.BinarySearchFunc(ts, tooOld, cmp.Compare[int64])
	expEnd, _ := slices.BinarySearchFunc(ts, max(expired, tooOld), cmp.Compare[int64])
	newStart, found := slices.BinarySearchFunc(ts, tooNew, cmp.Compare[int64])
	for found && newStart < len(ts) && ts[newStart] == tooNew {
		newStart++ // exactly 2 hours ahead is still accepted
	}
	if expEnd < newStart && time.Duration(ts[newStart-1]-ts[expEnd])*time.Millisecond > maxBatchSpan {
		return nil, invalidParam("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	st, err := s.ingest(call.Region, in.LogGroupName, in.LogStreamName, false, ts[expEnd:max(expEnd, newStart)], msgs[expEnd:max(expEnd, newStart)])
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	out := putLogEventsOutput{NextSequenceToken: sequenceToken(st.lastSeq)}
	s.mu.RUnlock()
	var rej RejectedLogEventsInfo
	rejected := false
	if oldEnd > 0 {
		rej.TooOldLogEventEndIndex, rejected = &oldEnd, true
	}
	if expEnd > oldEnd {
		rej.ExpiredLogEventEndIndex, rejected = &expEnd, true
	}
	if newStart < len(ts) {
		rej.TooNewLogEventStartIndex, rejected = &newStart, true
	}
	if rejected {
		out.RejectedLogEventsInfo = &rej
	}
	return out, nil
}

// ---- GetLogEvents ----

type getLogEventsInput struct {
	LogGroupName       string  `json:"logGroupName"`
	LogGroupIdentifier string  `json:"logGroupIdentifier"`
	LogStreamName      string  `json:"logStreamName"`
	StartTime          *int64  `json:"startTime"`
	EndTime            *int64  `json:"endTime"`
	NextToken          *string `json:"nextToken"`
	Limit              *int    `json:"limit"`
	StartFromHead      bool    `json:"startFromHead"`
	Unmask             bool    `json:"unmask"`
}

// OutputLogEvent is GetLogEvents' element.
type OutputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getLogEventsOutput struct {
	Events            []OutputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

func (s *Service) getLogEvents(ctx context.Context, call *api.Call) (any, error) {
	var in getLogEventsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	groupForARN := cmp.Or(in.LogGroupName, identifierName(in.LogGroupIdentifier))
	if err := call.Authorize(ctx, "logs:GetLogEvents", []string{streamARN(call.Region, acct, groupForARN, in.LogStreamName)}, nil); err != nil {
		return nil, err
	}
	if in.Unmask {
		if err := call.Authorize(ctx, "logs:Unmask", []string{groupARN(call.Region, acct, groupForARN)}, nil); err != nil {
			return nil, err
		}
	}
	name, err := resolveIdentifier(call, acct, in.LogGroupName, in.LogGroupIdentifier, "logGroupName")
	if err != nil {
		return nil, err
	}
	if err := validateStreamName("logStreamName", in.LogStreamName, true); err != nil {
		return nil, err
	}
	if err := validateLimit("limit", in.Limit, 1, maxResponseEvents); err != nil {
		return nil, err
	}
	if err := validateTimes(in.StartTime, in.EndTime); err != nil {
		return nil, err
	}
	limit := valueOr(in.Limit, maxResponseEvents)
	var (
		dir    byte = 'b'
		cursor *eventKey
	)
	if in.StartFromHead {
		dir = 'f'
	}
	if in.NextToken != nil {
		d, k, err := parseStreamToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		dir, cursor = d, &k
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.existingGroupLocked(call.Region, name)
	if err != nil {
		return nil, err
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, errStreamNotFound()
	}
	// Start is inclusive, end exclusive (API reference).
	lo := g.cutoff(s.now())
	if in.StartTime != nil {
		lo = max(lo, *in.StartTime)
	}
	hi := int64(math.MaxInt64)
	if in.EndTime != nil {
		hi = *in.EndTime
	}
	i0 := st.lowerBound(lo, 0)
	i1 := st.lowerBound(hi, 0)
	var from, to int
	if dir == 'f' {
		from = i0
		if cursor != nil {
			// after the cursor event: first key > (ts, seq)
			from = max(from, st.lowerBound(cursor.ts, cursor.seq+1))
		}
		to = from
		size := 0
		for to < i1 && to-from < limit {
			size += len(st.events[to].ev.Message()) + perEventOverhead
			if size > maxResponseBytes && to > from {
				break
			}
			to++
		}
	} else {
		to = i1
		if cursor != nil {
			to = min(to, st.lowerBound(cursor.ts, cursor.seq))
		}
		to = max(to, i0)
		from = to
		size := 0
		for from > i0 && to-from < limit {
			size += len(st.events[from-1].ev.Message()) + perEventOverhead
			if size > maxResponseBytes && from < to {
				break
			}
			from--
		}
	}
	out := getLogEventsOutput{Events: make([]OutputLogEvent, 0, to-from)}
	for _, e := range st.events[from:to] {
		out.Events = append(out.Events, OutputLogEvent{Timestamp: e.ts(), Message: e.ev.Message(), IngestionTime: e.ev.IngestionTime()})
	}
	switch {
	case to > from:
		first, last := st.events[from], st.events[to-1]
		out.NextForwardToken = formatStreamToken('f', eventKey{last.ts(), last.seq})
		out.NextBackwardToken = formatStreamToken('b', eventKey{first.ts(), first.seq})
	case cursor != nil && dir == 'f':
		// At the end of the stream AWS hands the same token back; going
		// backward from here starts with the cursor event itself.
		out.NextForwardToken = *in.NextToken
		out.NextBackwardToken = formatStreamToken('b', eventKey{cursor.ts, cursor.seq + 1})
	case cursor != nil:
		out.NextBackwardToken = *in.NextToken
		prev := cursor.seq
		if prev > 0 {
			prev--
		}
		out.NextForwardToken = formatStreamToken('f', eventKey{cursor.ts, prev})
	default:
		out.NextForwardToken = formatStreamToken('f', eventKey{})
		out.NextBackwardToken = formatStreamToken('b', eventKey{})
	}
	return out, nil
}

func validateTimes(start, end *int64) error {
	if start != nil && *start < 0 {
		return api.ValidationError("InvalidParameterException", "startTime", strconv.FormatInt(*start, 10), "Member must have value greater than or equal to 0")
	}
	if end != nil && *end < 0 {
		return api.ValidationError("InvalidParameterException", "endTime", strconv.FormatInt(*end, 10), "Member must have value greater than or equal to 0")
	}
	return nil
}

// ---- FilterLogEvents ----

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       *string  `json:"filterPattern"`
	NextToken           *string  `json:"nextToken"`
	Limit               *int     `json:"limit"`
	Interleaved         *bool    `json:"interleaved"` // ignored since 2019, as AWS
	Unmask              bool     `json:"unmask"`
}

// FilteredLogEvent is FilterLogEvents' element.
type FilteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type filterLogEventsOutput struct {
	Events []FilteredLogEvent `json:"events"`
	// SearchedLogStreams has been an always-empty list since 2020.
	SearchedLogStreams []struct{} `json:"searchedLogStreams"`
	NextToken          string     `json:"nextToken,omitempty"`
}

// streamCursor walks one stream's events in a k-way merge.
type streamCursor struct {
	st     *logStream
	i, end int
}

type cursorHeap []*streamCursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(a, b int) bool {
	ea, eb := h[a].st.events[h[a].i], h[b].st.events[h[b].i]
	return ea.before(eb.ts(), eb.seq)
}
func (h cursorHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*streamCursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (s *Service) filterLogEvents(ctx context.Context, call *api.Call) (any, error) {
	var in filterLogEventsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	groupForARN := cmp.Or(in.LogGroupName, identifierName(in.LogGroupIdentifier))
	if err := call.Authorize(ctx, "logs:FilterLogEvents", []string{groupARN(call.Region, acct, groupForARN)}, nil); err != nil {
		return nil, err
	}
	if in.Unmask {
		if err := call.Authorize(ctx, "logs:Unmask", []string{groupARN(call.Region, acct, groupForARN)}, nil); err != nil {
			return nil, err
		}
	}
	name, err := resolveIdentifier(call, acct, in.LogGroupName, in.LogGroupIdentifier, "logGroupName")
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && in.LogStreamNamePrefix != "" {
		return nil, invalidParam("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	if in.LogStreamNames != nil && (len(in.LogStreamNames) == 0 || len(in.LogStreamNames) > 100) {
		return nil, api.ValidationError("InvalidParameterException", "logStreamNames", fmt.Sprint(in.LogStreamNames), "Member must have length between 1 and 100")
	}
	for _, n := range in.LogStreamNames {
		if err := validateStreamName("logStreamNames", n, true); err != nil {
			return nil, err
		}
	}
	if err := validateStreamName("logStreamNamePrefix", in.LogStreamNamePrefix, false); err != nil {
		return nil, err
	}
	if err := validateLimit("limit", in.Limit, 1, maxResponseEvents); err != nil {
		return nil, err
	}
	if err := validateTimes(in.StartTime, in.EndTime); err != nil {
		return nil, err
	}
	pattern := ""
	if in.FilterPattern != nil {
		pattern = *in.FilterPattern
	}
	if len(pattern) > filterpattern.MaxPatternLength*4 {
		return nil, api.ValidationError("InvalidParameterException", "filterPattern", pattern, "Member must have length less than or equal to 1024")
	}
	pat, err := filterpattern.Parse(pattern)
	if err != nil {
		// The error text starts with AWS's "Invalid filter pattern" and
		// adds the reason and position AWS leaves out.
		return nil, invalidParam("%s", err.Error())
	}
	limit := valueOr(in.Limit, maxResponseEvents)

	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.existingGroupLocked(call.Region, name)
	if err != nil {
		return nil, err
	}
	fingerprint := fmt.Sprintf("%d|%q|%q|%q|%v|%v", g.id, pattern, in.LogStreamNames, in.LogStreamNamePrefix, deref(in.StartTime), deref(in.EndTime))
	// The first page fixes the set of events the pagination walks (those
	// ingested so far), so pages neither skip nor repeat events however
	// much is ingested meanwhile; the cursor is the last event returned.
	tok := pageToken{Kind: tokenFilter, Max: g.seq, Fingerprint: fingerprint, TS: math.MinInt64}
	if in.NextToken != nil {
		t, err := decodeTokenFor(*in.NextToken, tokenFilter, fingerprint)
		if err != nil {
			return nil, err
		}
		tok = t
	}
	var streams []*logStream
	if in.LogStreamNames != nil {
		for _, n := range in.LogStreamNames {
			st := g.streams[n]
			if st == nil {
				return nil, errStreamNotFound()
			}
			if !slices.Contains(streams, st) {
				streams = append(streams, st)
			}
		}
	} else {
		for _, st := range g.streams {
			if strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
				streams = append(streams, st)
			}
		}
	}
	// Both bounds are inclusive: "Events with a timestamp before this time
	// are not returned" / "later than this time are not returned".
	lo := g.cutoff(s.now())
	if in.StartTime != nil {
		lo = max(lo, *in.StartTime)
	}
	hi := int64(math.MaxInt64)
	if in.EndTime != nil && *in.EndTime < math.MaxInt64 {
		hi = *in.EndTime + 1
	}
	h := make(cursorHeap, 0, len(streams))
	for _, st := range streams {
		start := st.lowerBound(lo, 0)
		if in.NextToken != nil {
			start = max(start, st.lowerBound(tok.TS, tok.Seq+1))
		}
		c := &streamCursor{st: st, i: start, end: st.lowerBound(hi, 0)}
		if c.i < c.end {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	out := filterLogEventsOutput{Events: []FilteredLogEvent{}, SearchedLogStreams: []struct{}{}}
	size := 0
	var last *stored
	for h.Len() > 0 {
		c := h[0]
		e := c.st.events[c.i]
		if len(out.Events) == limit || (size+len(e.ev.Message())+perEventOverhead > maxResponseBytes && len(out.Events) > 0) {
			out.NextToken = encodeToken(pageToken{Kind: tokenFilter, TS: last.ts(), Seq: last.seq, Max: tok.Max, Fingerprint: fingerprint})
			break
		}
		c.i++
		if c.i == c.end {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
		if e.seq > tok.Max || !pat.Match(e.ev.Message()) {
			continue
		}
		size += len(e.ev.Message()) + perEventOverhead
		out.Events = append(out.Events, FilteredLogEvent{
			LogStreamName: c.st.name, Timestamp: e.ts(), Message: e.ev.Message(),
			IngestionTime: e.ev.IngestionTime(), EventID: eventID(e.ts(), e.seq),
		})
		last = &e
		if ctx.Err() != nil {
			return nil, fmt.Errorf("filter log events: %w", ctx.Err())
		}
	}
	return out, nil
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
