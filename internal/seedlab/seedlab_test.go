package seedlab

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

var update = flag.Bool("update", false, "rewrite testdata/report.golden")

func labConfig(sb *sandbox.Sandbox) Config {
	return Config{Endpoint: sb.URL, AdminCredentials: sb.AdminCredentials, PollInterval: 100 * time.Millisecond}
}

// TestRun runs the whole walkthrough on an in-process sandbox and checks
// the Result against what the sandbox itself says, through independent
// SDK calls.
func TestRun(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t)
	var report bytes.Buffer
	res, err := Run(context.Background(), labConfig(sb), &report)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, report.String())
	}
	if !res.Passed() {
		t.Fatalf("lab did not pass:\n%s", report.String())
	}
	ctx := context.Background()
	admin := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	ec2c, iamc := ec2.NewFromConfig(admin), iam.NewFromConfig(admin)

	t.Run("one instance per default subnet", func(t *testing.T) {
		subnets, err := ec2c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{
			Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(subnets.Subnets) == 0 || len(res.Instances) != len(subnets.Subnets) {
			t.Fatalf("%d instances, %d default subnets", len(res.Instances), len(subnets.Subnets))
		}
		var want, got []string
		for _, s := range subnets.Subnets {
			want = append(want, aws.ToString(s.SubnetId))
		}
		for _, i := range res.Instances {
			got = append(got, i.SubnetID)
			if i.State != "stopped" {
				t.Errorf("%s is %s in the Result", i.ID, i.State)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("instances in subnets %v, want %v", got, want)
		}
		if res.ImageID != "ami-0c2b8ca1dad447f8a" || res.ImageName != "amzn2-ami-hvm-2.0.20210721.2-x86_64-gp2" {
			t.Errorf("image %s (%s), want the playbook's ami-0c2b8ca1dad447f8a", res.ImageID, res.ImageName)
		}
	})

	t.Run("instances as the playbook describes them, user data byte for byte", func(t *testing.T) {
		ids := instanceIDs(res)
		out, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: ids})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range out.Reservations {
			for _, inst := range r.Instances {
				n++
				if inst.InstanceType != ec2types.InstanceTypeT2Nano || inst.State.Name != ec2types.InstanceStateNameStopped ||
					inst.IamInstanceProfile != nil || inst.KeyName != nil {
					t.Errorf("%s: type %s, state %s, profile %v, key %v", aws.ToString(inst.InstanceId), inst.InstanceType,
						inst.State.Name, inst.IamInstanceProfile, inst.KeyName)
				}
			}
		}
		if n != len(ids) {
			t.Errorf("described %d instances, want %d", n, len(ids))
		}
		for _, id := range ids {
			attr, err := ec2c.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
				InstanceId: aws.String(id), Attribute: ec2types.InstanceAttributeNameUserData,
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := base64.StdEncoding.DecodeString(aws.ToString(attr.UserData.Value))
			if err != nil {
				t.Fatalf("%s user data: %v", id, err)
			}
			if !bytes.Equal(got, UserData()) {
				t.Errorf("%s user data differs from the playbook's (%d bytes, want %d)", id, len(got), len(UserData()))
			}
		}
	})

	t.Run("every detection fired with the attack's row counts", func(t *testing.T) {
		calls, denied := len(res.AttackCalls), 0
		for _, c := range res.AttackCalls {
			if c.ErrorCode != "" {
				denied++
			}
		}
		if denied != len(recon) || res.DeniedCalls != denied {
			t.Fatalf("%d denied calls (Result says %d), want the %d recon calls", denied, res.DeniedCalls, len(recon))
		}
		// The attacker's calls: whoami, the probes, describe-images,
		// describe-vpcs, describe-subnets per VPC, run-instances per
		// subnet.
		if want := 1 + len(recon) + 1 + 1 + len(res.VPCIDs) + len(res.Instances); calls != want {
			t.Fatalf("%d attacker calls, want %d", calls, want)
		}
		want := map[string]int{
			"insights/IAM access denied attempts":          denied,
			"insights/IAM access key":                      calls,
			"insights/IAM source ip address":               calls,
			"insights/IAM users and roles created":         1, // the attacker's backdoor attempt
			"filter-log-events/IAM access denied attempts": denied,
			"filter-log-events/IAM access key":             calls,
			"filter-log-events/IAM source ip address":      calls,
		}
		if len(res.Detections) != len(want) {
			t.Errorf("%d detections, want %d", len(res.Detections), len(want))
		}
		for _, d := range res.Detections {
			key := d.Source + "/" + d.Name
			if !d.Fired || d.Rows != want[key] || d.Error != "" {
				t.Errorf("%s: fired %t, %d rows, error %q; want %d rows", key, d.Fired, d.Rows, d.Error, want[key])
			}
			if d.TimeToDetect <= 0 || d.TimeToDetect < res.TimeToDetect {
				t.Errorf("%s: time to detect %v, overall %v", key, d.TimeToDetect, res.TimeToDetect)
			}
		}
	})

	t.Run("the access-denied query finds exactly the recon calls", func(t *testing.T) {
		rows := runQuery(t, sb, res, `filter errorCode like /Unauthorized|Denied|Forbidden/ | fields eventName, sourceIPAddress, userIdentity.arn`)
		var names []string
		for _, row := range rows {
			names = append(names, row["eventName"])
			if row["sourceIPAddress"] != DefaultAttackerIP || row["userIdentity.arn"] != "arn:aws:iam::999999999999:user/pipeline" {
				t.Errorf("row %v is not the attacker's", row)
			}
		}
		slices.Sort(names)
		if want := []string{"CreateUser", "ListRoles", "ListUsers"}; !slices.Equal(names, want) {
			t.Errorf("denied calls %v, want %v", names, want)
		}
	})

	t.Run("CloudTrail shows the playbook's user agent and the attacker's address", func(t *testing.T) {
		ct := cloudtrail.NewFromConfig(admin)
		out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(res.LeakedKeyID)}},
		})
		if err != nil {
			t.Fatal(err)
		}
		agents := map[string]int{}
		for _, e := range out.Events {
			var rec struct {
				EventName, SourceIPAddress, UserAgent string
				EventTime                             time.Time
			}
			if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.EventTime.Before(res.AttackStart.Truncate(time.Second)) || rec.EventTime.After(res.AttackEnd) {
				continue // containment and verification
			}
			if rec.SourceIPAddress != DefaultAttackerIP {
				t.Errorf("%s from %s", rec.EventName, rec.SourceIPAddress)
			}
			agents[rec.UserAgent]++
		}
		want := map[string]int{
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/ec2.run-instances":       len(res.Instances),
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/ec2.describe-subnets":    len(res.VPCIDs),
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/ec2.describe-images":     1,
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/ec2.describe-vpcs":       1,
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/sts.get-caller-identity": 1,
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/iam.list-users":          1,
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/iam.list-roles":          1,
			"aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off command/iam.create-user":         1,
		}
		for ua, n := range want {
			if agents[ua] != n {
				t.Errorf("%d calls with %q, want %d (all: %v)", agents[ua], ua, n, agents)
			}
		}
	})

	t.Run("containment checks passed and the key ends inactive behind the policy", func(t *testing.T) {
		if len(res.Containment) != 5 || len(res.Verification) != 4 {
			t.Errorf("%d containment and %d verification checks, want 5 and 4", len(res.Containment), len(res.Verification))
		}
		for _, c := range append(slices.Clone(res.Containment), res.Verification...) {
			if !c.Passed {
				t.Errorf("%s failed: %s", c.Name, c.Detail)
			}
		}
		if res.TimeToDetect <= 0 || res.TimeToContain < res.TimeToDetect {
			t.Errorf("time to detect %v, time to contain %v", res.TimeToDetect, res.TimeToContain)
		}
		keys, err := iamc.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("pipeline")})
		if err != nil {
			t.Fatal(err)
		}
		if len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != "Inactive" {
			t.Errorf("keys %+v, want the leaked key Inactive", keys.AccessKeyMetadata)
		}
		attached, err := iamc.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("pipeline")})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range attached.AttachedPolicies {
			names = append(names, aws.ToString(p.PolicyName))
		}
		slices.Sort(names)
		if want := []string{IntegrationPolicy, ContainmentPolicy}; !slices.Equal(names, want) {
			t.Errorf("attached %v, want %v", names, want)
		}
	})

	t.Run("the workshop's trail and flow-log configuration", func(t *testing.T) {
		ct := cloudtrail.NewFromConfig(admin)
		trails, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{TrailName}})
		if err != nil {
			t.Fatal(err)
		}
		if len(trails.TrailList) != 1 || !aws.ToBool(trails.TrailList[0].IsMultiRegionTrail) ||
			!strings.Contains(aws.ToString(trails.TrailList[0].CloudWatchLogsLogGroupArn), ":log-group:"+TrailLogGroup+":") {
			t.Errorf("trails %+v", trails.TrailList)
		}
		flows, err := ec2c.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{FlowLogIds: []string{res.FlowLogID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(flows.FlowLogs) != 1 {
			t.Fatalf("%d flow logs", len(flows.FlowLogs))
		}
		f := flows.FlowLogs[0]
		if aws.ToString(f.ResourceId) != res.DefaultVPCID || f.TrafficType != ec2types.TrafficTypeAll ||
			aws.ToInt32(f.MaxAggregationInterval) != 60 || aws.ToString(f.LogGroupName) != FlowLogGroup ||
			len(strings.Fields(aws.ToString(f.LogFormat))) != 29 {
			t.Errorf("flow log %+v", f)
		}
	})

	t.Run("report", func(t *testing.T) {
		out := report.String()
		for _, s := range []string{"\nSetup\n", "\nAttack (", "\nDetect (", "\nContain (", "\nVerify (", "\nSummary\n",
			"7/7 detections fired", "9/9", "PASS", "configuration only"} {
			if !strings.Contains(out, s) {
				t.Errorf("report lacks %q", s)
			}
		}
		if strings.Contains(out, "✗") {
			t.Errorf("report of a passing lab has a ✗:\n%s", out)
		}
	})
}

