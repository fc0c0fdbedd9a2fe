package insights_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/insights"
)

// One test (or more) per trap of reference §13. Where AWS is silent
// (UNDOCUMENTED), the test asserts the reference's stated assumption and says
// so.

func wantColumn(t *testing.T, res *insights.Result, field string, want ...string) {
	t.Helper()
	if got := column(t, res, field); !slices.Equal(got, want) {
		t.Fatalf("column %s = %q, want %q", field, got, want)
	}
}

func wantRejected(t *testing.T, query string, evs []*insights.Event) {
	t.Helper()
	if err := queryError(query, evs); err == nil {
		t.Fatalf("query accepted, want an error: %s", query)
	}
}

func TestTrap01StatsColumnNames(t *testing.T) {
	flows := load(t, fixtureFlowV2)
	t.Run("expression text as written", func(t *testing.T) {
		// srcAddr 192.0.2.1: d10 d11 d12, bytes 60+60+9000.
		wantRows(t, run(t, `filter srcAddr = "192.0.2.1" | stats count(*), SUM(bytes) by srcAddr`, flows), []row{
			{"count(*)": "3", "SUM(bytes)": "9120", "srcAddr": "192.0.2.1"},
		})
	})
	t.Run("by bin column", func(t *testing.T) {
		wantRows(t, run(t, `filter srcAddr = "192.0.2.1" | stats count(*) by bin(1h)`, flows), []row{
			{"count(*)": "3", "bin(1h)": tsAt("01:00:00")},
		})
	})
	t.Run("later item uses earlier alias", func(t *testing.T) {
		wantRows(t, run(t, `filter srcAddr = "192.0.2.1" | stats max(bytes) as maxB, min(bytes) as minB, maxB - minB as spread`, flows), []row{
			{"maxB": "9000", "minB": "60", "spread": "8940"},
		})
	})
	t.Run("second stats sees first's columns", func(t *testing.T) {
		// Per-source counts over OK records: 10.1.1.1 has 7 (d01–d06, d16).
		wantRows(t, run(t, `filter logStatus = "OK" | stats count(*) as n by srcAddr | stats max(n) as maxN`, flows), []row{{"maxN": "7"}})
	})
	t.Run("second stats cannot see raw fields", func(t *testing.T) {
		wantRejected(t, "FIELDS @message\n| STATS SUM(bytes) by srcAddr\n| STATS MAX(strlen(@message)) AS MaxMessageSize", flows)
	})
}

func TestTrap02LikeInAndRegex(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	tests := []struct {
		query string
		n     string
	}{
		// Literal, case-sensitive substring: RunInstances ×4, DescribeInstances ×2,
		// StopInstances, StartInstances ×2; DescribeInstanceStatus lacks "Instances".
		{`filter eventName like "Instances" | stats count(*) as n`, "9"},
		{`filter eventName =~ "Instances" | stats count(*) as n`, "9"},
		{`filter eventName like "instances" | stats count(*) as n`, "0"},
		// Literal string: dots are dots; "203.0.113.1" is a substring of alice's 203.0.113.10 only.
		{`filter sourceIPAddress like "203.0.113.1" | stats count(*) as n`, "3"},
		// Unanchored regex search: matches 203.0.113.99 (P ×12, M ×7).
		{`filter sourceIPAddress like /203.0.113.9/ | stats count(*) as n`, "19"},
		{`filter sourceIPAddress =~ /\.99$/ | stats count(*) as n`, "19"},
		// in = whole-value equality.
		{`filter eventName in ["Instances", "RunInstances"] | stats count(*) as n`, "4"},
		{`filter eventName not in ["Instances", "RunInstances"] | stats count(*) as n`, "29"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) { wantMatches(t, tc.query, ct, tc.n) })
	}
}

// wantMatches runs `query | stats count(*) as n` style queries by counting
// the rows of the filter alone, so that a filter matching nothing does not
// depend on what a non-grouped stats over zero events returns (which AWS does
// not document).
func wantMatches(t *testing.T, query string, evs []*insights.Event, n string) {
	t.Helper()
	filterOnly, _, ok := strings.Cut(query, " | stats count(*) as n")
	if !ok {
		t.Fatalf("query %q lacks the stats suffix", query)
	}
	res := run(t, filterOnly+" | fields @timestamp", evs)
	if got := fmt.Sprint(len(res.Rows)); got != n {
		t.Fatalf("%s: %s rows, want %s", filterOnly, got, n)
	}
	if got := fmt.Sprint(res.Statistics.RecordsMatched); got != n {
		t.Fatalf("%s: recordsMatched %s, want %s", filterOnly, got, n)
	}
}

