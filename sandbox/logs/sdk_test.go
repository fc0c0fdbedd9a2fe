package logs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/irdrill/irdrill/sandbox/api"
)

// jsonFrontEnd is the smallest awsJson1.1 front end that lets the SDK's
// own deserializers check the service's result and error shapes without
// the sandbox's SigV4 and IAM layers (which have their own tests).
func jsonFrontEnd(t *testing.T, svc *Service) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		action := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), svc.TargetPrefix()+".")
		call := api.NewCall(svc, action, &api.Principal{Type: api.PrincipalRoot, ARN: "arn:aws:iam::999999999999:root", AccountID: testAccount}, nil)
		call.Region, call.AccountID, call.Time, call.Body = testRegion, testAccount, time.Now(), body
		res, err := svc.Handle(r.Context(), call)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if err != nil {
			apiErr := api.AsError(err)
			out := map[string]any{"__type": apiErr.Code, "message": apiErr.Message}
			var extra interface{ ErrorFields() map[string]any }
			if errors.As(err, &extra) {
				for k, v := range extra.ErrorFields() {
					out[k] = v
				}
			}
			w.Header().Set("X-Amzn-Errortype", apiErr.Code)
			w.WriteHeader(apiErr.HTTPStatus)
			_ = json.NewEncoder(w).Encode(out)
			return
		}
		if err := json.NewEncoder(w).Encode(res); err != nil {
			t.Errorf("encode %s: %v", action, err)
		}
	}))
}

func TestSDKClient(t *testing.T) {
	svc := New(Config{AccountID: testAccount})
	srv := jsonFrontEnd(t, svc)
	defer srv.Close()
	client := cwl.NewFromConfig(aws.Config{
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/irdrill/sdk")})
	must(err)
	_, err = client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("/irdrill/sdk")})
	var exists *cwltypes.ResourceAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("duplicate group: %v", err)
	}
	_, err = client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("/irdrill/sdk"), LogStreamName: aws.String("s")})
	must(err)
	now := time.Now().UnixMilli()
	put, err := client.PutLogEvents(ctx, &cwl.PutLogEventsInput{
		LogGroupName: aws.String("/irdrill/sdk"), LogStreamName: aws.String("s"),
		LogEvents: []cwltypes.InputLogEvent{
			{Timestamp: aws.Int64(now - 20*24*3600*1000), Message: aws.String("ancient")},
			{Timestamp: aws.Int64(now - 1000), Message: aws.String(`{"eventName":"ListBuckets","errorCode":"AccessDenied"}`)},
			{Timestamp: aws.Int64(now), Message: aws.String(`{"eventName":"GetCallerIdentity"}`)},
		},
	})
	must(err)
	if put.RejectedLogEventsInfo == nil || aws.ToInt32(put.RejectedLogEventsInfo.TooOldLogEventEndIndex) != 1 {
		t.Errorf("rejected %+v", put.RejectedLogEventsInfo)
	}

	groups, err := client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	must(err)
	if len(groups.LogGroups) != 1 || aws.ToString(groups.LogGroups[0].Arn) != "arn:aws:logs:us-east-1:999999999999:log-group:/irdrill/sdk:*" {
		t.Errorf("groups %+v", groups.LogGroups)
	}

	paginator := cwl.NewFilterLogEventsPaginator(client, &cwl.FilterLogEventsInput{LogGroupName: aws.String("/irdrill/sdk"), Limit: aws.Int32(1)})
	var msgs []string
	for paginator.HasMorePages() {
		page, err := paginator.NextPage(ctx)
		must(err)
		for _, e := range page.Events {
			msgs = append(msgs, aws.ToString(e.Message))
		}
	}
	if len(msgs) != 2 {
		t.Errorf("filtered %v", msgs)
	}

	events, err := client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/irdrill/sdk"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	must(err)
	if len(events.Events) != 2 || !strings.HasPrefix(aws.ToString(events.NextForwardToken), "f/") {
		t.Errorf("events %+v", events)
	}

	q, err := client.StartQuery(ctx, &cwl.StartQueryInput{
		LogGroupName: aws.String("/irdrill/sdk"), StartTime: aws.Int64(now/1000 - 60), EndTime: aws.Int64(now / 1000),
		QueryString: aws.String(`filter errorCode = "AccessDenied" | fields eventName`),
	})
	must(err)
	// GetQueryResults answers at once; poll as clients do.
	var res *cwl.GetQueryResultsOutput
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		res, err = client.GetQueryResults(ctx, &cwl.GetQueryResultsInput{QueryId: q.QueryId})
		must(err)
		if (res.Status != cwltypes.QueryStatusScheduled && res.Status != cwltypes.QueryStatusRunning) || time.Now().After(deadline) {
			break
		}
	}
	if res.Status != cwltypes.QueryStatusComplete || len(res.Results) != 1 || res.Statistics == nil || res.Statistics.RecordsScanned != 2 {
		t.Fatalf("results %+v", res)
	}
	var ptr string
	for _, f := range res.Results[0] {
		if aws.ToString(f.Field) == "@ptr" {
			ptr = aws.ToString(f.Value)
		}
	}
	rec, err := client.GetLogRecord(ctx, &cwl.GetLogRecordInput{LogRecordPointer: aws.String(ptr)})
	must(err)
	if rec.LogRecord["eventName"] != "ListBuckets" {
		t.Errorf("record %v", rec.LogRecord)
	}

	_, err = client.StartQuery(ctx, &cwl.StartQueryInput{
		LogGroupName: aws.String("/irdrill/sdk"), StartTime: aws.Int64(1), EndTime: aws.Int64(2), QueryString: aws.String("fields | x"),
	})
	var malformed *cwltypes.MalformedQueryException
	if !errors.As(err, &malformed) || malformed.QueryCompileError == nil || malformed.QueryCompileError.Location == nil ||
		malformed.QueryCompileError.Location.StartCharOffset == nil {
		t.Errorf("malformed query: %v", err)
	}
	_, err = client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("/irdrill/sdk"), LogStreamName: aws.String("nope")})
	var notFound *cwltypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("missing stream: %v", err)
	}
}
