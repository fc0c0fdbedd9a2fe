package logs

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func FuzzParseStreamToken(f *testing.F) {
	f.Add(formatStreamToken('f', eventKey{ts: 1700000000000, seq: 42}))
	f.Add(formatStreamToken('b', eventKey{}))
	f.Add("f/")
	f.Add("b/99999999999999999999999999999999999999999999999999999999")
	f.Fuzz(func(t *testing.T, s string) {
		dir, k, err := parseStreamToken(s)
		if err != nil {
			return
		}
		// Whatever parses re-renders to itself.
		if again := formatStreamToken(dir, k); again != s {
			t.Errorf("%q parsed as %c %+v renders %q", s, dir, k, again)
		}
	})
}

func FuzzDecodeToken(f *testing.F) {
	f.Add(encodeToken(pageToken{Kind: tokenFilter, TS: 5, Seq: 7, Max: 9, Fingerprint: "x"}))
	f.Add("e30")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := decodeToken(s, tokenFilter)
		if err != nil {
			return
		}
		if tok.Kind != tokenFilter || tok.Offset < 0 {
			t.Errorf("accepted %+v", tok)
		}
		if back, err := decodeToken(encodeToken(tok), tokenFilter); err != nil || back != tok {
			t.Errorf("round trip of %+v: %+v, %v", tok, back, err)
		}
	})
}

func FuzzDecodePtr(f *testing.F) {
	f.Add(encodePtr(recordPtr{group: 1, stream: 2, ts: 1700000000000, seq: 3}))
	f.Add(encodePtr(recordPtr{ts: -5}))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := decodePtr(s)
		if !ok {
			return
		}
		if q, ok := decodePtr(encodePtr(p)); !ok || q != p {
			t.Errorf("round trip of %+v: %+v", p, q)
		}
	})
}

func TestPtrRoundTrip(t *testing.T) {
	for _, p := range []recordPtr{{}, {group: 1 << 40, stream: 7, ts: -1, seq: 1 << 63}, {group: 3, stream: 4, ts: 1700000000123, seq: 99}} {
		if got, ok := decodePtr(encodePtr(p)); !ok || got != p {
			t.Errorf("%+v: got %+v %v", p, got, ok)
		}
	}
}

// golden compares the raw response of an action, in the field order the
// front end renders, with testdata/<name>.json.
func golden(t *testing.T, h *harness, name, action string, body any) {
	t.Helper()
	raw, err := h.invoke(action, body)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	got := append(buf.Bytes(), '\n')
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file:\n%s", name, got)
	}
}

