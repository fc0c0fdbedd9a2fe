// Package sts is the sandbox's AWS Security Token Service: GetCallerIdentity,
// AssumeRole and GetSessionToken over the STS query protocol. It issues the
// temporary ASIA credentials that role sessions sign with and serves them
// to the front end as a credential store; what a session may do is decided
// by the IAM service, which owns the roles.
package sts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/irdrill/irdrill/internal/ids"
	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/iam"
)

// Namespace is the xmlns of STS query-protocol responses.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// RoleResolver finds the roles that AssumeRole targets; *iam.Service
// implements it.
type RoleResolver interface {
	RoleByARN(arn string) (iam.RoleInfo, bool)
}

// Config configures the STS service.
type Config struct {
	AccountID string
	// Clock returns now; nil means time.Now. Session expiry is measured
	// on it, so tests can expire credentials without waiting.
	Clock func() time.Time
	Roles RoleResolver
}

// Service issues and resolves temporary credentials. It is safe for
// concurrent use.
type Service struct {
	accountID string
	clock     func() time.Time
	roles     RoleResolver

	mu       sync.RWMutex
	sessions map[string]*api.Credential // by ASIA access key id
}

// New builds the STS service.
func New(cfg Config) *Service {
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	return &Service{accountID: cfg.AccountID, clock: clock, roles: cfg.Roles, sessions: map[string]*api.Credential{}}
}

// SigningName implements api.Service.
func (s *Service) SigningName() string { return "sts" }

// EventSource implements api.Service.
func (s *Service) EventSource() string { return "sts.amazonaws.com" }

// Protocol implements api.Service.
func (s *Service) Protocol() api.Protocol { return api.ProtocolQuery }

// XMLNamespace implements api.Service.
func (s *Service) XMLNamespace() string { return Namespace }

// TargetPrefix implements api.Service; STS is a query service.
func (s *Service) TargetPrefix() string { return "" }

// Handle implements api.Service.
func (s *Service) Handle(ctx context.Context, call *api.Call) (any, error) {
	if call.Params == nil {
		call.Params = api.ParamsFromValues(nil)
	}
	switch call.Action {
	case "GetCallerIdentity":
		return s.getCallerIdentity(ctx, call)
	case "AssumeRole":
		return s.assumeRole(ctx, call)
	case "GetSessionToken":
		return s.getSessionToken(ctx, call)
	}
	return nil, api.InvalidAction(s, call.Action)
}

// LookupCredential implements api.CredentialStore for ASIA keys. Expired
// sessions are still returned: the front end answers ExpiredToken for
// them, as AWS does, rather than InvalidClientTokenId.
func (s *Service) LookupCredential(accessKeyID string) (*api.Credential, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.sessions[accessKeyID]
	if !ok {
		return nil, false
	}
	out := *c
	p := *c.Principal
	out.Principal = &p
	return &out, true
}

// sessionRetention is how long an expired session stays resolvable, so
// that late use of it is still answered ExpiredToken and attributed.
const sessionRetention = 7 * 24 * time.Hour

// issue stores a new session for principal and returns its credential.
func (s *Service) issue(principal *api.Principal, now time.Time, duration time.Duration) *api.Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, c := range s.sessions {
		if now.Sub(c.Expiration) > sessionRetention {
			delete(s.sessions, id)
		}
	}
	var id string
	for {
		id = "ASIA" + ids.Upper(16)
		if _, taken := s.sessions[id]; !taken {
			break
		}
	}
	principal.AccessKeyID = id
	principal.TokenIssueTime = now
	c := &api.Credential{
		AccessKeyID:     id,
		SecretAccessKey: ids.Secret(),
		SessionToken:    newSessionToken(),
		Expiration:      now.Add(duration),
		Active:          true,
		Principal:       principal,
	}
	s.sessions[id] = c
	return c
}

// tokenPrefix makes tokens look like AWS's current ones, which are base64
// and begin with this prefix; the rest is random and opaque.
const tokenPrefix = "IQoJb3JpZ2luX2Vj"

func newSessionToken() string {
	b := make([]byte, 420)
	_, _ = rand.Read(b)
	return tokenPrefix + base64.StdEncoding.EncodeToString(b)
}
