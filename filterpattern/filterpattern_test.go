package filterpattern

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestDispatchKind(t *testing.T) {
	tests := []struct {
		pattern string
		want    Kind
	}{
		{"", KindAll},
		{" \t ", KindAll},
		{"ERROR", KindTerms},
		{`" "`, KindTerms},
		{"%a%", KindTerms},
		{"  { $.a = 1 }", KindJSON},
		{"[a, b]", KindDelimited},
		{"?x", KindTerms},
	}
	for _, tc := range tests {
		p, err := Parse(tc.pattern)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.pattern, err)
		}
		if p.Kind() != tc.want {
			t.Errorf("Parse(%q).Kind() = %v, want %v", tc.pattern, p.Kind(), tc.want)
		}
		if p.Source() != tc.pattern {
			t.Errorf("Source() = %q, want %q", p.Source(), tc.pattern)
		}
	}
}

func TestPatternLengthLimit(t *testing.T) {
	ok := strings.Repeat("a", MaxPatternLength)
	if _, err := Parse(ok); err != nil {
		t.Errorf("a %d-character pattern was rejected: %v", MaxPatternLength, err)
	}
	// Counted in characters: 1024 two-byte runes are still allowed.
	if _, err := Parse(strings.Repeat("é", MaxPatternLength)); err != nil {
		t.Errorf("1024 multi-byte characters were rejected: %v", err)
	}
	_, err := Parse(strings.Repeat("é", MaxPatternLength+1))
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("1025 characters: err = %v, want *SyntaxError", err)
	}
	if se.Column != MaxPatternLength+1 || se.Offset != 2*MaxPatternLength || !strings.Contains(se.Message, "maximum is 1024") {
		t.Errorf("got %+v, want column 1025, offset 2048 and the limit named", se)
	}
}

func TestNestingLimit(t *testing.T) {
	deep := func(n int) string {
		return "{ " + strings.Repeat("(", n) + "$.a = 1" + strings.Repeat(")", n) + " }"
	}
	if _, err := Parse(deep(maxNesting)); err != nil {
		t.Errorf("nesting %d rejected: %v", maxNesting, err)
	}
	_, err := Parse(deep(maxNesting + 1))
	var se *SyntaxError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "nested more than") || se.Offset != 2+maxNesting {
		t.Errorf("nesting %d: err = %v, want a nesting error at offset %d", maxNesting+1, err, 2+maxNesting)
	}
	// The deepest a 1024-character pattern can nest must not crash either.
	if _, err := Parse("{" + strings.Repeat("(", 1022) + "}"); err == nil {
		t.Error("unbalanced deep nesting parsed")
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	_, err := Parse(`{ $.café = 1 && }`)
	var se *SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *SyntaxError", err)
	}
	// "é" is two bytes: the column counts characters, the offset bytes.
	if se.Offset != 7 || se.Column != 8 {
		t.Errorf("offset, column = %d, %d; want 7, 8", se.Offset, se.Column)
	}
	want := `Invalid filter pattern: unexpected character in property selector; property names other than letters, digits, - and _ need the form ['name'] at column 8 near "é"`
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err.Error(), want)
	}
	_, err = Parse(`{ $.a = 1 && }`)
	if got := err.Error(); !strings.Contains(got, `near "}"`) || !strings.Contains(got, "column 14") {
		t.Errorf("Error() = %q, want the closing brace named at column 14", got)
	}
	_, err = Parse(`ERROR -`)
	if got := err.Error(); !strings.Contains(got, "column 7") {
		t.Errorf("Error() = %q, want column 7", got)
	}
	_, err = Parse(`[a, b`)
	if got := err.Error(); !strings.Contains(got, "at end of pattern (column 6)") {
		t.Errorf("Error() = %q, want the end of the pattern named", got)
	}
}

