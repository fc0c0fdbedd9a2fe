// Package sigv4 verifies AWS Signature Version 4 on incoming requests.
//
// It parses the signature (Authorization header or presigned query string)
// and recomputes it with aws-sdk-go-v2's signer over the parts of the request
// the client signed, so the sandbox accepts exactly what AWS's own signer
// produces and never carries a second, hand-written SigV4 implementation.
//
// The payload hash is always the hash of the body the server received: the
// services the sandbox serves (IAM, STS, EC2, CloudWatch Logs, CloudTrail)
// sign every body, and only S3 knows UNSIGNED-PAYLOAD and the streaming
// modes. An X-Amz-Content-Sha256 header is therefore only a claim, checked
// against that hash, never trusted in its place.
package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	algorithm  = "AWS4-HMAC-SHA256"
	timeFormat = "20060102T150405Z"
	// MaxSkew is how far a header-signed request's time may be from the
	// server's clock, as AWS enforces.
	MaxSkew = 15 * time.Minute
	// maxPresignExpiry is the longest X-Amz-Expires AWS accepts (7 days).
	maxPresignExpiry = 7 * 24 * time.Hour
)

// Signature is what a request claims about its signing.
type Signature struct {
	AccessKeyID   string
	Date          string // credential scope date, yyyymmdd
	Region        string
	Service       string
	SignedHeaders []string
	Signature     string
	Time          time.Time
	SessionToken  string
	Presigned     bool
	Expires       time.Duration // presigned only
}

// ErrNotSigned means the request carries no SigV4 signature at all.
var ErrNotSigned = errors.New("request is not signed")

// MalformedError describes a signature that cannot be parsed; its message
// is the one AWS gives with IncompleteSignature.
type MalformedError struct{ Message string }

func (e *MalformedError) Error() string { return e.Message }

// Parse extracts the SigV4 signature from r.
func Parse(r *http.Request) (*Signature, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		return parseHeader(auth, r.Header)
	}
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "" || q.Get("X-Amz-Signature") != "" || q.Get("X-Amz-Credential") != "" {
		return parseQuery(q)
	}
	return nil, ErrNotSigned
}

func parseHeader(auth string, h http.Header) (*Signature, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(auth), " ")
	if !ok || alg != algorithm {
		return nil, &MalformedError{Message: fmt.Sprintf("Authorization header requires '%s' algorithm. Authorization=%s", algorithm, truncate(auth))}
	}
	fields := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return nil, &MalformedError{Message: fmt.Sprintf("Authorization header requires each component to be of the form key=value. Authorization=%s", truncate(auth))}
		}
		fields[k] = v
	}
	for _, required := range []string{"Credential", "SignedHeaders", "Signature"} {
		if fields[required] == "" {
			return nil, &MalformedError{Message: fmt.Sprintf("Authorization header requires '%s' parameter. Authorization=%s", required, truncate(auth))}
		}
	}
	sig := &Signature{Signature: fields["Signature"], SessionToken: h.Get("X-Amz-Security-Token")}
	if err := sig.setCredential(fields["Credential"]); err != nil {
		return nil, err
	}
	sig.SignedHeaders = strings.Split(fields["SignedHeaders"], ";")
	// A repeated header is one comma-joined value to AWS (and to the
	// canonical request), which is never an ISO-8601 basic date.
	date := strings.Join(h.Values("X-Amz-Date"), ",")
	if date == "" {
		return nil, &MalformedError{Message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + truncate(auth)}
	}
	t, err := time.Parse(timeFormat, date)
	if err != nil {
		return nil, &MalformedError{Message: fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", truncate(date))}
	}
	sig.Time = t
	return sig, nil
}

func parseQuery(q url.Values) (*Signature, error) {
	if q.Get("X-Amz-Algorithm") != algorithm {
		return nil, &MalformedError{Message: fmt.Sprintf("X-Amz-Algorithm only supports '%s'", algorithm)}
	}
	for _, required := range []string{"X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if q.Get(required) == "" {
			return nil, &MalformedError{Message: fmt.Sprintf("AWS query-string parameters must include '%s'. Re-examine the query-string parameters.", required)}
		}
	}
	sig := &Signature{Signature: q.Get("X-Amz-Signature"), SessionToken: q.Get("X-Amz-Security-Token"), Presigned: true}
	if err := sig.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	sig.SignedHeaders = strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	date := strings.Join(q["X-Amz-Date"], ",")
	t, err := time.Parse(timeFormat, date)
	if err != nil {
		return nil, &MalformedError{Message: fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'.", truncate(date))}
	}
	sig.Time = t
	if e := q.Get("X-Amz-Expires"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil || n < 0 || time.Duration(n)*time.Second > maxPresignExpiry {
			return nil, &MalformedError{Message: fmt.Sprintf("X-Amz-Expires must be a number of seconds between 0 and 604800. Got '%s'.", truncate(e))}
		}
		sig.Expires = time.Duration(n) * time.Second
	} else {
		sig.Expires = 15 * time.Minute
	}
	return sig, nil
}

