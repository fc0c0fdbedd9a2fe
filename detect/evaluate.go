package detect

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/irdrill/irdrill/findingcriteria"
)

// Result is one evaluation of a detection over a window.
type Result struct {
	// Fired is whether at least Fires.MinRows rows counted.
	Fired bool `json:"fired"`
	// Rows counts the rows that counted: those where Fires.Field holds the
	// value, or every row when the detection names no field.
	Rows int `json:"rows"`
	// Returned counts every row the rule returned.
	Returned int `json:"returned"`
	// Evidence holds the rows that counted, at most MaxEvidence.
	Evidence []Row  `json:"evidence,omitempty"`
	Window   Window `json:"-"`
}

// MaxEvidence is the most rows a Result keeps.
const MaxEvidence = 100

// Evaluate runs the bound detection's rule over the window once.
func Evaluate(ctx context.Context, src Source, b *Bound, w Window) (*Result, error) {
	var rows []Row
	switch b.Rule.Kind {
	case RuleInsights:
		res, err := src.Query(ctx, b.Telemetry, b.Text, w)
		if err != nil {
			return nil, fmt.Errorf("detection %s: run the Logs Insights query: %w", b.ID, err)
		}
		for _, r := range res {
			rows = append(rows, Row{Fields: r})
		}
	case RuleFilterPattern:
		events, err := src.FilterLogEvents(ctx, b.Telemetry, b.Text, w)
		if err != nil {
			return nil, fmt.Errorf("detection %s: filter log events: %w", b.ID, err)
		}
		for _, e := range events {
			rows = append(rows, Row{Message: e.Message, Fields: []Field{
				{"@timestamp", e.Timestamp.UTC().Format("2006-01-02 15:04:05.000")},
				{"@logStream", e.LogStream},
				{"@message", e.Message},
			}})
		}
	case RuleFindingCriteria:
		findings, err := src.Findings(ctx, b.Text, w)
		if err != nil {
			return nil, fmt.Errorf("detection %s: list findings: %w", b.ID, err)
		}
		for _, raw := range findings {
			rows = append(rows, findingRow(raw))
		}
	default:
		return nil, fmt.Errorf("detection %s: no rule", b.ID)
	}
	res := &Result{Returned: len(rows), Window: w}
	for _, r := range rows {
		if !b.counts(r) {
			continue
		}
		res.Rows++
		if len(res.Evidence) < MaxEvidence {
			res.Evidence = append(res.Evidence, r)
		}
	}
	res.Fired = res.Rows >= b.Fires.MinRows
	return res, nil
}

// counts reports whether a row counts towards firing.
func (b *Bound) counts(r Row) bool {
	if b.Fires.Field == "" {
		return true
	}
	for _, v := range b.fieldValues(r) {
		if b.Fires.HasValue {
			if v == b.FieldValue {
				return true
			}
		} else if v != "" {
			return true
		}
	}
	return false
}

// fieldValues reads Fires.Field from a row: an Insights column, a JSON
// path into an event's message (dots, with array indexes as numbers, as
// Insights names discovered fields), or a finding attribute path.
func (b *Bound) fieldValues(r Row) []string {
	field := b.Fires.Field
	switch b.Rule.Kind {
	case RuleInsights:
		if v, ok := r.Get(field); ok {
			return []string{v}
		}
		return nil
	case RuleFindingCriteria:
		f, err := findingcriteria.ParseFinding([]byte(r.Message))
		if err != nil {
			return nil
		}
		var out []string
		for _, v := range f.Values(field) {
			out = append(out, scalarText(v))
		}
		return out
	}
	if v, ok := r.Get(field); ok && strings.HasPrefix(field, "@") {
		return []string{v}
	}
	var doc any
	dec := json.NewDecoder(strings.NewReader(r.Message))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return nil
	}
	for _, seg := range strings.Split(field, ".") {
		switch n := doc.(type) {
		case map[string]any:
			doc = n[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(n) {
				return nil
			}
			doc = n[i]
		default:
			return nil
		}
	}
	switch doc.(type) {
	case nil, map[string]any, []any:
		return nil
	}
	return []string{scalarText(doc)}
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// findingRow summarises a finding for reports and keeps its JSON.
func findingRow(raw json.RawMessage) Row {
	r := Row{Message: string(raw)}
	f, err := findingcriteria.ParseFinding(raw)
	if err != nil {
		return r
	}
	for _, name := range []string{"id", "type", "severity", "resource.instanceDetails.instanceId", "service.action.dnsRequestAction.domain", "updatedAt"} {
		if vals := f.Values(name); len(vals) > 0 {
			r.Fields = append(r.Fields, Field{name, scalarText(vals[0])})
		}
	}
	return r
}

// findingUpdated is a finding's updatedAt.
func findingUpdated(f findingcriteria.Finding) (time.Time, bool) {
	for _, v := range f.Values("updatedAt") {
		if s, ok := v.(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}
