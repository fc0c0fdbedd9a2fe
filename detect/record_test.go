package detect

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	ctx := context.Background()
	in := t.TempDir()
	attackFixture(t, in)
	writeFile(t, filepath.Join(in, "guardduty.jsonl"), `{"id": "a", "updatedAt": "2021-07-29T01:39:31.000Z"}
{"id": "b", "updatedAt": "2021-07-29T03:00:00.000Z"}
`)
	src, _ := OpenFixtures(in)
	out := filepath.Join(t.TempDir(), "rec")
	w := Window{Start: t0, End: t0.Add(10 * time.Second)}
	roles := []Role{RoleCloudTrail, RoleDNS, RoleGuardDuty}
	err := Record(ctx, src, out, roles, w, Recording{Description: "a test", Parameters: map[string]string{"attacker_ip": "203.0.113.99"}})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// No DNS file (the source has none) and no temporary files left over.
	if want := []string{"cloudtrail.jsonl", "guardduty.jsonl", "recording.yaml"}; !reflect.DeepEqual(names, want) {
		t.Errorf("files %v, want %v", names, want)
	}
	back, err := OpenFixtures(out)
	if err != nil {
		t.Fatal(err)
	}
	rec := back.Recording()
	if rec == nil || rec.Description != "a test" || rec.Parameters["attacker_ip"] != "203.0.113.99" || !rec.Start.Equal(w.Start) || !rec.End.Equal(w.End) ||
		rec.Counts[RoleCloudTrail] != 4 || rec.Counts[RoleGuardDuty] != 1 {
		t.Errorf("recording %+v", rec)
	}
	orig, _ := src.FilterLogEvents(ctx, RoleCloudTrail, "", w)
	again, _ := back.FilterLogEvents(ctx, RoleCloudTrail, "", Window{})
	if !reflect.DeepEqual(orig, again) {
		t.Errorf("events changed in the recording:\n%v\n%v", orig, again)
	}
	f, _ := back.Findings(ctx, `{}`, Window{})
	if len(f) != 1 || !strings.Contains(string(f[0]), `"id":"a"`) {
		t.Errorf("findings %s", f)
	}
	// Recording again over the same directory replaces the files whole.
	if err := Record(ctx, src, out, []Role{RoleCloudTrail}, Window{Start: t0, End: t0}, Recording{}); err != nil {
		t.Fatal(err)
	}
	back, _ = OpenFixtures(out)
	again, _ = back.FilterLogEvents(ctx, RoleCloudTrail, "", Window{})
	if len(again) != 1 {
		t.Errorf("re-recorded %d events, want 1", len(again))
	}
}
