package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"
)

const (
	eastStream = "999999999999_CloudTrail_us-east-1"
	westStream = "999999999999_CloudTrail_us-west-2"
)

func (f *fixture) createLoggingTrail(region, name, extra string) string {
	f.t.Helper()
	group := fmt.Sprintf("arn:aws:logs:%s:999999999999:log-group:%s:*", region, name)
	body := fmt.Sprintf(`{"Name":%q,"S3BucketName":"b","CloudWatchLogsLogGroupArn":%q,"CloudWatchLogsRoleArn":%q%s}`, name, group, cwRoleARN, extra)
	f.mustCall(region, "CreateTrail", body, nil)
	f.mustCall(region, "StartLogging", fmt.Sprintf(`{"Name":%q}`, name), nil)
	return group
}

func (f *fixture) flush() {
	f.t.Helper()
	if err := f.svc.Flush(context.Background()); err != nil {
		f.t.Fatalf("Flush: %v", err)
	}
}

// deliveredIDs lists the eventIDs delivered to group|stream, decoding each
// message, which must be the record's JSON.
func (f *fixture) deliveredIDs(group, stream string) []string {
	f.t.Helper()
	ids := []string{}
	for _, d := range f.logs.delivered()[group+"|"+stream] {
		var e struct {
			EventID string `json:"eventID"`
		}
		if err := jsonUnmarshal(d.Message, &e); err != nil {
			f.t.Fatalf("delivered message is not a record: %q", d.Message)
		}
		ids = append(ids, e.EventID)
	}
	return ids
}

func TestDeliveryDelay(t *testing.T) {
	f := newFixture(t, 10*time.Minute)
	group := f.createLoggingTrail("us-east-1", "delayed", "")
	f.svc.Record(rec("a", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	f.clock.Advance(4 * time.Minute)
	f.svc.Record(rec("b", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))

	f.clock.Advance(5*time.Minute + 59*time.Second)
	f.flush()
	if n := f.logs.total(); n != 0 {
		t.Fatalf("delivered %d records before the delay passed", n)
	}
	f.clock.Advance(time.Second) // a is due now, b in 4 minutes
	f.flush()
	if got := f.deliveredIDs(group, eastStream); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("after 10 minutes: %v", got)
	}
	var st statusResp
	f.mustCall("us-east-1", "GetTrailStatus", `{"Name":"delayed"}`, &st)
	if st.LatestCloudWatchLogsDeliveryTime == nil || int64(*st.LatestCloudWatchLogsDeliveryTime) != f.clock.Now().Unix() ||
		st.LatestDeliveryTime == nil {
		t.Errorf("status after delivery: %+v", st)
	}
	f.clock.Advance(4 * time.Minute)
	f.flush()
	if got := f.deliveredIDs(group, eastStream); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("after 14 minutes: %v", got)
	}
}

func TestDeliveryMessageIsCloudTrailEvent(t *testing.T) {
	f := newFixture(t, 0)
	group := f.createLoggingTrail("us-east-1", "same", "")
	at := f.clock.Now().Add(-3 * time.Second)
	f.svc.Record(rec("m1", "us-east-1", "ec2.amazonaws.com", "RunInstances", at,
		params(`{"userData":"<sensitiveDataRemoved>"}`, `{"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef0"}]}}`)))
	f.flush()
	got := f.logs.delivered()[group+"|"+eastStream]
	if len(got) != 1 {
		t.Fatalf("delivered %v", got)
	}
	var res lookupResult
	f.mustCall("us-east-1", "LookupEvents", lookupBody("EventId", "m1", ""), &res)
	if got[0].Message != res.Events[0].CloudTrailEvent {
		t.Errorf("message differs from CloudTrailEvent:\n%s\n%s", got[0].Message, res.Events[0].CloudTrailEvent)
	}
	if !got[0].Timestamp.Equal(at) {
		t.Errorf("timestamp %v, want eventTime %v", got[0].Timestamp, at)
	}
}

