package detect

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Window is a span of telemetry time, both ends inclusive. A zero Start or
// End leaves that side open.
type Window struct {
	Start, End time.Time
}

// Contains reports whether t is in the window.
func (w Window) Contains(t time.Time) bool {
	return (w.Start.IsZero() || !t.Before(w.Start)) && (w.End.IsZero() || !t.After(w.End))
}

func (w Window) String() string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "…"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return f(w.Start) + " – " + f(w.End)
}

// Event is one CloudWatch Logs event.
type Event struct {
	Timestamp     time.Time
	IngestionTime time.Time
	Message       string
	LogStream     string
}

// Field is one field of an Insights result row.
type Field struct {
	Name, Value string
}

// Source is where detections read telemetry: a log group per role (Logs
// Insights queries and filter patterns) and GuardDuty's findings.
type Source interface {
	// Query runs a Logs Insights query over the role's log group in the
	// window and returns the result rows, as GetQueryResults gives them.
	Query(ctx context.Context, role Role, query string, w Window) ([][]Field, error)
	// FilterLogEvents returns the role's events in the window that match
	// the filter pattern (every event for the empty pattern), oldest first.
	FilterLogEvents(ctx context.Context, role Role, pattern string, w Window) ([]Event, error)
	// Findings returns the findings that match the criteria JSON and were
	// updated in the window, in GuardDuty's wire JSON (camelCase).
	Findings(ctx context.Context, criteria string, w Window) ([]json.RawMessage, error)
}

// Row is one result of a rule: an Insights row, a log event, or a
// finding.
type Row struct {
	// Fields are the Insights result fields; for events, @timestamp,
	// @logStream and @message; for findings, id, type, severity, the
	// resource's instance ID when there is one, and updatedAt.
	Fields []Field `json:"fields"`
	// Message is the event's message or the finding's JSON; empty for
	// Insights rows.
	Message string `json:"message,omitempty"`
}

// Get returns the named field's value.
func (r Row) Get(name string) (string, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

func (r Row) String() string {
	var parts []string
	ts, isEvent := r.Get("@timestamp")
	for _, f := range r.Fields {
		switch f.Name {
		case "@ptr", "@message", "@logStream", "@timestamp":
			continue
		}
		parts = append(parts, f.Name+"="+f.Value)
	}
	if isEvent && r.Message != "" {
		return ts + " " + r.Message
	}
	if len(parts) == 0 {
		return r.Message
	}
	return strings.Join(parts, " ")
}

// ErrNoTelemetry is wrapped by sources asked for a role they do not have.
var ErrNoTelemetry = errors.New("no telemetry")
