package logs

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdHook holds the first query whose scan reports progress until
// released, so tests see a query mid-run without timing anything.
type holdHook struct {
	once    sync.Once
	held    chan string   // the held query's id, once it is held
	release chan struct{} // closed to let it go
}

func newHoldHook() *holdHook {
	return &holdHook{held: make(chan string, 1), release: make(chan struct{})}
}

func (h *holdHook) hook(id string) {
	first := false
	h.once.Do(func() { first = true })
	if first {
		h.held <- id
		<-h.release
	}
}

func newLimitHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	h := newHarness(t, 0)
	cfg.AccountID, cfg.Clock = testAccount, h.clock.Now
	h.svc = New(cfg)
	return h
}

// fill puts n events of the given size into g/s, within the last hour.
func (h *harness) fill(group string, n, size int) {
	h.t.Helper()
	h.createGroup(group)
	ev := make([]InputEvent, n)
	pad := strings.Repeat("p", max(0, size-12))
	for i := range ev {
		ev[i] = InputEvent{Timestamp: baseTime.Add(-time.Hour + time.Duration(i)*time.Millisecond), Message: fmt.Sprintf("%06d %s", i, pad)}
	}
	if err := h.svc.PutEvents(context.Background(), testRegion, group, "s", ev); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) start(group, query string) string {
	h.t.Helper()
	var out startQueryOutput
	h.do("StartQuery", m{"logGroupName": group, "startTime": baseTime.Unix() - 7200, "endTime": baseTime.Unix(), "queryString": query}, &out)
	return out.QueryID
}

func (h *harness) results(id string) getQueryResultsOutput {
	h.t.Helper()
	var out getQueryResultsOutput
	h.do("GetQueryResults", m{"queryId": id}, &out)
	return out
}

// TestGetQueryResultsAnswersWhileRunning: GetQueryResults never waits for
// a query; a running one is Running with its statistics so far.
func TestGetQueryResultsAnswersWhileRunning(t *testing.T) {
	hold := newHoldHook()
	h := newLimitHarness(t, Config{QueryProgressHook: hold.hook})
	const n = 20000
	h.fill("g", n, 100)
	id := h.start("g", "fields @message")
	<-hold.held
	out := h.results(id)
	st := out.Statistics
	if out.Status != "Running" || len(out.Results) != 0 || st.RecordsScanned <= 0 || st.RecordsScanned >= n || st.BytesScanned <= 0 || st.LogGroupsScanned != 1 {
		t.Fatalf("while held: %s, %d rows, statistics %+v; want Running with partial statistics", out.Status, len(out.Results), st)
	}
	var described describeQueriesOutput
	h.do("DescribeQueries", m{"status": "Running"}, &described)
	if len(described.Queries) != 1 || described.Queries[0].QueryID != id {
		t.Errorf("DescribeQueries Running = %+v", described.Queries)
	}
	close(hold.release)
	done := h.waitQuery(id)
	if done.Status != "Complete" || done.Statistics.RecordsScanned != n || len(done.Results) != 10000 {
		t.Fatalf("after release: %s, %d rows, %+v", done.Status, len(done.Results), done.Statistics)
	}
}

// TestQueriesWaitScheduledForASlot: past the running slots, queries wait
// Scheduled, and can be stopped there.
func TestQueriesWaitScheduledForASlot(t *testing.T) {
	hold := newHoldHook()
	h := newLimitHarness(t, Config{QueryProgressHook: hold.hook, MaxRunningQueries: 1})
	h.fill("g", 10000, 50)
	first := h.start("g", "fields @message")
	<-hold.held
	waiting := h.start("g", "fields @message")
	if out := h.results(waiting); out.Status != "Scheduled" || out.Statistics != (QueryStatistics{}) {
		t.Fatalf("second query: %s %+v, want Scheduled with no statistics", out.Status, out.Statistics)
	}
	stopped := h.start("g", "stats count(*)")
	var stop stopQueryOutput
	h.do("StopQuery", m{"queryId": stopped}, &stop)
	if !stop.Success || h.results(stopped).Status != "Cancelled" {
		t.Fatalf("stopping a scheduled query: %+v, %s", stop, h.results(stopped).Status)
	}
	close(hold.release)
	for _, id := range []string{first, waiting} {
		if out := h.waitQuery(id); out.Status != "Complete" {
			t.Errorf("%s ended %s", id, out.Status)
		}
	}
	if out := h.results(stopped); out.Status != "Cancelled" {
		t.Errorf("the stopped query became %s", out.Status)
	}
}