func TestTrap03RegexEngines(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	t.Run("parse named groups (?<name>)", func(t *testing.T) {
		res := run(t, `filter eventName = "GetSessionToken" | parse @message /"userName":"(?<who>[^"]+)"/ | display who`, ct)
		wantRows(t, res, []row{{"who": "pipeline"}})
	})
	t.Run("inline (?i) after ^", func(t *testing.T) {
		wantRows(t, run(t, `filter eventName =~ /^(?i)listbuckets$/ | stats count(*) as n`, ct), []row{{"n": "4"}})
	})
	t.Run("alternation and groups in filter", func(t *testing.T) {
		wantRows(t, run(t, `filter errorCode like /(?i)(denied|unauthorized)/ | stats count(*) as n`, ct), []row{{"n": "7"}})
	})
	t.Run("back-references are rejected", func(t *testing.T) {
		// Hyperscan (filter) has no back-references.
		wantRejected(t, `filter eventName like /(a)\1/`, ct)
	})
	t.Run("regexReplace is RE2", func(t *testing.T) {
		res := run(t, `filter eventName = "GetSessionToken" | fields regexReplace(eventName, "[A-Z]", "_") as r`, ct)
		wantRows(t, res, []row{{"r": "_et_ession_oken"}})
	})
}

func TestTrap04StringNumberComparison(t *testing.T) {
	// UNDOCUMENTED; AWS's samples imply numeric-looking strings compare
	// numerically with numbers and "200" matches 200 (reference §2.5).
	evs := inline(
		`{"id":"a","statusCode":"300"}`,
		`{"id":"b","statusCode":300}`,
		`{"id":"c","statusCode":"200"}`,
		`{"id":"d","statusCode":1000}`,
		`{"id":"e","statusCode":"404"}`,
	)
	tests := []struct {
		query string
		ids   []string // newest first
	}{
		{`filter statusCode in [300,400,500] | fields id`, []string{"b", "a"}},
		{`filter statusCode = "200" | fields id`, []string{"c"}},
		{`filter statusCode = 200 | fields id`, []string{"c"}},
		// Numerically 1000 > 400; lexically "1000" < "400".
		{`filter statusCode >= 400 | fields id`, []string{"e", "d"}},
		{`filter statusCode >= 400 and statusCode <= 499 | fields id`, []string{"e"}},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) { wantColumn(t, run(t, tc.query, evs), "id", tc.ids...) })
	}
	t.Run("flow-log text fields", func(t *testing.T) {
		// dstPort > 1000 over the default flows: d01 d02 d04 d05 d09 d11 d16.
		wantRows(t, run(t, `filter dstPort > 1000 | stats count(*) as n`, load(t, fixtureFlowV2)), []row{{"n": "7"}})
	})
}

func TestTrap05MissingNullEmpty(t *testing.T) {
	evs := inline(
		`{"a":"x","b":""}`,
		`{"a":"y"}`,
		`{"a":"w","b":" "}`,
		`{"a":"v","b":"q"}`,
	)
	t.Run("count(field) skips missing", func(t *testing.T) {
		wantRows(t, run(t, `stats count(*) as all, count(b) as withB`, evs), []row{{"all": "4", "withB": "3"}})
	})
	t.Run("isempty isblank ispresent coalesce", func(t *testing.T) {
		wantRows(t, run(t, `fields a, isempty(b) as e, isblank(b) as bl, ispresent(b) as p, coalesce(b, a) as c`, evs), []row{
			{"a": "v", "e": "0", "bl": "0", "p": "1", "c": "q"},
			{"a": "w", "e": "0", "bl": "1", "p": "1", "c": " "},
			{"a": "y", "e": "1", "bl": "1", "p": "0", "c": "y"},
			{"a": "x", "e": "1", "bl": "1", "p": "1", "c": ""},
		})
	})
	t.Run("dedup keeps null keys", func(t *testing.T) {
		dd := inline(
			`{"a":"x","b":""}`, `{"a":"y"}`, `{"a":"w","b":" "}`, `{"a":"v","b":"q"}`, `{"a":"u","b":"q"}`, `{"a":"t"}`,
		)
		// Sorted t u v w x y; v duplicates u's "q"; t and y lack b and stay.
		wantColumn(t, run(t, `fields a, b | sort a asc | dedup b`, dd), "a", "t", "u", "w", "x", "y")
	})
	t.Run("parse miss keeps the row", func(t *testing.T) {
		res := run(t, `parse a "x*" as rest | fields a, rest`, evs)
		wantRows(t, res, []row{{"a": "v"}, {"a": "w"}, {"a": "y"}, {"a": "x", "rest": ""}})
	})
}

