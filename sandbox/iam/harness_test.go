package iam_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/iam"
)

const (
	testAccount   = "999999999999"
	adminKeyID    = "AKIAIRDRILLADMINKEY1"
	adminSecret   = "admin-secret"
	adminUserName = "admin"
)

// fakeClock is a controllable clock shared by a test's services.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2021, 7, 26, 0, 37, 18, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness drives the IAM service the way the front end does: it resolves
// the caller from an access key and hands the service an api.Call.
type harness struct {
	t     testing.TB
	svc   *iam.Service
	clock *fakeClock
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	clock := newFakeClock()
	svc := iam.New(iam.Config{AccountID: testAccount, Clock: clock.Now})
	if err := svc.Bootstrap(adminUserName, adminKeyID, adminSecret); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	return &harness{t: t, svc: svc, clock: clock}
}

// principal returns the principal behind an access key, as the front end
// resolves it; it fails the test for unknown or inactive keys.
func (h *harness) principal(keyID string) *api.Principal {
	h.t.Helper()
	c, ok := h.svc.LookupCredential(keyID)
	if !ok || !c.Active {
		h.t.Fatalf("access key %s is not usable (found %v)", keyID, ok)
	}
	return c.Principal
}

// do runs one IAM action as the principal. kv alternates names and values.
func (h *harness) do(caller *api.Principal, action string, kv ...string) (any, *api.Call, error) {
	h.t.Helper()
	values := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		values.Set(kv[i], kv[i+1])
	}
	call := api.NewCall(h.svc, action, caller, h.svc)
	call.Params = api.ParamsFromValues(values)
	call.Region = "us-east-1"
	call.AccountID = testAccount
	call.Time = h.clock.Now()
	res, err := h.svc.Handle(context.Background(), call)
	if err == nil && !call.Authorized() {
		h.t.Fatalf("%s succeeded without authorising", action)
	}
	return res, call, err
}

// admin runs an action as the bootstrap admin and fails the test on error.
func (h *harness) admin(action string, kv ...string) any {
	h.t.Helper()
	res, _, err := h.do(h.principal(adminKeyID), action, kv...)
	if err != nil {
		h.t.Fatalf("%s %v: %v", action, kv, err)
	}
	return res
}

// newUserWithKey creates a user with an access key and returns the key id.
func (h *harness) newUserWithKey(name string) string {
	h.t.Helper()
	h.admin("CreateUser", "UserName", name)
	res := h.admin("CreateAccessKey", "UserName", name)
	return accessKeyID(h.t, res)
}

func apiError(t testing.TB, err error) *api.Error {
	t.Helper()
	var e *api.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *api.Error", err, err)
	}
	return e
}

// expectError checks an error's code, message and HTTP status.
func expectError(t testing.TB, err error, code, message string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected %s, got success", code)
	}
	e := apiError(t, err)
	if e.Code != code || (message != "" && e.Message != message) || (status != 0 && e.HTTPStatus != status) {
		t.Fatalf("got %s (%d) %q, want %s (%d) %q", e.Code, e.HTTPStatus, e.Message, code, status, message)
	}
}

// renderXML renders a result as the front end does, inside <Result>.
func renderXML(t testing.TB, res any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.EncodeElement(res, xml.StartElement{Name: xml.Name{Local: "Result"}}); err != nil {
		t.Fatalf("marshal %T: %v", res, err)
	}
	return buf.Bytes()
}

// decode reads a result into a test-side struct through its XML, which is
// what clients see.
func decode(t testing.TB, res any, v any) {
	t.Helper()
	if err := xml.Unmarshal(renderXML(t, res), v); err != nil {
		t.Fatalf("unmarshal %T: %v", res, err)
	}
}

func accessKeyID(t testing.TB, res any) string {
	t.Helper()
	var out struct {
		AccessKey struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
		} `xml:"AccessKey"`
	}
	decode(t, res, &out)
	return out.AccessKey.AccessKeyID
}
