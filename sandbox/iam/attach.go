package iam

import (
	"context"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

// maxAttachedPolicies is IAM's default quota of managed policies attached
// to one user, group or role.
const maxAttachedPolicies = 10

type listAttachedResult struct {
	AttachedPolicies members[attachedPolicyXML] `xml:"AttachedPolicies"`
	page
}

func attachHandler(kind principalKind) handlerFunc {
	return func(s *Service, ctx context.Context, call *api.Call) (any, error) {
		name, err := requiredName(call, kind.param(), kind.maxNameLen())
		if err != nil {
			return nil, err
		}
		arn, err := requiredPolicyARN(call)
		if err != nil {
			return nil, err
		}
		return s.withPrincipal(ctx, call, "Attach"+kind.String()+"Policy", kind, name, writeLock, func(entity *principal) (any, error) {
			p, ok := s.policyLocked(arn)
			if !ok {
				return nil, noSuchEntity("Policy %s does not exist or is not attachable.", arn)
			}
			if entity.attachedIndex(arn) >= 0 {
				return nil, nil // attaching twice is a no-op in IAM
			}
			if len(entity.attached) >= maxAttachedPolicies {
				return nil, limitExceeded("Cannot exceed quota for PoliciesPer%s: %d", kind.String(), maxAttachedPolicies)
			}
			entity.attached = append(entity.attached, arn)
			p.attachments++
			return nil, nil
		})
	}
}

func detachHandler(kind principalKind) handlerFunc {
	return func(s *Service, ctx context.Context, call *api.Call) (any, error) {
		name, err := requiredName(call, kind.param(), kind.maxNameLen())
		if err != nil {
			return nil, err
		}
		arn, err := requiredPolicyARN(call)
		if err != nil {
			return nil, err
		}
		return s.withPrincipal(ctx, call, "Detach"+kind.String()+"Policy", kind, name, writeLock, func(entity *principal) (any, error) {
			i := entity.attachedIndex(arn)
			if i < 0 {
				return nil, notFoundPolicy(arn)
			}
			entity.attached = append(entity.attached[:i:i], entity.attached[i+1:]...)
			if p, ok := s.policyLocked(arn); ok {
				p.attachments--
			}
			return nil, nil
		})
	}
}

func listAttachedHandler(kind principalKind) handlerFunc {
	return func(s *Service, ctx context.Context, call *api.Call) (any, error) {
		name, err := requiredName(call, kind.param(), kind.maxNameLen())
		if err != nil {
			return nil, err
		}
		prefix, err := pathPrefix(call, policyPathPattern)
		if err != nil {
			return nil, err
		}
		pg, err := readPagination(call)
		if err != nil {
			return nil, err
		}
		return s.withPrincipal(ctx, call, "ListAttached"+kind.String()+"Policies", kind, name, readLock, func(entity *principal) (any, error) {
			var attached []attachedPolicyXML
			for _, arn := range entity.attached {
				p, ok := s.policyLocked(arn)
				if !ok || !strings.HasPrefix(p.path, prefix) {
					continue
				}
				attached = append(attached, attachedPolicyXML{PolicyName: p.name, PolicyArn: p.arn})
			}
			items, trailer := paginateByIndex(attached, pg)
			return listAttachedResult{AttachedPolicies: list(items), page: trailer}, nil
		})
	}
}