func TestTrap06BooleansPrintAsZeroOne(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	res := run(t, `filter eventName in ["ListBuckets", "GetCallerIdentity"] | fields eventName, ispresent(errorCode) as hasErr, eventName = "ListBuckets" as isLB`, ct)
	// c32 c27 c17 c08 c02.
	wantRows(t, res, []row{
		{"eventName": "ListBuckets", "hasErr": "0", "isLB": "1"},
		{"eventName": "ListBuckets", "hasErr": "1", "isLB": "1"},
		{"eventName": "ListBuckets", "hasErr": "0", "isLB": "1"},
		{"eventName": "ListBuckets", "hasErr": "1", "isLB": "1"},
		{"eventName": "GetCallerIdentity", "hasErr": "0", "isLB": "0"},
	})
}

func TestTrap07Defaults(t *testing.T) {
	evs := manyEvents(10_001)
	t.Run("10,000 rows by default", func(t *testing.T) {
		if n := len(run(t, `fields i`, evs).Rows); n != 10_000 {
			t.Errorf("%d rows, want 10000", n)
		}
	})
	t.Run("newest first", func(t *testing.T) {
		wantColumn(t, run(t, `fields i | limit 3`, evs), "i", "10000", "9999", "9998")
	})
	t.Run("limit any N returns N events", func(t *testing.T) {
		res := run(t, `fields i | limit any 3`, evs)
		got := column(t, res, "i")
		if len(got) != 3 || got[0] == got[1] || got[1] == got[2] || got[0] == got[2] {
			t.Errorf("limit any 3 returned %q", got)
		}
	})
}

func TestTrap08NaturalSort(t *testing.T) {
	// AWS's own ascending example (sort page), fed in scrambled order.
	ascending := []string{"!:", "#", "*%04", "0#", "5A", "111A", "2345_", "@", "@_", "A", "A9876fghj", "a12345hfh", "0", "01", "1", "2", "3"}
	scrambled := []int{7, 14, 0, 11, 3, 16, 9, 1, 13, 5, 10, 2, 15, 6, 12, 4, 8}
	msgs := make([]string, len(scrambled))
	for i, k := range scrambled {
		msgs[i] = fmt.Sprintf(`{"v":%q}`, ascending[k])
	}
	evs := inline(msgs...)
	wantColumn(t, run(t, `fields v | sort v asc`, evs), "v", ascending...)
	// "If you sort in descending order, the sort results are the reverse."
	descending := slices.Clone(ascending)
	slices.Reverse(descending)
	wantColumn(t, run(t, `fields v | sort v desc`, evs), "v", descending...)
}

func TestTrap09SortDefaultDirectionIsAscending(t *testing.T) {
	// UNDOCUMENTED; AWS's `sort t` on a time bucket implies ascending.
	res := run(t, `filter eventSource = "cloudtrail.amazonaws.com" | fields eventTime | sort eventTime`, load(t, fixtureCloudTrail))
	wantColumn(t, res, "eventTime", "2021-07-29T01:46:20Z", "2021-07-29T01:46:30Z", "2021-07-29T01:52:00Z")
	t.Run("multiple keys", func(t *testing.T) {
		// Sources asc, then eventTime desc within a source.
		res := run(t, `filter eventName in ["UpdateTrail", "ListBuckets"] | fields eventSource, eventTime | sort eventSource asc, eventTime desc`, load(t, fixtureCloudTrail))
		wantColumn(t, res, "eventTime",
			"2021-07-29T01:52:00Z", "2021-07-29T01:46:30Z", "2021-07-29T01:46:20Z",
			"2021-07-29T01:51:30Z", "2021-07-29T01:46:10Z", "2021-07-29T01:41:20Z", "2021-07-29T01:31:00Z")
	})
}

