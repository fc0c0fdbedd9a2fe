package logs

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
)

// loadTrail delivers the conformance CloudTrail records into group "trail"
// the way the CloudTrail service does, each at its eventTime.
func loadTrail(t *testing.T, h *harness) (first, last time.Time) {
	t.Helper()
	f, err := os.Open("../../insights/testdata/conformance/cloudtrail.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []cloudtrail.DeliveredEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec cloudtrail.Event
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		events = append(events, cloudtrail.DeliveredEvent{Timestamp: rec.Time(), Message: sc.Text()})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	h.createGroup("trail")
	arn := "arn:aws:logs:us-east-1:999999999999:log-group:trail:*"
	if err := h.svc.DeliverTrailEvents(context.Background(), arn, "999999999999_CloudTrail_us-east-1", events); err != nil {
		t.Fatal(err)
	}
	return events[0].Timestamp, events[len(events)-1].Timestamp
}

// runQuery starts a query over [start, end] seconds and returns its
// completed results.
func (h *harness) runQuery(body m) getQueryResultsOutput {
	h.t.Helper()
	var started startQueryOutput
	h.do("StartQuery", body, &started)
	out := h.waitQuery(started.QueryID)
	if out.Status != "Complete" {
		h.t.Fatalf("status %s", out.Status)
	}
	return out
}

// waitQuery polls GetQueryResults, as clients do, until the query is
// neither Scheduled nor Running.
func (h *harness) waitQuery(id string) getQueryResultsOutput {
	h.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var out getQueryResultsOutput
		h.do("GetQueryResults", m{"queryId": id}, &out)
		if out.Status != "Scheduled" && out.Status != "Running" {
			return out
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("query %s still %s after a minute", id, out.Status)
		}
		time.Sleep(time.Millisecond)
	}
}

func column(rows [][]ResultField, field string) []string {
	var out []string
	for _, r := range rows {
		for _, f := range r {
			if f.Field == field {
				out = append(out, f.Value)
			}
		}
	}
	return out
}

