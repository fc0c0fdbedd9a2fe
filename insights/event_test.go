package insights

import (
	"fmt"
	"strings"
	"testing"
)

func discovered(e *Event) map[string]string {
	m := map[string]string{}
	for _, f := range e.DiscoveredFields() {
		m[f.Field] = f.Value
	}
	return m
}

func TestJSONFlattening(t *testing.T) {
	e := NewEvent(EventInput{Message: `{"userIdentity":{"arn":"arn:a","type":"IAMUser"},"items":[{"instanceId":"i-1"},{"instanceId":"i-2","tags":["x","y"]}],` +
		`"n":-1.5e3,"ok":true,"no":false,"nil":null,"esc":"a\"b\\c\u00e9\ud83d\ude00","@example.com":"at","nested":{"@x":1},"empty":{},"arr":[],"k.with.dot":"d"}`})
	want := map[string]string{
		"userIdentity.arn": "arn:a", "userIdentity.type": "IAMUser",
		"items.0.instanceId": "i-1", "items.1.instanceId": "i-2", "items.1.tags.0": "x", "items.1.tags.1": "y",
		"n": "-1.5e3", "ok": "true", "no": "false", "esc": "a\"b\\cé😀", "@@example.com": "at", "nested.@x": "1",
		"k.with.dot": "d",
	}
	got := discovered(e)
	if len(got) != len(want) {
		t.Errorf("discovered %d fields, want %d: %v", len(got), len(want), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["nil"]; ok {
		t.Error("JSON null discovered as a field")
	}
}

func TestJSONFieldLimit(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("{")
	for i := 0; i < 250; i++ {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `"f%d":%d`, i, i)
	}
	sb.WriteString("}")
	e := NewEvent(EventInput{Message: sb.String()})
	got := discovered(e)
	if len(got) != MaxJSONFields {
		t.Fatalf("discovered %d fields, want %d", len(got), MaxJSONFields)
	}
	if got["f199"] != "199" {
		t.Errorf("f199 = %q", got["f199"])
	}
	if _, ok := got["f200"]; ok {
		t.Error("f200 discovered beyond the limit")
	}
}

func TestNotJSON(t *testing.T) {
	for _, msg := range []string{`{"a":1`, `{"a":}`, `{a:1}`, `[1,2]`, `plain text {"a":1}`, `{"a":"\x"}`, `{"a":1}}`} {
		e := NewEvent(EventInput{Message: msg})
		got := discovered(e)
		// {"a":1}} has a trailing brace after a complete object: kept (first fragment rule).
		if msg == `{"a":1}}` {
			if got["a"] != "1" {
				t.Errorf("%q: a = %q", msg, got["a"])
			}
			continue
		}
		if len(got) != 0 {
			t.Errorf("%q discovered %v", msg, got)
		}
	}
}

func TestDeepJSONDoesNotOverflow(t *testing.T) {
	msg := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	if got := discovered(NewEvent(EventInput{Message: msg})); len(got) != 0 {
		t.Fatalf("over-deep JSON discovered %d fields", len(got))
	}
}

func TestLambdaEmbeddedJSON(t *testing.T) {
	in := EventInput{Message: "2024-01-01T00:00:00.000Z\treq-1\tINFO\t{\"level\":\"warn\",\"n\":3} trailing", LogGroup: "1:/aws/lambda/fn"}
	if got := discovered(NewEvent(in)); got["level"] != "warn" || got["n"] != "3" {
		t.Fatalf("embedded JSON: %v", got)
	}
	in.LogGroup = "1:/app"
	if got := discovered(NewEvent(in)); len(got) != 0 {
		t.Fatalf("embedded JSON outside Lambda discovered %v", got)
	}
}

func TestLambdaReportLine(t *testing.T) {
	e := NewEvent(EventInput{Message: "REPORT RequestId: 3f1e\tDuration: 102.25 ms\tBilled Duration: 103 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.5 ms\t\nXRAY TraceId: 1-5e-ab\tSegmentId: 9f\tSampled: true"})
	want := map[string]string{"@type": "REPORT", "@requestId": "3f1e", "@duration": "102.25", "@billedDuration": "103",
		"@memorySize": "128000000", "@maxMemoryUsed": "70000000", "@initDuration": "150.5", "@xrayTraceId": "1-5e-ab", "@xraySegmentId": "9f"}
	got := discovered(e)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if got := discovered(NewEvent(EventInput{Message: "START RequestId: abc Version: $LATEST"})); got["@type"] != "START" || got["@requestId"] != "abc" {
		t.Errorf("START line: %v", got)
	}
}

func TestFlowLogDiscovery(t *testing.T) {
	v2 := "2 999999999999 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ACCEPT OK"
	got := discovered(NewEvent(EventInput{Message: v2}))
	want := map[string]string{"version": "2", "accountId": "999999999999", "interfaceId": "eni-0a1b2c3d", "srcAddr": "10.0.1.5",
		"dstAddr": "198.51.100.7", "srcPort": "49152", "dstPort": "3333", "protocol": "6", "packets": "20", "bytes": "4000",
		"start": "1627520400", "end": "1627520460", "startTime": "1627520400", "endTime": "1627520460", "action": "ACCEPT", "logStatus": "OK"}
	if len(got) != len(want) {
		t.Errorf("v2 discovered %d fields: %v", len(got), got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("v2 %s = %q, want %q", k, got[k], v)
		}
	}
	ext := v2 + " vpc-0f7b subnet-01 i-0abc 2 IPv4 10.0.1.5 198.51.100.7 us-east-1 use1-az1 - - - - egress 8"
	got = discovered(NewEvent(EventInput{Message: ext}))
	for k, v := range map[string]string{"vpcId": "vpc-0f7b", "subnetId": "subnet-01", "instanceId": "i-0abc", "tcpFlags": "2", "type": "IPv4",
		"pktSrcAddr": "10.0.1.5", "pktDstAddr": "198.51.100.7", "region": "us-east-1", "azId": "use1-az1", "sublocationType": "-",
		"sublocationId": "-", "pktSrcAwsService": "-", "pktDstAwsService": "-", "flowDirection": "egress", "trafficPath": "8", "srcAddr": "10.0.1.5"} {
		if got[k] != v {
			t.Errorf("extended %s = %q, want %q", k, got[k], v)
		}
	}
	nodata := "2 999999999999 eni-0a1b2c3d - - - - - - - 1627520400 1627520460 - NODATA"
	if got := discovered(NewEvent(EventInput{Message: nodata})); got["logStatus"] != "NODATA" || got["srcAddr"] != "-" {
		t.Errorf("NODATA record: %v", got)
	}
	for _, notFlow := range []string{
		"2 999999999999 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ACCEPT",      // 13 tokens
		"x 999999999999 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ACCEPT OK",   // bad version
		"2 99999 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ACCEPT OK",          // bad account
		"2 999999999999 eth0 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ACCEPT OK",           // bad eni
		"2 999999999999 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ALLOW OK",    // bad action
		"2 999999999999 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ACCEPT FINE", // bad status
		"2  999999999999 eni-0a1b2c3d 10.0.1.5 198.51.100.7 49152 3333 6 20 4000 1627520400 1627520460 ACCEPT OK",  // double space
	} {
		if got := discovered(NewEvent(EventInput{Message: notFlow})); len(got) != 0 {
			t.Errorf("%q discovered %v", notFlow, got)
		}
	}
}

func TestSizeBytesIsHonest(t *testing.T) {
	plain := NewEvent(EventInput{Message: "hello world", Ptr: "p"})
	if got := plain.SizeBytes(); got != eventHeaderBytes+len("hello world")+1 {
		t.Errorf("plain SizeBytes = %d", got)
	}
	js := NewEvent(EventInput{Message: `{"a":"x","b":"y\n"}`})
	// two 8-byte entries, one ext record and the 2-byte decoded copy
	if got, want := js.SizeBytes(), eventHeaderBytes+len(js.Message())+2*8+24+2; got != want {
		t.Errorf("JSON SizeBytes = %d, want %d", got, want)
	}
	ct := syntheticCloudTrail(10)
	e := NewEvent(ct)
	if ratio := float64(e.SizeBytes()) / float64(len(ct.Message)); ratio > 1.5 {
		t.Errorf("CloudTrail event stored at %.2fx its message size", ratio)
	}
}

func TestEventAccessors(t *testing.T) {
	e := NewEvent(EventInput{Timestamp: 5, IngestionTime: 6, Message: "m", LogStream: "s", LogGroup: "1:g", Ptr: "p"})
	if e.Timestamp() != 5 || e.IngestionTime() != 6 || e.Message() != "m" || e.LogStream() != "s" || e.LogGroup() != "1:g" || e.Ptr() != "p" {
		t.Fatalf("accessors: %+v", e)
	}
}

func TestLongValuesUseExtension(t *testing.T) {
	long := strings.Repeat("v", 70000)
	e := NewEvent(EventInput{Message: `{"big":"` + long + `","small":"s"}`})
	got := discovered(e)
	if got["big"] != long || got["small"] != "s" {
		t.Fatalf("long value lost: len %d", len(got["big"]))
	}
}
