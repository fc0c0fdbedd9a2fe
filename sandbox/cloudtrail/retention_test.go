package cloudtrail

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestStoreRetention: records older than the retention (90 days by
// default, by the sandbox clock) are dropped, not only hidden.
func TestStoreRetention(t *testing.T) {
	f := newFixture(t, 0)
	start := f.clock.Now()
	f.svc.Record(rec("first", "us-east-1", "ec2.amazonaws.com", "RunInstances", start))
	f.svc.Record(rec("other-region", "eu-west-1", "ec2.amazonaws.com", "RunInstances", start))
	f.clock.Advance(89 * 24 * time.Hour)
	f.svc.Record(rec("second", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	if n := len(f.svc.Events("us-east-1")); n != 2 {
		t.Fatalf("after 89 days: %d records, want 2", n)
	}
	f.clock.Advance(2 * 24 * time.Hour)
	f.svc.Record(rec("third", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now()))
	var ids []string
	for _, ev := range f.svc.Events("us-east-1") {
		ids = append(ids, ev.EventID)
	}
	if strings.Join(ids, ",") != "second,third" {
		t.Fatalf("after 91 days: %v, want second,third", ids)
	}
	if n := len(f.svc.Events("eu-west-1")); n != 0 {
		t.Errorf("the other region kept %d expired records", n)
	}
	if st := f.svc.Stats(); st.Events != 2 || st.Expired != 2 || st.Evicted != 0 || st.Retention != DefaultRetention {
		t.Errorf("stats = %+v", st)
	}
}

// TestStoreCapEvictsOldestFirst: past MaxBytes, the oldest records go, in
// any region, and the newest stay.
func TestStoreCapEvictsOldestFirst(t *testing.T) {
	const maxBytes = 64 << 10
	f := newFixtureWith(t, Config{MaxBytes: maxBytes})
	at := f.clock.Now()
	for i := range 2000 {
		region := []string{"us-east-1", "eu-west-1"}[i%2]
		f.svc.Record(rec(fmt.Sprintf("e%04d", i), region, "ec2.amazonaws.com", "RunInstances", at.Add(time.Duration(i)*time.Second)))
	}
	st := f.svc.Stats()
	if st.Bytes > maxBytes || st.Events == 0 || st.Evicted == 0 || st.Events+st.Evicted != 2000 {
		t.Fatalf("stats = %+v, want at most %d bytes and the rest evicted", st, maxBytes)
	}
	// What is left is the newest records of both regions.
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		evs := f.svc.Events(region)
		if len(evs) == 0 {
			t.Fatalf("%s kept nothing", region)
		}
		if last := evs[len(evs)-1].EventID; last != "e1999" && last != "e1998" {
			t.Errorf("%s newest = %s", region, last)
		}
	}
	var total int
	oldestKept := "z"
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		evs := f.svc.Events(region)
		total += len(evs)
		oldestKept = min(oldestKept, evs[0].EventID)
	}
	if int64(total) != st.Events || oldestKept < fmt.Sprintf("e%04d", st.Evicted-2) {
		t.Errorf("kept %d records from %s; stats %+v", total, oldestKept, st)
	}
}

// TestStoreHeapIsBounded: 40,000 calls used to keep about 125 MB; with a
// 4 MiB cap the heap grows by a bounded amount.
func TestStoreHeapIsBounded(t *testing.T) {
	const maxBytes = 4 << 20
	f := newFixtureWith(t, Config{MaxBytes: maxBytes})
	params := `{"instanceType":"t2.nano","imageId":"ami-0c2b8ca1dad447f8a","` + strings.Repeat("x", 2000) + `":1}`
	before := heapInUse()
	at := f.clock.Now()
	for i := range 40000 {
		f.svc.Record(rec(fmt.Sprintf("ev-%d", i), "us-east-1", "ec2.amazonaws.com", "RunInstances", at.Add(time.Duration(i)*time.Millisecond), func(e *Event) { e.RequestParameters = []byte(params) }))
	}
	growth := heapInUse() - before
	if growth > 3*maxBytes {
		t.Fatalf("heap grew by %d MiB for a %d MiB cap (stats %+v)", growth>>20, maxBytes>>20, f.svc.Stats())
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
