package sandbox_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// The reproductions of issue 6, §1 and §2: requests that AWS refuses and
// the sandbox once served.

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// craft is a request built by hand: sign it with sign, then let tamper
// change it before it is sent.
type craft struct {
	method, service, region, target, query, body string
	// beforeSign runs on the request before it is signed.
	beforeSign func(*http.Request)
	// payloadHash is what the client signs as the payload hash; empty
	// means the hash of body.
	payloadHash string
	// afterSign runs on the signed request and returns the body to send.
	afterSign func(*http.Request) string
	at        time.Time
}

func (c craft) send(t *testing.T, sb *sandbox.Sandbox, creds aws.Credentials) (int, string) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	region := c.region
	if region == "" {
		region = "us-east-1"
	}
	at := c.at
	if at.IsZero() {
		at = time.Now()
	}
	u := sb.URL + "/"
	if c.query != "" {
		u += "?" + c.query
	}
	req, err := http.NewRequest(method, u, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.target != "" {
		req.Header.Set("X-Amz-Target", c.target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	} else {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	if c.beforeSign != nil {
		c.beforeSign(req)
	}
	hash := c.payloadHash
	if hash == "" {
		hash = sha256Hex(c.body)
	}
	// Sign as botocore does, without Content-Length among the signed
	// headers, so that the body alone carries what was signed.
	req.ContentLength = 0
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, c.service, region, at); err != nil {
		t.Fatal(err)
	}
	body := c.body
	if c.afterSign != nil {
		body = c.afterSign(req)
	}
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func adminKeyCount(t *testing.T, sb *sandbox.Sandbox, user string) int {
	t.Helper()
	out, err := iam.NewFromConfig(sandboxtest.AWSConfig(t, sb, sb.AdminCredentials)).ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.AccessKeyMetadata)
}

func wantError(t *testing.T, status int, body string, wantStatus int, wantCode string, wantMessage ...string) {
	t.Helper()
	if status != wantStatus || !strings.Contains(body, wantCode) {
		t.Fatalf("answer %d %s, want %d %s", status, body, wantStatus, wantCode)
	}
	text := html.UnescapeString(body) // XML answers escape the quotes
	for _, m := range wantMessage {
		if !strings.Contains(text, m) {
			t.Errorf("answer lacks %q:\n%s", m, body)
		}
	}
}

const signatureMismatchMessage = "The request signature we calculated does not match the signature you provided."

// TestSignatureCoversTheBody: the server hashes the body it received; a
// hash header that describes another body, or UNSIGNED-PAYLOAD, is
// refused as AWS refuses a signature over another request.
func TestSignatureCoversTheBody(t *testing.T) {
	sb := sandboxtest.Start(t)
	admin := sb.AdminCredentials
	const listUsers = "Action=ListUsers&Version=2010-05-08"
	const stealKey = "Action=CreateAccessKey&UserName=admin&Version=2010-05-08"

	t.Run("body swapped after signing, hash header added", func(t *testing.T) {
		status, body := craft{service: "iam", body: listUsers, afterSign: func(r *http.Request) string {
			r.Header.Set("X-Amz-Content-Sha256", sha256Hex(listUsers))
			return stealKey
		}}.send(t, sb, admin)
		wantError(t, status, body, 403, "<Code>SignatureDoesNotMatch</Code>", signatureMismatchMessage)
		if n := adminKeyCount(t, sb, "admin"); n != 1 {
			t.Fatalf("admin has %d keys: the swapped body created one", n)
		}
	})

	t.Run("hash header signed, body swapped", func(t *testing.T) {
		status, body := craft{service: "iam", body: listUsers,
			beforeSign: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", sha256Hex(listUsers)) },
			afterSign:  func(*http.Request) string { return stealKey },
		}.send(t, sb, admin)
		wantError(t, status, body, 403, "<Code>SignatureDoesNotMatch</Code>", signatureMismatchMessage)
		if n := adminKeyCount(t, sb, "admin"); n != 1 {
			t.Fatalf("admin has %d keys: the swapped body created one", n)
		}
	})

	t.Run("hash header of another body, body unchanged", func(t *testing.T) {
		status, body := craft{service: "iam", body: listUsers,
			beforeSign:  func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", emptySHA256) },
			payloadHash: emptySHA256,
		}.send(t, sb, admin)
		wantError(t, status, body, 403, "<Code>SignatureDoesNotMatch</Code>")
	})

	unsigned := []struct {
		service, target, body string
		status                int
		code                  string
	}{
		{"iam", "", listUsers, 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"sts", "", "Action=GetCallerIdentity&Version=2011-06-15", 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"ec2", "", "Action=DescribeVpcs&Version=2016-11-15", 403, "<Code>SignatureDoesNotMatch</Code>"},
		{"logs", "Logs_20140328.DescribeLogGroups", "{}", 400, `"__type":"InvalidSignatureException"`},
		{"cloudtrail", "CloudTrail_20131101.DescribeTrails", "{}", 400, `"__type":"InvalidSignatureException"`},
	}
	for _, u := range unsigned {
		t.Run("UNSIGNED-PAYLOAD on "+u.service, func(t *testing.T) {
			status, body := craft{service: u.service, target: u.target, body: u.body,
				beforeSign:  func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") },
				payloadHash: "UNSIGNED-PAYLOAD",
			}.send(t, sb, admin)
			wantError(t, status, body, u.status, u.code, signatureMismatchMessage)
		})
	}

	t.Run("the same request with its real hash header is served", func(t *testing.T) {
		status, body := craft{service: "iam", body: listUsers,
			beforeSign: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", sha256Hex(listUsers)) },
		}.send(t, sb, admin)
		if status != 200 || !strings.Contains(body, "<ListUsersResult>") {
			t.Fatalf("answer %d %s", status, body)
		}
	})
}

// TestPresignedPostWithBody: a presigned URL signs an empty body; a body
// sent with it is not covered and must not reach the action.
func TestPresignedPostWithBody(t *testing.T) {
	sb := sandboxtest.Start(t)
	victim := newUser(t, sandboxtest.AWSConfig(t, sb, sb.AdminCredentials), "victim", "")
	req, _ := http.NewRequest(http.MethodPost, sb.URL+"/?Action=ListAccessKeys&Version=2010-05-08&X-Amz-Expires=300", nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), sb.AdminCredentials, req, emptySHA256, "iam", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	attack, _ := http.NewRequest(http.MethodPost, signed, strings.NewReader("UserName=victim"))
	attack.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	attack.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	status, body := do(t, attack)
	if strings.Contains(body, victim.AccessKeyID) {
		t.Fatalf("the presigned POST listed the victim's key: %s", body)
	}
	wantError(t, status, body, 403, "<Code>SignatureDoesNotMatch</Code>", signatureMismatchMessage)

	// The URL without a body is what was signed, and is served.
	clean, _ := http.NewRequest(http.MethodPost, signed, nil)
	if status, body := do(t, clean); status != 200 || !strings.Contains(body, "<ListAccessKeysResult>") {
		t.Fatalf("presigned POST without a body: %d %s", status, body)
	}
}

// TestSignedInTheFuture: AWS refuses a request dated more than 15 minutes
// ahead of its clock, presigned or not.
func TestSignedInTheFuture(t *testing.T) {
	sb := sandboxtest.Start(t)
	future := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, service, target, body, query string
		status                             int
		code                               string
	}{
		{name: "sts", service: "sts", query: "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", status: 403, code: "<Code>SignatureDoesNotMatch</Code>"},
		{name: "iam", service: "iam", query: "Action=ListUsers&Version=2010-05-08&X-Amz-Expires=60", status: 403, code: "<Code>SignatureDoesNotMatch</Code>"},
		{name: "ec2", service: "ec2", query: "Action=DescribeVpcs&Version=2016-11-15&X-Amz-Expires=60", status: 400, code: "<Code>RequestExpired</Code>"},
	} {
		t.Run("presigned "+tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, sb.URL+"/?"+tc.query, nil)
			signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), sb.AdminCredentials, req, emptySHA256, tc.service, "us-east-1", future)
			if err != nil {
				t.Fatal(err)
			}
			get, _ := http.NewRequest(http.MethodGet, signed, nil)
			status, body := do(t, get)
			wantError(t, status, body, tc.status, tc.code)
			if tc.service != "ec2" && !strings.Contains(body, "Signature not yet current: 20990101T000000Z is still later than") {
				t.Errorf("message is not AWS's: %s", body)
			}
		})
	}
	t.Run("header-signed logs", func(t *testing.T) {
		status, body := craft{service: "logs", target: "Logs_20140328.DescribeLogGroups", body: "{}", at: future}.send(t, sb, sb.AdminCredentials)
		wantError(t, status, body, 400, `"__type":"InvalidSignatureException"`, "Signature not yet current: 20990101T000000Z is still later than", "+ 15 min.)")
	})
}

