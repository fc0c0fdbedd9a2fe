package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

const testAccount = "999999999999"

// fakeClock is a controllable Clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// allow is an Authorizer that allows everything but the listed actions.
type allow struct{ deny map[string]bool }

func (a allow) Authorize(_ context.Context, req api.AuthzRequest) api.Decision {
	if a.deny[req.Action] {
		return api.ExplicitDeny
	}
	return api.Allow
}

// fakeLogs records deliveries, keyed by "logGroupARN|stream".
type fakeLogs struct {
	mu    sync.Mutex
	calls int
	got   map[string][]DeliveredEvent
	err   error
}

func (f *fakeLogs) DeliverTrailEvents(_ context.Context, group, stream string, events []DeliveredEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return f.err
	}
	if f.got == nil {
		f.got = map[string][]DeliveredEvent{}
	}
	f.got[group+"|"+stream] = append(f.got[group+"|"+stream], events...)
	return nil
}

func (f *fakeLogs) delivered() map[string][]DeliveredEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]DeliveredEvent{}
	for k, v := range f.got {
		out[k] = append([]DeliveredEvent(nil), v...)
	}
	return out
}

func (f *fakeLogs) total() int {
	n := 0
	for _, v := range f.delivered() {
		n += len(v)
	}
	return n
}

type fixture struct {
	t     testing.TB
	svc   *Service
	clock *fakeClock
	logs  *fakeLogs
	authz allow
}

// newFixture builds a Service whose deliveries happen only when the test
// calls Flush, so that what is delivered when is deterministic.
func newFixture(t testing.TB, delay time.Duration) *fixture {
	t.Helper()
	return newFixtureWith(t, Config{DeliveryDelay: delay})
}

