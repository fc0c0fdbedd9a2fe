package filterpattern

import "testing"

// BenchmarkMatchJSONNoMatch runs a selective pattern over an event it does
// not select, the common case when FilterLogEvents searches a large log
// group. The literal is absent from the event, so the pre-filter decides.
func BenchmarkMatchJSONNoMatch(b *testing.B) {
	p := MustParse(`{ $.eventName = "RunInstances" }`)
	b.SetBytes(int64(len(cloudTrailEvent)))
	for b.Loop() {
		if p.Match(cloudTrailEvent) {
			b.Fatal("match")
		}
	}
}

// BenchmarkMatchJSONNoMatchScan is a non-matching event the pre-filter cannot
// rule out (the literal occurs elsewhere in the event), so the event is
// scanned.
func BenchmarkMatchJSONNoMatchScan(b *testing.B) {
	p := MustParse(`{ $.eventName = "AccessDenied" || $.sourceIPAddress != "192.0.2.*" }`)
	b.SetBytes(int64(len(cloudTrailEvent)))
	for b.Loop() {
		if p.Match(cloudTrailEvent) {
			b.Fatal("match")
		}
	}
}

// BenchmarkMatchJSONCompound uses most condition kinds at once: nested
// properties, a wildcard array selector, != with a wildcard, a numeric
// comparison, IS NULL and NOT EXISTS.
func BenchmarkMatchJSONCompound(b *testing.B) {
	p := MustParse(`{ $.userIdentity.type = "IAMUser" && $.sourceIPAddress != "10.*" && ($.resources[*].type = "AWS::S3::Object" || $.eventName = "RunInstances") && $.additionalEventData.bytesTransferredOut > 200 && $.responseElements IS NULL && $.apiVersion NOT EXISTS }`)
	b.SetBytes(int64(len(cloudTrailEvent)))
	for b.Loop() {
		if !p.Match(cloudTrailEvent) {
			b.Fatal("no match")
		}
	}
}

// BenchmarkMatchJSONReference is BenchmarkMatchJSON's pattern evaluated the
// way Match did before the scanner (encoding/json), for comparison under the
// same machine load.
func BenchmarkMatchJSONReference(b *testing.B) {
	p := MustParse(`{ ($.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*") && $.userIdentity.accessKeyId = "AKIAIOSFODNN7EXAMPLE" }`)
	b.SetBytes(int64(len(cloudTrailEvent)))
	for b.Loop() {
		if !referenceJSONMatch(p, cloudTrailEvent) {
			b.Fatal("no match")
		}
	}
}
