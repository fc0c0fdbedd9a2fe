package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Hash-header modes of the signing client.
const (
	hashNone     = iota // no X-Amz-Content-Sha256 (what IAM/STS/EC2 SDK clients send)
	hashSigned          // the body's hash, signed as a header
	hashUnsigned        // UNSIGNED-PAYLOAD, signed as a header (S3's mode)
	hashModes
)

// Changes an attacker applies after signing.
const (
	mutateNothing    = iota
	mutateHashHeader // set X-Amz-Content-Sha256 to a chosen value
	mutateHashOfSent // set X-Amz-Content-Sha256 to the hash of the sent body
	mutateHashOfSign // set X-Amz-Content-Sha256 to the hash of the signed body
	mutateUnsigned   // add an unsigned header
	mutations
)

// Changes to the body.
const (
	bodyKeep    = iota
	bodyReplace // the fuzzer's other body
	bodyAppend  // one more byte
	bodyTrim    // one byte less
	bodyChanges
)

// FuzzVerifyCoversBody signs a fuzzer-chosen request (body, a signed
// header's value, hash-header mode, presigned or not) with a known key,
// applies fuzzer-chosen changes to the body and the unsigned headers, and
// checks that Verify accepts the request exactly when the body the server
// received is the one that was signed. Two refinements of "the one that
// was signed" follow from AWS's rules for these services: UNSIGNED-PAYLOAD
// signs no body, so it is never accepted; and an X-Amz-Content-Sha256 the
// server receives must be the hash of what it received.
func FuzzVerifyCoversBody(f *testing.F) {
	f.Add([]byte("Action=ListUsers&Version=2010-05-08"), []byte("Action=CreateAccessKey&UserName=admin"), "application/x-www-form-urlencoded", uint8(hashNone), false, uint8(mutateHashOfSign), uint8(bodyReplace), "")
	f.Add([]byte("Action=ListUsers&Version=2010-05-08"), []byte(""), "text/plain", uint8(hashSigned), false, uint8(mutateNothing), uint8(bodyKeep), "")
	f.Add([]byte(""), []byte("UserName=victim"), "", uint8(hashNone), true, uint8(mutateHashOfSign), uint8(bodyReplace), "")
	f.Add([]byte("{}"), []byte("{}"), "application/x-amz-json-1.1", uint8(hashUnsigned), false, uint8(mutateNothing), uint8(bodyKeep), "")
	f.Add([]byte("{}"), []byte("{} "), "application/x-amz-json-1.1", uint8(hashNone), true, uint8(mutateHashHeader), uint8(bodyAppend), "UNSIGNED-PAYLOAD")
	f.Add([]byte("a"), []byte("b"), "x", uint8(hashSigned), true, uint8(mutateUnsigned), uint8(bodyTrim), "v")
	f.Fuzz(func(t *testing.T, signedBody, otherBody []byte, signedValue string, hashMode uint8, presigned bool, mutation, bodyChange uint8, value string) {
		hashMode %= hashModes
		mutation %= mutations
		bodyChange %= bodyChanges
		if !validHeaderValue(signedValue) || !validHeaderValue(value) {
			t.Skip()
		}
		at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		creds := aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}
		signedHash := hexSHA256(signedBody)
		if hashMode == hashUnsigned {
			signedHash = "UNSIGNED-PAYLOAD"
		}

		// The client's request, signed.
		client, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/?Action=Probe", bytes.NewReader(signedBody))
		client.ContentLength = 0 // botocore leaves Content-Length unsigned
		client.Header.Set("X-Fuzz-Signed", signedValue)
		switch hashMode {
		case hashSigned:
			client.Header.Set("X-Amz-Content-Sha256", hexSHA256(signedBody))
		case hashUnsigned:
			client.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		}
		var server *http.Request
		if presigned {
			signedURL, headers, err := v4.NewSigner().PresignHTTP(context.Background(), creds, client, signedHash, "iam", "us-east-1", at)
			if err != nil {
				t.Skip()
			}
			u, err := url.Parse(signedURL)
			if err != nil {
				t.Fatal(err)
			}
			server = httptest.NewRequest(http.MethodPost, u.RequestURI(), nil)
			server.Host = u.Host
			for k, v := range headers {
				if !strings.EqualFold(k, "Host") {
					server.Header[k] = v
				}
			}
		} else {
			if err := v4.NewSigner().SignHTTP(context.Background(), creds, client, signedHash, "iam", "us-east-1", at); err != nil {
				t.Skip()
			}
			server = httptest.NewRequest(http.MethodPost, client.URL.RequestURI(), nil)
			server.Host = client.URL.Host
			for k, v := range client.Header {
				server.Header[k] = v
			}
		}

		// The attacker's changes.
		received := append([]byte(nil), signedBody...)
		switch bodyChange {
		case bodyReplace:
			received = append([]byte(nil), otherBody...)
		case bodyAppend:
			received = append(received, 'x')
		case bodyTrim:
			if len(received) > 0 {
				received = received[:len(received)-1]
			}
		}
		switch mutation {
		case mutateHashHeader:
			server.Header.Set("X-Amz-Content-Sha256", value)
		case mutateHashOfSent:
			server.Header.Set("X-Amz-Content-Sha256", hexSHA256(received))
		case mutateHashOfSign:
			server.Header.Set("X-Amz-Content-Sha256", hexSHA256(signedBody))
		case mutateUnsigned:
			server.Header.Set("X-Fuzz-Unsigned", value)
		}
		// Changing a signed header is a different attack (covered by the
		// table tests); here only the hash header may change, and only
		// where it was not signed or keeps its value.
		if hashMode != hashNone && !presigned && server.Header.Get("X-Amz-Content-Sha256") != client.Header.Get("X-Amz-Content-Sha256") {
			t.Skip()
		}

		sig, err := Parse(server)
		if err != nil {
			t.Fatalf("Parse of a signed request: %v", err)
		}
		err = Verify(context.Background(), server, received, sig, testSecret, at)
		claim, claimed := server.Header["X-Amz-Content-Sha256"]
		want := bytes.Equal(received, signedBody) && hashMode != hashUnsigned &&
			(!claimed || strings.Join(claim, ",") == hexSHA256(received))
		if (err == nil) != want {
			t.Fatalf("Verify = %v, want accepted=%v (signed %q, received %q, hash mode %d, presigned %v, mutation %d, header %q)",
				err, want, signedBody, received, hashMode, presigned, mutation, claim)
		}
	})
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// validHeaderValue is what an HTTP/1.1 header value can carry on the wire.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
