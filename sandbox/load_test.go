package sandbox_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// TestSixtyFourClientsLoseNothing is the probe's 64-client load, shortened
// for CI: every client writes log events and makes IAM, STS and EC2 calls
// at once, and afterwards every read path returns every event written, and
// CloudTrail holds a record of every call.
func TestSixtyFourClientsLoseNothing(t *testing.T) {
	const clients, rounds, perPut = 64, 6, 10
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	transport := awshttp.NewBuildableClient().GetTransport()
	transport.MaxIdleConnsPerHost = clients
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	cfg.HTTPClient = &http.Client{Transport: sandboxtest.IsolateRequestBodies(transport)}
	lg, ec2c, iamc, stsc := cloudwatchlogs.NewFromConfig(cfg), ec2.NewFromConfig(cfg), iam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
	const group = "load"
	if _, err := lg.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Minute).UnixMilli()
	var wg sync.WaitGroup
	errs := make(chan error, clients*rounds*4)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("client-%02d", c)
			if _, err := lg.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
				errs <- err
				return
			}
			for r := range rounds {
				events := make([]cwtypes.InputLogEvent, perPut)
				for i := range events {
					events[i] = cwtypes.InputLogEvent{Timestamp: aws.Int64(base + int64(r*perPut+i)), Message: aws.String(fmt.Sprintf(`{"client":%d,"seq":%d}`, c, r*perPut+i))}
				}
				calls := []func() error{
					func() error {
						_, err := lg.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events})
						return err
					},
					func() error { _, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err },
					func() error { _, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); return err },
					func() error { _, err := iamc.ListUsers(ctx, &iam.ListUsersInput{}); return err },
				}
				for _, call := range calls {
					if err := call(); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	const written = clients * rounds * perPut

	// GetLogEvents, stream by stream, every page.
	got := 0
	for c := range clients {
		p := cloudwatchlogs.NewGetLogEventsPaginator(lg, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(fmt.Sprintf("client-%02d", c)), StartFromHead: aws.Bool(true)})
		seen := map[string]bool{}
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Events) == 0 {
				break
			}
			for _, e := range out.Events {
				seen[aws.ToString(e.Message)] = true
			}
		}
		got += len(seen)
	}
	if got != written {
		t.Errorf("GetLogEvents read %d events, %d were written", got, written)
	}
	// FilterLogEvents over the group, every page.
	filtered := 0
	fp := cloudwatchlogs.NewFilterLogEventsPaginator(lg, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	for fp.HasMorePages() {
		out, err := fp.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		filtered += len(out.Events)
	}
	if filtered != written {
		t.Errorf("FilterLogEvents read %d events, %d were written", filtered, written)
	}
	// Logs Insights.
	started, err := lg.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String(group), QueryString: aws.String("stats count(*) as n, count_distinct(client) as c"),
		StartTime: aws.Int64(base/1000 - 60), EndTime: aws.Int64(time.Now().Unix() + 60)})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(guard); ; time.Sleep(time.Millisecond) {
		out, err := lg.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status == cwtypes.QueryStatusComplete {
			row := map[string]string{}
			for _, f := range out.Results[0] {
				row[aws.ToString(f.Field)] = aws.ToString(f.Value)
			}
			if row["n"] != fmt.Sprint(written) || row["c"] != fmt.Sprint(clients) {
				t.Errorf("Insights counted %v, %d events from %d clients were written", row, written, clients)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("query still %s", out.Status)
		}
	}
	// CloudTrail recorded every call.
	counts := map[string]int{}
	for _, ev := range sb.Handler().CloudTrail().Events("us-east-1") {
		counts[ev.EventName]++
	}
	for _, name := range []string{"PutLogEvents", "GetCallerIdentity", "DescribeInstances", "ListUsers"} {
		if counts[name] != clients*rounds {
			t.Errorf("%d %s records, want %d", counts[name], name, clients*rounds)
		}
	}
}

// TestRegionFloodHeapIsBounded: 200 requests whose scope names a 200 KB
// region, with the printed bootstrap key ID and a wrong secret, leave the
// heap as it was (they once kept about 100 MB).
func TestRegionFloodHeapIsBounded(t *testing.T) {
	sb := sandboxtest.Start(t)
	wrong := aws.Credentials{AccessKeyID: sandbox.DefaultAdminAccessKeyID, SecretAccessKey: "not-the-bootstrap-secret"}
	calls := []craft{
		{service: "iam", body: "Action=ListUsers&Version=2010-05-08"},
		{service: "sts", body: "Action=GetCallerIdentity&Version=2011-06-15"},
		{service: "ec2", body: "Action=DescribeVpcs&Version=2016-11-15"},
		{service: "logs", target: "Logs_20140328.DescribeLogGroups", body: "{}"},
		{service: "cloudtrail", target: "CloudTrail_20131101.DescribeTrails", body: "{}"},
	}
	before := heapInUse()
	for i := range 200 {
		c := calls[i%len(calls)]
		c.region = strings.Repeat(string(rune('a'+i%26)), 200<<10)
		if status, _ := c.send(t, sb, wrong); status < 400 {
			t.Fatalf("request %d was served", i)
		}
	}
	growth := heapInUse() - before
	if growth > 8<<20 {
		t.Fatalf("the heap grew by %d MiB after the flood", growth>>20)
	}
}

func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
