package insights

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// testEvents builds events from messages; message i has @timestamp
// base + i seconds so later messages are newer.
func testEvents(msgs ...string) []*Event {
	const base = 1627524000000 // 2021-07-29 02:00:00 UTC
	evs := make([]*Event, len(msgs))
	for i, m := range msgs {
		evs[i] = NewEvent(EventInput{
			Timestamp: base + int64(i)*1000, IngestionTime: base + int64(i)*1000 + 500, Message: m,
			LogStream: "stream-" + fmt.Sprint(i%2), LogGroup: "999999999999:/test/group", Ptr: fmt.Sprintf("ptr-%d", i),
		})
	}
	return evs
}

func runQuery(t *testing.T, query string, evs []*Event, opts ...RunOptions) *Result {
	t.Helper()
	q, err := Parse(query)
	if err != nil {
		t.Fatalf("Parse(%q): %v", query, err)
	}
	var o RunOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	res, err := q.Run(context.Background(), evs, o)
	if err != nil {
		t.Fatalf("Run(%q): %v", query, err)
	}
	return res
}

// rowsText renders rows as "f=v f=v; f=v" for compact comparisons.
func rowsText(rows [][]ResultField) string {
	var parts []string
	for _, r := range rows {
		var fs []string
		for _, f := range r {
			fs = append(fs, f.Field+"="+f.Value)
		}
		parts = append(parts, strings.Join(fs, " "))
	}
	return strings.Join(parts, "; ")
}

// column returns the values of one field, "<absent>" where missing.
func column(rows [][]ResultField, field string) []string {
	var out []string
	for _, r := range rows {
		v := "<absent>"
		for _, f := range r {
			if f.Field == field {
				v = f.Value
			}
		}
		out = append(out, v)
	}
	return out
}

func runError(query string, evs []*Event) error {
	q, err := Parse(query)
	if err != nil {
		return err
	}
	_, err = q.Run(context.Background(), evs, RunOptions{})
	return err
}