// TestConcurrentQueryLimit: AWS allows 100 concurrent Logs Insights
// queries per account (Scheduled or Running) and refuses the next with
// LimitExceededException.
func TestConcurrentQueryLimit(t *testing.T) {
	hold := newHoldHook()
	h := newLimitHarness(t, Config{QueryProgressHook: hold.hook, MaxRunningQueries: 1})
	h.fill("g", 10000, 20)
	ids := []string{h.start("g", "fields @message")}
	<-hold.held
	for len(ids) < 100 {
		ids = append(ids, h.start("g", "stats count(*)"))
	}
	body := m{"logGroupName": "g", "startTime": baseTime.Unix() - 7200, "endTime": baseTime.Unix(), "queryString": "stats count(*)"}
	err := h.fail("StartQuery", body)
	if err.Code != "LimitExceededException" || err.Message != "Account maximum query concurrency limit of [100] reached." {
		t.Fatalf("101st query: %v", err)
	}
	if st := h.svc.QueryStats(); st.Active != 100 || st.MaxConcurrent != 100 {
		t.Errorf("stats %+v", st)
	}
	close(hold.release)
	for _, id := range ids {
		h.waitQuery(id)
	}
	h.start("g", "stats count(*)") // a slot is free again
}

// TestQueryResultsCapEvictsOldest: finished queries' results are kept
// within the cap, the oldest forgotten first, and the heap stays bounded.
func TestQueryResultsCapEvictsOldest(t *testing.T) {
	const capBytes = 4 << 20
	h := newLimitHarness(t, Config{QueryResultsMaxBytes: capBytes})
	h.fill("g", 10000, 150)
	before := heapInUse()
	var ids []string
	for range 40 {
		id := h.start("g", "fields @message | limit 10000")
		if out := h.waitQuery(id); out.Status != "Complete" || len(out.Results) != 10000 {
			t.Fatalf("query ended %s with %d rows", out.Status, len(out.Results))
		}
		ids = append(ids, id)
	}
	growth := heapInUse() - before
	st := h.svc.QueryStats()
	if st.ResultBytes > capBytes || st.Evicted == 0 || st.Kept == 0 || int64(st.Kept)+st.Evicted != 40 {
		t.Fatalf("stats %+v, want at most %d result bytes", st, capBytes)
	}
	if growth > 6*capBytes {
		t.Errorf("heap grew by %d MiB for a %d MiB results cap", growth>>20, capBytes>>20)
	}
	// The oldest are gone, as queries past AWS's retention are; the newest
	// are retrievable.
	if err := h.fail("GetQueryResults", m{"queryId": ids[0]}); err.Code != "ResourceNotFoundException" {
		t.Errorf("evicted query: %v", err)
	}
	if out := h.results(ids[len(ids)-1]); out.Status != "Complete" || len(out.Results) != 10000 {
		t.Errorf("newest query: %s, %d rows", out.Status, len(out.Results))
	}
}

// TestQueryResultsKeptSevenDays: "Results from a query are retrievable for
// 7 days."
func TestQueryResultsKeptSevenDays(t *testing.T) {
	h := newHarness(t, 0)
	h.fill("g", 10, 10)
	id := h.start("g", "stats count(*)")
	h.waitQuery(id)
	h.clock.Advance(7*24*time.Hour - time.Minute)
	if out := h.results(id); out.Status != "Complete" {
		t.Fatalf("after 7 days less a minute: %s", out.Status)
	}
	h.clock.Advance(2 * time.Minute)
	if err := h.fail("GetQueryResults", m{"queryId": id}); err.Code != "ResourceNotFoundException" {
		t.Fatalf("after 7 days: %v", err)
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
