package network

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"
)

// Decoys resolve and dial from many goroutines while the clock advances,
// scanners probe and windows are delivered, and EC2 changes groups and
// re-attaches interfaces; run with -race.
func TestConcurrentUse(t *testing.T) {
	l := newLab(t, Options{})
	l.flowLog(workshopFormat, time.Minute)
	decoys := []*Interface{l.decoy(1, true), l.decoy(2, true), l.decoy(3, true)}
	var wg, warm sync.WaitGroup
	stop := make(chan struct{})
	for _, d := range decoys {
		wg.Add(1)
		warm.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if i == 3 {
					warm.Done()
				}
				select {
				case <-stop:
					if i >= 3 {
						return
					}
				default:
				}
				persist(l.fabric, d.Host(), l.clock.Now())
				if i%3 == 0 {
					l.fabric.Dial(context.Background(), Dial{From: d.Host(), Dst: netip.AddrPortFrom(decoys[0].PrivateIP, 22)})
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				l.setGroups(decoys[2].ID, isolation)
			} else {
				l.setGroups(decoys[2].ID, defaultGroup)
			}
			moved := *decoys[1]
			l.fabric.Attach(moved)
			time.Sleep(time.Millisecond)
		}
	}()
	for range 20 {
		l.advance(3 * time.Minute)
	}
	warm.Wait()
	close(stop)
	wg.Wait()
	l.advance(time.Hour)
	if l.fabric.FlowLogs().Pending() != 0 {
		t.Errorf("%d records still pending an hour later", l.fabric.FlowLogs().Pending())
	}
	l.queries.mu.Lock()
	queries := len(l.queries.queries)
	l.queries.mu.Unlock()
	if len(l.records.lines()) == 0 || queries == 0 {
		t.Error("nothing recorded")
	}
}
