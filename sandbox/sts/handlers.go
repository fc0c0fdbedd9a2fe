package sts

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/iam"
)

// Session duration limits, in seconds, from the STS API reference.
const (
	minDuration            = 900
	defaultRoleDuration    = 3600
	maxRoleDurationParam   = 43200
	roleChainingMax        = 3600
	defaultSessionDuration = 43200
	maxSessionDuration     = 129600
	rootSessionMax         = 3600
)

type callerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumedRoleUserXML struct {
	Arn           string `xml:"Arn"`
	AssumedRoleID string `xml:"AssumedRoleId"`
}

type assumeRoleResult struct {
	AssumedRoleUser assumedRoleUserXML `xml:"AssumedRoleUser"`
	Credentials     credentialsXML     `xml:"Credentials"`
}

type getSessionTokenResult struct {
	Credentials credentialsXML `xml:"Credentials"`
}

// CloudTrail's shapes of STS responses: the secret access key is never
// recorded.
type trailCredentials struct {
	AccessKeyID  string `json:"accessKeyId"`
	SessionToken string `json:"sessionToken"`
	Expiration   string `json:"expiration"`
}

type trailAssumedRoleUser struct {
	AssumedRoleID string `json:"assumedRoleId"`
	Arn           string `json:"arn"`
}

type trailAssumeRoleResponse struct {
	Credentials     trailCredentials     `json:"credentials"`
	AssumedRoleUser trailAssumedRoleUser `json:"assumedRoleUser"`
}

type trailSessionTokenResponse struct {
	Credentials trailCredentials `json:"credentials"`
}

type trailAssumeRoleRequest struct {
	RoleArn         string `json:"roleArn"`
	RoleSessionName string `json:"roleSessionName"`
	DurationSeconds *int64 `json:"durationSeconds,omitempty"`
	ExternalID      string `json:"externalId,omitempty"`
}

type trailDurationRequest struct {
	DurationSeconds int64 `json:"durationSeconds"`
}

func isoDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// trailDate renders dates as CloudTrail records STS responses ("Jul 29,
// 2021, 1:39:30 AM"), Java's medium format of newer JDKs, in UTC.
func trailDate(t time.Time) string { return t.UTC().Format("Jan 2, 2006, 3:04:05 PM") }

func trailCreds(c *api.Credential) trailCredentials {
	return trailCredentials{AccessKeyID: c.AccessKeyID, SessionToken: c.SessionToken, Expiration: trailDate(c.Expiration)}
}

func xmlCreds(c *api.Credential) credentialsXML {
	return credentialsXML{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: isoDate(c.Expiration)}
}

func validationError(member, value, constraint string) *api.Error {
	return api.Errorf("ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func accessDenied(format string, args ...any) *api.Error {
	return api.Errorf("AccessDenied", format, args...).WithStatus(http.StatusForbidden)
}

// GetCallerIdentity needs no permission: AWS answers it even when an
// explicit deny covers sts:GetCallerIdentity.
func (s *Service) getCallerIdentity(_ context.Context, call *api.Call) (any, error) {
	call.SkipAuthorization()
	p := call.Caller
	if p == nil {
		return nil, api.MissingAuthenticationToken(api.ProtocolQuery)
	}
	out := callerIdentityResult{Arn: p.ARN, UserID: p.PrincipalID, Account: p.AccountID}
	if p.Type == api.PrincipalRoot {
		out.UserID = p.AccountID
		out.Arn = "arn:aws:iam::" + p.AccountID + ":root"
	}
	return out, nil
}

// readDuration reads DurationSeconds within [minDuration, max].
func readDuration(call *api.Call, def, max int64) (n int64, sent bool, err error) {
	n, sent, perr := call.Params.Int("DurationSeconds")
	if perr != nil {
		return 0, true, validationError("durationSeconds", call.Params.Get("DurationSeconds"), "Member must be an integer")
	}
	if !sent {
		return def, false, nil
	}
	if n < minDuration {
		return 0, true, validationError("durationSeconds", strconv.FormatInt(n, 10), fmt.Sprintf("Member must have value greater than or equal to %d", minDuration))
	}
	if n > max {
		return 0, true, validationError("durationSeconds", strconv.FormatInt(n, 10), fmt.Sprintf("Member must have value less than or equal to %d", max))
	}
	return n, true, nil
}

func isSessionNameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-'
}

