package logs

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"time"

	"github.com/irdrill/irdrill/insights"
)

// Query statuses, as GetQueryResults and DescribeQueries spell them.
const (
	statusScheduled = "Scheduled"
	statusRunning   = "Running"
	statusComplete  = "Complete"
	statusFailed    = "Failed"
	statusCancelled = "Cancelled"
	statusTimeout   = "Timeout"
)

// DefaultQueryResultsMaxBytes bounds what completed queries' results take
// by default; past it the oldest completed results are evicted first.
const DefaultQueryResultsMaxBytes = 256 << 20

// query is one StartQuery. The fields above mu are fixed at start.
type query struct {
	id          string
	region      string
	account     string
	queryString string
	groups      []string
	created     time.Time
	userARN     string
	parsed      *insights.Query
	window      [2]int64 // [from, to) epoch milliseconds
	opts        insights.RunOptions
	cancel      context.CancelFunc
	ctx         context.Context
	// done is closed when the query has finished, whatever its end.
	done chan struct{}

	mu       sync.Mutex
	status   string
	progress insights.Statistics // of a running query
	result   *insights.Result
	finished time.Time // wall time; orders eviction
	size     int64     // bytes of the result rows

	// counted is set, under Service.qmu, once size is counted against the
	// results cap.
	counted bool
}

func (q *query) snapshot() (status string, stats insights.Statistics, res *insights.Result) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.result != nil {
		return q.status, q.result.Statistics, q.result
	}
	return q.status, q.progress, nil
}

func (q *query) ended() bool {
	select {
	case <-q.done:
		return true
	default:
		return false
	}
}

// scheduler runs queries on a bounded number of slots; the rest wait
// Scheduled, holding nothing but their parameters.
type scheduler struct {
	slots chan struct{}
}

func newScheduler(n int) *scheduler {
	if n <= 0 {
		n = max(2, runtime.GOMAXPROCS(0))
	}
	return &scheduler{slots: make(chan struct{}, n)}
}

// run waits for a slot, gathers the query's events as they are then and
// runs it, reporting progress as it scans.
func (s *Service) run(q *query) {
	defer close(q.done)
	defer q.cancel()
	select {
	case s.sched.slots <- struct{}{}:
	case <-q.ctx.Done():
		s.finish(q, nil, q.ctx.Err())
		return
	}
	defer func() { <-s.sched.slots }()
	q.mu.Lock()
	if q.status != statusScheduled { // stopped while it waited
		q.mu.Unlock()
		s.finish(q, nil, context.Canceled)
		return
	}
	q.status = statusRunning
	q.mu.Unlock()

	events := s.gather(q)
	opts := q.opts
	hook := s.cfg.QueryProgressHook
	opts.Progress = func(d insights.Statistics) {
		q.mu.Lock()
		q.progress.RecordsScanned += d.RecordsScanned
		q.progress.RecordsMatched += d.RecordsMatched
		q.progress.BytesScanned += d.BytesScanned
		q.mu.Unlock()
		if hook != nil {
			hook(q.id)
		}
	}
	res, err := q.parsed.Run(q.ctx, events, opts)
	s.finish(q, res, err)
}

// gather collects the events of the query's groups and window.
func (s *Service) gather(q *query) []*insights.Event {
	now := s.now()
	var events []*insights.Event
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, name := range q.groups {
		g := s.groupLocked(q.region, name)
		if g == nil {
			continue // deleted since StartQuery
		}
		from := max(q.window[0], g.cutoff(now))
		for _, st := range g.streams {
			i, j := st.lowerBound(from, 0), st.lowerBound(q.window[1], 0)
			for _, e := range st.events[i:max(i, j)] {
				events = append(events, e.ev)
			}
		}
	}
	return events
}

// finish records a query's end and keeps its results within the cap.
func (s *Service) finish(q *query, res *insights.Result, err error) {
	q.mu.Lock()
	switch {
	case q.status == statusCancelled:
		// StopQuery answered first; a result that raced it is dropped.
		res = nil
	case err == nil:
		q.status, q.result = statusComplete, res
	case errors.Is(err, context.DeadlineExceeded):
		q.status = statusTimeout
	case errors.Is(err, context.Canceled):
		q.status = statusCancelled
	default:
		q.status = statusFailed
	}
	q.finished = time.Now()
	q.size = resultSize(res)
	q.mu.Unlock()

	s.qmu.Lock()
	defer s.qmu.Unlock()
	if _, ok := s.queries[q.id]; !ok {
		return
	}
	q.counted = true
	s.resultBytes += q.size
	s.evictResultsLocked()
}

// evictResultsLocked forgets the oldest completed queries until their
// results fit the cap. A running or scheduled query is never evicted.
func (s *Service) evictResultsLocked() {
	for s.resultBytes > s.resultsMaxBytes {
		var oldest *query
		for _, q := range s.queries {
			if !q.counted || q.size == 0 {
				continue
			}
			if oldest == nil || q.finished.Before(oldest.finished) {
				oldest = q
			}
		}
		if oldest == nil {
			return
		}
		s.forgetLocked(oldest)
		s.evicted++
	}
}

// forgetLocked drops a query and the bytes its results were counted for.
func (s *Service) forgetLocked(q *query) {
	delete(s.queries, q.id)
	if q.counted {
		s.resultBytes -= q.size
	}
}

// resultSize approximates the memory of a query's result rows.
func resultSize(res *insights.Result) int64 {
	if res == nil {
		return 0
	}
	n := int64(64)
	for _, row := range res.Rows {
		n += 24
		for _, f := range row {
			n += int64(len(f.Field)+len(f.Value)) + 32
		}
	}
	return n
}

// QueryStats is what the query store holds, for the health document.
type QueryStats struct {
	Active             int   `json:"active"` // Scheduled or Running
	Kept               int   `json:"kept"`   // finished, results retrievable
	ResultBytes        int64 `json:"resultBytes"`
	ResultMaxBytes     int64 `json:"resultMaxBytes"`
	Evicted            int64 `json:"evicted"`
	MaxConcurrent      int   `json:"maxConcurrent"`
	RunningSlots       int   `json:"runningSlots"`
	ResultRetentionSec int64 `json:"resultRetentionSeconds"`
}

// QueryStats reports the query store.
func (s *Service) QueryStats() QueryStats {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	st := QueryStats{ResultBytes: s.resultBytes, ResultMaxBytes: s.resultsMaxBytes, Evicted: s.evicted,
		MaxConcurrent: maxConcurrentQuery, RunningSlots: cap(s.sched.slots), ResultRetentionSec: int64(queryResultLifetime / time.Second)}
	for _, q := range s.queries {
		if q.ended() {
			st.Kept++
		} else {
			st.Active++
		}
	}
	return st
}
