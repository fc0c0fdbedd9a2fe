package sts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/iam"
	"github.com/irdrill/irdrill/sandbox/sts"
)

const (
	account  = "999999999999"
	adminKey = "AKIAIRDRILLADMINKEY1"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is an IAM and an STS service wired as the sandbox wires them.
type env struct {
	t     *testing.T
	iam   *iam.Service
	sts   *sts.Service
	clock *clock
}

func newEnv(t *testing.T) *env {
	c := &clock{now: time.Date(2021, 7, 29, 0, 39, 30, 0, time.UTC)}
	i := iam.New(iam.Config{AccountID: account, Clock: c.Now})
	if err := i.Bootstrap("admin", adminKey, "secret"); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, iam: i, sts: sts.New(sts.Config{AccountID: account, Clock: c.Now, Roles: i}), clock: c}
}

// principal resolves a key through both credential stores, as the front
// end does, and fails on unusable keys.
func (e *env) principal(keyID string) *api.Principal {
	e.t.Helper()
	for _, store := range []api.CredentialStore{e.iam, e.sts} {
		if c, ok := store.LookupCredential(keyID); ok {
			if !c.Active {
				e.t.Fatalf("key %s inactive", keyID)
			}
			return c.Principal
		}
	}
	e.t.Fatalf("key %s unknown", keyID)
	return nil
}

func (e *env) call(svc api.Service, caller *api.Principal, action string, kv ...string) (any, *api.Call, error) {
	e.t.Helper()
	values := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		values.Set(kv[i], kv[i+1])
	}
	c := api.NewCall(svc, action, caller, e.iam)
	c.Params = api.ParamsFromValues(values)
	c.Region = "us-east-1"
	c.AccountID = account
	c.Time = e.clock.Now()
	res, err := svc.Handle(context.Background(), c)
	if err == nil && !c.Authorized() {
		e.t.Fatalf("%s succeeded without authorising", action)
	}
	return res, c, err
}

func (e *env) iamAdmin(action string, kv ...string) any {
	e.t.Helper()
	res, _, err := e.call(e.iam, e.principal(adminKey), action, kv...)
	if err != nil {
		e.t.Fatalf("%s: %v", action, err)
	}
	return res
}

func (e *env) userWithKey(name string, policy string) string {
	e.t.Helper()
	e.iamAdmin("CreateUser", "UserName", name)
	if policy != "" {
		e.iamAdmin("PutUserPolicy", "UserName", name, "PolicyName", "p", "PolicyDocument", policy)
	}
	var out struct {
		ID string `xml:"AccessKey>AccessKeyId"`
	}
	decode(e.t, e.iamAdmin("CreateAccessKey", "UserName", name), &out)
	return out.ID
}

