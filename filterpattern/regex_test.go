package filterpattern

import (
	"strings"
	"testing"
)

func TestSection3_2RegexOperators(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "caret", pattern: `%^[hc]at%`, match: []string{"hat", "cat x"}, noMatch: []string{"that", "a cat", "bat"}},
		{name: "dollar", pattern: `%[hc]at$%`, match: []string{"hat", "a cat"}, noMatch: []string{"cats", "hat "}},
		{name: "question", pattern: `%colou?r%`, match: []string{"color", "colour"}, noMatch: []string{"colouur", "colr"}},
		{name: "class list", pattern: `%[abc]%`, match: []string{"a", "b", "c"}, noMatch: []string{"d", "ABC"}},
		{name: "class range", pattern: `%[a-z]%`, match: []string{"a", "m", "z"}, noMatch: []string{"ABC", "123"}},
		{name: "class mixed", pattern: `%[abcx-z]%`, match: []string{"a", "b", "c", "x", "y", "z"}, noMatch: []string{"d", "w"}},
		{name: "negated class", pattern: `%^[^c]%`, match: []string{"a"}, noMatch: []string{"c", ""}},
		{name: "repeat m,n", pattern: `%^a{3,5}$%`, match: []string{"aaa", "aaaa", "aaaaa"}, noMatch: []string{"aa", "aaaaaa"}},
		// Unanchored, "matches only aaa..aaaaa" describes the matched
		// substring: a longer run still contains a match.
		{name: "repeat unanchored", pattern: `%a{3,5}%`, match: []string{"aaa", "xaaaaaax"}, noMatch: []string{"aa", "a a a"}},
		{name: "repeat written with a space", pattern: `%^a{3, 5}$%`, match: []string{"aaa", "aaaaa"}, noMatch: []string{"aa", "aaaaaa"}},
		{name: "repeat min omitted", pattern: `%^a{,2}$%`, match: []string{"", "a", "aa"}, noMatch: []string{"aaa"}},
		{name: "repeat max omitted", pattern: `%^a{2,}$%`, match: []string{"aa", "aaaaaaa"}, noMatch: []string{"a"}},
		{name: "repeat exact", pattern: `%^a{2}$%`, match: []string{"aa"}, noMatch: []string{"a", "aaa"}},
		// Standard alternation of whole branches: gra OR ey.
		{name: "alternation gra|ey", pattern: `%gra|ey%`, match: []string{"gray", "grey", "ey"}, noMatch: []string{"gry", "GRAY"}},
		{
			name:    "alternation anchored",
			pattern: `%^starting|^initializing|^shutting down%`,
			match:   []string{"starting ...", "initializing ...", "shutting down"},
			noMatch: []string{"skipping initializing ...", "shutting  down"},
		},
		// AWS writes this one without its closing % and says it "can match
		// abcc ... and aba ..."; with the $ anchor "aba" matches only at the
		// end of the event, which is what standard regex gives.
		{name: "alternation with class", pattern: `%abcc|ab[^c]$%`, match: []string{"abcc ...", "aba", "x aba"}, noMatch: []string{"aac ...", "abc"}},
		{name: "escaped brackets", pattern: `%\[.\]%`, match: []string{"[a]", "[b]", "[7]", "[@]", "[]]", "[ ]"}, noMatch: []string{"[ab]", "[]", "a"}},
		{name: "escaped dots", pattern: `%10\.10\.0\.1%`, match: []string{"10.10.0.1"}, noMatch: []string{"10010,051"}},
		{name: "unescaped dots", pattern: `%10.10.0.1%`, match: []string{"10.10.0.1", "10010,051"}},
		{name: "star", pattern: `%ab*c%`, match: []string{"ac", "abc", "abbbc"}, noMatch: []string{"a c"}},
		{name: "star on class", pattern: `%^ab[0-9]*$%`, match: []string{"ab", "ab0", "ab129"}, noMatch: []string{"abx"}},
		{name: "plus", pattern: `%ab+c%`, match: []string{"abc", "abbc", "abbbc"}, noMatch: []string{"ac"}},
		{name: "dot", pattern: `%^.at%`, match: []string{"hat", "cat", "bat", "4at", "#at", " at"}, noMatch: []string{"at"}},
		{name: `\d`, pattern: `%\d%`, match: []string{"a1"}, noMatch: []string{"abc"}},
		{name: `\D`, pattern: `%\D%`, match: []string{"1a"}, noMatch: []string{"123"}},
		{name: `\s`, pattern: `%a\sb%`, match: []string{"a b", "a\tb", "a\nb"}, noMatch: []string{"ab", "a_b"}},
		{name: `\S`, pattern: `%^\S+$%`, match: []string{"abc"}, noMatch: []string{"a b"}},
		{name: `\w`, pattern: `%^\w+$%`, match: []string{"a_Z9"}, noMatch: []string{"a-b"}},
		{name: `\W`, pattern: `%\W%`, match: []string{"a-b"}, noMatch: []string{"a_Z9"}},
		{name: `\x3A`, pattern: `%\x3A%`, match: []string{"a:b"}, noMatch: []string{"ab"}},
		{name: `\x28`, pattern: `%\x28%`, match: []string{"f(x)"}, noMatch: []string{"fx"}},
		{name: "escaped operators", pattern: `%\^\$\?\*\+\{\}\|\\%`, match: []string{`^$?*+{}|\`}},
		{name: "escaped dash stays literal in a class", pattern: `%^[a\-z]$%`, match: []string{"a", "-", "z"}, noMatch: []string{"m"}},
		{name: "class escapes in a class", pattern: `%^[\d_]+$%`, match: []string{"12_3"}, noMatch: []string{"12a"}},
		{name: "symbols", pattern: `%^a:b_c#d=e@f/g;h,i-j$%`, match: []string{"a:b_c#d=e@f/g;h,i-j"}},
	})
}

