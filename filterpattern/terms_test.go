package filterpattern

import "testing"

// AWS's sample events for the unstructured examples (§2.2).
var (
	ev400 = "[ERROR 400] BAD REQUEST"
	ev401 = "[ERROR 401] UNAUTHORIZED REQUEST"
	ev419 = "[ERROR 419] MISSING ARGUMENTS"
	ev420 = "[ERROR 420] INVALID ARGUMENTS"
)

func TestSection1GlobalRules(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "case sensitive term", pattern: "ERROR", match: []string{"ERROR"}, noMatch: []string{"error", "Error"}},
		{name: "case sensitive json value", pattern: `{ $.level = "ERROR" }`, match: []string{`{"level":"ERROR"}`}, noMatch: []string{`{"level":"error"}`}},
		{name: "case sensitive regex", pattern: `%[Ee]rror%`, match: []string{"Error", "error"}, noMatch: []string{"ERROR"}},
		// "If not provided, all the events are matched" / "The filter
		// pattern "" matches all log events" / " " matches everything.
		{name: "empty", pattern: "", match: []string{"", "x", "{}", "no-spaces-at-all"}},
		{name: "blank", pattern: "   ", match: []string{"", "x"}},
		{name: "quoted empty", pattern: `""`, match: []string{"", "x"}},
		{name: "quoted space", pattern: `" "`, match: []string{"", "x", "no-spaces-at-all", "a b"}},
		{name: "quoted phrase keeps punctuation", pattern: `"ERROR:"`, match: []string{"ERROR: x"}, noMatch: []string{"ERROR x"}},
	})
}

func TestSection2_2AWSExamples(t *testing.T) {
	all := []string{ev400, ev401, ev419, ev420}
	runMatchCases(t, []matchCase{
		{name: "match a single term", pattern: "ERROR", match: all},
		{name: "match multiple terms", pattern: "ERROR ARGUMENTS", match: []string{ev419, ev420}, noMatch: []string{ev400, ev401}},
		{name: "match optional terms", pattern: "?ERROR ?ARGUMENTS", match: all, noMatch: []string{"[INFO] OK"}},
		// "If you combine "?" with other filter patterns, all question mark
		// terms will be ignored."
		{
			name:    "optional terms ignored beside a plain term",
			pattern: "?ERROR ?ARGUMENTS REQUEST",
			match:   []string{"[INFO] REQUEST FAILED", "[WARN] UNAUTHORIZED REQUEST", "[ERROR] 400 BAD REQUEST"},
			noMatch: []string{ev419, ev420},
		},
		{name: "match exact phrases", pattern: `"INTERNAL SERVER ERROR"`, match: []string{"[ERROR 500] INTERNAL SERVER ERROR"}, noMatch: []string{"[ERROR 500] INTERNAL ERROR SERVER", "INTERNAL  SERVER ERROR"}},
		{name: "include and exclude terms", pattern: "ERROR -ARGUMENTS", match: []string{ev400, ev401}, noMatch: []string{ev419, ev420}},
		{name: "match everything", pattern: `" "`, match: append(all, "")},
	})
}

func TestSection2_3OlderAWSExamples(t *testing.T) {
	runMatchCases(t, []matchCase{
		{name: "ERROR is a substring match", pattern: "ERROR", match: []string{"[ERROR] A fatal exception has occurred", "Exiting with ERRORCODE: -1"}},
		{name: "both terms", pattern: "ERROR Exception", match: []string{"[ERROR] Caught IllegalArgumentException", "[ERROR] Unhandled Exception"}, noMatch: []string{"Exiting with ERRORCODE: -1"}},
		{
			name:    "all terms unquoted",
			pattern: "Failed to process the request",
			match:   []string{"[WARN] Failed to process the request", "[ERROR] Unable to continue: Failed to process the request", "request the process Failed to"},
		},
		{
			name:    "all terms as phrase",
			pattern: `"Failed to process the request"`,
			match:   []string{"[WARN] Failed to process the request", "[ERROR] Unable to continue: Failed to process the request"},
			noMatch: []string{"request the process Failed to"},
		},
		// "ERROR" - "Exiting": the space after '-' is accepted.
		{name: "exclusion written with a space", pattern: `"ERROR" - "Exiting"`, match: []string{"[ERROR] A fatal exception has occurred"}, noMatch: []string{"Exiting with ERRORCODE: -1"}},
		{name: "exclusion canonical", pattern: `"ERROR" -"Exiting"`, match: []string{"[ERROR] A fatal exception has occurred"}, noMatch: []string{"Exiting with ERRORCODE: -1"}},
		{
			name:    "OR is case sensitive",
			pattern: "?Error ?fatal",
			match:   []string{"[Error] Unhandled Exception", "[ERROR] A fatal exception has occurred"},
			noMatch: []string{"[ERROR] Caught IllegalArgumentException", "Exiting with ERRORCODE: -1"},
		},
		{name: "F21 ERROR", pattern: "ERROR", match: []string{"ERROR WARN message", "ERROR message"}, noMatch: []string{"WARN message"}},
		{name: "F21 ?ERROR ?WARN", pattern: "?ERROR ?WARN", match: []string{"ERROR WARN message", "ERROR message", "WARN message"}, noMatch: []string{"INFO message"}},
		{name: "F21 ERROR WARN", pattern: "ERROR WARN", match: []string{"ERROR WARN message"}, noMatch: []string{"ERROR message", "WARN message"}},
		{name: "F21 ERROR -WARN", pattern: "ERROR -WARN", match: []string{"ERROR message"}, noMatch: []string{"ERROR WARN message", "WARN message"}},
		{name: "Lightsail -ERROR", pattern: "-ERROR", match: []string{"INFO ok", ""}, noMatch: []string{"ERROR x"}},
		{name: "Lightsail ?ERROR ?Exception", pattern: "?ERROR ?Exception", match: []string{"ERROR", "Exception"}, noMatch: []string{"exception"}},
	})
}

