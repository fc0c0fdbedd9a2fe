package insights_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/irdrill/irdrill/insights"
	"github.com/irdrill/irdrill/internal/cloudtrailgen"
)

// Benchmarks over generated CloudTrail records, for profiling the engine
// (go test -bench . -cpuprofile cpu.out ./insights). The full engine-vs-jq
// comparison lives in internal/bench/insightsjq.

const benchRecords = 20_000

func benchInputs(b *testing.B) []insights.EventInput {
	b.Helper()
	ins := make([]insights.EventInput, 0, benchRecords)
	err := cloudtrailgen.Each(1, benchRecords, func(r cloudtrailgen.Record) error {
		ins = append(ins, insights.EventInput{
			Timestamp: r.TimeMillis, IngestionTime: r.TimeMillis + 60_000, Message: string(r.JSON),
			LogStream: ctStream, LogGroup: ctGroup, Ptr: strconv.Itoa(len(ins)),
		})
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ins
}

func benchEvents(b *testing.B) []*insights.Event {
	b.Helper()
	ins := benchInputs(b)
	evs := make([]*insights.Event, len(ins))
	for i, in := range ins {
		evs[i] = insights.NewEvent(in)
	}
	return evs
}

func benchQuery(b *testing.B, query string, opts insights.RunOptions) {
	evs := benchEvents(b)
	q, err := insights.Parse(query)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := q.Run(context.Background(), evs, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(evs))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkLabFilterQuery(b *testing.B) {
	benchQuery(b, `filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`,
		insights.RunOptions{Limit: benchRecords})
}

func BenchmarkStatsBySourceIP(b *testing.B) {
	benchQuery(b, `stats count(*) by sourceIPAddress`, insights.RunOptions{})
}

func BenchmarkNewEvent(b *testing.B) {
	ins := benchInputs(b)
	var bytes int64
	for _, in := range ins {
		bytes += int64(len(in.Message))
	}
	b.SetBytes(bytes / int64(len(ins)))
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		insights.NewEvent(ins[i%len(ins)])
		i++
	}
}
