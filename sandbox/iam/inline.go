package iam

import (
	"context"

	"github.com/irdrill/irdrill/iampolicy"
	"github.com/irdrill/irdrill/sandbox/api"
)

// getInlineResult renders Get{User,Group,Role}Policy, whose first element
// is named after the kind (<UserName>, <GroupName>, <RoleName>).
type getInlineResult struct {
	UserName       string `xml:"UserName,omitempty"`
	GroupName      string `xml:"GroupName,omitempty"`
	RoleName       string `xml:"RoleName,omitempty"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

type listInlineResult struct {
	PolicyNames members[string] `xml:"PolicyNames"`
	page
}

func noSuchInline(kind principalKind, name string) *api.Error {
	return noSuchEntity("The %s policy with name %s cannot be found.", kind.lower(), name)
}

func putInlineHandler(kind principalKind) handlerFunc {
	return func(s *Service, ctx context.Context, call *api.Call) (any, error) {
		name, err := requiredName(call, kind.param(), kind.maxNameLen())
		if err != nil {
			return nil, err
		}
		policyName, err := requiredName(call, "PolicyName", 128)
		if err != nil {
			return nil, err
		}
		doc, err := requiredDocument(call, "PolicyDocument")
		if err != nil {
			return nil, err
		}
		parsed, err := iampolicy.Parse(doc, iampolicy.IdentityPolicy)
		if err != nil {
			return nil, policyError(err)
		}
		return s.withPrincipal(ctx, call, "Put"+kind.String()+"Policy", kind, name, writeLock, func(entity *principal) (any, error) {
			// The quota is on the aggregate size of the entity's inline
			// policies, the replaced one excluded.
			total := iampolicy.PolicySize(doc)
			i, _ := entity.inlineByName(policyName)
			for j, other := range entity.inline {
				if j != i {
					total += iampolicy.PolicySize(other.document)
				}
			}
			if total > kind.inlineLimit() {
				return nil, limitExceeded("Maximum policy size of %d bytes exceeded for %s %s", kind.inlineLimit(), kind.lower(), entity.name)
			}
			ip := &inlinePolicy{name: policyName, document: doc, parsed: parsed}
			if i >= 0 {
				entity.inline[i] = ip
			} else {
				entity.inline = append(entity.inline, ip)
			}
			return nil, nil
		})
	}
}

func getInlineHandler(kind principalKind) handlerFunc {
	return func(s *Service, ctx context.Context, call *api.Call) (any, error) {
		name, err := requiredName(call, kind.param(), kind.maxNameLen())
		if err != nil {
			return nil, err
		}
		policyName, err := requiredName(call, "PolicyName", 128)
		if err != nil {
			return nil, err
		}
		return s.withPrincipal(ctx, call, "Get"+kind.String()+"Policy", kind, name, readLock, func(entity *principal) (any, error) {
			_, ip := entity.inlineByName(policyName)
			if ip == nil {
				return nil, noSuchInline(kind, policyName)
			}
			out := getInlineResult{PolicyName: ip.name, PolicyDocument: encodeDocument(ip.document)}
			switch kind {
			case kindUser:
				out.UserName = entity.name
			case kindGroup:
				out.GroupName = entity.name
			case kindRole:
				out.RoleName = entity.name
			}
			return out, nil
		})
	}
}

func listInlineHandler(kind principalKind) handlerFunc {
	return func(s *Service, ctx context.Context, call *api.Call) (any, error) {
		name, err := requiredName(call, kind.param(), kind.maxNameLen())
		if err != nil {
			return nil, err
		}
		pg, err := readPagination(call)
		if err != nil {
			return nil, err
		}
		return s.withPrincipal(ctx, call, "List"+kind.String()+"Policies", kind, name, readLock, func(entity *principal) (any, error) {
			names := make([]string, 0, len(entity.inline))
			for _, ip := range entity.inline {
				names = append(names, ip.name)
			}
			items, trailer := paginateByIndex(names, pg)
			return listInlineResult{PolicyNames: list(items), page: trailer}, nil
		})
	}
}

func deleteInlineHandler(kind principalKind) handlerFunc {
	return func(s *Service, ctx context.Context, call *api.Call) (any, error) {
		name, err := requiredName(call, kind.param(), kind.maxNameLen())
		if err != nil {
			return nil, err
		}
		policyName, err := requiredName(call, "PolicyName", 128)
		if err != nil {
			return nil, err
		}
		return s.withPrincipal(ctx, call, "Delete"+kind.String()+"Policy", kind, name, writeLock, func(entity *principal) (any, error) {
			i, _ := entity.inlineByName(policyName)
			if i < 0 {
				return nil, noSuchInline(kind, policyName)
			}
			entity.inline = append(entity.inline[:i:i], entity.inline[i+1:]...)
			return nil, nil
		})
	}
}
