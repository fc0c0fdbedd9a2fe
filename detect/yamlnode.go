package detect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// ParseError is a problem in a YAML file (a detection or a test suite),
// with where it is and which field.
type ParseError struct {
	File   string
	Line   int // 1-based; 0 when unknown
	Column int // 1-based; 0 when unknown
	Field  string
	Msg    string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
	} else {
		b.WriteString("<input>")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ParseErrors are every problem found in one file, in file order.
type ParseErrors []*ParseError

func (es ParseErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Unwrap lets errors.As find the individual *ParseError values.
func (es ParseErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// yfile is a YAML document being read, collecting errors.
type yfile struct {
	name  string
	lines []string
	errs  ParseErrors
}

func (f *yfile) errorf(n ast.Node, field, format string, args ...any) {
	line, col := nodePos(n)
	f.errs = append(f.errs, &ParseError{File: f.name, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (f *yfile) errorAt(line, col int, field, format string, args ...any) {
	f.errs = append(f.errs, &ParseError{File: f.name, Line: line, Column: col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// parseYAML reads one YAML document whose top level is a mapping.
func parseYAML(name string, data []byte) (*yfile, []*ast.MappingValueNode, error) {
	f := &yfile{name: name, lines: strings.Split(string(data), "\n")}
	file, err := parser.ParseBytes(data, parser.ParseComments)
	if err != nil {
		pe := &ParseError{File: name, Msg: err.Error()}
		var ye yaml.Error
		if errors.As(err, &ye) {
			pe.Msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				pe.Line, pe.Column = tk.Position.Line, tk.Position.Column
			}
		}
		return nil, nil, ParseErrors{pe}
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch len(docs) {
	case 0:
		return nil, nil, ParseErrors{{File: name, Line: 1, Msg: "the file is empty"}}
	case 1:
	default:
		line, _ := nodePos(docs[1].Body)
		return nil, nil, ParseErrors{{File: name, Line: line, Msg: "more than one YAML document; write one per file"}}
	}
	entries, ok := mappingEntries(docs[0].Body)
	if !ok {
		line, col := nodePos(docs[0].Body)
		return nil, nil, ParseErrors{{File: name, Line: line, Column: col, Msg: fmt.Sprintf("want a mapping of fields at the top level, got %s", describeNode(docs[0].Body))}}
	}
	return f, entries, nil
}

func unwrap(n ast.Node) ast.Node {
	for {
		switch x := n.(type) {
		case *ast.TagNode:
			n = x.Value
		case *ast.AnchorNode:
			n = x.Value
		default:
			return n
		}
	}
}

func mappingEntries(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch x := unwrap(n).(type) {
	case *ast.MappingNode:
		return x.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{x}, true
	}
	return nil, false
}

func keyName(mv *ast.MappingValueNode) string {
	if mv.Key == nil {
		return ""
	}
	if s, ok := scalar(mv.Key); ok {
		return s
	}
	return mv.Key.String()
}

// scalar returns a scalar node's text: strings as written (block literals
// with their newlines), numbers and booleans as their source text.
func scalar(n ast.Node) (string, bool) {
	switch x := unwrap(n).(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.LiteralNode:
		if x.Value == nil {
			return "", true
		}
		return x.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return x.GetToken().Value, true
	}
	return "", false
}

func isNullNode(n ast.Node) bool {
	_, ok := unwrap(n).(*ast.NullNode)
	return n == nil || ok
}

func sequence(n ast.Node) ([]ast.Node, bool) {
	if s, ok := unwrap(n).(*ast.SequenceNode); ok {
		return s.Values, true
	}
	return nil, false
}

func nodePos(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	if mv, ok := n.(*ast.MappingValueNode); ok && mv.Key != nil {
		n = mv.Key
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return nodePos(m.Values[0])
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

func describeNode(n ast.Node) string {
	switch unwrap(n).(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.NullNode:
		return "nothing"
	case *ast.AliasNode:
		return "an alias (aliases are not supported)"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode, *ast.FloatNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	}
	return fmt.Sprintf("a %s", n.Type())
}

// textPos is where a scalar's text starts in the file, so that a position
// inside the text (an Insights syntax error's line and column) maps to a
// file line and column.
type textPos struct {
	line, col int
	block     bool // a | or > block: each text line is a file line at col
}

func scalarPos(f *yfile, n ast.Node) textPos {
	n = unwrap(n)
	if lit, ok := n.(*ast.LiteralNode); ok {
		// The text starts on the line after the | or > indicator; its
		// indentation is the first non-blank line's.
		line := lit.GetToken().Position.Line + 1
		col := 1
		for i := line - 1; i >= 0 && i < len(f.lines); i++ {
			if l := f.lines[i]; strings.TrimSpace(l) != "" {
				col = len(l) - len(strings.TrimLeft(l, " ")) + 1
				break
			}
		}
		return textPos{line: line, col: col, block: true}
	}
	line, col := nodePos(n)
	if tk := n.GetToken(); tk != nil && (strings.HasPrefix(tk.Origin, `"`) || strings.HasPrefix(strings.TrimSpace(tk.Origin), `"`) || strings.HasPrefix(strings.TrimSpace(tk.Origin), `'`)) {
		col++
	}
	return textPos{line: line, col: col}
}

// at maps a byte offset in the text to a file line and column.
func (p textPos) at(text string, offset int) (line, col int) {
	if offset > len(text) {
		offset = len(text)
	}
	before := text[:offset]
	nl := strings.Count(before, "\n")
	lastNL := strings.LastIndexByte(before, '\n')
	if nl == 0 {
		return p.line, p.col + offset
	}
	if p.block {
		return p.line + nl, p.col + (offset - lastNL - 1)
	}
	return p.line + nl, 0
}

// atLineCol maps a 1-based line and column inside the text.
func (p textPos) atLineCol(line, col int) (int, int) {
	if line <= 1 {
		return p.line, p.col + col - 1
	}
	if p.block {
		return p.line + line - 1, p.col + col - 1
	}
	return p.line + line - 1, 0
}
