package insights

import (
	"testing"
	"time"
)

// TestFunctions evaluates one expression per case against a single event
// and compares the rendered value ("<absent>" for null).
func TestFunctions(t *testing.T) {
	evs := testEvents(`{"s":"  Hello World  ","n":"-7.5","ip":"192.0.2.55","ip6":"2001:db8::1","empty":"","blank":"   ","ms":"1642195111000","arr":"[\"admin\",\"dev\"]","hex":"48656c6c6f","url":"a b&c","b64":"aGk="}`)
	tests := []struct{ expr, want string }{
		{"abs(n)", "7.5"}, {"ceil(n)", "-7"}, {"floor(n)", "-8"}, {"sqrt(16)", "4"}, {"log(1)", "0"},
		{"greatest(1, n, 3)", "3"}, {"least(1, n, 3)", "-7.5"}, {"round(2.5)", "3"}, {"round(3.14159, 2)", "3.14"},
		{"2 ^ 3", "8"}, {"10 % 3", "1"}, {"7 / 2", "3.5"}, {"1 / 0", "<absent>"}, {"-n", "7.5"}, {"n * 2 + 1", "-14"},
		{"toNumber(\"42\")", "42"}, {"toInt(\"3.9\")", "3"}, {"toLong(n)", "-7"}, {"toDouble(\"1e3\")", "1000"}, {"toNumber(s)", "<absent>"},
		{"haversine(0, 0, 0, 1)", "111.19492664455873"},
		{"isempty(empty)", "1"}, {"isempty(nosuch)", "1"}, {"isempty(s)", "0"}, {"isblank(blank)", "1"}, {"isblank(s)", "0"},
		{"concat(\"a\", '-', n)", "a--7.5"}, {"ltrim(s)", "Hello World  "}, {"rtrim(s)", "  Hello World"}, {"trim(s)", "Hello World"},
		{`ltrim("xyZxyfooxyZ","xyZ")`, "fooxyZ"}, {`rtrim("xyZfooxyxyZ","xyZ")`, "xyZfoo"}, {`trim("xyZxyfooxyxyZ","xyZ")`, "foo"},
		{`strlen("héllo")`, "5"}, {`messageSize("héllo")`, "6"}, {"toupper(trim(s))", "HELLO WORLD"}, {"tolower(trim(s))", "hello world"},
		{`substr("xyZfooxyZ", 3, 3)`, "foo"}, {`substr("xyZfooxyZ", 6)`, "xyZ"}, {`substr("abc", 10)`, ""}, {`substr("héllo", 1, 2)`, "él"},
		{`replace("foo", "o", "0")`, "f00"}, {`strcontains(s, "World")`, "1"}, {`strcontains(s, "world")`, "0"}, {`strcontains(s, "world", true)`, "1"},
		{`regexReplace("a1b22", "\d+", "#")`, "a#b#"}, {`startsWith(ip, "192.")`, "1"}, {`endsWith(ip, ".5")`, "0"},
		{"urlencode(url)", "a+b%26c"}, {`urldecode("a+b%26c")`, "a b&c"}, {`base64encode("hi")`, "aGk="}, {"base64decode(b64)", "hi"},
		{"base64decode(\"!!\")", "<absent>"}, {"hexToAscii(hex)", "Hello"}, {`hexToDec("0xff")`, "255"}, {"decToHex(255)", "0xff"}, {"decToHex(-255.7)", "-0xff"},
		{`jsonStringify(split("a,b", ","))`, `["a","b"]`},
		{"bin(1m)", "2021-07-29 02:00:00.000"}, {"datefloor(@timestamp, 1h)", "2021-07-29 02:00:00.000"},
		{"dateceil(@timestamp + 1, 1h)", "2021-07-29 03:00:00.000"}, {"dateceil(@timestamp, 1h)", "2021-07-29 02:00:00.000"},
		{"fromMillis(ms)", "2022-01-14 21:18:31.000"}, {"toMillis(@timestamp)", "1627524000000"}, {`toMillis("2022-01-14T13:18:31.000-08:00")`, "1642195111000"},
		{"now()", "1700000000"}, {"queryStartTime()", "1699990000000"}, {"queryEndTime()", "1700000000000"}, {"queryTimeRange()", "10000000"},
		{`parseDate("2024-03-05 10:11:12", "yyyy-MM-dd HH:mm:ss", "UTC")`, "1709633472000"},
		{`formatDate(@timestamp, "%Y-%m-%d %H:%M:%S.%L", "UTC")`, "2021-07-29 02:00:00.000"},
		{`strftime(@timestamp, "%Y/%j")`, "2021/210"},
		{"ispresent(s)", "1"}, {"ispresent(nosuch)", "0"}, {"coalesce(nosuch, empty, s)", ""}, {"coalesce(nosuch, n)", "-7.5"},
		{`case(n > 0, "pos", n < 0, "neg", "zero")`, "neg"}, {`case(n > 100, "big")`, "<absent>"}, {`if(ispresent(ip), "y", "n")`, "y"},
		{"isNumeric(n)", "1"}, {"isNumeric(s)", "0"},
		{`jsonArraySize(arr)`, "2"}, {`jsonArrayContains(arr, "admin")`, "1"}, {`jsonArrayContains(arr, "Admin")`, "0"}, {`jsonArrayContains(s, "x")`, "0"},
		{`jsonParse(s)`, "<absent>"}, {`toupper(jsonParse(arr))`, "<absent>"},
		{"isValidIp(ip)", "1"}, {"isValidIp(ip6)", "1"}, {"isValidIp(s)", "0"}, {"isValidIpV4(ip6)", "0"}, {"isValidIpV6(ip6)", "1"},
		{`isIpv4InSubnet(ip, "192.0.2.0/24")`, "1"}, {`isIpv4InSubnet(ip, "192.0.3.0/24")`, "0"}, {`isIpv4InSubnet(ip6, "192.0.2.0/24")`, "0"},
		{`isIpInSubnet(ip6, "2001:db8::/32")`, "1"}, {`isIpv6InSubnet(ip, "2001:db8::/32")`, "0"}, {`isIpv4InSubnet(ip, "bogus")`, "0"},
		{"ipv4ToNumber(ip)", "3221226039"}, {`isPrivateIP("10.1.2.3")`, "1"}, {"isPrivateIP(ip)", "0"},
		{"isReservedIP(ip)", "1"}, {`isPublicIP("8.8.8.8")`, "1"}, {"isPublicIP(ip)", "0"},
		{"unmask(ip)", "192.0.2.55"}, {"ip = '192.0.2.55'", "1"}, {"n < -7", "1"}, {"s like 'World'", "1"},
	}
	opts := RunOptions{Now: time.Unix(1700000000, 0), QueryStart: time.UnixMilli(1699990000000), QueryEnd: time.UnixMilli(1700000000000)}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			res := runQuery(t, "display "+tt.expr+" as v", evs, opts)
			if got := column(res.Rows, "v"); len(got) != 1 || got[0] != tt.want {
				t.Fatalf("%s = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestAggregateFunctions(t *testing.T) {
	evs := testEvents(`{"d":1}`, `{"d":2}`, `{"d":3}`, `{"d":4}`, `{"d":"x"}`, `{"e":1}`)
	tests := []struct{ expr, want string }{
		{"pct(d, 50)", "2"}, {"pct(d, 95)", "4"}, {"pct(d, 0)", "1"}, {"stddev(d)", "1.2909944487358056"},
		{"sum(d)", "10"}, {"avg(d)", "2.5"}, {"count(d)", "5"}, {"count()", "6"}, {"count_distinct(d)", "5"},
		{"min(d)", "x"}, {"max(d)", "4"}, {"sortsFirst(d)", "x"}, {"sortsLast(d)", "4"},
		{"earliest(d)", "1"}, {"latest(d)", "x"}, {"sum(nosuch)", "<absent>"}, {"sum(strcontains(@message, \"d\"))", "5"},
	}
	for _, tt := range tests {
		res := runQuery(t, "stats "+tt.expr+" as v", evs)
		if got := column(res.Rows, "v"); len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s = %q, want %q", tt.expr, got, tt.want)
		}
	}
}

func TestBinUnitsAndCaps(t *testing.T) {
	ts := time.Date(2021, 8, 18, 13, 47, 35, 123e6, time.UTC).UnixMilli() // a Wednesday
	evs := []*Event{NewEvent(EventInput{Timestamp: ts, Message: "x"})}
	tests := []struct{ period, want string }{
		{"100ms", "2021-08-18 13:47:35.100"}, {"5000ms", "2021-08-18 13:47:35.000"}, // capped to 1000 ms
		{"30s", "2021-08-18 13:47:30.000"}, {"300s", "2021-08-18 13:47:00.000"}, {"30sec", "2021-08-18 13:47:30.000"},
		{"5m", "2021-08-18 13:45:00.000"}, {"90m", "2021-08-18 13:00:00.000"}, {"15mins", "2021-08-18 13:45:00.000"},
		{"2h", "2021-08-18 12:00:00.000"}, {"48h", "2021-08-18 00:00:00.000"}, {"3hrs", "2021-08-18 12:00:00.000"},
		{"1d", "2021-08-18 00:00:00.000"}, {"1w", "2021-08-16 00:00:00.000"}, {"1mo", "2021-08-01 00:00:00.000"},
		{"1q", "2021-07-01 00:00:00.000"}, {"1y", "2021-01-01 00:00:00.000"}, {"2months", "2021-07-01 00:00:00.000"},
		{"1qtr", "2021-07-01 00:00:00.000"}, {"1yr", "2021-01-01 00:00:00.000"}, {"1HOUR", "2021-08-18 13:00:00.000"},
	}
	for _, tt := range tests {
		res := runQuery(t, "display bin("+tt.period+") as b", evs)
		if got := column(res.Rows, "b"); len(got) != 1 || got[0] != tt.want {
			t.Errorf("bin(%s) = %q, want %q", tt.period, got, tt.want)
		}
	}
	if got := ceilTime(ts, 1, unitMonth); got != time.Date(2021, 9, 1, 0, 0, 0, 0, time.UTC).UnixMilli() {
		t.Errorf("dateceil month = %v", time.UnixMilli(got).UTC())
	}
	if got := floorTime(-1, 1, unitSecond); got != -1000 {
		t.Errorf("floor before the epoch = %d", got)
	}
}

func TestNaturalCompareUnits(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a2", "a10", -1}, {"a10", "a2", 1}, {"A", "a", -1}, {"x", "x", 0}, {"2345_", "@", -1}, {"@", "@_", -1}, {"b", "a9", 1},
	}
	for _, tt := range tests {
		if got := naturalCompare(tt.a, tt.b); (got > 0) != (tt.want > 0) || (got < 0) != (tt.want < 0) {
			t.Errorf("naturalCompare(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
