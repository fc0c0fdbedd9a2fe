package filterpattern

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// referenceJSONMatch is how Match decided JSON patterns before the scanner:
// decode the whole event with encoding/json, then evaluate the selectors on
// the decoded value. The scanner must agree with it on every message.
func referenceJSONMatch(p *Pattern, message string) bool {
	doc, ok := decodeEvent(message)
	return ok && p.json.evalDoc(doc)
}

// jsonEquivPatterns is the pattern corpus of FuzzJSONMatchEquivalence: every
// message the fuzzer makes up is tried against all of them.
var jsonEquivPatterns = []string{
	`{ $.eventName = "RunInstances" }`,
	`{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" }`,
	`{ $.userIdentity.type = "IAMUser" && $.sourceIPAddress != "10.*" }`,
	`{ ($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*") && $.userIdentity.accessKeyId = "AKIAIOSFODNN7EXAMPLE" }`,
	`{ $.resources[*].ARN = "arn:aws:s3:::example-bucket/*" }`,
	`{ $.readOnly IS TRUE && $.responseElements IS NULL }`,
	`{ $.a IS FALSE || $.b IS NULL }`,
	`{ $.a NOT EXISTS }`,
	`{ $.a.b NOT EXISTS }`,
	`{ $.a[*] NOT EXISTS }`,
	`{ $.* NOT EXISTS }`,
	`{ $.a[1] NOT EXISTS && $.b = * }`,
	`{ $.a = * }`,
	`{ $.a = "*" }`,
	`{ $.a = "" }`,
	`{ $.a != "x" }`,
	`{ $.a = 1 }`,
	`{ $.a != 1 }`,
	`{ $.a > 1e3 }`,
	`{ $.a <= -0.5 }`,
	`{ $.a = 12345678901234567 }`,
	`{ $.a >= 1e400 }`,
	`{ $.a < -1e400 }`,
	`{ $.a = 0 }`,
	`{ $.a = 4* }`,
	`{ $.a = %^-?\d+\.?\d*$% }`,
	`{ $.a != %b% }`,
	`{ $.a[0] = 1 || $.a[1] = "x" || $.a[2].b = 2 }`,
	`{ $.a[0][1] = 1 }`,
	`{ $.a[*] = 2 }`,
	`{ $.a[*] != 2 }`,
	`{ $.a[*].b = "x" }`,
	`{ $.* = "x" }`,
	`{ $.* != "x" }`,
	`{ $.*.b = 1 }`,
	`{ $.a.* = 1 }`,
	`{ $.a.* IS NULL }`,
	`{ $.a = 1 || $.* = 2 }`,
	`{ $.a.b = 1 && $.*.c = 2 && $.a[*] = 3 }`,
	`{ $.a.b.c.d = "deep" }`,
	`{ $.['a.b'] = 1 }`,
	`{ $.['a"b'] = "q\"q" }`,
	`{ $.['é'] = "ü" }`,
	`{ $.['` + "\uFFFD" + `'] = "` + "\uFFFD" + `" }`,
	`{ $.a = "` + "\uFFFD" + `*" }`,
	`{ $.a = "*é*" }`,
	`{ $.a = "tab\there" }`,
	`{ $.a = "/" }`,
	`{ $.a = "` + "\U0001F600" + `" }`,
	`{ $.a = "say \"hi\"" }`,
	`{ $.a = "\\" }`,
	`{ $.a = "*\\*" }`,
	`{ $.a.a.a.a.a.a.a.a = 1 }`,
	`{ ($.a = 1 && $.b = 2) || ($.c = 3 && $.d NOT EXISTS) }`,
	`{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`,
}

