package detect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/irdrill/irdrill/filterpattern"
	"github.com/irdrill/irdrill/findingcriteria"
	"github.com/irdrill/irdrill/insights"
)

// RecordingFile is the manifest a fixture directory may hold: what was
// recorded, over which window, and the run's parameter values.
const RecordingFile = "recording.yaml"

// Recording describes a fixture directory.
type Recording struct {
	// Description says what was recorded (the technique, the target).
	Description string `yaml:"description,omitempty"`
	// Start and End are the recorded window; test cases over the fixtures
	// evaluate detections in it unless they give their own.
	Start time.Time `yaml:"start,omitempty"`
	End   time.Time `yaml:"end,omitempty"`
	// Parameters are the run's values (attacker_ip, access_key_id, …),
	// which bind detections over these fixtures.
	Parameters map[string]string `yaml:"parameters,omitempty"`
	// Counts is how many events or findings each role's file holds.
	Counts map[Role]int `yaml:"counts,omitempty"`
}

type recordingFile struct {
	Recording Recording `yaml:"recording"`
}

// Window is the recorded window.
func (r *Recording) Window() Window {
	if r == nil {
		return Window{}
	}
	return Window{Start: r.Start, End: r.End}
}

// fixtureEvent is one line of a log role's JSON-lines file: a CloudWatch
// Logs event. timestamp and ingestionTime are epoch milliseconds, as
// CloudWatch Logs gives them, or RFC 3339 strings.
type fixtureEvent struct {
	Timestamp     json.RawMessage `json:"timestamp"`
	IngestionTime json.RawMessage `json:"ingestionTime,omitempty"`
	LogStream     string          `json:"logStream,omitempty"`
	Message       *string         `json:"message"`
}

// FixtureSource is a Source over a fixture directory: one JSON-lines file
// per role (cloudtrail.jsonl, vpc-flow.jsonl, dns.jsonl: one event per line;
// guardduty.jsonl: one finding per line), evaluated in process by the
// insights, filterpattern and findingcriteria engines. It is safe for
// concurrent use.
type FixtureSource struct {
	dir       string
	recording *Recording

	mu       sync.Mutex
	logs     map[Role]*fixtureLog
	findings *fixtureFindings
}

type fixtureLog struct {
	events  []Event
	indexed []*insights.Event
	err     error
}

type fixtureFindings struct {
	raw  []json.RawMessage
	docs []findingcriteria.Finding
	err  error
}

// OpenFixtures opens a fixture directory. Role files are read when first
// used; a missing file is an error naming the role then.
func OpenFixtures(dir string) (*FixtureSource, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open fixtures: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("open fixtures: %s is not a directory", dir)
	}
	s := &FixtureSource{dir: dir, logs: map[Role]*fixtureLog{}}
	rec, err := ReadRecording(filepath.Join(dir, RecordingFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		s.recording = rec
	}
	return s, nil
}

// ReadRecording reads a recording manifest.
func ReadRecording(path string) (*Recording, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rf recordingFile
	if err := yaml.UnmarshalWithOptions(data, &rf, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s: %s", path, strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return &rf.Recording, nil
}

// Dir is the fixture directory.
func (s *FixtureSource) Dir() string { return s.dir }

// Recording is the directory's manifest, or nil.
func (s *FixtureSource) Recording() *Recording { return s.recording }

// Has reports whether the directory holds the role's file.
func (s *FixtureSource) Has(r Role) bool {
	_, err := os.Stat(filepath.Join(s.dir, r.FixtureFile()))
	return err == nil
}

func (s *FixtureSource) log(r Role) (*fixtureLog, error) {
	if !r.IsLog() {
		return nil, fmt.Errorf("%s is not a log role", r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.logs[r]; ok {
		return l, l.err
	}
	l := &fixtureLog{}
	l.events, l.err = readEvents(filepath.Join(s.dir, r.FixtureFile()), r)
	if l.err == nil {
		group := "000000000000:fixtures/" + string(r)
		for i, e := range l.events {
			l.indexed = append(l.indexed, insights.NewEvent(insights.EventInput{
				Timestamp:     e.Timestamp.UnixMilli(),
				IngestionTime: e.IngestionTime.UnixMilli(),
				Message:       e.Message,
				LogStream:     e.LogStream,
				LogGroup:      group,
				Ptr:           fmt.Sprintf("%s/%d", r, i),
			}))
		}
	}
	s.logs[r] = l
	return l, l.err
}

func readEvents(path string, r Role) ([]Event, error) {
	var events []Event
	err := readLines(path, r, func(line []byte) error {
		var fe fixtureEvent
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fe); err != nil {
			return fmt.Errorf("want an event {\"timestamp\": <epoch ms>, \"message\": \"…\"}: %v", err)
		}
		if fe.Message == nil {
			return errors.New("the event has no message")
		}
		ts, err := fixtureTime(fe.Timestamp, "timestamp", true)
		if err != nil {
			return err
		}
		ing, err := fixtureTime(fe.IngestionTime, "ingestionTime", false)
		if err != nil {
			return err
		}
		if ing.IsZero() {
			ing = ts
		}
		events = append(events, Event{Timestamp: ts, IngestionTime: ing, LogStream: fe.LogStream, Message: *fe.Message})
		return nil
	})
	sort.SliceStable(events, func(i, j int) bool { return events[i].Timestamp.Before(events[j].Timestamp) })
	return events, err
}

func fixtureTime(raw json.RawMessage, name string, required bool) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return time.Time{}, fmt.Errorf("the event has no %s", name)
		}
		return time.Time{}, nil
	}
	var ms int64
	if err := json.Unmarshal(raw, &ms); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s %s is neither epoch milliseconds nor an RFC 3339 time", name, raw)
}

