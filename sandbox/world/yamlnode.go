package world

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// Error is one problem in a world file, at a line and column (1-based).
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// ErrorList is every problem found in a world file, in file order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// maxErrors caps how many problems one parse reports.
const maxErrors = 25

// maxExpandedNodes bounds alias expansion, so that a file of nested
// aliases ("billion laughs") fails instead of hanging.
const maxExpandedNodes = 200_000

// decoder walks a go-yaml syntax tree, collecting positioned errors.
type decoder struct {
	file     string
	errs     ErrorList
	anchors  map[string]ast.Node
	expanded int
}

// errorf records a problem at node n (or the file when n is nil).
func (d *decoder) errorf(n ast.Node, path, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		return
	}
	e := &Error{File: d.file, Msg: fmt.Sprintf(format, args...)}
	if path != "" {
		e.Msg = path + ": " + e.Msg
	}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	d.errs = append(d.errs, e)
}

// syntaxError converts go-yaml's parse error into a positioned Error.
func (d *decoder) syntaxError(err error) {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: d.file, Msg: "invalid YAML: " + ye.GetMessage()}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
		d.errs = append(d.errs, e)
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Msg: err.Error()})
}

// resolve strips tags and comments, records anchors and follows aliases.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for n != nil {
		d.expanded++
		if d.expanded > maxExpandedNodes {
			return nil
		}
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			if name := anchorName(v.Name); name != "" {
				d.anchors[name] = v.Value
			}
			n = v.Value
		case *ast.AliasNode:
			name := anchorName(v.Value)
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(v, "", "alias *%s names no anchor defined before it", name)
				return nil
			}
			n = target
		case *ast.CommentGroupNode:
			return nil
		default:
			return n
		}
	}
	return nil
}

func anchorName(n ast.Node) string {
	if n == nil {
		return ""
	}
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	return n.GetToken().Value
}

// field is one key of a mapping.
type field struct {
	key   ast.Node
	value ast.Node // resolved; a *ast.NullNode for an empty value
}

// mapping decodes n as a mapping whose keys must be among known. It
// reports unknown and duplicate keys and returns the fields by key.
func (d *decoder) mapping(n ast.Node, path string, known ...string) (map[string]field, bool) {
	if d.expanded > maxExpandedNodes {
		return nil, false
	}
	var entries []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		entries = v.Values
	case *ast.MappingValueNode:
		entries = []*ast.MappingValueNode{v}
	default:
		d.errorf(n, path, "must be a mapping of %s, not %s", strings.Join(known, ", "), describe(n))
		return nil, false
	}
	out := make(map[string]field, len(entries))
	for _, e := range entries {
		if e.Key != nil && e.Key.IsMergeKey() {
			d.errorf(e.Key, path, "merge keys (<<) are not supported; repeat the keys or use an alias for the whole value")
			continue
		}
		key, ok := scalarText(d.resolve(e.Key))
		if !ok {
			d.errorf(e.Key, path, "a key must be a plain string")
			continue
		}
		where := joinPath(path, key)
		if !slices.Contains(known, key) {
			d.errorf(e.Key, where, "unknown key %q (known keys: %s)", key, strings.Join(known, ", "))
			continue
		}
		if prior, dup := out[key]; dup {
			d.errorf(e.Key, where, "duplicate key (first given at line %d)", line(prior.key))
			continue
		}
		before := len(d.errs)
		v := d.resolve(e.Value)
		if v == nil {
			if len(d.errs) > before {
				continue // the alias error says it all
			}
			// An empty value: keep the key's position for errors.
			v = ast.Null(e.Key.GetToken())
		}
		out[key] = field{key: e.Key, value: v}
	}
	return out, true
}

// sequence decodes n as a list.
func (d *decoder) sequence(n ast.Node, path string) ([]ast.Node, bool) {
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		d.errorf(n, path, "must be a list, not %s", describe(n))
		return nil, false
	}
	out := make([]ast.Node, 0, len(s.Values))
	for _, v := range s.Values {
		out = append(out, d.resolve(v))
	}
	return out, true
}

// str decodes a scalar as text.
func (d *decoder) str(n ast.Node, path string) (string, bool) {
	s, ok := scalarText(n)
	if !ok {
		d.errorf(n, path, "must be a string, not %s", describe(n))
	}
	return s, ok
}

// strings decodes a list of scalars; a single scalar is a list of one.
func (d *decoder) strings(n ast.Node, path string) ([]ast.Node, []string) {
	if _, isList := n.(*ast.SequenceNode); !isList {
		if s, ok := d.str(n, path); ok {
			return []ast.Node{n}, []string{s}
		}
		return nil, nil
	}
	items, _ := d.sequence(n, path)
	var nodes []ast.Node
	var out []string
	for i, item := range items {
		if s, ok := d.str(item, indexPath(path, i)); ok {
			nodes = append(nodes, item)
			out = append(out, s)
		}
	}
	return nodes, out
}

// uint decodes a non-negative decimal integer no larger than max.
func (d *decoder) uint(n ast.Node, path string, max uint64) (uint64, bool) {
	s, ok := scalarText(n)
	if !ok {
		d.errorf(n, path, "must be a number, not %s", describe(n))
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > max {
		d.errorf(n, path, "%q is not a whole number from 0 to %d", s, max)
		return 0, false
	}
	return v, true
}

// bool decodes true or false.
func (d *decoder) bool(n ast.Node, path string) (bool, bool) {
	if b, ok := n.(*ast.BoolNode); ok {
		return b.Value, true
	}
	d.errorf(n, path, "must be true or false, not %s", describe(n))
	return false, false
}

// scalarText returns a scalar's text.
func scalarText(n ast.Node) (string, bool) {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.LiteralNode:
		if v.Value == nil {
			return "", true
		}
		return v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	}
	return "", false
}

func describe(n ast.Node) string {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	default:
		if s, ok := scalarText(v); ok {
			return strconv.Quote(s)
		}
		return v.Type().String()
	}
}

func line(n ast.Node) int {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }
