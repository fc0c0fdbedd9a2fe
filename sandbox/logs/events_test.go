package logs

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const hour = int64(time.Hour / time.Millisecond)

func TestPutLogEventsValidation(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	now := nowMS()
	ev := func(ts int64, msg string) m { return m{"timestamp": ts, "message": msg} }
	many := make([]m, 10001)
	for i := range many {
		many[i] = ev(now, "x")
	}
	big := strings.Repeat("x", 1048576-26)
	tests := []struct {
		name     string
		body     m
		code     string
		contains string
	}{
		{"no events", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{}}, "InvalidParameterException", "greater than or equal to 1"},
		{"null events", m{"logGroupName": "g", "logStreamName": "s"}, "InvalidParameterException", "logEvents"},
		{"too many events", m{"logGroupName": "g", "logStreamName": "s", "logEvents": many}, "InvalidParameterException", "less than or equal to 10000"},
		{"empty message", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{ev(now, "")}}, "InvalidParameterException", "logEvents.1.member.message"},
		{"missing timestamp", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"message": "x"}}}, "InvalidParameterException", "timestamp"},
		{"batch too large", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{ev(now, big), ev(now, "y")}}, "InvalidParameterException", "Upload too large: 1048603 bytes exceeds limit of 1048576"},
		{"out of order", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{ev(now, "b"), ev(now-1, "a")}}, "InvalidParameterException", "chronological order"},
		{"span over 24h", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{ev(now-25*hour, "a"), ev(now, "b")}}, "InvalidParameterException", "cannot span more than 24 hours"},
		{"missing stream", m{"logGroupName": "g", "logStreamName": "nope", "logEvents": []m{ev(now, "a")}}, "ResourceNotFoundException", "The specified log stream does not exist."},
		{"missing group", m{"logGroupName": "nope", "logStreamName": "s", "logEvents": []m{ev(now, "a")}}, "ResourceNotFoundException", "The specified log group does not exist."},
		{"bad stream name", m{"logGroupName": "g", "logStreamName": "a:b", "logEvents": []m{ev(now, "a")}}, "InvalidParameterException", "[^:*]*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := h.fail("PutLogEvents", tc.body)
			if err.Code != tc.code || !strings.Contains(err.Message, tc.contains) {
				t.Errorf("got %s: %s, want %s containing %q", err.Code, err.Message, tc.code, tc.contains)
			}
		})
	}
	// Exactly at the limits is accepted: one event filling the batch, and
	// a span of exactly 24 hours.
	h.put("g", "s", []int64{now}, []string{big})
	h.put("g", "s", []int64{now - 24*hour, now}, []string{"a", "b"})
	// The sequence token is ignored, as AWS now does.
	h.do("PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "sequenceToken": "bogus", "logEvents": []m{ev(now, "c")}}, nil)
}

func TestPutLogEventsRejections(t *testing.T) {
	now := nowMS()
	day := 24 * hour
	tests := []struct {
		name      string
		retention int
		ts        []int64
		want      *RejectedLogEventsInfo
		stored    []int64
	}{
		{"all fine", 0, []int64{now - hour, now, now + 2*hour}, nil, []int64{now - hour, now, now + 2*hour}},
		{"too old", 0, []int64{now - 14*day - 1, now - 14*day - 1, now - 14*day + 1}, &RejectedLogEventsInfo{TooOldLogEventEndIndex: ip(2)}, []int64{now - 14*day + 1}},
		{"too new", 0, []int64{now, now + 2*hour + 1, now + 3*hour}, &RejectedLogEventsInfo{TooNewLogEventStartIndex: ip(1)}, []int64{now}},
		{"expired by retention", 1, []int64{now - 2*day, now - day - 1, now - day, now}, &RejectedLogEventsInfo{ExpiredLogEventEndIndex: ip(2)}, []int64{now - day, now}},
		{"old, expired and new", 3, []int64{now - 15*day, now - 4*day, now - 2*day, now + 5*hour}, &RejectedLogEventsInfo{TooOldLogEventEndIndex: ip(1), ExpiredLogEventEndIndex: ip(2), TooNewLogEventStartIndex: ip(3)}, []int64{now - 2*day}},
		// Rejected events do not count towards the 24-hour span.
		{"span over valid events only", 0, []int64{now - 15*day, now - 23*hour, now}, &RejectedLogEventsInfo{TooOldLogEventEndIndex: ip(1)}, []int64{now - 23*hour, now}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, 0)
			h.createGroup("g")
			h.createStream("g", "s")
			if tc.retention != 0 {
				h.do("PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": tc.retention}, nil)
			}
			msgs := make([]string, len(tc.ts))
			for i := range msgs {
				msgs[i] = fmt.Sprintf("e%d", i)
			}
			out := h.put("g", "s", tc.ts, msgs)
			if !reflect.DeepEqual(out.RejectedLogEventsInfo, tc.want) {
				t.Errorf("rejected %s, want %s", show(out.RejectedLogEventsInfo), show(tc.want))
			}
			if out.NextSequenceToken == "" {
				t.Error("no nextSequenceToken")
			}
			var got getLogEventsOutput
			h.do("GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true}, &got)
			var ts []int64
			for _, e := range got.Events {
				ts = append(ts, e.Timestamp)
			}
			if !reflect.DeepEqual(ts, tc.stored) {
				t.Errorf("stored %v, want %v", ts, tc.stored)
			}
		})
	}
}

