package filterpattern

import (
	"reflect"
	"testing"
)

// AWS's §5 events.
const (
	prodEvent  = `127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
	dashEvent  = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
	apache1    = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
	apache2    = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
	apache3    = `127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`
	infoGet    = `INFO 09/25/2014 12:00:00 GET /service/resource/67 1200`
	infoPost   = `INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310`
	warnInval  = `WARNING 09/25/2014 12:00:02 Invalid user request`
	errFailed  = `ERROR 09/25/2014 12:00:02 Failed to process request`
	f21Event1  = `ERROR WARN message`
	f21Event2  = `ERROR message`
	f21Event3  = `WARN message`
	prodPrefix = `127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" `
)

func TestSection5_1Tokenisation(t *testing.T) {
	tests := []struct {
		event string
		want  []string
	}{
		{prodEvent, []string{"127.0.0.1", "Prod", "frank", "10/Oct/2000:13:25:15 -0700", "GET /index.html HTTP/1.0", "404", "1534"}},
		{"a  b\t\tc ", []string{"a", "b", "c"}},
		{"", nil},
		{"   ", nil},
		{`"unterminated quote here`, []string{`"unterminated`, "quote", "here"}},
		{`[unterminated bracket`, []string{"[unterminated", "bracket"}},
		{`[a [b] c] d`, []string{"a [b] c", "d"}},
		{`x"y z"`, []string{`x"y`, `z"`}},
		{`"a b"c`, []string{"a b", "c"}},
		{`"" []`, []string{"", ""}},
		{"[ [ ]", []string{"[", " "}},
		{`"a" "b`, []string{"a", `"b`}},
	}
	for _, tc := range tests {
		var got []string
		for _, f := range tokenize(tc.event) {
			got = append(got, f.text)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("tokenize(%q) = %q, want %q", tc.event, got, tc.want)
		}
	}
}

func TestSection5_2Syntax(t *testing.T) {
	runMatchCases(t, []matchCase{
		{
			name:    "regex, wildcard and prefix conditions",
			pattern: `[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`,
			match:   []string{prodEvent},
			noMatch: []string{
				`127.0.0.0 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`,
				prodPrefix + "500 1534",
				`127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.gif HTTP/1.0" 404 1534`,
				`127.0.0.1 Prod frank`,
			},
		},
		{name: "ellipsis", pattern: `[..., request =*.html*, status_code = 4*, bytes]`, match: []string{prodEvent, dashEvent}, noMatch: []string{apache1}},
		{
			name:    "compound in a field",
			pattern: `[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]`,
			match:   []string{prodEvent, prodPrefix + "410 1"},
			noMatch: []string{prodPrefix + "403 1"},
		},
		{name: "F18 4* && 5* never matches", pattern: `[ip, user, username, timestamp, request, status_code = 4* && status_code = 5*, bytes]`, noMatch: []string{prodEvent, prodPrefix + "500 1", prodPrefix + "45 1"}},
		{name: "F18 4* && != 403", pattern: `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, match: []string{prodEvent}, noMatch: []string{prodPrefix + "403 1", prodPrefix + "500 1"}},
		{name: "F21 403 || 404", pattern: `[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]`, match: []string{prodEvent, prodPrefix + "403 1"}, noMatch: []string{prodPrefix + "405 1"}},
		{name: "F21 bytes > 1000", pattern: `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, match: []string{apache1, apache2, apache3}, noMatch: []string{prodPrefix + "200 999"}},
		{name: "F21 status 200", pattern: `[ip, user, username, timestamp, request, status_code = 200, bytes]`, match: []string{apache1, apache3}, noMatch: []string{apache2}},
		{name: "F21 status 4*", pattern: `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, match: []string{prodEvent}, noMatch: []string{apache1, apache2, apache3}},
		{name: "F21 html and 4*", pattern: `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, match: []string{dashEvent}, noMatch: []string{apache1, apache2, apache3}},
		{name: "F21 leading ellipsis", pattern: `[..., status_code, bytes]`, match: []string{apache1, apache2, apache3, "a b"}, noMatch: []string{"a"}},
		{name: "F21 middle ellipsis", pattern: `[ip, user, ..., status_code, bytes]`, match: []string{apache1, apache2, apache3, "a b c d"}, noMatch: []string{"a b c"}},
		{name: "F21 trailing ellipsis", pattern: `[ip, user, ...]`, match: []string{apache1, "a b"}, noMatch: []string{"a"}},
	})
}