// readLines calls fn for each non-blank line, and reports errors as
// path:line.
func readLines(path string, r Role, fn func([]byte) error) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: the fixtures in %s have no %s (%s)", ErrNoTelemetry, filepath.Dir(path), r.Telemetry(), filepath.Base(path))
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s:%d: %w", path, n+1, err)
	}
	return nil
}

func (s *FixtureSource) loadFindings() (*fixtureFindings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findings != nil {
		return s.findings, s.findings.err
	}
	ff := &fixtureFindings{}
	ff.err = readLines(filepath.Join(s.dir, RoleGuardDuty.FixtureFile()), RoleGuardDuty, func(line []byte) error {
		f, err := findingcriteria.ParseFinding(line)
		if err != nil {
			return err
		}
		if _, ok := f.Doc()["id"].(string); !ok {
			return errors.New("the finding has no id")
		}
		ff.raw = append(ff.raw, json.RawMessage(bytes.Clone(line)))
		ff.docs = append(ff.docs, f)
		return nil
	})
	s.findings = ff
	return ff, ff.err
}

// Query implements Source with the insights engine.
func (s *FixtureSource) Query(ctx context.Context, r Role, query string, w Window) ([][]Field, error) {
	q, err := insights.Parse(query)
	if err != nil {
		return nil, err
	}
	l, err := s.log(r)
	if err != nil {
		return nil, err
	}
	var events []*insights.Event
	for i, e := range l.events {
		if w.Contains(e.Timestamp) {
			events = append(events, l.indexed[i])
		}
	}
	opts := insights.RunOptions{QueryStart: w.Start, QueryEnd: w.End, Now: w.End, Workers: 1}
	res, err := q.Run(ctx, events, opts)
	if err != nil {
		return nil, err
	}
	out := make([][]Field, len(res.Rows))
	for i, row := range res.Rows {
		fields := make([]Field, len(row))
		for j, f := range row {
			fields[j] = Field{f.Field, f.Value}
		}
		out[i] = fields
	}
	return out, nil
}

// FilterLogEvents implements Source with the filterpattern engine.
func (s *FixtureSource) FilterLogEvents(ctx context.Context, r Role, pattern string, w Window) ([]Event, error) {
	p, err := filterpattern.Parse(pattern)
	if err != nil {
		return nil, err
	}
	l, err := s.log(r)
	if err != nil {
		return nil, err
	}
	var out []Event
	for _, e := range l.events {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if w.Contains(e.Timestamp) && p.Match(e.Message) {
			out = append(out, e)
		}
	}
	return out, nil
}

// Findings implements Source with the findingcriteria engine.
func (s *FixtureSource) Findings(ctx context.Context, criteria string, w Window) ([]json.RawMessage, error) {
	c, err := findingcriteria.Parse([]byte(criteria))
	if err != nil {
		return nil, err
	}
	ff, err := s.loadFindings()
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for i, f := range ff.docs {
		if !c.Match(f) {
			continue
		}
		if !w.Start.IsZero() || !w.End.IsZero() {
			t, ok := findingUpdated(f)
			if !ok || !w.Contains(t) {
				continue
			}
		}
		out = append(out, ff.raw[i])
	}
	return out, ctx.Err()
}
