package sandbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// rawCall signs and sends a request by hand, for the front end's own
// answers that no SDK operation can provoke.
func rawCall(t *testing.T, sb *sandbox.Sandbox, creds aws.Credentials, service, target, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, sb.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	if service == "malformed" {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIRDRILLBOOTSTRAP/20260101, SignedHeaders=host, Signature=00")
		req.Header.Set("X-Amz-Date", "20260101T000000Z")
	} else if creds.AccessKeyID != "" {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestUnknownActionsAndServices(t *testing.T) {
	sb := sandboxtest.Start(t)
	admin := sb.AdminCredentials
	tests := []struct {
		name, service, target, body string
		status                      int
		contains                    []string
	}{
		{"iam unknown action", "iam", "", "Action=StealEverything&Version=2010-05-08", 400,
			[]string{"<ErrorResponse", "<Code>InvalidAction</Code>", "Could not find operation StealEverything for version 2010-05-08", "<RequestId>"}},
		{"ec2 unknown action", "ec2", "", "Action=MineBitcoin&Version=2016-11-15", 400,
			[]string{"<Response><Errors><Error><Code>InvalidAction</Code>", "The action MineBitcoin is not valid for this web service.", "<RequestID>"}},
		{"json unknown operation", "logs", "Logs_20140328.DeleteEverything", "{}", 400,
			[]string{`"__type":"UnknownOperationException"`}},
		{"json wrong prefix", "logs", "Kinesis_20131202.ListStreams", "{}", 400,
			[]string{`"__type":"UnknownOperationException"`}},
		{"missing action", "iam", "", "Version=2010-05-08", 400, []string{"<Code>MissingAction</Code>"}},
		{"unknown service", "quicksight", "", "Action=ListUsers", 400, []string{"<Code>InvalidAction</Code>", "quicksight"}},
		{"unsigned query request", "", "", "Action=ListUsers&Version=2010-05-08", 403, []string{"<Code>MissingAuthenticationToken</Code>"}},
		{"malformed signature", "malformed", "", "Action=ListUsers&Version=2010-05-08", 400, []string{"<Code>IncompleteSignature</Code>", "Credential"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := admin
			if tt.service == "" {
				creds = aws.Credentials{}
			}
			status, body := rawCall(t, sb, creds, tt.service, tt.target, tt.body)
			if status != tt.status {
				t.Errorf("status = %d, want %d; body %s", status, tt.status, body)
			}
			for _, want := range tt.contains {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %q:\n%s", want, body)
				}
			}
		})
	}
}

func TestHealth(t *testing.T) {
	sb := sandboxtest.Start(t)
	resp, err := http.Get(sb.URL + sandbox.HealthPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var health struct {
		Status, Account, Region, Version string
		Services                         []string
	}
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil {
		t.Fatal(err)
	}
	if health.Status != "ok" || health.Account != "999999999999" || health.Region != "us-east-1" || health.Version == "" {
		t.Errorf("health = %+v", health)
	}
	if strings.Join(health.Services, ",") != "cloudtrail,ec2,iam,logs,sts" {
		t.Errorf("services = %v", health.Services)
	}
}

// newUser creates a user with an inline policy and returns its key.
func newUser(t *testing.T, cfg aws.Config, name, policy string) aws.Credentials {
	t.Helper()
	ctx := context.Background()
	client := iam.NewFromConfig(cfg)
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.Credentials{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey)}
}

func eventsNamed(sb *sandbox.Sandbox, region, name string) []cloudtrail.Event {
	var out []cloudtrail.Event
	for _, ev := range sb.Handler().CloudTrail().Events(region) {
		if ev.EventName == name {
			out = append(out, ev)
		}
	}
	return out
}

func TestEnforcementAndKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	adminCfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	creds := newUser(t, adminCfg, "describer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)
	userEC2 := ec2.NewFromConfig(sandboxtest.AWSConfig(t, sb, creds))

	if _, err := userEC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Fatalf("DescribeInstances allowed by ec2:Describe*: %v", err)
	}
	_, err := userEC2.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0c2b8ca1dad447f8a"), InstanceType: ec2types.InstanceTypeT2Nano, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if got := apiCode(err); got != "UnauthorizedOperation" {
		t.Fatalf("RunInstances = %v, want UnauthorizedOperation", err)
	}
	denied := eventsNamed(sb, "us-east-1", "RunInstances")
	if len(denied) != 1 || denied[0].ErrorCode != "Client.UnauthorizedOperation" || denied[0].UserIdentity.UserName != "describer" {
		t.Fatalf("denied RunInstances record = %+v", denied)
	}

	iamAdmin := iam.NewFromConfig(adminCfg)
	if _, err := iamAdmin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("describer"), AccessKeyId: aws.String(creds.AccessKeyID), Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	_, err = userEC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if got := apiCode(err); got != "AuthFailure" {
		t.Fatalf("inactive key on EC2 = %v, want AuthFailure", err)
	}
	_, err = sts.NewFromConfig(sandboxtest.AWSConfig(t, sb, creds)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if got := apiCode(err); got != "InvalidClientTokenId" {
		t.Fatalf("inactive key on STS = %v, want InvalidClientTokenId", err)
	}
	_, err = cloudwatchlogs.NewFromConfig(sandboxtest.AWSConfig(t, sb, creds)).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if got := apiCode(err); got != "UnrecognizedClientException" {
		t.Fatalf("inactive key on Logs = %v, want UnrecognizedClientException", err)
	}
	// The rejected call of a known key is attributed in CloudTrail.
	rejected := eventsNamed(sb, "us-east-1", "DescribeInstances")
	last := rejected[len(rejected)-1]
	if last.ErrorCode != "Client.AuthFailure" || last.UserIdentity.AccessKeyID != creds.AccessKeyID {
		t.Errorf("inactive-key record = %+v", last)
	}

	if _, err := iamAdmin.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("describer"), AccessKeyId: aws.String(creds.AccessKeyID), Status: "Active"}); err != nil {
		t.Fatal(err)
	}
	if _, err := userEC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); err != nil {
		t.Fatalf("reactivated key: %v", err)
	}

	bad := creds
	bad.SecretAccessKey = "not-the-secret-not-the-secret-not-the-se"
	_, err = ec2.NewFromConfig(sandboxtest.AWSConfig(t, sb, bad)).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if got := apiCode(err); got != "SignatureDoesNotMatch" {
		t.Fatalf("bad secret = %v, want SignatureDoesNotMatch", err)
	}

	before := len(sb.Handler().CloudTrail().Events("us-east-1"))
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN77", SecretAccessKey: "x"}
	_, err = ec2.NewFromConfig(sandboxtest.AWSConfig(t, sb, unknown)).DescribeInstances(ctx, &ec2.DescribeInstancesInput{})
	if got := apiCode(err); got != "AuthFailure" {
		t.Fatalf("unknown key = %v, want AuthFailure", err)
	}
	if after := len(sb.Handler().CloudTrail().Events("us-east-1")); after != before {
		t.Errorf("a call with a key no account owns was recorded (%d → %d records)", before, after)
	}
}

