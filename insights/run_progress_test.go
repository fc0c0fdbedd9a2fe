package insights

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestRunReportsProgress: the Progress deltas of a run add up to its final
// statistics.
func TestRunReportsProgress(t *testing.T) {
	q, err := Parse(`filter @message like /even/ | fields @message`)
	if err != nil {
		t.Fatal(err)
	}
	var events []*Event
	for i := range 20000 {
		kind := "odd"
		if i%2 == 0 {
			kind = "even"
		}
		events = append(events, NewEvent(EventInput{Timestamp: int64(i), IngestionTime: int64(i), Message: fmt.Sprintf("%s %d", kind, i), LogStream: "s", LogGroup: "g"}))
	}
	var mu sync.Mutex
	var sum Statistics
	calls := 0
	res, err := q.Run(context.Background(), events, RunOptions{Workers: 2, Progress: func(d Statistics) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		sum.RecordsScanned += d.RecordsScanned
		sum.RecordsMatched += d.RecordsMatched
		sum.BytesScanned += d.BytesScanned
	}})
	if err != nil {
		t.Fatal(err)
	}
	if sum != res.Statistics || calls < 4 {
		t.Fatalf("progress summed to %+v in %d calls, final statistics %+v", sum, calls, res.Statistics)
	}
}
