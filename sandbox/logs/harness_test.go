package logs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

const (
	testAccount = "999999999999"
	testRegion  = "us-east-1"
)

// testClock is a controllable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recordingAuthz allows everything except denied actions and records every
// request.
type recordingAuthz struct {
	mu     sync.Mutex
	deny   map[string]bool
	checks []api.AuthzRequest
}

func (a *recordingAuthz) Authorize(_ context.Context, req api.AuthzRequest) api.Decision {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = append(a.checks, req)
	if a.deny[req.Action] {
		return api.ImplicitDeny
	}
	return api.Allow
}

type harness struct {
	t     testing.TB
	svc   *Service
	clock *testClock
	authz *recordingAuthz
	user  *api.Principal
}

var baseTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func newHarness(t testing.TB, latency time.Duration) *harness {
	clock := &testClock{t: baseTime}
	return &harness{
		t:     t,
		svc:   New(Config{AccountID: testAccount, Clock: clock.Now, QueryLatency: latency}),
		clock: clock,
		authz: &recordingAuthz{deny: map[string]bool{}},
		user: &api.Principal{Type: api.PrincipalIAMUser, ARN: "arn:aws:iam::999999999999:user/tester",
			AccountID: testAccount, UserName: "tester", PrincipalID: "AIDAEXAMPLE"},
	}
}

// invoke runs one action and returns the JSON the front end would render.
func (h *harness) invoke(action string, body any) ([]byte, error) {
	h.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		h.t.Fatalf("marshal %s body: %v", action, err)
	}
	if s, ok := body.(string); ok {
		raw = []byte(s)
	}
	call := api.NewCall(h.svc, action, h.user, h.authz)
	call.Region, call.AccountID, call.Time, call.Body = testRegion, testAccount, h.clock.Now(), raw
	res, err := h.svc.Handle(context.Background(), call)
	if err != nil {
		return nil, err
	}
	if !call.Authorized() {
		h.t.Fatalf("%s succeeded without authorising", action)
	}
	out, err := json.Marshal(res)
	if err != nil {
		h.t.Fatalf("marshal %s result: %v", action, err)
	}
	return out, nil
}

// do runs an action that must succeed and decodes its result into out.
func (h *harness) do(action string, body any, out any) {
	h.t.Helper()
	raw, err := h.invoke(action, body)
	if err != nil {
		h.t.Fatalf("%s: %v", action, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("decode %s result %s: %v", action, raw, err)
		}
	}
}

// fail runs an action that must fail and returns its AWS error.
func (h *harness) fail(action string, body any) *api.Error {
	h.t.Helper()
	raw, err := h.invoke(action, body)
	if err == nil {
		h.t.Fatalf("%s succeeded with %s, want an error", action, raw)
	}
	var apiErr *api.Error
	if !errors.As(err, &apiErr) {
		h.t.Fatalf("%s: error %v is not an *api.Error", action, err)
	}
	return apiErr
}

type m = map[string]any

func (h *harness) createGroup(name string) {
	h.t.Helper()
	h.do("CreateLogGroup", m{"logGroupName": name}, nil)
}

func (h *harness) createStream(group, stream string) {
	h.t.Helper()
	h.do("CreateLogStream", m{"logGroupName": group, "logStreamName": stream}, nil)
}

// put stores events through PutLogEvents; ts are milliseconds.
func (h *harness) put(group, stream string, ts []int64, msgs []string) putLogEventsOutput {
	h.t.Helper()
	events := make([]m, len(ts))
	for i := range ts {
		events[i] = m{"timestamp": ts[i], "message": msgs[i]}
	}
	var out putLogEventsOutput
	h.do("PutLogEvents", m{"logGroupName": group, "logStreamName": stream, "logEvents": events}, &out)
	return out
}

func nowMS() int64 { return baseTime.UnixMilli() }
