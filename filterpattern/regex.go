package filterpattern

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// maxRepeat is the largest {m,n} bound accepted. AWS documents no bound; Go's
// regexp rejects anything above 1000, so that is where the line is drawn, with
// an error that says so instead of a confusing compile failure.
const maxRepeat = 1000

// maxRegexProgram caps the compiled size of one regex; see compileRegex.
const maxRegexProgram = 4000

// regexSymbols are the non-alphanumeric literal characters AWS allows in a
// filter-pattern regex. AWS's list is ': _ # = @ / ; , -' (some copies omit
// ':'; it is accepted here). A space is not in AWS's list, but AWS's own
// example %^starting|^initializing|^shutting down% contains one, so it is
// accepted as a literal too.
const regexSymbols = ":_#=@/;,- "

// regexOperators are AWS's supported operators that may also be escaped with
// a backslash to mean themselves.
const regexOperators = `^$?[]{}|\*+.`

// filterRegex is a validated AWS regex and its translation for Go's RE2
// engine, whose linear-time matching means no pattern can make Match hang.
type filterRegex struct {
	source string // between the % signs, as written
	re     *regexp.Regexp
}

// compileRegex validates src (the text between the % signs, found at byte
// offset off of pattern) against the subset AWS documents and translates it.
// Anything outside that subset is rejected rather than guessed at, because
// AWS rejects it too and a pattern that works here must work in AWS.
func compileRegex(pattern string, off int, src string) (*filterRegex, error) {
	fail := func(i int, msg string) error {
		return newSyntaxError(pattern, off+i, tokenAt(pattern, off+i), msg)
	}
	if src == "" {
		return nil, newSyntaxError(pattern, off-1, "%%", "empty regex")
	}
	var out strings.Builder
	canRepeat := false // an atom precedes, so a quantifier is meaningful
	lastWasRepeat := false
	branchEmpty := true
	for i := 0; i < len(src); {
		c := src[i]
		if c >= 0x80 {
			return nil, fail(i, "multi-byte characters are not supported in regex")
		}
		switch {
		case isAlnum(c) || strings.IndexByte(regexSymbols, c) >= 0:
			out.WriteString(regexp.QuoteMeta(string(c)))
			i++
			canRepeat, lastWasRepeat, branchEmpty = true, false, false
		case c == '.':
			// Whether '.' matches a newline is undocumented; like Java and
			// Go defaults it does not here.
			out.WriteByte('.')
			i++
			canRepeat, lastWasRepeat, branchEmpty = true, false, false
		case c == '^' || c == '$':
			out.WriteByte(c)
			i++
			canRepeat, lastWasRepeat, branchEmpty = false, false, false
		case c == '|':
			if branchEmpty {
				return nil, fail(i, "empty alternative before '|' in regex")
			}
			out.WriteByte('|')
			i++
			canRepeat, lastWasRepeat, branchEmpty = false, false, true
		case c == '*' || c == '+' || c == '?':
			if lastWasRepeat {
				// Lazy (*?) and possessive (*+) quantifiers are not in
				// AWS's list, and a doubled quantifier is a mistake.
				return nil, fail(i, fmt.Sprintf("quantifier '%c' follows another quantifier; lazy and possessive quantifiers are not supported", c))
			}
			if !canRepeat {
				return nil, fail(i, fmt.Sprintf("quantifier '%c' has nothing to repeat", c))
			}
			out.WriteByte(c)
			i++
			canRepeat, lastWasRepeat = false, true
		case c == '{':
			if lastWasRepeat {
				return nil, fail(i, "quantifier '{' follows another quantifier")
			}
			if !canRepeat {
				return nil, fail(i, "quantifier '{' has nothing to repeat")
			}
			rep, n, err := parseRepeat(src[i:])
			if err != "" {
				return nil, fail(i, err)
			}
			out.WriteString(rep)
			i += n
			canRepeat, lastWasRepeat = false, true
		case c == '}':
			return nil, fail(i, "unmatched '}' in regex; write \\} for a literal brace")
		case c == ']':
			return nil, fail(i, "unmatched ']' in regex; write \\] for a literal bracket")
		case c == '[':
			class, n, err := parseClass(src[i:])
			if err.msg != "" {
				return nil, fail(i+err.at, err.msg)
			}
			out.WriteString(class)
			i += n
			canRepeat, lastWasRepeat, branchEmpty = true, false, false
		case c == '\\':
			atom, n, err := parseEscape(src[i:])
			if err != "" {
				return nil, fail(i, err)
			}
			out.WriteString(atom)
			i += n
			canRepeat, lastWasRepeat, branchEmpty = true, false, false
		case c == '(' || c == ')':
			return nil, fail(i, "parentheses are not supported in regex; use \\x28 and \\x29 to match them")
		default:
			return nil, fail(i, fmt.Sprintf("character %q is not supported in regex; use \\x%02X to match it", c, c))
		}
	}
	if branchEmpty {
		return nil, newSyntaxError(pattern, off+len(src), "%", "empty alternative at end of regex")
	}
	// RE2 matches in time proportional to event length times program size,
	// so the program size is what bounds the cost of one Match. Repeats
	// expand into copies, and a 1024-character pattern of {1000}s would
	// otherwise compile to 100,000+ instructions. AWS documents no such
	// limit; maxRegexProgram still allows several {1000} repeats.
	parsed, err := syntax.Parse(out.String(), syntax.Perl)
	if err == nil {
		var prog *syntax.Prog
		if prog, err = syntax.Compile(parsed.Simplify()); err == nil && len(prog.Inst) > maxRegexProgram {
			err = fmt.Errorf("it expands to %d steps, more than %d", len(prog.Inst), maxRegexProgram)
		}
	}
	if err != nil {
		// Validation above leaves only size problems to reach here.
		return nil, newSyntaxError(pattern, off, tokenAt(pattern, off), "regex is too complex: "+err.Error())
	}
	return &filterRegex{source: src, re: regexp.MustCompile(out.String())}, nil
}

