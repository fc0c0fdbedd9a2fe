package iam

import (
	"context"
	"strings"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/sandbox/api"
)

// Authorize implements api.Authorizer: it evaluates the caller's identity
// policies (a user's inline and attached policies and those of its groups;
// a role session's role's inline and attached policies). An explicit deny
// wins, and anything not allowed is denied. A principal whose user or role
// no longer exists, or was recreated under the same name, has no policies.
//
// It runs on every sandbox request, so it only holds the read lock while
// collecting the (immutable) parsed policies and evaluates outside it.
func (s *Service) Authorize(ctx context.Context, req api.AuthzRequest) api.Decision {
	p := req.Principal
	if p == nil {
		return api.ImplicitDeny
	}
	if p.Type == api.PrincipalRoot {
		if p.AccountID == s.accountID {
			return api.Allow
		}
		return api.ImplicitDeny
	}
	var stack [16]*iampolicy.Policy
	s.mu.RLock()
	policies, found := s.identityPoliciesLocked(p, stack[:0])
	if found {
		s.recordUseLocked(p, req)
	}
	s.mu.RUnlock()
	if !found {
		return api.ImplicitDeny
	}
	d := iampolicy.Evaluate(iampolicy.Request{
		Action:   req.Action,
		Resource: req.Resource,
		Principal: &iampolicy.Principal{
			Type: "AWS", ARN: p.ARN, RoleARN: p.RoleARN, Account: p.AccountID,
		},
		Context: req.Context,
	}, policies...)
	switch d {
	case iampolicy.Allow:
		return api.Allow
	case iampolicy.ExplicitDeny:
		return api.ExplicitDeny
	}
	return api.ImplicitDeny
}

// identityPoliciesLocked appends the principal's policies to dst. found is
// false when the principal's identity no longer exists.
func (s *Service) identityPoliciesLocked(p *api.Principal, dst []*iampolicy.Policy) (policies []*iampolicy.Policy, found bool) {
	switch p.Type {
	case api.PrincipalIAMUser:
		u, ok := s.usersByID[p.PrincipalID]
		if !ok {
			return nil, false
		}
		dst = s.appendPoliciesLocked(dst, &u.principal)
		for _, g := range u.groups {
			dst = s.appendPoliciesLocked(dst, &g.principal)
		}
		return dst, true
	case api.PrincipalAssumedRole:
		r, ok := s.rolesByID[p.RoleID]
		if !ok {
			return nil, false
		}
		return s.appendPoliciesLocked(dst, &r.principal), true
	}
	return nil, false
}

func (s *Service) appendPoliciesLocked(dst []*iampolicy.Policy, pp *principal) []*iampolicy.Policy {
	for _, ip := range pp.inline {
		dst = append(dst, ip.parsed)
	}
	for _, arn := range pp.attached {
		if mp, ok := s.policyLocked(arn); ok {
			if v := mp.defaultVersion(); v != nil {
				dst = append(dst, v.parsed)
			}
		}
	}
	return dst
}

// recordUseLocked feeds GetAccessKeyLastUsed and GetRole's RoleLastUsed.
// Approximation: AWS records a use when a request is authenticated; the
// sandbox records it when the request is authorised, which every request
// except sts:GetCallerIdentity is.
func (s *Service) recordUseLocked(p *api.Principal, req api.AuthzRequest) {
	service, _, _ := strings.Cut(req.Action, ":")
	region := "us-east-1"
	if v := req.Context["aws:requestedregion"]; len(v) == 1 && v[0] != "" {
		region = v[0]
	}
	use := &lastUse{when: s.now(), service: service, region: region}
	if k, ok := s.keys[p.AccessKeyID]; ok {
		k.lastUsed.Store(use)
	}
	if p.Type == api.PrincipalAssumedRole {
		if r, ok := s.rolesByID[p.RoleID]; ok {
			r.lastUsed.Store(use)
		}
	}
}