// TestDuplicateDateHeader: two X-Amz-Date headers make one value that is
// not an ISO-8601 basic date, as AWS reads repeated headers.
func TestDuplicateDateHeader(t *testing.T) {
	sb := sandboxtest.Start(t)
	for _, tc := range []struct {
		service, target, body string
		code                  string
	}{
		{"iam", "", "Action=ListUsers&Version=2010-05-08", "<Code>IncompleteSignature</Code>"},
		{"logs", "Logs_20140328.DescribeLogGroups", "{}", `"__type":"IncompleteSignatureException"`},
	} {
		t.Run(tc.service, func(t *testing.T) {
			status, body := craft{service: tc.service, target: tc.target, body: tc.body, afterSign: func(r *http.Request) string {
				r.Header.Add("X-Amz-Date", r.Header.Get("X-Amz-Date"))
				return tc.body
			}}.send(t, sb, sb.AdminCredentials)
			wantError(t, status, body, 400, tc.code, "Date must be in ISO-8601 'basic format'")
		})
	}
}

// TestCredentialScopeRegion: a region outside the SDK's partition metadata
// is refused before any state exists for it.
func TestCredentialScopeRegion(t *testing.T) {
	sb := sandboxtest.Start(t)
	long := strings.Repeat("x", 200<<10)
	for _, region := range []string{"xx-fake-9", long, "aws-global"} {
		for _, tc := range []struct {
			service, target, body string
			status                int
			code                  string
		}{
			{"ec2", "", "Action=DescribeVpcs&Version=2016-11-15", 403, "<Code>SignatureDoesNotMatch</Code>"},
			{"logs", "Logs_20140328.CreateLogGroup", `{"logGroupName":"planted"}`, 400, `"__type":"InvalidSignatureException"`},
			{"sts", "", "Action=GetCallerIdentity&Version=2011-06-15", 403, "<Code>SignatureDoesNotMatch</Code>"},
		} {
			name := region
			if len(name) > 20 {
				name = "200KB"
			}
			t.Run(tc.service+" "+name, func(t *testing.T) {
				status, body := craft{service: tc.service, target: tc.target, body: tc.body, region: region}.send(t, sb, sb.AdminCredentials)
				shown := region
				if len(shown) > 256 {
					shown = shown[:256] + "..."
				}
				wantError(t, status, body, tc.status, tc.code, "Credential should be scoped to a valid region, not '"+shown+"'.")
				if len(body) > 4096 {
					t.Errorf("the answer echoes the whole region (%d bytes)", len(body))
				}
			})
		}
		h := sb.Handler()
		if got := h.EC2().Regions(); len(got) != 0 {
			t.Errorf("EC2 holds state for %d regions after refused scopes: %.40q", len(got), got)
		}
		if got := h.Logs().Regions(); len(got) != 0 {
			t.Errorf("Logs holds state for %d regions after refused scopes: %.40q", len(got), got)
		}
		if got := h.CloudTrail().Events(region); len(got) != 0 {
			t.Errorf("CloudTrail recorded %d events in the refused region", len(got))
		}
	}
	// A real region of the partition is served.
	status, body := craft{service: "ec2", body: "Action=DescribeVpcs&Version=2016-11-15", region: "ap-southeast-7"}.send(t, sb, sb.AdminCredentials)
	if status != 200 {
		t.Fatalf("ap-southeast-7: %d %s", status, body)
	}
}