// jsonEquivMessages seed the fuzzer with the events of the other tests and
// with the corners the scanner must treat exactly as encoding/json does.
var jsonEquivMessages = []string{
	cloudTrailEvent, liveEvent, f21Event, compoundEvent,
	`{}`, ` {} `, "\t{}\r\n", "\v{}", "{}\f", `{} {}`, `{}x`, `[]`, `"a"`, `1`, ``, ` `,
	`{"a":1}`, `{"a":1,}`, `{"a" 1}`, `{"a":}`, `{a:1}`, `{'a':1}`, `{"a":1`, `{"a":[1,]}`, `{"a":[1 2]}`,
	`{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":1e+}`, `{"a":-0}`, `{"a":-0.0e-0}`, `{"a":+1}`,
	`{"a":1E5}`, `{"a":1000}`, `{"a":1e3}`, `{"a":1e400}`, `{"a":-1e400}`, `{"a":1e-400}`, `{"a":12345678901234567}`,
	`{"a":12345678901234568}`, `{"a":123456789012345678901234567890}`, `{"a":0.1e1}`, `{"a":NaN}`, `{"a":Infinity}`,
	`{"a":true}`, `{"a":false}`, `{"a":null}`, `{"a":tru}`, `{"a":nul}`, `{"a":truex}`, `{"a":True}`,
	`{"a":"x"}`, `{"a":"x","a":"y"}`, `{"a":"y","a":"x"}`, `{"a":{"b":1},"a":2}`, `{"a":2,"a":{"b":1}}`,
	`{"a":{"b":1,"b":2},"a":{"b":1}}`, `{"a":[1,2],"a":[3]}`, `{"x":"x","x":"y"}`, `{"x":"y","x":"x"}`,
	`{"a":1,"\u0061":2}`, `{"\u0061":1}`, `{"a\u0000":1}`, `{"a":"\u0078"}`, `{"a":"\x"}`, `{"a":"\u00"}`,
	`{"a":"\ud83d\ude00"}`, `{"a":"\ud83d"}`, `{"a":"\ude00"}`, `{"a":"\ud83dx"}`, `{"a":"\ud83d\u0041"}`,
	`{"a":"\ud83d\ud83d\ude00"}`, `{"a":"\uFFFD"}`, "{\"a\":\"\xff\"}", "{\"\xff\":\"\xff\"}", "{\"\xef\xbf\xbd\":\"\xed\xa0\x80\"}",
	"{\"a\":\"\xc3\"}", "{\"a\":\"\xc3\xa9\"}", "{\"é\":\"ü\"}", `{"\u00e9":"\u00fc"}`, "{\"a\":\"a\tb\"}", `{"a":"tab\there"}`,
	"{\"a\":\"\x00\"}", `{"a":"\/"}`, `{"a":"/"}`, `{"a":"\\"}`, `{"a":"say \"hi\""}`, `{"a\"b":"q\"q"}`,
	`{"a.b":1}`, `{"a":{"b":1}}`, `{"a":{"b":{"c":{"d":"deep"}}}}`, `{"a":[1,"x",{"b":2}]}`, `{"a":[[0,1],[2]]}`,
	`{"a":[null,2]}`, `{"a":[]}`, `{"a":{}}`, `{"a":{"c":2,"b":1},"x":{"c":2}}`, `{"q":{"b":1}}`,
	`{"a":1,"b":2}`, `{"c":3,"d":null}`, `{"a":"*"}`, `{"a":""}`, `{"a":"4x"}`, `{"a":"b"}`, `{"a":-12.5}`,
	`{ "a" : [ 1 , { "b" : "x" } ] , "b" : null }`, "{\n\"a\"\n:\n1\n}",
	`{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":1}}}}}}}}`,
	`{"a":"Access` + `Denied"}`, `{"a":"Acc\u0065ssDenied"}`,
}

func TestJSONMatchEquivalenceCorpus(t *testing.T) {
	var pats []*Pattern
	for _, src := range jsonEquivPatterns {
		pats = append(pats, MustParse(src))
	}
	for _, msg := range jsonEquivMessages {
		for _, p := range pats {
			if got, want := p.Match(msg), referenceJSONMatch(p, msg); got != want {
				t.Errorf("pattern %s on %q: Match = %v, encoding/json evaluation = %v", p.Source(), msg, got, want)
			}
		}
	}
}