func TestSection5_3PositionalWords(t *testing.T) {
	all := []string{infoGet, infoPost, warnInval, errFailed}
	runMatchCases(t, []matchCase{
		{pattern: `[w1=ERROR, w2]`, match: []string{errFailed}, noMatch: []string{infoGet, infoPost, warnInval}},
		{pattern: `[w1=ERROR || w1=WARNING, w2]`, match: []string{warnInval, errFailed}, noMatch: []string{infoGet, infoPost}},
		{pattern: `[w1!=ERROR && w1!=WARNING, w2]`, match: []string{infoGet, infoPost}, noMatch: []string{warnInval, errFailed}},
		{pattern: `[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]`, match: []string{infoGet}, noMatch: []string{infoPost, warnInval, errFailed}},
		{pattern: `[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]`, match: []string{infoPost}, noMatch: []string{infoGet, warnInval, errFailed}},
		// F21 says [w1=ERROR, w2] matches only "ERROR message", not
		// "ERROR WARN message". That contradicts the current page (above),
		// where the same pattern returns a 7-field event; the current page
		// wins, so the last field takes "WARN message".
		{name: "F21 w1=ERROR", pattern: `[w1=ERROR, w2]`, match: []string{f21Event1, f21Event2}, noMatch: []string{f21Event3}},
		{name: "F21 ERROR or WARN", pattern: `[w1=ERROR || w1=WARN, w2]`, match: []string{f21Event1, f21Event2, f21Event3}, noMatch: []string{"INFO message", "ERROR"}},
		{name: "w1 alone needs one field", pattern: `[w1]`, match: all, noMatch: []string{"", "  "}},
	})
	// The 2023 copy wrote "W1=WARNING"; field names are case-sensitive, so
	// that names another field inside w1's slot and is rejected.
	if _, err := Parse(`[w1=ERROR || W1=WARNING, w2]`); err == nil {
		t.Error(`[w1=ERROR || W1=WARNING, w2] parsed; want an error for the W1 condition in w1's slot`)
	}
}

func TestSection5_4Extraction(t *testing.T) {
	tests := []struct {
		name, pattern, event string
		want                 map[string]string
	}{
		{
			name:    "F23 named fields",
			pattern: `[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`,
			event:   prodEvent,
			want: map[string]string{
				"$bytes": "1534", "$status_code": "404", "$request": "GET /index.html HTTP/1.0",
				"$timestamp": "10/Oct/2000:13:25:15 -0700", "$username": "frank", "$user": "Prod", "$ip": "127.0.0.1",
			},
		},
		{
			// AWS's listing shows "/products/index.html" for an event that
			// says "/index.html"; the event's own text is what is extracted.
			name:    "F18 ellipsis and trailing unnamed field",
			pattern: `[..., request=*.html*, status_code=4*,]`,
			event:   dashEvent,
			want: map[string]string{
				"$status_code": "404", "$request": "GET /index.html HTTP/1.0", "$7": "1534",
				"$4": "10/Oct/2000:13:25:15 -0700", "$3": "frank", "$2": "-", "$1": "127.0.0.1",
			},
		},
		{
			name:    "§6 dimension $server",
			pattern: `[ip, server, username, timestamp, request, status_code, bytes > 1000]`,
			event:   prodEvent,
			want: map[string]string{
				"$bytes": "1534", "$status_code": "404", "$request": "GET /index.html HTTP/1.0",
				"$timestamp": "10/Oct/2000:13:25:15 -0700", "$username": "frank", "$server": "Prod", "$ip": "127.0.0.1",
			},
		},
		{
			name:    "last field takes the rest",
			pattern: `[w1=ERROR, w2]`,
			event:   errFailed,
			want:    map[string]string{"$w1": "ERROR", "$w2": "09/25/2014 12:00:02 Failed to process request"},
		},
		{
			name:    "middle ellipsis",
			pattern: `[a, ..., b]`,
			event:   "1 2 3 4",
			want:    map[string]string{"$a": "1", "$2": "2", "$3": "3", "$b": "4"},
		},
		{
			name:    "two ellipses, earliest placement",
			pattern: `[..., x = 5*, ..., y]`,
			event:   "1 50 2 51 3",
			want:    map[string]string{"$1": "1", "$x": "50", "$3": "2", "$4": "51", "$y": "3"},
		},
		{
			name:    "unnamed slots numbered by position",
			pattern: `[, b, ]`,
			event:   "x y z",
			want:    map[string]string{"$1": "x", "$b": "y", "$3": "z"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Extract(tc.event)
			if !ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Extract = %v, %v; want %v", got, ok, tc.want)
			}
		})
	}
	if got, ok := MustParse(`[a = x, b]`).Extract("y z"); ok || got != nil {
		t.Errorf("Extract on a non-matching event = %v, %v; want nil, false", got, ok)
	}
	if got, ok := MustParse(`ERROR`).Extract("ERROR x"); !ok || len(got) != 0 || got == nil {
		t.Errorf("term pattern Extract = %v, %v; want empty map, true", got, ok)
	}
}

