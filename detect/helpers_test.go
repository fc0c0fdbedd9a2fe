package detect

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// t0 is the fixtures' epoch: the playbook's attack, 2021-07-29T01:39:30Z.
var t0 = time.Date(2021, 7, 29, 1, 39, 30, 0, time.UTC)

// trailEvent is a CloudTrail record as a fixture line.
func trailEvent(t testing.TB, at time.Time, fields map[string]any) string {
	t.Helper()
	rec := map[string]any{
		"eventVersion": "1.08", "eventTime": at.Format(time.RFC3339), "awsRegion": "us-east-1",
		"eventSource": "iam.amazonaws.com", "sourceIPAddress": "192.0.2.10",
		"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::999999999999:user/admin", "accessKeyId": "AKIAADMIN"},
	}
	for k, v := range fields {
		rec[k] = v
	}
	msg, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := json.Marshal(map[string]any{"timestamp": at.UnixMilli(), "message": string(msg)})
	return string(line)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// attackFixture is a small CloudTrail fixture: an attacker probing and
// launching, and an administrator.
func attackFixture(t testing.TB, dir string) {
	t.Helper()
	attacker := map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::999999999999:user/pipeline", "accessKeyId": "AKIAIOSFODNN7EXAMPLE"}
	lines := []string{
		trailEvent(t, t0, map[string]any{"eventName": "ListUsers", "errorCode": "AccessDenied", "sourceIPAddress": "203.0.113.99", "userIdentity": attacker}),
		trailEvent(t, t0.Add(time.Second), map[string]any{"eventName": "CreateUser", "errorCode": "AccessDenied", "sourceIPAddress": "203.0.113.99", "userIdentity": attacker,
			"requestParameters": map[string]any{"userName": "backdoor"}}),
		trailEvent(t, t0.Add(2*time.Second), map[string]any{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "sourceIPAddress": "203.0.113.99", "userIdentity": attacker,
			"requestParameters": map[string]any{"subnetId": "subnet-a"}}),
		trailEvent(t, t0.Add(3*time.Second), map[string]any{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances", "sourceIPAddress": "203.0.113.99", "userIdentity": attacker,
			"requestParameters": map[string]any{"subnetId": "subnet-b"}}),
		trailEvent(t, t0.Add(time.Minute), map[string]any{"eventName": "ListRoles"}),
	}
	writeFile(t, filepath.Join(dir, "cloudtrail.jsonl"), strings.Join(lines, "\n")+"\n")
}

// detection parses a detection from YAML written inline.
func detection(t testing.TB, src string) *Detection {
	t.Helper()
	d, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const sourceIPDetection = `id: t.source-ip
title: calls from an address
severity: high
mitre: [T1078.004]
telemetry: cloudtrail
parameters:
  attacker_ip: 203.0.113.99
insights: filter sourceIPAddress = "${attacker_ip}" | fields eventName, userIdentity.arn, errorCode
`
