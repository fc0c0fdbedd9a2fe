package detect

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/goccy/go-yaml"
)

// Record writes the source's telemetry for the roles in the window as a
// fixture directory (created if need be): one JSON-lines file per role and
// the manifest, recording.yaml, with rec's description and parameters, the
// window and the counts. Files are written whole and renamed into place, so
// an interrupted recording leaves the previous files as they were. A role
// the source has no telemetry for (ErrNoTelemetry) is left out of the
// directory and of the manifest's counts.
func Record(ctx context.Context, src Source, dir string, roles []Role, w Window, rec Recording) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	rec.Start, rec.End = w.Start, w.End
	rec.Counts = map[Role]int{}
	for _, r := range roles {
		n, err := recordRole(ctx, src, dir, r, w)
		if errors.Is(err, ErrNoTelemetry) {
			continue
		}
		if err != nil {
			return fmt.Errorf("record %s: %w", r, err)
		}
		rec.Counts[r] = n
	}
	data, err := yaml.MarshalWithOptions(recordingFile{Recording: rec}, yaml.Indent(2))
	if err != nil {
		return fmt.Errorf("record: %w", err)
	}
	header := []byte("# A fixture directory for `irdrill detect test`, written by detect.Record.\n")
	return writeFileAtomic(filepath.Join(dir, RecordingFile), append(header, data...))
}

func recordRole(ctx context.Context, src Source, dir string, r Role, w Window) (int, error) {
	var lines [][]byte
	if r.IsLog() {
		events, err := src.FilterLogEvents(ctx, r, "", w)
		if err != nil {
			return 0, err
		}
		for _, e := range events {
			line, err := json.Marshal(eventLine(e))
			if err != nil {
				return 0, err
			}
			lines = append(lines, line)
		}
	} else {
		findings, err := src.Findings(ctx, `{"criterion":{}}`, w)
		if err != nil {
			return 0, err
		}
		for _, f := range findings {
			line, err := compactJSON(f)
			if err != nil {
				return 0, err
			}
			lines = append(lines, line)
		}
	}
	f, err := os.CreateTemp(dir, "."+r.FixtureFile()+".*")
	if err != nil {
		return 0, err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	bw := bufio.NewWriter(f)
	for _, l := range lines {
		bw.Write(l)
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	return len(lines), os.Rename(tmp, filepath.Join(dir, r.FixtureFile()))
}

type eventJSON struct {
	Timestamp     int64  `json:"timestamp"`
	IngestionTime int64  `json:"ingestionTime,omitempty"`
	LogStream     string `json:"logStream,omitempty"`
	Message       string `json:"message"`
}

func eventLine(e Event) eventJSON {
	ej := eventJSON{Timestamp: e.Timestamp.UnixMilli(), LogStream: e.LogStream, Message: e.Message}
	if !e.IngestionTime.IsZero() {
		ej.IngestionTime = e.IngestionTime.UnixMilli()
	}
	return ej
}

func compactJSON(raw json.RawMessage) ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return nil, fmt.Errorf("finding is not JSON: %w", err)
	}
	return b.Bytes(), nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
