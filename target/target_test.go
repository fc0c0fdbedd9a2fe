package target

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/detect"
	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

var _ detect.Target = (*Target)(nil)

func openEmbeddedT(t *testing.T) *Target {
	t.Helper()
	tg, err := Open(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tg.Close() })
	return tg
}

// TestEmbeddedLab sets up the lab twice on the embedded sandbox: the
// second run finds everything and creates nothing, and the identities the
// lab gives work.
func TestEmbeddedLab(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tg := openEmbeddedT(t)
	caps := tg.Capabilities()
	if !caps.SourceIP || !caps.KeyImport || !caps.CloudTrailDelivery || caps.Clock || caps.DNSLogs || caps.GuardDuty || caps.FlowLogs {
		t.Errorf("embedded capabilities today: %+v", caps)
	}
	if tg.AccountID() != sandbox.DefaultAccountID || tg.Region() != "us-east-1" || !tg.Ephemeral() {
		t.Errorf("account %s region %s ephemeral %v", tg.AccountID(), tg.Region(), tg.Ephemeral())
	}
	first, err := tg.SetUpLab(ctx, LabOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if first.LeakedKey.AccessKeyID != SeedAccessKeyID {
		t.Errorf("leaked key %s, want the seed's", first.LeakedKey.AccessKeyID)
	}
	outcomes := func(st *LabState) map[string]string {
		m := map[string]string{}
		for _, s := range st.Steps {
			m[s.What] = s.Outcome
		}
		return m
	}
	o1 := outcomes(first)
	for _, what := range []string{"trail irdrill-lab-trail", "user pipeline", "role SecurityBreakGlassRole", "role SecurityAnalystRole", "log group irdrill-lab/cloudtrail", "access key AKIAIOSFODNN7EXAMPLE of pipeline"} {
		if o1[what] != "created" {
			t.Errorf("first setup: %s %q, want created (%v)", what, o1[what], first.Steps)
		}
	}
	if o1["DNS query logging"] != "skipped" || o1["GuardDuty detector"] != "skipped" {
		t.Errorf("capability-gated steps: %v", o1)
	}
	if len(first.FlowLogIDs) == 0 {
		t.Errorf("no flow logs")
	}
	second, err := tg.SetUpLab(ctx, LabOptions{StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range second.Steps {
		if s.Outcome == "created" || s.Outcome == "updated" {
			t.Errorf("second setup: %s", s)
		}
	}
	if !slices.Equal(first.FlowLogIDs, second.FlowLogIDs) {
		t.Errorf("flow logs %v then %v", first.FlowLogIDs, second.FlowLogIDs)
	}
	if tg.LogGroup(RoleCloudTrail) != DefaultLab.TrailLogGroup || tg.LogGroup(RoleVPCFlow) != "" {
		t.Errorf("log groups %q %q", tg.LogGroup(RoleCloudTrail), tg.LogGroup(RoleVPCFlow))
	}

	leaked, err := tg.Config(ctx, LeakedKey, FromSourceIP("203.0.113.99"))
	if err != nil {
		t.Fatal(err)
	}
	who, err := sts.NewFromConfig(leaked).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(who.Arn), ":user/pipeline") {
		t.Fatalf("leaked key: %v %v", who, err)
	}
	if _, err := ec2.NewFromConfig(leaked).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Errorf("pipeline's ec2:*: %v", err)
	}
	if _, err := iam.NewFromConfig(leaked).ListUsers(ctx, &iam.ListUsersInput{}); errorCode(err) != "AccessDenied" {
		t.Errorf("pipeline's IAM: %v", err)
	}
	bg, err := tg.Config(ctx, BreakGlass)
	if err != nil {
		t.Fatal(err)
	}
	who, err = sts.NewFromConfig(bg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.Contains(aws.ToString(who.Arn), ":assumed-role/SecurityBreakGlassRole/") {
		t.Fatalf("break-glass role: %v %v", who, err)
	}
	if _, err := tg.Config(ctx, Identity("nobody")); !errors.Is(err, ErrUnknownIdentity) {
		t.Errorf("unknown identity: %v", err)
	}
}

// olderSandbox serves a sandbox whose health document predates the
// extensions and the trustSourceIpHeader field, as an older irdrill's did.
func olderSandbox(t *testing.T, trust bool) string {
	t.Helper()
	h, err := sandbox.NewHandler(sandbox.Options{TrustSourceIPHeader: trust})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != sandbox.HealthPath {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Error(err)
		}
		delete(doc, "extensions")
		delete(doc, "trustSourceIpHeader")
		_ = json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestServedSandbox opens served sandboxes as endpoints. Today's says in
// its health document that it imports keys and whether it trusts the
// source-IP header, and the lab gets the seed's key. An older one says
// neither: the target probes whether the header is honoured, and gives the
// leaked user a created key whose secret a second process finds in the
// state folder.
func TestServedSandbox(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: sandbox.DefaultAdminAccessKeyID, SecretAccessKey: sandbox.DefaultAdminSecretAccessKey}
	for _, trust := range []bool{true, false} {
		sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.TrustSourceIPHeader = trust })
		tg, err := Open(ctx, Options{Spec: Spec{Kind: KindEndpoint, URL: sb.URL}, Credentials: &creds})
		if err != nil {
			t.Fatal(err)
		}
		defer tg.Close()
		caps := tg.Capabilities()
		if tg.Flavor() != FlavorIrdrill || caps.SourceIP != trust || !caps.KeyImport || caps.Clock || !caps.CloudTrailDelivery || tg.Ephemeral() {
			t.Errorf("today's, trust %v: flavor %s capabilities %+v", trust, tg.Flavor(), caps)
		}
		st, err := tg.SetUpLab(ctx, LabOptions{StateDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if st.LeakedKey.AccessKeyID != SeedAccessKeyID {
			t.Errorf("today's, trust %v: leaked key %s, want the imported seed key", trust, st.LeakedKey.AccessKeyID)
		}
	}
	for _, trust := range []bool{true, false} {
		spec, err := ParseSpec("endpoint:" + olderSandbox(t, trust))
		if err != nil {
			t.Fatal(err)
		}
		tg, err := Open(ctx, Options{Spec: spec, Credentials: &creds})
		if err != nil {
			t.Fatal(err)
		}
		defer tg.Close()
		caps := tg.Capabilities()
		if tg.Flavor() != FlavorIrdrill || caps.SourceIP != trust || caps.KeyImport || caps.Clock || !caps.CloudTrailDelivery || tg.Ephemeral() {
			t.Errorf("older, trust %v: flavor %s capabilities %+v", trust, tg.Flavor(), caps)
		}
		if !trust {
			continue
		}
		state := t.TempDir()
		st, err := tg.SetUpLab(ctx, LabOptions{StateDir: state})
		if err != nil {
			t.Fatal(err)
		}
		if st.LeakedKey.AccessKeyID == SeedAccessKeyID || !strings.HasPrefix(st.LeakedKey.AccessKeyID, "AKIA") {
			t.Errorf("leaked key %s: want a created one", st.LeakedKey.AccessKeyID)
		}
		again, err := Open(ctx, Options{Spec: spec, Credentials: &creds})
		if err != nil {
			t.Fatal(err)
		}
		st2, err := again.SetUpLab(ctx, LabOptions{StateDir: state})
		if err != nil {
			t.Fatal(err)
		}
		if st2.LeakedKey.AccessKeyID != st.LeakedKey.AccessKeyID || st2.LeakedKey.SecretAccessKey != st.LeakedKey.SecretAccessKey {
			t.Errorf("second process's leaked key %s, want %s from the state folder", st2.LeakedKey.AccessKeyID, st.LeakedKey.AccessKeyID)
		}
		// Lost state: a new key, the old one still in place.
		st3, err := again.SetUpLab(ctx, LabOptions{StateDir: t.TempDir()})
		if err != nil || st3.LeakedKey.AccessKeyID == st.LeakedKey.AccessKeyID {
			t.Errorf("lost state: %v %s", err, st3.LeakedKey.AccessKeyID)
		}
	}
}

func TestCapabilitiesFromHealth(t *testing.T) {
	t.Parallel()
	yes := true
	for _, tc := range []struct {
		name string
		h    Health
		want Capabilities
	}{
		{"today's sandbox", Health{Services: []string{"cloudtrail", "ec2", "iam", "logs", "sts"}}, Capabilities{CloudTrailDelivery: true}},
		{"with the clock", Health{Services: []string{"cloudtrail", "ec2", "iam", "logs", "sts"}, Extensions: []string{"clock"}},
			Capabilities{Clock: true, CloudTrailDelivery: true, FlowLogs: true}},
		{"every service", Health{Services: []string{"cloudtrail", "ec2", "guardduty", "iam", "logs", "route53resolver", "sts"}, Extensions: []string{"clock", "import-access-key"}, TrustSourceIPHeader: &yes},
			Capabilities{Clock: true, SourceIP: true, KeyImport: true, CloudTrailDelivery: true, FlowLogs: true, DNSLogs: true, GuardDuty: true}},
		{"an explicit telemetry list", Health{Services: []string{"cloudtrail", "logs", "guardduty"}, Telemetry: []string{"cloudtrail"}}, Capabilities{CloudTrailDelivery: true}},
		{"no logs", Health{Services: []string{"cloudtrail", "ec2"}}, Capabilities{}},
	} {
		if got := tc.h.capabilities(); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