func render(t testing.TB, res any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.EncodeElement(res, xml.StartElement{Name: xml.Name{Local: "Result"}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decode(t testing.TB, res any, v any) {
	t.Helper()
	if err := xml.Unmarshal(render(t, res), v); err != nil {
		t.Fatal(err)
	}
}

func expectError(t testing.TB, err error, code, message string) {
	t.Helper()
	var e *api.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want %s", err, code)
	}
	if e.Code != code || (message != "" && e.Message != message) {
		t.Fatalf("got %s %q, want %s %q", e.Code, e.Message, code, message)
	}
}

type assumed struct {
	Arn           string `xml:"AssumedRoleUser>Arn"`
	AssumedRoleID string `xml:"AssumedRoleUser>AssumedRoleId"`
	AccessKeyID   string `xml:"Credentials>AccessKeyId"`
	Secret        string `xml:"Credentials>SecretAccessKey"`
	Token         string `xml:"Credentials>SessionToken"`
	Expiration    string `xml:"Credentials>Expiration"`
}

const (
	allowAssume = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	denyAll     = `{ "Statement": [ { "Effect": "Deny", "Action": "*", "Resource": "*" } ] }`
)

func trustFor(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"}]}`
}

func TestAssumeRoleTrust(t *testing.T) {
	e := newEnv(t)
	responder := e.userWithKey("responder", allowAssume)
	outsider := e.userWithKey("outsider", allowAssume)
	noPolicy := e.userWithKey("nopolicy", "")
	denied := e.userWithKey("denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"},{"Effect":"Deny","Action":"sts:*","Resource":"*"}]}`)
	e.iamAdmin("CreateRole", "RoleName", "SecurityBreakGlassRole", "AssumeRolePolicyDocument", trustFor(`{"AWS":["arn:aws:iam::999999999999:user/responder","arn:aws:iam::999999999999:user/nopolicy","arn:aws:iam::999999999999:user/denied"]}`))
	e.iamAdmin("CreateRole", "RoleName", "AccountTrust", "AssumeRolePolicyDocument", trustFor(`{"AWS":"arn:aws:iam::999999999999:root"}`))
	e.iamAdmin("CreateRole", "RoleName", "denyrole", "AssumeRolePolicyDocument", trustFor(`{"Service":"ec2.amazonaws.com"}`))
	e.iamAdmin("CreateRole", "RoleName", "ExternalRole", "AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"case-42"}}}]}`)

	deniedMsg := func(user, role string) string {
		return "User: arn:aws:iam::999999999999:user/" + user + " is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::999999999999:role/" + role
	}
	tests := []struct {
		name    string
		key     string
		role    string
		extra   []string
		code    string
		message string
	}{
		{"named principal", responder, "SecurityBreakGlassRole", nil, "", ""},
		{"other principal", outsider, "SecurityBreakGlassRole", nil, "AccessDenied", deniedMsg("outsider", "SecurityBreakGlassRole")},
		{"service-only trust", responder, "denyrole", nil, "AccessDenied", deniedMsg("responder", "denyrole")},
		{"unknown role", responder, "NoSuchRole", nil, "AccessDenied", deniedMsg("responder", "NoSuchRole")},
		// A trust policy naming the user suffices without an identity policy...
		{"named principal without identity policy", noPolicy, "SecurityBreakGlassRole", nil, "", ""},
		// ...but one naming the account needs the caller's own permission.
		{"account trust with identity policy", outsider, "AccountTrust", nil, "", ""},
		{"account trust without identity policy", noPolicy, "AccountTrust", nil, "AccessDenied", deniedMsg("nopolicy", "AccountTrust") + " because no identity-based policy allows the sts:AssumeRole action"},
		{"explicit deny beats named trust", denied, "SecurityBreakGlassRole", nil, "AccessDenied", deniedMsg("denied", "SecurityBreakGlassRole") + " with an explicit deny in an identity-based policy"},
		{"external id matches", outsider, "ExternalRole", []string{"ExternalId", "case-42"}, "", ""},
		{"external id missing", outsider, "ExternalRole", nil, "AccessDenied", deniedMsg("outsider", "ExternalRole")},
		{"external id wrong", outsider, "ExternalRole", []string{"ExternalId", "case-43"}, "AccessDenied", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kv := append([]string{"RoleArn", "arn:aws:iam::999999999999:role/" + tc.role, "RoleSessionName", "ir-session"}, tc.extra...)
			res, _, err := e.call(e.sts, e.principal(tc.key), "AssumeRole", kv...)
			if tc.code != "" {
				expectError(t, err, tc.code, tc.message)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var out assumed
			decode(t, res, &out)
			info, _ := e.iam.RoleByARN("arn:aws:iam::999999999999:role/" + tc.role)
			if out.Arn != "arn:aws:sts::999999999999:assumed-role/"+tc.role+"/ir-session" || out.AssumedRoleID != info.ID+":ir-session" {
				t.Errorf("AssumedRoleUser = %+v", out)
			}
		})
	}
}

