package iam

// Instance profiles are the containers through which EC2 hands a role to an
// instance. They matter to the sandbox twice: Terraform's AWS provider asks
// ListInstanceProfilesForRole before every DeleteRole (and fails the destroy
// when the action is unknown), and the playbook's analysis follows an
// instance's profile to the role an attacker's stolen session belongs to.
//
// A profile holds at most one role, a role may sit in many profiles, and
// while a role sits in one, neither the role nor the profile can be deleted.

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// prefixInstanceProfile is the id prefix of instance profiles.
const prefixInstanceProfile = "AIPA"

// instanceProfileNameLen is the length limit of instanceProfileNameType,
// longer than that of role names.
const instanceProfileNameLen = 128

type instanceProfile struct {
	name    string
	path    string
	id      string
	arn     string
	created time.Time
	// roles holds at most one role: AWS's InstanceSessionsPerInstanceProfile
	// quota is 1 and cannot be raised. It is a list because the API's
	// shape is.
	roles []*role
	tags  []tag
}

func (p *instanceProfile) hasRole(r *role) bool {
	for _, pr := range p.roles {
		if pr == r {
			return true
		}
	}
	return false
}

func noSuchInstanceProfile(name string) *api.Error {
	return noSuchEntity("Instance Profile %s cannot be found.", name)
}

func instanceProfileExists(name string) *api.Error {
	return api.Errorf("EntityAlreadyExists", "Instance Profile %s already exists.", name).WithStatus(http.StatusConflict)
}

func (s *Service) instanceProfileLocked(name string) (*instanceProfile, bool) {
	p, ok := s.profiles[strings.ToLower(name)]
	return p, ok
}

// instanceProfileARN is the resource an action on the named profile is
// authorised against: its ARN, or the ARN it would have under the root path
// when it does not exist (as principalARN does for users and roles).
func (s *Service) instanceProfileARN(name string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if p, ok := s.instanceProfileLocked(name); ok {
		return p.arn
	}
	return s.arn("instance-profile", "/", name)
}

// withInstanceProfile is withEntity for instance profiles, which are not
// principals: authorise, lock, find, and only then report a missing profile.
func (s *Service) withInstanceProfile(ctx context.Context, call *api.Call, action, name string, mode lockMode, fn func(*instanceProfile) (any, error)) (any, error) {
	if err := authorize(ctx, call, action, s.instanceProfileARN(name)); err != nil {
		return nil, err
	}
	if mode == writeLock {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	p, ok := s.instanceProfileLocked(name)
	if !ok {
		return nil, noSuchInstanceProfile(name)
	}
	return fn(p)
}

// profilesOfRoleLocked lists the profiles that hold r, in IAM's name order.
func (s *Service) profilesOfRoleLocked(r *role) []*instanceProfile {
	var out []*instanceProfile
	for _, p := range sortedByName(s.profiles) {
		if p.hasRole(r) {
			out = append(out, p)
		}
	}
	return out
}

type instanceProfileResult struct {
	InstanceProfile instanceProfileXML `xml:"InstanceProfile"`
}

type listInstanceProfilesResult struct {
	InstanceProfiles members[instanceProfileXML] `xml:"InstanceProfiles"`
	page
}

func (s *Service) createInstanceProfile(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "InstanceProfileName", instanceProfileNameLen)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(call)
	if err != nil {
		return nil, err
	}
	tags, err := readTags(call.Params)
	if err != nil {
		return nil, err
	}
	arn := s.arn("instance-profile", path, name)
	if err := authorize(ctx, call, "CreateInstanceProfile", arn); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.instanceProfileLocked(name); exists {
		return nil, instanceProfileExists(name)
	}
	p := &instanceProfile{name: name, path: path, id: newID(prefixInstanceProfile), arn: arn, created: s.now(), tags: tags}
	s.profiles[strings.ToLower(name)] = p
	call.ResponseElements = p.trail()
	return instanceProfileResult{InstanceProfile: p.xml(true)}, nil
}

func (s *Service) getInstanceProfile(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "InstanceProfileName", instanceProfileNameLen)
	if err != nil {
		return nil, err
	}
	return s.withInstanceProfile(ctx, call, "GetInstanceProfile", name, readLock, func(p *instanceProfile) (any, error) {
		return instanceProfileResult{InstanceProfile: p.xml(true)}, nil
	})
}