func (s *Signature) setCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" || parts[2] == "" || parts[3] == "" {
		return &MalformedError{Message: fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. Credential should be scoped to correct service. Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", regionOf(parts), terminatorOf(parts))}
	}
	if _, err := time.Parse("20060102", parts[1]); err != nil {
		return &MalformedError{Message: fmt.Sprintf("Credential should be scoped to a valid date, not '%s'.", truncate(parts[1]))}
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// CheckRegion refuses a credential scope whose region is not one of the
// aws partition's regions (RegionError). The front end calls it before it
// looks the key up or keeps anything about the request, so a made-up or
// huge region never becomes state.
func CheckRegion(sig *Signature) error {
	if !KnownRegion(sig.Region) {
		return &RegionError{Region: sig.Region}
	}
	return nil
}

// RegionError is a credential scope naming a region AWS does not have.
type RegionError struct{ Region string }

// Error is AWS's message, trailing space included.
func (e *RegionError) Error() string {
	return fmt.Sprintf("Credential should be scoped to a valid region, not '%s'. ", truncate(e.Region))
}

// Verify recomputes the signature with secret over the request and the
// body the server received, and reports whether it matches. now is the
// server's wall clock, for skew and expiry checks.
func Verify(ctx context.Context, r *http.Request, body []byte, sig *Signature, secret string, now time.Time) error {
	if err := CheckRegion(sig); err != nil {
		return err
	}
	if sig.Time.Format("20060102") != sig.Date {
		return ErrSignatureMismatch
	}
	// Neither form may be dated more than MaxSkew ahead of the server.
	if sig.Time.After(now.Add(MaxSkew)) {
		return &ExpiredError{Signed: sig.Time, Now: now, Presigned: sig.Presigned, NotYetCurrent: true}
	}
	if sig.Presigned {
		if now.After(sig.Time.Add(sig.Expires)) {
			return &ExpiredError{Signed: sig.Time, Now: now, Presigned: true}
		}
	} else if now.Sub(sig.Time) > MaxSkew {
		return &ExpiredError{Signed: sig.Time, Now: now}
	}

	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	// The header, when sent, must describe this body: a hash of another
	// body, UNSIGNED-PAYLOAD or a streaming mode (S3's alone) is a
	// signature over a request the server did not receive. Repeated
	// headers are one comma-joined value, which matches no hash.
	if claimed, ok := r.Header["X-Amz-Content-Sha256"]; ok && strings.Join(claimed, ",") != payloadHash {
		return ErrSignatureMismatch
	}

	clone, err := signedPart(r, sig)
	if err != nil {
		return err
	}
	creds := aws.Credentials{AccessKeyID: sig.AccessKeyID, SecretAccessKey: secret}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })

	var expected string
	if sig.Presigned {
		signedURL, _, err := signer.PresignHTTP(ctx, creds, clone, payloadHash, sig.Service, sig.Region, sig.Time)
		if err != nil {
			return fmt.Errorf("presign: %w", err)
		}
		u, err := url.Parse(signedURL)
		if err != nil {
			return fmt.Errorf("parse presigned url: %w", err)
		}
		expected = u.Query().Get("X-Amz-Signature")
	} else {
		if err := signer.SignHTTP(ctx, creds, clone, payloadHash, sig.Service, sig.Region, sig.Time); err != nil {
			return fmt.Errorf("sign: %w", err)
		}
		computed, err := parseHeader(clone.Header.Get("Authorization"), clone.Header)
		if err != nil {
			return fmt.Errorf("read computed signature: %w", err)
		}
		expected = computed.Signature
	}
	if !hmac.Equal([]byte(expected), []byte(sig.Signature)) {
		return ErrSignatureMismatch
	}
	return nil
}

// ErrSignatureMismatch means the signature was computed with another secret
// or over a different request.
var ErrSignatureMismatch = errors.New("signature does not match")

// ExpiredError means the request was signed too long ago, or is dated
// more than MaxSkew ahead of the server (NotYetCurrent).
type ExpiredError struct {
	Signed, Now   time.Time
	Presigned     bool
	NotYetCurrent bool
}

// Error is AWS's message for each case.
func (e *ExpiredError) Error() string {
	if e.NotYetCurrent {
		return fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)", e.Signed.Format(timeFormat), e.Now.UTC().Add(MaxSkew).Format(timeFormat), e.Now.UTC().Format(timeFormat))
	}
	if e.Presigned {
		return fmt.Sprintf("Signature expired: %s is now earlier than %s", e.Signed.Format(timeFormat), e.Now.UTC().Format(timeFormat))
	}
	return fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)", e.Signed.Format(timeFormat), e.Now.UTC().Add(-MaxSkew).Format(timeFormat), e.Now.UTC().Format(timeFormat))
}

// signedPart rebuilds the request as the client's signer saw it: the same
// method, path and query, and only the headers it listed as signed, so the
// SDK signer derives the same canonical request.
func signedPart(r *http.Request, sig *Signature) (*http.Request, error) {
	u := *r.URL
	u.Scheme = "http"
	u.Host = r.Host
	if sig.Presigned {
		q := u.Query()
		q.Del("X-Amz-Signature")
		u.RawQuery = q.Encode()
	}
	clone, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		return nil, &MalformedError{Message: "request URL cannot be canonicalised: " + err.Error()}
	}
	clone.Host = r.Host
	clone.ContentLength = 0
	for _, name := range sig.SignedHeaders {
		switch strings.ToLower(name) {
		case "host":
			continue
		case "content-length":
			clone.ContentLength = r.ContentLength
			continue
		}
		if vals, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
			clone.Header[http.CanonicalHeaderKey(name)] = vals
		} else {
			clone.Header[http.CanonicalHeaderKey(name)] = []string{""}
		}
	}
	return clone, nil
}

func regionOf(parts []string) string {
	if len(parts) > 2 {
		return truncate(parts[2])
	}
	return ""
}

func terminatorOf(parts []string) string {
	if len(parts) > 4 {
		return truncate(parts[len(parts)-1])
	}
	return ""
}

func truncate(s string) string {
	if len(s) > 256 {
		return s[:256] + "..."
	}
	return s
}
