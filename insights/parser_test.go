package insights

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAcceptsAWSShapes(t *testing.T) {
	for _, q := range []string{
		"fields @timestamp, @message | sort @timestamp desc | limit 25",
		"FIELDS @message\n    | PARSE @message \"* [*] *\" as loggingTime, loggingType, loggingMessage\n    | FILTER loggingType IN [\"ERROR\", \"INFO\"]\n    | DISPLAY loggingMessage, loggingType = \"ERROR\" as isError",
		"filter @type = \"REPORT\" |\n    stats avg(@duration), max(@duration), min(@duration) by bin(5m)",
		"stats avg (f1) by f2",
		"parse @message /user=(?<user2>.*?), method:(?<method2>.*?),\n    latency := (?<latency2>.*?)/ | stats avg(latency2) by @method2, \n    @user2",
		"fields @timestamp, remoteIP, request, status, filename| sort @timestamp desc\n| filter filename=\"/var/www/html/admin\"\n| limit 20",
		"fields jsonParse(@message) as json_message | filter json_message.users[1].action = \"PutData\"",
		"fields jsonParse(@message) as js | unnest js.accounts into account | filter account.type = \"internal\"",
		"filter @message =~ /timeout after \\d+/",
		"fields f1, f2, f3 | filter f1 =~ /^(?i)Exception$/",
		"filter Type not in [\"foo\",\"bar\",1]",
		"parse @message /(\\d+\\.\\d+\\.\\d+\\.\\d+)/ as ip_addr multi | stats count(*) by ip_addr",
		"parse @message csv as a, b, c",
		"parse @message logfmt as lf | filter lf.level = \"error\"",
		"fields a | unmask",
		"limit any 1",
		"filterIndex IPaddress in [\"198.51.100.0\", \"198.51.100.1\"] | limit 20",
		"where @message like /error/",
		"stats count(*) by bin(30s) | sort @timestamp",
		"fields @timestamp, @message\n    # | filter @message like /delay/\n    | limit 20",
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
}

func TestParseErrorPositions(t *testing.T) {
	tests := []struct {
		query      string
		line, col  int
		start, end int
		token      string
		msgHas     string
	}{
		{"fields a |", 1, 11, 10, 10, "", "expected a command"},
		{"", 1, 1, 0, 0, "", "empty query"},
		{"   # only a comment", 1, 20, 19, 19, "", "empty query"},
		{"fields a\n| frobnicate b", 2, 3, 11, 21, "frobnicate", "unknown command"},
		{"filter a = ", 1, 12, 11, 11, "", "expected an expression"},
		{"stats count(*) by", 1, 18, 17, 17, "", "expected a field"},
		{"fields nosuchfn(a)", 1, 8, 7, 15, "nosuchfn", "unknown function"},
		{"limit 0", 1, 7, 6, 7, "0", "between 1 and 100000"},
		{"limit 100001", 1, 7, 6, 12, "100001", "between 1 and 100000"},
		{`parse @message "a=* b=*" as x`, 1, 16, 15, 24, `"a=* b=*"`, "counts must be equal"},
		{"parse @message /no groups/", 1, 16, 15, 26, "/no groups/", "named capture groups"},
		{"filter a like /(/", 1, 15, 14, 17, "/(/", "invalid regular expression"},
		{"fields a | dedup a | sort a", 1, 22, 21, 27, "sort a", "only the limit command"},
		{"stats count(*) as a | stats sum(a) as b | stats sum(b) as c", 1, 43, 42, 47, "stats", "maximum of two"},
		{"stats count(*) | sort x | stats count(*)", 1, 18, 17, 23, "sort x", "after the last stats"},
		{"fields bin(5x)", 1, 12, 11, 13, "5x", "unknown time unit"},
		{"fields datefloor(@timestamp, 5)", 1, 30, 29, 30, "5", "time period"},
		{"fields a ==b", 1, 11, 10, 11, "=", "expected an expression"},
		{"stats count(*) by sum(x)", 1, 19, 18, 24, "sum(x)", "not allowed in the by clause"},
		{"stats x + 1", 1, 7, 6, 7, "x", "inside an aggregation"},
		{"filter x not y", 1, 10, 9, 12, "not", "'like' or 'in'"},
		{"fields a as", 1, 12, 11, 11, "", "alias"},
		{"fields a | head 5", 1, 12, 11, 15, "head", "deprecated"},
		{"stats pct(x, 120)", 1, 14, 13, 16, "120", "between 0 and 100"},
		{"fields abs(1, 2)", 1, 8, 7, 16, "abs(1, 2)", "exactly 1"},
		{"filter x in 1", 1, 13, 12, 13, "1", "'['"},
		{"fields sum(x)", 1, 0, 0, 0, "", ""}, // aggregate outside stats: rejected at Run (see below)
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		if tt.msgHas == "" {
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want *SyntaxError", tt.query, err)
			continue
		}
		if se.Line != tt.line || se.Column != tt.col || se.StartCharOffset != tt.start || se.EndCharOffset != tt.end || se.Token != tt.token {
			t.Errorf("Parse(%q): got line %d col %d offsets %d-%d token %q; want %d %d %d-%d %q (%v)",
				tt.query, se.Line, se.Column, se.StartCharOffset, se.EndCharOffset, se.Token,
				tt.line, tt.col, tt.start, tt.end, tt.token, se)
		}
		if !strings.Contains(se.Message, tt.msgHas) {
			t.Errorf("Parse(%q) message %q lacks %q", tt.query, se.Message, tt.msgHas)
		}
		if !strings.Contains(se.Error(), "line") {
			t.Errorf("Error() = %q does not name the line", se.Error())
		}
	}
}

func TestAggregateOutsideStatsRejected(t *testing.T) {
	evs := testEvents(`{"x":1}`)
	for _, q := range []string{"fields sum(x)", "filter count(*) > 1", "stats sum(sum(x))"} {
		if err := runError(q, evs); err == nil {
			t.Errorf("%q accepted", q)
		}
	}
}

func TestParseUnsupportedCommands(t *testing.T) {
	tests := []struct {
		query   string
		command string
		line    int
		col     int
	}{
		{"fields @message | pattern @message", "pattern", 1, 19},
		{"filter x = 1\n| diff previousDay", "diff", 2, 3},
		{"fields @timestamp, @message\n| pattern @message\n| anomaly", "pattern", 2, 3},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		var ue *UnsupportedError
		if !errors.As(err, &ue) {
			t.Fatalf("Parse(%q) = %v, want *UnsupportedError", tt.query, err)
		}
		if ue.Command != tt.command || ue.Line != tt.line || ue.Column != tt.col {
			t.Errorf("Parse(%q) = %+v", tt.query, ue)
		}
		if !strings.Contains(ue.Error(), "not supported by the sandbox") {
			t.Errorf("Error() = %q", ue.Error())
		}
	}
	// A syntax error elsewhere wins over the unsupported command.
	var se *SyntaxError
	if _, err := Parse("pattern @message | limit x"); !errors.As(err, &se) {
		t.Errorf("want a SyntaxError, got %v", err)
	}
	if _, err := Parse("sort @timestamp | pattern @message"); !errors.As(err, &se) {
		t.Errorf("pattern after sort: want a SyntaxError, got %v", err)
	}
}

func TestParseColumnNames(t *testing.T) {
	q, err := Parse("stats count(*), SUM(Fault), avg (f1) as a by bin(1h), `foo-bar`")
	if err != nil {
		t.Fatal(err)
	}
	st := q.commands[0].(*statsCmd)
	var got []string
	for _, it := range st.items {
		got = append(got, it.name)
	}
	for _, it := range st.by {
		got = append(got, it.name)
	}
	want := "count(*)|SUM(Fault)|a|bin(1h)|foo-bar"
	if strings.Join(got, "|") != want {
		t.Fatalf("names %q, want %q", strings.Join(got, "|"), want)
	}
}

func TestParsePrecedence(t *testing.T) {
	q, err := Parse("filter not a = 1 and b = 2 or c = 3")
	if err != nil {
		t.Fatal(err)
	}
	or, ok := q.commands[0].(*filterCmd).cond.(*binaryExpr)
	if !ok || or.op != "or" {
		t.Fatalf("top is %T %v, want or", q.commands[0].(*filterCmd).cond, or)
	}
	and, ok := or.l.(*binaryExpr)
	if !ok || and.op != "and" {
		t.Fatalf("left of or is %#v, want and", or.l)
	}
	if not, ok := and.l.(*unaryExpr); !ok || not.op != "not" {
		t.Fatalf("left of and is %#v, want not", and.l)
	}
}

func TestParseTooLong(t *testing.T) {
	var se *SyntaxError
	if _, err := Parse("fields " + strings.Repeat("a", MaxQueryLength)); !errors.As(err, &se) {
		t.Fatalf("want SyntaxError, got %v", err)
	}
}
