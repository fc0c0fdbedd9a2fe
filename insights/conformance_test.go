// Conformance tests for the Logs Insights engine: fixture loaders shared by
// every test file of this package, plus statistics, @ptr, default sort and
// limit, and syntax-error positions.
//
// Expected answers are worked out by hand from the fixture tables in
// testdata/conformance/README.md; AWS's documented behaviour
// (/work/shared/reference/logs-insights-language.md) is the spec.
package insights_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/insights"
)

const (
	ctGroup       = "999999999999:irdrill-cloudtrail"
	ctStream      = "999999999999_CloudTrail_us-east-1"
	flowGroup     = "999999999999:/irdrill/vpc-flow-logs-default"
	workshopGroup = "999999999999:/irdrill/vpc-flow-logs-workshop"
	r53Group      = "999999999999:/irdrill/route53-resolver"

	// ingestionDelay is the fixed gap the loaders put between @timestamp and
	// @ingestionTime (an approximation; real delivery delay varies).
	ingestionDelay = 60_000
)

const (
	fixtureCloudTrail = "cloudtrail.jsonl"
	fixtureFlowV2     = "vpcflow-default.log"
	fixtureWorkshop   = "vpcflow-workshop.log"
	fixtureResolver   = "route53-resolver.jsonl"
)

// fixtureLine is one raw line of a fixture and the event input built from it.
type fixtureLine struct {
	Text  string
	Input insights.EventInput
}

// ptrFor is the @ptr the loaders give the event on a 1-based line of a file.
func ptrFor(file string, line int) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%s:%d", file, line))
}

func readFixture(t testing.TB, file string) []fixtureLine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "conformance", file))
	if err != nil {
		t.Fatalf("open fixture: %v", err)
	}
	defer f.Close()
	var out []fixtureLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		in := insights.EventInput{Message: text, Ptr: ptrFor(file, n)}
		switch file {
		case fixtureCloudTrail:
			var r struct {
				EventTime string `json:"eventTime"`
			}
			in.Timestamp = mustJSONTime(t, text, &r, func() string { return r.EventTime })
			in.LogGroup, in.LogStream = ctGroup, ctStream
		case fixtureResolver:
			var r struct {
				QueryTimestamp string `json:"query_timestamp"`
				VPCID          string `json:"vpc_id"`
			}
			in.Timestamp = mustJSONTime(t, text, &r, func() string { return r.QueryTimestamp })
			in.LogGroup, in.LogStream = r53Group, r.VPCID
		case fixtureFlowV2, fixtureWorkshop:
			fields := strings.Fields(text)
			start, err := strconv.ParseInt(fields[10], 10, 64)
			if err != nil {
				t.Fatalf("%s:%d: start field: %v", file, n, err)
			}
			in.Timestamp = start * 1000
			in.LogStream = fields[2] + "-all"
			in.LogGroup = flowGroup
			if file == fixtureWorkshop {
				in.LogGroup = workshopGroup
			}
		default:
			t.Fatalf("unknown fixture %s", file)
		}
		in.IngestionTime = in.Timestamp + ingestionDelay
		out = append(out, fixtureLine{Text: text, Input: in})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read fixture %s: %v", file, err)
	}
	return out
}

func mustJSONTime(t testing.TB, text string, into any, get func() string) int64 {
	t.Helper()
	if err := json.Unmarshal([]byte(text), into); err != nil {
		t.Fatalf("fixture line is not JSON: %v", err)
	}
	ts, err := time.Parse(time.RFC3339, get())
	if err != nil {
		t.Fatalf("fixture time %q: %v", get(), err)
	}
	return ts.UnixMilli()
}

// load builds events from one or more fixture files, in file order.
func load(t testing.TB, files ...string) []*insights.Event {
	t.Helper()
	var evs []*insights.Event
	for _, f := range files {
		for _, l := range readFixture(t, f) {
			evs = append(evs, insights.NewEvent(l.Input))
		}
	}
	return evs
}