func instanceIDs(res *Result) []string {
	var ids []string
	for _, i := range res.Instances {
		ids = append(ids, i.ID)
	}
	return ids
}

// runQuery runs a Logs Insights query over the trail's log group in the
// attack window and returns its rows as field maps.
func runQuery(t *testing.T, sb *sandbox.Sandbox, res *Result, query string) []map[string]string {
	t.Helper()
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(sandboxtest.AWSConfig(t, sb, sb.AdminCredentials))
	started, err := logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(TrailLogGroup), QueryString: aws.String(query),
		StartTime: aws.Int64(res.AttackStart.Unix()), EndTime: aws.Int64(res.AttackEnd.Unix()),
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status == cwltypes.QueryStatusComplete {
			var rows []map[string]string
			for _, r := range out.Results {
				row := map[string]string{}
				for _, f := range r {
					row[aws.ToString(f.Field)] = aws.ToString(f.Value)
				}
				rows = append(rows, row)
			}
			return rows
		}
		if time.Now().After(deadline) {
			t.Fatalf("query %s: %s", query, out.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// normalise replaces what differs between runs, ids and timings, so that
// the report can be compared with a golden file.
func normalise(report string) string {
	for _, r := range []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`\b(i|subnet|vpc|fl)-[0-9a-f]{8,17}\b`), "$1-<id>"},
		{regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`), "AKIA<id>"},
		{regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ms|s)\b`), "<t>"},
	} {
		report = r.re.ReplaceAllString(report, r.with)
	}
	return report
}

