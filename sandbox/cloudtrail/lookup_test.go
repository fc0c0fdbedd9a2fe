package cloudtrail

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

// seedLookup records a small, varied history in us-east-1 and us-west-2.
func seedLookup(f *fixture) time.Time {
	t0 := f.clock.Now().Add(-time.Hour)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	f.svc.Record(rec("e1-describe", "us-east-1", "ec2.amazonaws.com", "DescribeImages", at(1), readOnly,
		params(`{"ownersSet":{"items":[{"owner":"amazon"}]}}`, "")))
	f.svc.Record(rec("e2-run", "us-east-1", "ec2.amazonaws.com", "RunInstances", at(2),
		params(`{"instanceType":"t2.nano","subnetId":"subnet-0a1b2c3d","imageId":"ami-0abcdef1234567890"}`,
			`{"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef0"},{"instanceId":"i-0fedcba9876543210"}]}}`)))
	f.svc.Record(rec("e3-createuser", "us-east-1", "iam.amazonaws.com", "CreateUser", at(3), asRole("alice"),
		params(`{"userName":"helpdesk-1"}`, `{"user":{"userName":"helpdesk-1","arn":"arn:aws:iam::999999999999:user/helpdesk-1"}}`)))
	f.svc.Record(rec("e4-putlogs", "us-east-1", "logs.amazonaws.com", "PutLogEvents", at(4), dataEvent))
	f.svc.Record(rec("e5-west", "us-west-2", "ec2.amazonaws.com", "RunInstances", at(5),
		params("", `{"instancesSet":{"items":[{"instanceId":"i-0aaaaaaaaaaaaaaa1"}]}}`)))
	f.svc.Record(rec("e6-stop", "us-east-1", "ec2.amazonaws.com", "StopInstances", at(6),
		params(`{"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef0"}]},"force":false}`, "")))
	return t0
}

