package simulate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// The state folder's layout, shared with the response journal of respond/:
//
//	<state>/runs/<run-id>/run.json        what the run is (RunInfo), written once
//	<state>/runs/<run-id>/simulate.jsonl  this package's journal, one Entry a line
//	<state>/runs/<run-id>/respond.jsonl   respond/'s journal
//	<state>/targets/<target>/lab.json     the lab's saved leaked key (package target)
const (
	RunsDir         = "runs"
	RunInfoFile     = "run.json"
	SimulateJournal = "simulate.jsonl"
	RespondJournal  = "respond.jsonl"
)

// RunDir is the folder of a run.
func RunDir(stateDir, runID string) string { return filepath.Join(stateDir, RunsDir, runID) }

// RunInfo describes a run; it is written when the run starts.
type RunInfo struct {
	ID        string            `json:"id"`
	Technique string            `json:"technique"`
	Target    string            `json:"target"`
	TargetKey string            `json:"targetKey,omitempty"`
	Ephemeral bool              `json:"ephemeral,omitempty"`
	Account   string            `json:"account"`
	Region    string            `json:"region"`
	Params    map[string]string `json:"params"`
	Started   time.Time         `json:"started"`
	PID       int               `json:"pid"`
}

// EntryType is what a journal line records.
type EntryType string

const (
	// EntryState: the run moved to State.
	EntryState EntryType = "state"
	// EntryIntent: Resource is about to be created (written before the
	// call, so that a crash in between is still cleaned up).
	EntryIntent EntryType = "intent"
	// EntryCreated: Resource exists.
	EntryCreated EntryType = "created"
	// EntryDeleted: Resource is gone.
	EntryDeleted EntryType = "deleted"
	// EntryCall: an attacker call and its outcome.
	EntryCall EntryType = "call"
	// EntryError: a phase failed.
	EntryError EntryType = "error"
	// EntryClosed: cleanup finished and nothing is left; nothing follows.
	EntryClosed EntryType = "closed"
)

// State is where a run is in its lifecycle.
type State string

const (
	StateCold       State = "cold"
	StateWarming    State = "warming"
	StateWarm       State = "warm"
	StateDetonating State = "detonating"
	StateDetonated  State = "detonated"
	StateReverting  State = "reverting"
	StateReverted   State = "reverted"
	StateCleaning   State = "cleaning"
	StateCleaned    State = "cleaned"
)

// Resource is something a run made (or changed, for kinds whose removal
// is an undo).
type Resource struct {
	Kind   string            `json:"kind"`
	ID     string            `json:"id"`
	Region string            `json:"region,omitempty"`
	Attrs  map[string]string `json:"attrs,omitempty"`
}

func (r Resource) key() string { return r.Kind + "\x00" + r.Region + "\x00" + r.ID }

func (r Resource) String() string {
	if r.Region != "" {
		return fmt.Sprintf("%s %s (%s)", r.Kind, r.ID, r.Region)
	}
	return r.Kind + " " + r.ID
}

// Call is one attacker call as the run made it.
type Call struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Identity  string `json:"identity,omitempty"`
	SourceIP  string `json:"sourceIp,omitempty"`
	UserAgent string `json:"userAgent,omitempty"`
	// ErrorCode is empty for a call that succeeded.
	ErrorCode string `json:"errorCode,omitempty"`
}

// Entry is one journal line.
type Entry struct {
	Seq      int       `json:"seq"`
	Time     time.Time `json:"time"`
	Type     EntryType `json:"type"`
	State    State     `json:"state,omitempty"`
	Resource *Resource `json:"resource,omitempty"`
	Call     *Call     `json:"call,omitempty"`
	Message  string    `json:"message,omitempty"`
}

// Journal appends entries to a run's simulate.jsonl, each synced to disk
// before Append returns.
type Journal struct {
	mu   sync.Mutex
	f    *os.File
	seq  int
	path string
	now  func() time.Time
}

