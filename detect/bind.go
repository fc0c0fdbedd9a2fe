package detect

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/irdrill/irdrill/filterpattern"
	"github.com/irdrill/irdrill/findingcriteria"
	"github.com/irdrill/irdrill/insights"
)

// Bound is a detection with its parameters filled and its rule compiled:
// what Evaluate and Wait run.
type Bound struct {
	*Detection
	// Values holds every parameter's value.
	Values map[string]string
	// Text is the rule with the parameters filled in.
	Text string
	// FieldValue is Fires.Value with the parameters filled in.
	FieldValue string

	query    *insights.Query
	pattern  *filterpattern.Pattern
	criteria *findingcriteria.Criteria
}

// Bind fills the detection's parameters, from values where it has them
// and from the defaults otherwise, and compiles the rule. Values for names
// the detection does not declare are ignored, so one map of run values can
// bind every detection; CheckParameters finds names that no detection
// declares.
func (d *Detection) Bind(values map[string]string) (*Bound, error) {
	return d.bind(values, nil)
}

// MustBind is Bind for values known to fit; it panics otherwise.
func (d *Detection) MustBind(values map[string]string) *Bound {
	b, err := d.Bind(values)
	if err != nil {
		panic(err)
	}
	return b
}

// CheckParameters returns an error naming every key of values that none of
// the detections declares: a flag such as --param atacker_ip=… that would
// otherwise be ignored.
func CheckParameters(values map[string]string, dets []*Detection) error {
	declared := map[string]bool{}
	for _, d := range dets {
		for _, p := range d.Parameters {
			declared[p.Name] = true
		}
	}
	var unknown []string
	for k := range values {
		if !declared[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	var names []string
	for k := range declared {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Errorf("unknown parameter %s: no detection declares it (declared: %s)", strings.Join(unknown, ", "), strings.Join(names, ", "))
}

func (d *Detection) bind(values map[string]string, f *yfile) (*Bound, error) {
	b := &Bound{Detection: d, Values: make(map[string]string, len(d.Parameters))}
	for _, p := range d.Parameters {
		v, ok := values[p.Name]
		if !ok {
			v = p.Default
		}
		if strings.ContainsAny(v, "\n\r") {
			return nil, fmt.Errorf("detection %s: parameter %s: a value is one line", d.ID, p.Name)
		}
		b.Values[p.Name] = v
	}
	text, origin := expandMapped(d.Rule.Text, b.Values)
	b.Text = text
	if d.Fires.HasValue {
		b.FieldValue = expand(d.Fires.Value, b.Values)
	}
	// where reports a compile error at a byte offset of the filled text,
	// mapped back to the file when parsing.
	where := func(offset int, format string, args ...any) error {
		msg := fmt.Sprintf(format, args...)
		if f != nil {
			line, col := d.Rule.pos.at(d.Rule.Text, origin(offset))
			f.errorAt(line, col, d.Rule.Kind.Field(), "%s", msg)
			return errors.New(msg)
		}
		return fmt.Errorf("detection %s: %s%s", d.ID, msg, b.describeValues())
	}
	switch d.Rule.Kind {
	case RuleInsights:
		q, err := insights.Parse(text)
		if err != nil {
			var se *insights.SyntaxError
			var ue *insights.UnsupportedError
			switch {
			case errors.As(err, &se):
				return nil, where(se.StartCharOffset, "the Logs Insights query does not compile: %s", queryErrorText(se))
			case errors.As(err, &ue):
				return nil, where(ue.StartCharOffset, "%v", ue)
			}
			return nil, where(0, "the Logs Insights query does not compile: %v", err)
		}
		b.query = q
	case RuleFilterPattern:
		p, err := filterpattern.Parse(text)
		if err != nil {
			var se *filterpattern.SyntaxError
			if errors.As(err, &se) {
				return nil, where(se.Offset, "%v", err)
			}
			return nil, where(0, "%v", err)
		}
		b.pattern = p
	case RuleFindingCriteria:
		c, err := findingcriteria.Parse([]byte(text))
		if err != nil {
			off := 0
			var ce *findingcriteria.Error
			if errors.As(err, &ce) {
				off = criteriaOffset(text, ce.Path, ce.Detail)
			}
			return nil, where(off, "GuardDuty would reject the finding criteria: %v", err)
		}
		b.criteria = c
	default:
		return nil, fmt.Errorf("detection %s: no rule", d.ID)
	}
	return b, nil
}

func (b *Bound) describeValues() string {
	if len(b.Values) == 0 {
		return ""
	}
	names := make([]string, 0, len(b.Values))
	for k := range b.Values {
		names = append(names, k)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s=%q", k, b.Values[k])
	}
	return " (with " + strings.Join(parts, ", ") + ")"
}

// queryErrorText is an Insights syntax error without its position, which
// the caller reports as a file position.
func queryErrorText(e *insights.SyntaxError) string {
	tok := e.Token
	if tok == "" {
		return fmt.Sprintf("at the end of the query: %s", e.Message)
	}
	return fmt.Sprintf("near %q: %s", tok, e.Message)
}

// criteriaOffset finds where in the criteria JSON an error is: the quoted
// attribute or operator it names.
func criteriaOffset(text, path, detail string) int {
	for _, s := range []string{detail, path} {
		parts := strings.Split(s, `"`)
		for i := 1; i < len(parts); i += 2 { // the quoted names
			part := parts[i]
			if part == "" {
				continue
			}
			if i := strings.Index(text, `"`+part+`"`); i >= 0 {
				return i
			}
		}
	}
	return 0
}

// expandMapped fills a template and returns a function that maps a byte
// offset of the result back to the template (an offset inside a filled
// value maps to its "${").
func expandMapped(s string, values map[string]string) (string, func(int) int) {
	type seg struct{ out, in, n int }
	var segs []seg
	var b strings.Builder
	lit := func(in, n int) {
		segs = append(segs, seg{out: b.Len(), in: in, n: n})
	}
	for i := 0; i < len(s); i++ {
		if strings.HasPrefix(s[i:], "$${") {
			lit(i+1, 2)
			b.WriteString("${")
			i += 2
			continue
		}
		if strings.HasPrefix(s[i:], "${") {
			if end := strings.IndexByte(s[i+2:], '}'); end >= 0 {
				v := values[s[i+2:i+2+end]]
				segs = append(segs, seg{out: b.Len(), in: i, n: -len(v)})
				b.WriteString(v)
				i += 2 + end
				continue
			}
		}
		lit(i, 1)
		b.WriteByte(s[i])
	}
	out := b.String()
	return out, func(off int) int {
		for j := len(segs) - 1; j >= 0; j-- {
			sg := segs[j]
			if off >= sg.out {
				if sg.n < 0 {
					return sg.in
				}
				return sg.in + min(off-sg.out, sg.n)
			}
		}
		if off > 0 {
			return len(s)
		}
		return 0
	}
}