func TestTrap10BinCaps(t *testing.T) {
	flows := load(t, fixtureFlowV2)
	// bin(300s) is capped to 60 s, so it gives minute buckets (12 in
	// 01:40, 4 in 01:41), not one five-minute bucket of 16.
	wantRowSet(t, run(t, `stats count(*) by bin(300s)`, flows), []row{
		{"bin(300s)": tsAt("01:40:00"), "count(*)": "12"},
		{"bin(300s)": tsAt("01:41:00"), "count(*)": "4"},
	})
	wantRowSet(t, run(t, `stats count(*) as n by bin(90m) as b`, flows), []row{{"b": tsAt("01:00:00"), "n": "16"}})
	for _, unit := range []string{"1ms", "1msec", "1msecs", "1s", "1sec", "1secs", "1second", "1m", "1min", "5mins", "1minute",
		"1h", "1hr", "1hrs", "1hour", "1d", "1day", "1w", "1week", "1mo", "1mon", "1month", "1q", "1qtr", "1quarter", "1y", "1yr", "1year"} {
		if _, err := insights.Parse("stats count(*) by bin(" + unit + ")"); err != nil {
			t.Errorf("bin(%s) rejected: %v", unit, err)
		}
	}
}

func TestTrap11BinFloorsWithoutEmptyBuckets(t *testing.T) {
	// c01 at 18:00 on the 28th; the rest 01:30–01:52 on the 29th. Floor
	// puts 01:52 in 01:00 (nearest would say 02:00); the hours between
	// have no events and produce no rows.
	wantRowSet(t, run(t, `stats count(*) as n by bin(1h)`, load(t, fixtureCloudTrail)), []row{
		{"bin(1h)": "2021-07-28 18:00:00.000", "n": "1"},
		{"bin(1h)": tsAt("01:00:00"), "n": "32"},
	})
}

func TestTrap12BinReadsTimestamp(t *testing.T) {
	flows := load(t, fixtureFlowV2, fixtureWorkshop)
	wantRejected(t, "FIELDS strlen(@message) AS message_length\n | STATS sum(message_length) AS ingested_bytes BY @logStream\n | STATS avg(ingested_bytes) BY bin(5m)", flows)
	// Propagating @timestamp works: every stream's newest record is in
	// 01:40–01:41, so dateceil(…, 5m) is 01:45 for all 26 records.
	res := run(t, "STATS count(*) as n, max(@timestamp) as @t BY @logStream\n | STATS sum(n) as total BY dateceil(@t, 5m) as t5", flows)
	wantRows(t, res, []row{{"t5": tsAt("01:45:00"), "total": "26"}})
}

func TestTrap13MultiStatsSortPlacement(t *testing.T) {
	flows := load(t, fixtureFlowV2)
	wantRejected(t, `stats count(*) as n by srcAddr | sort n desc | stats max(n) as m`, flows)
	wantRows(t, run(t, `filter logStatus = "OK" | stats count(*) as n by srcAddr | stats count(*) as sources | sort sources desc`, flows),
		[]row{{"sources": "4"}})
}

func TestTrap14DedupOrder(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	t.Run("default order is @timestamp desc", func(t *testing.T) {
		// c33 cloudtrail, c32 s3, c31 iam, c30 sts, c26 ec2.
		wantColumn(t, run(t, `fields eventSource, eventName | dedup eventSource`, ct), "eventName",
			"UpdateTrail", "ListBuckets", "CreateUser", "AssumeRole", "DescribeInstances")
	})
	t.Run("after an ascending sort", func(t *testing.T) {
		wantColumn(t, run(t, `fields eventSource, eventName | sort @timestamp asc | dedup eventSource`, ct), "eventName",
			"CreateAccessKey", "GetCallerIdentity", "DescribeImages", "ListBuckets", "UpdateTrail")
	})
	t.Run("limit may follow", func(t *testing.T) {
		wantColumn(t, run(t, `fields eventSource, eventName | dedup eventSource | limit 2`, ct), "eventName", "UpdateTrail", "ListBuckets")
	})
	t.Run("nothing else may follow", func(t *testing.T) {
		wantRejected(t, `fields eventSource | dedup eventSource | sort eventSource`, ct)
		wantRejected(t, `fields eventSource | dedup eventSource | filter eventSource = "s3.amazonaws.com"`, ct)
	})
}

func TestTrap15FieldsAccumulateDisplayReplaces(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	wantRows(t, run(t, `fields eventName | fields awsRegion | filter eventName = "GetSessionToken"`, ct),
		[]row{{"eventName": "GetSessionToken", "awsRegion": "us-east-1"}})
	wantRows(t, run(t, `filter eventName = "GetSessionToken" | display eventName | display awsRegion`, ct),
		[]row{{"awsRegion": "us-east-1"}})
	// c33 is alice's; c29 and c28 are integration's.
	wantRows(t, run(t, `filter eventName = "UpdateTrail" | display eventTime, userIdentity.userName = "alice" as byAlice`, ct), []row{
		{"eventTime": "2021-07-29T01:52:00Z", "byAlice": "1"},
		{"eventTime": "2021-07-29T01:46:30Z", "byAlice": "0"},
		{"eventTime": "2021-07-29T01:46:20Z", "byAlice": "0"},
	})
}