// loadWhere builds events from the fixture lines keep accepts.
func loadWhere(t testing.TB, file string, keep func(text string) bool) []*insights.Event {
	t.Helper()
	var evs []*insights.Event
	for _, l := range readFixture(t, file) {
		if keep(l.Text) {
			evs = append(evs, insights.NewEvent(l.Input))
		}
	}
	return evs
}

// okFlows drops NODATA/SKIPDATA flow records, whose "-" placeholders have no
// documented rendering, for samples that aggregate numeric flow fields.
func okFlows(text string) bool { return strings.HasSuffix(strings.Fields(text)[13], "OK") }

// inlineBase is the @timestamp of the first inline event (2021-07-29T02:00:00Z).
var inlineBase = time.Date(2021, 7, 29, 2, 0, 0, 0, time.UTC).UnixMilli()

// inline builds events from literal messages; event i has @timestamp
// inlineBase + i seconds, so later arguments are more recent.
func inline(msgs ...string) []*insights.Event {
	evs := make([]*insights.Event, len(msgs))
	for i, m := range msgs {
		ts := inlineBase + int64(i)*1000
		evs[i] = insights.NewEvent(insights.EventInput{
			Timestamp: ts, IngestionTime: ts + ingestionDelay, Message: m,
			LogStream: "inline", LogGroup: "999999999999:/irdrill/inline", Ptr: fmt.Sprintf("inline-%d", i),
		})
	}
	return evs
}

func run(t testing.TB, query string, evs []*insights.Event) *insights.Result {
	t.Helper()
	return runWith(t, query, evs, insights.RunOptions{})
}

func runWith(t testing.TB, query string, evs []*insights.Event, opts insights.RunOptions) *insights.Result {
	t.Helper()
	q, err := insights.Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	res, err := q.Run(context.Background(), evs, opts)
	if err != nil {
		t.Fatalf("Run(%q): %v", query, err)
	}
	return res
}

// queryError returns the error of parsing or running query, whichever comes
// first; AWS reports both as MalformedQueryException, so tests that only care
// that a query is rejected accept either stage.
func queryError(query string, evs []*insights.Event) error {
	q, err := insights.Parse(query)
	if err != nil {
		return err
	}
	_, err = q.Run(context.Background(), evs, insights.RunOptions{})
	return err
}

type row = map[string]string

// rowMaps converts result rows to maps without @ptr, failing on a field that
// appears twice in one row.
func rowMaps(t testing.TB, res *insights.Result) []row {
	t.Helper()
	out := make([]row, 0, len(res.Rows))
	for i, r := range res.Rows {
		m := row{}
		for _, f := range r {
			if _, dup := m[f.Field]; dup {
				t.Fatalf("row %d has field %q twice: %v", i, f.Field, r)
			}
			if f.Field != "@ptr" {
				m[f.Field] = f.Value
			}
		}
		out = append(out, m)
	}
	return out
}

// wantRows asserts the rows (ignoring @ptr) equal want, in order.
func wantRows(t testing.TB, res *insights.Result, want []row) {
	t.Helper()
	got := rowMaps(t, res)
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows differ\n got: %s\nwant: %s", dumpRows(got), dumpRows(want))
	}
}

// wantRowSet asserts the rows equal want in any order, for outputs whose
// order AWS leaves undocumented (stats without sort, sort ties).
func wantRowSet(t testing.TB, res *insights.Result, want []row) {
	t.Helper()
	got := rowMaps(t, res)
	if !reflect.DeepEqual(canonical(got), canonical(want)) {
		t.Fatalf("row sets differ\n got: %s\nwant: %s", dumpRows(got), dumpRows(want))
	}
}

func canonical(rows []row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r) // map keys marshal sorted
		out[i] = string(b)
	}
	sort.Strings(out)
	return out
}

func dumpRows(rows []row) string {
	var b strings.Builder
	for _, r := range rows {
		j, _ := json.Marshal(r)
		b.WriteString("\n  ")
		b.Write(j)
	}
	return b.String()
}

