package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testKey    = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func payloadHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// signedRequest signs like an SDK client would, then returns the request
// as the server sees it.
func signedRequest(t *testing.T, body string, at time.Time, token string) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("User-Agent", "aws-cli/2.2.1")
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: token}
	if err := signer.SignHTTP(context.Background(), creds, req, payloadHash(body), "ec2", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestVerifyHeaderSignature(t *testing.T) {
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	body := "Action=DescribeInstances&Version=2016-11-15"
	tests := []struct {
		name    string
		mutate  func(r *http.Request) (body string)
		secret  string
		now     time.Time
		wantErr error
		expired bool
	}{
		{name: "valid", secret: testSecret, now: now},
		{name: "wrong secret", secret: "not-the-secret", now: now, wantErr: ErrSignatureMismatch},
		{name: "tampered body", secret: testSecret, now: now, wantErr: ErrSignatureMismatch,
			mutate: func(*http.Request) string { return "Action=RunInstances&Version=2016-11-15" }},
		{name: "tampered signed header", secret: testSecret, now: now, wantErr: ErrSignatureMismatch,
			mutate: func(r *http.Request) string { r.Header.Set("Content-Type", "text/plain"); return body }},
		{name: "unsigned header may change", secret: testSecret, now: now,
			mutate: func(r *http.Request) string { r.Header.Set("User-Agent", "curl/8"); return body }},
		{name: "too old", secret: testSecret, now: now.Add(16 * time.Minute), expired: true},
		{name: "from the future", secret: testSecret, now: now.Add(-16 * time.Minute), expired: true},
		{name: "within skew", secret: testSecret, now: now.Add(14 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := signedRequest(t, body, now, "")
			b := body
			if tt.mutate != nil {
				b = tt.mutate(r)
			}
			sig, err := Parse(r)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = Verify(context.Background(), r, []byte(b), sig, tt.secret, tt.now)
			var exp *ExpiredError
			switch {
			case tt.expired:
				if !errors.As(err, &exp) {
					t.Fatalf("Verify = %v, want ExpiredError", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
				}
			default:
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
			}
		})
	}
}

func TestParseSessionTokenAndScope(t *testing.T) {
	now := time.Now().UTC()
	r := signedRequest(t, "Action=GetCallerIdentity", now, "token-123")
	sig, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if sig.AccessKeyID != testKey || sig.Region != "us-east-1" || sig.Service != "ec2" || sig.SessionToken != "token-123" {
		t.Fatalf("parsed %+v", sig)
	}
	if err := Verify(context.Background(), r, []byte("Action=GetCallerIdentity"), sig, testSecret, now); err != nil {
		t.Fatalf("Verify with session token: %v", err)
	}
}

func TestVerifyPresigned(t *testing.T) {
	at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=300", nil)
	signer := v4.NewSigner()
	signed, _, err := signer.PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}, req, payloadHash(""), "sts", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(signed)
	server := httptest.NewRequest(http.MethodGet, u.RequestURI(), nil)
	server.Host = u.Host
	sig, err := Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	if !sig.Presigned || sig.Expires != 300*time.Second {
		t.Fatalf("parsed %+v", sig)
	}
	if err := Verify(context.Background(), server, nil, sig, testSecret, at.Add(time.Minute)); err != nil {
		t.Fatalf("valid presigned: %v", err)
	}
	if err := Verify(context.Background(), server, nil, sig, "wrong", at.Add(time.Minute)); !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("wrong secret: %v", err)
	}
	var exp *ExpiredError
	if err := Verify(context.Background(), server, nil, sig, testSecret, at.Add(6*time.Minute)); !errors.As(err, &exp) {
		t.Fatalf("after expiry: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, auth, date string
		wantNotSigned    bool
		wantSubstring    string
	}{
		{name: "unsigned", wantNotSigned: true},
		{name: "other algorithm", auth: "AWS3 Credential=x", date: "20260101T000000Z", wantSubstring: "requires 'AWS4-HMAC-SHA256'"},
		{name: "no signature", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host", date: "20260101T000000Z", wantSubstring: "'Signature'"},
		{name: "bad scope", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1, SignedHeaders=host, Signature=abc", date: "20260101T000000Z", wantSubstring: "Credential should be scoped"},
		{name: "bad date", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=abc", date: "yesterday", wantSubstring: "ISO-8601"},
		{name: "no date", auth: "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=abc", wantSubstring: "X-Amz-Date"},
		{name: "not key=value", auth: "AWS4-HMAC-SHA256 Credential", date: "20260101T000000Z", wantSubstring: "key=value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.date != "" {
				r.Header.Set("X-Amz-Date", tt.date)
			}
			_, err := Parse(r)
			if tt.wantNotSigned {
				if !errors.Is(err, ErrNotSigned) {
					t.Fatalf("err = %v, want ErrNotSigned", err)
				}
				return
			}
			var m *MalformedError
			if !errors.As(err, &m) || !strings.Contains(m.Message, tt.wantSubstring) {
				t.Fatalf("err = %v, want MalformedError containing %q", err, tt.wantSubstring)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "20260101T000000Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=//////, SignedHeaders=;;;, Signature==", "x", "")
	f.Add("", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20260101%2Fr%2Fs%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Expires=-1")
	f.Fuzz(func(t *testing.T, auth, date, query string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.URL.RawQuery = query
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		sig, err := Parse(r)
		if err != nil {
			return
		}
		if sig.AccessKeyID == "" || sig.Region == "" || sig.Service == "" {
			t.Fatalf("accepted a signature without a full scope: %+v", sig)
		}
		// Verification of garbage must fail cleanly, never panic.
		_ = Verify(context.Background(), r, nil, sig, "secret", sig.Time)
	})
}