func TestTrap16JSONFlattening(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	t.Run("arrays are .0. segments", func(t *testing.T) {
		res := run(t, `filter eventName = "RunInstances" and ispresent(responseElements.instancesSet.items.0.instanceId) | fields requestParameters.instancesSet.items.0.imageId as ami, responseElements.instancesSet.items.0.instanceId as id, responseElements.instancesSet.items.0.privateIpAddress as ip`, ct)
		wantRows(t, res, []row{
			{"ami": "ami-0c2b8ca1dad447f8a", "id": "i-0a3d222d84db8be8b", "ip": "172.31.29.22"},
			{"ami": "ami-0c2b8ca1dad447f8a", "id": "i-007beca872e8e8724", "ip": "192.168.1.234"},
			{"ami": "ami-0c2b8ca1dad447f8a", "id": "i-0ba42452619fc45aa", "ip": "192.168.2.146"},
		})
	})
	t.Run("second array element", func(t *testing.T) {
		res := run(t, `filter query_name = "amazonlinux.us-east-1.amazonaws.com." | fields answers.0.Type as t0, answers.1.Rdata as r1`, load(t, fixtureResolver))
		wantRows(t, res, []row{{"t0": "CNAME", "r1": "52.216.110.35"}})
	})
	t.Run("key starting with @ gets another @", func(t *testing.T) {
		res := run(t, "fields `@@example.com` as v", inline(`{"@example.com":"x"}`))
		wantRows(t, res, []row{{"v": "x"}})
	})
	t.Run("JSON inside a string is opaque", func(t *testing.T) {
		evs := inline(`{"api":{"request":{"data":"{\"startTime\":1234,\"endTime\":5678}"}}}`)
		wantRows(t, run(t, `fields api.request.data.startTime as dotted, jsonParse(api.request.data).startTime as parsed`, evs),
			[]row{{"parsed": "1234"}})
	})
	t.Run("at most 200 fields extracted", func(t *testing.T) {
		var msg, expr strings.Builder
		msg.WriteString("{")
		for i := range 250 {
			if i > 0 {
				msg.WriteString(",")
				expr.WriteString(" + ")
			}
			fmt.Fprintf(&msg, `"f%03d":%d`, i, i)
			fmt.Fprintf(&expr, "ispresent(f%03d)", i)
		}
		msg.WriteString("}")
		wantRows(t, run(t, "fields "+expr.String()+" as n", inline(msg.String())), []row{{"n": "200"}})
	})
}

func TestTrap17JSONParseMapsAndLists(t *testing.T) {
	evs := inline(
		`{"users":[{"action":"GetData"},{"action":"PutData"}],"user.id":"123","status_code":200}`,
		`{"users":[{"action":"PutData"},{"action":"GetData"}],"user.id":"456","status_code":500}`,
	)
	t.Run("list index is 0-based", func(t *testing.T) {
		// Reference inference: [1] is the second element, like .1. in flattening.
		wantColumn(t, run(t, "fields jsonParse(@message) as json_message | filter json_message.users[1].action = \"PutData\" | display json_message.`user.id` as uid", evs),
			"uid", "123")
	})
	t.Run("backticked key with a dot", func(t *testing.T) {
		res := run(t, "fields jsonParse(@message) as json_message | filter json_message.`user.id` = \"456\" | fields json_message.status_code as sc", evs)
		wantColumn(t, res, "sc", "500")
	})
	t.Run("maps are null to string functions", func(t *testing.T) {
		res := run(t, `fields jsonParse(@message) as j | fields toupper(j) as u | display u`, evs)
		wantRows(t, res, []row{{}, {}})
	})
	t.Run("comparisons with maps are false", func(t *testing.T) {
		wantMatches(t, `fields jsonParse(@message) as j | filter j = "x" or j != "x" | stats count(*) as n`, evs, "0")
	})
	t.Run("maps cannot be sorted or grouped", func(t *testing.T) {
		wantRejected(t, `fields jsonParse(@message) as j | sort j`, evs)
		wantRejected(t, `fields jsonParse(@message) as j | stats count(*) by j`, evs)
	})
}