// parseRepeat reads {m}, {m,}, {,n} or {m,n} (spaces allowed around the
// comma, as AWS writes "{m, n}") and returns Go syntax and bytes consumed.
func parseRepeat(s string) (string, int, string) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", 0, "unterminated '{' repetition in regex"
	}
	body := s[1:end]
	lo, hi, comma := body, "", false
	if k := strings.IndexByte(body, ','); k >= 0 {
		lo, hi, comma = body[:k], body[k+1:], true
	}
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	// Empty is allowed for an omitted bound.
	boundOK := func(x string) bool {
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return false
			}
		}
		return true
	}
	if !boundOK(lo) || !boundOK(hi) || (lo == "" && hi == "") {
		return "", 0, "malformed repetition; expected {m}, {m,}, {,n} or {m,n}"
	}
	if len(lo) > 4 || len(hi) > 4 {
		// Checked before converting so huge digit strings cannot overflow.
		return "", 0, fmt.Sprintf("repetition count above %d in regex", maxRepeat)
	}
	m, n := 0, -1
	if lo != "" {
		m, _ = strconv.Atoi(lo)
	}
	if hi != "" {
		n, _ = strconv.Atoi(hi)
	}
	if !comma {
		n = m
	}
	if m > maxRepeat || n > maxRepeat {
		return "", 0, fmt.Sprintf("repetition count above %d in regex", maxRepeat)
	}
	if n >= 0 && n < m {
		return "", 0, fmt.Sprintf("repetition {%d,%d} has its minimum above its maximum", m, n)
	}
	switch {
	case !comma:
		return fmt.Sprintf("{%d}", m), end + 1, ""
	case n < 0:
		return fmt.Sprintf("{%d,}", m), end + 1, ""
	default:
		return fmt.Sprintf("{%d,%d}", m, n), end + 1, ""
	}
}

type classError struct {
	at  int
	msg string
}