func TestStringCanonical(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  ERROR   ARGUMENTS ", "ERROR ARGUMENTS"},
		{`"ERROR" - "Exiting"`, `ERROR -Exiting`},
		{`"INTERNAL SERVER ERROR"`, `"INTERNAL SERVER ERROR"`},
		{`" "`, `" "`},
		{`"-x" "?y" "%z"`, `"-x" "?y" "%z"`},
		{`?a ?%b{1, 2}%`, `?a ?%b{1, 2}%`},
		{`{$.foo=bar||$.foo=baz}`, `{ $.foo = "bar" || $.foo = "baz" }`},
		{`{ ($.a = 1 || $.b = 2) && $.c[0] != 1e+3 }`, `{ ($.a = 1 || $.b = 2) && $.c[0] != 1e+3 }`},
		{`{ (($.a = 1 && $.b = 2)) && $.c = 3 }`, `{ $.a = 1 && $.b = 2 && $.c = 3 }`},
		{`{ $.['cluster.name'] = "c" && $.x[*] IS NULL && $.y NOT EXISTS }`, `{ $.['cluster.name'] = "c" && $.x[*] IS NULL && $.y NOT EXISTS }`},
		{`{ $.["it's"] = "q\"uote" }`, `{ $.['it\'s'] = "q\"uote" }`},
		{`{ $.a = %x% && $.* = * }`, `{ $.a = %x% && $.* = "*" }`},
		{`[ip=%127\.0\.0\.[1-9]%,user,..., status_code = 404 || status_code = 410,]`, `[ip = %127\.0\.0\.[1-9]%, user, ..., status_code = 404 || status_code = 410, ]`},
	}
	for _, tc := range tests {
		p, err := Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		if got := p.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMustParse(t *testing.T) {
	if MustParse("ERROR").Kind() != KindTerms {
		t.Error("MustParse(ERROR) is not a term pattern")
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("MustParse of an invalid pattern did not panic")
		}
	}()
	MustParse("{")
}

// TestConcurrentMatch shares one compiled pattern of each kind between
// goroutines; run with -race to check Match and Extract do not write shared
// state.
func TestConcurrentMatch(t *testing.T) {
	patterns := []*Pattern{
		MustParse(`?%AccessDenied% ?Unauthorized -x`),
		MustParse(`{ $.errorCode = %Denied% && $.userIdentity.accessKeyId = "AKIAIOSFODNN7EXAMPLE" }`),
		MustParse(`[ip=%127\.0\.0\.[1-9]%, ..., status_code = 4*, bytes]`),
	}
	events := []string{cloudTrailEvent, prodEvent, "AccessDenied"}
	want := make([][]bool, len(patterns))
	for i, p := range patterns {
		for _, e := range events {
			want[i] = append(want[i], p.Match(e))
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 50; n++ {
				for i, p := range patterns {
					for j, e := range events {
						if p.Match(e) != want[i][j] {
							t.Errorf("pattern %d event %d: concurrent Match disagrees", i, j)
							return
						}
						p.Extract(e)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindAll: "all", KindTerms: "terms", KindJSON: "json", KindDelimited: "delimited", Kind(9): "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), got, want)
		}
	}
}

func TestEdgeNumbersAndWhitespace(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "trailing blank after JSON pattern", pattern: "{ $.a = 1 }  \n", match: []string{`{"a": 1}`}},
		{name: "trailing blank after delimited pattern", pattern: "[a = 1]\t ", match: []string{"1"}},
		{name: "out-of-range numbers still order", pattern: `{ $.a < 1e999 }`, match: []string{`{"a": 5}`}, noMatch: []string{`{"a": 2e999}`}},
		{name: "out-of-range equal", pattern: `{ $.a = 1e999 }`, match: []string{`{"a": 1e999}`}},
		{name: "not numbers in delimited", pattern: `[a > 1]`, noMatch: []string{"Inf", "NaN", "0x10", "1_000", "1e", "+", "."}},
		{name: "key needing brackets", pattern: `{ $.['a:b'] = 1 }`, match: []string{`{"a:b": 1}`}},
	})
	if got := MustParse(`{ $['a:b'] = 1 }`).String(); got != `{ $.['a:b'] = 1 }` {
		t.Errorf("String() = %q", got)
	}
}