// column returns one field's value from every row ("<absent>" if missing).
func column(t testing.TB, res *insights.Result, field string) []string {
	t.Helper()
	var out []string
	for _, r := range rowMaps(t, res) {
		v, ok := r[field]
		if !ok {
			v = "<absent>"
		}
		out = append(out, v)
	}
	return out
}

// tsAt renders a 2021-07-29 UTC time of day the way GetQueryResults renders
// @timestamp ("yyyy-MM-dd HH:mm:ss.SSS", UTC; reference §6.4, observed
// responses).
func tsAt(hms string) string { return "2021-07-29 " + hms + ".000" }

func TestFixturesLoad(t *testing.T) {
	tests := []struct {
		file string
		n    int
	}{
		{fixtureCloudTrail, 33}, {fixtureFlowV2, 16}, {fixtureWorkshop, 10}, {fixtureResolver, 16},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			lines := readFixture(t, tc.file)
			if len(lines) != tc.n {
				t.Fatalf("%d lines, want %d", len(lines), tc.n)
			}
			seen := map[int64]bool{}
			for _, l := range lines {
				if seen[l.Input.Timestamp] {
					t.Fatalf("two events share @timestamp %d; default order would depend on ties", l.Input.Timestamp)
				}
				seen[l.Input.Timestamp] = true
				ev := insights.NewEvent(l.Input)
				if ev.Message() != l.Text || ev.Timestamp() != l.Input.Timestamp {
					t.Fatalf("NewEvent did not keep message/timestamp")
				}
				if ev.SizeBytes() < len(l.Text) {
					t.Fatalf("SizeBytes %d smaller than the message (%d bytes)", ev.SizeBytes(), len(l.Text))
				}
			}
			res := run(t, "fields @message", load(t, tc.file))
			if len(res.Rows) != tc.n {
				t.Fatalf("fields @message returned %d rows, want %d", len(res.Rows), tc.n)
			}
		})
	}
}

func TestSystemFields(t *testing.T) {
	evs := load(t, fixtureCloudTrail)
	res := run(t, `filter eventName = "GetSessionToken" | fields @timestamp, @ingestionTime, @logStream, @log, eventName`, evs)
	wantRows(t, res, []row{{
		"@timestamp": tsAt("01:31:10"), "@ingestionTime": tsAt("01:32:10"),
		"@logStream": ctStream, "@log": ctGroup, "eventName": "GetSessionToken",
	}})
}

func TestStatistics(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	var ctBytes float64
	for _, l := range readFixture(t, fixtureCloudTrail) {
		ctBytes += float64(len(l.Text))
	}
	tests := []struct {
		name    string
		query   string
		opts    insights.RunOptions
		rows    int
		matched float64
		scanned float64
	}{
		// 7 authorization failures (c07 c08 c13 c26 c27 c28 c29); the
		// limit trims the rows but recordsMatched reflects the full raw
		// result (API_GetQueryResults: "These values reflect the full raw
		// results of the query").
		{"limit command", `filter errorCode like /Unauthorized|Denied|Forbidden/ | limit 2`, insights.RunOptions{}, 2, 7, 33},
		{"limit option", `filter errorCode like /Unauthorized|Denied|Forbidden/`, insights.RunOptions{Limit: 3}, 3, 7, 33},
		{"no filter", `fields eventName`, insights.RunOptions{Limit: 5}, 5, 33, 33},
		// dedup: "Showing X of Y records", Y = records matched before dedup.
		// Five event sources: iam sts ec2 s3 cloudtrail.
		{"dedup", `fields eventSource | dedup eventSource`, insights.RunOptions{}, 5, 33, 33},
		// For stats, matched = events surviving the filters (reference §9.3
		// inference from the console's "records matched" wording).
		{"stats", `filter errorCode like /Unauthorized|Denied|Forbidden/ | stats count(*) by eventSource`, insights.RunOptions{}, 4, 7, 33},
		{"nothing matches", `filter eventName = "NoSuchCall"`, insights.RunOptions{}, 0, 0, 33},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := runWith(t, tc.query, ct, tc.opts)
			if len(res.Rows) != tc.rows {
				t.Errorf("rows = %d, want %d", len(res.Rows), tc.rows)
			}
			if res.Statistics.RecordsMatched != tc.matched {
				t.Errorf("recordsMatched = %v, want %v", res.Statistics.RecordsMatched, tc.matched)
			}
			if res.Statistics.RecordsScanned != tc.scanned {
				t.Errorf("recordsScanned = %v, want %v", res.Statistics.RecordsScanned, tc.scanned)
			}
			// How bytes are counted is undocumented; at minimum every
			// scanned message's bytes are included.
			if res.Statistics.BytesScanned < ctBytes {
				t.Errorf("bytesScanned = %v, want at least the %v message bytes", res.Statistics.BytesScanned, ctBytes)
			}
		})
	}
}

