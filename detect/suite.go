package detect

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// Expectation is what a test case wants of a detection.
type Expectation string

const (
	ExpectFire  Expectation = "fire"
	ExpectQuiet Expectation = "quiet"
)

// Case is one test case: a detection over a fixture directory, and
// whether it must fire (with how many rows) or stay quiet.
type Case struct {
	Name string
	// Detection is a detection ID, or a path to a detection file relative
	// to the suite file.
	Detection string
	// Fixtures is the fixture directory, relative to the suite file.
	Fixtures string
	Expect   Expectation
	// Rows, when set, is the exact number of rows the detection must fire
	// with.
	Rows *int
	// Parameters override the recording's parameter values and the
	// detection's defaults.
	Parameters map[string]string
	// Window, when set, replaces the recording's window.
	Window *Window
	// Line is the case's line in the suite file.
	Line int
}

// Suite is a file of test cases.
type Suite struct {
	File        string
	Description string
	Cases       []Case
}

var caseFields = "name, detection, fixtures, expect, rows, parameters and window"

// ParseSuiteFile reads and parses a suite file.
func ParseSuiteFile(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read test suite: %w", err)
	}
	return ParseSuite(path, data)
}

// ParseSuite parses a suite of test cases:
//
//	cases:
//	  - name: fires on the seed attack
//	    detection: lab.cloudtrail.source-ip
//	    fixtures: fixtures/seed-attack
//	    expect: fire
//	    rows: 18
//
// Errors are ParseErrors naming the file, line and field.
func ParseSuite(name string, data []byte) (*Suite, error) {
	f, entries, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	s := &Suite{File: name}
	var casesNode *ast.MappingValueNode
	for _, mv := range entries {
		switch k := keyName(mv); k {
		case "cases":
			casesNode = mv
		case "description":
			if v, ok := f.str(mv, k); ok {
				s.Description = strings.TrimSpace(v)
			}
		default:
			f.errorf(mv, k, "unknown field; a test suite has description and cases")
		}
	}
	if casesNode == nil {
		f.errorAt(1, 0, "cases", "missing; a test suite is a list of cases")
		return nil, f.errs
	}
	items, ok := sequence(casesNode.Value)
	if !ok {
		f.errorf(casesNode.Value, "cases", "want a list of cases, got %s", describeNode(casesNode.Value))
		return nil, f.errs
	}
	if len(items) == 0 {
		f.errorf(casesNode, "cases", "is empty")
	}
	// A case is named by its detection and its name (JUnit's classname and
	// name), so the same name may serve several detections.
	names := map[[2]string]int{}
	for i, item := range items {
		c, ok := f.testCase(item, fmt.Sprintf("cases[%d]", i))
		if !ok {
			continue
		}
		key := [2]string{c.Detection, c.Name}
		if prev, dup := names[key]; dup {
			f.errorAt(c.Line, 0, fmt.Sprintf("cases[%d].name", i), "%q is also the name of the case for %s at line %d", c.Name, c.Detection, prev)
			continue
		}
		names[key] = c.Line
		s.Cases = append(s.Cases, c)
	}
	if len(f.errs) > 0 {
		sortErrors(f.errs)
		return nil, f.errs
	}
	return s, nil
}

func (f *yfile) testCase(item ast.Node, at string) (Case, bool) {
	entries, ok := mappingEntries(item)
	if !ok {
		f.errorf(item, at, "want a case (a mapping with %s), got %s", caseFields, describeNode(item))
		return Case{}, false
	}
	errsBefore := len(f.errs)
	c := Case{}
	c.Line, _ = nodePos(item)
	seen := map[string]bool{}
	for _, mv := range entries {
		k := keyName(mv)
		field := at + "." + k
		if seen[k] {
			f.errorf(mv, field, "given twice")
			continue
		}
		seen[k] = true
		switch k {
		case "name":
			if v, ok := f.str(mv, field); ok {
				c.Name = strings.TrimSpace(v)
			}
		case "detection":
			if v, ok := f.str(mv, field); ok {
				c.Detection = strings.TrimSpace(v)
			}
		case "fixtures":
			if v, ok := f.str(mv, field); ok {
				c.Fixtures = strings.TrimSpace(v)
			}
		case "expect":
			if v, ok := f.str(mv, field); ok {
				switch e := Expectation(v); e {
				case ExpectFire, ExpectQuiet:
					c.Expect = e
				default:
					f.errorf(mv.Value, field, "%q: want fire or quiet", v)
				}
			}
		case "rows":
			s, ok := scalar(mv.Value)
			n, err := strconv.Atoi(s)
			if !ok || err != nil || n < 0 {
				f.errorf(mv.Value, field, "want a whole number of rows, got %s", describeNode(mv.Value))
				continue
			}
			c.Rows = &n
		case "parameters":
			params, ok := mappingEntries(mv.Value)
			if !ok {
				f.errorf(mv.Value, field, "want a mapping of parameter names to values, got %s", describeNode(mv.Value))
				continue
			}
			c.Parameters = map[string]string{}
			for _, p := range params {
				name := keyName(p)
				v, ok := scalar(p.Value)
				if !ok {
					f.errorf(p.Value, field+"."+name, "want a value, got %s", describeNode(p.Value))
					continue
				}
				c.Parameters[name] = v
			}
		case "window":
			c.Window = f.window(mv, field)
		default:
			f.errorf(mv, field, "unknown field; a case has %s", caseFields)
		}
	}
	for _, req := range []string{"name", "detection", "fixtures", "expect"} {
		if !seen[req] {
			f.errorAt(c.Line, 0, at+"."+req, "missing; a case needs name, detection, fixtures and expect")
		}
	}
	if c.Rows != nil && c.Expect == ExpectQuiet {
		f.errorAt(c.Line, 0, at+".rows", "given with expect: quiet, which means no rows fire it")
	}
	return c, len(f.errs) == errsBefore
}

func (f *yfile) window(mv *ast.MappingValueNode, field string) *Window {
	entries, ok := mappingEntries(mv.Value)
	if !ok {
		f.errorf(mv.Value, field, "want a mapping with start and end, got %s", describeNode(mv.Value))
		return nil
	}
	w := &Window{}
	for _, kv := range entries {
		k := keyName(kv)
		s, ok := scalar(kv.Value)
		var t time.Time
		var err error
		if ok {
			t, err = time.Parse(time.RFC3339Nano, s)
		}
		if !ok || err != nil {
			f.errorf(kv.Value, field+"."+k, "want an RFC 3339 time such as 2021-07-29T01:39:30Z, got %s", describeNode(kv.Value))
			continue
		}
		switch k {
		case "start":
			w.Start = t
		case "end":
			w.End = t
		default:
			f.errorf(kv, field+"."+k, "unknown field; a window has start and end")
		}
	}
	if !w.Start.IsZero() && !w.End.IsZero() && w.End.Before(w.Start) {
		f.errorf(mv, field, "ends before it starts")
	}
	return w
}