// TestSection8DelimitedDecisions pins choices AWS leaves open.
func TestSection8DelimitedDecisions(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "runs of spaces and tabs are one separator", pattern: `[a, b = x, c]`, match: []string{"1  x\t\t3"}},
		{name: "too few fields", pattern: `[a, b, c]`, noMatch: []string{"1 2"}},
		{name: "ellipsis may be empty", pattern: `[a, ..., b]`, match: []string{"1 2"}},
		{name: "two ellipses", pattern: `[..., x = 5*, ..., y = 9]`, match: []string{"1 50 2 9", "50 9"}, noMatch: []string{"1 2 9", "50"}},
		{name: "ellipsis only", pattern: `[...]`, match: []string{"", "a b"}},
		{name: "numeric != on non-number", pattern: `[a != 403]`, match: []string{"404"}, noMatch: []string{"-", "403"}},
		{name: "numeric on decimal", pattern: `[a < 1.5]`, match: []string{"1.25", "-3"}, noMatch: []string{"1.5", "x"}},
		{name: "number equality is numeric", pattern: `[a = 200]`, match: []string{"200", "200.0", "2e2"}, noMatch: []string{"0200x"}},
		{name: "quoted value is a string", pattern: `[a = "200"]`, match: []string{"200"}, noMatch: []string{"200.0"}},
		{name: "quoted value with spaces", pattern: `[a, b = "GET /x HTTP/1.0"]`, match: []string{`h "GET /x HTTP/1.0"`}},
		{name: "interior star literal", pattern: `[a = x*y]`, match: []string{"x*y"}, noMatch: []string{"xzy"}},
		{name: "parentheses in a slot", pattern: `[a = 1 || (a > 5 && a < 7)]`, match: []string{"1", "6"}, noMatch: []string{"5", "8"}},
		{name: "regex negated", pattern: `[a != %^4%, b]`, match: []string{"500 x"}, noMatch: []string{"404 x"}},
		{name: "last field with a condition takes the rest", pattern: `[a, b = *z]`, match: []string{"1 2 z"}, noMatch: []string{"1 z 2"}},
	})
}

func TestDelimitedSyntaxErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{pattern: `[a, b`, wantMsg: "must end with ']'", wantOffset: 5},
		{pattern: `[]`, wantMsg: "no fields", wantOffset: 0},
		{pattern: `[ ]`, wantMsg: "no fields", wantOffset: 0},
		{pattern: `[a b]`, wantMsg: `expected ',' or an operator (=, !=, <, <=, >, >=) after field "a"`, wantOffset: 3, wantToken: "b"},
		{pattern: `[a, a]`, wantMsg: `"a" is used twice`, wantOffset: 4},
		{pattern: `[1a]`, wantMsg: "must start with a letter", wantOffset: 1},
		{pattern: `[a = ]`, wantMsg: "expected a value", wantOffset: 5, wantToken: "]"},
		{pattern: `[a IS NULL]`, wantMsg: "or an operator", wantOffset: 3, wantToken: "IS"},
		{pattern: `[a > x]`, wantMsg: "needs a number", wantOffset: 5},
		{pattern: `[a = 1 || b = 2]`, wantMsg: `condition on field "b" inside the slot of field "a"`, wantOffset: 10},
		// AWS's 2021 example, which its console rejects (awsdocs issue #21).
		{pattern: `[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`, wantMsg: `condition on field "bytes"`, wantOffset: 61},
		{pattern: `[a = "x]`, wantMsg: "unterminated quoted string", wantOffset: 5},
		{pattern: `[a = x y]`, wantMsg: "expected ',' between fields", wantOffset: 7},
		{pattern: `[a = @]`, wantMsg: "must be in double quotes", wantOffset: 5},
		{pattern: `[(a = 1]`, wantMsg: "unclosed '('", wantOffset: 1},
		{pattern: `[..., ... x]`, wantMsg: "expected ','", wantOffset: 10},
		{pattern: `["a"]`, wantMsg: "expected a field name", wantOffset: 1},
	})
}
