package cloudtrail_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ct "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// These tests drive the CloudTrail API through the real SDK client and the
// sandbox's front end, so that wire shapes (epoch timestamps, error codes,
// member names) are what the SDK's deserializers accept.

func TestSDKLookupEvents(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	logs, trail := cloudwatchlogs.NewFromConfig(cfg), ct.NewFromConfig(cfg)

	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("helpdesk-sdk")}); err != nil {
		t.Fatal(err)
	}
	out, err := trail.LookupEvents(ctx, &ct.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateLogGroup")}},
		StartTime:        aws.Time(time.Now().Add(-time.Hour)),
		EndTime:          aws.Time(time.Now().Add(time.Hour)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("got %d CreateLogGroup events", len(out.Events))
	}
	e := out.Events[0]
	if aws.ToString(e.EventSource) != "logs.amazonaws.com" || aws.ToString(e.ReadOnly) != "false" ||
		aws.ToString(e.AccessKeyId) != sb.AdminCredentials.AccessKeyID || e.EventTime == nil ||
		time.Since(*e.EventTime) > time.Hour {
		t.Errorf("event %+v", e)
	}
	found := false
	for _, r := range e.Resources {
		found = found || (aws.ToString(r.ResourceType) == "AWS::Logs::LogGroup" && aws.ToString(r.ResourceName) == "helpdesk-sdk")
	}
	if !found {
		t.Errorf("resources %+v lack the new log group", e.Resources)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil || rec["eventName"] != "CreateLogGroup" {
		t.Errorf("CloudTrailEvent %q: %v", aws.ToString(e.CloudTrailEvent), err)
	}

	// STS through the global endpoint is a global service: its records
	// live in us-east-1 only, whatever region the client signed for.
	westCfg := cfg.Copy()
	westCfg.Region = "us-west-2"
	if _, err := sts.NewFromConfig(westCfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	byName := []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetCallerIdentity")}}
	wout, err := ct.NewFromConfig(westCfg).LookupEvents(ctx, &ct.LookupEventsInput{LookupAttributes: byName})
	if err != nil {
		t.Fatal(err)
	}
	eout, err := trail.LookupEvents(ctx, &ct.LookupEventsInput{LookupAttributes: byName})
	if err != nil {
		t.Fatal(err)
	}
	if len(wout.Events) != 0 || len(eout.Events) != 1 {
		t.Errorf("GetCallerIdentity seen %d times in us-west-2 and %d in us-east-1; want 0 and 1", len(wout.Events), len(eout.Events))
	}

	_, err = trail.LookupEvents(ctx, &ct.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))})
	var badRange *cttypes.InvalidTimeRangeException
	if !errors.As(err, &badRange) {
		t.Errorf("start after end: %v", err)
	}
	_, err = trail.LookupEvents(ctx, &ct.LookupEventsInput{NextToken: aws.String("garbage")})
	var badToken *cttypes.InvalidNextTokenException
	if !errors.As(err, &badToken) {
		t.Errorf("garbage token: %v", err)
	}
}

