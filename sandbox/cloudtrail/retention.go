package cloudtrail

import (
	"sync/atomic"
	"time"
)

// DefaultRetention is how long the store keeps records by default: the 90
// days of management events AWS keeps for LookupEvents.
const DefaultRetention = 90 * 24 * time.Hour

// DefaultMaxBytes bounds the store's records by default. At about 3 kB a
// record it holds some 80,000 calls, more than a drill makes.
const DefaultMaxBytes = 256 << 20

// recordOverhead approximates what a stored record takes besides its
// rendered JSON: the decoded Event, the lookup fields and the pointers.
const recordOverhead = 512

// footprint is the bytes a stored record is counted for: its rendered JSON,
// the raw request parameters and response elements the Event keeps a second
// copy of, and a fixed overhead.
func footprint(se *storedEvent) int64 {
	return int64(len(se.raw)+len(se.ev.RequestParameters)+len(se.ev.ResponseElements)) + recordOverhead
}

// StoreStats is what the store holds and what it has dropped, for the
// health document.
type StoreStats struct {
	Retention time.Duration `json:"-"`
	MaxBytes  int64         `json:"maxBytes"`
	Events    int64         `json:"events"`
	Bytes     int64         `json:"bytes"`
	// Expired and Evicted count records dropped for age and for space.
	Expired int64 `json:"expired"`
	Evicted int64 `json:"evicted"`
}

// store bookkeeping, on Service.
type storeLimits struct {
	retention time.Duration
	maxBytes  int64

	events, bytes    atomic.Int64
	expired, evicted atomic.Int64
	// oldest is the eventTime (Unix nanoseconds) of the oldest record
	// held, so that Record only prunes when something can go.
	oldest atomic.Int64
	// pruning lets one Record prune while the others carry on.
	pruning atomic.Bool
	// warned is set once the cap first evicts, to log it once.
	warned atomic.Bool
}

// Stats reports what the store holds.
func (s *Service) Stats() StoreStats {
	return StoreStats{
		Retention: s.limits.retention, MaxBytes: s.limits.maxBytes,
		Events: s.limits.events.Load(), Bytes: s.limits.bytes.Load(),
		Expired: s.limits.expired.Load(), Evicted: s.limits.evicted.Load(),
	}
}

// countStored counts a newly stored record and prunes when the store is over
// its cap or holds a record past retention.
func (s *Service) countStored(se *storedEvent) {
	l := &s.limits
	l.events.Add(1)
	bytes := l.bytes.Add(footprint(se))
	at := se.at.UnixNano()
	for {
		old := l.oldest.Load()
		if old != 0 && old <= at || l.oldest.CompareAndSwap(old, at) {
			break
		}
	}
	cutoff := s.clock().Add(-l.retention).UnixNano()
	if bytes <= l.maxBytes && l.oldest.Load() >= cutoff {
		return
	}
	if !l.pruning.CompareAndSwap(false, true) {
		return // another Record is pruning
	}
	defer l.pruning.Store(false)
	s.prune(cutoff)
}

// prune drops records older than cutoff, then the oldest records until the
// store fits its cap. Records are dropped from the front of each region's
// log, which is in eventTime order, so LookupEvents' cursors stay valid.
func (s *Service) prune(cutoff int64) {
	l := &s.limits
	s.regionsMu.RLock()
	logs := make([]*regionLog, 0, len(s.regions))
	for _, rl := range s.regions {
		logs = append(logs, rl)
	}
	s.regionsMu.RUnlock()

	for _, rl := range logs {
		rl.mu.Lock()
		n := 0
		for n < len(rl.events) && rl.events[n].at.UnixNano() < cutoff {
			n++
		}
		s.dropFront(rl, n, &l.expired)
		rl.mu.Unlock()
	}
	for l.bytes.Load() > l.maxBytes {
		// The region whose first record is the oldest gives it up.
		var victim *regionLog
		var victimAt int64
		for _, rl := range logs {
			rl.mu.RLock()
			if len(rl.events) > 0 {
				if at := rl.events[0].at.UnixNano(); victim == nil || at < victimAt {
					victim, victimAt = rl, at
				}
			}
			rl.mu.RUnlock()
		}
		if victim == nil {
			break
		}
		victim.mu.Lock()
		// Drop a batch (a 64th of the log, at least one) to keep the
		// search above rare.
		s.dropFront(victim, max(1, len(victim.events)/64), &l.evicted)
		victim.mu.Unlock()
		if l.warned.CompareAndSwap(false, true) {
			s.log.Warn("CloudTrail store is full: dropping the oldest records", "maxBytes", l.maxBytes)
		}
	}
	oldest := int64(0)
	for _, rl := range logs {
		rl.mu.RLock()
		if len(rl.events) > 0 {
			if at := rl.events[0].at.UnixNano(); oldest == 0 || at < oldest {
				oldest = at
			}
		}
		rl.mu.RUnlock()
	}
	l.oldest.Store(oldest)
}

// dropFront forgets the first n records of rl, which the caller holds
// locked, and lets their memory go.
func (s *Service) dropFront(rl *regionLog, n int, counter *atomic.Int64) {
	if n <= 0 {
		return
	}
	n = min(n, len(rl.events))
	var freed int64
	for i := 0; i < n; i++ {
		freed += footprint(rl.events[i])
		rl.events[i] = nil
	}
	rl.events = rl.events[n:]
	// Reslicing keeps the backing array; copy once most of it is dead.
	if cap(rl.events) > 1024 && len(rl.events) < cap(rl.events)/4 {
		rl.events = append(make([]*storedEvent, 0, 2*len(rl.events)), rl.events...)
	}
	s.limits.events.Add(-int64(n))
	s.limits.bytes.Add(-freed)
	counter.Add(int64(n))
}
