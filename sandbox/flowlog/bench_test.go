package flowlog

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/clock"
)

var benchRecord = Record{
	Interface: decoy, Src: netip.MustParseAddr("192.168.2.146"), Dst: netip.MustParseAddr("198.51.100.10"),
	SrcPort: 40512, DstPort: 80, Protocol: 6, Packets: 6, Bytes: 470, Start: 1627522805, End: 1627522805,
	Action: Accept, TCPFlags: 3, Direction: Egress, TrafficPath: PathInternetGateway,
}

func benchmarkAppend(b *testing.B, f *Format) {
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], &benchRecord)
	}
	b.ReportMetric(float64(len(buf)), "B/record")
}

func BenchmarkAppendDefault(b *testing.B)  { benchmarkAppend(b, DefaultFormat) }
func BenchmarkAppendWorkshop(b *testing.B) { benchmarkAppend(b, mustParse(WorkshopFormatText)) }
func BenchmarkAppendV5(b *testing.B)       { benchmarkAppend(b, mustParse(v5FormatText)) }

func BenchmarkParseFormat(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFormat(WorkshopFormatText); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkObserveAndDeliver aggregates one flow's packets and delivers
// its window: the cost of one record from packet to log event, in the
// workshop's format.
func BenchmarkObserveAndDeliver(b *testing.B) {
	c := clock.NewManual(t0)
	col := NewCollector(c, Options{})
	var raw, events int
	dest := DestinationFunc(func(_ context.Context, batch Batch) error {
		for _, e := range batch.Events {
			raw += len(e.Message)
		}
		events += len(batch.Events)
		return nil
	})
	if err := col.Add(Config{ID: "fl-1", ResourceID: decoy.VPCID, TrafficType: TrafficAll, Format: mustParse(WorkshopFormatText),
		MaxAggregationInterval: time.Minute, LogGroup: "g", Destination: dest}); err != nil {
		b.Fatal(err)
	}
	f := egress(decoyIP, poolIP, 40000, 80)
	pkts := []Packet{{At: t0, Count: 1, Bytes: 60, Flags: FlagSYN}, {At: t0, Count: 4, Bytes: 400}, {At: t0, Count: 1, Bytes: 52, Flags: FlagFIN}}
	b.ReportAllocs()
	for b.Loop() {
		at := c.Now()
		for i := range pkts {
			pkts[i].At = at
		}
		col.Observe(decoy, f, pkts)
		if _, err := c.Advance(context.Background(), time.Minute); err != nil {
			b.Fatal(err)
		}
	}
	if events > 0 {
		b.ReportMetric(float64(raw)/float64(events), "B/record")
	}
}