func TestSDKLookupEventsPaginator(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	stsc := sts.NewFromConfig(cfg)
	const calls = 120
	for range calls {
		if _, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	p := ct.NewLookupEventsPaginator(ct.NewFromConfig(cfg), &ct.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetCallerIdentity")}},
		MaxResults:       aws.Int32(11),
	})
	seen := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			id := aws.ToString(e.EventId)
			if seen[id] {
				t.Fatalf("event %s returned twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != calls {
		t.Errorf("paged %d GetCallerIdentity events, want %d", len(seen), calls)
	}
}

func TestSDKTrailToCloudWatchLogs(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	trail, logs := ct.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg)

	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("ir-trail")}); err != nil {
		t.Fatal(err)
	}
	group := fmt.Sprintf("arn:aws:logs:us-east-1:%s:log-group:ir-trail:*", sb.AccountID)
	created, err := trail.CreateTrail(ctx, &ct.CreateTrailInput{
		Name: aws.String("ir-trail"), S3BucketName: aws.String("ir-logs"),
		IsMultiRegionTrail: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
		CloudWatchLogsLogGroupArn: aws.String(group),
		CloudWatchLogsRoleArn:     aws.String(fmt.Sprintf("arn:aws:iam::%s:role/CloudTrail_CloudWatchLogs_Role", sb.AccountID)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("arn:aws:cloudtrail:us-east-1:%s:trail/ir-trail", sb.AccountID); aws.ToString(created.TrailARN) != want {
		t.Errorf("TrailARN %s, want %s", aws.ToString(created.TrailARN), want)
	}
	if _, err := trail.StartLogging(ctx, &ct.StartLoggingInput{Name: aws.String("ir-trail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("delivered-group")}); err != nil {
		t.Fatal(err)
	}
	if err := sb.Handler().CloudTrail().Flush(ctx); err != nil {
		t.Fatal(err)
	}

	stream := sb.AccountID + "_CloudTrail_us-east-1"
	got, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String("ir-trail"), LogStreamNames: []string{stream},
		FilterPattern: aws.String(`{ $.eventName = "CreateLogGroup" }`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 1 {
		t.Fatalf("delivered %d CreateLogGroup records to %s", len(got.Events), stream)
	}
	// Only the CreateLogGroup made after StartLogging was delivered.
	var delivered struct {
		EventID           string `json:"eventID"`
		RequestParameters struct {
			LogGroupName string `json:"logGroupName"`
		} `json:"requestParameters"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(got.Events[0].Message)), &delivered); err != nil || delivered.RequestParameters.LogGroupName != "delivered-group" {
		t.Fatalf("delivered %s (%v)", aws.ToString(got.Events[0].Message), err)
	}
	look, err := trail.LookupEvents(ctx, &ct.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventId, AttributeValue: aws.String(delivered.EventID)}},
	})
	if err != nil || len(look.Events) != 1 {
		t.Fatalf("LookupEvents: %v, %+v", err, look)
	}
	if aws.ToString(got.Events[0].Message) != aws.ToString(look.Events[0].CloudTrailEvent) {
		t.Errorf("delivered message differs from CloudTrailEvent:\n%s\n%s", aws.ToString(got.Events[0].Message), aws.ToString(look.Events[0].CloudTrailEvent))
	}

	status, err := trail.GetTrailStatus(ctx, &ct.GetTrailStatusInput{Name: aws.String("ir-trail")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(status.IsLogging) || status.StartLoggingTime == nil || status.LatestCloudWatchLogsDeliveryTime == nil {
		t.Errorf("status %+v", status)
	}
	desc, err := trail.DescribeTrails(ctx, &ct.DescribeTrailsInput{TrailNameList: []string{"ir-trail"}})
	if err != nil || len(desc.TrailList) != 1 || !aws.ToBool(desc.TrailList[0].LogFileValidationEnabled) || aws.ToString(desc.TrailList[0].HomeRegion) != "us-east-1" {
		t.Errorf("DescribeTrails: %v %+v", err, desc)
	}

	_, err = trail.GetTrail(ctx, &ct.GetTrailInput{Name: aws.String("missing")})
	var nf *cttypes.TrailNotFoundException
	if !errors.As(err, &nf) || !strings.Contains(nf.ErrorMessage(), "Unknown trail") {
		t.Errorf("GetTrail missing: %v", err)
	}
	_, err = trail.CreateTrail(ctx, &ct.CreateTrailInput{Name: aws.String("ir-trail"), S3BucketName: aws.String("b")})
	var exists *cttypes.TrailAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate CreateTrail: %v", err)
	}
	if _, err := trail.StopLogging(ctx, &ct.StopLoggingInput{Name: aws.String("ir-trail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := trail.DeleteTrail(ctx, &ct.DeleteTrailInput{Name: aws.String("ir-trail")}); err != nil {
		t.Fatal(err)
	}
	list, err := trail.ListTrails(ctx, &ct.ListTrailsInput{})
	if err != nil || len(list.Trails) != 0 {
		t.Errorf("ListTrails after delete: %v %+v", err, list)
	}
}
