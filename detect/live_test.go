package detect

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// TestLiveSourceLogs runs Insights queries and filter patterns through
// CloudWatch Logs' API on the embedded sandbox.
func TestLiveSourceLogs(t *testing.T) {
	ctx := context.Background()
	sb := sandboxtest.Start(t)
	cfg := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	group, stream := "irdrill-test/cloudtrail", "999999999999_CloudTrail_us-east-1"
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var events []cwltypes.InputLogEvent
	for i, name := range []string{"ListUsers", "CreateUser", "RunInstances", "ListRoles"} {
		msg := `{"eventName":"` + name + `","sourceIPAddress":"203.0.113.99"`
		if i < 2 {
			msg += `,"errorCode":"AccessDenied"`
		}
		events = append(events, cwltypes.InputLogEvent{Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Second).UnixMilli()), Message: aws.String(msg + "}")})
	}
	if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events}); err != nil {
		t.Fatal(err)
	}
	src := NewLiveSource(cfg, map[Role]string{RoleCloudTrail: group})
	src.QueryPoll = 10 * time.Millisecond

	rows, err := src.Query(ctx, RoleCloudTrail, `filter errorCode like /Denied/ | fields eventName`, Window{Start: base, End: base.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Errorf("Query: %d rows, want 2: %v", len(rows), rows)
	}
	// The window is widened to whole seconds, as StartQuery takes them.
	rows, err = src.Query(ctx, RoleCloudTrail, `fields eventName`, Window{Start: base.Add(1500 * time.Millisecond), End: base.Add(2500 * time.Millisecond)})
	if err != nil || len(rows) != 2 {
		t.Errorf("windowed Query: %v, %v; want CreateUser and RunInstances", rows, err)
	}
	got, err := src.FilterLogEvents(ctx, RoleCloudTrail, "AccessDenied", Window{Start: base})
	if err != nil || len(got) != 2 || got[0].LogStream != stream || !got[0].Timestamp.Equal(base) || !strings.Contains(got[0].Message, "ListUsers") {
		t.Errorf("FilterLogEvents = %+v, %v", got, err)
	}
	all, err := src.FilterLogEvents(ctx, RoleCloudTrail, "", Window{Start: base, End: base.Add(2 * time.Second)})
	if err != nil || len(all) != 3 {
		t.Errorf("FilterLogEvents over a window: %d, %v", len(all), err)
	}
	if _, err := src.Query(ctx, RoleDNS, "fields @message", Window{}); err == nil || !strings.Contains(err.Error(), "no log group for DNS query logs") {
		t.Errorf("Query of a role without a group: %v", err)
	}

	// Record writes what the live source holds as fixtures, and the
	// fixtures answer the same.
	dir := t.TempDir()
	if err := Record(ctx, src, dir, []Role{RoleCloudTrail, RoleVPCFlow}, Window{Start: base, End: base.Add(time.Minute)}, Recording{Description: "live"}); err != nil {
		t.Fatal(err)
	}
	fx, _ := OpenFixtures(dir)
	again, err := fx.FilterLogEvents(ctx, RoleCloudTrail, "AccessDenied", Window{})
	if err != nil || len(again) != 2 || again[1].Message != got[1].Message || fx.Has(RoleVPCFlow) {
		t.Errorf("recorded fixtures: %v, %v", again, err)
	}
}

// fakeGuardDuty serves ListDetectors, ListFindings (two pages) and
// GetFindings over REST-JSON, and keeps the ListFindings bodies it got.
type fakeGuardDuty struct {
	mu       sync.Mutex
	findings map[string]string
	lists    []map[string]any
}