// FuzzJSONMatchEquivalence compares the scanner with the encoding/json
// based evaluation: on every message the fuzzer makes up, with the pattern
// it makes up (when that parses as a JSON pattern) and with every pattern of
// jsonEquivPatterns.
func FuzzJSONMatchEquivalence(f *testing.F) {
	for i, msg := range jsonEquivMessages {
		f.Add(jsonEquivPatterns[i%len(jsonEquivPatterns)], msg)
	}
	var pats []*Pattern
	for _, src := range jsonEquivPatterns {
		pats = append(pats, MustParse(src))
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		if p, err := Parse(pattern); err == nil && p.Kind() == KindJSON {
			if got, want := p.Match(message), referenceJSONMatch(p, message); got != want {
				t.Fatalf("pattern %q on %q: Match = %v, encoding/json evaluation = %v", pattern, message, got, want)
			}
		}
		for _, p := range pats {
			if got, want := p.Match(message), referenceJSONMatch(p, message); got != want {
				t.Fatalf("pattern %q on %q: Match = %v, encoding/json evaluation = %v", p.Source(), message, got, want)
			}
		}
	})
}

func TestJSONNestingLimit(t *testing.T) {
	// encoding/json accepts 10000 open containers and rejects 10001; the
	// root object is the first.
	nested := func(open, close string, n int) string {
		return `{"a":1,"z":` + strings.Repeat(open, n-1) + "0" + strings.Repeat(close, n-1) + `}`
	}
	p := MustParse(`{ $.a = 1 }`)
	wild := MustParse(`{ $.z[*] NOT EXISTS }`)
	for _, tc := range []struct {
		msg  string
		want bool
	}{
		{nested("[", "]", maxJSONDepth), true},
		{`{"a":1,"z":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`, true},
		{nested("[", "]", maxJSONDepth+1), false},
		{nested(`{"a":`, "}", maxJSONDepth), true},
		{nested(`{"a":`, "}", maxJSONDepth+1), false},
		{nested(`[{"a":`, "}]", maxJSONDepth/2), true},
		{nested(`[{"a":`, "}]", maxJSONDepth/2+1), false},
		{`{"a":1,"z":` + strings.Repeat("[", 200000) + `}`, false},
	} {
		if got := p.Match(tc.msg); got != tc.want {
			t.Errorf("nesting of %d bytes: Match = %v, want %v", len(tc.msg), got, tc.want)
		}
		if got, want := p.Match(tc.msg), referenceJSONMatch(p, tc.msg); got != want {
			t.Errorf("nesting of %d bytes: Match = %v, encoding/json evaluation = %v", len(tc.msg), got, want)
		}
		if got, want := wild.Match(tc.msg), referenceJSONMatch(wild, tc.msg); got != want {
			t.Errorf("nesting of %d bytes, wildcard: Match = %v, encoding/json evaluation = %v", len(tc.msg), got, want)
		}
	}
	// A selector as deep as the document walks it without skipping.
	deep := "{ $" + strings.Repeat(".a", 300) + " = 1 }"
	msg := strings.Repeat(`{"a":`, 300) + "1" + strings.Repeat("}", 300)
	if !MustParse(deep).Match(msg) {
		t.Errorf("300-level selector does not match a 300-level document")
	}
}

func TestJSONDuplicateKeysLastWins(t *testing.T) {
	runMatchCases(t, []matchCase{
		{pattern: `{ $.a.b = 1 }`, match: []string{`{"a":2,"a":{"b":1}}`}, noMatch: []string{`{"a":{"b":1},"a":2}`, `{"a":{"b":1,"b":2}}`}},
		{pattern: `{ $.a.b NOT EXISTS }`, match: []string{`{"a":{"b":1},"a":2}`}, noMatch: []string{`{"a":2,"a":{"b":null}}`}},
		{pattern: `{ $.* = "x" }`, match: []string{`{"k":"y","k":"x"}`}, noMatch: []string{`{"k":"x","k":"y"}`, `{"k":"x","\u006b":"y"}`}},
		{pattern: `{ $.*.b = 1 }`, noMatch: []string{`{"k":{"b":1},"j":{"b":2},"k":{"b":3}}`}, match: []string{`{"k":{"b":3},"j":{"b":2},"k":{"b":1}}`}},
		{
			name:    "many members under a wildcard",
			pattern: `{ $.* = "x" }`,
			noMatch: []string{`{"k0":"x",` + manyMembers(1, 100, "y") + `,"k0":"y"}`, `{` + manyMembers(0, 100, "y") + `,"k50":"x","k50":"y"}`},
			match:   []string{`{` + manyMembers(0, 100, "y") + `,"k99":"x"}`, `{"k0":"y",` + manyMembers(1, 100, "y") + `,"k0":"x"}`},
		},
	})
}