func TestGoldenResponses(t *testing.T) {
	h := newHarness(t, 0)
	h.do("CreateLogGroup", m{"logGroupName": "/irdrill/golden", "kmsKeyId": "arn:aws:kms:us-east-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, nil)
	h.do("PutRetentionPolicy", m{"logGroupName": "/irdrill/golden", "retentionInDays": 90}, nil)
	h.createStream("/irdrill/golden", "web")
	h.createStream("/irdrill/golden", "db")
	now := nowMS()
	h.put("/irdrill/golden", "web", []int64{now - 2000, now}, []string{`{"level":"ERROR","msg":"AccessDenied for alice"}`, `{"level":"INFO","msg":"ok"}`})
	h.put("/irdrill/golden", "db", []int64{now - 1000}, []string{"ERROR connection refused"})

	golden(t, h, "describe_log_groups", "DescribeLogGroups", m{})
	golden(t, h, "describe_log_streams", "DescribeLogStreams", m{"logGroupName": "/irdrill/golden"})
	golden(t, h, "filter_log_events", "FilterLogEvents", m{"logGroupName": "/irdrill/golden", "filterPattern": "ERROR"})
	golden(t, h, "get_log_events", "GetLogEvents", m{"logGroupName": "/irdrill/golden", "logStreamName": "web"})
	golden(t, h, "put_log_events_rejected", "PutLogEvents", m{"logGroupName": "/irdrill/golden", "logStreamName": "db", "logEvents": []m{{"timestamp": now - 15*24*hour, "message": "old"}, {"timestamp": now, "message": "new"}}})
	var started startQueryOutput
	h.do("StartQuery", m{"logGroupName": "/irdrill/golden", "startTime": now/1000 - 60, "endTime": now / 1000, "queryString": "stats count(*) as n by level | sort level"}, &started)
	h.waitQuery(started.QueryID)
	golden(t, h, "get_query_results_stats", "GetQueryResults", m{"queryId": started.QueryID})
}

// TestConcurrentUse exercises every path at once; run with -race.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, 0)
	h.createGroup("g")
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		stream := fmt.Sprintf("s%d", w)
		h.createStream("g", stream)
		wg.Add(3)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				h.put("g", stream, []int64{nowMS() - int64(i), nowMS()}, []string{"a ERROR", "b"})
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				h.do("FilterLogEvents", m{"logGroupName": "g", "filterPattern": "ERROR", "limit": 5}, nil)
				h.do("GetLogEvents", m{"logGroupName": "g", "logStreamName": stream}, nil)
				h.do("DescribeLogStreams", m{"logGroupName": "g"}, nil)
			}
		}()
		go func() {
			defer wg.Done()
			for i := 0; i < 5; i++ {
				h.runQuery(m{"logGroupName": "g", "startTime": baseTime.Unix() - 60, "endTime": baseTime.Unix(), "queryString": "stats count(*)"})
				h.do("DescribeQueries", m{}, nil)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = h.svc.PutEvents(context.Background(), testRegion, "g", "generated", []InputEvent{{Timestamp: baseTime, Message: "x"}})
	}()
	wg.Wait()
	var out filterLogEventsOutput
	h.do("FilterLogEvents", m{"logGroupName": "g", "filterPattern": "ERROR"}, &out)
	if len(out.Events) != 4*20 {
		t.Errorf("%d ERROR events, want 80", len(out.Events))
	}
}

// TestMillionEventGroup checks that a one-million-event group ingests and
// answers a query and a filter.
func TestMillionEventGroup(t *testing.T) {
	if testing.Short() {
		t.Skip("large")
	}
	h := newHarness(t, 0)
	h.createGroup("big")
	const n = 1_000_000
	base := baseTime.Add(-time.Hour)
	batch := make([]InputEvent, 0, 10000)
	for i := 0; i < n; i++ {
		batch = append(batch, InputEvent{
			Timestamp: base.Add(time.Duration(i) * time.Millisecond),
			Message:   fmt.Sprintf(`{"i":%d,"action":"%s"}`, i, []string{"ACCEPT", "REJECT"}[i%2]),
		})
		if len(batch) == cap(batch) {
			if err := h.svc.PutEvents(context.Background(), testRegion, "big", fmt.Sprintf("s%d", i%4), batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	out := h.runQuery(m{"logGroupName": "big", "startTime": base.Unix(), "endTime": baseTime.Unix(), "queryString": `filter action = "REJECT" | stats count(*) as n`})
	if got := column(out.Results, "n"); len(got) != 1 || got[0] != "500000" || out.Statistics.RecordsScanned != n {
		t.Errorf("results %v, statistics %+v", out.Results, out.Statistics)
	}
	var f filterLogEventsOutput
	h.do("FilterLogEvents", m{"logGroupName": "big", "filterPattern": `{ $.i = 999999 }`}, &f)
	if len(f.Events) != 1 {
		t.Errorf("filter found %d", len(f.Events))
	}
}

func TestDecodeTokenForRejectsOtherRequests(t *testing.T) {
	tok := encodeToken(pageToken{Kind: tokenDescribeStreams, Name: "s", Fingerprint: "a"})
	if got, err := decodeTokenFor(tok, tokenDescribeStreams, "a"); err != nil || got.Name != "s" {
		t.Fatalf("same request: got %+v, %v", got, err)
	}
	for _, c := range []struct{ kind, fingerprint string }{
		{tokenDescribeStreams, "b"}, // the same action with other parameters
		{tokenQueries, "a"},         // another action's token
	} {
		_, err := decodeTokenFor(tok, c.kind, c.fingerprint)
		if err == nil || err.Error() != errInvalidToken().Error() {
			t.Errorf("kind %s, fingerprint %s: got %v, want %v", c.kind, c.fingerprint, err, errInvalidToken())
		}
	}
}