// listInstanceProfiles is listByPath for profiles, and like ListUsers and
// ListRoles it is authorised on "*" and leaves tags out.
func (s *Service) listInstanceProfiles(ctx context.Context, call *api.Call) (any, error) {
	prefix, err := pathPrefix(call, pathPrefixPattern)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, call, "ListInstanceProfiles", "*"); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var matched []*instanceProfile
	for _, p := range sortedByName(s.profiles) {
		if strings.HasPrefix(p.path, prefix) {
			matched = append(matched, p)
		}
	}
	return renderProfilePage(matched, pg), nil
}

func renderProfilePage(profiles []*instanceProfile, pg pagination) listInstanceProfilesResult {
	items, trailer := paginate(profiles, func(p *instanceProfile) string { return strings.ToLower(p.name) }, pg)
	out := listInstanceProfilesResult{page: trailer}
	for _, p := range items {
		out.InstanceProfiles.Items = append(out.InstanceProfiles.Items, p.xml(false))
	}
	return out
}

// listInstanceProfilesForRole is authorised on the role, as IAM's service
// authorization reference lists it, and answers NoSuchEntity for an
// unknown role.
func (s *Service) listInstanceProfilesForRole(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "RoleName", 64)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "ListInstanceProfilesForRole", kindRole, name, readLock, s.roleLocked, func(r *role) (any, error) {
		return renderProfilePage(s.profilesOfRoleLocked(r), pg), nil
	})
}

// membershipProfileParams reads InstanceProfileName and RoleName of
// Add/RemoveRoleToInstanceProfile.
func membershipProfileParams(call *api.Call) (profileName, roleName string, err error) {
	if profileName, err = requiredName(call, "InstanceProfileName", instanceProfileNameLen); err != nil {
		return "", "", err
	}
	if roleName, err = requiredName(call, "RoleName", 64); err != nil {
		return "", "", err
	}
	return profileName, roleName, nil
}

// addRoleToInstanceProfile is authorised on the profile, and, as AWS
// requires, with iam:PassRole on the role: putting a role into a profile
// is what lets any instance launched with the profile act as the role.
// The PassRole check passes the role to EC2, for any of the account's
// instances: the IAM reference says iam:AssociatedResourceArn of this
// check is arn:aws:ec2:*:<account>:instance/*, without region or instance.
func (s *Service) addRoleToInstanceProfile(ctx context.Context, call *api.Call) (any, error) {
	profileName, roleName, err := membershipProfileParams(call)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, call, "AddRoleToInstanceProfile", s.instanceProfileARN(profileName)); err != nil {
		return nil, err
	}
	if err := call.AuthorizePassRole(ctx, s.principalARN(kindRole, roleName), "ec2.amazonaws.com", "arn:aws:ec2:*:"+s.accountID+":instance/*"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.instanceProfileLocked(profileName)
	if !ok {
		return nil, noSuchInstanceProfile(profileName)
	}
	r, ok := s.roleLocked(roleName)
	if !ok {
		return nil, noSuch(kindRole, roleName)
	}
	// The quota applies to the same role added twice as well.
	if len(p.roles) > 0 {
		return nil, limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	}
	p.roles = append(p.roles, r)
	return nil, nil
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, call *api.Call) (any, error) {
	profileName, roleName, err := membershipProfileParams(call)
	if err != nil {
		return nil, err
	}
	return s.withInstanceProfile(ctx, call, "RemoveRoleFromInstanceProfile", profileName, writeLock, func(p *instanceProfile) (any, error) {
		r, ok := s.roleLocked(roleName)
		if !ok {
			return nil, noSuch(kindRole, roleName)
		}
		for i, pr := range p.roles {
			if pr == r {
				p.roles = append(p.roles[:i:i], p.roles[i+1:]...)
				return nil, nil
			}
		}
		// Approximation: AWS does not document its wording for a role that
		// exists but is not in the profile; this mirrors RemoveUserFromGroup.
		return nil, noSuchEntity("Role %s is not in instance profile %s.", r.name, p.name)
	})
}

