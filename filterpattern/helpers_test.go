package filterpattern

import (
	"errors"
	"strings"
	"testing"
)

// matchCase states, for one pattern, events that must match and events that
// must not.
type matchCase struct {
	name    string
	pattern string
	match   []string
	noMatch []string
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = tc.pattern
		}
		t.Run(name, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.pattern, err)
			}
			for _, m := range tc.match {
				if !p.Match(m) {
					t.Errorf("pattern %q should match %q", tc.pattern, m)
				}
			}
			for _, m := range tc.noMatch {
				if p.Match(m) {
					t.Errorf("pattern %q should not match %q", tc.pattern, m)
				}
			}
			// The canonical form must select the same events.
			again, err := Parse(p.String())
			if err != nil {
				t.Fatalf("Parse(String()=%q): %v", p.String(), err)
			}
			for _, m := range append(append([]string{}, tc.match...), tc.noMatch...) {
				if again.Match(m) != p.Match(m) {
					t.Errorf("String() form %q disagrees with %q on %q", p.String(), tc.pattern, m)
				}
			}
		})
	}
}

// errorCase is a pattern that must be rejected; wantMsg is a fragment of the
// message, wantOffset the byte offset of the reported position.
type errorCase struct {
	pattern    string
	wantMsg    string
	wantOffset int
	wantToken  string
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.pattern, func(t *testing.T) {
			p, err := Parse(tc.pattern)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error containing %q", tc.pattern, p.String(), tc.wantMsg)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, want *SyntaxError", err, err)
			}
			if !strings.Contains(se.Message, tc.wantMsg) {
				t.Errorf("message %q does not contain %q", se.Message, tc.wantMsg)
			}
			if se.Offset != tc.wantOffset {
				t.Errorf("offset = %d, want %d (error: %v)", se.Offset, tc.wantOffset, err)
			}
			if tc.wantToken != "" && se.Token != tc.wantToken {
				t.Errorf("token = %q, want %q", se.Token, tc.wantToken)
			}
			if !strings.HasPrefix(err.Error(), "Invalid filter pattern: ") {
				t.Errorf("Error() = %q, want AWS's \"Invalid filter pattern\" wording first", err.Error())
			}
		})
	}
}
