package sandbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

const (
	seedKeyID  = "AKIAIOSFODNN7EXAMPLE"
	seedSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// extensionCall sends a request to the extensions, signed with creds for
// service (unsigned when creds is empty).
func extensionCall(t *testing.T, sb *sandbox.Sandbox, creds aws.Credentials, service, method, path, body string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(method, sb.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if creds.AccessKeyID != "" {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "eu-west-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	out := map[string]string{}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s answered %d with non-JSON %q", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, out
}

func importBody(user, id, secret string) string {
	b, _ := json.Marshal(map[string]string{"UserName": user, "AccessKeyId": id, "SecretAccessKey": secret})
	return string(b)
}

// TestImportAccessKey: the admin imports the playbook's key for a user,
// who can then sign with it; the call is in CloudTrail without its secret.
func TestImportAccessKey(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t)
	ctx := context.Background()
	admin := sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)
	if _, err := iam.NewFromConfig(admin).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("pipeline")}); err != nil {
		t.Fatal(err)
	}
	status, out := extensionCall(t, sb, sb.AdminCredentials, "irdrill", http.MethodPost, sandbox.ImportAccessKeyPath, importBody("pipeline", seedKeyID, seedSecret))
	if status != http.StatusOK || len(out) != 0 {
		t.Fatalf("import: %d %v", status, out)
	}
	who, err := sts.NewFromConfig(sandboxtest.AWSConfig(t, sb, aws.Credentials{AccessKeyID: seedKeyID, SecretAccessKey: seedSecret})).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::999999999999:user/pipeline" {
		t.Fatalf("the imported key: %v %v", who, err)
	}

	// Recorded as an IAM change is: in us-east-1, whatever the scope's
	// region, with the user and the key ID but never the secret.
	events, err := cloudtrail.NewFromConfig(admin).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ImportAccessKey")}},
	})
	if err != nil || len(events.Events) != 1 {
		t.Fatalf("lookup ImportAccessKey: %v, %d events", err, len(events.Events))
	}
	raw := aws.ToString(events.Events[0].CloudTrailEvent)
	var rec struct {
		EventSource, EventName, AWSRegion string
		UserIdentity                      struct{ Arn string }
		RequestParameters                 map[string]string
		ResponseElements                  struct{ AccessKey map[string]string }
		ReadOnly                          bool
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.EventSource != "irdrill.amazonaws.com" || rec.AWSRegion != "us-east-1" || rec.UserIdentity.Arn != "arn:aws:iam::999999999999:user/admin" ||
		rec.RequestParameters["userName"] != "pipeline" || rec.RequestParameters["accessKeyId"] != seedKeyID ||
		rec.ResponseElements.AccessKey["status"] != "Active" || rec.ReadOnly {
		t.Errorf("record %s", raw)
	}
	if strings.Contains(raw, seedSecret) || strings.Contains(strings.ToLower(raw), "secretaccesskey") {
		t.Errorf("the record holds the secret: %s", raw)
	}
}

// TestImportAccessKeyRefusals: every refusal is an AWS JSON error, from the
// same front end as any call: signature and key first, then the input, IAM
// authorisation, then IAM's own checks.
func TestImportAccessKeyRefusals(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t)
	ctx := context.Background()
	ic := iam.NewFromConfig(sandboxtest.AWSConfig(t, sb, sb.AdminCredentials))
	for _, u := range []string{"pipeline", "intern"} {
		if _, err := ic.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := ic.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("intern")})
	if err != nil {
		t.Fatal(err)
	}
	intern := aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}
	admin := sb.AdminCredentials
	good := importBody("pipeline", seedKeyID, seedSecret)
	path := sandbox.ImportAccessKeyPath
	for _, tc := range []struct {
		name                 string
		creds                aws.Credentials
		service, method      string
		path, body           string
		status               int
		code, messagePortion string
	}{
		{"unsigned", aws.Credentials{}, "", http.MethodPost, path, good, 403, "MissingAuthenticationTokenException", ""},
		{"unknown key", aws.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWN00", SecretAccessKey: "x"}, "irdrill", http.MethodPost, path, good, 400, "UnrecognizedClientException", ""},
		{"bad secret", aws.Credentials{AccessKeyID: admin.AccessKeyID, SecretAccessKey: "wrong"}, "irdrill", http.MethodPost, path, good, 400, "InvalidSignatureException", ""},
		{"scoped to another service", admin, "iam", http.MethodPost, path, good, 400, "InvalidSignatureException", "Credential should be scoped to correct service: 'irdrill'."},
		{"unknown extension", admin, "irdrill", http.MethodPost, "/_irdrill/iam/create-root", good, 404, "UnknownOperationException", ""},
		{"wrong method", admin, "irdrill", http.MethodGet, path, "", 404, "UnknownOperationException", ""},
		{"not JSON", admin, "irdrill", http.MethodPost, path, "UserName=pipeline", 400, "SerializationException", ""},
		{"no user", admin, "irdrill", http.MethodPost, path, importBody("", seedKeyID, seedSecret), 400, "ValidationError", "'UserName'"},
		{"no secret", admin, "irdrill", http.MethodPost, path, importBody("pipeline", seedKeyID, ""), 400, "ValidationError", "'SecretAccessKey'"},
		{"a session key id", admin, "irdrill", http.MethodPost, path, importBody("pipeline", "ASIAIOSFODNN7EXAMPLE", seedSecret), 400, "ValidationError", "accessKeyId"},
		{"a short secret", admin, "irdrill", http.MethodPost, path, importBody("pipeline", seedKeyID, "short"), 400, "ValidationError", "length 40"},
		{"not an admin", intern, "irdrill", http.MethodPost, path, good, 400, "AccessDeniedException", "irdrill:ImportAccessKey on resource: arn:aws:iam::999999999999:user/pipeline"},
		{"no such user", admin, "irdrill", http.MethodPost, path, importBody("nobody", seedKeyID, seedSecret), 404, "NoSuchEntity", "nobody"},
		{"the first import", admin, "irdrill", http.MethodPost, path, good, 200, "", ""},
		{"an ID in use", admin, "irdrill", http.MethodPost, path, importBody("intern", seedKeyID, seedSecret), 409, "EntityAlreadyExists", seedKeyID},
		{"a third key", admin, "irdrill", http.MethodPost, path, importBody("pipeline", "AKIAIOSFODNN7EXAMPL2", seedSecret), 200, "", ""},
		{"past the quota", admin, "irdrill", http.MethodPost, path, importBody("pipeline", "AKIAIOSFODNN7EXAMPL3", seedSecret), 409, "LimitExceeded", "AccessKeysPerUser"},
	} {
		status, out := extensionCall(t, sb, tc.creds, tc.service, tc.method, tc.path, tc.body)
		if status != tc.status || out["__type"] != tc.code || !strings.Contains(out["message"], tc.messagePortion) {
			t.Errorf("%s: %d %v; want %d %s (%q)", tc.name, status, out, tc.status, tc.code, tc.messagePortion)
		}
	}
	// Refusals by IAM are recorded like any call's; the intern's denial is
	// among them.
	events, err := cloudtrail.NewFromConfig(sandboxtest.AWSConfig(t, sb, admin)).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ImportAccessKey")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range events.Events {
		var rec struct{ ErrorCode string }
		_ = json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec)
		codes = append(codes, rec.ErrorCode)
	}
	for _, want := range []string{"AccessDeniedException", "NoSuchEntity", "EntityAlreadyExists", "LimitExceeded", ""} {
		if !slices.Contains(codes, want) {
			t.Errorf("no ImportAccessKey record with error code %q among %q", want, codes)
		}
	}
}