func ip(i int) *int { return &i }

func show(r *RejectedLogEventsInfo) string {
	if r == nil {
		return "nil"
	}
	f := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("{old %s expired %s new %s}", f(r.TooOldLogEventEndIndex), f(r.ExpiredLogEventEndIndex), f(r.TooNewLogEventStartIndex))
}

func TestDescribeLogStreams(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	now := nowMS()
	// Streams named so that name order and last-event order differ.
	for i, name := range []string{"c", "a", "d", "b"} {
		h.createStream("g", name)
		h.put("g", name, []int64{now - int64(10-i)*1000, now - int64(5-i)*1000}, []string{"x", "y"})
	}
	h.createStream("g", "empty")
	list := func(body m) []string {
		body["logGroupName"] = "g"
		var all []string
		for page := 0; page < 10; page++ {
			var out describeLogStreamsOutput
			h.do("DescribeLogStreams", body, &out)
			for _, s := range out.LogStreams {
				all = append(all, s.LogStreamName)
			}
			if out.NextToken == "" {
				return all
			}
			body["nextToken"] = out.NextToken
		}
		t.Fatal("pagination does not end")
		return nil
	}
	tests := []struct {
		name string
		body m
		want []string
	}{
		{"by name", m{}, []string{"a", "b", "c", "d", "empty"}},
		{"by name, paged", m{"limit": 2}, []string{"a", "b", "c", "d", "empty"}},
		{"by name desc", m{"descending": true, "limit": 3}, []string{"empty", "d", "c", "b", "a"}},
		{"prefix", m{"logStreamNamePrefix": "e"}, []string{"empty"}},
		{"by last event time", m{"orderBy": "LastEventTime", "limit": 1}, []string{"empty", "c", "a", "d", "b"}},
		{"by last event time desc", m{"orderBy": "LastEventTime", "descending": true}, []string{"b", "d", "a", "c", "empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := list(tc.body); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("fields", func(t *testing.T) {
		var out describeLogStreamsOutput
		h.do("DescribeLogStreams", m{"logGroupIdentifier": "arn:aws:logs:us-east-1:999999999999:log-group:g", "logStreamNamePrefix": "a"}, &out)
		s := out.LogStreams[0]
		if s.Arn != "arn:aws:logs:us-east-1:999999999999:log-group:g:log-stream:a" || s.StoredBytes != 0 ||
			*s.FirstEventTimestamp != now-9000 || *s.LastEventTimestamp != now-4000 || *s.LastIngestionTime != now || s.UploadSequenceToken == "" {
			t.Errorf("stream %+v", s)
		}
	})
	errs := []struct {
		name string
		body m
		code string
	}{
		{"prefix with LastEventTime", m{"logGroupName": "g", "orderBy": "LastEventTime", "logStreamNamePrefix": "a"}, "InvalidParameterException"},
		{"bad order", m{"logGroupName": "g", "orderBy": "Size"}, "InvalidParameterException"},
		{"name and identifier", m{"logGroupName": "g", "logGroupIdentifier": "g"}, "InvalidParameterException"},
		{"missing group", m{"logGroupName": "nope"}, "ResourceNotFoundException"},
		{"token from other query", m{"logGroupName": "g", "nextToken": encodeToken(pageToken{Kind: tokenDescribeStreams, Fingerprint: "other"})}, "InvalidParameterException"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			if err := h.fail("DescribeLogStreams", tc.body); err.Code != tc.code {
				t.Errorf("got %v, want %s", err, tc.code)
			}
		})
	}
}