func TestDeliveryCoverage(t *testing.T) {
	type rcd struct{ id, region, source string }
	records := []rcd{
		{"east-ec2", "us-east-1", "ec2.amazonaws.com"},
		{"west-ec2", "us-west-2", "ec2.amazonaws.com"},
		{"iam", "us-east-1", "iam.amazonaws.com"},
		{"sts-global", "us-east-1", "sts.amazonaws.com"},
		{"sts-west", "us-west-2", "sts.amazonaws.com"},
	}
	tests := []struct {
		name, home, extra string
		want              map[string][]string // stream -> ids
	}{
		{"single-region us-east-1", "us-east-1", "",
			map[string][]string{eastStream: {"east-ec2", "iam", "sts-global"}}},
		{"single-region without global events", "us-east-1", `,"IncludeGlobalServiceEvents":false`,
			map[string][]string{eastStream: {"east-ec2"}}},
		{"single-region us-west-2", "us-west-2", "",
			map[string][]string{westStream: {"west-ec2", "sts-west"}}},
		{"multi-region", "us-west-2", `,"IsMultiRegionTrail":true`,
			map[string][]string{eastStream: {"east-ec2", "iam", "sts-global"}, westStream: {"west-ec2", "sts-west"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0)
			group := f.createLoggingTrail(tc.home, "cover", tc.extra)
			for _, r := range records {
				f.svc.Record(rec(r.id, r.region, r.source, "Call", f.clock.Now()))
			}
			f.flush()
			got := map[string][]string{}
			for key := range f.logs.delivered() {
				g, stream, _ := cut(key)
				if g != group {
					t.Errorf("delivered to %s, want %s", g, group)
				}
				got[stream] = f.deliveredIDs(g, stream)
			}
			if fmt.Sprint(sortedMap(got)) != fmt.Sprint(sortedMap(tc.want)) {
				t.Errorf("delivered %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeliveryStopLoggingAndLifecycle(t *testing.T) {
	f := newFixture(t, 5*time.Minute)
	f.svc.Record(rec("before-trail", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	group := f.createLoggingTrail("us-east-1", "life", "")
	f.svc.Record(rec("while-logging", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	f.mustCall("us-east-1", "StopLogging", `{"Name":"life"}`, nil)
	f.svc.Record(rec("after-stop", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	f.mustCall("us-east-1", "StartLogging", `{"Name":"life"}`, nil)
	f.svc.Record(rec("restarted", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	f.clock.Advance(5 * time.Minute)
	f.flush()
	// Records captured while logging are delivered even though logging
	// stopped before their delivery was due.
	if got := f.deliveredIDs(group, eastStream); !slices.Equal(got, []string{"while-logging", "restarted"}) {
		t.Errorf("delivered %v", got)
	}

	// A deleted trail's pending records are dropped.
	f.svc.Record(rec("pending-at-delete", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	f.mustCall("us-east-1", "DeleteTrail", `{"Name":"life"}`, nil)
	f.clock.Advance(5 * time.Minute)
	f.flush()
	if got := f.deliveredIDs(group, eastStream); slices.Contains(got, "pending-at-delete") {
		t.Errorf("delivered a deleted trail's record: %v", got)
	}
}

func TestDeliveryUpdateTrail(t *testing.T) {
	f := newFixture(t, 0)
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"later","S3BucketName":"b"}`, nil)
	f.mustCall("us-east-1", "StartLogging", `{"Name":"later"}`, nil)
	f.svc.Record(rec("no-cwl", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	f.mustCall("us-east-1", "UpdateTrail", `{"Name":"later","CloudWatchLogsLogGroupArn":"`+logGroupARN+`","CloudWatchLogsRoleArn":"`+cwRoleARN+`"}`, nil)
	f.svc.Record(rec("with-cwl", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	f.flush()
	if got := f.deliveredIDs(logGroupARN, eastStream); !slices.Equal(got, []string{"with-cwl"}) {
		t.Errorf("delivered %v", got)
	}
}

func TestDeliveryEventSelectors(t *testing.T) {
	records := func(f *fixture) {
		f.svc.Record(rec("write", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
		f.svc.Record(rec("read", "us-east-1", "ec2.amazonaws.com", "DescribeInstances", f.clock.Now(), readOnly))
		f.svc.Record(rec("iam-write", "us-east-1", "iam.amazonaws.com", "CreateUser", f.clock.Now()))
		f.svc.Record(rec("data", "us-east-1", "logs.amazonaws.com", "PutLogEvents", f.clock.Now(), dataEvent, func(e *Event) {
			e.Resources = []Resource{{ARN: "arn:aws:logs:us-east-1:999999999999:log-group:app", AccountID: testAccount, Type: "AWS::Logs::LogGroup"}}
		}))
	}
	tests := []struct {
		name, selectors string
		want            []string
	}{
		{"default: management only", "", []string{"write", "read", "iam-write"}},
		{"write only", `"EventSelectors":[{"ReadWriteType":"WriteOnly"}]`, []string{"write", "iam-write"}},
		{"exclude source", `"EventSelectors":[{"ExcludeManagementEventSources":["iam.amazonaws.com"]}]`, []string{"write", "read"}},
		{"data resources", `"EventSelectors":[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::Logs::LogGroup","Values":["arn:aws:logs"]}]}]`, []string{"data"}},
		{"data resources other prefix", `"EventSelectors":[{"IncludeManagementEvents":false,"DataResources":[{"Type":"AWS::Logs::LogGroup","Values":["arn:aws:logs:eu-west-1"]}]}]`, []string{}},
		{"advanced data", `"AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]},{"Field":"resources.type","Equals":["AWS::Logs::LogGroup"]}]}]`, []string{"data"}},
		{"advanced management writes", `"AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]},{"Field":"readOnly","Equals":["false"]},{"Field":"eventSource","NotEquals":["iam.amazonaws.com"]}]}]`, []string{"write"}},
		{"advanced prefix", `"AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventName","StartsWith":["Describe","Create"]}]}]`, []string{"read", "iam-write"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 0)
			group := f.createLoggingTrail("us-east-1", "sel", "")
			if tc.selectors != "" {
				f.mustCall("us-east-1", "PutEventSelectors", `{"TrailName":"sel",`+tc.selectors+`}`, nil)
			}
			records(f)
			f.flush()
			if got := f.deliveredIDs(group, eastStream); !slices.Equal(got, tc.want) {
				t.Errorf("delivered %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDeliveryErrorReported(t *testing.T) {
	f := newFixture(t, 0)
	f.logs.err = errors.New("ResourceNotFoundException: The specified log group does not exist.")
	f.createLoggingTrail("us-east-1", "broken", "")
	f.svc.Record(rec("x", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	if err := f.svc.Flush(context.Background()); err == nil {
		t.Fatal("Flush hid the delivery error")
	}
	var st statusResp
	f.mustCall("us-east-1", "GetTrailStatus", `{"Name":"broken"}`, &st)
	if st.LatestCloudWatchLogsDeliveryError != f.logs.err.Error() || st.LatestCloudWatchLogsDeliveryTime != nil {
		t.Errorf("status %+v", st)
	}
	// The failed batch is not retried.
	f.logs.mu.Lock()
	f.logs.err = nil
	f.logs.mu.Unlock()
	f.flush()
	if f.logs.total() != 0 {
		t.Errorf("failed records were retried")
	}
}

func TestDeliveryNoLogsService(t *testing.T) {
	clock := newFakeClock()
	svc, _ := newService(Config{AccountID: testAccount, Clock: clock.Now})
	close(svc.done)
	defer svc.Close()
	f := &fixture{t: t, svc: svc, clock: clock, logs: &fakeLogs{}}
	f.createLoggingTrail("us-east-1", "nologs", "")
	svc.Record(rec("x", "us-east-1", "ec2.amazonaws.com", "RunInstances", clock.Now()))
	f.flush()
	var st statusResp
	f.mustCall("us-east-1", "GetTrailStatus", `{"Name":"nologs"}`, &st)
	if st.LatestDeliveryTime == nil || st.LatestCloudWatchLogsDeliveryTime != nil {
		t.Errorf("status %+v", st)
	}
}

// TestDeliveryBackground checks that the delivery goroutine delivers
// without Flush when the delay is zero.
func TestDeliveryBackground(t *testing.T) {
	clock := newFakeClock()
	logs := &fakeLogs{}
	svc := New(Config{AccountID: testAccount, Clock: clock.Now, Logs: logs})
	t.Cleanup(svc.Close)
	f := &fixture{t: t, svc: svc, clock: clock, logs: logs}
	group := f.createLoggingTrail("us-east-1", "background", "")
	f.svc.Record(rec("bg-1", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	deadline := time.Now().Add(10 * time.Second)
	for f.logs.total() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the background goroutine never delivered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := f.deliveredIDs(group, eastStream); !slices.Equal(got, []string{"bg-1"}) {
		t.Errorf("delivered %v", got)
	}
}

func TestCloseDropsPending(t *testing.T) {
	f := newFixture(t, time.Minute)
	f.createLoggingTrail("us-east-1", "closing", "")
	f.svc.Record(rec("x", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	if n := f.svc.delivery.pending(); n != 1 {
		t.Fatalf("%d deliveries pending before Close, want 1", n)
	}
	f.svc.Close()
	if n := f.svc.delivery.pending(); n != 0 {
		t.Errorf("%d deliveries still pending after Close", n)
	}
	f.clock.Advance(time.Hour)
	f.flush()
	if n := f.logs.total(); n != 0 {
		t.Errorf("delivered %d records after Close", n)
	}
	f.svc.Close() // idempotent
}

// TestConcurrentRecordLookupDeliver exercises the hot path under -race.
func TestConcurrentRecordLookupDeliver(t *testing.T) {
	f := newFixture(t, 0)
	group := f.createLoggingTrail("us-east-1", "busy", `,"IsMultiRegionTrail":true`)
	const writers, perWriter = 4, 250
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				region := []string{"us-east-1", "us-west-2"}[i%2]
				f.svc.Record(rec(fmt.Sprintf("w%d-%d", w, i), region, "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 50 {
			_ = f.svc.Flush(context.Background())
			f.svc.Events("us-west-2")
		}
	}()
	go func() {
		defer wg.Done()
		for range 50 {
			f.call("us-east-1", "LookupEvents", `{"MaxResults":5}`)
			f.call("us-east-1", "GetTrailStatus", `{"Name":"busy"}`)
		}
	}()
	wg.Wait()
	f.flush()
	east, west := f.deliveredIDs(group, eastStream), f.deliveredIDs(group, westStream)
	if len(east)+len(west) != writers*perWriter {
		t.Fatalf("delivered %d+%d records, want %d", len(east), len(west), writers*perWriter)
	}
	seen := map[string]bool{}
	for _, id := range append(east, west...) {
		if seen[id] {
			t.Fatalf("%s delivered twice", id)
		}
		seen[id] = true
	}
}

func cut(key string) (group, stream string, ok bool) {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '|' {
			return key[:i], key[i+1:], true
		}
	}
	return key, "", false
}

func sortedMap(m map[string][]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprint(k, v))
	}
	sort.Strings(out)
	return out
}
