package filterpattern

import (
	"fmt"
	"strings"
)

type termMode int

const (
	termRequired termMode = iota // plain term: must occur
	termOptional                 // ?term: any one of them must occur
	termExcluded                 // -term: must not occur
)

type term struct {
	mode   termMode
	text   string
	quoted bool
	re     *filterRegex
	// blank marks a quoted term of only whitespace. AWS documents " " (and
	// "") as the pattern that matches every event, so such a term matches
	// every event rather than only events that contain a space.
	blank bool
}

func (t *term) found(msg string) bool {
	switch {
	case t.blank:
		return true
	case t.re != nil:
		return t.re.match(msg)
	}
	// AWS's "ERROR" matches "Exiting with ERRORCODE: -1": terms are
	// case-sensitive substrings, not words.
	return strings.Contains(msg, t.text)
}

func (t *term) String() string {
	prefix := ""
	switch t.mode {
	case termOptional:
		prefix = "?"
	case termExcluded:
		prefix = "-"
	}
	switch {
	case t.re != nil:
		return prefix + t.re.String()
	case t.quoted && termNeedsQuotes(t.text):
		return prefix + quote(t.text)
	}
	return prefix + t.text
}

// termNeedsQuotes reports whether printing text bare would parse differently.
func termNeedsQuotes(text string) bool {
	if text == "" || strings.ContainsAny(text, "\" \t\n\r\v\f") {
		return true
	}
	return strings.IndexByte("?-%{[", text[0]) >= 0
}

type termPattern struct {
	terms []term
	// anyRequiredOrExcluded records AWS's rule for ?terms: "If you combine
	// "?" with other filter patterns, all question mark terms will be
	// ignored." The note names include and exclude terms, so either kind
	// switches the ?terms off.
	anyRequiredOrExcluded bool
}

func (tp *termPattern) match(msg string) bool {
	if tp.anyRequiredOrExcluded {
		for i := range tp.terms {
			t := &tp.terms[i]
			switch t.mode {
			case termRequired:
				if !t.found(msg) {
					return false
				}
			case termExcluded:
				if t.found(msg) {
					return false
				}
			}
		}
		return true
	}
	for i := range tp.terms {
		if tp.terms[i].found(msg) {
			return true
		}
	}
	return false
}

func (tp *termPattern) String() string {
	parts := make([]string, len(tp.terms))
	for i := range tp.terms {
		parts[i] = tp.terms[i].String()
	}
	return strings.Join(parts, " ")
}

// parseTermPattern parses an unstructured pattern: whitespace-separated
// terms, each optionally prefixed by ? or -, and each a bare word, a
// "quoted phrase" or a %regex%.
//
// AWS says terms with characters other than letters, digits and '_' must be
// quoted, but does not say it rejects them, and its own incident-response
// lab passes 192.0.2.1 and Client.UnauthorizedOperation unquoted to
// filter-log-events. So bare terms may hold any character except a double
// quote, and '*' is literal in them (AWS documents wildcards only for JSON
// and space-delimited values). A lone "-" followed by a space still
// excludes the next term, as in AWS's 2018 example "ERROR" - "Exiting".
// Combining %regex% terms with other terms is undocumented; they are
// allowed here and behave like any other term.
func parseTermPattern(src string, start int) (*termPattern, error) {
	tp := &termPattern{}
	regexes := 0
	i := start
	for {
		i = skipSpace(src, i)
		if i >= len(src) {
			break
		}
		t := term{mode: termRequired}
		prefixAt := i
		switch src[i] {
		case '?':
			t.mode = termOptional
			i++
		case '-':
			t.mode = termExcluded
			i++
			if i < len(src) && isSpace(src[i]) {
				i = skipSpace(src, i)
			}
		}
		if t.mode != termRequired {
			if i >= len(src) || isSpace(src[i]) {
				return nil, newSyntaxError(src, prefixAt, src[prefixAt:prefixAt+1], "expected a term right after '"+src[prefixAt:prefixAt+1]+"'")
			}
			if src[i] == '?' || src[i] == '-' && t.mode == termOptional {
				return nil, newSyntaxError(src, i, src[i:i+1], "'?' and '-' cannot both prefix a term; quote the term if it starts with one of them")
			}
		}
		bodyAt := i
		switch src[i] {
		case '"':
			text, next, err := readQuoted(src, i, len(src))
			if err != nil {
				return nil, err
			}
			t.text, t.quoted = text, true
			t.blank = strings.TrimSpace(text) == ""
			i = next
		case '%':
			closeAt := strings.IndexByte(src[i+1:], '%')
			if closeAt < 0 {
				return nil, newSyntaxError(src, i, "%", "unterminated regex: missing closing %")
			}
			if regexes >= maxRegexPerPattern {
				return nil, newSyntaxError(src, i, "%", fmt.Sprintf("more than %d regular expressions in one filter pattern", maxRegexPerPattern))
			}
			regexes++
			re, err := compileRegex(src, i+1, src[i+1:i+1+closeAt])
			if err != nil {
				return nil, err
			}
			t.re = re
			i += closeAt + 2
		default:
			for i < len(src) && !isSpace(src[i]) {
				if src[i] == '"' {
					return nil, newSyntaxError(src, i, `"`, "double quote inside an unquoted term; put the whole term in double quotes")
				}
				i++
			}
			t.text = src[bodyAt:i]
		}
		if i < len(src) && !isSpace(src[i]) {
			return nil, newSyntaxError(src, i, tokenAt(src, i), "expected a space after the end of the term")
		}
		if t.mode != termOptional {
			tp.anyRequiredOrExcluded = true
		}
		tp.terms = append(tp.terms, t)
	}
	return tp, nil
}
