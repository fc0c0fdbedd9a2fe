package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// TestServeLabAttack serves the lab with its incident, finds the
// attacker's calls in the lab's log group as the lab's commands do, then
// runs irdrill lab --endpoint against it, which passes once and is refused
// the second time, the incident being contained.
func TestServeLabAttack(t *testing.T) {
	t.Parallel()
	s := serve(t, "--lab", "--attack")
	// The endpoint line comes once the lab and the attack are in place;
	// the banner's last line follows it.
	banner := s.waitFor("--query 'logGroups[*].logGroupName'\n")
	for _, want := range []string{
		"export AWS_ENDPOINT_URL=" + s.url + "\n", "export AWS_ACCESS_KEY_ID=AKIAIRDRILLBOOTSTRAP\n",
		"export AWS_SECRET_ACCESS_KEY=irdrill-bootstrap-secret\n", "export AWS_DEFAULT_REGION=us-east-1\n",
		"simulation on: X-Irdrill-Source-Ip is honoured", "CloudTrail log group   irdrill-lab/cloudtrail ", "VPC flow-log group     irdrill-lab/vpc-flow-logs",
		"leaked key             AKIAIOSFODNN7EXAMPLE of user pipeline", "The incident: aws.impact.ec2-crypto-mining, 10 calls with AKIAIOSFODNN7EXAMPLE from 203.0.113.99",
		"6 decoy instances running", "lab: created access key AKIAIOSFODNN7EXAMPLE of pipeline: the seed's leaked key, imported",
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %q:\n%s", want, banner)
		}
	}
	ctx := context.Background()
	cfg := sandboxtest.Config(s.url, "us-east-1", aws.Credentials{AccessKeyID: sandbox.DefaultAdminAccessKeyID, SecretAccessKey: sandbox.DefaultAdminSecretAccessKey})
	users, err := iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil || len(users.Users) != 2 || aws.ToString(users.Users[1].UserName) != "pipeline" {
		t.Fatalf("users %v: %v", users, err)
	}
	// The lab's §2.1 filter-log-events by the suspect address.
	var events []string
	for deadline := time.Now().Add(guard); len(events) < 10 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		out, err := cloudwatchlogs.NewFromConfig(cfg).FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{
			LogGroupName: aws.String("irdrill-lab/cloudtrail"), FilterPattern: aws.String("203.0.113.99"), StartTime: aws.Int64(1551402000000),
		})
		if err != nil {
			t.Fatal(err)
		}
		events = events[:0]
		for _, e := range out.Events {
			var rec struct {
				EventName, SourceIPAddress string
				UserIdentity               struct{ AccessKeyID string }
			}
			if err := json.Unmarshal([]byte(aws.ToString(e.Message)), &rec); err != nil {
				t.Fatal(err)
			}
			if rec.SourceIPAddress != "203.0.113.99" || rec.UserIdentity.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
				t.Errorf("%s from %s with %s", rec.EventName, rec.SourceIPAddress, rec.UserIdentity.AccessKeyID)
			}
			events = append(events, rec.EventName)
		}
	}
	if len(events) != 10 || events[0] != "GetCallerIdentity" || events[9] != "RunInstances" {
		t.Errorf("the attacker's calls in irdrill-lab/cloudtrail: %v", events)
	}

	out, stderr, err := execute(t, "lab", "--endpoint", s.url)
	if err != nil || !strings.Contains(out, "PASS: every detection fired and containment holds") || !strings.Contains(out, "The lab's state stays on "+s.url) ||
		!strings.Contains(out, "exists access key AKIAIOSFODNN7EXAMPLE of pipeline") {
		t.Fatalf("lab --endpoint: %v\n%s\n%s", err, out, stderr)
	}
	out, _, err = execute(t, "lab", "--endpoint", s.url)
	if err == nil || !strings.Contains(err.Error(), "the leaked key AKIAIOSFODNN7EXAMPLE of pipeline is Inactive: this account's incident is already contained") || out != "" {
		t.Errorf("second lab --endpoint: %v\n%s", err, out)
	}
}