// validSessionName checks RoleSessionName: 2 to 64 of [\w+=,.@-].
func validSessionName(s string) error {
	if len(s) < 2 {
		return validationError("roleSessionName", s, "Member must have length greater than or equal to 2")
	}
	if len(s) > 64 {
		return validationError("roleSessionName", s, "Member must have length less than or equal to 64")
	}
	for i := 0; i < len(s); i++ {
		if !isSessionNameChar(s[i]) {
			return validationError("roleSessionName", s, `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
		}
	}
	return nil
}

// validExternalID checks ExternalId: 2 to 1224 of [\w+=,.@:/-].
func validExternalID(s string) error {
	if len(s) < 2 {
		return validationError("externalId", s, "Member must have length greater than or equal to 2")
	}
	if len(s) > 1224 {
		return validationError("externalId", s, "Member must have length less than or equal to 1224")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isSessionNameChar(c) && c != ':' && c != '/' {
			return validationError("externalId", s, `Member must satisfy regular expression pattern: [\w+=,.@:\/-]*`)
		}
	}
	return nil
}

// unsupportedAssumeRoleParams are AssumeRole features the sandbox does not
// model. Refusing them is safer than ignoring them: a session policy that
// was silently dropped would grant more than the caller asked for.
var unsupportedAssumeRoleParams = []string{"Policy", "PolicyArns.member.1.arn", "Tags.member.1.Key", "TransitiveTagKeys.member.1", "SerialNumber", "TokenCode", "SourceIdentity", "ProvidedContexts.member.1.ProviderArn"}

func (s *Service) assumeRole(ctx context.Context, call *api.Call) (any, error) {
	roleARN, ok := call.Params.Lookup("RoleArn")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolQuery, "RoleArn")
	}
	if len(roleARN) < 20 || len(roleARN) > 2048 {
		return nil, validationError("roleArn", roleARN, "Member must have length greater than or equal to 20")
	}
	sessionName, ok := call.Params.Lookup("RoleSessionName")
	if !ok {
		return nil, api.MissingParameter(api.ProtocolQuery, "RoleSessionName")
	}
	if err := validSessionName(sessionName); err != nil {
		return nil, err
	}
	duration, durationSent, err := readDuration(call, defaultRoleDuration, maxRoleDurationParam)
	if err != nil {
		return nil, err
	}
	externalID, hasExternalID := call.Params.Lookup("ExternalId")
	if hasExternalID {
		if err := validExternalID(externalID); err != nil {
			return nil, err
		}
	}
	for _, p := range unsupportedAssumeRoleParams {
		if call.Params.Has(p) {
			return nil, api.Errorf("ValidationError", "The irdrill sandbox does not support the AssumeRole parameter %s.", p)
		}
	}
	if !looksLikeARN(roleARN) {
		return nil, api.Errorf("ValidationError", "%s is invalid", roleARN)
	}

	request := trailAssumeRoleRequest{RoleArn: roleARN, RoleSessionName: sessionName, ExternalID: externalID}
	if durationSent {
		request.DurationSeconds = &duration
	}
	call.RequestParameters = request

	extra := map[string][]string{"sts:rolesessionname": {sessionName}}
	if hasExternalID {
		extra["sts:externalid"] = []string{externalID}
	}
	identityErr := call.Authorize(ctx, "sts:AssumeRole", []string{roleARN}, extra)

	caller := call.Caller
	denied := accessDenied("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.ARN, roleARN)
	role, found := s.lookupRole(roleARN)
	if !found {
		// AWS does not reveal whether a role exists to callers who may not
		// assume it.
		return nil, denied
	}
	condition := call.ConditionContext()
	for k, v := range extra {
		condition[k] = v
	}
	trustReq := iampolicy.Request{
		Action:    "sts:AssumeRole",
		Resource:  role.ARN,
		Principal: trustPrincipal(caller),
		Context:   condition,
	}
	if iampolicy.EvaluateTrust(trustReq, role.Trust) != iampolicy.Allow {
		return nil, denied
	}
	if identityErr != nil {
		// Within an account, a trust policy that names the caller itself
		// (its user ARN, or its role or session ARN) grants access on its
		// own, like any resource-based policy; one that names only the
		// account delegates to the caller's identity policies. An explicit
		// deny in those policies wins either way.
		if isExplicitDeny(call, identityErr, roleARN) {
			return nil, identityErr
		}
		named := trustReq
		p := *named.Principal
		p.Account = ""
		named.Principal = &p
		if iampolicy.EvaluateTrust(named, role.Trust) != iampolicy.Allow {
			return nil, identityErr
		}
	}

	chaining := caller.Type == api.PrincipalAssumedRole
	if durationSent {
		if chaining && duration > roleChainingMax {
			return nil, api.Errorf("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		if time.Duration(duration)*time.Second > role.MaxSessionDuration {
			return nil, api.Errorf("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
	}

	now := s.clock().UTC().Truncate(time.Second)
	sessionARN := "arn:aws:sts::" + s.accountID + ":assumed-role/" + role.Name + "/" + sessionName
	principal := &api.Principal{
		Type:              api.PrincipalAssumedRole,
		ARN:               sessionARN,
		PrincipalID:       role.ID + ":" + sessionName,
		AccountID:         s.accountID,
		RoleName:          role.Name,
		RoleARN:           role.ARN,
		RoleID:            role.ID,
		SessionName:       sessionName,
		SessionIssuerType: "Role",
	}
	cred := s.issue(principal, now, time.Duration(duration)*time.Second)
	call.ResponseElements = trailAssumeRoleResponse{
		Credentials:     trailCreds(cred),
		AssumedRoleUser: trailAssumedRoleUser{AssumedRoleID: principal.PrincipalID, Arn: sessionARN},
	}
	return assumeRoleResult{
		AssumedRoleUser: assumedRoleUserXML{Arn: sessionARN, AssumedRoleID: principal.PrincipalID},
		Credentials:     xmlCreds(cred),
	}, nil
}

// lookupRole resolves the role, tolerating a missing resolver.
func (s *Service) lookupRole(arn string) (iam.RoleInfo, bool) {
	if s.roles == nil {
		return iam.RoleInfo{}, false
	}
	return s.roles.RoleByARN(arn)
}

// looksLikeARN accepts arn:partition:service:region:account:resource.
func looksLikeARN(s string) bool {
	var colons int
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			colons++
		}
	}
	return len(s) > 4 && s[:4] == "arn:" && colons >= 5
}

// trustPrincipal is the caller as trust policies see it.
func trustPrincipal(p *api.Principal) *iampolicy.Principal {
	arn := p.ARN
	if p.Type == api.PrincipalRoot {
		arn = "arn:aws:iam::" + p.AccountID + ":root"
	}
	return &iampolicy.Principal{Type: "AWS", ARN: arn, RoleARN: p.RoleARN, Account: p.AccountID}
}

// isExplicitDeny tells an explicit deny from a missing allow. Call.Authorize
// reports both as AccessDenied and differs only in the message it builds
// with api.AccessDenied, so compare with that.
func isExplicitDeny(call *api.Call, err error, resource string) bool {
	want := api.AccessDenied(call, "sts:AssumeRole", resource, api.ExplicitDeny)
	got := api.AsError(err)
	return got.Code == want.Code && got.Message == want.Message
}

func (s *Service) getSessionToken(_ context.Context, call *api.Call) (any, error) {
	// GetSessionToken needs no permission (AWS documents that it cannot be
	// denied by an identity policy), but only long-term credentials may call it.
	call.SkipAuthorization()
	caller := call.Caller
	if caller == nil {
		return nil, api.MissingAuthenticationToken(api.ProtocolQuery)
	}
	duration, sent, err := readDuration(call, defaultSessionDuration, maxSessionDuration)
	if err != nil {
		return nil, err
	}
	if caller.IsTemporary() || caller.Type == api.PrincipalAssumedRole {
		return nil, accessDenied("Cannot call GetSessionToken with session credentials")
	}
	if call.Params.Has("SerialNumber") || call.Params.Has("TokenCode") {
		// The sandbox has no MFA devices, so no code can be valid.
		return nil, accessDenied("MultiFactorAuthentication failed, unable to validate MFA code.")
	}
	if caller.Type == api.PrincipalRoot && duration > rootSessionMax {
		// Approximation: AWS caps root sessions at one hour; the sandbox
		// shortens the request instead of rejecting it.
		duration = rootSessionMax
	}
	if sent {
		call.RequestParameters = trailDurationRequest{DurationSeconds: duration}
	}
	principal := *caller
	now := s.clock().UTC().Truncate(time.Second)
	cred := s.issue(&principal, now, time.Duration(duration)*time.Second)
	call.ResponseElements = trailSessionTokenResponse{Credentials: trailCreds(cred)}
	return getSessionTokenResult{Credentials: xmlCreds(cred)}, nil
}