func TestAssumeRoleSession(t *testing.T) {
	e := newEnv(t)
	key := e.userWithKey("responder", allowAssume)
	e.iamAdmin("CreateRole", "RoleName", "denyrole", "Path", "/ir/", "MaxSessionDuration", "7200", "AssumeRolePolicyDocument", trustFor(`{"AWS":"arn:aws:iam::999999999999:user/responder"}`))
	e.iamAdmin("AttachRolePolicy", "RoleName", "denyrole", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	res, call, err := e.call(e.sts, e.principal(key), "AssumeRole", "RoleArn", "arn:aws:iam::999999999999:role/ir/denyrole", "RoleSessionName", "drill", "DurationSeconds", "7200")
	if err != nil {
		t.Fatal(err)
	}
	var out assumed
	decode(t, res, &out)
	if !strings.HasPrefix(out.AccessKeyID, "ASIA") || len(out.AccessKeyID) != 20 || len(out.Secret) != 40 || len(out.Token) < 200 || out.Expiration != "2021-07-29T02:39:30Z" {
		t.Errorf("credentials = %+v", out)
	}
	trail, _ := json.Marshal(call.ResponseElements)
	wantTrail := `{"credentials":{"accessKeyId":"` + out.AccessKeyID + `","sessionToken":"` + out.Token + `","expiration":"Jul 29, 2021, 2:39:30 AM"},"assumedRoleUser":{"assumedRoleId":"` + out.AssumedRoleID + `","arn":"arn:aws:sts::999999999999:assumed-role/denyrole/drill"}}`
	if string(trail) != wantTrail || strings.Contains(string(trail), out.Secret) {
		t.Errorf("responseElements\n got %s\nwant %s", trail, wantTrail)
	}
	req, _ := json.Marshal(call.RequestParameters)
	if string(req) != `{"roleArn":"arn:aws:iam::999999999999:role/ir/denyrole","roleSessionName":"drill","durationSeconds":7200}` {
		t.Errorf("requestParameters = %s", req)
	}

	cred, ok := e.sts.LookupCredential(out.AccessKeyID)
	if !ok || cred.SessionToken != out.Token || cred.SecretAccessKey != out.Secret || !cred.Active || !cred.Expiration.Equal(e.clock.Now().Add(2*time.Hour)) {
		t.Fatalf("LookupCredential = %+v, %v", cred, ok)
	}
	p := cred.Principal
	if p.Type != api.PrincipalAssumedRole || p.RoleARN != "arn:aws:iam::999999999999:role/ir/denyrole" || p.SessionName != "drill" || !p.TokenIssueTime.Equal(e.clock.Now()) || p.AccessKeyID != out.AccessKeyID {
		t.Errorf("session principal = %+v", p)
	}

	// The session has the role's permissions, and the lab's DenyAll on
	// the role takes them away until it is deleted.
	authz := func() api.Decision {
		return e.iam.Authorize(context.Background(), api.AuthzRequest{Principal: p, Action: "ec2:StopInstances", Resource: "*"})
	}
	if d := authz(); d != api.Allow {
		t.Fatalf("session decision %v", d)
	}
	e.iamAdmin("PutRolePolicy", "RoleName", "denyrole", "PolicyName", "DenyAll", "PolicyDocument", denyAll)
	if d := authz(); d != api.ExplicitDeny {
		t.Fatalf("with DenyAll: %v", d)
	}
	e.iamAdmin("DeleteRolePolicy", "RoleName", "denyrole", "PolicyName", "DenyAll")
	if d := authz(); d != api.Allow {
		t.Fatalf("after DenyAll deleted: %v", d)
	}

	// GetCallerIdentity for the session.
	res, _, err = e.call(e.sts, p, "GetCallerIdentity")
	if err != nil {
		t.Fatal(err)
	}
	var id struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	}
	decode(t, res, &id)
	if id.Arn != out.Arn || id.UserID != out.AssumedRoleID || id.Account != account {
		t.Errorf("GetCallerIdentity = %+v", id)
	}

	// Role chaining is limited to one hour.
	e.iamAdmin("CreateRole", "RoleName", "next", "AssumeRolePolicyDocument", trustFor(`{"AWS":"arn:aws:iam::999999999999:role/ir/denyrole"}`))
	_, _, err = e.call(e.sts, p, "AssumeRole", "RoleArn", "arn:aws:iam::999999999999:role/next", "RoleSessionName", "chain", "DurationSeconds", "7200")
	expectError(t, err, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	if _, _, err = e.call(e.sts, p, "AssumeRole", "RoleArn", "arn:aws:iam::999999999999:role/next", "RoleSessionName", "chain"); err != nil {
		t.Errorf("role chaining within an hour: %v", err)
	}
}

func TestAssumeRoleValidation(t *testing.T) {
	e := newEnv(t)
	key := e.userWithKey("responder", allowAssume)
	e.iamAdmin("CreateRole", "RoleName", "r", "AssumeRolePolicyDocument", trustFor(`{"AWS":"arn:aws:iam::999999999999:user/responder"}`))
	role := "arn:aws:iam::999999999999:role/r"
	tests := []struct {
		name string
		kv   []string
		msg  string
	}{
		{"missing role", []string{"RoleSessionName", "s1"}, "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null"},
		{"short session name", []string{"RoleArn", role, "RoleSessionName", "s"}, "1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"bad session name", []string{"RoleArn", role, "RoleSessionName", "a b"}, `1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"short duration", []string{"RoleArn", role, "RoleSessionName", "s1", "DurationSeconds", "899"}, "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"beyond role maximum", []string{"RoleArn", role, "RoleSessionName", "s1", "DurationSeconds", "3601"}, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"session policy", []string{"RoleArn", role, "RoleSessionName", "s1", "Policy", "{}"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := e.call(e.sts, e.principal(key), "AssumeRole", tc.kv...)
			expectError(t, err, "ValidationError", tc.msg)
		})
	}
}

func TestGetSessionToken(t *testing.T) {
	e := newEnv(t)
	key := e.userWithKey("pipeline", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"},{"Effect":"Deny","Action":"sts:*","Resource":"*"}]}`)
	user := e.principal(key)
	// No permission is needed, even with sts:* denied.
	res, call, err := e.call(e.sts, user, "GetSessionToken", "DurationSeconds", "900")
	if err != nil {
		t.Fatal(err)
	}
	var out assumed
	decode(t, res, &out)
	if out.Expiration != "2021-07-29T00:54:30Z" || !strings.HasPrefix(out.AccessKeyID, "ASIA") {
		t.Errorf("credentials = %+v", out)
	}
	if req, _ := json.Marshal(call.RequestParameters); string(req) != `{"durationSeconds":900}` {
		t.Errorf("requestParameters = %s", req)
	}
	session := e.principal(out.AccessKeyID)
	if session.Type != api.PrincipalIAMUser || session.ARN != user.ARN || session.TokenIssueTime.IsZero() {
		t.Errorf("session principal = %+v", session)
	}
	if d := e.iam.Authorize(context.Background(), api.AuthzRequest{Principal: session, Action: "ec2:DescribeInstances", Resource: "*"}); d != api.Allow {
		t.Errorf("session keeps the user's permissions: %v", d)
	}
	res, _, err = e.call(e.sts, session, "GetCallerIdentity")
	if err != nil {
		t.Fatal(err)
	}
	var id struct {
		Arn string `xml:"Arn"`
	}
	decode(t, res, &id)
	if id.Arn != "arn:aws:iam::999999999999:user/pipeline" {
		t.Errorf("GetCallerIdentity with session token = %s", id.Arn)
	}
	_, _, err = e.call(e.sts, session, "GetSessionToken")
	expectError(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	_, _, err = e.call(e.sts, user, "GetSessionToken", "DurationSeconds", "129601")
	expectError(t, err, "ValidationError", "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600")
	// IAM refuses GetSessionToken credentials without MFA.
	_, _, err = e.call(e.iam, session, "ListUsers")
	expectError(t, err, "InvalidClientTokenId", "")
	if _, _, err := e.call(e.sts, session, "Frobnicate"); err == nil {
		t.Error("unknown action succeeded")
	}
}

func TestGoldenAssumeRoleXML(t *testing.T) {
	e := newEnv(t)
	e.iamAdmin("CreateRole", "RoleName", "SecurityBreakGlassRole", "AssumeRolePolicyDocument", trustFor(`{"AWS":"arn:aws:iam::999999999999:user/admin"}`))
	res, _, err := e.call(e.sts, e.principal(adminKey), "AssumeRole", "RoleArn", "arn:aws:iam::999999999999:role/SecurityBreakGlassRole", "RoleSessionName", "responder")
	if err != nil {
		t.Fatal(err)
	}
	var out assumed
	decode(t, res, &out)
	got := string(render(t, res))
	for _, secret := range []string{out.AccessKeyID, out.Secret, out.Token, out.AssumedRoleID[:21]} {
		got = strings.ReplaceAll(got, secret, "REDACTED")
	}
	want := `<Result>
  <AssumedRoleUser>
    <Arn>arn:aws:sts::999999999999:assumed-role/SecurityBreakGlassRole/responder</Arn>
    <AssumedRoleId>REDACTED:responder</AssumedRoleId>
  </AssumedRoleUser>
  <Credentials>
    <AccessKeyId>REDACTED</AccessKeyId>
    <SecretAccessKey>REDACTED</SecretAccessKey>
    <SessionToken>REDACTED</SessionToken>
    <Expiration>2021-07-29T01:39:30Z</Expiration>
  </Credentials>
</Result>`
	if got != want {
		t.Errorf("AssumeRole XML\n got:\n%s\nwant:\n%s", got, want)
	}
}