// newFixtureWith builds the fixture's service from cfg, with the fixture's
// account, clock and Logs.
func newFixtureWith(t testing.TB, cfg Config) *fixture {
	t.Helper()
	clock := newFakeClock()
	logs := &fakeLogs{}
	cfg.AccountID, cfg.Clock, cfg.Logs = testAccount, clock.Now, logs
	svc, _ := newService(cfg)
	close(svc.done) // no delivery goroutine to wait for
	t.Cleanup(svc.Close)
	return &fixture{t: t, svc: svc, clock: clock, logs: logs, authz: allow{}}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

var pipelineUser = &api.Principal{
	Type: api.PrincipalIAMUser, ARN: "arn:aws:iam::" + testAccount + ":user/pipeline",
	PrincipalID: "AIDAEXAMPLEPIPELINE", AccountID: testAccount, AccessKeyID: "AKIAIOSFODNN7EXAMPLE", UserName: "pipeline",
}

// call runs action against the service as the pipeline user, returning the
// JSON of the result (as the front end would render it) or the API error.
func (f *fixture) call(region, action, body string) (string, *api.Error) {
	f.t.Helper()
	c := api.NewCall(f.svc, action, pipelineUser, f.authz)
	c.Region, c.AccountID, c.Time, c.Body = region, testAccount, f.clock.Now(), []byte(body)
	res, err := f.svc.Handle(context.Background(), c)
	if err == nil && !c.Authorized() {
		f.t.Fatalf("%s succeeded without authorising", action)
	}
	if err != nil {
		var apiErr *api.Error
		if !errors.As(err, &apiErr) {
			f.t.Fatalf("%s: non-API error %v", action, err)
		}
		return "", apiErr
	}
	b, merr := json.Marshal(res)
	if merr != nil {
		f.t.Fatalf("%s: marshal result: %v", action, merr)
	}
	return string(b), nil
}

// mustCall is call for requests that must succeed; it decodes into out.
func (f *fixture) mustCall(region, action, body string, out any) {
	f.t.Helper()
	res, err := f.call(region, action, body)
	if err != nil {
		f.t.Fatalf("%s %s: %v", action, body, err)
	}
	if out != nil {
		if jerr := json.Unmarshal([]byte(res), out); jerr != nil {
			f.t.Fatalf("%s: decode %s: %v", action, res, jerr)
		}
	}
}

// wantErr asserts that the call fails with code.
func (f *fixture) wantErr(region, action, body, code string) *api.Error {
	f.t.Helper()
	res, err := f.call(region, action, body)
	if err == nil {
		f.t.Fatalf("%s %s: succeeded with %s, want %s", action, body, res, code)
	}
	if err.Code != code {
		f.t.Fatalf("%s %s: got %s (%s), want %s", action, body, err.Code, err.Message, code)
	}
	return err
}

type evOpt func(*Event)

// rec builds a management-event record by the pipeline user.
func rec(id, region, source, name string, at time.Time, opts ...evOpt) *Event {
	e := &Event{
		EventVersion: "1.08",
		UserIdentity: UserIdentity{
			Type: "IAMUser", PrincipalID: pipelineUser.PrincipalID, ARN: pipelineUser.ARN,
			AccountID: testAccount, AccessKeyID: pipelineUser.AccessKeyID, UserName: "pipeline",
		},
		EventTime: at.UTC().Format(time.RFC3339), EventSource: source, EventName: name, AWSRegion: region,
		SourceIPAddress: "203.0.113.99", UserAgent: "aws-cli/2.15.0",
		RequestParameters: json.RawMessage(`null`), ResponseElements: json.RawMessage(`null`),
		RequestID: "req-" + id, EventID: id, EventType: "AwsApiCall", ManagementEvent: true,
		RecipientAccountID: testAccount, EventCategory: "Management",
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

func readOnly(e *Event) { e.ReadOnly = true }

func dataEvent(e *Event) { e.ManagementEvent, e.EventCategory = false, "Data" }

func params(req, resp string) evOpt {
	return func(e *Event) {
		if req != "" {
			e.RequestParameters = json.RawMessage(req)
		}
		if resp != "" {
			e.ResponseElements = json.RawMessage(resp)
		}
	}
}

func asRole(session string) evOpt {
	return func(e *Event) {
		e.UserIdentity = UserIdentity{
			Type: "AssumedRole", PrincipalID: "AROAEXAMPLEBREAKGLASS:" + session,
			ARN:       "arn:aws:sts::" + testAccount + ":assumed-role/SecurityBreakGlassRole/" + session,
			AccountID: testAccount, AccessKeyID: "ASIAEXAMPLESESSION01",
			SessionContext: &SessionContext{
				SessionIssuer: &SessionIssuer{Type: "Role", PrincipalID: "AROAEXAMPLEBREAKGLASS",
					ARN: "arn:aws:iam::" + testAccount + ":role/SecurityBreakGlassRole", AccountID: testAccount, UserName: "SecurityBreakGlassRole"},
				Attributes: SessionAttributes{CreationDate: "2026-03-14T09:00:00Z", MFAAuthenticated: "false"},
			},
		}
	}
}

func lookupBody(attrKey, attrValue string, extra string) string {
	attrs := ""
	if attrKey != "" {
		attrs = fmt.Sprintf(`"LookupAttributes":[{"AttributeKey":%q,"AttributeValue":%q}]`, attrKey, attrValue)
	}
	switch {
	case attrs != "" && extra != "":
		return "{" + attrs + "," + extra + "}"
	case attrs != "":
		return "{" + attrs + "}"
	case extra != "":
		return "{" + extra + "}"
	}
	return "{}"
}

type lookupResult struct {
	Events []struct {
		EventID         string  `json:"EventId"`
		EventName       string  `json:"EventName"`
		ReadOnly        string  `json:"ReadOnly"`
		AccessKeyID     string  `json:"AccessKeyId"`
		EventTime       float64 `json:"EventTime"`
		EventSource     string  `json:"EventSource"`
		Username        string  `json:"Username"`
		Resources       []lookupResource
		CloudTrailEvent string `json:"CloudTrailEvent"`
	} `json:"Events"`
	NextToken string `json:"NextToken"`
}

func (r lookupResult) ids() []string {
	out := []string{}
	for _, e := range r.Events {
		out = append(out, e.EventID)
	}
	return out
}
