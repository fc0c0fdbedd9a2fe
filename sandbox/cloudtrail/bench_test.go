package cloudtrail

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRecord measures the per-request cost the front end pays, with a
// logging multi-region trail so that scheduling is included.
func BenchmarkRecord(b *testing.B) {
	f := newFixture(b, time.Hour)
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"bench","S3BucketName":"b","IsMultiRegionTrail":true}`, nil)
	f.mustCall("us-east-1", "StartLogging", `{"Name":"bench"}`, nil)
	ev := rec("x", "us-east-1", "ec2.amazonaws.com", "RunInstances", f.clock.Now(),
		params(`{"instanceType":"t2.nano","subnetId":"subnet-0a1b2c3d"}`, `{"instancesSet":{"items":[{"instanceId":"i-0123456789abcdef0"}]}}`))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ev.EventID = ""
		f.svc.Record(ev)
	}
}

// BenchmarkLookupRareAttribute looks up a rare event name among 100,000
// records.
func BenchmarkLookupRareAttribute(b *testing.B) {
	f := newFixture(b, 0)
	base := f.clock.Now().Add(-24 * time.Hour)
	for i := range 100_000 {
		name := "DescribeInstances"
		if i%1000 == 0 {
			name = "RunInstances"
		}
		f.svc.Record(rec(fmt.Sprint(i), "us-east-1", "ec2.amazonaws.com", name, base.Add(time.Duration(i)*time.Second/2)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.mustCall("us-east-1", "LookupEvents", lookupBody("EventName", "RunInstances", ""), nil)
	}
}
