package insights

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind int

const (
	tkEOF tokenKind = iota
	tkIdent
	tkString
	tkRegex
	tkNumber
	tkDuration
	tkPipe
	tkComma
	tkLParen
	tkRParen
	tkLBrack
	tkRBrack
	tkDot
	tkOp
)

var tokenKindNames = [...]string{
	tkEOF: "end of query", tkIdent: "identifier", tkString: "string", tkRegex: "regular expression",
	tkNumber: "number", tkDuration: "time period", tkPipe: "'|'", tkComma: "','", tkLParen: "'('",
	tkRParen: "')'", tkLBrack: "'['", tkRBrack: "']'", tkDot: "'.'", tkOp: "operator",
}

func (k tokenKind) String() string { return tokenKindNames[k] }

// token is one lexeme. For identifiers, segs holds the dot-separated parts
// with backticks removed (a backticked part may itself contain dots) and
// text the field name they spell; plain reports that no backticks were used,
// which is what makes a word eligible to be a keyword.
type token struct {
	kind       tokenKind
	start, end int
	text       string // decoded value: string contents, regex source, identifier name, operator
	segs       []string
	plain      bool
	unit       string // tkDuration: the unit as written
}

// lexer is pull-based so that the parser can decide whether a '/' starts a
// regular expression (operand position) or is the division operator.
type lexer struct {
	src string
	pos int
	err *SyntaxError
}

func (lx *lexer) fail(start, end int, msg string) {
	if lx.err == nil {
		lx.err = newSyntaxError(lx.src, start, end, msg)
	}
}

func newSyntaxError(src string, start, end int, msg string) *SyntaxError {
	if start > len(src) {
		start = len(src)
	}
	if end < start {
		end = start
	}
	if end > len(src) {
		end = len(src)
	}
	line, col := lineCol(src, start)
	return &SyntaxError{Line: line, Column: col, StartCharOffset: start, EndCharOffset: end, Token: src[start:end], Message: msg}
}

// lineCol converts a byte offset to a 1-based line and a 1-based column
// counted in characters.
func lineCol(src string, off int) (int, int) {
	line, lineStart := 1, 0
	for i := 0; i < off && i < len(src); i++ {
		if src[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	return line, utf8.RuneCountInString(src[lineStart:off]) + 1
}

func (lx *lexer) skipSpaceAndComments() {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
		case c == '#':
			nl := strings.IndexByte(lx.src[lx.pos:], '\n')
			if nl < 0 {
				lx.pos = len(lx.src)
			} else {
				lx.pos += nl + 1
			}
		default:
			return
		}
	}
}

