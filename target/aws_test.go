package target

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// fakeSTS answers GetCallerIdentity for account 123456789012 and counts
// every other call, which the refusal must never make.
func fakeSTS(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var others atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !strings.Contains(string(body), "Action=GetCallerIdentity") {
			others.Add(1)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/drill</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	}))
	t.Cleanup(srv.Close)
	return srv, &others
}

func TestAWSAllowlist(t *testing.T) {
	srv, others := fakeSTS(t)
	load := func(context.Context, Options) (aws.Config, error) {
		cfg := baseConfig("us-east-1", srv.URL, http.DefaultClient)
		cfg.Credentials = staticProvider(aws.Credentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "s"})
		return cfg, nil
	}
	for _, tc := range []struct {
		name, env string
		allow     []string
		wantErr   string
	}{
		{"no allowlist", "", nil, "refusing to act on account 123456789012 (arn:aws:iam::123456789012:user/drill): no account is allowlisted"},
		{"another account", "", []string{"999999999999"}, "refusing to act on account 123456789012 (arn:aws:iam::123456789012:user/drill): it is not in the allowlist (999999999999)"},
		{"another account by env", "111111111111, 222222222222", nil, "not in the allowlist (111111111111, 222222222222)"},
		{"allowed by flag", "", []string{"123456789012"}, ""},
		{"allowed by env", "999999999999,123456789012", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvAllowedAccounts, tc.env)
			tg, err := Open(context.Background(), Options{Spec: Spec{Kind: KindAWS}, AllowAccounts: tc.allow, loadAWSConfig: load,
				LogGroups: map[string]string{RoleCloudTrail: "aws-cloudtrail-logs"}})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrAccountNotAllowed) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer tg.Close()
			caps := tg.Capabilities()
			if tg.AccountID() != "123456789012" || !caps.CloudTrailDelivery || caps.FlowLogs || caps.SourceIP || caps.KeyImport || caps.Clock || tg.LogGroup(RoleCloudTrail) != "aws-cloudtrail-logs" {
				t.Errorf("account %s caps %+v group %q", tg.AccountID(), caps, tg.LogGroup(RoleCloudTrail))
			}
		})
	}
	if n := others.Load(); n != 0 {
		t.Errorf("%d calls other than GetCallerIdentity", n)
	}
}