// TestReportGolden pins the report's wording and layout.
func TestReportGolden(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t)
	var report bytes.Buffer
	if _, err := Run(context.Background(), labConfig(sb), &report); err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := normalise(report.String())
	path := filepath.Join("testdata", "report.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s (run with -update to accept):\n%s", path, got)
	}
}

// TestMissedDetection stops the trail before the attack: every detection
// must miss, the Result must say so, and containment still works.
func TestMissedDetection(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t)
	cfg := labConfig(sb)
	cfg.StopLoggingBeforeAttack = true
	cfg.DetectTimeout = time.Second
	var report bytes.Buffer
	res, err := Run(context.Background(), cfg, &report)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Passed() {
		t.Fatalf("a lab with a blind trail passed:\n%s", report.String())
	}
	if len(res.Detections) != 7 || res.DetectionsFired() != 0 {
		t.Errorf("%d of %d detections fired, want none", res.DetectionsFired(), len(res.Detections))
	}
	for _, d := range res.Detections {
		if d.Fired || d.Rows != 0 || d.TimeToDetect != 0 {
			t.Errorf("%s/%s: fired %t with %d rows", d.Source, d.Name, d.Fired, d.Rows)
		}
	}
	if passed, total := res.ChecksPassed(); passed != total || res.TimeToDetect != 0 {
		t.Errorf("%d/%d checks passed, time to detect %v", passed, total, res.TimeToDetect)
	}
	out := report.String()
	for _, s := range []string{"✗ trail irdrill-lab-trail stopped logging before the attack", "did not fire", "0/7 detections fired", "time to detect             never", "FAIL"} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
}