func TestSourceIPSimulation(t *testing.T) {
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeRegions","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`
	tests := []struct {
		name      string
		trust     bool
		header    string
		wantIP    string
		wantAllow bool
	}{
		{"trusted header plays the attacker", true, "203.0.113.99", "203.0.113.99", true},
		{"trusted, no header", true, "", "127.0.0.1", false},
		{"untrusted header is ignored", false, "203.0.113.99", "127.0.0.1", false},
		{"garbage header is ignored", true, "not-an-ip", "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.TrustSourceIPHeader = tt.trust })
			creds := newUser(t, sandboxtest.AWSConfig(t, sb, sb.AdminCredentials), "remote", policy)
			var opts []func(*ec2.Options)
			if tt.header != "" {
				opts = append(opts, func(o *ec2.Options) { o.APIOptions = append(o.APIOptions, sandbox.WithSourceIP(tt.header)) })
			}
			_, err := ec2.NewFromConfig(sandboxtest.AWSConfig(t, sb, creds), opts...).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
			if tt.wantAllow && err != nil {
				t.Fatalf("DescribeRegions: %v", err)
			}
			if !tt.wantAllow && apiCode(err) != "UnauthorizedOperation" {
				t.Fatalf("DescribeRegions = %v, want UnauthorizedOperation", err)
			}
			records := eventsNamed(sb, "us-east-1", "DescribeRegions")
			if len(records) != 1 || records[0].SourceIPAddress != tt.wantIP {
				t.Fatalf("records = %+v, want one from %s", records, tt.wantIP)
			}
		})
	}
}

func TestCloudTrailRecordOfRunInstances(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	creds := newUser(t, sandboxtest.AWSConfig(t, sb, sb.AdminCredentials), "pipeline", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)
	client := ec2.NewFromConfig(sandboxtest.AWSConfig(t, sb, creds), func(o *ec2.Options) {
		o.APIOptions = append(o.APIOptions, sandbox.WithSourceIP("203.0.113.99"))
	})
	out, err := client.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0c2b8ca1dad447f8a"), InstanceType: ec2types.InstanceTypeT2Nano, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	records := eventsNamed(sb, "us-east-1", "RunInstances")
	if len(records) != 1 {
		t.Fatalf("%d RunInstances records", len(records))
	}
	raw, _ := json.Marshal(records[0])
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	get := func(path string) any {
		var cur any = rec
		for _, part := range strings.Split(path, ".") {
			switch c := cur.(type) {
			case map[string]any:
				cur = c[part]
			case []any:
				var i int
				fmt.Sscan(part, &i)
				if i >= len(c) {
					return nil
				}
				cur = c[i]
			default:
				return nil
			}
		}
		return cur
	}
	want := map[string]any{
		"eventVersion":                   "1.08",
		"eventSource":                    "ec2.amazonaws.com",
		"awsRegion":                      "us-east-1",
		"sourceIPAddress":                "203.0.113.99",
		"readOnly":                       false,
		"eventType":                      "AwsApiCall",
		"managementEvent":                true,
		"recipientAccountId":             "999999999999",
		"eventCategory":                  "Management",
		"userIdentity.type":              "IAMUser",
		"userIdentity.arn":               "arn:aws:iam::999999999999:user/pipeline",
		"userIdentity.accountId":         "999999999999",
		"userIdentity.accessKeyId":       creds.AccessKeyID,
		"userIdentity.userName":          "pipeline",
		"requestParameters.instanceType": "t2.nano",
		"requestParameters.instancesSet.items.0.imageId":         "ami-0c2b8ca1dad447f8a",
		"responseElements.instancesSet.items.0.instanceId":       aws.ToString(out.Instances[0].InstanceId),
		"responseElements.instancesSet.items.0.privateIpAddress": aws.ToString(out.Instances[0].PrivateIpAddress),
	}
	for path, v := range want {
		if got := get(path); got != v {
			t.Errorf("%s = %v, want %v", path, got, v)
		}
	}
	for _, path := range []string{"eventTime", "eventID", "requestID", "userAgent", "userIdentity.principalId"} {
		if s, _ := get(path).(string); s == "" {
			t.Errorf("%s is empty", path)
		}
	}
	if _, err := time.Parse(time.RFC3339, get("eventTime").(string)); err != nil {
		t.Errorf("eventTime: %v", err)
	}
}

func TestGlobalServicesRecordedInUSEast1(t *testing.T) {
	sb := sandboxtest.Start(t)
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	cfg.Region = "eu-west-1"
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if n := len(eventsNamed(sb, "us-east-1", "GetCallerIdentity")); n != 1 {
		t.Errorf("GetCallerIdentity records in us-east-1 = %d, want 1", n)
	}
	if n := len(eventsNamed(sb, "eu-west-1", "GetCallerIdentity")); n != 0 {
		t.Errorf("GetCallerIdentity records in eu-west-1 = %d, want 0", n)
	}
}

func TestPresignedGetCallerIdentity(t *testing.T) {
	sb := sandboxtest.Start(t)
	req, _ := http.NewRequest(http.MethodGet, sb.URL+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	sum := sha256.Sum256(nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), sb.AdminCredentials, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(signed)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<Arn>arn:aws:iam::999999999999:user/admin</Arn>") {
		t.Fatalf("presigned call: %d %s", resp.StatusCode, body)
	}
	u, _ := url.Parse(signed)
	q := u.Query()
	q.Set("Action", "ListUsers")
	u.RawQuery = q.Encode()
	resp, err = http.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "SignatureDoesNotMatch") {
		t.Fatalf("tampered presigned call: %d %s", resp.StatusCode, body)
	}
}

// TestParallelLoad drives every service from many goroutines; run with
// -race it checks that shared state is safely guarded.
func TestParallelLoad(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	ec2c, iamc, stsc, logsc := ec2.NewFromConfig(cfg), iam.NewFromConfig(cfg), sts.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg)
	if _, err := logsc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("load")}); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				name := fmt.Sprintf("u-%d-%d", w, r)
				steps := []func() error{
					func() error {
						_, err := ec2c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0c2b8ca1dad447f8a"), InstanceType: ec2types.InstanceTypeT2Nano, MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
						return err
					},
					func() error { _, err := ec2c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); return err },
					func() error {
						_, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
						return err
					},
					func() error {
						_, err := iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("deny"), PolicyDocument: aws.String(`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})
						return err
					},
					func() error { _, err := iamc.ListUsers(ctx, &iam.ListUsersInput{}); return err },
					func() error { _, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); return err },
					func() error {
						_, err := logsc.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("load"), LogStreamName: aws.String(name)})
						return err
					},
					func() error {
						_, err := logsc.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("load"), LogStreamName: aws.String(name),
							LogEvents: []cwtypes.InputLogEvent{{Message: aws.String(`{"n":1}`), Timestamp: aws.Int64(time.Now().UnixMilli())}}})
						return err
					},
				}
				for _, step := range steps {
					if err := step(); err != nil {
						errs <- err
						return
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
	if got := len(sb.Handler().EC2().Instances("us-east-1")); got != workers*rounds {
		t.Errorf("%d instances, want %d", got, workers*rounds)
	}
}

// CloudWatch Logs data-plane calls are data events: recorded, but not as
// management events that LookupEvents and default trails return.
func TestLogsDataEventsAreNotManagementEvents(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	logsc := cloudwatchlogs.NewFromConfig(sandboxtest.AWSConfig(t, sb, sb.AdminCredentials))
	if _, err := logsc.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := logsc.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action     string
		management bool
		category   string
	}{
		{"CreateLogGroup", true, "Management"},
		{"FilterLogEvents", false, "Data"},
	}
	for _, tt := range tests {
		records := eventsNamed(sb, "us-east-1", tt.action)
		if len(records) != 1 || records[0].ManagementEvent != tt.management || records[0].EventCategory != tt.category {
			t.Errorf("%s records = %+v, want one with managementEvent %v and category %s", tt.action, records, tt.management, tt.category)
		}
	}
}
