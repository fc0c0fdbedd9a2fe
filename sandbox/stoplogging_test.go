package sandbox_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// CloudTrail captures the StopLogging call before logging stops, so the
// stopped trail still delivers that call's record (the one a "trail
// stopped" detection reads), and nothing made after it.
func TestStoppedTrailDeliversItsStopLoggingRecord(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.CloudTrailDeliveryDelay = 0 })
	admin := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	ic, logs, ct := iam.NewFromConfig(admin), cloudwatchlogs.NewFromConfig(admin), cloudtrail.NewFromConfig(admin)

	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("trail-to-logs"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("trail-to-logs"), PolicyName: aws.String("deliver"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("trail")}); err != nil {
		t.Fatal(err)
	}
	groups, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("trail")})
	if err != nil || len(groups.LogGroups) != 1 {
		t.Fatalf("describe log groups: %v", err)
	}
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String("trail-bucket"),
		CloudWatchLogsLogGroupArn: groups.LogGroups[0].Arn, CloudWatchLogsRoleArn: role.Role.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("main")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after-the-stop")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(admin).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}

	var names []string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		names = names[:0]
		out, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("trail"),
			FilterPattern: aws.String(`{ $.eventSource = "cloudtrail.amazonaws.com" || $.eventSource = "iam.amazonaws.com" }`)})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.Events {
			names = append(names, eventName(t, aws.ToString(e.Message)))
		}
		if slices.Contains(names, "StopLogging") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !slices.Contains(names, "StopLogging") {
		t.Fatalf("the stopped trail did not deliver its StopLogging record; delivered %v", names)
	}
	if slices.Contains(names, "CreateUser") {
		t.Errorf("the stopped trail delivered a call made after StopLogging: %v", names)
	}
}

func eventName(t *testing.T, record string) string {
	t.Helper()
	var r struct {
		EventName string `json:"eventName"`
	}
	if err := json.Unmarshal([]byte(record), &r); err != nil {
		t.Fatalf("delivered record %q: %v", record, err)
	}
	return r.EventName
}