func isIdentStart(r rune) bool {
	return r == '_' || r == '@' || r == '`' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return r == '_' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// next returns the next token, lexing '/' as an operator.
func (lx *lexer) next() token {
	lx.skipSpaceAndComments()
	start := lx.pos
	if start >= len(lx.src) {
		return token{kind: tkEOF, start: start, end: start}
	}
	c := lx.src[start]
	r, size := utf8.DecodeRuneInString(lx.src[start:])
	switch {
	case c == '"' || c == '\'':
		return lx.lexString(c)
	case c >= '0' && c <= '9':
		return lx.lexNumber()
	case isIdentStart(r):
		return lx.lexIdent()
	}
	lx.pos += size
	single := func(k tokenKind) token { return token{kind: k, start: start, end: lx.pos, text: lx.src[start:lx.pos]} }
	switch c {
	case '|':
		return single(tkPipe)
	case ',':
		return single(tkComma)
	case '(':
		return single(tkLParen)
	case ')':
		return single(tkRParen)
	case '[':
		return single(tkLBrack)
	case ']':
		return single(tkRBrack)
	case '.':
		return single(tkDot)
	case '+', '-', '*', '/', '^', '%':
		return single(tkOp)
	case '=':
		if lx.pos < len(lx.src) && lx.src[lx.pos] == '~' {
			lx.pos++
		}
		return single(tkOp)
	case '!', '<', '>':
		if lx.pos < len(lx.src) && lx.src[lx.pos] == '=' {
			lx.pos++
		}
		if c == '!' && lx.pos-start == 1 {
			lx.fail(start, lx.pos, "unexpected character '!'; did you mean '!=' or 'not'?")
			return token{kind: tkEOF, start: start, end: lx.pos}
		}
		return single(tkOp)
	}
	lx.fail(start, lx.pos, "unexpected character "+quoteRune(r))
	return token{kind: tkEOF, start: start, end: lx.pos}
}

func quoteRune(r rune) string { return "'" + string(r) + "'" }

func (lx *lexer) lexString(q byte) token {
	start := lx.pos
	var sb strings.Builder
	i := start + 1
	for i < len(lx.src) {
		c := lx.src[i]
		if c == q {
			lx.pos = i + 1
			return token{kind: tkString, start: start, end: lx.pos, text: sb.String()}
		}
		if c == '\\' && i+1 < len(lx.src) {
			switch n := lx.src[i+1]; n {
			case '\\', '"', '\'':
				sb.WriteByte(n)
			case 'n':
				sb.WriteByte('\n')
			case 't':
				sb.WriteByte('\t')
			case 'r':
				sb.WriteByte('\r')
			default:
				// Unknown escapes are kept verbatim so that regular
				// expressions written as strings (regexReplace) keep "\d".
				sb.WriteByte('\\')
				sb.WriteByte(n)
			}
			i += 2
			continue
		}
		sb.WriteByte(c)
		i++
	}
	lx.pos = len(lx.src)
	lx.fail(start, len(lx.src), "unterminated string literal")
	return token{kind: tkEOF, start: start, end: len(lx.src)}
}

// lexRegex lexes a /regex/ literal whose opening slash is at start.
func (lx *lexer) lexRegex(start int) token {
	var sb strings.Builder
	i := start + 1
	for i < len(lx.src) {
		c := lx.src[i]
		if c == '/' {
			lx.pos = i + 1
			return token{kind: tkRegex, start: start, end: lx.pos, text: sb.String()}
		}
		if c == '\\' && i+1 < len(lx.src) {
			if lx.src[i+1] == '/' {
				sb.WriteByte('/')
			} else {
				sb.WriteByte('\\')
				sb.WriteByte(lx.src[i+1])
			}
			i += 2
			continue
		}
		sb.WriteByte(c)
		i++
	}
	lx.pos = len(lx.src)
	lx.fail(start, len(lx.src), "unterminated regular expression: missing closing '/'")
	return token{kind: tkEOF, start: start, end: len(lx.src)}
}

func (lx *lexer) lexNumber() token {
	start := lx.pos
	i := start
	for i < len(lx.src) && lx.src[i] >= '0' && lx.src[i] <= '9' {
		i++
	}
	if i+1 < len(lx.src) && lx.src[i] == '.' && lx.src[i+1] >= '0' && lx.src[i+1] <= '9' {
		i++
		for i < len(lx.src) && lx.src[i] >= '0' && lx.src[i] <= '9' {
			i++
		}
	}
	numEnd := i
	for i < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[i:])
		if !unicode.IsLetter(r) {
			break
		}
		i += size
	}
	lx.pos = i
	if i > numEnd {
		return token{kind: tkDuration, start: start, end: i, text: lx.src[start:numEnd], unit: lx.src[numEnd:i]}
	}
	return token{kind: tkNumber, start: start, end: i, text: lx.src[start:i]}
}

// lexIdent lexes a field name: letters, digits, '_', '@', dots between
// parts, and `backticked` parts that may contain anything but a backtick.
func (lx *lexer) lexIdent() token {
	start := lx.pos
	i := start
	var segs []string
	var cur strings.Builder
	plain := true
	for i < len(lx.src) {
		r, size := utf8.DecodeRuneInString(lx.src[i:])
		switch {
		case r == '`':
			end := strings.IndexByte(lx.src[i+1:], '`')
			if end < 0 {
				lx.pos = len(lx.src)
				lx.fail(i, len(lx.src), "unterminated backtick-quoted field name")
				return token{kind: tkEOF, start: i, end: len(lx.src)}
			}
			cur.WriteString(lx.src[i+1 : i+1+end])
			i += end + 2
			plain = false
		case isIdentPart(r):
			cur.WriteRune(r)
			i += size
		case r == '.' && i+1 < len(lx.src) && cur.Len() > 0:
			nr, _ := utf8.DecodeRuneInString(lx.src[i+1:])
			if !isIdentPart(nr) && nr != '`' {
				goto done
			}
			segs = append(segs, cur.String())
			cur.Reset()
			i++
		default:
			goto done
		}
	}
done:
	segs = append(segs, cur.String())
	lx.pos = i
	return token{kind: tkIdent, start: start, end: i, text: strings.Join(segs, "."), segs: segs, plain: plain}
}