// OpenJournal opens (creating if need be) the journal in dir for
// appending; the sequence continues after the last readable entry.
func OpenJournal(dir string, now func() time.Time) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	path := filepath.Join(dir, SimulateJournal)
	entries, err := ReadJournal(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	j := &Journal{f: f, path: path, now: now}
	if n := len(entries); n > 0 {
		j.seq = entries[n-1].Seq
	}
	// A line cut short by a crash was never acknowledged (Append had not
	// returned): drop it, so the next entry starts on a line of its own.
	if data, err := os.ReadFile(path); err == nil && len(data) > 0 && data[len(data)-1] != '\n' {
		if err := f.Truncate(int64(bytes.LastIndexByte(data, '\n') + 1)); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s: drop the cut last line: %w", path, err)
		}
	}
	return j, nil
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Append writes an entry and syncs it.
func (j *Journal) Append(e Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	if e.Time.IsZero() {
		e.Time = j.now().UTC()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: sync: %w", j.path, err)
	}
	return nil
}

// Close closes the file.
func (j *Journal) Close() error { return j.f.Close() }

// ReadJournal reads a journal. A last line cut short by a crash is
// skipped; a bad line elsewhere is an error naming it.
func ReadJournal(path string) ([]Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	lines := 0
	var pendingErr error
	for sc.Scan() {
		lines++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if pendingErr != nil {
			return nil, pendingErr
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			pendingErr = fmt.Errorf("journal %s:%d: %w", path, lines, err)
			continue
		}
		out = append(out, e)
	}
	return out, sc.Err()
}

// Summary is a journal read back: where the run is and what still exists.
type Summary struct {
	State  State
	Closed bool
	// Live are the resources created (or intended) and not yet deleted,
	// in the order they were made.
	Live []Resource
	// Intents are intended resources never confirmed as created.
	Calls []Call
	// FirstCall and LastCall bound the attacker's calls.
	FirstCall, LastCall time.Time
	LastError           string
}

// Summarize folds a journal's entries.
func Summarize(entries []Entry) Summary {
	s := Summary{State: StateCold}
	order := []string{}
	live := map[string]Resource{}
	for _, e := range entries {
		switch e.Type {
		case EntryState:
			s.State = e.State
		case EntryIntent, EntryCreated:
			if e.Resource == nil {
				continue
			}
			k := e.Resource.key()
			if _, ok := live[k]; !ok {
				order = append(order, k)
			}
			live[k] = *e.Resource
		case EntryDeleted:
			if e.Resource != nil {
				delete(live, e.Resource.key())
			}
		case EntryCall:
			if e.Call != nil {
				s.Calls = append(s.Calls, *e.Call)
				if s.FirstCall.IsZero() {
					s.FirstCall = e.Time
				}
				s.LastCall = e.Time
			}
		case EntryError:
			s.LastError = e.Message
		case EntryClosed:
			// Closed means nothing of the run exists any more (cleaned
			// up, or gone with an embedded sandbox).
			s.Closed = true
			live = map[string]Resource{}
		}
	}
	for _, k := range order {
		if r, ok := live[k]; ok {
			s.Live = append(s.Live, r)
		}
	}
	return s
}

// RunRecord is a run found in the state folder.
type RunRecord struct {
	Info    RunInfo
	Summary Summary
	Dir     string
}

// ListRuns reads every run in the state folder, newest first.
func ListRuns(stateDir string) ([]RunRecord, error) {
	dirs, err := os.ReadDir(filepath.Join(stateDir, RunsDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []RunRecord
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		rec, err := LoadRun(stateDir, d.Name())
		if err != nil {
			continue
		}
		out = append(out, rec)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Info.Started.After(out[j].Info.Started) })
	return out, nil
}

// LoadRun reads one run's info and journal.
func LoadRun(stateDir, runID string) (RunRecord, error) {
	dir := RunDir(stateDir, runID)
	data, err := os.ReadFile(filepath.Join(dir, RunInfoFile))
	if err != nil {
		return RunRecord{}, fmt.Errorf("run %s: %w", runID, err)
	}
	var info RunInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return RunRecord{}, fmt.Errorf("run %s: %s: %w", runID, RunInfoFile, err)
	}
	entries, err := ReadJournal(filepath.Join(dir, SimulateJournal))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return RunRecord{}, err
	}
	return RunRecord{Info: info, Summary: Summarize(entries), Dir: dir}, nil
}

func writeRunInfo(dir string, info RunInfo) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+RunInfoFile+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
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
	return os.Rename(tmp, filepath.Join(dir, RunInfoFile))
}