func TestLabQueriesOverCloudTrail(t *testing.T) {
	h := newHarness(t, 0)
	first, last := loadTrail(t, h)
	window := m{"logGroupName": "trail", "startTime": first.Unix(), "endTime": last.Unix()}
	with := func(q string) m {
		body := m{"queryString": q}
		for k, v := range window {
			body[k] = v
		}
		return body
	}
	// Expected answers from the fixture table in
	// insights/testdata/conformance/README.md.
	tests := []struct {
		name   string
		query  string
		field  string
		want   []string
		sorted bool
	}{
		{"access denied attempts",
			`filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`,
			"eventName", []string{"UpdateTrail", "UpdateTrail", "ListBuckets", "DescribeInstances", "RunInstances", "ListBuckets", "ListUsers"}, false},
		{"source ip",
			`filter sourceIPAddress = "192.0.2.1" | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`,
			"eventName", []string{"AttachUserPolicy", "CreateAccessKey", "CreateAccessKey", "CreateRole", "CreateRole", "CreateUser", "DescribeInstances", "ListBuckets", "UpdateTrail", "UpdateTrail"}, true},
		{"users and roles created",
			`filter eventName="CreateUser" or eventName = "CreateRole" | fields requestParameters.userName, requestParameters.roleName, responseElements.user.arn, responseElements.role.arn, sourceIPAddress, eventTime, errorCode`,
			"eventTime", []string{"2021-07-29T01:51:00Z", "2021-07-29T01:45:40Z", "2021-07-29T01:45:30Z", "2021-07-29T01:45:00Z"}, false},
		{"list buckets",
			`filter eventName ="ListBuckets"| fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`,
			"sourceIPAddress", []string{"203.0.113.10", "192.0.2.1", "203.0.113.99", "203.0.113.99"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := h.runQuery(with(tc.query))
			got := column(out.Results, tc.field)
			if tc.sorted {
				sort.Strings(got)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if ptrs := column(out.Results, "@ptr"); len(ptrs) != len(out.Results) {
				t.Errorf("%d rows but %d @ptr", len(out.Results), len(ptrs))
			}
			if out.Statistics.RecordsMatched != float64(len(tc.want)) || out.Statistics.RecordsScanned != 33 || out.Statistics.BytesScanned <= 0 {
				t.Errorf("statistics %+v", out.Statistics)
			}
		})
	}

	t.Run("filter-pattern AccessDenied", func(t *testing.T) {
		var out filterLogEventsOutput
		h.do("FilterLogEvents", m{"logGroupName": "trail", "startTime": first.UnixMilli(), "filterPattern": "AccessDenied"}, &out)
		var names []string
		for _, e := range out.Events {
			var rec cloudtrail.Event
			if err := json.Unmarshal([]byte(e.Message), &rec); err != nil {
				t.Fatal(err)
			}
			names = append(names, rec.EventName)
		}
		want := []string{"ListUsers", "ListBuckets", "ListBuckets", "UpdateTrail", "UpdateTrail"}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("got %v, want %v", names, want)
		}
	})

	t.Run("GetLogRecord", func(t *testing.T) {
		out := h.runQuery(with(`filter eventName = "AttachUserPolicy"`))
		ptrs := column(out.Results, "@ptr")
		if len(ptrs) != 1 {
			t.Fatalf("rows %v", out.Results)
		}
		var rec getLogRecordOutput
		h.do("GetLogRecord", m{"logRecordPointer": ptrs[0]}, &rec)
		r := rec.LogRecord
		if r["eventName"] != "AttachUserPolicy" || r["@log"] != "999999999999:trail" || r["@logStream"] != "999999999999_CloudTrail_us-east-1" ||
			r["@timestamp"] != "1627523110000" || !strings.Contains(r["@message"], `"AttachUserPolicy"`) || r["userIdentity.userName"] != "integration" {
			t.Errorf("record %v", r)
		}
		for _, bad := range []string{"!!", "AAAA", encodePtr(recordPtr{group: 999, stream: 1, ts: 1, seq: 1})} {
			if err := h.fail("GetLogRecord", m{"logRecordPointer": bad}); err.Code != "InvalidParameterException" && err.Code != "ResourceNotFoundException" {
				t.Errorf("pointer %q: %v", bad, err)
			}
		}
		h.do("DeleteLogGroup", m{"logGroupName": "trail"}, nil)
		if err := h.fail("GetLogRecord", m{"logRecordPointer": ptrs[0]}); err.Code != "ResourceNotFoundException" {
			t.Errorf("pointer into deleted group: %v", err)
		}
	})
}