func TestSection3_3StandaloneRegex(t *testing.T) {
	runMatchCases(t, []matchCase{
		{pattern: `%AUTHORIZED%`, match: []string{"[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"}, noMatch: []string{"[ERROR 400] BAD REQUEST"}},
		{pattern: `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, match: []string{"from 192.0.2.1 port 22", "10.0.0.255"}, noMatch: []string{"1.2.3", "a.b.c.d"}},
		{pattern: `%[Ee]rror|[Ff]ail%`, match: []string{"Error", "error", "Fail", "failed"}, noMatch: []string{"ERROR", "FAIL"}},
	})
}

// TestSection3_1RegexRestrictions checks that what AWS's list leaves out is
// rejected, with a message and position a user can act on.
func TestSection3_1RegexRestrictions(t *testing.T) {
	runErrorCases(t, []errorCase{
		{pattern: `%something!%`, wantMsg: `character '!' is not supported`, wantOffset: 10, wantToken: "!"},
		{pattern: `%(a)%`, wantMsg: "parentheses are not supported", wantOffset: 1, wantToken: "("},
		{pattern: `%a)%`, wantMsg: "parentheses are not supported", wantOffset: 2},
		{pattern: `%a*?%`, wantMsg: "follows another quantifier", wantOffset: 3},
		{pattern: `%a++%`, wantMsg: "follows another quantifier", wantOffset: 3},
		{pattern: `%a{2}{3}%`, wantMsg: "follows another quantifier", wantOffset: 5},
		{pattern: `%*a%`, wantMsg: "nothing to repeat", wantOffset: 1},
		{pattern: `%a|+b%`, wantMsg: "nothing to repeat", wantOffset: 3},
		{pattern: `%^*%`, wantMsg: "nothing to repeat", wantOffset: 2},
		{pattern: `%{2}%`, wantMsg: "nothing to repeat", wantOffset: 1},
		{pattern: "%caf\u00e9%", wantMsg: "multi-byte characters are not supported", wantOffset: 4},
		{pattern: `%a{2%`, wantMsg: "unterminated '{'", wantOffset: 2},
		{pattern: `%a{x}%`, wantMsg: "malformed repetition", wantOffset: 2},
		{pattern: `%a{}%`, wantMsg: "malformed repetition", wantOffset: 2},
		{pattern: `%a{,}%`, wantMsg: "malformed repetition", wantOffset: 2},
		{pattern: `%a{5,3}%`, wantMsg: "minimum above its maximum", wantOffset: 2},
		{pattern: `%a{1001}%`, wantMsg: "above 1000", wantOffset: 2},
		{pattern: `%a{99999}%`, wantMsg: "above 1000", wantOffset: 2},
		{pattern: `%a}%`, wantMsg: "unmatched '}'", wantOffset: 2},
		{pattern: `%a]%`, wantMsg: "unmatched ']'", wantOffset: 2},
		{pattern: `%\q%`, wantMsg: `unsupported escape \q`, wantOffset: 1},
		{pattern: `%\(%`, wantMsg: `unsupported escape \(`, wantOffset: 1},
		{pattern: `%\xZZ%`, wantMsg: "two hexadecimal digits", wantOffset: 1},
		{pattern: `%\x80%`, wantMsg: "limited to ASCII", wantOffset: 1},
		{pattern: `%a\%`, wantMsg: "trailing backslash", wantOffset: 2},
		{pattern: `%%`, wantMsg: "empty regex", wantOffset: 0},
		{pattern: `%a|%`, wantMsg: "empty alternative", wantOffset: 3},
		{pattern: `%|a%`, wantMsg: "empty alternative", wantOffset: 1},
		{pattern: `%a||b%`, wantMsg: "empty alternative", wantOffset: 3},
		{pattern: `%[]%`, wantMsg: "empty character class", wantOffset: 2},
		{pattern: `%[^]%`, wantMsg: "empty character class", wantOffset: 3},
		{pattern: `%[abc%`, wantMsg: "unterminated character class", wantOffset: 1},
		{pattern: `%[z-a]%`, wantMsg: "out of order", wantOffset: 2},
		{pattern: `%[a-\d]%`, wantMsg: "cannot end a range", wantOffset: 4},
		{pattern: `%[a!]%`, wantMsg: `character '!' is not supported`, wantOffset: 3},
		{pattern: `%[[:alpha:]]%`, wantMsg: "must be escaped", wantOffset: 2},
		{pattern: "%a\tb%", wantMsg: `character '\t' is not supported`, wantOffset: 2},
		// The quota: at most two regexes per pattern.
		{pattern: `{ $.a = %a% || $.b = %b% || $.c = %c% }`, wantMsg: "more than 2 regular expressions", wantOffset: 34},
		{pattern: `[a = %a%, b = %b%, c = %c%]`, wantMsg: "more than 2 regular expressions", wantOffset: 23},
	})
}

func TestRegexClassRangesAndLimits(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "range ending in a hex escape", pattern: `%^[a-\x63]+$%`, match: []string{"abc"}, noMatch: []string{"abcd"}},
		{name: "range of hex escapes", pattern: `%[\x41-\x43]%`, match: []string{"B"}, noMatch: []string{"D"}},
		{name: "range ending in an escaped operator", pattern: `%^[*-\.]+$%`, match: []string{"*+,-."}, noMatch: []string{"/"}},
		{name: "dash at the end of a class", pattern: `%^[a-]$%`, match: []string{"a", "-"}, noMatch: []string{"b"}},
		{name: "largest allowed repeats", pattern: `%^a{1000}b{1000}c{1000}$%`, match: []string{strings.Repeat("a", 1000) + strings.Repeat("b", 1000) + strings.Repeat("c", 1000)}, noMatch: []string{"abc"}},
	})
	runErrorCases(t, []errorCase{
		{pattern: `%[a-\q]%`, wantMsg: `unsupported escape \q`, wantOffset: 4},
		{pattern: `%[a-!]%`, wantMsg: `character '!' is not supported`, wantOffset: 4},
		{pattern: `%[(]%`, wantMsg: "parentheses are not supported", wantOffset: 2},
		{pattern: "%[\u00e9]%", wantMsg: "multi-byte characters", wantOffset: 2},
		{pattern: `%[\q]%`, wantMsg: `unsupported escape \q`, wantOffset: 2},
		{pattern: "%" + strings.Repeat(`\w{1000}`, 5) + "%", wantMsg: "regex is too complex", wantOffset: 1},
	})
}