func TestBytesScannedScalesWithInputNotWithFilter(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	all := run(t, `fields eventName`, ct).Statistics.BytesScanned
	filtered := run(t, `filter eventName = "ListBuckets"`, ct).Statistics.BytesScanned
	if all != filtered {
		t.Errorf("bytesScanned depends on the filter: %v vs %v", all, filtered)
	}
	twice := run(t, `fields eventName`, append(append([]*insights.Event{}, ct...), load(t, fixtureCloudTrail)...)).Statistics.BytesScanned
	if twice != 2*all {
		t.Errorf("bytesScanned for the events twice = %v, want %v", twice, 2*all)
	}
}

func TestPtrIdentifiesTheEvent(t *testing.T) {
	res := run(t, `fields eventName, eventTime`, load(t, fixtureCloudTrail))
	if len(res.Rows) != 33 {
		t.Fatalf("%d rows, want 33", len(res.Rows))
	}
	// Default order is @timestamp desc, so row i is fixture line 33-i.
	for i, r := range res.Rows {
		ptrs := 0
		for _, f := range r {
			if f.Field == "@ptr" {
				ptrs++
				if want := ptrFor(fixtureCloudTrail, 33-i); f.Value != want {
					t.Errorf("row %d @ptr = %q, want %q", i, f.Value, want)
				}
			}
		}
		if ptrs != 1 {
			t.Errorf("row %d has %d @ptr fields, want 1", i, ptrs)
		}
	}
}

func TestDefaultSortIsTimestampDescending(t *testing.T) {
	res := run(t, `fields eventTime`, load(t, fixtureCloudTrail))
	got := column(t, res, "eventTime")
	if len(got) != 33 || got[0] != "2021-07-29T01:52:00Z" || got[32] != "2021-07-28T18:00:00Z" {
		t.Fatalf("first/last eventTime = %v", got)
	}
	for i := 1; i < len(got); i++ {
		if got[i] > got[i-1] {
			t.Fatalf("row %d (%s) is newer than row %d (%s)", i, got[i], i-1, got[i-1])
		}
	}
	// Mixing log groups: still one global @timestamp order.
	res = run(t, `filter srcAddr = "192.0.2.1" | fields @log`, load(t, fixtureFlowV2, fixtureWorkshop))
	wantRows(t, res, []row{
		{"@log": flowGroup}, {"@log": flowGroup}, {"@log": flowGroup},
		{"@log": workshopGroup}, {"@log": workshopGroup}, {"@log": workshopGroup},
	})
}

// manyEvents returns n tiny JSON events one second apart.
func manyEvents(n int) []*insights.Event {
	evs := make([]*insights.Event, n)
	for i := range evs {
		ts := inlineBase + int64(i)*1000
		evs[i] = insights.NewEvent(insights.EventInput{Timestamp: ts, IngestionTime: ts,
			Message: `{"i":` + strconv.Itoa(i) + `}`, LogStream: "s", LogGroup: "999999999999:g", Ptr: strconv.Itoa(i)})
	}
	return evs
}

