package simulate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJournal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	j, err := OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := Resource{Kind: KindUser, ID: "u"}
	k := Resource{Kind: KindAccessKey, ID: "AKIA1", Attrs: map[string]string{"user": "u"}}
	for _, e := range []Entry{{Type: EntryState, State: StateWarming}, {Type: EntryIntent, Resource: &u}, {Type: EntryCreated, Resource: &u},
		{Type: EntryCreated, Resource: &k}, {Type: EntryState, State: StateDetonated}, {Type: EntryCall, Call: &Call{Service: "EC2", Operation: "DescribeVpcs"}},
		{Type: EntryDeleted, Resource: &k}} {
		if err := j.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	// A crash in the middle of a line.
	f, _ := os.OpenFile(filepath.Join(dir, SimulateJournal), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"seq":8,"type":"crea`)
	f.Close()
	entries, err := ReadJournal(filepath.Join(dir, SimulateJournal))
	if err != nil || len(entries) != 7 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	s := Summarize(entries)
	if s.State != StateDetonated || len(s.Live) != 1 || s.Live[0].ID != "u" || len(s.Calls) != 1 || s.Closed || s.FirstCall.IsZero() {
		t.Errorf("summary %+v", s)
	}
	// Reopened, the journal goes on after the cut line.
	j, err = OpenJournal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(Entry{Type: EntryClosed}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	entries, err = ReadJournal(filepath.Join(dir, SimulateJournal))
	if err != nil || len(entries) != 8 || entries[7].Seq != 8 || entries[7].Type != EntryClosed {
		t.Fatalf("after reopening: %d entries, %v", len(entries), err)
	}
	// A bad line in the middle is an error naming it.
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte("{\"seq\":1}\nnot json\n{\"seq\":3}\n"), 0o600)
	if _, err := ReadJournal(filepath.Join(dir, "bad.jsonl")); err == nil || !strings.Contains(err.Error(), "bad.jsonl:2:") {
		t.Errorf("bad line: %v", err)
	}
	if st, _ := os.Stat(filepath.Join(dir, SimulateJournal)); st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v", st.Mode())
	}
}
