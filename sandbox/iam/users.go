package iam

import (
	"context"
	"strings"
	"unicode"

	"github.com/irdrill/irdrill/sandbox/api"
)

type userResult struct {
	User userXML `xml:"User"`
}

type listUsersResult struct {
	Users members[userXML] `xml:"Users"`
	page
}

// readTags reads Tags.member.N.{Key,Value} with IAM's limits.
func readTags(params *api.Params) ([]tag, error) {
	structs := params.Structs("Tags.member")
	if len(structs) > 50 {
		return nil, limitExceeded("Cannot exceed quota for TagsPerUser: 50")
	}
	var tags []tag
	seen := map[string]bool{}
	for _, p := range structs {
		t := tag{Key: p.Get("Key"), Value: p.Get("Value")}
		if !p.Has("Key") {
			return nil, api.MissingParameter(api.ProtocolQuery, "tags.member.key")
		}
		if err := checkTag(t); err != nil {
			return nil, err
		}
		lower := strings.ToLower(t.Key)
		if seen[lower] {
			return nil, invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[lower] = true
		tags = append(tags, t)
	}
	return tags, nil
}

func isTagRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.In(r, unicode.Zs) || strings.ContainsRune("_.:/=+-@", r)
}

func checkTag(t tag) error {
	if n := len([]rune(t.Key)); n < 1 || n > 128 {
		return validationError("tags.member.key", t.Key, "Member must have length less than or equal to 128")
	}
	if len([]rune(t.Value)) > 256 {
		return validationError("tags.member.value", t.Value, "Member must have length less than or equal to 256")
	}
	for _, r := range t.Key {
		if !isTagRune(r) {
			return validationError("tags.member.key", t.Key, `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
		}
	}
	for _, r := range t.Value {
		if !isTagRune(r) {
			return validationError("tags.member.value", t.Value, `Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
		}
	}
	return nil
}

// mergeTags applies TagUser semantics: a new value replaces an existing key
// (compared case-insensitively), other keys are appended.
func mergeTags(existing, added []tag) []tag {
	out := append([]tag(nil), existing...)
	for _, t := range added {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Key, t.Key) {
				out[i] = t
				replaced = true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

func (s *Service) createUser(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "UserName", 64)
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
	if call.Params.Has("PermissionsBoundary") {
		return nil, invalidInput("The sandbox does not support permissions boundaries.")
	}
	if err := authorize(ctx, call, "CreateUser", s.arn("user", path, name)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.createUserLocked(name, path, tags)
	if err != nil {
		return nil, err
	}
	call.ResponseElements = u.trail()
	return userResult{User: u.xml(true)}, nil
}

func (s *Service) createUserLocked(name, path string, tags []tag) (*user, error) {
	if _, exists := s.userLocked(name); exists {
		return nil, alreadyExists(kindUser, name)
	}
	u := &user{principal: principal{name: name, path: path, id: newID(prefixUser), arn: s.arn("user", path, name), created: s.now()}, tags: tags}
	s.users[strings.ToLower(name)] = u
	s.usersByID[u.id] = u
	return u, nil
}

// callerUserName is the user an operation without UserName applies to:
// the caller, who must then be an IAM user.
func callerUserName(call *api.Call) (string, error) {
	if c := call.Caller; c != nil && c.Type == api.PrincipalIAMUser {
		return c.UserName, nil
	}
	return "", api.Errorf("ValidationError", "Must specify userName when calling with non-User credentials")
}

// userParam reads UserName, defaulting to the calling user.
func userParam(call *api.Call) (string, error) {
	if v, ok := call.Params.Lookup("UserName"); ok {
		return v, checkName("UserName", v, 128)
	}
	return callerUserName(call)
}

func (s *Service) getUser(ctx context.Context, call *api.Call) (any, error) {
	name, err := userParam(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "GetUser", kindUser, name, readLock, s.userLocked, func(u *user) (any, error) {
		return userResult{User: u.xml(true)}, nil
	})
}

func (s *Service) listUsers(ctx context.Context, call *api.Call) (any, error) {
	users, trailer, err := listByPath(s, ctx, call, "ListUsers", s.users, func(u *user) userXML {
		// ListUsers leaves tags out, as IAM does; ListUserTags has them.
		return u.xml(false)
	})
	if err != nil {
		return nil, err
	}
	return listUsersResult{Users: list(users), page: trailer}, nil
}

func (s *Service) updateUser(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "UserName", 128)
	if err != nil {
		return nil, err
	}
	newName, renaming := call.Params.Lookup("NewUserName")
	if renaming {
		if err := checkName("NewUserName", newName, 64); err != nil {
			return nil, err
		}
	}
	newPath, repathing := call.Params.Lookup("NewPath")
	if repathing && (len(newPath) > 512 || !validPath(newPath)) {
		return nil, validationError("newPath", newPath, "Member must satisfy regular expression pattern: "+pathPattern)
	}
	return withEntity(s, ctx, call, "UpdateUser", kindUser, name, writeLock, s.userLocked, func(u *user) (any, error) {
		if renaming && !strings.EqualFold(newName, u.name) {
			if _, exists := s.userLocked(newName); exists {
				return nil, alreadyExists(kindUser, newName)
			}
		}
		delete(s.users, strings.ToLower(u.name))
		if renaming {
			u.name = newName
		}
		if repathing {
			u.path = newPath
		}
		u.arn = s.arn("user", u.path, u.name)
		s.users[strings.ToLower(u.name)] = u
		return nil, nil
	})
}

func (s *Service) deleteUser(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "UserName", 128)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "DeleteUser", kindUser, name, writeLock, s.userLocked, func(u *user) (any, error) {
		// IAM checks dependants in the order its documentation lists them.
		if len(u.keys) > 0 {
			return nil, deleteConflict("Cannot delete entity, must delete access keys first.")
		}
		if err := u.policiesConflict(); err != nil {
			return nil, err
		}
		if len(u.groups) > 0 {
			return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
		}
		delete(s.users, strings.ToLower(u.name))
		delete(s.usersByID, u.id)
		return nil, nil
	})
}

type listTagsResult struct {
	Tags members[tag] `xml:"Tags"`
	page
}

func (s *Service) tagUser(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "UserName", 128)
	if err != nil {
		return nil, err
	}
	tags, err := readTags(call.Params)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "TagUser", kindUser, name, writeLock, s.userLocked, func(u *user) (any, error) {
		merged := mergeTags(u.tags, tags)
		if len(merged) > 50 {
			return nil, limitExceeded("Cannot exceed quota for TagsPerUser: 50")
		}
		u.tags = merged
		return nil, nil
	})
}

func (s *Service) untagUser(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "UserName", 128)
	if err != nil {
		return nil, err
	}
	keys := call.Params.List("TagKeys.member")
	return withEntity(s, ctx, call, "UntagUser", kindUser, name, writeLock, s.userLocked, func(u *user) (any, error) {
		var kept []tag
		for _, t := range u.tags {
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
		u.tags = kept
		return nil, nil
	})
}

func (s *Service) listUserTags(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "UserName", 128)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "ListUserTags", kindUser, name, readLock, s.userLocked, func(u *user) (any, error) {
		items, trailer := paginateByIndex(append([]tag(nil), u.tags...), pg)
		return listTagsResult{Tags: list(items), page: trailer}, nil
	})
}