// manyMembers lists the members "k<from>":"v" to "k<to-1>":"v".
func manyMembers(from, to int, v string) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		if i > from {
			b.WriteString(",")
		}
		b.WriteString(`"k` + itoa(i) + `":"` + v + `"`)
	}
	return b.String()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func TestJSONStringDecoding(t *testing.T) {
	runMatchCases(t, []matchCase{
		{pattern: `{ $.a = "AccessDenied" }`, match: []string{`{"a":"Acc\u0065ssDenied"}`, `{"\u0061":"AccessDenied"}`}},
		{pattern: `{ $.a = "` + "\U0001F600" + `" }`, match: []string{`{"a":"\ud83d\ude00"}`, `{"a":"` + "\U0001F600" + `"}`}, noMatch: []string{`{"a":"\ud83d"}`}},
		{pattern: `{ $.a = "` + "\uFFFD" + `" }`, match: []string{`{"a":"\ud83d"}`, "{\"a\":\"\xff\"}", `{"a":"\ude00"}`}},
		{pattern: `{ $.a = "` + "\uFFFD\uFFFD" + `" }`, match: []string{"{\"a\":\"\xed\xa0\"}"}},
		{pattern: `{ $.a = "/" }`, match: []string{`{"a":"\/"}`}},
		{pattern: `{ $.a = "x" }`, noMatch: []string{"{\"a\":\"x\x00\"}", `{"a":"\x"}`, `{"a":"\u00"}`}},
	})
}

func TestJSONMatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, src := range []string{
		`{ ($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*") && $.userIdentity.accessKeyId = "AKIAIOSFODNN7EXAMPLE" }`,
		`{ $.userIdentity.type = "IAMUser" && $.sourceIPAddress != "10.*" && $.resources[*].type = "AWS::S3::Object" && $.additionalEventData.bytesTransferredOut > 200 && $.responseElements IS NULL && $.apiVersion NOT EXISTS }`,
		`{ $.* = %Denied% }`,
	} {
		p := MustParse(src)
		if n := testing.AllocsPerRun(100, func() { p.Match(cloudTrailEvent) }); n != 0 {
			t.Errorf("%s: %v allocations per Match, want 0", src, n)
		}
	}
}

func TestJSONPreFilter(t *testing.T) {
	// The pre-filter is only a shortcut: whatever it decides, the answer
	// is the reference's.
	for _, tc := range []struct{ pattern, msg string }{
		{`{ $.a = "RunInstances" }`, `{"a":"RunInstances"}`},
		{`{ $.a = "RunInstances" }`, `{"a":"Run\u0049nstances"}`},
		{`{ $.a = "RunInstances" || $.b = "x" }`, `{"b":"x"}`},
		{`{ $.a = "Run*" && $.b != "x" }`, `{"a":"Runner","b":"y"}`},
		{`{ $.a = "*12*" }`, `{"a":3124}`},
		{`{ $.a = "é" }`, "{\"a\":\"\xc3\xa9\"}"},
		{`{ $.a = "` + "\uFFFD" + `" }`, "{\"a\":\"\xff\"}"},
	} {
		p := MustParse(tc.pattern)
		if got, want := p.Match(tc.msg), referenceJSONMatch(p, tc.msg); got != want || !got {
			t.Errorf("%s on %q: Match = %v, reference = %v, want both true", tc.pattern, tc.msg, got, want)
		}
	}
	if !utf8.ValidString(jsonEquivPatterns[43]) {
		t.Fatal("corpus pattern with U+FFFD is not valid UTF-8")
	}
}
