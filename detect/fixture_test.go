package detect

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFixtureSource(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	attackFixture(t, dir)
	src, err := OpenFixtures(dir)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := src.Query(ctx, RoleCloudTrail, `filter errorCode = "AccessDenied" | fields eventName`, Window{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != (Field{"eventName", "CreateUser"}) || rows[1][0] != (Field{"eventName", "ListUsers"}) { // newest first, as Insights sorts
		t.Errorf("Query rows %v", rows)
	}
	// The window bounds both ends, inclusively.
	rows, _ = src.Query(ctx, RoleCloudTrail, `fields eventName`, Window{Start: t0.Add(time.Second), End: t0.Add(3 * time.Second)})
	if len(rows) != 3 {
		t.Errorf("windowed Query: %d rows, want 3", len(rows))
	}
	events, err := src.FilterLogEvents(ctx, RoleCloudTrail, "AccessDenied", Window{End: t0})
	if err != nil || len(events) != 1 || !events[0].Timestamp.Equal(t0) || !strings.Contains(events[0].Message, "ListUsers") {
		t.Errorf("FilterLogEvents = %v, %v", events, err)
	}
	all, _ := src.FilterLogEvents(ctx, RoleCloudTrail, "", Window{})
	if len(all) != 5 {
		t.Errorf("FilterLogEvents with no pattern: %d events, want 5", len(all))
	}
	if src.Has(RoleDNS) || !src.Has(RoleCloudTrail) {
		t.Error("Has")
	}
	_, err = src.Query(ctx, RoleDNS, "fields @message", Window{})
	if !errors.Is(err, ErrNoTelemetry) || !strings.Contains(err.Error(), "no DNS query logs (dns.jsonl)") {
		t.Errorf("missing role file: %v", err)
	}
	if _, err := src.Findings(ctx, `{}`, Window{}); !errors.Is(err, ErrNoTelemetry) {
		t.Errorf("missing findings: %v", err)
	}
}

func TestFixtureErrors(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, content, want string
	}{
		{"not JSON", `{"timestamp": 1, "message": "a"}` + "\n\nnope\n", "cloudtrail.jsonl:3: want an event"},
		{"unknown key", `{"timestamp": 1, "message": "a", "msg": "b"}`, `cloudtrail.jsonl:1: want an event {"timestamp": <epoch ms>, "message": "…"}: json: unknown field "msg"`},
		{"no message", `{"timestamp": 1}`, "cloudtrail.jsonl:1: the event has no message"},
		{"no timestamp", `{"message": "a"}`, "cloudtrail.jsonl:1: the event has no timestamp"},
		{"bad timestamp", `{"timestamp": "yesterday", "message": "a"}`, `timestamp "yesterday" is neither epoch milliseconds nor an RFC 3339 time`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "cloudtrail.jsonl"), tt.content)
			src, err := OpenFixtures(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.FilterLogEvents(ctx, RoleCloudTrail, "", Window{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "guardduty.jsonl"), `{"type": "x"}`)
	src, _ := OpenFixtures(dir)
	if _, err := src.Findings(ctx, `{}`, Window{}); err == nil || !strings.Contains(err.Error(), "guardduty.jsonl:1: the finding has no id") {
		t.Errorf("finding without id: %v", err)
	}
	if _, err := OpenFixtures(filepath.Join(dir, "missing")); err == nil {
		t.Error("OpenFixtures of a missing directory")
	}
	writeFile(t, filepath.Join(dir, RecordingFile), "recording:\n  descripton: typo\n")
	if _, err := OpenFixtures(dir); err == nil || !strings.Contains(err.Error(), "descripton") {
		t.Errorf("bad manifest: %v", err)
	}
}

func TestFixtureTimestamps(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "dns.jsonl"), `{"timestamp": "2021-07-29T01:39:31Z", "message": "b"}
{"timestamp": 1627522770000, "ingestionTime": "2021-07-29T01:44:30Z", "message": "a", "logStream": "s"}
`)
	src, _ := OpenFixtures(dir)
	events, err := src.FilterLogEvents(context.Background(), RoleDNS, "", Window{})
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by time; RFC 3339 and epoch ms both read.
	if len(events) != 2 || events[0].Message != "a" || !events[0].Timestamp.Equal(t0) || !events[1].Timestamp.Equal(t0.Add(time.Second)) ||
		!events[0].IngestionTime.Equal(t0.Add(5*time.Minute)) || events[0].LogStream != "s" || !events[1].IngestionTime.Equal(events[1].Timestamp) {
		t.Errorf("events %+v", events)
	}
}

func TestFixtureFindings(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "guardduty.jsonl"),
		`{"id":"a","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":8,"updatedAt":"2021-07-29T01:45:00.000Z"}
{"id":"b","type":"Recon:EC2/PortProbeUnprotectedPort","severity":2,"updatedAt":"2021-07-29T01:46:00.000Z"}
{"id":"c","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":8}
`)
	src, _ := OpenFixtures(dir)
	ctx := context.Background()
	crit := `{"Criterion":{"type":{"Eq":["CryptoCurrency:EC2/BitcoinTool.B!DNS"]}}}`
	got, err := src.Findings(ctx, crit, Window{})
	if err != nil || len(got) != 2 {
		t.Fatalf("Findings = %d, %v; want a and c", len(got), err)
	}
	// In a window, a finding counts when it was updated in it; one without
	// updatedAt never does.
	got, _ = src.Findings(ctx, crit, Window{Start: t0, End: t0.Add(time.Hour)})
	if len(got) != 1 || !strings.Contains(string(got[0]), `"id":"a"`) {
		t.Errorf("windowed Findings = %s", got)
	}
	got, _ = src.Findings(ctx, `{"Criterion":{"severity":{"Lt":5}}}`, Window{})
	if len(got) != 1 || !strings.Contains(string(got[0]), `"id":"b"`) {
		t.Errorf("severity Findings = %s", got)
	}
	if _, err := src.Findings(ctx, `{"Criterion":{"nope":{"Eq":["x"]}}}`, Window{}); err == nil {
		t.Error("bad criteria accepted")
	}
}