func (s *Service) deleteInstanceProfile(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "InstanceProfileName", instanceProfileNameLen)
	if err != nil {
		return nil, err
	}
	return s.withInstanceProfile(ctx, call, "DeleteInstanceProfile", name, writeLock, func(p *instanceProfile) (any, error) {
		if len(p.roles) > 0 {
			return nil, deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		delete(s.profiles, strings.ToLower(p.name))
		return nil, nil
	})
}

func (s *Service) tagInstanceProfile(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "InstanceProfileName", instanceProfileNameLen)
	if err != nil {
		return nil, err
	}
	if !call.Params.Has("Tags") && len(call.Params.Structs("Tags.member")) == 0 {
		return nil, api.MissingParameter(api.ProtocolQuery, "Tags")
	}
	tags, err := readTags(call.Params)
	if err != nil {
		return nil, err
	}
	return s.withInstanceProfile(ctx, call, "TagInstanceProfile", name, writeLock, func(p *instanceProfile) (any, error) {
		merged := mergeTags(p.tags, tags)
		if len(merged) > 50 {
			return nil, limitExceeded("Cannot exceed quota for TagsPerInstanceProfile: 50")
		}
		p.tags = merged
		return nil, nil
	})
}

func (s *Service) untagInstanceProfile(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "InstanceProfileName", instanceProfileNameLen)
	if err != nil {
		return nil, err
	}
	keys := call.Params.List("TagKeys.member")
	if !call.Params.Has("TagKeys") && len(keys) == 0 {
		return nil, api.MissingParameter(api.ProtocolQuery, "TagKeys")
	}
	if len(keys) > 50 {
		return nil, validationError("tagKeys", "["+strings.Join(keys, ", ")+"]", "Member must have length less than or equal to 50")
	}
	return s.withInstanceProfile(ctx, call, "UntagInstanceProfile", name, writeLock, func(p *instanceProfile) (any, error) {
		var kept []tag
		for _, t := range p.tags {
			remove := false
			for _, k := range keys {
				if strings.EqualFold(k, t.Key) {
					remove = true
				}
			}
			if !remove {
				kept = append(kept, t)
			}
		}
		p.tags = kept
		return nil, nil
	})
}

func (s *Service) listInstanceProfileTags(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "InstanceProfileName", instanceProfileNameLen)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	return s.withInstanceProfile(ctx, call, "ListInstanceProfileTags", name, readLock, func(p *instanceProfile) (any, error) {
		// Insertion order, as ListUserTags answers.
		items, trailer := paginateByIndex(append([]tag(nil), p.tags...), pg)
		return listTagsResult{Tags: list(items), page: trailer}, nil
	})
}

// InstanceProfileInfo is what EC2 needs to know about an instance profile
// to launch an instance with it.
type InstanceProfileInfo struct {
	Name string
	ID   string // AIPA…
	ARN  string
	Path string
	// Role is the profile's role; zero (Role.Name == "") when the profile
	// holds none, which AWS accepts at launch but leaves the instance
	// without credentials.
	Role RoleInfo
}

// InstanceProfile finds an instance profile by ARN, path included, or by
// name, the two ways RunInstances' IamInstanceProfile names it. A profile of
// another account, or an ARN whose path does not match, is not found.
func (s *Service) InstanceProfile(arnOrName string) (InstanceProfileInfo, bool) {
	name, path := arnOrName, ""
	if strings.HasPrefix(arnOrName, "arn:") {
		parsed, ok := splitIAMARN(arnOrName, "instance-profile")
		if !ok || parsed.Account != s.accountID || !validPath(parsed.Path) {
			return InstanceProfileInfo{}, false
		}
		name, path = parsed.Name, parsed.Path
	}
	if !validName(name) || len(name) > instanceProfileNameLen {
		return InstanceProfileInfo{}, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.instanceProfileLocked(name)
	if !ok || (path != "" && (p.path != path || p.name != name)) {
		return InstanceProfileInfo{}, false
	}
	info := InstanceProfileInfo{Name: p.name, ID: p.id, ARN: p.arn, Path: p.path}
	if len(p.roles) > 0 {
		r := p.roles[0]
		info.Role = RoleInfo{Name: r.name, ID: r.id, ARN: r.arn, Trust: r.trust, MaxSessionDuration: time.Duration(r.maxSession) * time.Second}
	}
	return info, true
}