// parseClass reads a bracket expression starting at s[0] == '['. Members
// follow the same character rules as the rest of the regex; ']' must be
// escaped to be a member, since AWS's example %\[.\]% shows brackets are
// escaped to be literal.
func parseClass(s string) (string, int, classError) {
	var out strings.Builder
	out.WriteByte('[')
	i := 1
	if i < len(s) && s[i] == '^' {
		out.WriteByte('^')
		i++
	}
	members := 0
	prevLiteral := -1 // last single literal byte, for ranges
	for i < len(s) {
		c := s[i]
		switch {
		case c == ']':
			if members == 0 {
				return "", 0, classError{i, "empty character class"}
			}
			out.WriteByte(']')
			return out.String(), i + 1, classError{}
		case c >= 0x80:
			return "", 0, classError{i, "multi-byte characters are not supported in regex"}
		case c == '-' && prevLiteral >= 0 && i+1 < len(s) && s[i+1] != ']':
			hiAt := i + 1
			hi, n := -1, 1
			switch {
			case s[hiAt] == '\\':
				_, m, err := parseEscape(s[hiAt:])
				if err != "" {
					return "", 0, classError{hiAt, err}
				}
				if hi = escapedByte(s[hiAt:]); hi < 0 {
					return "", 0, classError{hiAt, "a class escape such as \\d cannot end a range"}
				}
				n = m
			case isAlnum(s[hiAt]) || strings.IndexByte(regexSymbols, s[hiAt]) >= 0 || strings.IndexByte(regexOperators, s[hiAt]) >= 0 && s[hiAt] != '[':
				hi = int(s[hiAt])
			default:
				return "", 0, classError{hiAt, fmt.Sprintf("character %q is not supported in regex", s[hiAt])}
			}
			if hi < prevLiteral {
				return "", 0, classError{i - 1, fmt.Sprintf("range %q-%q is out of order", rune(prevLiteral), rune(hi))}
			}
			fmt.Fprintf(&out, `-\x{%02x}`, hi)
			i = hiAt + n
			prevLiteral = -1
			members++
		case c == '\\':
			atom, n, err := parseEscape(s[i:])
			if err != "" {
				return "", 0, classError{i, err}
			}
			out.WriteString(atom)
			prevLiteral = escapedByte(s[i:])
			i += n
			members++
		case c == '[':
			// A nested '[' would be a POSIX class or a mistake; neither is in
			// AWS's list.
			return "", 0, classError{i, "'[' inside a character class must be escaped as \\["}
		case isAlnum(c) || strings.IndexByte(regexSymbols, c) >= 0 || strings.IndexByte(regexOperators, c) >= 0:
			fmt.Fprintf(&out, `\x{%02x}`, c)
			prevLiteral = int(c)
			i++
			members++
		case c == '(' || c == ')':
			return "", 0, classError{i, "parentheses are not supported in regex; use \\x28 and \\x29 to match them"}
		default:
			return "", 0, classError{i, fmt.Sprintf("character %q is not supported in regex; use \\x%02X to match it", c, c)}
		}
	}
	return "", 0, classError{0, "unterminated character class '['"}
}

// escapedByte returns the single byte a literal escape stands for, or -1 for
// a class escape such as \d.
func escapedByte(s string) int {
	if len(s) < 2 {
		return -1
	}
	if s[1] == 'x' {
		v, err := strconv.ParseUint(s[2:4], 16, 8)
		if err != nil {
			return -1
		}
		return int(v)
	}
	if strings.IndexByte("dDsSwW", s[1]) >= 0 {
		return -1
	}
	return int(s[1])
}

// parseEscape reads a backslash escape: an escaped operator or symbol, one of
// the class escapes \d \D \s \S \w \W, or \xhh for an ASCII character.
func parseEscape(s string) (string, int, string) {
	if len(s) < 2 {
		return "", 0, "trailing backslash in regex"
	}
	c := s[1]
	switch {
	case strings.IndexByte("dDwW", c) >= 0:
		return `\` + string(c), 2, ""
	case c == 's':
		// AWS: "Whitespace characters include the tab, space and newline";
		// Go's \s also covers \r and \f, which AWS does not mention.
		return `[\t\n\f\r ]`, 2, ""
	case c == 'S':
		return `[^\t\n\f\r ]`, 2, ""
	case c == 'x':
		if len(s) < 4 || !isHex(s[2]) || !isHex(s[3]) {
			return "", 0, "\\x must be followed by two hexadecimal digits"
		}
		v, _ := strconv.ParseUint(s[2:4], 16, 8)
		if v > 0x7f {
			return "", 0, "\\x escapes are limited to ASCII (\\x00 to \\x7F)"
		}
		return fmt.Sprintf(`\x{%02x}`, v), 4, ""
	case strings.IndexByte(regexOperators, c) >= 0 || strings.IndexByte(regexSymbols, c) >= 0:
		// Hex form, so an escaped '-' or '^' stays literal inside a class.
		return fmt.Sprintf(`\x{%02x}`, c), 2, ""
	}
	return "", 0, fmt.Sprintf("unsupported escape \\%c in regex", c)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// match reports whether the regex occurs anywhere in s: AWS's %AUTHORIZED%
// matches "UNAUTHORIZED REQUEST", so matching is a search, not anchored.
func (r *filterRegex) match(s string) bool { return r.re.MatchString(s) }

func (r *filterRegex) String() string { return "%" + r.source + "%" }
