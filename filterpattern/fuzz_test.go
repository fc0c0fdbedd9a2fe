package filterpattern

import (
	"errors"
	"testing"
	"unicode/utf8"
)

var fuzzPatterns = []string{
	"", " ", `" "`, `""`, "ERROR", "ERROR ARGUMENTS", "?ERROR ?ARGUMENTS", "?ERROR ?ARGUMENTS REQUEST",
	`"INTERNAL SERVER ERROR"`, "ERROR -ARGUMENTS", `"ERROR" - "Exiting"`, "192.0.2.1", `"say \"hi\""`,
	`%AUTHORIZED%`, `%^[hc]at%`, `%a{3, 5}%`, `%gra|ey%`, `%\[.\]%`, `%\x3A%`, `%[abcx-z]%`, `%\d{1,3}\.\d{1,3}%`,
	`%something!%`, `%(a)%`, `%a*?%`, `%[]%`, `%a{5,3}%`,
	`{ $.eventType = "UpdateTrail" }`, `{ $.sourceIPAddress != 123.123.* }`, `{ $.arrayKey[*] = %val.{2}% }`,
	`{ $.* = %111\.111\.111\.1[0-9]{1,2}% }`, `{ $.['cluster.name'] = "c" }`, `{ $.SomeObject IS NULL }`,
	`{ $.SomeOtherObject NOT EXISTS }`, `{ $.ThisFlag IS TRUE }`, `{ $.number[0] != 1e-3 }`, `{ $.latency > +1000 }`,
	`{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`,
	`{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }`,
	`{ $.a IS NOT NULL }`, `{ $.a == 1 }`, `{ ((( }`, `{ $.a = 1 } || { $.b = 2 }`,
	`[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]`,
	`[..., request =*.html*, status_code = 4*, bytes]`, `[w1=ERROR || w1=WARNING, w2]`, `[w1!=ERROR && w1!=WARNING, w2]`,
	`[..., request=*.html*, status_code=4*,]`, `[a, ..., b, ..., c]`, `[a = 1 || (a > 5 && a < 7)]`, `[a b]`, `[]`,
}

var fuzzEvents = []string{
	"", "[ERROR 400] BAD REQUEST", "[ERROR 419] MISSING ARGUMENTS", liveEvent, compoundEvent, prodEvent, dashEvent,
	errFailed, cloudTrailEvent, `{"users": [1, 2, 3]}`, `{"a": null, "b": [true, {"c": "d"}]}`, `{"a": 1} x`,
	`"unterminated [quote`, "a\tb  c", "日本語 テキスト",
}

// FuzzParse checks that Parse never panics, that every failure is a
// *SyntaxError pointing inside the pattern, and that String() of a parsed
// pattern is accepted and is a fixed point.
func FuzzParse(f *testing.F) {
	for _, p := range fuzzPatterns {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		p, err := Parse(pattern)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %v is %T, want *SyntaxError", pattern, err, err)
			}
			if se.Offset < 0 || se.Offset > len(pattern) || se.Column < 1 || se.Column > utf8.RuneCountInString(pattern)+1 {
				t.Fatalf("Parse(%q): position out of range: %+v", pattern, se)
			}
			if se.Message == "" {
				t.Fatalf("Parse(%q): empty message", pattern)
			}
			return
		}
		canon := p.String()
		q, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its String() %q does not parse: %v", pattern, canon, err)
		}
		if again := q.String(); again != canon {
			t.Fatalf("String() not a fixed point: %q -> %q -> %q", pattern, canon, again)
		}
		if q.Kind() != p.Kind() && !(p.Kind() == KindAll || q.Kind() == KindAll) {
			t.Fatalf("String() %q changed kind %v -> %v", canon, p.Kind(), q.Kind())
		}
	})
}

// FuzzMatch checks that matching never panics, that Extract agrees with
// Match, and that the canonical form selects the same events.
func FuzzMatch(f *testing.F) {
	for i, p := range fuzzPatterns {
		for j, e := range fuzzEvents {
			if (i+j)%3 == 0 {
				f.Add(p, e)
			}
		}
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := Parse(pattern)
		if err != nil {
			return
		}
		m := p.Match(message)
		fields, ok := p.Extract(message)
		if ok != m {
			t.Fatalf("pattern %q on %q: Match = %v but Extract ok = %v", pattern, message, m, ok)
		}
		if ok != (fields != nil) {
			t.Fatalf("pattern %q on %q: Extract returned ok=%v with fields %v", pattern, message, ok, fields)
		}
		q, err := Parse(p.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", p.String(), pattern, err)
		}
		if q.Match(message) != m {
			t.Fatalf("pattern %q and its String() %q disagree on %q", pattern, p.String(), message)
		}
	})
}