// TestLabEndpointRefusals: lab --endpoint refuses a sandbox that does not
// trust the source-IP header, and one without the key-import extension,
// before it changes anything there.
func TestLabEndpointRefusals(t *testing.T) {
	t.Parallel()
	untrusting := sandboxtest.Start(t, func(o *sandbox.Options) { o.TrustSourceIPHeader = false })
	_, _, err := execute(t, "lab", "--endpoint", untrusting.URL)
	if err == nil || !strings.Contains(err.Error(), "does not trust the X-Irdrill-Source-Ip header") || !strings.Contains(err.Error(), "--trust-source-ip-header") {
		t.Errorf("untrusting sandbox: %v", err)
	}
	h, err := sandbox.NewHandler(sandbox.Options{TrustSourceIPHeader: true})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	older := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == sandbox.HealthPath {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var doc map[string]any
			_ = json.Unmarshal(rec.Body.Bytes(), &doc)
			delete(doc, "extensions")
			_ = json.NewEncoder(w).Encode(doc)
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer older.Close()
	_, _, err = execute(t, "lab", "--endpoint", older.URL)
	if err == nil || !strings.Contains(err.Error(), "does not offer the import-access-key extension") {
		t.Errorf("sandbox without the extension: %v", err)
	}
	admin := sandboxtest.Config(older.URL, "us-east-1", h.AdminCredentials())
	if _, err := iam.NewFromConfig(admin).GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String("pipeline")}); err == nil {
		t.Error("the refused lab made the pipeline user")
	}
	_, _, err = execute(t, "lab", "--endpoint", "http://127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "lab --endpoint http://127.0.0.1:1") {
		t.Errorf("nothing listening: %v", err)
	}
}

func TestSandboxHealthCommand(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t)
	out, _, err := execute(t, "sandbox", "health", "--endpoint", sb.URL)
	if err != nil || !strings.HasPrefix(out, "ok: irdrill sandbox ") || !strings.Contains(out, "account 999999999999, region us-east-1") {
		t.Errorf("healthy: %v %q", err, out)
	}
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer busy.Close()
	notIrdrill := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"status":"running"}`)) }))
	defer notIrdrill.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()
	for _, tc := range []struct{ args, want string }{
		{busy.URL, "answered 503 Service Unavailable"},
		{notIrdrill.URL, `status "running", want "ok"`},
		{slow.URL + " --timeout 100ms", "context deadline exceeded"},
		{"http://127.0.0.1:1", "connection refused"},
	} {
		out, _, err := execute(t, append([]string{"sandbox", "health", "--endpoint"}, strings.Fields(tc.args)...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || out != "" {
			t.Errorf("%s: %v %q, want %q", tc.args, err, out, tc.want)
		}
	}
}

func TestUsableURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"http://0.0.0.0:4566":     "http://127.0.0.1:4566",
		"http://[::]:4566":        "http://127.0.0.1:4566",
		"http://127.0.0.1:4566":   "http://127.0.0.1:4566",
		"http://[::1]:4566":       "http://[::1]:4566",
		"http://192.0.2.10:4566":  "http://192.0.2.10:4566",
		"http://localhost:4566":   "http://localhost:4566",
		"http://:4566":            "http://127.0.0.1:4566",
		"http://[::ffff:0:0]:456": "http://127.0.0.1:456",
	} {
		if got := usableURL(in); got != want {
			t.Errorf("usableURL(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestBanner: listening on every interface, the banner gives the loopback
// endpoint; a secret the user chose is never printed.
func TestBanner(t *testing.T) {
	t.Parallel()
	sb := &sandbox.Sandbox{URL: "http://[::]:4566", AccountID: "123456789012", Region: "eu-west-1",
		AdminCredentials: aws.Credentials{AccessKeyID: "AKIAMYOWNBOOTSTRAP0", SecretAccessKey: "my-own-secret-never-printed"}}
	var out bytes.Buffer
	printBanner(&out, sb, usableURL(sb.URL), sandbox.Options{}, nil)
	got := out.String()
	for _, want := range []string{"irdrill sandbox serving http://127.0.0.1:4566\nlistening on [::]:4566 (every interface)\n", "account 123456789012, default region eu-west-1",
		"export AWS_ENDPOINT_URL=http://127.0.0.1:4566\n", "export AWS_ACCESS_KEY_ID=AKIAMYOWNBOOTSTRAP0\n", "export AWS_SECRET_ACCESS_KEY=…   # the --admin-secret-access-key you gave (never printed)",
		"export AWS_DEFAULT_REGION=eu-west-1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("banner lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "my-own-secret") || strings.Contains(got, "simulation on") || strings.Contains(got, "lab account") {
		t.Errorf("banner:\n%s", got)
	}
}
