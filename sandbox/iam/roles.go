package iam

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/sandbox/api"
)

// trustPolicyLimit is IAM's default quota on a role trust policy's size.
const trustPolicyLimit = 2048

type roleResult struct {
	Role roleXML `xml:"Role"`
}

type listRolesResult struct {
	Roles members[roleXML] `xml:"Roles"`
	page
}

// parseTrust validates an AssumeRolePolicyDocument.
func parseTrust(doc string) (*iampolicy.Policy, error) {
	p, err := iampolicy.Parse(doc, iampolicy.TrustPolicy)
	if err != nil {
		return nil, policyError(err)
	}
	if iampolicy.PolicySize(doc) > trustPolicyLimit {
		return nil, limitExceeded("Cannot exceed quota for ACLSizePerRole: %d", trustPolicyLimit)
	}
	return p, nil
}

func requiredDocument(call *api.Call, param string) (string, error) {
	doc, ok := call.Params.Lookup(param)
	if !ok {
		return "", api.MissingParameter(api.ProtocolQuery, param)
	}
	if doc == "" {
		return "", validationError(lowerFirst(param), doc, "Member must have length greater than or equal to 1")
	}
	if len(doc) > 131072 {
		return "", validationError(lowerFirst(param), doc, "Member must have length less than or equal to 131072")
	}
	return doc, nil
}

func (s *Service) createRole(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(call)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(call, "AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	maxSession := 3600
	if n, ok, perr := call.Params.Int("MaxSessionDuration"); perr != nil {
		return nil, validationError("maxSessionDuration", call.Params.Get("MaxSessionDuration"), "Member must be an integer")
	} else if ok {
		if n < 3600 {
			return nil, validationError("maxSessionDuration", strconv.FormatInt(n, 10), "Member must have value greater than or equal to 3600")
		}
		if n > 43200 {
			return nil, validationError("maxSessionDuration", strconv.FormatInt(n, 10), "Member must have value less than or equal to 43200")
		}
		maxSession = int(n)
	}
	description := call.Params.Get("Description")
	if len(description) > 1000 {
		return nil, validationError("description", description, "Member must have length less than or equal to 1000")
	}
	tags, err := readTags(call.Params)
	if err != nil {
		return nil, err
	}
	if call.Params.Has("PermissionsBoundary") {
		return nil, invalidInput("The sandbox does not support permissions boundaries.")
	}
	trust, err := parseTrust(doc)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, call, "CreateRole", s.arn("role", path, name)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.roleLocked(name); exists {
		return nil, alreadyExists(kindRole, name)
	}
	r := &role{
		principal:   principal{name: name, path: path, id: newID(prefixRole), arn: s.arn("role", path, name), created: s.now()},
		description: description, maxSession: maxSession, trustDoc: doc, trust: trust, tags: tags,
	}
	s.roles[strings.ToLower(name)] = r
	s.rolesByID[r.id] = r
	call.ResponseElements = r.trail()
	return roleResult{Role: r.xml(false)}, nil
}

func (s *Service) getRole(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "GetRole", kindRole, name, readLock, s.roleLocked, func(r *role) (any, error) {
		return roleResult{Role: r.xml(true)}, nil
	})
}

func (s *Service) listRoles(ctx context.Context, call *api.Call) (any, error) {
	roles, trailer, err := listByPath(s, ctx, call, "ListRoles", s.roles, func(r *role) roleXML {
		x := r.xml(false)
		x.Tags = nil // ListRoles leaves tags out, as IAM does
		return x
	})
	if err != nil {
		return nil, err
	}
	return listRolesResult{Roles: list(roles), page: trailer}, nil
}

func (s *Service) deleteRole(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "DeleteRole", kindRole, name, writeLock, s.roleLocked, func(r *role) (any, error) {
		// IAM checks dependants in the order its documentation lists them:
		// inline policies, managed policies, instance profiles.
		if err := r.policiesConflict(); err != nil {
			return nil, err
		}
		if len(s.profilesOfRoleLocked(r)) > 0 {
			return nil, deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		delete(s.roles, strings.ToLower(r.name))
		delete(s.rolesByID, r.id)
		return nil, nil
	})
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(call, "PolicyDocument")
	if err != nil {
		return nil, err
	}
	trust, err := parseTrust(doc)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "UpdateAssumeRolePolicy", kindRole, name, writeLock, s.roleLocked, func(r *role) (any, error) {
		r.trustDoc, r.trust = doc, trust
		return nil, nil
	})
}

// RoleInfo is what STS needs to know about a role to issue a session.
type RoleInfo struct {
	Name string
	ID   string
	ARN  string
	// Trust is the role's parsed trust policy (immutable).
	Trust              *iampolicy.Policy
	MaxSessionDuration time.Duration
}

// RoleByARN finds a role by its ARN, path included, as sts:AssumeRole names
// it. A role of another account, or an ARN whose path does not match the
// role's, is not found.
func (s *Service) RoleByARN(arn string) (RoleInfo, bool) {
	parsed, ok := parseRoleARN(arn)
	if !ok || parsed.Account != s.accountID {
		return RoleInfo{}, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.roleLocked(parsed.Name)
	if !ok || r.path != parsed.Path || r.name != parsed.Name {
		return RoleInfo{}, false
	}
	return RoleInfo{Name: r.name, ID: r.id, ARN: r.arn, Trust: r.trust, MaxSessionDuration: time.Duration(r.maxSession) * time.Second}, true
}
