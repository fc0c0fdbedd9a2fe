package iam

import (
	"context"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

type groupResult struct {
	Group groupXML `xml:"Group"`
}

type getGroupResult struct {
	Group groupXML         `xml:"Group"`
	Users members[userXML] `xml:"Users"`
	page
}

type listGroupsResult struct {
	Groups members[groupXML] `xml:"Groups"`
	page
}

func (s *Service) createGroup(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	path, err := optionalPath(call)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, call, "CreateGroup", s.arn("group", path, name)); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.groupLocked(name); exists {
		return nil, alreadyExists(kindGroup, name)
	}
	g := &group{principal: principal{name: name, path: path, id: newID(prefixGroup), arn: s.arn("group", path, name), created: s.now()}}
	s.groups[strings.ToLower(name)] = g
	call.ResponseElements = g.trail()
	return groupResult{Group: g.xml()}, nil
}

func (s *Service) getGroup(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "GetGroup", kindGroup, name, readLock, s.groupLocked, func(g *group) (any, error) {
		items, trailer := paginateByIndex(g.members, pg)
		out := getGroupResult{Group: g.xml(), page: trailer}
		for _, u := range items {
			out.Users.Items = append(out.Users.Items, u.xml(false))
		}
		return out, nil
	})
}

func (s *Service) listGroups(ctx context.Context, call *api.Call) (any, error) {
	groups, trailer, err := listByPath(s, ctx, call, "ListGroups", s.groups, (*group).xml)
	if err != nil {
		return nil, err
	}
	return listGroupsResult{Groups: list(groups), page: trailer}, nil
}

func (s *Service) deleteGroup(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "GroupName", 128)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "DeleteGroup", kindGroup, name, writeLock, s.groupLocked, func(g *group) (any, error) {
		if len(g.members) > 0 {
			return nil, deleteConflict("Cannot delete entity, must remove users from group first.")
		}
		if err := g.policiesConflict(); err != nil {
			return nil, err
		}
		delete(s.groups, strings.ToLower(g.name))
		return nil, nil
	})
}

// membershipParams reads GroupName and UserName of Add/RemoveUserFromGroup.
func membershipParams(call *api.Call) (groupName, userName string, err error) {
	if groupName, err = requiredName(call, "GroupName", 128); err != nil {
		return "", "", err
	}
	if userName, err = requiredName(call, "UserName", 128); err != nil {
		return "", "", err
	}
	return groupName, userName, nil
}

func (s *Service) addUserToGroup(ctx context.Context, call *api.Call) (any, error) {
	groupName, userName, err := membershipParams(call)
	if err != nil {
		return nil, err
	}
	// The action's resource is the group (IAM's service authorization
	// reference lists AddUserToGroup on group resources).
	return withEntity(s, ctx, call, "AddUserToGroup", kindGroup, groupName, writeLock, s.groupLocked, func(g *group) (any, error) {
		u, ok := s.userLocked(userName)
		if !ok {
			return nil, noSuch(kindUser, userName)
		}
		for _, m := range g.members {
			if m == u {
				return nil, nil // IAM treats a repeated add as success
			}
		}
		if len(u.groups) >= 10 {
			return nil, limitExceeded("Cannot exceed quota for GroupsPerUser: 10")
		}
		g.members = append(g.members, u)
		u.groups = append(u.groups, g)
		return nil, nil
	})
}

func (s *Service) removeUserFromGroup(ctx context.Context, call *api.Call) (any, error) {
	groupName, userName, err := membershipParams(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "RemoveUserFromGroup", kindGroup, groupName, writeLock, s.groupLocked, func(g *group) (any, error) {
		u, ok := s.userLocked(userName)
		if !ok {
			return nil, noSuch(kindUser, userName)
		}
		idx := -1
		for i, m := range g.members {
			if m == u {
				idx = i
			}
		}
		if idx < 0 {
			return nil, noSuchEntity("User %s is not in group %s.", u.name, g.name)
		}
		g.members = append(g.members[:idx:idx], g.members[idx+1:]...)
		for i, ug := range u.groups {
			if ug == g {
				u.groups = append(u.groups[:i:i], u.groups[i+1:]...)
				break
			}
		}
		return nil, nil
	})
}

func (s *Service) listGroupsForUser(ctx context.Context, call *api.Call) (any, error) {
	name, err := requiredName(call, "UserName", 128)
	if err != nil {
		return nil, err
	}
	pg, err := readPagination(call)
	if err != nil {
		return nil, err
	}
	return withEntity(s, ctx, call, "ListGroupsForUser", kindUser, name, readLock, s.userLocked, func(u *user) (any, error) {
		items, trailer := paginateByIndex(u.groups, pg)
		out := listGroupsResult{page: trailer}
		for _, g := range items {
			out.Groups.Items = append(out.Groups.Items, g.xml())
		}
		return out, nil
	})
}