func TestLookupEventsAttributes(t *testing.T) {
	f := newFixture(t, 0)
	seedLookup(f)
	tests := []struct {
		key, value string
		want       []string
	}{
		{"", "", []string{"e6-stop", "e3-createuser", "e2-run", "e1-describe"}},
		{"EventId", "e2-run", []string{"e2-run"}},
		{"EventId", "e4-putlogs", []string{}}, // data events are not in event history
		{"EventName", "RunInstances", []string{"e2-run"}},
		{"EventName", "runinstances", []string{}},
		{"ReadOnly", "true", []string{"e1-describe"}},
		{"ReadOnly", "false", []string{"e6-stop", "e3-createuser", "e2-run"}},
		{"Username", "pipeline", []string{"e6-stop", "e2-run", "e1-describe"}},
		{"Username", "alice", []string{"e3-createuser"}},
		{"ResourceType", "AWS::EC2::Instance", []string{"e6-stop", "e2-run"}},
		{"ResourceType", "AWS::IAM::User", []string{"e3-createuser"}},
		{"ResourceName", "i-0123456789abcdef0", []string{"e6-stop", "e2-run"}},
		{"ResourceName", "i-0fedcba9876543210", []string{"e2-run"}},
		{"ResourceName", "helpdesk-1", []string{"e3-createuser"}},
		{"EventSource", "iam.amazonaws.com", []string{"e3-createuser"}},
		{"EventSource", "logs.amazonaws.com", []string{}},
		{"AccessKeyId", "AKIAIOSFODNN7EXAMPLE", []string{"e6-stop", "e2-run", "e1-describe"}},
		{"AccessKeyId", "ASIAEXAMPLESESSION01", []string{"e3-createuser"}},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			var res lookupResult
			f.mustCall("us-east-1", "LookupEvents", lookupBody(tc.key, tc.value, ""), &res)
			if got := res.ids(); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLookupEventsRegions(t *testing.T) {
	f := newFixture(t, 0)
	seedLookup(f)
	var west lookupResult
	f.mustCall("us-west-2", "LookupEvents", "{}", &west)
	// IAM's CreateUser is recorded in us-east-1 only (AWS's rule since
	// November 2021), so us-west-2 sees its own record alone.
	if got := west.ids(); !slices.Equal(got, []string{"e5-west"}) {
		t.Errorf("us-west-2: got %v", got)
	}
	var eu lookupResult
	f.mustCall("eu-west-1", "LookupEvents", "{}", &eu)
	if len(eu.Events) != 0 {
		t.Errorf("eu-west-1: got %v, want none", eu.ids())
	}
}

func TestLookupEventsFields(t *testing.T) {
	f := newFixture(t, 0)
	seedLookup(f)
	var res lookupResult
	f.mustCall("us-east-1", "LookupEvents", lookupBody("EventId", "e3-createuser", ""), &res)
	if len(res.Events) != 1 {
		t.Fatalf("got %d events", len(res.Events))
	}
	e := res.Events[0]
	if e.Username != "alice" || e.ReadOnly != "false" || e.AccessKeyID != "ASIAEXAMPLESESSION01" || e.EventSource != "iam.amazonaws.com" {
		t.Errorf("unexpected fields: %+v", e)
	}
	wantTime := f.clock.Now().Add(-time.Hour + 3*time.Minute).Unix()
	if int64(e.EventTime) != wantTime {
		t.Errorf("EventTime = %v, want %d", e.EventTime, wantTime)
	}
	// CloudTrailEvent is the stored record, byte for byte what Events holds.
	var decoded Event
	if err := json.Unmarshal([]byte(e.CloudTrailEvent), &decoded); err != nil {
		t.Fatalf("CloudTrailEvent is not JSON: %v", err)
	}
	if decoded.EventID != "e3-createuser" || decoded.UserIdentity.SessionContext == nil {
		t.Errorf("CloudTrailEvent lost fields: %s", e.CloudTrailEvent)
	}
	stored := f.svc.Events("us-east-1")
	raw, _ := marshalRecord(&stored[2])
	if raw != e.CloudTrailEvent {
		t.Errorf("CloudTrailEvent differs from the stored record:\n%s\n%s", raw, e.CloudTrailEvent)
	}
}

func TestLookupEventsTimeBounds(t *testing.T) {
	f := newFixture(t, 0)
	t0 := seedLookup(f)
	sec := func(m int) string { return fmt.Sprint(t0.Add(time.Duration(m) * time.Minute).Unix()) }
	tests := []struct {
		name  string
		extra string
		want  []string
	}{
		{"start inclusive", `"StartTime":` + sec(3), []string{"e6-stop", "e3-createuser"}},
		{"end inclusive", `"EndTime":` + sec(2), []string{"e2-run", "e1-describe"}},
		{"window", `"StartTime":` + sec(2) + `,"EndTime":` + sec(3), []string{"e3-createuser", "e2-run"}},
		{"fractional seconds", `"StartTime":` + sec(2) + `.5,"EndTime":` + sec(6), []string{"e6-stop", "e3-createuser"}},
		{"equal bounds", `"StartTime":` + sec(6) + `,"EndTime":` + sec(6), []string{"e6-stop"}},
		{"RFC 3339 string", `"StartTime":"` + t0.Add(3*time.Minute).Format(time.RFC3339) + `"`, []string{"e6-stop", "e3-createuser"}},
		{"empty window", `"StartTime":` + sec(7), []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var res lookupResult
			f.mustCall("us-east-1", "LookupEvents", lookupBody("", "", tc.extra), &res)
			if got := res.ids(); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLookupEventsRetention(t *testing.T) {
	// The store keeps a year; LookupEvents still shows 90 days.
	f := newFixtureWith(t, Config{Retention: 365 * 24 * time.Hour})
	now := f.clock.Now()
	f.svc.Record(rec("old", "us-east-1", "ec2.amazonaws.com", "RunInstances", now.Add(-91*24*time.Hour)))
	f.svc.Record(rec("edge", "us-east-1", "ec2.amazonaws.com", "RunInstances", now.Add(-89*24*time.Hour)))
	var res lookupResult
	f.mustCall("us-east-1", "LookupEvents", "{}", &res)
	if got := res.ids(); !slices.Equal(got, []string{"edge"}) {
		t.Errorf("got %v, want only the record within 90 days", got)
	}
	// An explicit StartTime cannot reach past the 90 days either.
	f.mustCall("us-east-1", "LookupEvents", fmt.Sprintf(`{"StartTime":%d}`, now.Add(-100*24*time.Hour).Unix()), &res)
	if got := res.ids(); !slices.Equal(got, []string{"edge"}) {
		t.Errorf("with StartTime: got %v", got)
	}
	if n := len(f.svc.Events("us-east-1")); n != 2 {
		t.Errorf("Events keeps what the store's retention keeps; got %d", n)
	}
}

func TestLookupEventsInvalid(t *testing.T) {
	f := newFixture(t, 0)
	seedLookup(f)
	tests := []struct {
		name, body, code string
	}{
		{"two attributes", `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"A"},{"AttributeKey":"Username","AttributeValue":"b"}]}`, "InvalidLookupAttributesException"},
		{"unknown key", lookupBody("UserName", "pipeline", ""), "InvalidLookupAttributesException"},
		{"missing key", `{"LookupAttributes":[{"AttributeValue":"x"}]}`, "InvalidLookupAttributesException"},
		{"empty value", lookupBody("EventName", "", ""), "InvalidLookupAttributesException"},
		{"value too long", lookupBody("EventName", strings.Repeat("x", 2001), ""), "InvalidLookupAttributesException"},
		{"start after end", `{"StartTime":1700000100,"EndTime":1700000000}`, "InvalidTimeRangeException"},
		{"max results zero", `{"MaxResults":0}`, "InvalidMaxResultsException"},
		{"max results 51", `{"MaxResults":51}`, "InvalidMaxResultsException"},
		{"max results negative", `{"MaxResults":-3}`, "InvalidMaxResultsException"},
		{"bad category", `{"EventCategory":"Management"}`, "InvalidEventCategoryException"},
		{"garbage token", `{"NextToken":"not-a-token"}`, "InvalidNextTokenException"},
		{"truncated token", `{"NextToken":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`, "InvalidNextTokenException"},
		{"wrong type", `{"MaxResults":"ten"}`, "SerializationException"},
		{"bad time", `{"StartTime":"yesterday"}`, "SerializationException"},
		{"not json", `{"MaxResults":`, "SerializationException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.wantErr("us-east-1", "LookupEvents", tc.body, tc.code)
		})
	}
}

func TestLookupEventsInsightCategory(t *testing.T) {
	f := newFixture(t, 0)
	seedLookup(f)
	var res lookupResult
	f.mustCall("us-east-1", "LookupEvents", `{"EventCategory":"insight"}`, &res)
	if len(res.Events) != 0 {
		t.Errorf("insight lookups return Insights events only; got %v", res.ids())
	}
}

func TestLookupEventsTokenBoundToQuery(t *testing.T) {
	f := newFixture(t, 0)
	seedLookup(f)
	var first lookupResult
	f.mustCall("us-east-1", "LookupEvents", `{"MaxResults":1}`, &first)
	if first.NextToken == "" {
		t.Fatal("no NextToken")
	}
	tok := fmt.Sprintf("%q", first.NextToken)
	// Same query, another page size: allowed.
	f.mustCall("us-east-1", "LookupEvents", `{"MaxResults":2,"NextToken":`+tok+`}`, nil)
	for _, body := range []string{
		lookupBody("EventName", "RunInstances", `"NextToken":`+tok),
		`{"StartTime":1,"NextToken":` + tok + `}`,
	} {
		f.wantErr("us-east-1", "LookupEvents", body, "InvalidNextTokenException")
	}
	f.wantErr("us-west-2", "LookupEvents", `{"NextToken":`+tok+`}`, "InvalidNextTokenException")
}

// TestLookupEventsPagination pages through hundreds of records that share
// eventTimes, while more records arrive, and checks that every record
// present at the start is seen exactly once, newest first.
func TestLookupEventsPagination(t *testing.T) {
	for _, pageSize := range []int{1, 7, 50} {
		t.Run(fmt.Sprint("MaxResults=", pageSize), func(t *testing.T) {
			f := newFixture(t, 0)
			base := f.clock.Now().Add(-2 * time.Hour)
			const n = 437
			var want []string
			for i := range n {
				// Seven records a second, recorded out of order every so often.
				at := base.Add(time.Duration((i*13)%n/7) * time.Second)
				id := fmt.Sprintf("ev-%03d", i)
				f.svc.Record(rec(id, "us-east-1", "ec2.amazonaws.com", "DescribeInstances", at, readOnly))
			}
			for _, e := range f.svc.Events("us-east-1") {
				want = append(want, e.EventID)
			}
			slices.Reverse(want)

			var got []string
			var lastTime float64 = 1e18
			token := ""
			for page := 0; ; page++ {
				body := fmt.Sprintf(`{"MaxResults":%d`, pageSize)
				if token != "" {
					body += fmt.Sprintf(`,"NextToken":%q`, token)
				}
				var res lookupResult
				f.mustCall("us-east-1", "LookupEvents", body+"}", &res)
				if len(res.Events) > pageSize {
					t.Fatalf("page %d has %d events", page, len(res.Events))
				}
				for _, e := range res.Events {
					if e.EventTime > lastTime {
						t.Fatalf("page %d: %s is newer than its predecessor", page, e.EventID)
					}
					lastTime = e.EventTime
					got = append(got, e.EventID)
				}
				// Newer records arriving mid-pagination must not shift pages.
				f.svc.Record(rec(fmt.Sprintf("late-%d", page), "us-east-1", "ec2.amazonaws.com", "DescribeInstances", f.clock.Now(), readOnly))
				if res.NextToken == "" {
					break
				}
				if len(res.Events) == 0 {
					t.Fatalf("page %d is empty but has a NextToken", page)
				}
				token = res.NextToken
			}
			if !slices.Equal(got, want) {
				t.Fatalf("paged %d events, want %d; first difference at %d", len(got), len(want), firstDiff(got, want))
			}
		})
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func TestLookupEventsNoTokenOnExactLastPage(t *testing.T) {
	f := newFixture(t, 0)
	for i := range 4 {
		f.svc.Record(rec(fmt.Sprint("e", i), "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now().Add(-time.Duration(i)*time.Minute)))
	}
	var res lookupResult
	f.mustCall("us-east-1", "LookupEvents", `{"MaxResults":2}`, &res)
	var last lookupResult
	f.mustCall("us-east-1", "LookupEvents", fmt.Sprintf(`{"MaxResults":2,"NextToken":%q}`, res.NextToken), &last)
	if got := last.ids(); !slices.Equal(got, []string{"e2", "e3"}) || last.NextToken != "" {
		t.Errorf("last full page: %v, NextToken %q; want [e2 e3] and none", got, last.NextToken)
	}
}

func TestLookupEventsGolden(t *testing.T) {
	f := newFixture(t, 0)
	seedLookup(f)
	out, err := f.call("us-east-1", "LookupEvents", `{"MaxResults":3}`)
	if err != nil {
		t.Fatal(err)
	}
	// Indent keeps the response's member order, which is the wire order.
	var pretty bytes.Buffer
	if jerr := json.Indent(&pretty, []byte(out), "", "  "); jerr != nil {
		t.Fatal(jerr)
	}
	pretty.WriteByte('\n')
	golden(t, "lookup_events.golden.json", pretty.String())
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func TestTokenRoundTrip(t *testing.T) {
	for _, tok := range []pageToken{{}, {at: -1, seq: 1, query: 2}, {at: 1 << 62, seq: 1<<64 - 1, query: 42}} {
		got, ok := decodeToken(encodeToken(tok))
		if !ok || got != tok {
			t.Errorf("round trip of %+v gave %+v, %v", tok, got, ok)
		}
	}
}

func FuzzDecodeToken(f *testing.F) {
	f.Add(encodeToken(pageToken{at: time.Now().UnixNano(), seq: 7, query: 99}))
	f.Add("")
	f.Add("AQ")
	f.Add("not-a-token")
	f.Add(strings.Repeat("A", 39))
	f.Fuzz(func(t *testing.T, s string) {
		tok, ok := decodeToken(s)
		if !ok {
			return
		}
		// Tokens are canonical: whatever decodes re-encodes to itself, so
		// no two strings address the same page.
		if again := encodeToken(tok); again != s {
			t.Fatalf("decoded %q to %+v, which encodes as %q", s, tok, again)
		}
	})
}
