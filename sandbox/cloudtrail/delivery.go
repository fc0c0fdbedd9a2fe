package cloudtrail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// tickInterval is how often the delivery goroutine compares the Clock with
// the due times. It is wall time: a drill's fake clock may jump, and a
// test calls Flush instead of waiting for a tick.
const tickInterval = time.Second

// maxBatch bounds one DeliverTrailEvents call, as PutLogEvents bounds a
// batch to 10,000 events.
const maxBatch = 10000

// deliveryItem is one record on its way to one trail.
type deliveryItem struct {
	due         time.Time
	t           *trail
	logGroupARN string // empty: the trail has no CloudWatch Logs delivery
	se          *storedEvent
}

// deliveryQueue holds scheduled deliveries in scheduling order, which is
// due order as long as the Clock does not run backwards.
type deliveryQueue struct {
	mu    sync.Mutex
	items []deliveryItem
	wake  chan struct{}

	// deliverMu serialises deliveries so that the goroutine and Flush never
	// reorder a stream's records or deliver one twice.
	deliverMu sync.Mutex
}

func newDeliveryQueue() *deliveryQueue {
	return &deliveryQueue{wake: make(chan struct{}, 1)}
}

func (q *deliveryQueue) push(items []deliveryItem, nudge bool) {
	q.mu.Lock()
	q.items = append(q.items, items...)
	q.mu.Unlock()
	if nudge {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// popDue removes and returns the leading items due at or before now.
func (q *deliveryQueue) popDue(now time.Time) []deliveryItem {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for n < len(q.items) && !q.items[n].due.After(now) {
		n++
	}
	if n == 0 {
		return nil
	}
	due := slices.Clone(q.items[:n])
	q.items = slices.Delete(q.items, 0, n)
	return due
}

func (q *deliveryQueue) pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}

func (q *deliveryQueue) drop() {
	q.mu.Lock()
	q.items = nil
	q.mu.Unlock()
}

// schedule queues the record for every logging trail that covers it, as
// the trails stand now: a trail created, started or changed later does not
// pick up earlier records.
func (s *Service) schedule(se *storedEvent) {
	views := *s.snapshot.Load()
	if len(views) == 0 {
		return
	}
	due := s.clock().Add(s.delay)
	var items []deliveryItem
	for i := range views {
		v := &views[i]
		if !v.covers(se) {
			continue
		}
		item := deliveryItem{due: due, t: v.t, se: se}
		if s.logs != nil {
			item.logGroupARN = v.logGroupARN
		}
		items = append(items, item)
	}
	if len(items) > 0 {
		s.delivery.push(items, s.delay <= 0)
	}
}

func (s *Service) deliverLoop(ctx context.Context) {
	defer close(s.done)
	ticker := time.NewTicker(tickInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-s.delivery.wake:
		}
		if err := s.Flush(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("CloudTrail delivery to CloudWatch Logs failed", "err", err)
		}
	}
}

// Flush delivers every record whose delivery is due by the Clock, and
// returns once they are delivered. Records not yet due stay queued. A
// failed delivery is not retried: it is reported in the trail's
// LatestCloudWatchLogsDeliveryError and in the returned error.
func (s *Service) Flush(ctx context.Context) error {
	q := s.delivery
	q.deliverMu.Lock()
	defer q.deliverMu.Unlock()
	items := q.popDue(s.clock())
	if len(items) == 0 {
		return nil
	}
	type streamKey struct {
		t                      *trail
		logGroupARN, logStream string
	}
	var order []streamKey
	batches := map[streamKey][]DeliveredEvent{}
	touched := map[*trail]bool{}
	for _, it := range items {
		touched[it.t] = true
		if it.logGroupARN == "" {
			continue
		}
		k := streamKey{it.t, it.logGroupARN, s.account + "_CloudTrail_" + it.se.region}
		if _, ok := batches[k]; !ok {
			order = append(order, k)
		}
		batches[k] = append(batches[k], DeliveredEvent{Timestamp: it.se.at, Message: it.se.raw})
	}

	s.trailsMu.Lock()
	now := s.clock()
	for t := range touched {
		if !t.deleted {
			t.latestDelivery, t.latestDeliveryAttempt = now, now
		}
	}
	live := order[:0]
	for _, k := range order {
		if !k.t.deleted {
			live = append(live, k)
		}
	}
	s.trailsMu.Unlock()

	var errs []error
	for _, k := range live {
		events := batches[k]
		// PutLogEvents wants chronological order; arrival order can differ
		// by a second when requests overlap.
		slices.SortStableFunc(events, func(a, b DeliveredEvent) int { return a.Timestamp.Compare(b.Timestamp) })
		var err error
		for start := 0; start < len(events) && err == nil; start += maxBatch {
			err = s.logs.DeliverTrailEvents(ctx, k.logGroupARN, k.logStream, events[start:min(start+maxBatch, len(events))])
		}
		s.trailsMu.Lock()
		if err != nil {
			k.t.latestCWLError = err.Error()
			errs = append(errs, fmt.Errorf("deliver trail %s to %s (%s): %w", k.t.arn, k.logGroupARN, k.logStream, err))
		} else {
			k.t.latestCWLDelivery, k.t.latestCWLError = s.clock(), ""
		}
		s.trailsMu.Unlock()
	}
	return errors.Join(errs...)
}