// TestSeedLabTerms covers the incident-response lab's filter-log-events
// patterns over CloudTrail JSON: plain terms, some with dots, unquoted.
func TestSeedLabTerms(t *testing.T) {
	denied := `{"eventVersion":"1.08","eventName":"ListBuckets","errorCode":"AccessDenied","sourceIPAddress":"192.0.2.1","userIdentity":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE"}}`
	other := `{"eventVersion":"1.08","eventName":"RunInstances","errorCode":"Client.UnauthorizedOperation","sourceIPAddress":"198.51.100.7","userIdentity":{"accessKeyId":"AKIAI44QH8DHBEXAMPLE"}}`
	runMatchCases(t, []matchCase{
		{pattern: "AccessDenied", match: []string{denied}, noMatch: []string{other}},
		{pattern: "AKIAIOSFODNN7EXAMPLE", match: []string{denied}, noMatch: []string{other}},
		{pattern: "192.0.2.1", match: []string{denied}, noMatch: []string{other, `"192x0x2x1"`}},
		{pattern: "ListBuckets", match: []string{denied}, noMatch: []string{other}},
		{pattern: "Client.UnauthorizedOperation", match: []string{other}, noMatch: []string{denied}},
		{pattern: "?AccessDenied ?Client.UnauthorizedOperation", match: []string{denied, other}, noMatch: []string{`{"eventName":"GetObject"}`}},
	})
}

// TestSection8TermDecisions pins the choices made where AWS is silent about
// unstructured patterns.
func TestSection8TermDecisions(t *testing.T) {
	runMatchCases(t, []matchCase{
		// The note says ? cannot combine with "include and exclude terms";
		// with an exclusion present the ?terms are ignored too.
		{name: "?terms ignored beside an exclusion", pattern: "?A ?B -C", match: []string{"nothing here", "x"}, noMatch: []string{"A C"}},
		// '*' is not a wildcard in unstructured terms.
		{name: "star is literal in terms", pattern: "ERR*", match: []string{"ERR* x"}, noMatch: []string{"ERROR"}},
		{name: "backslash escapes a quote in a phrase", pattern: `"say \"hi\""`, match: []string{`they say "hi" now`}, noMatch: []string{"say hi"}},
		{name: "regex term combined with a term", pattern: `%^\[ERROR% ARGUMENTS`, match: []string{ev419}, noMatch: []string{ev400, "x [ERROR ARGUMENTS"}},
		{name: "regex term as an exclusion", pattern: `ERROR -%4[12][09]%`, match: []string{ev400, ev401}, noMatch: []string{ev419, ev420}},
		{name: "optional regex terms", pattern: `?%40[01]% ?MISSING`, match: []string{ev400, ev401, ev419}, noMatch: []string{ev420}},
		{name: "only exclusions", pattern: "-ERROR -WARN", match: []string{"INFO"}, noMatch: []string{"ERROR", "WARN"}},
		{name: "blank phrase excluded excludes all", pattern: `-" "`, noMatch: []string{"x", ""}},
		{name: "multi-byte term", pattern: "日本", match: []string{"こんにちは日本語"}, noMatch: []string{"日"}},
		{name: "brackets later in a term pattern are literal", pattern: "ERROR [x]", match: []string{"[x] ERROR"}, noMatch: []string{"ERROR x"}},
		{name: "percent inside a bare term is literal", pattern: "50%", match: []string{"disk 50% full"}},
		{name: "tabs separate terms", pattern: "A\tB", match: []string{"B A"}, noMatch: []string{"A"}},
	})
}

func TestTermSyntaxErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{pattern: `"unterminated`, wantMsg: "unterminated quoted string", wantOffset: 0, wantToken: `"`},
		{pattern: `ERROR "oops`, wantMsg: "unterminated quoted string", wantOffset: 6},
		{pattern: `ab"cd"`, wantMsg: "double quote inside an unquoted term", wantOffset: 2, wantToken: `"`},
		{pattern: `"ab"cd`, wantMsg: "expected a space after the end of the term", wantOffset: 4, wantToken: "cd"},
		{pattern: `ERROR ?`, wantMsg: "expected a term right after '?'", wantOffset: 6, wantToken: "?"},
		{pattern: `? ERROR`, wantMsg: "expected a term right after '?'", wantOffset: 0},
		{pattern: `ERROR -`, wantMsg: "expected a term right after '-'", wantOffset: 6},
		{pattern: `?-ERROR`, wantMsg: "cannot both prefix", wantOffset: 1},
		{pattern: `%abc`, wantMsg: "unterminated regex", wantOffset: 0},
		{pattern: `%a% %b% %c%`, wantMsg: "more than 2 regular expressions", wantOffset: 8},
		{pattern: `%a%b`, wantMsg: "expected a space", wantOffset: 3},
	})
}
