package detect

import (
	"fmt"
	"regexp"
	"strings"
)

// A template is text with ${name} references to parameters. "$${" stands
// for a literal "${"; any other "$" is itself, so regular expressions such
// as /\.$/ need no escaping.

var paramName = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ref is one ${name} in a template; Offset is the byte offset of its "$".
type ref struct {
	Name   string
	Offset int
}

// templateError is a malformed reference at Offset.
type templateError struct {
	Offset int
	Msg    string
}

func (e *templateError) Error() string { return e.Msg }

func scanTemplate(s string) ([]ref, *templateError) {
	var refs []ref
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if strings.HasPrefix(s[i:], "$${") {
			i += 2
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return nil, &templateError{i, `"${" without a closing "}" (write "$${" for a literal "${")`}
		}
		name := s[i+2 : i+2+end]
		if !paramName.MatchString(name) {
			return nil, &templateError{i, fmt.Sprintf("${%s}: a parameter name is lower-case letters, digits and _, starting with a letter", name)}
		}
		refs = append(refs, ref{Name: name, Offset: i})
		i += 2 + end
	}
	return refs, nil
}

// expand fills a template whose references scanTemplate accepted; every
// name must be in values.
func expand(s string, values map[string]string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i+2:], '}'); end >= 0 {
				b.WriteString(values[s[i+2:i+2+end]])
				i += 2 + end
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
