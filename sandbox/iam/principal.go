package iam

import (
	"context"
	"strings"
	"time"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/sandbox/api"
)

// principalKind selects users, groups or roles in the handlers that IAM
// offers for all three (Attach*Policy, Put*Policy, ...).
type principalKind int

const (
	kindUser principalKind = iota
	kindGroup
	kindRole
)

func (k principalKind) String() string {
	switch k {
	case kindUser:
		return "User"
	case kindGroup:
		return "Group"
	}
	return "Role"
}

// param is the name parameter of the kind ("UserName").
func (k principalKind) param() string { return k.String() + "Name" }

// lower is the kind as IAM's messages and ARNs spell it ("user").
func (k principalKind) lower() string { return strings.ToLower(k.String()) }

// maxNameLen is the name length limit of the kind; group names may be
// longer than user and role names.
func (k principalKind) maxNameLen() int {
	if k == kindGroup {
		return 128
	}
	return 64
}

// inlineLimit is the inline policy size quota of the kind.
func (k principalKind) inlineLimit() int {
	switch k {
	case kindUser:
		return iampolicy.UserInlinePolicyLimit
	case kindGroup:
		return iampolicy.GroupInlinePolicyLimit
	}
	return iampolicy.RoleInlinePolicyLimit
}

type inlinePolicy struct {
	name     string
	document string
	parsed   *iampolicy.Policy
}

// principal is what users, groups and roles have in common: their identity,
// and their inline policies and attached managed policy ARNs, both in
// insertion order.
type principal struct {
	name     string
	path     string
	id       string
	arn      string
	created  time.Time
	inline   []*inlinePolicy
	attached []string
}

// identity lets generic code reach the principal inside a user, group or
// role.
func (p *principal) identity() *principal { return p }

// policiesConflict is IAM's refusal to delete a user, group or role that
// still has policies: inline ones are reported before attached ones.
func (p *principal) policiesConflict() error {
	switch {
	case len(p.inline) > 0:
		return deleteConflict("Cannot delete entity, must delete policies first.")
	case len(p.attached) > 0:
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	return nil
}

func (p *principal) inlineByName(name string) (int, *inlinePolicy) {
	for i, ip := range p.inline {
		// Inline policy names are case-insensitive within a principal.
		if strings.EqualFold(ip.name, name) {
			return i, ip
		}
	}
	return -1, nil
}

func (p *principal) attachedIndex(arn string) int {
	for i, a := range p.attached {
		if a == arn {
			return i
		}
	}
	return -1
}

// principalLocked finds the user, group or role named name.
func (s *Service) principalLocked(kind principalKind, name string) (*principal, bool) {
	switch kind {
	case kindUser:
		if u, ok := s.userLocked(name); ok {
			return &u.principal, true
		}
	case kindGroup:
		if g, ok := s.groupLocked(name); ok {
			return &g.principal, true
		}
	case kindRole:
		if r, ok := s.roleLocked(name); ok {
			return &r.principal, true
		}
	}
	return nil, false
}

func (s *Service) userLocked(name string) (*user, bool) {
	u, ok := s.users[strings.ToLower(name)]
	return u, ok
}

func (s *Service) groupLocked(name string) (*group, bool) {
	g, ok := s.groups[strings.ToLower(name)]
	return g, ok
}

func (s *Service) roleLocked(name string) (*role, bool) {
	r, ok := s.roles[strings.ToLower(name)]
	return r, ok
}

// principalARN is the resource an action on the named user, group or role
// is authorised against: its ARN, or, when it does not exist, the ARN it
// would have under the root path.
func (s *Service) principalARN(kind principalKind, name string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p, ok := s.principalLocked(kind, name); ok {
		return p.arn
	}
	return s.arn(kind.lower(), "/", name)
}

// lockMode selects the service lock a handler's body runs under.
type lockMode int

const (
	readLock lockMode = iota
	writeLock
)

// withEntity is the common path of the actions on one user, group or
// role: authorise action on the named entity, then run fn on what find
// returns, under the lock. A missing entity is reported only after
// authorisation, as IAM answers.
func withEntity[E any](s *Service, ctx context.Context, call *api.Call, action string, kind principalKind, name string, mode lockMode, find func(name string) (E, bool), fn func(E) (any, error)) (any, error) {
	if err := authorize(ctx, call, action, s.principalARN(kind, name)); err != nil {
		return nil, err
	}
	if mode == writeLock {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	e, ok := find(name)
	if !ok {
		return nil, noSuch(kind, name)
	}
	return fn(e)
}

// withPrincipal runs the actions IAM offers for users, groups and roles
// alike (Put*Policy, Attach*Policy, ...) on what the three share.
func (s *Service) withPrincipal(ctx context.Context, call *api.Call, action string, kind principalKind, name string, mode lockMode, fn func(*principal) (any, error)) (any, error) {
	find := func(name string) (*principal, bool) { return s.principalLocked(kind, name) }
	return withEntity(s, ctx, call, action, kind, name, mode, find, fn)
}

// listByPath is the common part of ListUsers, ListGroups and ListRoles: one
// page of the entities whose path starts with PathPrefix, in IAM's
// alphabetical order, rendered under the read lock.
func listByPath[E interface{ identity() *principal }, X any](s *Service, ctx context.Context, call *api.Call, action string, table map[string]E, render func(E) X) ([]X, page, error) {
	prefix, err := pathPrefix(call, pathPrefixPattern)
	if err != nil {
		return nil, page{}, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, page{}, err
	}
	if err := authorize(ctx, call, action, "*"); err != nil {
		return nil, page{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var matched []E
	for _, e := range sortedByName(table) {
		if strings.HasPrefix(e.identity().path, prefix) {
			matched = append(matched, e)
		}
	}
	items, trailer := paginate(matched, func(e E) string { return strings.ToLower(e.identity().name) }, pg)
	var out []X
	for _, e := range items {
		out = append(out, render(e))
	}
	return out, trailer, nil
}