func TestTrap18ParseGlob(t *testing.T) {
	evs := inline(
		"25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException",
		"no match at all",
	)
	want := []row{
		{"@message": "no match at all"},
		{"@message": "25 May 2019 10:24:39,474 [ERROR] {foo=2, bar=data} The error was: DataIntegrityException",
			"level": "ERROR", "config": "{foo=2, bar=data}", "exception": "DataIntegrityException"},
	}
	// Unanchored start, lazy interior *, trailing * to the end; rows that
	// do not match are kept without the fields.
	wantRows(t, run(t, `parse @message "[*] * The error was: *" as level, config, exception | fields @message, level, config, exception`, evs), want)
	wantRows(t, run(t, `parse @message /\[(?<level>\S+)\]\s+(?<config>\{.*\})\s+The error was: (?<exception>\S+)/ | fields @message, level, config, exception`, evs), want)
	wantRejected(t, `parse @message "[*] *" as level`, evs)
}

func TestTrap19Lexing(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	wantRows(t, run(t, `FILTER eventName = "ListBuckets" | STATS COUNT(*) AS n`, ct), []row{{"n": "4"}})
	wantMatches(t, `filter eventname = "ListBuckets" | stats count(*) as n`, ct, "0")
	evs := inline(`{"foo-bar":"x","foo":5,"bar":2}`)
	wantRows(t, run(t, "fields `foo-bar` as fb, foo-bar as diff", evs), []row{{"fb": "x", "diff": "3"}})
	if _, err := insights.Parse("filter @`aws.tag.aws:cloudformation:stack-name` = \"my-stack\""); err != nil {
		t.Errorf("@`…` tag field rejected: %v", err)
	}
}

func TestTrap20Comments(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	q := "# ListBuckets calls\nfilter eventName = \"ListBuckets\" # trailing comment\n    # | filter awsRegion = \"nowhere\"\n| stats count(*) as n"
	wantRows(t, run(t, q, ct), []row{{"n": "4"}})
	// Inference: # inside a string is not a comment.
	wantRows(t, run(t, `filter eventName != "#x" | stats count(*) as n`, ct), []row{{"n": "33"}})
}

func TestTrap21FilterIndex(t *testing.T) {
	flows := load(t, fixtureFlowV2)
	// @logStream is a default field index, so filterIndex on it returns what
	// filter does: d07 d08 d09 d13 d14.
	byIndex := run(t, `filterIndex @logStream = "eni-0a1b2c3d4e5f60002-all" | fields @timestamp`, flows)
	byFilter := run(t, `filter @logStream = "eni-0a1b2c3d4e5f60002-all" | fields @timestamp`, flows)
	wantColumn(t, byFilter, "@timestamp", tsAt("01:41:05"), tsAt("01:41:00"), tsAt("01:40:40"), tsAt("01:40:35"), tsAt("01:40:30"))
	wantColumn(t, byIndex, "@timestamp", tsAt("01:41:05"), tsAt("01:41:00"), tsAt("01:40:40"), tsAt("01:40:35"), tsAt("01:40:30"))
	// filterIndex never returns events whose value differs.
	res := run(t, `filterIndex action in ["REJECT"] | fields action`, flows)
	for _, v := range column(t, res, "action") {
		if v != "REJECT" {
			t.Fatalf("filterIndex returned action %q", v)
		}
	}
}

func TestTrap22ResultShape(t *testing.T) {
	res := run(t, `filter eventSource = "s3.amazonaws.com" | fields @log, errorCode, eventName`, load(t, fixtureCloudTrail))
	// c32 c27 c17 c08: absent fields are absent from the row, @ptr is added.
	wantRows(t, res, []row{
		{"@log": ctGroup, "eventName": "ListBuckets"},
		{"@log": ctGroup, "eventName": "ListBuckets", "errorCode": "AccessDenied"},
		{"@log": ctGroup, "eventName": "ListBuckets"},
		{"@log": ctGroup, "eventName": "ListBuckets", "errorCode": "AccessDenied"},
	})
	for i, r := range res.Rows {
		if !slices.ContainsFunc(r, func(f insights.ResultField) bool { return f.Field == "@ptr" && f.Value != "" }) {
			t.Errorf("row %d lacks @ptr", i)
		}
	}
}

func TestTrap23TimeFunctions(t *testing.T) {
	// StartQuery's window is epoch seconds, inclusive; the engine gets the
	// already-selected events, so what it owns is now() (epoch seconds)
	// and the window functions (epoch milliseconds).
	now := time.Date(2021, 7, 29, 3, 0, 0, 0, time.UTC)
	opts := insights.RunOptions{Now: now, QueryStart: now.Add(-2 * time.Hour), QueryEnd: now}
	evs := inline(`{"k":1}`)
	res := runWith(t, `fields now() as n, queryStartTime() as qs, queryEndTime() as qe, queryTimeRange() as qr`, evs, opts)
	wantRows(t, res, []row{{"n": "1627527600", "qs": "1627520400000", "qe": "1627527600000", "qr": "7200000"}})
	// AWS's "past two hours" idiom keeps 01:00:01 and later.
	ct := load(t, fixtureCloudTrail)
	res = runWith(t, `filter toMillis(@timestamp) >= (now() * 1000 - 7200000) | stats count(*) as n`, ct, opts)
	wantRows(t, res, []row{{"n": "32"}})
}

