package insights

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

var ctEvents = testEvents(
	`{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied","status":"200","bytes":10,"ip":"10.0.0.1"}`,
	`{"eventName":"CreateUser","eventSource":"iam.amazonaws.com","status":200,"bytes":20,"ip":"10.0.0.2"}`,
	`{"eventName":"ListBuckets","eventSource":"s3.amazonaws.com","status":"404","bytes":"30","ip":"10.0.0.1"}`,
	`{"eventName":"RunInstances","eventSource":"ec2.amazonaws.com","errorCode":"Client.UnauthorizedOperation","bytes":5,"ip":"192.0.2.9"}`,
)

func TestEvalCommands(t *testing.T) {
	tests := []struct {
		query string
		want  string
	}{
		// default projection, order and @ptr
		{`filter eventName = "CreateUser"`, "@timestamp=2021-07-29 02:00:01.000 @message=" + ctEvents[1].Message() + " @ptr=ptr-1"},
		// fields accumulate; absent fields are left out of the row
		{`fields eventName | fields errorCode | filter eventSource = "s3.amazonaws.com"`, "eventName=ListBuckets @ptr=ptr-2; eventName=ListBuckets errorCode=AccessDenied @ptr=ptr-0"},
		// display replaces; expressions and booleans as 0/1
		{`display eventName | display eventName, bytes > 15 as big | filter ip = "10.0.0.1"`, "eventName=ListBuckets big=1 @ptr=ptr-2; eventName=ListBuckets big=0 @ptr=ptr-0"},
		// numeric-looking strings compare numerically both ways
		{`filter status = 200 | fields eventName`, "eventName=CreateUser @ptr=ptr-1; eventName=ListBuckets @ptr=ptr-0"},
		{`filter status = "200" | fields eventName`, "eventName=CreateUser @ptr=ptr-1; eventName=ListBuckets @ptr=ptr-0"},
		{`filter bytes >= 10 and bytes < 30 | fields bytes`, "bytes=20 @ptr=ptr-1; bytes=10 @ptr=ptr-0"},
		// like: string is a case-sensitive substring, regex unanchored, (?i) works
		{`filter errorCode like "Denied" | fields eventName`, "eventName=ListBuckets @ptr=ptr-0"},
		{`filter errorCode like "denied" | fields eventName`, ""},
		{`filter errorCode like /(?i)unauthorized|denied/ | fields eventName`, "eventName=RunInstances @ptr=ptr-3; eventName=ListBuckets @ptr=ptr-0"},
		{`filter errorCode =~ /^Client\./ | fields eventName`, "eventName=RunInstances @ptr=ptr-3"},
		// missing field: not like / != / not in drop the row (null)
		{`filter errorCode not like "Denied" | fields eventName`, "eventName=RunInstances @ptr=ptr-3"},
		{`filter errorCode != "AccessDenied" | fields eventName`, "eventName=RunInstances @ptr=ptr-3"},
		{`filter eventName not in ["ListBuckets", "CreateUser"] | fields eventName`, "eventName=RunInstances @ptr=ptr-3"},
		{`filter bytes in [5, "20"] | fields eventName`, "eventName=RunInstances @ptr=ptr-3; eventName=CreateUser @ptr=ptr-1"},
		{`filter not ispresent(errorCode) | fields eventName`, "eventName=ListBuckets @ptr=ptr-2; eventName=CreateUser @ptr=ptr-1"},
		// precedence: not > and > or
		{`filter eventName = "CreateUser" or eventName = "ListBuckets" and status = 404 | fields eventName`, "eventName=ListBuckets @ptr=ptr-2; eventName=CreateUser @ptr=ptr-1"},
		{`filter not eventName = "ListBuckets" and bytes > 5 | fields eventName`, "eventName=CreateUser @ptr=ptr-1"},
		// stats: names, aliases, later alias, by, several aggregates
		{`stats count(*) as n, sum(bytes) as total, total / n as avgBytes by eventSource | sort eventSource`, "eventSource=ec2.amazonaws.com n=1 total=5 avgBytes=5; eventSource=iam.amazonaws.com n=1 total=20 avgBytes=20; eventSource=s3.amazonaws.com n=2 total=40 avgBytes=20"},
		{`stats count(*), count(errorCode), count_distinct(ip), min(bytes), max(bytes), avg(bytes)`, "count(*)=4 count(errorCode)=2 count_distinct(ip)=3 min(bytes)=5 max(bytes)=30 avg(bytes)=16.25"},
		{`stats earliest(eventName) as e, latest(eventName) as l, sortsFirst(eventName) as f, sortsLast(eventName) as s`, "e=ListBuckets l=RunInstances f=CreateUser s=RunInstances"},
		{`stats count(*) as n by eventSource | stats max(n) as m`, "m=2"},
		{`stats count(*) as n by eventSource | filter n > 1`, "eventSource=s3.amazonaws.com n=2"},
		{`filter eventName = "nothing" | stats count(*) as n`, "n=0"},
		{`filter eventName = "nothing" | stats count(*) as n by eventName`, ""},
		{`stats count(*) by bin(1h)`, "bin(1h)=2021-07-29 02:00:00.000 count(*)=4"},
		{`stats count(*) as n by bin(2s) as t | sort t`, "t=2021-07-29 02:00:00.000 n=2; t=2021-07-29 02:00:02.000 n=2"},
		{`stats max(@timestamp) as @t by eventSource | stats count(*) as c by dateceil(@t, 1m)`, "dateceil(@t, 1m)=2021-07-29 02:01:00.000 c=3"},
		// sort: several keys, directions, missing values last
		{`sort eventName, bytes desc | fields eventName, bytes`, "eventName=CreateUser bytes=20 @ptr=ptr-1; eventName=ListBuckets bytes=30 @ptr=ptr-2; eventName=ListBuckets bytes=10 @ptr=ptr-0; eventName=RunInstances bytes=5 @ptr=ptr-3"},
		{`sort errorCode desc | fields errorCode`, "errorCode=Client.UnauthorizedOperation @ptr=ptr-3; errorCode=AccessDenied @ptr=ptr-0; @ptr=ptr-2; @ptr=ptr-1"},
		{`sort errorCode asc | fields errorCode`, "errorCode=AccessDenied @ptr=ptr-0; errorCode=Client.UnauthorizedOperation @ptr=ptr-3; @ptr=ptr-2; @ptr=ptr-1"},
		// limit, dedup
		{`fields eventName | limit 2`, "eventName=RunInstances @ptr=ptr-3; eventName=ListBuckets @ptr=ptr-2"},
		{`fields eventName | dedup eventSource`, "eventName=RunInstances @ptr=ptr-3; eventName=ListBuckets @ptr=ptr-2; eventName=CreateUser @ptr=ptr-1"},
		{`fields eventName | sort @timestamp asc | dedup eventSource | limit 1`, "eventName=ListBuckets @ptr=ptr-0"},
		{`fields eventName | dedup errorCode`, "eventName=RunInstances @ptr=ptr-3; eventName=ListBuckets @ptr=ptr-2; eventName=CreateUser @ptr=ptr-1; eventName=ListBuckets @ptr=ptr-0"},
		// parse keeps rows that do not match
		{`parse eventSource "*.amazonaws.*" as svc, tld | display svc, tld`, "svc=ec2 tld=com @ptr=ptr-3; svc=s3 tld=com @ptr=ptr-2; svc=iam tld=com @ptr=ptr-1; svc=s3 tld=com @ptr=ptr-0"},
		{`parse ip /^10\.0\.0\.(?<host>\d+)$/ | display host`, "@ptr=ptr-3; host=1 @ptr=ptr-2; host=2 @ptr=ptr-1; host=1 @ptr=ptr-0"},
		{`filter eventName = "CreateUser" | parse @message /"(\w+)":"/ as key multi | display key`, "key=eventName @ptr=ptr-1; key=eventSource @ptr=ptr-1; key=ip @ptr=ptr-1"},
		// unmask is a no-op
		{`filter eventName = "CreateUser" | fields eventName | unmask`, "eventName=CreateUser @ptr=ptr-1"},
		// created fields can be used later; aliases with @
		{`fields concat(eventName, "-", status) as op | filter op like "-200" | fields op as @op`, "op=CreateUser-200 @op=CreateUser-200 @ptr=ptr-1; op=ListBuckets-200 @op=ListBuckets-200 @ptr=ptr-0"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := rowsText(runQuery(t, tt.query, ctEvents).Rows)
			if got != tt.want {
				t.Fatalf("\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestGlobParse(t *testing.T) {
	evs := testEvents("25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException")
	got := rowsText(runQuery(t, `parse @message "[*] * The error was: *" as level, config, exception | display level, config, exception`, evs).Rows)
	if want := "level=ERROR config={foo=2, bar=data} exception=DataIntegrityException @ptr=ptr-0"; got != want {
		t.Fatalf("got %s", got)
	}
	got = rowsText(runQuery(t, `parse @message /\[(?<level>\S+)\]\s+(?<config>\{.*\})\s+The error was: (?<exception>\S+)/ | display level, config, exception`, evs).Rows)
	if want := "level=ERROR config={foo=2, bar=data} exception=DataIntegrityException @ptr=ptr-0"; got != want {
		t.Fatalf("regex got %s", got)
	}
}

func TestParseCSVAndLogfmt(t *testing.T) {
	evs := testEvents(`ts1,ERROR,"disk, full"`, `level=info msg="all good" dur=12`)
	got := rowsText(runQuery(t, `parse @message csv as a, b, c | filter b = "ERROR" | display a, c`, evs).Rows)
	if want := "a=ts1 c=disk, full @ptr=ptr-0"; got != want {
		t.Errorf("csv: %s", got)
	}
	got = rowsText(runQuery(t, `parse @message logfmt as lf | filter lf.level = "info" | display lf.msg, lf.dur`, evs).Rows)
	if want := "lf.msg=all good lf.dur=12 @ptr=ptr-1"; got != want {
		t.Errorf("logfmt: %s", got)
	}
}

func TestJSONParseAndUnnest(t *testing.T) {
	evs := testEvents(`{"events":[{"name":"exception"},{"name":"user action"}],"data":"{\"startTime\":1234,\"l\":[1,2]}","m":{"a.b":"dot"}}`)
	tests := []struct{ query, want string }{
		{`fields jsonParse(@message) as js | unnest js.events into event | display event.name`, "event.name=exception @ptr=ptr-0; event.name=user action @ptr=ptr-0"},
		{`fields data.startTime as st`, "@ptr=ptr-0"},
		{`fields jsonParse(data).startTime as st, jsonParse(data).l[1] as second`, "st=1234 second=2 @ptr=ptr-0"},
		{"fields jsonParse(@message) as j | display j.m.`a.b` as v, jsonStringify(j.events) as s", `v=dot s=[{"name":"exception"},{"name":"user action"}] @ptr=ptr-0`},
		{`fields jsonParse(@message) as j | filter j.events = "x" | fields 1 as one`, ""},
		{`fields jsonParse(@message) as j | unnest j.nothing into x | display x`, "@ptr=ptr-0"},
		{`fields split("a,b,c", ",") as l | unnest l into x | display x`, "x=a @ptr=ptr-0; x=b @ptr=ptr-0; x=c @ptr=ptr-0"},
		{`fields split("", "") as l | unnest l into x | display x`, ""},
	}
	for _, tt := range tests {
		if got := rowsText(runQuery(t, tt.query, evs).Rows); got != tt.want {
			t.Errorf("%s\n got: %s\nwant: %s", tt.query, got, tt.want)
		}
	}
	if err := runError(`fields jsonParse(@message) as j | sort j`, evs); err == nil {
		t.Error("sorting a map was accepted")
	}
}

func TestNaturalSortAWSExample(t *testing.T) {
	want := []string{"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"}
	var msgs []string
	for i := len(want) - 1; i >= 0; i-- {
		msgs = append(msgs, `{"v":"`+want[i]+`"}`)
	}
	evs := testEvents(msgs...)
	asc := column(runQuery(t, "sort v asc | fields v", evs).Rows, "v")
	if !reflect.DeepEqual(asc, want) {
		t.Fatalf("asc: %q", asc)
	}
	desc := column(runQuery(t, "sort v desc | fields v", evs).Rows, "v")
	for i := range desc {
		if desc[i] != want[len(want)-1-i] {
			t.Fatalf("desc is not the reverse: %q", desc)
		}
	}
}

func TestStatistics(t *testing.T) {
	res := runQuery(t, `filter ispresent(errorCode) | fields eventName | limit 1`, ctEvents)
	bytes := 0
	for _, e := range ctEvents {
		bytes += len(e.Message())
	}
	if res.Statistics.RecordsMatched != 2 || res.Statistics.RecordsScanned != 4 || res.Statistics.BytesScanned != float64(bytes) {
		t.Fatalf("statistics %+v", res.Statistics)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("limit ignored: %d rows", len(res.Rows))
	}
	res = runQuery(t, `fields eventName | dedup eventSource`, ctEvents)
	if res.Statistics.RecordsMatched != 4 {
		t.Fatalf("dedup changed recordsMatched: %+v", res.Statistics)
	}
}

func TestRunLimits(t *testing.T) {
	var msgs []string
	for i := 0; i < 12050; i++ {
		msgs = append(msgs, "line")
	}
	evs := testEvents(msgs...)
	if n := len(runQuery(t, "fields @message", evs).Rows); n != DefaultLimit {
		t.Errorf("default limit: %d rows", n)
	}
	if n := len(runQuery(t, "fields @message", evs, RunOptions{Limit: 7}).Rows); n != 7 {
		t.Errorf("API limit: %d rows", n)
	}
	if n := len(runQuery(t, "fields @message | limit 12000", evs).Rows); n != 12000 {
		t.Errorf("limit command above the default: %d rows", n)
	}
	if n := len(runQuery(t, "fields @message | limit 50", evs, RunOptions{Limit: 20}).Rows); n != 20 {
		t.Errorf("API limit below the limit command: %d rows", n)
	}
	// Parallel and serial runs agree, and the newest rows come first.
	q, _ := Parse("filter @message like 'li' | fields @timestamp | limit 3")
	par, _ := q.Run(context.Background(), evs, RunOptions{})
	ser, _ := q.Run(context.Background(), evs, RunOptions{Workers: 1})
	if rowsText(par.Rows) != rowsText(ser.Rows) || !strings.Contains(rowsText(par.Rows), "ptr-12049") {
		t.Errorf("parallel %s\nserial %s", rowsText(par.Rows), rowsText(ser.Rows))
	}
}

func TestRunCancelled(t *testing.T) {
	q, _ := Parse("fields @message")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.Run(ctx, ctEvents, RunOptions{}); err == nil {
		t.Fatal("cancelled context did not stop the query")
	}
}

func TestInvalidReferenceAfterStats(t *testing.T) {
	for _, q := range []string{
		"stats count(*) as n by eventSource | stats max(bytes) as m",
		"stats count(*) as n by eventSource | sort bytes",
		"stats count(*) as n by eventSource | stats count(*) by bin(5m)",
	} {
		if err := runError(q, ctEvents); err == nil {
			t.Errorf("%q accepted", q)
		}
	}
}