func TestDefaultLimitIsTenThousand(t *testing.T) {
	evs := manyEvents(10_050)
	res := run(t, `fields i`, evs)
	if len(res.Rows) != 10_000 {
		t.Fatalf("rows = %d, want the default 10,000", len(res.Rows))
	}
	if res.Statistics.RecordsMatched != 10_050 {
		t.Errorf("recordsMatched = %v, want 10050", res.Statistics.RecordsMatched)
	}
	// The newest 10,000 are kept: i = 10049 down to 50.
	if c := column(t, res, "i"); c[0] != "10049" || c[9999] != "50" {
		t.Errorf("first/last i = %s/%s, want 10049/50", c[0], c[9999])
	}
	if res := runWith(t, `fields i`, evs, insights.RunOptions{Limit: 20}); len(res.Rows) != 20 {
		t.Errorf("RunOptions.Limit 20 returned %d rows", len(res.Rows))
	}
	if res := run(t, `fields i | limit 7`, evs); len(res.Rows) != 7 {
		t.Errorf("limit 7 returned %d rows", len(res.Rows))
	}
}

func TestLimitCommandAbove100000IsRejected(t *testing.T) {
	// "You can specify a limit value of up to 100,000." (limit page)
	if _, err := insights.Parse(`fields @message | limit 100000`); err != nil {
		t.Errorf("limit 100000 rejected: %v", err)
	}
	if err := queryError(`fields @message | limit 100001`, manyEvents(1)); err == nil {
		t.Error("limit 100001 accepted")
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct {
		query        string
		line, column int
		start        int
		token        string
	}{
		// Unexpected end of input: the token is empty and points past the end.
		{`filter eventName =`, 1, 19, 18, ""},
		{`stats count(*) by`, 1, 18, 17, ""},
		{`fields a | limit`, 1, 17, 16, ""},
		{`filter (a = 1`, 1, 14, 13, ""},
		// A word where asc/desc, ',' or '|' must follow.
		{`fields @timestamp | sort @timestamp sideways`, 1, 37, 36, "sideways"},
		// Unknown command on the second line.
		{"fields @timestamp\n| filtr eventName = \"x\"", 2, 3, 20, "filtr"},
		// Doubled comma.
		{`fields a,, b`, 1, 10, 9, ","},
		// A pipe with no command after it.
		{`fields a | | limit 1`, 1, 12, 11, "|"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			_, err := insights.Parse(tc.query)
			var se *insights.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse error = %v (%T), want *insights.SyntaxError", err, err)
			}
			if se.Line != tc.line || se.Column != tc.column || se.StartCharOffset != tc.start || se.Token != tc.token {
				t.Errorf("got line %d col %d offset %d token %q, want line %d col %d offset %d token %q (%s)",
					se.Line, se.Column, se.StartCharOffset, se.Token, tc.line, tc.column, tc.start, tc.token, se.Message)
			}
			if se.EndCharOffset != tc.start+len(tc.token) {
				t.Errorf("EndCharOffset = %d, want %d", se.EndCharOffset, tc.start+len(tc.token))
			}
			if se.Message == "" {
				t.Error("empty message")
			}
		})
	}
}

func TestUnterminatedStringPointsAtItsStart(t *testing.T) {
	_, err := insights.Parse(`filter a = "unterminated`)
	var se *insights.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Parse error = %v, want *insights.SyntaxError", err)
	}
	if se.Line != 1 || se.Column != 12 || se.StartCharOffset != 11 {
		t.Errorf("got line %d col %d offset %d, want 1/12/11", se.Line, se.Column, se.StartCharOffset)
	}
}

func TestRunHonoursCancelledContext(t *testing.T) {
	q, err := insights.Parse(`fields i`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := q.Run(ctx, manyEvents(200_000), insights.RunOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context returned %v, want context.Canceled", err)
	}
}