// TestHealthMethods: the health document answers GET and HEAD, and says
// which extensions the sandbox serves and whether it trusts the source-IP
// header; any other method gets 405.
func TestHealthMethods(t *testing.T) {
	t.Parallel()
	for _, trust := range []bool{false, true} {
		sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.TrustSourceIPHeader = trust })
		resp, err := http.Get(sb.URL + sandbox.HealthPath)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Status              string
			Extensions          []string
			TrustSourceIPHeader *bool `json:"trustSourceIpHeader"`
		}
		err = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if err != nil || h.Status != "ok" || !slices.Equal(h.Extensions, []string{"import-access-key"}) || h.TrustSourceIPHeader == nil || *h.TrustSourceIPHeader != trust {
			t.Errorf("trust %t: health %+v, %v", trust, h, err)
		}
		head, err := http.Head(sb.URL + sandbox.HealthPath)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(head.Body)
		head.Body.Close()
		if head.StatusCode != http.StatusOK || len(body) != 0 || head.Header.Get("Content-Type") != "application/json" {
			t.Errorf("HEAD: %d %q %q", head.StatusCode, head.Header.Get("Content-Type"), body)
		}
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
			req, _ := http.NewRequest(method, sb.URL+sandbox.HealthPath, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" || !strings.Contains(string(body), "MethodNotAllowed") {
				t.Errorf("%s %s: %d, Allow %q, %s", method, sandbox.HealthPath, resp.StatusCode, resp.Header.Get("Allow"), body)
			}
		}
	}
}

// FuzzImportAccessKeyBody: whatever the admin posts, the extension answers
// {} or an AWS JSON error, never a server fault; and a key it accepts
// signs for the user named.
func FuzzImportAccessKeyBody(f *testing.F) {
	f.Add(importBody("pipeline", seedKeyID, seedSecret))
	f.Add(importBody("admin", "AKIAIOSFODNN7EXAMPL2", seedSecret))
	f.Add(`{"UserName": 7}`)
	f.Add(`[]`)
	f.Add(`{"UserName":"pipeline","AccessKeyId":"AKIAIRDRILLBOOTSTRAP","SecretAccessKey":"` + seedSecret + `"}`)
	h, err := sandbox.NewHandler(sandbox.Options{})
	if err != nil {
		f.Fatal(err)
	}
	defer h.Close()
	admin := h.AdminCredentials()
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566"+sandbox.ImportAccessKeyPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), admin, req, hex.EncodeToString(sum[:]), "irdrill", "us-east-1", time.Now()); err != nil {
			t.Skip()
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%q: %d, not JSON: %q", body, rec.Code, rec.Body.String())
		}
		if rec.Code >= 500 {
			t.Fatalf("%q: %d %v", body, rec.Code, out)
		}
		if rec.Code != http.StatusOK {
			if code, _ := out["__type"].(string); code == "" {
				t.Fatalf("%q: %d without an error code: %v", body, rec.Code, out)
			}
			return
		}
		var in struct{ UserName, AccessKeyId, SecretAccessKey string }
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Fatalf("%q accepted, but it is not the input's shape: %v", body, err)
		}
		cred, ok := h.IAM().LookupCredential(in.AccessKeyId)
		if !ok || cred.SecretAccessKey != in.SecretAccessKey || !strings.HasSuffix(cred.Principal.ARN, ":user/"+in.UserName) {
			t.Fatalf("%q accepted, but the key is %+v", body, cred)
		}
	})
}