func (g *fakeGuardDuty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/detector":
		io.WriteString(w, `{"detectorIds":["d1"]}`)
	case r.Method == http.MethodPost && r.URL.Path == "/detector/d1/findings":
		var in map[string]any
		json.Unmarshal(body, &in)
		g.mu.Lock()
		g.lists = append(g.lists, in)
		g.mu.Unlock()
		if in["nextToken"] == nil {
			io.WriteString(w, `{"findingIds":["a"],"nextToken":"page2"}`)
		} else {
			io.WriteString(w, `{"findingIds":["b","c"]}`)
		}
	case r.Method == http.MethodPost && r.URL.Path == "/detector/d1/findings/get":
		var in struct {
			FindingIDs []string `json:"findingIds"`
		}
		json.Unmarshal(body, &in)
		var out []string
		for _, id := range in.FindingIDs {
			out = append(out, g.findings[id])
		}
		io.WriteString(w, `{"findings":[`+strings.Join(out, ",")+`]}`)
	default:
		w.Header().Set("X-Amzn-ErrorType", "BadRequestException")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"message":"unexpected `+r.Method+" "+r.URL.Path+`"}`)
	}
}

func TestLiveSourceFindings(t *testing.T) {
	g := &fakeGuardDuty{findings: map[string]string{
		"a": `{"id":"a","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":8,"updatedAt":"2021-07-29T01:45:00.000Z","resource":{"instanceDetails":{"instanceId":"i-1"}}}`,
		"b": `{"id":"b","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":8,"updatedAt":"2021-07-29T01:46:00.000Z","resource":{"instanceDetails":{"instanceId":"i-2"}}}`,
		"c": `{"id":"c","type":"CryptoCurrency:EC2/BitcoinTool.B!DNS","severity":8,"updatedAt":"2021-07-30T00:00:00.000Z"}`,
	}}
	srv := httptest.NewServer(g)
	defer srv.Close()
	cfg := sandboxtest.Config(srv.URL, "us-east-1", aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"})
	src := NewLiveSource(cfg, nil)
	w := Window{Start: t0, End: t0.Add(time.Hour)}
	got, err := src.Findings(context.Background(), `{"Criterion":{"type":{"Eq":["CryptoCurrency:EC2/BitcoinTool.B!DNS"]},"severity":{"Gte":7}}}`, w)
	if err != nil {
		t.Fatal(err)
	}
	// c was updated after the window; a and b come back as GuardDuty sent
	// them, camelCase.
	if len(got) != 2 || string(got[0]) != g.findings["a"] || string(got[1]) != g.findings["b"] {
		t.Errorf("findings %s", got)
	}
	if len(g.lists) != 2 {
		t.Fatalf("%d ListFindings calls, want 2 pages", len(g.lists))
	}
	crit, _ := json.Marshal(g.lists[0]["findingCriteria"])
	// Gte travels as its long form (the SDK's Gte is an int32), and the
	// window's start as updatedAt greaterThanOrEqual.
	want := `{"criterion":{"severity":{"greaterThanOrEqual":7},"type":{"eq":["CryptoCurrency:EC2/BitcoinTool.B!DNS"]},"updatedAt":{"greaterThanOrEqual":1627522770000}}}`
	if string(crit) != want {
		t.Errorf("ListFindings criteria\n got %s\nwant %s", crit, want)
	}
	b := detection(t, "id: t.gd\ntitle: t\nseverity: high\nmitre: [T1496]\ntelemetry: guardduty\nfinding_criteria: '{\"Criterion\":{\"type\":{\"Eq\":[\"CryptoCurrency:EC2/BitcoinTool.B!DNS\"]}}}'\nfires:\n  field: resource.instanceDetails.instanceId\n  value: i-2\n").MustBind(nil)
	res, err := Evaluate(context.Background(), src, b, w)
	if err != nil || !res.Fired || res.Rows != 1 {
		t.Errorf("Evaluate = %+v, %v", res, err)
	}
}

func TestLiveSourceNoDetector(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"detectorIds":[]}`)
	}))
	defer srv.Close()
	src := NewLiveSource(sandboxtest.Config(srv.URL, "us-east-1", aws.Credentials{AccessKeyID: "a", SecretAccessKey: "b"}), nil)
	_, err := src.Findings(context.Background(), `{}`, Window{})
	if err == nil || !strings.Contains(err.Error(), "GuardDuty has no detector") {
		t.Errorf("Findings without a detector: %v", err)
	}
}