func TestTrap24StatisticsIndependentOfLimitAndDedup(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	for _, q := range []string{
		`filter eventSource = "iam.amazonaws.com" | limit 1`,
		`filter eventSource = "iam.amazonaws.com" | dedup eventName`,
	} {
		res := run(t, q, ct)
		// iam: c01 c07 c21 c22 c23 c24 c25 c31.
		if res.Statistics.RecordsMatched != 8 || res.Statistics.RecordsScanned != 33 {
			t.Errorf("%s: statistics %+v, want matched 8 scanned 33", q, res.Statistics)
		}
	}
}

func TestTrap25StringFunctions(t *testing.T) {
	evs := inline(`{"s":"héllo"}`)
	tests := []struct{ expr, want string }{
		{`trim("xyZxyfooxyxyZ","xyZ")`, "foo"},
		{`ltrim("xyZxyfooxyZ","xyZ")`, "fooxyZ"},
		{`rtrim("xyZfooxyxyZ","xyZ")`, "xyZfoo"},
		{`trim("  pad  ")`, "pad"},
		{`substr("xyZfooxyZ",3, 3)`, "foo"},
		{`substr("xyZfooxyZ",6)`, "xyZ"},
		{`strlen(s)`, "5"},
		{`messageSize(s)`, "6"},
		{`replace("foo","o","0")`, "f00"},
		{`replace("a.b.c",".","-")`, "a-b-c"},
		{`toupper(s)`, "HÉLLO"},
		{`concat("a", "-", "b")`, "a-b"},
		{`strcontains(s, "ll")`, "1"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			wantRows(t, run(t, "fields "+tc.expr+" as r | display r", evs), []row{{"r": tc.want}})
		})
	}
}

func TestTrap26Aggregates(t *testing.T) {
	ct := load(t, fixtureCloudTrail)
	wantRows(t, run(t, `stats earliest(eventName) as first, latest(eventName) as last, sortsFirst(eventName) as sf, sortsLast(eventName) as sl, count_distinct(eventName) as names`, ct),
		[]row{{"first": "CreateAccessKey", "last": "UpdateTrail", "sf": "AssumeRole", "sl": "UpdateTrail", "names": "19"}})
	// 10.1.1.1's bytes 840 1000 5200 180 640 400 2400: numeric min/max
	// (lexically they would be "1000" and "840").
	wantRows(t, run(t, `filter srcAddr = "10.1.1.1" | stats min(bytes) as lo, max(bytes) as hi, sum(bytes) as total, count(*) as n`, load(t, fixtureFlowV2)),
		[]row{{"lo": "180", "hi": "5200", "total": "10660", "n": "7"}})
	wantRows(t, run(t, `filter srcAddr = "192.0.2.1" | stats avg(bytes) as mean`, load(t, fixtureFlowV2)), []row{{"mean": "3040"}})
}

func TestTrap27Unnest(t *testing.T) {
	r53 := load(t, fixtureResolver)
	t.Run("one row per element", func(t *testing.T) {
		res := run(t, `filter query_name = "amazonlinux.us-east-1.amazonaws.com." | fields jsonParse(@message) as j | unnest j.answers into a | display a.Type, a.Rdata`, r53)
		wantRowSet(t, res, []row{
			{"a.Type": "CNAME", "a.Rdata": "amazonlinux-2-repos-us-east-1.s3.dualstack.us-east-1.amazonaws.com."},
			{"a.Type": "A", "a.Rdata": "52.216.110.35"},
		})
	})
	t.Run("other fields are copied", func(t *testing.T) {
		res := run(t, `filter query_name = "amazonlinux.us-east-1.amazonaws.com." | fields query_type, jsonParse(@message) as j | unnest j.answers into a | display query_type, a.Type`, r53)
		wantRowSet(t, res, []row{{"query_type": "A", "a.Type": "CNAME"}, {"query_type": "A", "a.Type": "A"}})
	})
	t.Run("non-list is a one-element list", func(t *testing.T) {
		res := run(t, `filter query_name = "amazonlinux.us-east-1.amazonaws.com." | fields jsonParse(@message) as j | unnest j.srcids into s | display s.instance`, r53)
		wantRows(t, res, []row{{"s.instance": "i-0ba42452619fc45aa"}})
	})
	t.Run("empty list yields no rows", func(t *testing.T) {
		// Inference (UNDOCUMENTED): rows are generated per item.
		res := run(t, `filter query_name = "xmr.pool.minergate.comac." | fields jsonParse(@message) as j | unnest j.answers into a | display a.Rdata`, r53)
		wantRows(t, res, nil)
	})
}

