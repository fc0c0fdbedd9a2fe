package iam

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/sandbox/api"
)

// maxPolicyVersions is IAM's quota of versions per managed policy.
const maxPolicyVersions = 5

type policyResult struct {
	Policy policyXML `xml:"Policy"`
}

type listPoliciesResult struct {
	Policies members[policyXML] `xml:"Policies"`
	page
}

type policyVersionResult struct {
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

type listPolicyVersionsResult struct {
	Versions members[policyVersionXML] `xml:"Versions"`
	page
}

// requiredPolicyARN reads PolicyArn. A string that is not a policy ARN is
// InvalidInput, as IAM answers.
func requiredPolicyARN(call *api.Call) (string, error) {
	arn, ok := call.Params.Lookup("PolicyArn")
	if !ok {
		return "", api.MissingParameter(api.ProtocolQuery, "PolicyArn")
	}
	if len(arn) < 20 || len(arn) > 2048 {
		return "", validationError("policyArn", arn, "Member must have length greater than or equal to 20")
	}
	if _, ok := parsePolicyARN(arn); !ok {
		return "", invalidInput("ARN %s is not valid.", arn)
	}
	return arn, nil
}

// policyLocked finds a managed policy, AWS managed or the account's.
func (s *Service) policyLocked(arn string) (*managedPolicy, bool) {
	if p, ok := s.awsManaged[arn]; ok {
		return p, true
	}
	p, ok := s.policies[arn]
	return p, ok
}

func notFoundPolicy(arn string) *api.Error {
	return noSuchEntity("Policy %s was not found.", arn)
}

// customerPolicyLocked finds a policy the account may modify. AWS managed
// policies exist but belong to AWS.
func (s *Service) customerPolicyLocked(arn string) (*managedPolicy, error) {
	p, ok := s.policyLocked(arn)
	if !ok {
		return nil, notFoundPolicy(arn)
	}
	if p.awsManaged {
		// Approximation: the sandbox's wording; IAM refuses changes to AWS
		// managed policies, but its exact answer varies by operation.
		return nil, invalidInput("Policy %s is an AWS managed policy and cannot be modified.", arn)
	}
	return p, nil
}

// withPolicy authorises action on the managed policy, AWS managed or the
// account's, and runs fn on it under the read lock.
func (s *Service) withPolicy(ctx context.Context, call *api.Call, action, arn string, fn func(*managedPolicy) (any, error)) (any, error) {
	if err := authorize(ctx, call, action, arn); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.policyLocked(arn)
	if !ok {
		return nil, notFoundPolicy(arn)
	}
	return fn(p)
}

// withCustomerPolicy authorises action on a policy the account may modify
// and runs fn on it under the write lock.
func (s *Service) withCustomerPolicy(ctx context.Context, call *api.Call, action, arn string, fn func(*managedPolicy) (any, error)) (any, error) {
	if err := authorize(ctx, call, action, arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.customerPolicyLocked(arn)
	if err != nil {
		return nil, err
	}
	return fn(p)
}

func (s *Service) createPolicy(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "PolicyName", 128)
	if err != nil {
		return nil, err
	}
	path := "/"
	if v, ok := call.Params.Lookup("Path"); ok {
		if len(v) > 512 || !validPolicyPath(v) {
			return nil, validationError("path", v, "Member must satisfy regular expression pattern: "+policyPathPattern)
		}
		path = v
	}
	doc, err := requiredDocument(call, "PolicyDocument")
	if err != nil {
		return nil, err
	}
	description := call.Params.Get("Description")
	if len(description) > 1000 {
		return nil, validationError("description", description, "Member must have length less than or equal to 1000")
	}
	tags, err := readTags(call.Params)
	if err != nil {
		return nil, err
	}
	parsed, err := parsePolicy(doc, iampolicy.IdentityPolicy, iampolicy.ManagedPolicyLimit)
	if err != nil {
		return nil, err
	}
	arn := s.arn("policy", path, name)
	if err := authorize(ctx, call, "CreatePolicy", arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.policyName[strings.ToLower(name)]; exists {
		return nil, api.Errorf("EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name).WithStatus(409)
	}
	now := s.now()
	p := &managedPolicy{
		name: name, path: path, id: newID(prefixPolicy), arn: arn, description: description,
		created: now, updated: now, tags: tags, defaultID: "v1", nextVersion: 2,
		versions: []*policyVersion{{id: "v1", document: doc, parsed: parsed, created: now}},
	}
	s.policies[arn] = p
	s.policyName[strings.ToLower(name)] = p
	call.ResponseElements = p.trail()
	return policyResult{Policy: p.xml(true)}, nil
}

func (s *Service) getPolicy(ctx context.Context, call *api.Call) (any, error) {
	arn, err := requiredPolicyARN(call)
	if err != nil {
		return nil, err
	}
	return s.withPolicy(ctx, call, "GetPolicy", arn, func(p *managedPolicy) (any, error) {
		return policyResult{Policy: p.xml(true)}, nil
	})
}

func requiredVersionID(call *api.Call) (string, error) {
	v, ok := call.Params.Lookup("VersionId")
	if !ok {
		return "", api.MissingParameter(api.ProtocolQuery, "VersionId")
	}
	if !validVersionID(v) {
		return "", validationError("versionId", v, `Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`)
	}
	return v, nil
}

// validVersionID checks v[1-9][0-9]*(\.[A-Za-z0-9-]*)?.
func validVersionID(v string) bool {
	if len(v) < 2 || v[0] != 'v' || v[1] < '1' || v[1] > '9' {
		return false
	}
	i := 2
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == len(v) {
		return true
	}
	if v[i] != '.' {
		return false
	}
	for _, c := range v[i+1:] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// policyVersionParams reads PolicyArn and VersionId, in that order.
func policyVersionParams(call *api.Call) (arn, versionID string, err error) {
	if arn, err = requiredPolicyARN(call); err != nil {
		return "", "", err
	}
	if versionID, err = requiredVersionID(call); err != nil {
		return "", "", err
	}
	return arn, versionID, nil
}

// existingVersion finds one of the policy's versions or answers
// NoSuchEntity.
func (p *managedPolicy) existingVersion(id string) (*policyVersion, error) {
	v := p.version(id)
	if v == nil {
		return nil, noSuchEntity("Policy %s version %s does not exist or is not attachable.", p.arn, id)
	}
	return v, nil
}

func (s *Service) getPolicyVersion(ctx context.Context, call *api.Call) (any, error) {
	arn, versionID, err := policyVersionParams(call)
	if err != nil {
		return nil, err
	}
	return s.withPolicy(ctx, call, "GetPolicyVersion", arn, func(p *managedPolicy) (any, error) {
		v, err := p.existingVersion(versionID)
		if err != nil {
			return nil, err
		}
		return policyVersionResult{PolicyVersion: v.xml(p, true)}, nil
	})
}

func (s *Service) listPolicies(ctx context.Context, call *api.Call) (any, error) {
	scope := "All"
	if v, ok := call.Params.Lookup("Scope"); ok {
		if v != "All" && v != "AWS" && v != "Local" {
			return nil, validationError("scope", v, "Member must satisfy enum value set: [All, AWS, Local]")
		}
		scope = v
	}
	onlyAttached, _, err := call.Params.Bool("OnlyAttached")
	if err != nil {
		return nil, validationError("onlyAttached", call.Params.Get("OnlyAttached"), "Member must be a boolean")
	}
	if v, ok := call.Params.Lookup("PolicyUsageFilter"); ok && v != "PermissionsPolicy" && v != "PermissionsBoundary" {
		return nil, validationError("policyUsageFilter", v, "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]")
	}
	prefix, err := pathPrefix(call, policyPathPattern)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, call, "ListPolicies", "*"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var candidates []*managedPolicy
	if scope != "Local" {
		candidates = append(candidates, s.awsManagedList...)
	}
	if scope != "AWS" {
		candidates = append(candidates, sortedByName(s.policyName)...)
	}
	// The sandbox has no permissions boundaries, so the boundary usage
	// filter matches nothing.
	boundaryOnly := call.Params.Get("PolicyUsageFilter") == "PermissionsBoundary"
	var matched []*managedPolicy
	for _, p := range candidates {
		if boundaryOnly || (onlyAttached && p.attachments == 0) || !strings.HasPrefix(p.path, prefix) {
			continue
		}
		matched = append(matched, p)
	}
	key := func(p *managedPolicy) string { return strings.ToLower(p.name) + "\x00" + p.arn }
	sort.Slice(matched, func(i, j int) bool { return key(matched[i]) < key(matched[j]) })
	items, trailer := paginate(matched, key, pg)
	out := listPoliciesResult{page: trailer}
	for _, p := range items {
		out.Policies.Items = append(out.Policies.Items, p.xml(false))
	}
	return out, nil
}

func (s *Service) deletePolicy(ctx context.Context, call *api.Call) (any, error) {
	arn, err := requiredPolicyARN(call)
	if err != nil {
		return nil, err
	}
	return s.withCustomerPolicy(ctx, call, "DeletePolicy", arn, func(p *managedPolicy) (any, error) {
		if p.attachments > 0 {
			return nil, deleteConflict("Cannot delete a policy attached to entities.")
		}
		if len(p.versions) > 1 {
			return nil, deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		delete(s.policies, p.arn)
		delete(s.policyName, strings.ToLower(p.name))
		return nil, nil
	})
}

func (s *Service) createPolicyVersion(ctx context.Context, call *api.Call) (any, error) {
	arn, err := requiredPolicyARN(call)
	if err != nil {
		return nil, err
	}
	doc, err := requiredDocument(call, "PolicyDocument")
	if err != nil {
		return nil, err
	}
	setDefault, _, err := call.Params.Bool("SetAsDefault")
	if err != nil {
		return nil, validationError("setAsDefault", call.Params.Get("SetAsDefault"), "Member must be a boolean")
	}
	parsed, err := parsePolicy(doc, iampolicy.IdentityPolicy, iampolicy.ManagedPolicyLimit)
	if err != nil {
		return nil, err
	}
	return s.withCustomerPolicy(ctx, call, "CreatePolicyVersion", arn, func(p *managedPolicy) (any, error) {
		if len(p.versions) >= maxPolicyVersions {
			return nil, limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		now := s.now()
		v := &policyVersion{id: fmt.Sprintf("v%d", p.nextVersion), document: doc, parsed: parsed, created: now}
		p.nextVersion++
		p.versions = append(p.versions, v)
		if setDefault {
			p.defaultID = v.id
			p.updated = now
		}
		call.ResponseElements = v.trail(p)
		return policyVersionResult{PolicyVersion: v.xml(p, false)}, nil
	})
}

func (s *Service) listPolicyVersions(ctx context.Context, call *api.Call) (any, error) {
	arn, err := requiredPolicyARN(call)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	return s.withPolicy(ctx, call, "ListPolicyVersions", arn, func(p *managedPolicy) (any, error) {
		// Newest first, as IAM lists them.
		versions := make([]*policyVersion, 0, len(p.versions))
		for i := len(p.versions) - 1; i >= 0; i-- {
			versions = append(versions, p.versions[i])
		}
		items, trailer := paginateByIndex(versions, pg)
		out := listPolicyVersionsResult{page: trailer}
		for _, v := range items {
			out.Versions.Items = append(out.Versions.Items, v.xml(p, false))
		}
		return out, nil
	})
}

func (s *Service) deletePolicyVersion(ctx context.Context, call *api.Call) (any, error) {
	arn, versionID, err := policyVersionParams(call)
	if err != nil {
		return nil, err
	}
	return s.withCustomerPolicy(ctx, call, "DeletePolicyVersion", arn, func(p *managedPolicy) (any, error) {
		if _, err := p.existingVersion(versionID); err != nil {
			return nil, err
		}
		if versionID == p.defaultID {
			return nil, deleteConflict("Cannot delete the default version of a policy.")
		}
		for i, v := range p.versions {
			if v.id == versionID {
				p.versions = append(p.versions[:i:i], p.versions[i+1:]...)
				break
			}
		}
		return nil, nil
	})
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, call *api.Call) (any, error) {
	arn, versionID, err := policyVersionParams(call)
	if err != nil {
		return nil, err
	}
	return s.withCustomerPolicy(ctx, call, "SetDefaultPolicyVersion", arn, func(p *managedPolicy) (any, error) {
		if _, err := p.existingVersion(versionID); err != nil {
			return nil, err
		}
		p.defaultID = versionID
		p.updated = s.now()
		return nil, nil
	})
}