// TestJSONServicesTakePOSTOnly: AWS's JSON services route on POST; any
// other method, signed or not, is an unknown operation.
func TestJSONServicesTakePOSTOnly(t *testing.T) {
	sb := sandboxtest.Start(t)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodOptions, http.MethodPatch} {
		for _, tc := range []struct{ service, target string }{
			{"logs", "Logs_20140328.CreateLogGroup"},
			{"cloudtrail", "CloudTrail_20131101.DescribeTrails"},
		} {
			t.Run(method+" "+tc.service, func(t *testing.T) {
				status, body := craft{method: method, service: tc.service, target: tc.target, body: `{"logGroupName":"via-` + strings.ToLower(method) + `"}`}.send(t, sb, sb.AdminCredentials)
				wantError(t, status, body, 404, `"__type":"UnknownOperationException"`)
			})
		}
	}
	if got := sb.Handler().Logs().Regions(); len(got) != 0 {
		t.Errorf("a non-POST CreateLogGroup made state: %v", got)
	}
}

// TestQueryServicesStillTakeGET keeps the query protocols' GET form,
// which AWS serves.
func TestQueryServicesStillTakeGET(t *testing.T) {
	sb := sandboxtest.Start(t)
	q := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	status, body := craft{method: http.MethodGet, service: "sts", query: q.Encode()}.send(t, sb, sb.AdminCredentials)
	if status != 200 || !strings.Contains(body, "<GetCallerIdentityResult>") {
		t.Fatalf("signed GET: %d %s", status, body)
	}
}
