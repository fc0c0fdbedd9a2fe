package sigv4

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/irdrill/irdrill/sandbox/sigv4/internal/partitions"
)

func TestVerifyHashesTheReceivedBody(t *testing.T) {
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	const body = "Action=ListUsers&Version=2010-05-08"
	const other = "Action=CreateAccessKey&UserName=admin"
	sign := func(t *testing.T, hashHeader, signedHash string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
		r.ContentLength = 0 // botocore does not sign Content-Length
		if hashHeader != "" {
			r.Header.Set("X-Amz-Content-Sha256", hashHeader)
		}
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}, r, signedHash, "iam", "us-east-1", now); err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name       string
		hashHeader string // signed X-Amz-Content-Sha256
		signedHash string
		addHeader  string // unsigned X-Amz-Content-Sha256 added after signing
		received   string
		ok         bool
	}{
		{name: "plain", signedHash: payloadHash(body), received: body, ok: true},
		{name: "plain, body swapped", signedHash: payloadHash(body), received: other},
		{name: "unsigned hash header of the signed body, body swapped", signedHash: payloadHash(body), addHeader: payloadHash(body), received: other},
		{name: "unsigned hash header of the body", signedHash: payloadHash(body), addHeader: payloadHash(body), received: body, ok: true},
		{name: "unsigned hash header of another body", signedHash: payloadHash(body), addHeader: payloadHash(other), received: body},
		{name: "signed hash header", hashHeader: payloadHash(body), signedHash: payloadHash(body), received: body, ok: true},
		{name: "signed hash header, body swapped", hashHeader: payloadHash(body), signedHash: payloadHash(body), received: other},
		{name: "UNSIGNED-PAYLOAD", hashHeader: "UNSIGNED-PAYLOAD", signedHash: "UNSIGNED-PAYLOAD", received: body},
		{name: "streaming", hashHeader: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", signedHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", received: body},
		{name: "signed over another body's hash", signedHash: payloadHash(other), received: body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sign(t, tt.hashHeader, tt.signedHash)
			if tt.addHeader != "" {
				r.Header.Set("X-Amz-Content-Sha256", tt.addHeader)
			}
			sig, err := Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			err = Verify(context.Background(), r, []byte(tt.received), sig, testSecret, now)
			if tt.ok && err != nil {
				t.Fatalf("Verify = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("Verify = %v, want ErrSignatureMismatch", err)
			}
		})
	}
}

func TestVerifyTime(t *testing.T) {
	signed := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	header := signedRequest(t, "", signed, "")
	req, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:4566/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=3600", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}, req, payloadHash(""), "sts", "us-east-1", signed)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	presigned := httptest.NewRequest(http.MethodGet, parsed.RequestURI(), nil)
	presigned.Host = parsed.Host
	tests := []struct {
		name    string
		r       *http.Request
		now     time.Time
		message string // "" = valid
	}{
		{"header within skew ahead", header, signed.Add(-14 * time.Minute), ""},
		{"header ahead", header, signed.Add(-16 * time.Minute), "Signature not yet current: 20261123T010000Z is still later than 20261123T005900Z (20261123T004400Z + 15 min.)"},
		{"header behind", header, signed.Add(16 * time.Minute), "Signature expired: 20261123T010000Z is now earlier than 20261123T010100Z (20261123T011600Z - 15 min.)"},
		{"presigned within skew ahead", presigned, signed.Add(-14 * time.Minute), ""},
		{"presigned ahead", presigned, signed.Add(-16 * time.Minute), "Signature not yet current: 20261123T010000Z is still later than 20261123T005900Z (20261123T004400Z + 15 min.)"},
		{"presigned within expiry", presigned, signed.Add(59 * time.Minute), ""},
		{"presigned expired", presigned, signed.Add(61 * time.Minute), "Signature expired: 20261123T010000Z is now earlier than 20261123T020100Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := Parse(tt.r)
			if err != nil {
				t.Fatal(err)
			}
			err = Verify(context.Background(), tt.r, nil, sig, testSecret, tt.now)
			if tt.message == "" {
				if err != nil {
					t.Fatalf("Verify = %v", err)
				}
				return
			}
			var exp *ExpiredError
			if !errors.As(err, &exp) || err.Error() != tt.message {
				t.Fatalf("Verify = %v, want ExpiredError %q", err, tt.message)
			}
		})
	}
}

func TestParseRepeatedDate(t *testing.T) {
	r := signedRequest(t, "", time.Now(), "")
	r.Header.Add("X-Amz-Date", r.Header.Get("X-Amz-Date"))
	var m *MalformedError
	if _, err := Parse(r); !errors.As(err, &m) || !strings.Contains(m.Message, "Date must be in ISO-8601 'basic format'") {
		t.Fatalf("Parse = %v, want the ISO-8601 MalformedError", err)
	}
	q := url.Values{"X-Amz-Algorithm": {algorithm}, "X-Amz-Credential": {testKey + "/20260101/us-east-1/sts/aws4_request"},
		"X-Amz-Date": {"20260101T000000Z", "20260101T000000Z"}, "X-Amz-SignedHeaders": {"host"}, "X-Amz-Signature": {"00"}}
	p := httptest.NewRequest(http.MethodGet, "/?"+q.Encode(), nil)
	if _, err := Parse(p); !errors.As(err, &m) || !strings.Contains(m.Message, "ISO-8601") {
		t.Fatalf("Parse presigned = %v, want the ISO-8601 MalformedError", err)
	}
}

func TestCheckRegion(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-3", "ap-southeast-7", "il-central-1"} {
		if err := CheckRegion(&Signature{Region: region}); err != nil {
			t.Errorf("%s: %v", region, err)
		}
	}
	for _, region := range []string{"xx-fake-9", "aws-global", "US-EAST-1", "us-east-1 ", "cn-north-1", "us-gov-west-1", strings.Repeat("y", 1000)} {
		err := CheckRegion(&Signature{Region: region})
		var re *RegionError
		if !errors.As(err, &re) {
			t.Errorf("%.20s: %v, want RegionError", region, err)
			continue
		}
		if len(err.Error()) > 400 || !strings.HasPrefix(err.Error(), "Credential should be scoped to a valid region, not '") {
			t.Errorf("%.20s: message %.80q", region, err.Error())
		}
	}
}

// TestRegionsAreTheSDKs keeps the generated list in step with the SDK the
// module builds with (run `go generate ./sandbox/sigv4` after an upgrade).
func TestRegionsAreTheSDKs(t *testing.T) {
	raw, err := partitions.ReadSDKFile()
	if err != nil {
		t.Skipf("the SDK's partitions.json is not readable here: %v", err)
	}
	want, err := partitions.Regions(raw, "aws")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for r := range knownRegions {
		got = append(got, r)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("regions_gen.go = %v\nthe SDK's aws partition = %v\nrun go generate ./sandbox/sigv4", got, want)
	}
}