func TestTrap28FlowLogFieldNames(t *testing.T) {
	const proj = ` | fields version, accountId, interfaceId, srcAddr, dstAddr, srcPort, dstPort, protocol, packets, bytes, startTime, endTime, action, logStatus`
	t.Run("default v2 format", func(t *testing.T) {
		res := run(t, `filter srcPort = 44321`+proj, load(t, fixtureFlowV2))
		wantRows(t, res, []row{{"version": "2", "accountId": "999999999999", "interfaceId": "eni-0a1b2c3d4e5f60001",
			"srcAddr": "10.1.1.1", "dstAddr": "10.1.2.20", "srcPort": "44321", "dstPort": "5432", "protocol": "6",
			"packets": "10", "bytes": "840", "startTime": "1627522800", "endTime": "1627522860", "action": "ACCEPT", "logStatus": "OK"}})
	})
	t.Run("workshop extended format", func(t *testing.T) {
		// Custom formats are UNDOCUMENTED; we assume the 14 leading default
		// fields keep their names.
		res := run(t, `filter srcPort = 49152`+proj, load(t, fixtureWorkshop))
		wantRows(t, res, []row{{"version": "2", "accountId": "999999999999", "interfaceId": "eni-08dc82c399a7ac5f7",
			"srcAddr": "192.168.2.146", "dstAddr": "198.51.100.10", "srcPort": "49152", "dstPort": "3333", "protocol": "6",
			"packets": "545", "bytes": "45000", "startTime": "1627522802", "endTime": "1627522862", "action": "ACCEPT", "logStatus": "OK"}})
	})
	t.Run("logStatus values", func(t *testing.T) {
		wantRowSet(t, run(t, `stats count(*) as n by logStatus`, load(t, fixtureFlowV2, fixtureWorkshop)), []row{
			{"logStatus": "OK", "n": "23"}, {"logStatus": "NODATA", "n": "2"}, {"logStatus": "SKIPDATA", "n": "1"},
		})
	})
	t.Run("not JSON, not flow log: no fields", func(t *testing.T) {
		wantRows(t, run(t, `fields srcAddr, action`, inline("2 hello world")), []row{{}})
	})
}

func TestTrap29MLCommands(t *testing.T) {
	for _, tc := range []struct{ query, command string }{
		{"fields @timestamp, @message | pattern @message", "pattern"},
		{"fields @timestamp, @message\n| pattern @message\n| anomaly", "pattern"},
		{"fields @message | diff previousDay", "diff"},
	} {
		_, err := insights.Parse(tc.query)
		var ue *insights.UnsupportedError
		if !errors.As(err, &ue) || ue.Command != tc.command {
			t.Errorf("Parse(%q) = %v, want UnsupportedError{%s}", tc.query, err, tc.command)
		}
	}
	// "a query is not valid if it includes a pattern command after a sort".
	_, err := insights.Parse("fields @message | sort @timestamp desc | pattern @message")
	var se *insights.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("pattern after sort: %v (%T), want *SyntaxError", err, err)
	}
}

func TestTrap30BooleanPrecedence(t *testing.T) {
	// UNDOCUMENTED; assumed not > and > or.
	ct := load(t, fixtureCloudTrail)
	tests := []struct{ query, n string }{
		// ListBuckets ×4 or (CreateUser and AccessDenied: none) = 4;
		// left-to-right grouping would give 2.
		{`filter eventName = "ListBuckets" or eventName = "CreateUser" and errorCode = "AccessDenied" | stats count(*) as n`, "4"},
		// (not ListBuckets) and s3 = 0; not (ListBuckets and s3) would be 29.
		{`filter not eventName = "ListBuckets" and eventSource = "s3.amazonaws.com" | stats count(*) as n`, "0"},
		{`filter (eventName = "ListBuckets" or eventName = "CreateUser") and errorCode = "AccessDenied" | stats count(*) as n`, "2"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) { wantMatches(t, tc.query, ct, tc.n) })
	}
}