func TestVPCFlowLogQuery(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("/irdrill/vpc-flow-logs-default")
	data, err := os.ReadFile("../../insights/testdata/conformance/vpcflow-default.log")
	if err != nil {
		t.Fatal(err)
	}
	byENI := map[string][]InputEvent{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		start, _ := time.Parse(time.RFC3339, "1970-01-01T00:00:00Z")
		sec := mustAtoi(t, f[10])
		byENI[f[2]] = append(byENI[f[2]], InputEvent{Timestamp: start.Add(time.Duration(sec) * time.Second), Message: line})
	}
	for eni, evs := range byENI {
		if err := h.svc.PutEvents(context.Background(), testRegion, "/irdrill/vpc-flow-logs-default", eni+"-all", evs); err != nil {
			t.Fatal(err)
		}
	}
	out := h.runQuery(m{"logGroupNames": []string{"/irdrill/vpc-flow-logs-default"}, "startTime": 1627522800, "endTime": 1627522900,
		"queryString": "filter action=\"REJECT\"\n| stats count(*) as numRejections by srcAddr\n| sort numRejections desc"})
	got := map[string]string{}
	for _, r := range out.Results {
		row := map[string]string{}
		for _, f := range r {
			row[f.Field] = f.Value
		}
		got[row["srcAddr"]] = row["numRejections"]
	}
	want := map[string]string{"10.0.1.5": "3", "192.0.2.1": "2", "10.1.1.1": "1", "203.0.113.99": "1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			t.Fatalf("not a number: %q", s)
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func TestStartQueryTimeBoundsInclusiveSeconds(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	start := baseTime.Add(-time.Hour).Unix()
	end := start + 10
	ms := []int64{start*1000 - 1, start * 1000, end*1000 + 999, end*1000 + 1000}
	h.put("g", "s", ms, []string{"before", "at-start", "last-ms-of-end", "after"})
	out := h.runQuery(m{"logGroupName": "g", "startTime": start, "endTime": end, "queryString": "fields @message | sort @timestamp asc"})
	if got, want := column(out.Results, "@message"), []string{"at-start", "last-ms-of-end"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A one-second window where start == end is valid.
	out = h.runQuery(m{"logGroupName": "g", "startTime": end, "endTime": end, "queryString": "fields @message"})
	if got := column(out.Results, "@message"); !reflect.DeepEqual(got, []string{"last-ms-of-end"}) {
		t.Errorf("start == end: %v", got)
	}
}

func TestStartQueryErrors(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createGroup("h")
	base := func(extra m) m {
		body := m{"startTime": 100, "endTime": 200, "queryString": "fields @message"}
		for k, v := range extra {
			body[k] = v
		}
		return body
	}
	fifty := make([]string, 51)
	for i := range fifty {
		fifty[i] = "g"
	}
	tests := []struct {
		name     string
		body     m
		code     string
		contains string
	}{
		{"no group", base(nil), "InvalidParameterException", "Exactly one"},
		{"two kinds", base(m{"logGroupName": "g", "logGroupNames": []string{"h"}}), "InvalidParameterException", "Exactly one"},
		{"too many groups", base(m{"logGroupNames": fifty}), "InvalidParameterException", "50"},
		{"unknown group", base(m{"logGroupNames": []string{"g", "nope"}}), "ResourceNotFoundException", "nope"},
		{"unknown identifier", base(m{"logGroupIdentifiers": []string{"arn:aws:logs:us-east-1:999999999999:log-group:nope"}}), "ResourceNotFoundException", "nope"},
		{"other account", base(m{"logGroupIdentifiers": []string{"arn:aws:logs:us-east-1:111111111111:log-group:g"}}), "ResourceNotFoundException", "111111111111"},
		{"end before start", base(m{"logGroupName": "g", "startTime": 200, "endTime": 199}), "InvalidParameterException", "End time should not be before the start time"},
		{"missing start", m{"logGroupName": "g", "endTime": 1, "queryString": "fields @message"}, "InvalidParameterException", "startTime"},
		{"missing query", m{"logGroupName": "g", "startTime": 1, "endTime": 1}, "InvalidParameterException", "queryString"},
		{"query too long", base(m{"logGroupName": "g", "queryString": strings.Repeat("x", 10001)}), "InvalidParameterException", "10000"},
		{"limit 0", base(m{"logGroupName": "g", "limit": 0}), "InvalidParameterException", "limit"},
		{"SQL", base(m{"logGroupName": "g", "queryLanguage": "SQL"}), "InvalidParameterException", "not supported by the sandbox"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := h.fail("StartQuery", tc.body)
			if err.Code != tc.code || !strings.Contains(err.Message, tc.contains) {
				t.Errorf("got %v, want %s containing %q", err, tc.code, tc.contains)
			}
		})
	}
}

func TestMalformedQueryLocation(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	tests := []struct {
		name  string
		query string
		start int
		token string
	}{
		{"unknown command", "fields @message | frobnicate x", 18, "frobnicate"},
		{"ML command", "fields @message | pattern @message", 18, "pattern"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := h.invoke("StartQuery", m{"logGroupName": "g", "startTime": 1, "endTime": 2, "queryString": tc.query})
			if err == nil {
				t.Fatalf("accepted: %s", raw)
			}
			var mq *MalformedQueryError
			if !errors.As(err, &mq) {
				t.Fatalf("error %T %v", err, err)
			}
			if apiErr := api.AsError(err); apiErr.Code != "MalformedQueryException" {
				t.Errorf("code %s", apiErr.Code)
			}
			loc := mq.QueryCompileError.Location
			if loc.StartCharOffset != tc.start || loc.EndCharOffset <= loc.StartCharOffset || loc.EndCharOffset > len(tc.query) {
				t.Errorf("location %+v", loc)
			}
			if got := tc.query[loc.StartCharOffset:loc.EndCharOffset]; !strings.HasPrefix(got, tc.token) {
				t.Errorf("location covers %q, want %q", got, tc.token)
			}
			body, _ := json.Marshal(mq.ErrorFields())
			if !strings.Contains(string(body), `"queryCompileError":{"location":{"startCharOffset":18,`) {
				t.Errorf("error fields %s", body)
			}
		})
	}
}

func TestQueryStatusTransitions(t *testing.T) {
	h := newHarness(t, 40*time.Second)
	h.createGroup("g")
	h.createStream("g", "s")
	h.put("g", "s", []int64{nowMS() - 1000}, []string{"hello"})
	start := func() string {
		var out startQueryOutput
		h.do("StartQuery", m{"logGroupName": "g", "startTime": baseTime.Unix() - 60, "endTime": baseTime.Unix(), "queryString": "fields @message"}, &out)
		return out.QueryID
	}
	status := func(id string) getQueryResultsOutput {
		var out getQueryResultsOutput
		h.do("GetQueryResults", m{"queryId": id}, &out)
		return out
	}
	id := start()
	if len(id) != 36 {
		t.Errorf("query id %q", id)
	}
	steps := []struct {
		advance time.Duration
		want    string
		rows    int
	}{
		{0, "Scheduled", 0},
		{20 * time.Second, "Running", 0},
		{20 * time.Second, "Complete", 1},
		{time.Hour, "Complete", 1},
	}
	for _, st := range steps {
		h.clock.Advance(st.advance)
		out := status(id)
		if st.want == "Complete" {
			out = h.waitQuery(id)
		}
		if out.Status != st.want || len(out.Results) != st.rows {
			t.Errorf("after %v: %s with %d rows, want %s with %d", st.advance, out.Status, len(out.Results), st.want, st.rows)
		}
	}

	stopped := start()
	h.clock.Advance(15 * time.Second)
	var stop stopQueryOutput
	h.do("StopQuery", m{"queryId": stopped}, &stop)
	if !stop.Success || status(stopped).Status != "Cancelled" {
		t.Errorf("stop %+v, status %s", stop, status(stopped).Status)
	}
	h.do("StopQuery", m{"queryId": id}, &stop)
	if stop.Success {
		t.Error("stopping a completed query succeeded")
	}

	var described describeQueriesOutput
	h.do("DescribeQueries", m{"logGroupName": "g", "status": "Cancelled"}, &described)
	if len(described.Queries) != 1 || described.Queries[0].QueryID != stopped || described.Queries[0].LogGroupName != "g" ||
		described.Queries[0].QueryString != "fields @message" || described.Queries[0].CreateTime != baseTime.Add(time.Hour+40*time.Second).UnixMilli() {
		t.Errorf("described %+v", described.Queries)
	}
	// Paged, newest first.
	var page1, page2 describeQueriesOutput
	h.do("DescribeQueries", m{"maxResults": 1}, &page1)
	h.do("DescribeQueries", m{"maxResults": 1, "nextToken": page1.NextToken}, &page2)
	if len(page1.Queries) != 1 || len(page2.Queries) != 1 || page1.Queries[0].QueryID != stopped || page2.Queries[0].QueryID != id || page2.NextToken != "" {
		t.Errorf("pages %+v %+v", page1, page2)
	}

	for _, action := range []string{"GetQueryResults", "StopQuery"} {
		if err := h.fail(action, m{"queryId": "00000000-0000-4000-8000-000000000000"}); err.Code != "ResourceNotFoundException" {
			t.Errorf("%s of unknown query: %v", action, err)
		}
	}
}

func TestQueryResultsPaging(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	var ts []int64
	var msgs []string
	for i := 0; i < 25; i++ {
		ts = append(ts, nowMS()-int64(25-i)*1000)
		msgs = append(msgs, "m")
	}
	h.put("g", "s", ts, msgs)
	var started startQueryOutput
	h.do("StartQuery", m{"logGroupName": "g", "startTime": baseTime.Unix() - 60, "endTime": baseTime.Unix(), "queryString": "fields @timestamp"}, &started)
	h.waitQuery(started.QueryID)
	total := 0
	token := ""
	for i := 0; i < 10; i++ {
		body := m{"queryId": started.QueryID, "maxItems": 10}
		if token != "" {
			body["nextToken"] = token
		}
		var out getQueryResultsOutput
		h.do("GetQueryResults", body, &out)
		total += len(out.Results)
		if out.NextToken == "" {
			break
		}
		token = out.NextToken
	}
	if total != 25 {
		t.Errorf("paged %d rows, want 25", total)
	}
}

func TestStartQueryAuthorisesEveryGroup(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("a")
	h.createGroup("b")
	h.authz.checks = nil
	h.do("StartQuery", m{"logGroupIdentifiers": []string{"a", "arn:aws:logs:us-east-1:999999999999:log-group:b"}, "startTime": 1, "endTime": 2, "queryString": "fields @message"}, nil)
	var got []string
	for _, c := range h.authz.checks {
		got = append(got, c.Action+" "+c.Resource)
	}
	want := []string{
		"logs:StartQuery arn:aws:logs:us-east-1:999999999999:log-group:a:*",
		"logs:StartQuery arn:aws:logs:us-east-1:999999999999:log-group:b:*",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checks %v, want %v", got, want)
	}
	h.authz.deny["logs:StartQuery"] = true
	err := h.fail("StartQuery", m{"logGroupName": "a", "startTime": 1, "endTime": 2, "queryString": "fields @message"})
	if err.Code != "AccessDeniedException" || !strings.Contains(err.Message, "log-group:a:*") {
		t.Errorf("denied: %v", err)
	}
}

func TestAuthorisationResources(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	h.createStream("g", "s")
	tests := []struct {
		action   string
		body     m
		resource string
	}{
		{"CreateLogGroup", m{"logGroupName": "n"}, "arn:aws:logs:us-east-1:999999999999:log-group:n:*"},
		{"DescribeLogGroups", m{}, "arn:aws:logs:us-east-1:999999999999:log-group:*"},
		{"PutLogEvents", m{"logGroupName": "g", "logStreamName": "s", "logEvents": []m{{"timestamp": nowMS(), "message": "x"}}}, "arn:aws:logs:us-east-1:999999999999:log-group:g:log-stream:s"},
		{"GetLogEvents", m{"logGroupName": "g", "logStreamName": "s"}, "arn:aws:logs:us-east-1:999999999999:log-group:g:log-stream:s"},
		{"FilterLogEvents", m{"logGroupName": "g"}, "arn:aws:logs:us-east-1:999999999999:log-group:g:*"},
		{"TagResource", m{"resourceArn": "arn:aws:logs:us-east-1:999999999999:log-group:g", "tags": m{"a": "b"}}, "arn:aws:logs:us-east-1:999999999999:log-group:g"},
	}
	for _, tc := range tests {
		t.Run(tc.action, func(t *testing.T) {
			h.authz.deny = map[string]bool{"logs:" + tc.action: true}
			err := h.fail(tc.action, tc.body)
			if err.Code != "AccessDeniedException" || !strings.Contains(err.Message, "on resource: "+tc.resource+" ") {
				t.Errorf("got %v, want denial on %s", err, tc.resource)
			}
		})
	}
	h.authz.deny = map[string]bool{}
	if err := h.fail("NoSuchAction", m{}); err.Code != "UnknownOperationException" {
		t.Errorf("unknown action: %v", err)
	}
}
