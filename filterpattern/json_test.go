package filterpattern

import (
	"reflect"
	"testing"
)

// liveEvent is the §4.3 event from the current AWS page.
const liveEvent = `{
      "eventType": "UpdateTrail",
      "sourceIPAddress": "111.111.111.111",
      "arrayKey": [
            "value",
            "another value"
      ],
      "objectList": [
           {
             "name": "a",
             "id": 1
           },
           {
             "name": "b",
             "id": 2
           }
      ],
      "SomeObject": null,
      "cluster.name": "c"
}`

// f21Event is the 2021 version of the same event, with ThisFlag.
const f21Event = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": [
        "value",
        "another value"
  ],
  "objectList": [
       {
         "name": "a",
         "id": 1
       },
       {
         "name": "b",
         "id": 2
       }
  ],
  "SomeObject": null,
  "ThisFlag": true
}`

// compoundEvent is the §4.4 event.
const compoundEvent = `{
    "user": {
        "id": 1,
        "email": "John.Stiles@example.com"
    },
    "users": [
        {
         "id": 2,
         "email": "John.Doe@example.com"
        },
        {
         "id": 3,
         "email": "Jane.Doe@example.com"
        }
    ],
    "actions": [
        "GET",
        "PUT",
        "DELETE"
    ],
    "coordinates": [
        [0, 1, 2],
        [4, 5, 6],
        [7, 8, 9]
    ]
}`

func TestSection4_2NumericExamples(t *testing.T) {
	runMatchCases(t, []matchCase{
		{pattern: `{ $.bandwidth > 75 }`, match: []string{`{"bandwidth": 76}`, `{"bandwidth": 75.5}`}, noMatch: []string{`{"bandwidth": 75}`, `{"bandwidth": 10}`}},
		{pattern: `{ $.latency < 50 }`, match: []string{`{"latency": 49}`, `{"latency": -3}`}, noMatch: []string{`{"latency": 50}`, `{"latency": "10"}`}},
		{pattern: `{ $.refreshRate >= 60 }`, match: []string{`{"refreshRate": 60}`, `{"refreshRate": 6e1}`, `{"refreshRate": 144}`}, noMatch: []string{`{"refreshRate": 59.99}`}},
		{pattern: `{ $.responseTime <= 5 }`, match: []string{`{"responseTime": 5}`, `{"responseTime": 0.5}`}, noMatch: []string{`{"responseTime": 5.01}`}},
		{pattern: `{ $.errorCode = 400}`, match: []string{`{"errorCode": 400}`, `{"errorCode": 400.0}`, `{"errorCode": 4e2}`}, noMatch: []string{`{"errorCode": 401}`}},
		{pattern: `{ $.errorCode != 500 }`, match: []string{`{"errorCode": 400}`}, noMatch: []string{`{"errorCode": 500}`, `{}`}},
		{pattern: `{ $.number[0] = 1e+3 }`, match: []string{`{"number": [1000]}`, `{"number": [1000.0, 1]}`}, noMatch: []string{`{"number": [1, 1000]}`}},
		{pattern: `{ $.number[0] != 1e-3 }`, match: []string{`{"number": [1]}`}, noMatch: []string{`{"number": [0.001]}`, `{"number": []}`}},
		{pattern: `{ $.number[0] = 1e-3 }`, match: []string{`{"number": [0.001]}`}, noMatch: []string{`{"number": [1000]}`}},
		{pattern: `{ $.number[0] != 1e+3 }`, match: []string{`{"number": [0.001]}`}, noMatch: []string{`{"number": [1000]}`}},
		// [F21]
		{pattern: `{ $.latency >= 500 }`, match: []string{`{"latency": 500}`}, noMatch: []string{`{"latency": 499}`}},
		{pattern: `{ $.numbers[0] < 10e3 }`, match: []string{`{"numbers": [9999]}`}, noMatch: []string{`{"numbers": [10000]}`}},
		{pattern: `{ $.numbers[0] < 10e-3 }`, match: []string{`{"numbers": [0.009]}`}, noMatch: []string{`{"numbers": [0.01]}`}},
		{pattern: `{ $.processes[4].averageRuntime <= 55.5 }`, match: []string{`{"processes": [{},{},{},{},{"averageRuntime": 55.5}]}`}, noMatch: []string{`{"processes": [{},{},{},{},{"averageRuntime": 55.6}]}`, `{"processes": [{"averageRuntime": 1}]}`}},
		{pattern: `{ $.latency > +1000 }`, match: []string{`{"latency": 1001}`}, noMatch: []string{`{"latency": 1000}`}},
		{pattern: `{ $.latency = * }`, match: []string{`{"latency": 50, "requestType": "GET"}`, `{"latency": "slow"}`}, noMatch: []string{`{"requestType": "GET"}`, `{"latency": null}`, `{"latency": [1]}`}},
		{name: "negative numbers", pattern: `{ $.t < -1.5 }`, match: []string{`{"t": -2}`}, noMatch: []string{`{"t": -1.5}`}},
		{name: "large integers compare exactly", pattern: `{ $.id = 12345678901234567 }`, match: []string{`{"id": 12345678901234567}`}, noMatch: []string{`{"id": 12345678901234568}`}},
	})
}

func TestSection4_3MatchingExamples(t *testing.T) {
	runMatchCases(t, []matchCase{
		{pattern: `{ $.eventType = "UpdateTrail" }`, match: []string{liveEvent}, noMatch: []string{`{"eventType": "UpdateTrails"}`, `{"eventType": "updatetrail"}`}},
		{pattern: `{ $.sourceIPAddress != 123.123.* }`, match: []string{liveEvent}, noMatch: []string{`{"sourceIPAddress": "123.123.0.1"}`, `{"other": 1}`}},
		{pattern: `{ $.arrayKey[0] = "value" }`, match: []string{liveEvent}, noMatch: []string{`{"arrayKey": "value"}`, `{"arrayKey": ["another value", "value"]}`}},
		{pattern: `{ $.objectList[1].id = 2 }`, match: []string{liveEvent}, noMatch: []string{`{"objectList": {"id": 2}}`, `{"objectList": [{"id": 2}]}`, `{"objectList": [{}, {"id": "2"}]}`}},
		{pattern: `{ $.eventType = %Trail% }`, match: []string{liveEvent}, noMatch: []string{`{"eventType": "trail"}`}},
		{pattern: `{ $.arrayKey[*] = %val.{2}% }`, match: []string{liveEvent}, noMatch: []string{`{"arrayKey": ["va"]}`, `{"arrayKey": "value"}`}},
		{pattern: `{ $.* = %111\.111\.111\.1[0-9]{1,2}% }`, match: []string{liveEvent}, noMatch: []string{`{"sourceIPAddress": "111.111.111.1"}`, `{"nested": {"ip": "111.111.111.111"}}`}},
		{pattern: `{ $.['cluster.name'] = "c" }`, match: []string{liveEvent}, noMatch: []string{`{"cluster": {"name": "c"}}`}},
		{pattern: `{ $.SomeObject IS NULL }`, match: []string{liveEvent}, noMatch: []string{`{"SomeObject": "null"}`, `{}`, `{"SomeObject": {}}`}},
		{pattern: `{ $.SomeOtherObject NOT EXISTS }`, match: []string{liveEvent}, noMatch: []string{`{"SomeOtherObject": null}`, `{"SomeOtherObject": 0}`}},
		{pattern: `{ $.ThisFlag IS TRUE }`, match: []string{f21Event}, noMatch: []string{liveEvent, `{"ThisFlag": "true"}`, `{"ThisFlag": false}`}},
		{pattern: `{ $.ThisFlag IS FALSE }`, match: []string{`{"ThisFlag": false}`}, noMatch: []string{f21Event, `{"ThisFlag": 0}`}},
		{pattern: `{$.foo = bar}`, match: []string{`{"foo": "bar"}`}, noMatch: []string{`{"foo": "baz"}`}},
		{pattern: `{$.foo = baz }`, match: []string{`{"foo": "baz"}`}, noMatch: []string{`{"foo": "bar"}`}},
		{pattern: `{$.foo = bar || $.foo = baz }`, match: []string{`{"foo": "bar"}`, `{"foo": "baz"}`}, noMatch: []string{`{"foo": "qux"}`}},
		{
			pattern: `{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }`,
			match:   []string{liveEvent},
			noMatch: []string{`{"eventType": "x", "sourceIPAddress": "123.123.1.1"}`, `{"sourceIPAddress": "1.1.1.1"}`},
		},
	})
}

func TestSection4_3WildcardStrings(t *testing.T) {
	runMatchCases(t, []matchCase{
		{pattern: `{ $.e = *Event }`, match: []string{`{"e": "PutEvent"}`, `{"e": "GetEvent"}`}, noMatch: []string{`{"e": "EventId"}`}},
		{pattern: `{ $.e = Event* }`, match: []string{`{"e": "EventId"}`, `{"e": "EventName"}`}, noMatch: []string{`{"e": "PutEvent"}`}},
		// "Ev*ent will only match the actual string Ev*ent."
		{pattern: `{ $.e = Ev*ent }`, match: []string{`{"e": "Ev*ent"}`}, noMatch: []string{`{"e": "Event"}`, `{"e": "Evxent"}`}},
		{pattern: `{ $.e = "*" }`, match: []string{`{"e": ""}`, `{"e": 3}`}, noMatch: []string{`{"e": true}`, `{}`}},
		{pattern: `{ $.e = *ven* }`, match: []string{`{"e": "Event"}`}, noMatch: []string{`{"e": "Evnt"}`}},
		{pattern: `{ $.status = 4* }`, match: []string{`{"status": "404"}`, `{"status": 404}`}, noMatch: []string{`{"status": 500}`}},
	})
}

func TestSection4_4CompoundExpressions(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "AND matches", pattern: `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, match: []string{compoundEvent}},
		{name: "OR matches (&& binds tighter)", pattern: `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`, match: []string{compoundEvent}},
		{name: "AND does not match", pattern: `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }`, noMatch: []string{compoundEvent}},
		{name: "OR does not match", pattern: `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, noMatch: []string{compoundEvent}},
		{name: "F21 OR with unquoted values", pattern: `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, match: []string{compoundEvent}},
		{name: "F21 AND with unquoted values", pattern: `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, noMatch: []string{compoundEvent}},
		{name: "nested arrays", pattern: `{ $.coordinates[2][0] = 7 && $.coordinates[1][2] = 6 }`, match: []string{compoundEvent}},
		{name: "actions[2]", pattern: `{ $.actions[2] = "DELETE" }`, match: []string{compoundEvent}},
		{name: "deep parentheses", pattern: `{ ((($.user.id = 1))) }`, match: []string{compoundEvent}},
	})
}

func TestSection4_5SpecialConsiderations(t *testing.T) {
	users := `{"users": [1, 2, 3]}`
	runMatchCases(t, []matchCase{
		{pattern: `{$.users = 1}`, noMatch: []string{users}},
		{pattern: `{$.users != 1}`, noMatch: []string{users, `{"users": {"a": 1}}`}},
		// Inference: != on a missing property does not match either.
		{pattern: `{ $.missing != 1 }`, noMatch: []string{users}},
		{pattern: `{ $.missing != "x" }`, noMatch: []string{users}},
		// Non-JSON events never match a JSON pattern.
		{pattern: `{ $.a = * }`, match: []string{`{"a": 1}`, "  {\"a\": 1}\n"}, noMatch: []string{`a=1`, `{"a": 1} trailing`, `[{"a": 1}]`, `{"a": 1`, ``, `2024-01-01 {"a": 1}`}},
	})
}

// TestSection8JSONDecisions pins choices for behaviour AWS leaves open.
func TestSection8JSONDecisions(t *testing.T) {
	runMatchCases(t, []matchCase{
		// A number literal compares only with JSON numbers; a plain string
		// only with JSON strings.
		{name: "number does not match string", pattern: `{ $.code = 400 }`, noMatch: []string{`{"code": "400"}`}},
		{name: "string does not match number", pattern: `{ $.code = "400" }`, noMatch: []string{`{"code": 400}`}, match: []string{`{"code": "400"}`}},
		{name: "number != string is no match", pattern: `{ $.code != 400 }`, noMatch: []string{`{"code": "500"}`}},
		{name: "booleans are not value nodes", pattern: `{ $.flag = true }`, noMatch: []string{`{"flag": true}`}, match: []string{`{"flag": "true"}`}},
		{name: "regex on a number's text", pattern: `{ $.code = %^4\d\d$% }`, match: []string{`{"code": 404}`, `{"code": "404"}`}, noMatch: []string{`{"code": 500}`}},
		{name: "regex negated", pattern: `{ $.code != %^4% }`, match: []string{`{"code": "500"}`}, noMatch: []string{`{"code": "404"}`, `{}`}},
		{name: "wildcard array existential", pattern: `{ $.a[*] = 2 }`, match: []string{`{"a": [1, 2]}`}, noMatch: []string{`{"a": [1, 3]}`, `{"a": []}`, `{"a": 2}`}},
		{name: "wildcard array != existential", pattern: `{ $.a[*] != 2 }`, match: []string{`{"a": [2, 3]}`}, noMatch: []string{`{"a": [2, 2]}`}},
		{name: "wildcard field", pattern: `{ $.*.id = 7 }`, match: []string{`{"x": {"id": 7}}`}, noMatch: []string{`{"x": {"id": 8}}`, `{"id": 7}`}},
		{name: "wildcard NOT EXISTS", pattern: `{ $.a[*] NOT EXISTS }`, match: []string{`{"a": []}`, `{}`}, noMatch: []string{`{"a": [null]}`}},
		{name: "wildcard IS NULL", pattern: `{ $.a[*] IS NULL }`, match: []string{`{"a": [1, null]}`}, noMatch: []string{`{"a": [1]}`}},
		{name: "NOT EXISTS through a non-object", pattern: `{ $.a.b NOT EXISTS }`, match: []string{`{"a": "s"}`, `{"a": [1]}`}, noMatch: []string{`{"a": {"b": null}}`}},
		{name: "index past the end", pattern: `{ $.a[5] NOT EXISTS }`, match: []string{`{"a": [1]}`}},
		{name: "hyphen and underscore names", pattern: `{ $.x-amz_id = "1" }`, match: []string{`{"x-amz_id": "1"}`}},
		{name: "double-quoted bracket key", pattern: `{ $.["a b"] = 1 }`, match: []string{`{"a b": 1}`}},
		{name: "bracket key without dot", pattern: `{ $.a['b.c'] = 1 }`, match: []string{`{"a": {"b.c": 1}}`}},
		{name: "keywords in lower case", pattern: `{ $.a is null || $.b not exists }`, match: []string{`{"a": null, "b": 1}`, `{"a": 1}`}, noMatch: []string{`{"a": 1, "b": 2}`}},
		{name: "escaped quote in a value", pattern: `{ $.q = "say \"hi\"" }`, match: []string{`{"q": "say \"hi\""}`}},
		{name: "unicode in a quoted value", pattern: `{ $.city = "Zürich" }`, match: []string{`{"city": "Zürich"}`}},
		{name: "duplicate keys: last wins", pattern: `{ $.a = 2 }`, match: []string{`{"a": 1, "a": 2}`}, noMatch: []string{`{"a": 2, "a": 1}`}},
		{name: "or of ands", pattern: `{ $.a = 1 && $.b = 2 || $.c = 3 }`, match: []string{`{"a":1,"b":2}`, `{"c":3}`}, noMatch: []string{`{"a":1,"c":4}`}},
	})
}

func TestJSONExtract(t *testing.T) {
	tests := []struct {
		pattern, event string
		want           map[string]string
	}{
		// §6: { $.latency = * } with metricValue $.latency publishes 50.
		{`{ $.latency = * }`, `{"latency": 50, "requestType": "GET"}`, map[string]string{"$.latency": "50"}},
		// Dimension "eventType": $.eventType gives "UpdateTrail".
		{`{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }`, liveEvent, map[string]string{"$.eventType": "UpdateTrail", "$.sourceIPAddress": "111.111.111.111"}},
		{`{ $.arrayKey[*] = %val% || $.['cluster.name'] = c }`, liveEvent, map[string]string{"$.['cluster.name']": "c"}},
		{`{ $.SomeObject IS NULL || $.f IS TRUE }`, `{"SomeObject": null, "f": true}`, map[string]string{"$.f": "true"}},
		{`{ $.a = 1 || $.missing = 2 }`, `{"a": 1}`, map[string]string{"$.a": "1"}},
	}
	for _, tc := range tests {
		p, err := Parse(tc.pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.pattern, err)
		}
		got, ok := p.Extract(tc.event)
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Extract(%q) = %v, %v; want %v, true", tc.pattern, got, ok, tc.want)
		}
	}
	p := MustParse(`{ $.latency > 100 }`)
	if got, ok := p.Extract(`{"latency": 50}`); ok || got != nil {
		t.Errorf("Extract on a non-matching event = %v, %v; want nil, false", got, ok)
	}
}

func TestJSONSyntaxErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{pattern: `{ $.a = 1`, wantMsg: "must end with '}'", wantOffset: 9},
		{pattern: `{ }`, wantMsg: "empty JSON pattern", wantOffset: 0},
		{pattern: `{ a = 1 }`, wantMsg: `starting with "$."`, wantOffset: 2, wantToken: "a"},
		{pattern: `{ $ = 1 }`, wantMsg: "must name a property", wantOffset: 2},
		{pattern: `{ $[0] = 1 }`, wantMsg: "must follow a property", wantOffset: 3},
		{pattern: `{ $.a. = 1 }`, wantMsg: "expected a property name", wantOffset: 6},
		{pattern: `{ $.a[x] = 1 }`, wantMsg: "expected an array index", wantOffset: 6},
		{pattern: `{ $.a[0 = 1 }`, wantMsg: "expected ']'", wantOffset: 7},
		{pattern: `{ $.a['b = 1 }`, wantMsg: "unterminated quoted property name", wantOffset: 6},
		{pattern: `{ $.a[99999999] = 1 }`, wantMsg: "too large", wantOffset: 6},
		{pattern: `{ $.a }`, wantMsg: "expected an operator", wantOffset: 6, wantToken: "}"},
		{pattern: `{ $.a == 1 }`, wantMsg: "'==' is not an operator", wantOffset: 6, wantToken: "=="},
		{pattern: `{ $.a = }`, wantMsg: "expected a value", wantOffset: 8, wantToken: "}"},
		{pattern: `{ $.a = foo@bar }`, wantMsg: "must be in double quotes", wantOffset: 11, wantToken: "@"},
		{pattern: `{ $.a = @ }`, wantMsg: "must be in double quotes", wantOffset: 8},
		{pattern: `{ $.a > abc }`, wantMsg: "operator > needs a number", wantOffset: 8},
		{pattern: `{ $.a < "5" }`, wantMsg: "operator < needs a number", wantOffset: 8},
		{pattern: `{ $.a >= * }`, wantMsg: "operator >= needs a number", wantOffset: 9},
		{pattern: `{ $.a = "x }`, wantMsg: "unterminated quoted string", wantOffset: 8},
		{pattern: `{ $.a = %x }`, wantMsg: "unterminated regex", wantOffset: 8},
		{pattern: `{ $.a = %x!% }`, wantMsg: "not supported in regex", wantOffset: 10},
		{pattern: `{ $.a IS NOT NULL }`, wantMsg: "IS NOT is not supported", wantOffset: 6},
		{pattern: `{ $.a EXISTS }`, wantMsg: "EXISTS is not supported", wantOffset: 6},
		{pattern: `{ $.a IS MAYBE }`, wantMsg: "expected NULL, TRUE or FALSE", wantOffset: 9},
		{pattern: `{ $.a NOT NULL }`, wantMsg: "expected EXISTS after NOT", wantOffset: 10},
		{pattern: `{ $.a = 1 $.b = 2 }`, wantMsg: "expected && or ||", wantOffset: 10},
		{pattern: `{ $.a = 1 && }`, wantMsg: "expected a condition", wantOffset: 13},
		{pattern: `{ ($.a = 1 }`, wantMsg: "unclosed '('", wantOffset: 2},
		{pattern: `{ ($.a = 1 $.b = 1) }`, wantMsg: "expected ')'", wantOffset: 11},
		{pattern: `{ $.a = 1) }`, wantMsg: "unmatched ')'", wantOffset: 9},
		{pattern: `{ $.a = 1 & $.b = 2 }`, wantMsg: "expected && or ||", wantOffset: 10},
		{pattern: `{ $.a[*].b[*] = 1 }`, wantMsg: "only 1 wildcard", wantOffset: 2},
		{pattern: `{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d[*] = 1 }`, wantMsg: "at most 3", wantOffset: 0},
		{pattern: `{ $.a = 1 } || { $.b = 2 }`, wantMsg: "expected && or ||", wantOffset: 10},
	})
}
