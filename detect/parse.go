package detect

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,127}$`)
	mitrePattern = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
)

// detectionFields are the fields a detection file may have, in the order
// the documentation lists them.
var detectionFields = []string{"id", "title", "description", "severity", "mitre", "telemetry",
	"parameters", "insights", "filter_pattern", "finding_criteria", "fires", "timeout"}

// MaxTimeout bounds a detection's timeout.
const MaxTimeout = 24 * time.Hour

// ParseFile reads and parses a detection file.
func ParseFile(path string) (*Detection, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read detection: %w", err)
	}
	return Parse(path, data)
}

// Parse parses a detection. name is the file name that errors report. The
// rule is compiled with the parameters' defaults, so a query, pattern or
// criteria the engines reject is an error here, at its line. Errors are
// ParseErrors.
func Parse(name string, data []byte) (*Detection, error) {
	f, entries, err := parseYAML(name, data)
	if err != nil {
		return nil, err
	}
	d := &Detection{File: name, Line: 1}
	seen := map[string]*ast.MappingValueNode{}
	var ruleNodes []*ast.MappingValueNode
	for _, mv := range entries {
		key := keyName(mv)
		if prev, dup := seen[key]; dup {
			line, _ := nodePos(prev)
			f.errorf(mv, key, "given twice (first at line %d)", line)
			continue
		}
		seen[key] = mv
		switch key {
		case "id":
			d.Line, _ = nodePos(mv)
			if s, ok := f.str(mv, key); ok {
				if !idPattern.MatchString(s) {
					f.errorf(mv.Value, key, "%q is not an id: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128", s)
				}
				d.ID = s
			}
		case "title":
			if s, ok := f.str(mv, key); ok {
				d.Title = strings.TrimSpace(s)
				if d.Title == "" {
					f.errorf(mv.Value, key, "is empty")
				}
			}
		case "description":
			if s, ok := f.str(mv, key); ok {
				d.Description = strings.TrimSpace(s)
			}
		case "severity":
			if s, ok := f.str(mv, key); ok {
				sev := Severity(strings.ToLower(s))
				if !slices.Contains(severities, sev) {
					f.errorf(mv.Value, key, "%q is not a severity; want one of %s", s, joinSeverities())
				}
				d.Severity = sev
			}
		case "mitre":
			d.MITRE = f.mitre(mv)
		case "telemetry":
			if s, ok := f.str(mv, key); ok {
				r := Role(s)
				if !r.Valid() {
					f.errorf(mv.Value, key, "%q is not a telemetry role; want one of %s", s, joinRoles())
				}
				d.Telemetry = r
			}
		case "parameters":
			d.Parameters = f.parameters(mv)
		case "insights", "filter_pattern", "finding_criteria":
			ruleNodes = append(ruleNodes, mv)
		case "fires":
			d.Fires = f.fires(mv)
		case "timeout":
			if s, ok := f.str(mv, key); ok {
				t, err := time.ParseDuration(s)
				switch {
				case err != nil:
					f.errorf(mv.Value, key, "%q is not a duration such as 20m or 1h30m", s)
				case t <= 0 || t > MaxTimeout:
					f.errorf(mv.Value, key, "%s is out of range; want more than 0 and at most %s", s, MaxTimeout)
				}
				d.Timeout = t
			}
		default:
			f.errorf(mv, key, "unknown field; a detection has %s", strings.Join(detectionFields, ", "))
		}
	}
	var missing []string
	for _, req := range []string{"id", "title", "severity", "mitre", "telemetry"} {
		if seen[req] == nil {
			missing = append(missing, req)
		}
	}
	if len(missing) > 0 {
		f.errorAt(1, 0, missing[0], "missing (%s): every detection needs id, title, severity, mitre and telemetry", strings.Join(missing, ", "))
	}
	if seen["fires"] == nil {
		d.Fires = Fires{MinRows: 1}
	}
	switch len(ruleNodes) {
	case 0:
		f.errorAt(1, 0, "insights", "a detection needs exactly one rule: insights, filter_pattern or finding_criteria")
	case 1:
		f.rule(d, ruleNodes[0])
	default:
		names := make([]string, len(ruleNodes))
		for i, n := range ruleNodes {
			names[i] = keyName(n)
		}
		f.errorf(ruleNodes[1], keyName(ruleNodes[1]), "a detection has exactly one rule; this one has %s", strings.Join(names, " and "))
	}
	if len(f.errs) == 0 {
		f.checkReferences(d, seen)
	}
	if len(f.errs) == 0 {
		if _, err := d.bind(nil, f); err != nil && len(f.errs) == 0 {
			f.errorAt(d.Rule.pos.line, d.Rule.pos.col, d.Rule.Kind.Field(), "%v", err)
		}
	}
	if len(f.errs) > 0 {
		sortErrors(f.errs)
		return nil, f.errs
	}
	return d, nil
}

func sortErrors(errs ParseErrors) {
	slices.SortStableFunc(errs, func(a, b *ParseError) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
}

func joinSeverities() string {
	s := make([]string, len(severities))
	for i, v := range severities {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func joinRoles() string {
	s := make([]string, len(Roles))
	for i, v := range Roles {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// str reads a scalar field as a string.
func (f *yfile) str(mv *ast.MappingValueNode, field string) (string, bool) {
	if isNullNode(mv.Value) {
		f.errorf(mv, field, "has no value")
		return "", false
	}
	s, ok := scalar(mv.Value)
	if !ok {
		f.errorf(mv.Value, field, "want a string, got %s", describeNode(mv.Value))
	}
	return s, ok
}

func (f *yfile) mitre(mv *ast.MappingValueNode) []string {
	var nodes []ast.Node
	if seq, ok := sequence(mv.Value); ok {
		nodes = seq
	} else if _, ok := scalar(mv.Value); ok {
		nodes = []ast.Node{mv.Value}
	} else {
		f.errorf(mv.Value, "mitre", "want a list of ATT&CK technique IDs such as [T1078.004], got %s", describeNode(mv.Value))
		return nil
	}
	if len(nodes) == 0 {
		f.errorf(mv.Value, "mitre", "is empty; name at least one ATT&CK technique ID")
	}
	var out []string
	for i, n := range nodes {
		s, ok := scalar(n)
		field := fmt.Sprintf("mitre[%d]", i)
		if !ok {
			f.errorf(n, field, "want a technique ID, got %s", describeNode(n))
			continue
		}
		if !mitrePattern.MatchString(s) {
			f.errorf(n, field, "%q is not an ATT&CK technique ID (T1234 or T1234.567)", s)
			continue
		}
		out = append(out, s)
	}
	return out
}

// parameters reads
//
//	parameters:
//	  attacker_ip: 203.0.113.99            # the default, or
//	  access_key_id:
//	    default: AKIAIOSFODNN7EXAMPLE
//	    description: the leaked key
func (f *yfile) parameters(mv *ast.MappingValueNode) []Parameter {
	entries, ok := mappingEntries(mv.Value)
	if !ok {
		if !isNullNode(mv.Value) {
			f.errorf(mv.Value, "parameters", "want a mapping of parameter names to defaults, got %s", describeNode(mv.Value))
		}
		return nil
	}
	var out []Parameter
	seen := map[string]bool{}
	for _, p := range entries {
		name := keyName(p)
		field := "parameters." + name
		if !paramName.MatchString(name) {
			f.errorf(p, field, "%q is not a parameter name: lower-case letters, digits and _, starting with a letter", name)
			continue
		}
		if seen[name] {
			f.errorf(p, field, "declared twice")
			continue
		}
		seen[name] = true
		param := Parameter{Name: name}
		if sub, ok := mappingEntries(p.Value); ok {
			hasDefault := false
			for _, kv := range sub {
				switch k := keyName(kv); k {
				case "default":
					hasDefault = true
					if isNullNode(kv.Value) {
						f.errorf(kv, field+".default", `has no value; write "" for an empty default`)
						continue
					}
					s, ok := scalar(kv.Value)
					if !ok {
						f.errorf(kv.Value, field+".default", "want a string, got %s", describeNode(kv.Value))
						continue
					}
					param.Default, hasDefault = s, true
				case "description":
					if s, ok := scalar(kv.Value); ok {
						param.Description = strings.TrimSpace(s)
					} else {
						f.errorf(kv.Value, field+".description", "want a string, got %s", describeNode(kv.Value))
					}
				default:
					f.errorf(kv, field+"."+k, "unknown field; a parameter has default and description")
				}
			}
			if !hasDefault {
				f.errorf(p, field, "needs a default (detections are validated, and run when nothing else is given, with their defaults)")
			}
		} else if isNullNode(p.Value) {
			f.errorf(p, field, `has no default; write "" for an empty one`)
		} else if s, ok := scalar(p.Value); ok {
			param.Default = s
		} else {
			f.errorf(p.Value, field, "want a default value or a mapping with default and description, got %s", describeNode(p.Value))
		}
		if strings.ContainsAny(param.Default, "\n\r") {
			f.errorf(p, field, "a default is one line")
		}
		out = append(out, param)
	}
	return out
}

func (f *yfile) fires(mv *ast.MappingValueNode) Fires {
	fires := Fires{MinRows: 1}
	entries, ok := mappingEntries(mv.Value)
	if !ok {
		f.errorf(mv.Value, "fires", "want a mapping with min_rows, field and value, got %s", describeNode(mv.Value))
		return fires
	}
	for _, kv := range entries {
		k := keyName(kv)
		field := "fires." + k
		switch k {
		case "min_rows":
			s, ok := scalar(kv.Value)
			n, err := strconv.Atoi(s)
			if !ok || err != nil || n < 1 {
				f.errorf(kv.Value, field, "want a whole number of rows, at least 1, got %s", describeNode(kv.Value))
				continue
			}
			fires.MinRows = n
		case "field":
			s, ok := scalar(kv.Value)
			if !ok || strings.TrimSpace(s) == "" {
				f.errorf(kv.Value, field, "want a field name, got %s", describeNode(kv.Value))
				continue
			}
			fires.Field = s
		case "value":
			if isNullNode(kv.Value) {
				f.errorf(kv, field, `has no value; write "" to require an empty field`)
				continue
			}
			s, ok := scalar(kv.Value)
			if !ok {
				f.errorf(kv.Value, field, "want a value, got %s", describeNode(kv.Value))
				continue
			}
			fires.Value, fires.HasValue = s, true
		default:
			f.errorf(kv, field, "unknown field; fires has min_rows, field and value")
		}
	}
	if fires.HasValue && fires.Field == "" {
		f.errorf(mv, "fires.value", "given without fires.field")
	}
	return fires
}

func (f *yfile) rule(d *Detection, mv *ast.MappingValueNode) {
	key := keyName(mv)
	switch key {
	case "insights":
		d.Rule.Kind = RuleInsights
	case "filter_pattern":
		d.Rule.Kind = RuleFilterPattern
	default:
		d.Rule.Kind = RuleFindingCriteria
	}
	if d.Rule.Kind == RuleFindingCriteria {
		if _, isMap := mappingEntries(mv.Value); isMap {
			// The criteria written as YAML: the same structure as the JSON.
			var v any
			if err := yaml.NodeToValue(mv.Value, &v); err != nil {
				f.errorf(mv.Value, key, "%v", err)
				return
			}
			data, err := json.Marshal(v)
			if err != nil {
				f.errorf(mv.Value, key, "cannot be written as JSON: %v", err)
				return
			}
			d.Rule.Text = string(data)
			line, col := nodePos(mv.Value)
			d.Rule.pos = textPos{line: line, col: col}
			return
		}
	}
	if isNullNode(mv.Value) {
		f.errorf(mv, key, "is empty")
		return
	}
	s, ok := scalar(mv.Value)
	if !ok {
		f.errorf(mv.Value, key, "want the rule as a string (a | block for several lines), got %s", describeNode(mv.Value))
		return
	}
	if d.Rule.Kind != RuleFilterPattern && strings.TrimSpace(s) == "" {
		f.errorf(mv.Value, key, "is empty")
		return
	}
	d.Rule.Text = s
	d.Rule.pos = scalarPos(f, mv.Value)
	if d.Rule.Kind == RuleFilterPattern {
		// A block scalar ends with a newline that is not part of the pattern.
		d.Rule.Text = strings.TrimRight(s, "\n")
	}
}

// checkReferences checks that the rule's and fires.value's ${name}
// references name declared parameters, and that every declared parameter
// is used; and that the rule fits the telemetry.
func (f *yfile) checkReferences(d *Detection, seen map[string]*ast.MappingValueNode) {
	declared := map[string]bool{}
	for _, p := range d.Parameters {
		declared[p.Name] = true
	}
	used := map[string]bool{}
	check := func(text string, pos textPos, field string) {
		refs, terr := scanTemplate(text)
		if terr != nil {
			line, col := pos.at(text, terr.Offset)
			f.errorAt(line, col, field, "%s", terr.Msg)
			return
		}
		for _, r := range refs {
			used[r.Name] = true
			if !declared[r.Name] {
				line, col := pos.at(text, r.Offset)
				f.errorAt(line, col, field, "unknown parameter ${%s}; declare it under parameters with a default", r.Name)
			}
		}
	}
	check(d.Rule.Text, d.Rule.pos, d.Rule.Kind.Field())
	if d.Fires.HasValue {
		vn := seen["fires"]
		pos := textPos{}
		if entries, ok := mappingEntries(vn.Value); ok {
			for _, kv := range entries {
				if keyName(kv) == "value" {
					pos = scalarPos(f, kv.Value)
				}
			}
		}
		check(d.Fires.Value, pos, "fires.value")
	}
	for _, p := range d.Parameters {
		if !used[p.Name] {
			line := 0
			if pn := seen["parameters"]; pn != nil {
				if entries, ok := mappingEntries(pn.Value); ok {
					for _, e := range entries {
						if keyName(e) == p.Name {
							line, _ = nodePos(e)
						}
					}
				}
			}
			f.errorAt(line, 0, "parameters."+p.Name, "declared but not used by the rule or fires.value")
		}
	}
	switch {
	case d.Rule.Kind == RuleFindingCriteria && d.Telemetry != RoleGuardDuty:
		f.errorf(seen["telemetry"].Value, "telemetry", "finding_criteria reads GuardDuty findings; telemetry must be guardduty, not %s", d.Telemetry)
	case d.Rule.Kind != RuleFindingCriteria && d.Telemetry == RoleGuardDuty:
		f.errorf(seen["telemetry"].Value, "telemetry", "guardduty is read with finding_criteria, not %s", d.Rule.Kind.Field())
	}
}
