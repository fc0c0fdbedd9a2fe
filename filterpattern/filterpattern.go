// Package filterpattern parses CloudWatch Logs filter patterns and evaluates
// them against log event messages the way FilterLogEvents, metric filters and
// subscription filters do, so that drills can predict offline which events a
// pattern will select and which values a metric filter will extract.
//
// Four pattern shapes exist and are chosen by the pattern's first
// non-blank character, which is how AWS's examples read (AWS never states the
// rule): "{" starts a JSON pattern, "[" a space-delimited pattern, and
// anything else is an unstructured term pattern, in which "%regex%" terms are
// allowed. The empty pattern matches every event.
//
// Where AWS documents nothing, or contradicts itself, the choice made here is
// commented where it is implemented and summarised in the package tests.
//
// A *Pattern is immutable once parsed and safe for concurrent use.
//
// # JSON matching
//
// A JSON pattern's meaning is defined by decoding the event with
// encoding/json (UseNumber) into a map and walking the selectors over it
// (decodeEvent and evalDoc in json.go, which Extract still uses). Match gets
// the same answers without decoding, in three parts (jsonscan.go):
//
//   - At Parse time the selectors become a small automaton over property
//     names and array indexes: a trie of the steps the pattern reads, made
//     deterministic so that each value of the document is in one state (a
//     property named by one selector and reached by another's .* is visited
//     once, with both selectors' conditions).
//   - At Match time one pass over the raw message, with a hand-written
//     tokenizer and no recursion outside the selectors' paths, validates the
//     whole message exactly as encoding/json's scanner would (one object,
//     only JSON whitespace around it, at most 10000 nested objects and
//     arrays) and walks into the members and elements the automaton names,
//     skipping everything else. String values are decoded only where a
//     condition compares them, and then only when they hold an escape or
//     invalid UTF-8 (decoded as encoding/json does: U+FFFD for invalid bytes
//     and unpaired surrogates); keys are compared the same way. Numbers are
//     compared through their literal text, which is what json.Number holds.
//     Each condition counts the values it holds for (or, for NOT EXISTS,
//     reaches); the pattern's && / || tree is evaluated on the counts at the
//     end. A duplicated key keeps its last value in a Go map, so the scanner
//     logs what each selected member counted and takes it back when the same
//     key comes again in the same object.
//   - Before scanning, a pre-filter rules events out cheaply: a condition
//     $.x = "text" (wildcards allowed at the ends) needs the text in the raw
//     message, which is checked with strings.Contains over the && / || tree
//     when the message has no backslash (no escapes) and the text is valid
//     UTF-8 without U+FFFD (which the decoder may have produced).
//
// Matching allocates nothing except for strings that must be unescaped and
// objects with more than 32 members selected by a wildcard. The fuzz test
// FuzzJSONMatchEquivalence checks the scanner against the encoding/json
// evaluation.
package filterpattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxPatternLength is the longest filter pattern AWS accepts (the
// filterPattern parameter of PutMetricFilter, PutSubscriptionFilter and
// FilterLogEvents is limited to 1024 characters). It is counted in
// characters (runes) here; AWS does not say whether it counts bytes or UTF-16
// units.
const MaxPatternLength = 1024

// maxNesting bounds parenthesis nesting so hostile input cannot exhaust the
// stack; AWS documents no limit, and no real pattern comes close.
const maxNesting = 64

// maxRegexPerPattern is AWS's documented quota: "There is a limit of 2 regex
// for each filter pattern". AWS states it for JSON and space-delimited
// patterns; it is applied to term patterns too because a standalone regex is
// a single regex anyway.
const maxRegexPerPattern = 2

// Kind tells which of the pattern shapes a Pattern is.
type Kind int

const (
	// KindAll is the empty (or blank) pattern, which matches every event.
	KindAll Kind = iota
	// KindTerms is an unstructured pattern of terms, phrases and %regex% terms.
	KindTerms
	// KindJSON is a { ... } pattern over JSON events.
	KindJSON
	// KindDelimited is a [ ... ] pattern over space-delimited events.
	KindDelimited
)

func (k Kind) String() string {
	switch k {
	case KindAll:
		return "all"
	case KindTerms:
		return "terms"
	case KindJSON:
		return "json"
	case KindDelimited:
		return "delimited"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Pattern is a parsed filter pattern.
type Pattern struct {
	source string
	kind   Kind
	terms  *termPattern
	json   *jsonPattern
	delim  *delimPattern
}

// SyntaxError reports why a filter pattern is invalid and where.
type SyntaxError struct {
	Column  int    // 1-based, counted in characters from the start of the pattern
	Offset  int    // 0-based byte offset into the pattern
	Token   string // the offending token; empty at the end of the pattern
	Message string // what is wrong, without position
}

// Error starts with "Invalid filter pattern", the message AWS's
// InvalidParameterException carries for a pattern it rejects (FilterLogEvents;
// PutMetricFilter says "Invalid metric filter pattern"), then adds what AWS
// leaves out: the reason, the column and the token.
func (e *SyntaxError) Error() string {
	where := fmt.Sprintf("at column %d", e.Column)
	if e.Token == "" {
		where = fmt.Sprintf("at end of pattern (column %d)", e.Column)
	} else {
		where += fmt.Sprintf(" near %q", e.Token)
	}
	return fmt.Sprintf("Invalid filter pattern: %s %s", e.Message, where)
}

// Parse parses a CloudWatch Logs filter pattern. Any error is a *SyntaxError.
func Parse(pattern string) (*Pattern, error) {
	if n := utf8.RuneCountInString(pattern); n > MaxPatternLength {
		off := 0
		for i := 0; i < MaxPatternLength; i++ {
			_, size := utf8.DecodeRuneInString(pattern[off:])
			off += size
		}
		return nil, newSyntaxError(pattern, off, "", fmt.Sprintf("pattern is %d characters long; the maximum is %d", n, MaxPatternLength))
	}
	p := &Pattern{source: pattern}
	start := skipSpace(pattern, 0)
	if start == len(pattern) {
		p.kind = KindAll
		return p, nil
	}
	var err error
	switch pattern[start] {
	case '{':
		p.kind = KindJSON
		p.json, err = parseJSONPattern(pattern, start)
	case '[':
		p.kind = KindDelimited
		p.delim, err = parseDelimPattern(pattern, start)
	default:
		p.kind = KindTerms
		p.terms, err = parseTermPattern(pattern, start)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// MustParse is Parse for patterns known to be valid, such as constants in
// drill definitions; it panics on a syntax error.
func MustParse(pattern string) *Pattern {
	p, err := Parse(pattern)
	if err != nil {
		panic(err)
	}
	return p
}

// Kind reports the shape of the pattern.
func (p *Pattern) Kind() Kind { return p.kind }

// Source returns the pattern text as given to Parse.
func (p *Pattern) Source() string { return p.source }

// Match reports whether the log event message matches the pattern.
func (p *Pattern) Match(message string) bool {
	switch p.kind {
	case KindTerms:
		return p.terms.match(message)
	case KindJSON:
		return p.json.match(message)
	case KindDelimited:
		_, ok := p.delim.match(message, false)
		return ok
	}
	return true
}

// Extract returns the values a metric filter could use from a matching
// event, keyed the way metric values and dimensions refer to them:
//
//   - space-delimited patterns: "$name" for each named field, and "$N"
//     (N = 1-based position of the token in the event) for unnamed fields and
//     for the tokens an ellipsis covers, as AWS's TestMetricFilter examples
//     show;
//   - JSON patterns: "$.selector" (as String prints it) for each selector
//     without wildcards that resolves to a string, number or boolean;
//     wildcard selectors are left out because they name no single value;
//   - other patterns: an empty map, since AWS extracts nothing from them.
//
// ok is false, and fields nil, when the event does not match.
func (p *Pattern) Extract(message string) (fields map[string]string, ok bool) {
	switch p.kind {
	case KindJSON:
		return p.json.extract(message)
	case KindDelimited:
		return p.delim.match(message, true)
	}
	if !p.Match(message) {
		return nil, false
	}
	return map[string]string{}, true
}

// String returns the pattern in a canonical form that Parse accepts and that
// matches exactly the same events.
func (p *Pattern) String() string {
	switch p.kind {
	case KindTerms:
		return p.terms.String()
	case KindJSON:
		return p.json.String()
	case KindDelimited:
		return p.delim.String()
	}
	return ""
}

func newSyntaxError(src string, off int, token, msg string) *SyntaxError {
	if off > len(src) {
		off = len(src)
	}
	return &SyntaxError{
		Column:  utf8.RuneCountInString(src[:off]) + 1,
		Offset:  off,
		Token:   token,
		Message: msg,
	}
}

// tokenAt picks the lexical token starting at off, for error reports.
func tokenAt(src string, off int) string {
	if off >= len(src) {
		return ""
	}
	rest := src[off:]
	for _, op := range []string{"...", "&&", "||", "!=", "<=", ">=", "=="} {
		if strings.HasPrefix(rest, op) {
			return op
		}
	}
	if isWordByte(rest[0]) {
		end := 1
		for end < len(rest) && isWordByte(rest[end]) {
			end++
		}
		return rest[:end]
	}
	_, size := utf8.DecodeRuneInString(rest)
	return rest[:size]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }
