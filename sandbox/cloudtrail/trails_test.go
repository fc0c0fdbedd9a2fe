package cloudtrail

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

const (
	logGroupARN = "arn:aws:logs:us-east-1:999999999999:log-group:ir-trail:*"
	cwRoleARN   = "arn:aws:iam::999999999999:role/CloudTrailToCloudWatch"
)

type trailResp struct {
	Name                       string
	S3BucketName               string
	IncludeGlobalServiceEvents bool
	IsMultiRegionTrail         bool
	HomeRegion                 string
	TrailARN                   string
	LogFileValidationEnabled   bool
	CloudWatchLogsLogGroupArn  string
	CloudWatchLogsRoleArn      string
	HasCustomEventSelectors    *bool
}

type statusResp struct {
	IsLogging                         bool
	LatestDeliveryTime                *float64
	StartLoggingTime                  *float64
	StopLoggingTime                   *float64
	LatestCloudWatchLogsDeliveryTime  *float64
	LatestCloudWatchLogsDeliveryError string
	TimeLoggingStarted                string
	TimeLoggingStopped                string
}

func TestCreateTrail(t *testing.T) {
	f := newFixture(t, 0)
	var got trailResp
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"ir-trail","S3BucketName":"ir-logs","IsMultiRegionTrail":true,"EnableLogFileValidation":true,
		"CloudWatchLogsLogGroupArn":"`+logGroupARN+`","CloudWatchLogsRoleArn":"`+cwRoleARN+`","TagsList":[{"Key":"case","Value":"IR-1"}]}`, &got)
	want := trailResp{
		Name: "ir-trail", S3BucketName: "ir-logs", IncludeGlobalServiceEvents: true, IsMultiRegionTrail: true,
		TrailARN: "arn:aws:cloudtrail:us-east-1:999999999999:trail/ir-trail", LogFileValidationEnabled: true,
		CloudWatchLogsLogGroupArn: logGroupARN, CloudWatchLogsRoleArn: cwRoleARN,
	}
	if got != want {
		t.Errorf("CreateTrail = %+v\nwant %+v", got, want)
	}
	// A new trail does not log until StartLogging.
	var st statusResp
	f.mustCall("us-east-1", "GetTrailStatus", `{"Name":"ir-trail"}`, &st)
	if st.IsLogging || st.StartLoggingTime != nil {
		t.Errorf("new trail status = %+v", st)
	}
}

func TestCreateTrailErrors(t *testing.T) {
	f := newFixture(t, 0)
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"taken","S3BucketName":"b"}`, nil)
	f.mustCall("us-west-2", "CreateTrail", `{"Name":"global","S3BucketName":"b","IsMultiRegionTrail":true}`, nil)
	tests := []struct {
		name, region, body, code, message string
	}{
		{"exists", "us-east-1", `{"Name":"taken","S3BucketName":"b"}`, "TrailAlreadyExistsException", "Trail taken already exists for customer: 999999999999"},
		{"multi-region name taken elsewhere", "eu-west-1", `{"Name":"global","S3BucketName":"b"}`, "TrailAlreadyExistsException", ""},
		{"missing name", "us-east-1", `{"S3BucketName":"b"}`, "InvalidParameterException", ""},
		{"missing bucket", "us-east-1", `{"Name":"abc"}`, "InvalidParameterException", ""},
		{"empty bucket", "us-east-1", `{"Name":"abc","S3BucketName":""}`, "InvalidS3BucketNameException", ""},
		{"too short", "us-east-1", `{"Name":"ab","S3BucketName":"b"}`, "InvalidTrailNameException", "Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters."},
		{"too long", "us-east-1", `{"Name":"` + strings.Repeat("a", 129) + `","S3BucketName":"b"}`, "InvalidTrailNameException", ""},
		{"bad char", "us-east-1", `{"Name":"my trail","S3BucketName":"b"}`, "InvalidTrailNameException", ""},
		{"starts with dash", "us-east-1", `{"Name":"-trail","S3BucketName":"b"}`, "InvalidTrailNameException", "Trail name must starts with a letter or number."},
		{"ends with dot", "us-east-1", `{"Name":"trail.","S3BucketName":"b"}`, "InvalidTrailNameException", "Trail name must ends with a letter or number."},
		{"adjacent punctuation", "us-east-1", `{"Name":"my-_trail","S3BucketName":"b"}`, "InvalidTrailNameException", ""},
		{"double dash", "us-east-1", `{"Name":"my--trail","S3BucketName":"b"}`, "InvalidTrailNameException", ""},
		{"ip address", "us-east-1", `{"Name":"192.168.5.4","S3BucketName":"b"}`, "InvalidTrailNameException", ""},
		{"log group without role", "us-east-1", `{"Name":"abc","S3BucketName":"b","CloudWatchLogsLogGroupArn":"` + logGroupARN + `"}`, "InvalidCloudWatchLogsRoleArnException", ""},
		{"role without log group", "us-east-1", `{"Name":"abc","S3BucketName":"b","CloudWatchLogsRoleArn":"` + cwRoleARN + `"}`, "InvalidCloudWatchLogsLogGroupArnException", ""},
		{"log group ARN without :*", "us-east-1", `{"Name":"abc","S3BucketName":"b","CloudWatchLogsLogGroupArn":"arn:aws:logs:us-east-1:999999999999:log-group:x","CloudWatchLogsRoleArn":"` + cwRoleARN + `"}`, "InvalidCloudWatchLogsLogGroupArnException", ""},
		{"bad role ARN", "us-east-1", `{"Name":"abc","S3BucketName":"b","CloudWatchLogsLogGroupArn":"` + logGroupARN + `","CloudWatchLogsRoleArn":"role"}`, "InvalidCloudWatchLogsRoleArnException", ""},
		{"multi-region without global events", "us-east-1", `{"Name":"abc","S3BucketName":"b","IsMultiRegionTrail":true,"IncludeGlobalServiceEvents":false}`, "InvalidParameterCombinationException", ""},
		{"bad tag", "us-east-1", `{"Name":"abc","S3BucketName":"b","TagsList":[{"Value":"x"}]}`, "InvalidTagParameterException", ""},
		{"wrong type", "us-east-1", `{"Name":"abc","S3BucketName":"b","IsMultiRegionTrail":"yes"}`, "SerializationException", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := f.wantErr(tc.region, "CreateTrail", tc.body, tc.code)
			if tc.message != "" && err.Message != tc.message {
				t.Errorf("message %q, want %q", err.Message, tc.message)
			}
		})
	}
	// Same-name single-region trails may live in different regions.
	f.mustCall("us-west-2", "CreateTrail", `{"Name":"taken","S3BucketName":"b"}`, nil)
}

func TestTrailNotFound(t *testing.T) {
	f := newFixture(t, 0)
	for _, action := range []string{"GetTrail", "GetTrailStatus", "StartLogging", "StopLogging", "DeleteTrail", "UpdateTrail"} {
		t.Run(action, func(t *testing.T) {
			err := f.wantErr("us-east-1", action, `{"Name":"nope"}`, "TrailNotFoundException")
			want := "Unknown trail: arn:aws:cloudtrail:us-east-1:999999999999:trail/nope for the user: 999999999999"
			if err.Message != want {
				t.Errorf("message %q, want %q", err.Message, want)
			}
		})
	}
	f.wantErr("us-east-1", "GetEventSelectors", `{"TrailName":"nope"}`, "TrailNotFoundException")
	f.wantErr("us-east-1", "GetTrail", `{"Name":"arn:aws:cloudtrail:us-east-1:999999999999:trail/nope"}`, "TrailNotFoundException")
	f.wantErr("us-east-1", "GetTrail", `{"Name":"arn:aws:cloudtrail:us-east-1:999:trail/nope"}`, "CloudTrailARNInvalidException")
	f.wantErr("us-east-1", "GetTrail", `{"Name":"arn:aws:s3:::bucket"}`, "CloudTrailARNInvalidException")
	f.wantErr("us-east-1", "GetTrail", `{"Name":"x"}`, "InvalidTrailNameException")
	f.wantErr("us-east-1", "GetTrail", `{}`, "InvalidParameterException")
}

func TestTrailLifecycle(t *testing.T) {
	f := newFixture(t, 0)
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"home","S3BucketName":"b"}`, nil)
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"everywhere","S3BucketName":"b","IsMultiRegionTrail":true}`, nil)
	f.mustCall("us-west-2", "CreateTrail", `{"Name":"west","S3BucketName":"b"}`, nil)

	names := func(region, body string) []string {
		var out struct{ TrailList []trailResp }
		f.mustCall(region, "DescribeTrails", body, &out)
		var n []string
		for _, tr := range out.TrailList {
			n = append(n, tr.Name+"@"+tr.HomeRegion)
		}
		return n
	}
	describe := []struct {
		region, body string
		want         []string
	}{
		{"us-east-1", `{}`, []string{"home@us-east-1", "everywhere@us-east-1"}},
		{"us-west-2", `{}`, []string{"everywhere@us-east-1", "west@us-west-2"}},
		{"us-west-2", `{"includeShadowTrails":false}`, []string{"west@us-west-2"}},
		{"us-east-1", `{"trailNameList":["home","missing"]}`, []string{"home@us-east-1"}},
		{"us-west-2", `{"trailNameList":["arn:aws:cloudtrail:us-east-1:999999999999:trail/everywhere"]}`, []string{"everywhere@us-east-1"}},
		{"us-east-1", `{"trailNameList":["west"]}`, nil},
	}
	for _, tc := range describe {
		if got := names(tc.region, tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("DescribeTrails in %s %s = %v, want %v", tc.region, tc.body, got, tc.want)
		}
	}
	f.wantErr("us-east-1", "DescribeTrails", `{"trailNameList":["a"]}`, "InvalidTrailNameException")

	var list struct {
		Trails []struct{ TrailARN, Name, HomeRegion string }
	}
	f.mustCall("eu-west-1", "ListTrails", `{}`, &list)
	if len(list.Trails) != 3 || list.Trails[2].Name != "west" || list.Trails[2].HomeRegion != "us-west-2" {
		t.Errorf("ListTrails = %+v", list.Trails)
	}

	var got struct{ Trail trailResp }
	f.mustCall("us-west-2", "GetTrail", `{"Name":"everywhere"}`, &got)
	if got.Trail.HomeRegion != "us-east-1" || got.Trail.HasCustomEventSelectors == nil || *got.Trail.HasCustomEventSelectors {
		t.Errorf("GetTrail shadow = %+v", got.Trail)
	}

	// Changes must come from the home region.
	for _, action := range []string{"StartLogging", "StopLogging", "DeleteTrail", "UpdateTrail"} {
		f.wantErr("us-west-2", action, `{"Name":"everywhere"}`, "InvalidHomeRegionException")
	}

	f.mustCall("us-east-1", "StartLogging", `{"Name":"home"}`, nil)
	started := f.clock.Now()
	f.clock.Advance(time.Minute)
	var st statusResp
	f.mustCall("us-east-1", "GetTrailStatus", `{"Name":"arn:aws:cloudtrail:us-east-1:999999999999:trail/home"}`, &st)
	if !st.IsLogging || st.StartLoggingTime == nil || int64(*st.StartLoggingTime) != started.Unix() || st.TimeLoggingStarted != "2026-03-14T09:26:53Z" {
		t.Errorf("after StartLogging: %+v", st)
	}
	f.mustCall("us-east-1", "StopLogging", `{"Name":"home"}`, nil)
	f.mustCall("us-east-1", "GetTrailStatus", `{"Name":"home"}`, &st)
	if st.IsLogging || st.StopLoggingTime == nil || int64(*st.StopLoggingTime) != f.clock.Now().Unix() {
		t.Errorf("after StopLogging: %+v", st)
	}

	f.mustCall("us-east-1", "UpdateTrail", `{"Name":"home","CloudWatchLogsLogGroupArn":"`+logGroupARN+`","CloudWatchLogsRoleArn":"`+cwRoleARN+`","IncludeGlobalServiceEvents":false}`, &got.Trail)
	if got.Trail.CloudWatchLogsLogGroupArn != logGroupARN || got.Trail.IncludeGlobalServiceEvents {
		t.Errorf("UpdateTrail = %+v", got.Trail)
	}
	f.wantErr("us-east-1", "UpdateTrail", `{"Name":"home","CloudWatchLogsRoleArn":""}`, "InvalidCloudWatchLogsRoleArnException")
	var cleared trailResp
	f.mustCall("us-east-1", "UpdateTrail", `{"Name":"home","CloudWatchLogsLogGroupArn":"","CloudWatchLogsRoleArn":""}`, &cleared)
	if cleared.CloudWatchLogsLogGroupArn != "" || cleared.CloudWatchLogsRoleArn != "" || cleared.Name != "home" {
		t.Errorf("UpdateTrail did not clear CloudWatch Logs: %+v", cleared)
	}
	f.wantErr("us-east-1", "UpdateTrail", `{"Name":"home","IsMultiRegionTrail":true}`, "InvalidParameterCombinationException")

	f.mustCall("us-east-1", "DeleteTrail", `{"Name":"home"}`, nil)
	f.wantErr("us-east-1", "GetTrail", `{"Name":"home"}`, "TrailNotFoundException")
	if got := names("us-east-1", `{}`); !slices.Equal(got, []string{"everywhere@us-east-1"}) {
		t.Errorf("after delete: %v", got)
	}
}

func TestEventSelectorsAPI(t *testing.T) {
	f := newFixture(t, 0)
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"sel","S3BucketName":"b"}`, nil)
	var out struct {
		TrailARN       string
		EventSelectors []struct {
			ReadWriteType           string
			IncludeManagementEvents bool
		}
		AdvancedEventSelectors []advancedEventSelector
	}
	f.mustCall("us-east-1", "GetEventSelectors", `{"TrailName":"sel"}`, &out)
	if len(out.EventSelectors) != 1 || out.EventSelectors[0].ReadWriteType != "All" || !out.EventSelectors[0].IncludeManagementEvents {
		t.Errorf("default selectors = %+v", out)
	}
	f.mustCall("us-east-1", "PutEventSelectors", `{"TrailName":"sel","EventSelectors":[{"ReadWriteType":"WriteOnly","IncludeManagementEvents":true}]}`, nil)
	f.mustCall("us-east-1", "GetEventSelectors", `{"TrailName":"sel"}`, &out)
	if len(out.EventSelectors) != 1 || out.EventSelectors[0].ReadWriteType != "WriteOnly" {
		t.Errorf("after put = %+v", out)
	}
	var got struct{ Trail trailResp }
	f.mustCall("us-east-1", "GetTrail", `{"Name":"sel"}`, &got)
	if got.Trail.HasCustomEventSelectors == nil || !*got.Trail.HasCustomEventSelectors {
		t.Errorf("HasCustomEventSelectors not set: %+v", got.Trail)
	}
	for _, body := range []string{
		`{"TrailName":"sel","EventSelectors":[{"ReadWriteType":"Sometimes"}]}`,
		`{"TrailName":"sel","EventSelectors":[{},{},{},{},{},{}]}`,
		`{"TrailName":"sel","AdvancedEventSelectors":[{"FieldSelectors":[]}]}`,
		`{"TrailName":"sel","AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"nonsense","Equals":["x"]}]}]}`,
	} {
		f.wantErr("us-east-1", "PutEventSelectors", body, "InvalidEventSelectorsException")
	}
	f.wantErr("us-east-1", "PutEventSelectors", `{"TrailName":"sel"}`, "InvalidParameterCombinationException")
	f.wantErr("us-east-1", "PutEventSelectors", `{"TrailName":"sel","EventSelectors":[],"AdvancedEventSelectors":[]}`, "InvalidParameterCombinationException")
}

func TestAuthorization(t *testing.T) {
	f := newFixture(t, 0)
	f.mustCall("us-east-1", "CreateTrail", `{"Name":"guarded","S3BucketName":"b"}`, nil)
	actions := []struct{ action, body string }{
		{"LookupEvents", `{}`},
		{"CreateTrail", `{"Name":"other","S3BucketName":"b"}`},
		{"DescribeTrails", `{}`},
		{"GetTrail", `{"Name":"guarded"}`},
		{"GetTrailStatus", `{"Name":"guarded"}`},
		{"StartLogging", `{"Name":"guarded"}`},
		{"StopLogging", `{"Name":"guarded"}`},
		{"UpdateTrail", `{"Name":"guarded"}`},
		{"DeleteTrail", `{"Name":"guarded"}`},
		{"ListTrails", `{}`},
		{"PutEventSelectors", `{"TrailName":"guarded","EventSelectors":[]}`},
		{"GetEventSelectors", `{"TrailName":"guarded"}`},
	}
	for _, tc := range actions {
		t.Run(tc.action, func(t *testing.T) {
			f.authz = allow{deny: map[string]bool{"cloudtrail:" + tc.action: true}}
			defer func() { f.authz = allow{} }()
			err := f.wantErr("us-east-1", tc.action, tc.body, "AccessDeniedException")
			if !strings.Contains(err.Message, "cloudtrail:"+tc.action) {
				t.Errorf("message %q does not name the action", err.Message)
			}
		})
	}
	// Resource-level: the trail's ARN is what gets authorised.
	var seen []string
	c := api.NewCall(f.svc, "GetTrail", pipelineUser, recordingAuthz{&seen})
	c.Region, c.Body = "us-east-1", []byte(`{"Name":"guarded"}`)
	if _, err := f.svc.Handle(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if want := []string{"cloudtrail:GetTrail arn:aws:cloudtrail:us-east-1:999999999999:trail/guarded"}; !slices.Equal(seen, want) {
		t.Errorf("authorised %v, want %v", seen, want)
	}
	f.wantErr("us-east-1", "Bogus", `{}`, "UnknownOperationException")
}

type recordingAuthz struct{ seen *[]string }

func (r recordingAuthz) Authorize(_ context.Context, req api.AuthzRequest) api.Decision {
	*r.seen = append(*r.seen, fmt.Sprint(req.Action, " ", req.Resource))
	return api.Allow
}
