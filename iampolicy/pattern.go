package iampolicy

import (
	"strings"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tokLiteral  tokenKind = iota // text matched verbatim
	tokStar                      // '*': any run of characters, including none
	tokQuestion                  // '?': exactly one character
	tokVariable                  // ${key} or ${key, 'default'}: the request's value, matched verbatim
)

type token struct {
	kind tokenKind
	// text is the literal text, or the default value of a variable.
	text string
	// key is the canonical condition key of a variable.
	key        string
	hasDefault bool
}

// pattern is a compiled value from Action, Resource or a condition. Compiling
// at Parse time keeps Evaluate free of allocation: matching walks the tokens
// against the request string directly, and resolved policy variables are
// compared in place instead of being spliced into a new string.
type pattern struct {
	raw    string
	tokens []token
	// exact is set when the pattern is a single literal (the common case), so
	// matching is one string comparison.
	exact bool
	// any is set for a lone "*".
	any bool
	// hasVariables marks patterns that need the request context.
	hasVariables bool
}

// compilePattern compiles s. wildcards says whether '*' and '?' are wildcards
// (StringLike, ArnLike, Action, Resource) or plain characters (StringEquals).
// variables says whether ${...} is a policy variable: only Version 2012-10-17
// substitutes them; in older policies "${aws:username}" is literal text.
//
// A variable's key must be a supported condition key; unknownKey reports the
// first unsupported one so Parse can reject it rather than never match.
func compilePattern(s string, wildcards, variables bool) (p pattern, unknownKey string) {
	p.raw = s
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.tokens = append(p.tokens, token{kind: tokLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wildcards && c == '*':
			flush()
			// Consecutive stars are equivalent to one and would only slow backtracking.
			if n := len(p.tokens); n == 0 || p.tokens[n-1].kind != tokStar {
				p.tokens = append(p.tokens, token{kind: tokStar})
			}
			i++
		case wildcards && c == '?':
			flush()
			p.tokens = append(p.tokens, token{kind: tokQuestion})
			i++
		case variables && c == '$' && strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				// An unterminated "${" cannot be a variable; AWS treats the text literally.
				lit.WriteString(s[i:])
				i = len(s)
				continue
			}
			body := s[i+2 : i+end]
			i += end + 1
			switch body {
			case "*", "?", "$":
				// Escapes for characters that would otherwise be special.
				lit.WriteString(body)
				continue
			}
			key, def, hasDef, ok := parseVariableBody(body)
			if !ok {
				lit.WriteString("${" + body + "}")
				continue
			}
			canonical, supported := canonicalKey(key)
			if !supported {
				if unknownKey == "" {
					unknownKey = key
				}
				lit.WriteString("${" + body + "}")
				continue
			}
			flush()
			p.tokens = append(p.tokens, token{kind: tokVariable, key: canonical, text: def, hasDefault: hasDef})
			p.hasVariables = true
		default:
			_, w := utf8.DecodeRuneInString(s[i:])
			lit.WriteString(s[i : i+w])
			i += w
		}
	}
	flush()
	switch {
	case len(p.tokens) == 0:
		p.exact = true
	case len(p.tokens) == 1 && p.tokens[0].kind == tokLiteral:
		p.exact = true
	case len(p.tokens) == 1 && p.tokens[0].kind == tokStar:
		p.any = true
	}
	return p, unknownKey
}

// parseVariableBody splits "key" or "key, 'default'" (AWS's default-value
// syntax, in which a doubled quote inside the quotes stands for one). Spaces around the key and
// the default are ignored, as AWS does.
func parseVariableBody(body string) (key, def string, hasDef, ok bool) {
	comma := strings.IndexByte(body, ',')
	if comma < 0 {
		key = strings.TrimSpace(body)
		return key, "", false, key != "" && !strings.ContainsAny(key, " '")
	}
	key = strings.TrimSpace(body[:comma])
	rest := strings.TrimSpace(body[comma+1:])
	if key == "" || strings.ContainsAny(key, " '") || len(rest) < 2 || rest[0] != '\'' || rest[len(rest)-1] != '\'' {
		return "", "", false, false
	}
	inner := rest[1 : len(rest)-1]
	// Inside the quotes a quote must be doubled; a lone one is malformed.
	if strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
		return "", "", false, false
	}
	return key, strings.ReplaceAll(inner, "''", "'"), true, true
}

// text returns the literal value of a pattern with no wildcards or variables.
func (p *pattern) text() string {
	if len(p.tokens) == 0 {
		return ""
	}
	return p.tokens[0].text
}

// match reports whether s matches the pattern. fold makes literal comparison
// ASCII-case-insensitive (actions, StringEqualsIgnoreCase). ctx resolves
// policy variables; an unresolvable variable without a default makes the
// pattern match nothing, as AWS documents.
func (p *pattern) match(s string, fold bool, ctx *evalContext) bool {
	if p.any {
		return true
	}
	if p.exact {
		t := p.text()
		if fold {
			return strings.EqualFold(s, t)
		}
		return s == t
	}
	toks := p.tokens
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tokStar:
				starTi, starSi = ti, si
				ti++
				continue
			case tokQuestion:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			case tokLiteral, tokVariable:
				text := t.text
				if t.kind == tokVariable {
					v, ok := ctx.variable(t)
					if !ok {
						return false
					}
					text = v
				}
				if hasPrefixFold(s[si:], text, fold) {
					si += len(text)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		// Mismatch: let the most recent star swallow one more character.
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, w := utf8.DecodeRuneInString(s[starSi:])
		starSi += w
		si = starSi
		ti = starTi + 1
	}
}

func hasPrefixFold(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if !fold {
		return s[:len(prefix)] == prefix
	}
	return equalFoldASCII(s[:len(prefix)], prefix)
}

// equalFoldASCII compares without allocating; non-ASCII bytes must match
// exactly, which is enough for action names and the values the sandbox uses.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