// shiftingClock is a clock that a test can move forward, shared by the
// sandbox and the lab as it would be on one machine.
type shiftingClock struct{ offset atomic.Int64 }

func (c *shiftingClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *shiftingClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// onWrite calls fn the first time the report contains marker.
type onWrite struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	fn     func()
	done   bool
}

func (w *onWrite) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.done && strings.Contains(w.buf.String(), w.marker) {
		w.done = true
		w.fn()
	}
	return len(p), nil
}

// TestDeliveryDelay rehearses AWS's CloudTrail delivery delay: the
// detections poll past the delay (the clock jumps over it once the attack
// is over) and fire, and time-to-detect includes the delay.
func TestDeliveryDelay(t *testing.T) {
	t.Parallel()
	const delay = 15 * time.Minute
	clock := &shiftingClock{}
	sb := sandboxtest.Start(t, func(o *sandbox.Options) {
		o.Clock = clock.now
		o.CloudTrailDeliveryDelay = delay
	})
	cfg := labConfig(sb)
	cfg.Clock = clock.now
	cfg.CloudTrailDeliveryDelay = delay
	cfg.PollInterval = 100 * time.Millisecond
	// The Attack section is written when the attack is over: the wall
	// clock then has seconds to pass before the detections give up, and
	// the fake clock jumps past the delay at once.
	w := &onWrite{marker: "\nAttack (", fn: func() { clock.advance(delay) }}
	res, err := Run(context.Background(), cfg, w)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.Passed() {
		t.Fatalf("lab did not pass:\n%s", w.buf.String())
	}
	if res.TimeToDetect < delay {
		t.Errorf("time to detect %v, shorter than the delivery delay %v", res.TimeToDetect, delay)
	}
	for _, d := range res.Detections {
		if d.Name == "IAM access key" && d.Rows != len(res.AttackCalls) {
			t.Errorf("%s/%s: %d rows after delivery settled, want all %d attacker calls", d.Source, d.Name, d.Rows, len(res.AttackCalls))
		}
	}
}

// TestRunStopsOnCancel ends the context while the detections wait for a
// delivery that will not come in time: Run returns promptly with the
// context's error and what it has done so far.
func TestRunStopsOnCancel(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.CloudTrailDeliveryDelay = time.Hour })
	cfg := labConfig(sb)
	cfg.CloudTrailDeliveryDelay = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &onWrite{marker: "\nAttack (", fn: func() { time.AfterFunc(200*time.Millisecond, cancel) }}
	done := make(chan struct{})
	var res *Result
	var err error
	go func() {
		defer close(done)
		res, err = Run(ctx, cfg, w)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after cancellation")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	if res == nil || len(res.Instances) == 0 || res.DetectionsFired() != 0 {
		t.Errorf("result %+v", res)
	}
}

func ExampleFormatDuration() {
	fmt.Println(FormatDuration(1234567*time.Microsecond), FormatDuration(215400*time.Microsecond))
	// Output: 1.2s 215ms
}
