package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

func TestDetectTestCommand(t *testing.T) {
	t.Parallel()
	junit := filepath.Join(t.TempDir(), "report.xml")
	out, _, err := execute(t, "detect", "test", "../../detect/library", "--junit", junit)
	if err != nil {
		t.Fatalf("detect test: %v\n%s", err, out)
	}
	if !strings.Contains(out, "PASS  lab.cloudtrail.source-ip") || !strings.HasSuffix(out, " passed, 0 failed\n") {
		t.Errorf("report:\n%s", out)
	}
	xml, err := os.ReadFile(junit)
	if err != nil || !strings.Contains(string(xml), `<testsuites name="irdrill detect test"`) || !strings.Contains(string(xml), `failures="0" errors="0"`) {
		t.Errorf("JUnit %s: %v", xml, err)
	}
}

func TestDetectTestCommandFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("d.yaml", "id: t.d\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: cloudtrail\nparameters:\n  word: AccessDenied\nfilter_pattern: ${word}\n")
	write("fx/cloudtrail.jsonl", `{"timestamp": 1, "message": "{\"errorCode\":\"AccessDenied\"}"}`+"\n")
	write("cases.yaml", "cases:\n  - name: stays quiet\n    detection: t.d\n    fixtures: fx\n    expect: quiet\n")
	out, _, err := execute(t, "detect", "test", dir)
	if err == nil || !strings.Contains(err.Error(), "0 passed, 1 failed") || !strings.Contains(out, "FAIL  t.d — stays quiet") {
		t.Errorf("detect test of a failing case: %v\n%s", err, out)
	}
	out, _, err = execute(t, "detect", "test", dir, "--param", "word=Nothing")
	if err != nil || !strings.Contains(out, "1 passed, 0 failed") {
		t.Errorf("--param override: %v\n%s", err, out)
	}
	_, _, err = execute(t, "detect", "test", dir, "--param", "wrod=Nothing")
	if err == nil || !strings.Contains(err.Error(), "unknown parameter wrod") {
		t.Errorf("unknown --param: %v", err)
	}
	write("bad.yaml", "id: t.bad\ntitle: t\nseverity: low\nmitre: [T1496]\ntelemetry: cloudtrail\ninsights: |\n  fields a\n  | sort a dsc\n")
	out, _, err = execute(t, "detect", "validate", filepath.Join(dir, "d.yaml"), filepath.Join(dir, "cases.yaml"), filepath.Join(dir, "bad.yaml"))
	if err == nil || !strings.Contains(err.Error(), "1 file(s) with errors") || !strings.Contains(out, "ok  t.d") ||
		!strings.Contains(out, "ok  test suite, 1 cases") || !strings.Contains(out, "bad.yaml:8:") {
		t.Errorf("validate: %v\n%s", err, out)
	}
}

func TestDetectListCommand(t *testing.T) {
	t.Parallel()
	out, _, err := execute(t, "detect", "list")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"lab.cloudtrail.access-denied", "lab.vpc.rejected-from-inside", "playbook.guardduty.bitcointool-dns", "dns.exfiltration-labels", "cloudtrail.trail-stopped"} {
		if !strings.Contains(out, id) {
			t.Errorf("list lacks %s:\n%s", id, out)
		}
	}
	out, _, err = execute(t, "detect", "list", "--output", "json")
	if err != nil || !strings.Contains(out, `"telemetry": "guardduty"`) {
		t.Errorf("list --output json: %v\n%s", err, out)
	}
}

// TestDetectRunCommand waits for detections on a served sandbox: one fires
// from its CloudTrail log group, one reads DNS logs the endpoint does not
// have and is reported at once.
func TestDetectRunCommand(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	logs := cloudwatchlogs.NewFromConfig(sandboxtest.AWSConfig(t, sb, sb.AdminCredentials))
	group := "drill/cloudtrail"
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"),
		LogEvents: []cwltypes.InputLogEvent{{Timestamp: aws.Int64(now.Add(-time.Minute).UnixMilli()),
			Message: aws.String(`{"eventName":"ListUsers","errorCode":"AccessDenied","sourceIPAddress":"198.51.100.7"}`)}}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ip.yaml"), []byte("id: t.ip\ntitle: calls from the address\nseverity: high\nmitre: [T1078.004]\ntelemetry: cloudtrail\nparameters:\n  attacker_ip: 203.0.113.99\ninsights: filter sourceIPAddress = \"${attacker_ip}\" | fields eventName\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "dns.yaml"), []byte("id: t.dns\ntitle: pools\nseverity: high\nmitre: [T1496]\ntelemetry: dns\ninsights: fields query_name\n"), 0o644)
	t.Setenv("AWS_ACCESS_KEY_ID", sb.AdminCredentials.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", sb.AdminCredentials.SecretAccessKey)
	rec := filepath.Join(t.TempDir(), "rec")
	out, stderr, err := execute(t, "detect", "run", dir, "--target", "endpoint:"+sb.URL, "--since", "2m", "--log-group", "cloudtrail="+group,
		"--param", "attacker_ip=198.51.100.7", "--timeout", "3m", "--poll-interval", "50ms", "--record", rec)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 detections did not fire") {
		t.Errorf("detect run: %v", err)
	}
	for _, s := range []string{"FIRED         t.ip", "NO-TELEMETRY  t.dns", "target has no DNS query logs", "calls from the address: eventName=ListUsers"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s\n%s", s, out, stderr)
		}
	}
	if !strings.Contains(stderr, "round 1 at ") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	if data, err := os.ReadFile(filepath.Join(rec, "cloudtrail.jsonl")); err != nil || !strings.Contains(string(data), "198.51.100.7") {
		t.Errorf("--record: %s, %v", data, err)
	}
	_, _, err = execute(t, "detect", "run", dir, "--target", "endpoint:"+sb.URL)
	if err == nil || !strings.Contains(err.Error(), "--since is required") {
		t.Errorf("without --since: %v", err)
	}
}
