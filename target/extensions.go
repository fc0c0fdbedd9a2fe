package target

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// extensionClient calls a served sandbox's signed /_irdrill/ extensions
// with the responder's key.
type extensionClient struct {
	url    string
	region string
	client *http.Client
	creds  aws.CredentialsProvider
}

// call POSTs (or GETs, with in nil) a JSON body to path and decodes the
// JSON answer into out.
func (c *extensionClient) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("%s %s: credentials: %w", method, path, err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), ExtensionService, c.region, time.Now()); err != nil {
		return fmt.Errorf("%s %s: sign: %w", method, path, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Type    string `json:"__type"`
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &e)
		code := e.Type
		if code == "" {
			code = e.Code
		}
		if code == "" {
			code = resp.Status
		}
		return fmt.Errorf("%s %s: %s: %s", method, path, code, e.Message)
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: answer: %w", method, path, err)
	}
	return nil
}

// httpClock drives a served sandbox's clock through ClockAdvancePath. It
// keeps the offset from the wall clock that the last answer showed, so Now
// costs no request.
type httpClock struct {
	ext *extensionClient
	mu  sync.Mutex
	off time.Duration
}

type clockAnswer struct {
	Now time.Time `json:"now"`
}

func newHTTPClock(ctx context.Context, ext *extensionClient) (*httpClock, error) {
	c := &httpClock{ext: ext}
	var a clockAnswer
	if err := ext.call(ctx, http.MethodGet, ClockPath, nil, &a); err != nil {
		return nil, fmt.Errorf("read the sandbox clock: %w", err)
	}
	c.set(a.Now)
	return c, nil
}

func (c *httpClock) set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if off := time.Until(now); off > c.off {
		c.off = off
	}
}

func (c *httpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *httpClock) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	var a clockAnswer
	if err := c.ext.call(ctx, http.MethodPost, ClockAdvancePath, map[string]string{"by": d.String()}, &a); err != nil {
		return time.Time{}, err
	}
	c.set(a.Now)
	return a.Now, nil
}

// httpKeyImporter imports keys through ImportAccessKeyPath.
type httpKeyImporter struct{ ext *extensionClient }

func (k httpKeyImporter) ImportAccessKey(ctx context.Context, userName, accessKeyID, secretAccessKey string) error {
	return k.ext.call(ctx, http.MethodPost, ImportAccessKeyPath, map[string]string{
		"UserName": userName, "AccessKeyId": accessKeyID, "SecretAccessKey": secretAccessKey,
	}, nil)
}