func TestLogStreamLifecycle(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	if err := h.fail("CreateLogStream", m{"logGroupName": "g", "logStreamName": "s"}); err.Code != "ResourceAlreadyExistsException" {
		t.Errorf("duplicate: %v", err)
	}
	if err := h.fail("CreateLogStream", m{"logGroupName": "nope", "logStreamName": "s"}); err.Code != "ResourceNotFoundException" {
		t.Errorf("missing group: %v", err)
	}
	h.do("DeleteLogStream", m{"logGroupName": "g", "logStreamName": "s"}, nil)
	if err := h.fail("DeleteLogStream", m{"logGroupName": "g", "logStreamName": "s"}); err.Message != "The specified log stream does not exist." {
		t.Errorf("second delete: %v", err)
	}
}

// streamWith creates group g, stream s and events at the given times with
// messages "m<ts>".
func streamWith(t *testing.T, ts ...int64) *harness {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	msgs := make([]string, len(ts))
	for i, x := range ts {
		msgs[i] = fmt.Sprintf("m%d", x-nowMS())
	}
	h.put("g", "s", ts, msgs)
	return h
}

func messages(events []OutputLogEvent) []string {
	out := []string{}
	for _, e := range events {
		out = append(out, e.Message)
	}
	return out
}

func TestGetLogEventsTimeBounds(t *testing.T) {
	now := nowMS()
	h := streamWith(t, now-3000, now-2000, now-1000, now)
	tests := []struct {
		name string
		body m
		want []string
	}{
		{"newest first page by default", m{"limit": 2}, []string{"m-1000", "m0"}},
		{"from head", m{"limit": 2, "startFromHead": true}, []string{"m-3000", "m-2000"}},
		{"start inclusive", m{"startTime": now - 2000, "startFromHead": true}, []string{"m-2000", "m-1000", "m0"}},
		{"end exclusive", m{"endTime": now - 1000, "startFromHead": true}, []string{"m-3000", "m-2000"}},
		{"both", m{"startTime": now - 2000, "endTime": now}, []string{"m-2000", "m-1000"}},
		{"empty window", m{"startTime": now - 2000, "endTime": now - 2000}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.body["logGroupName"], tc.body["logStreamName"] = "g", "s"
			var out getLogEventsOutput
			h.do("GetLogEvents", tc.body, &out)
			if got := messages(out.Events); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestGetLogEventsTokens(t *testing.T) {
	now := nowMS()
	var ts []int64
	for i := int64(0); i < 7; i++ {
		ts = append(ts, now-7000+i*1000)
	}
	h := streamWith(t, ts...)
	get := func(body m) getLogEventsOutput {
		body["logGroupName"], body["logStreamName"], body["limit"] = "g", "s", 3
		var out getLogEventsOutput
		h.do("GetLogEvents", body, &out)
		return out
	}
	// Forward from the head until the same token comes back.
	var fwd []string
	out := get(m{"startFromHead": true})
	fwd = append(fwd, messages(out.Events)...)
	for i := 0; ; i++ {
		next := get(m{"startFromHead": true, "nextToken": out.NextForwardToken})
		fwd = append(fwd, messages(next.Events)...)
		if next.NextForwardToken == out.NextForwardToken {
			if len(next.Events) != 0 {
				t.Errorf("same token returned with events %v", messages(next.Events))
			}
			break
		}
		out = next
		if i > 5 {
			t.Fatal("forward paging does not end")
		}
	}
	want := []string{"m-7000", "m-6000", "m-5000", "m-4000", "m-3000", "m-2000", "m-1000"}
	if !reflect.DeepEqual(fwd, want) {
		t.Errorf("forward %v, want %v", fwd, want)
	}
	// New events appear on the forward token at the end.
	h.put("g", "s", []int64{now}, []string{"m0"})
	if got := messages(get(m{"nextToken": out.NextForwardToken}).Events); !reflect.DeepEqual(got, []string{"m0"}) {
		t.Errorf("after new event %v", got)
	}

	// Backward from the tail; each page is still in ascending order.
	var pages [][]string
	var atHead getLogEventsOutput
	out = get(m{})
	pages = append(pages, messages(out.Events))
	for i := 0; ; i++ {
		prev := get(m{"nextToken": out.NextBackwardToken})
		if prev.NextBackwardToken == out.NextBackwardToken {
			atHead = prev
			break
		}
		pages = append(pages, messages(prev.Events))
		out = prev
		if i > 5 {
			t.Fatal("backward paging does not end")
		}
	}
	wantPages := [][]string{{"m-2000", "m-1000", "m0"}, {"m-5000", "m-4000", "m-3000"}, {"m-7000", "m-6000"}}
	if !reflect.DeepEqual(pages, wantPages) {
		t.Errorf("backward %v, want %v", pages, wantPages)
	}
	// Forward from the last backward page continues after it; forward
	// from the empty page at the head starts with the head itself.
	if got := messages(get(m{"nextToken": out.NextForwardToken}).Events); !reflect.DeepEqual(got, []string{"m-5000", "m-4000", "m-3000"}) {
		t.Errorf("forward from head page %v", got)
	}
	if got := messages(get(m{"nextToken": atHead.NextForwardToken}).Events); !reflect.DeepEqual(got, []string{"m-7000", "m-6000", "m-5000"}) {
		t.Errorf("forward from the empty page at the head %v", got)
	}

	for _, bad := range []string{"x", "f/123", "b/" + strings.Repeat("9", 56), "q/" + strings.Repeat("0", 56)} {
		if err := h.fail("GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "nextToken": bad}); err.Code != "InvalidParameterException" {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestGetLogEventsEmptyStream(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	var out getLogEventsOutput
	h.do("GetLogEvents", m{"logGroupIdentifier": "g", "logStreamName": "s"}, &out)
	if len(out.Events) != 0 || !strings.HasPrefix(out.NextForwardToken, "f/") || !strings.HasPrefix(out.NextBackwardToken, "b/") {
		t.Errorf("empty stream %+v", out)
	}
	if err := h.fail("GetLogEvents", m{"logGroupName": "g", "logStreamName": "nope"}); err.Code != "ResourceNotFoundException" {
		t.Errorf("missing stream %v", err)
	}
}

func TestFilterLogEventsPagination(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	now := nowMS()
	streams := []string{"s1", "s2", "s3"}
	type key struct {
		stream string
		msg    string
	}
	want := map[key]bool{}
	var order []key
	// Interleaved timestamps with many ties across streams.
	for batch := 0; batch < 5; batch++ {
		for si, s := range streams {
			if batch == 0 {
				h.createStream("g", s)
			}
			var ts []int64
			var msgs []string
			for i := 0; i < 400; i++ {
				ts = append(ts, now-hour+int64(batch*400+i)/3*10)
				msgs = append(msgs, fmt.Sprintf("%s-%d-%d match=%t", s, batch, i, (i+si)%2 == 0))
			}
			h.put("g", s, ts, msgs)
		}
	}
	// The expected order: timestamp, then ingestion order.
	var all []FilteredLogEvent
	h.do("FilterLogEvents", m{"logGroupName": "g"}, &struct {
		Events *[]FilteredLogEvent `json:"events"`
	}{&all})
	if len(all) != 6000 {
		t.Fatalf("unpaged got %d events", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Timestamp < all[i-1].Timestamp || all[i].EventID <= all[i-1].EventID {
			t.Fatalf("events %d and %d out of order", i-1, i)
		}
	}
	for _, e := range all {
		if strings.HasSuffix(e.Message, "match=true") {
			k := key{e.LogStreamName, e.Message}
			want[k] = true
			order = append(order, k)
		}
	}

	var got []key
	seen := map[key]bool{}
	token := ""
	for pages := 0; ; pages++ {
		body := m{"logGroupName": "g", "filterPattern": `"match=true"`, "limit": 137}
		if token != "" {
			body["nextToken"] = token
		}
		var out filterLogEventsOutput
		h.do("FilterLogEvents", body, &out)
		if len(out.Events) > 137 {
			t.Fatalf("page of %d events", len(out.Events))
		}
		for _, e := range out.Events {
			k := key{e.LogStreamName, e.Message}
			if seen[k] {
				t.Fatalf("event %v repeated", k)
			}
			seen[k] = true
			got = append(got, k)
		}
		// Events added between pages, before and after the cursor, do not
		// disturb the pagination.
		if pages == 3 {
			h.put("g", "s1", []int64{now - hour, now}, []string{"late-early match=true", "late-new match=true"})
		}
		if out.NextToken == "" {
			break
		}
		token = out.NextToken
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
	}
	if !reflect.DeepEqual(got, order) {
		t.Errorf("paged %d events, want %d in order", len(got), len(order))
	}
}

func TestFilterLogEventsBoundsAndFilters(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	now := nowMS()
	for _, s := range []string{"web-1", "web-2", "db-1"} {
		h.createStream("g", s)
		h.put("g", s, []int64{now - 2000, now - 1000, now}, []string{s + " a", s + " b", s + " c"})
	}
	msgs := func(body m) []string {
		body["logGroupName"] = "g"
		var out filterLogEventsOutput
		h.do("FilterLogEvents", body, &out)
		if out.SearchedLogStreams == nil {
			t.Error("searchedLogStreams missing")
		}
		got := []string{}
		for _, e := range out.Events {
			got = append(got, e.Message)
		}
		return got
	}
	tests := []struct {
		name string
		body m
		want []string
	}{
		{"start and end inclusive", m{"startTime": now - 1000, "endTime": now - 1000, "logStreamNames": []string{"web-1"}}, []string{"web-1 b"}},
		{"start inclusive", m{"startTime": now, "logStreamNamePrefix": "web"}, []string{"web-1 c", "web-2 c"}},
		{"end inclusive", m{"endTime": now - 2000, "logStreamNames": []string{"db-1", "web-2"}}, []string{"web-2 a", "db-1 a"}},
		{"pattern", m{"filterPattern": "db-1 -a"}, []string{"db-1 b", "db-1 c"}},
		{"limit", m{"limit": 2}, []string{"web-1 a", "web-2 a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := msgs(tc.body); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	errs := []struct {
		name     string
		body     m
		code     string
		contains string
	}{
		{"names and prefix", m{"logGroupName": "g", "logStreamNames": []string{"web-1"}, "logStreamNamePrefix": "w"}, "InvalidParameterException", "mutually exclusive"},
		{"invalid pattern", m{"logGroupName": "g", "filterPattern": "{ $.x = "}, "InvalidParameterException", "Invalid filter pattern"},
		{"limit", m{"logGroupName": "g", "limit": 10001}, "InvalidParameterException", "10000"},
		{"missing group", m{"logGroupName": "nope"}, "ResourceNotFoundException", "log group"},
		{"missing stream", m{"logGroupName": "g", "logStreamNames": []string{"nope"}}, "ResourceNotFoundException", "log stream"},
		{"token of other filter", m{"logGroupName": "g", "nextToken": encodeToken(pageToken{Kind: tokenFilter, Fingerprint: "x"})}, "InvalidParameterException", "nextToken"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			err := h.fail("FilterLogEvents", tc.body)
			if err.Code != tc.code || !strings.Contains(err.Message, tc.contains) {
				t.Errorf("got %v, want %s containing %q", err, tc.code, tc.contains)
			}
		})
	}
}

func TestRetentionHidesOldEvents(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	now := nowMS()
	h.put("g", "s", []int64{now - 3*hour, now}, []string{"old", "new"})
	h.do("PutRetentionPolicy", m{"logGroupName": "g", "retentionInDays": 1}, nil)
	visible := func() []string {
		var out getLogEventsOutput
		h.do("GetLogEvents", m{"logGroupName": "g", "logStreamName": "s", "startFromHead": true}, &out)
		var f filterLogEventsOutput
		h.do("FilterLogEvents", m{"logGroupName": "g"}, &f)
		got := messages(out.Events)
		if len(f.Events) != len(got) {
			t.Errorf("GetLogEvents sees %v but FilterLogEvents %d events", got, len(f.Events))
		}
		return got
	}
	if got := visible(); !reflect.DeepEqual(got, []string{"old", "new"}) {
		t.Fatalf("before expiry %v", got)
	}
	h.clock.Advance(22 * time.Hour) // "old" is now 25 hours old
	if got := visible(); !reflect.DeepEqual(got, []string{"new"}) {
		t.Errorf("after expiry %v", got)
	}
	// Removing the policy does not bring expired events back.
	h.do("DeleteRetentionPolicy", m{"logGroupName": "g"}, nil)
	if got := visible(); !reflect.DeepEqual(got, []string{"new"}) {
		t.Errorf("after DeleteRetentionPolicy %v", got)
	}
}

func TestPutEventsAndTrailDelivery(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("trail")
	ctx := context.Background()
	base := baseTime.Add(-time.Minute)
	// Out of order in-process events are sorted, empty messages skipped.
	err := h.svc.PutEvents(ctx, testRegion, "trail", "flow", []InputEvent{
		{Timestamp: base.Add(2 * time.Second), Message: "second"},
		{Timestamp: base, Message: "first"},
		{Timestamp: base, Message: ""},
	})
	if err != nil {
		t.Fatal(err)
	}
	var out getLogEventsOutput
	h.do("GetLogEvents", m{"logGroupName": "trail", "logStreamName": "flow", "startFromHead": true}, &out)
	if got := messages(out.Events); !reflect.DeepEqual(got, []string{"first", "second"}) {
		t.Errorf("PutEvents stored %v", got)
	}
	if err := h.svc.PutEvents(ctx, testRegion, "nope", "s", nil); err == nil {
		t.Error("PutEvents into a missing group succeeded")
	}
	if err := h.svc.PutEvents(ctx, "eu-west-1", "trail", "s", nil); err == nil {
		t.Error("PutEvents into another region's group succeeded")
	}
}
