package iampolicy

import "fmt"

// Request is one call to be authorized.
type Request struct {
	// Action is "service:Action", e.g. "ec2:RunInstances"; matched
	// case-insensitively.
	Action string
	// Resource is the target's ARN, or "*" for actions without resource-level
	// permissions.
	Resource string
	// Principal is the caller; trust and resource policies match it against
	// their Principal element.
	Principal *Principal
	// Context holds condition-key values, keys matched case-insensitively. An
	// absent key is "not present in the request context". The sandbox is the
	// source of truth: policy variables such as ${aws:username} are read from
	// here too, not derived from Principal.
	Context map[string][]string
}

// Decision is the outcome of evaluating policies.
type Decision int

const (
	// ImplicitDeny: no statement allowed the request.
	ImplicitDeny Decision = iota
	// Allow: a statement allowed it and none denied it.
	Allow
	// ExplicitDeny: a Deny statement applied; nothing can override it.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Evaluate applies AWS's evaluation logic to a principal's identity policies:
// an explicit Deny in any policy wins, otherwise any Allow allows, otherwise
// the request is implicitly denied. Nil policies are skipped.
func Evaluate(req Request, policies ...*Policy) Decision {
	ctx := evalContext{req: &req}
	allowed := false
	for _, p := range policies {
		if p == nil {
			continue
		}
		for i := range p.statements {
			st := &p.statements[i]
			// Once allowed, only a Deny can change the outcome.
			if allowed && !st.deny {
				continue
			}
			if !st.applies(&ctx, false) {
				continue
			}
			if st.deny {
				return ExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

// EvaluateTrust decides whether a role's trust policy lets req.Principal
// perform req.Action (sts:AssumeRole, sts:AssumeRoleWithWebIdentity,
// sts:TagSession, ...) on the role. Conditions see req.Context (for example
// sts:ExternalId). Approximation: AWS also requires the caller's own identity
// policies to allow sts:AssumeRole when the trust policy names an account
// rather than the caller; that is the caller's job (call Evaluate too).
func EvaluateTrust(req Request, trust *Policy) Decision {
	if trust == nil {
		return ImplicitDeny
	}
	ctx := evalContext{req: &req}
	allowed := false
	for i := range trust.statements {
		st := &trust.statements[i]
		if allowed && !st.deny {
			continue
		}
		if !st.applies(&ctx, true) {
			continue
		}
		if st.deny {
			return ExplicitDeny
		}
		allowed = true
	}
	if allowed {
		return Allow
	}
	return ImplicitDeny
}

// applies reports whether every element of the statement matches the request.
// requirePrincipal is set for trust evaluation, where a statement that names
// no principal (impossible after Parse with TrustPolicy) must not apply.
func (st *statement) applies(ctx *evalContext, requirePrincipal bool) bool {
	req := ctx.req
	if matchAny(st.actions, req.Action, true, ctx) == st.notAction {
		return false
	}
	if st.hasResource && matchAny(st.resources, req.Resource, false, ctx) == st.notResource {
		return false
	}
	if st.principals != nil {
		if st.principals.matches(req.Principal) == st.notPrincipal {
			return false
		}
	} else if requirePrincipal {
		return false
	}
	for i := range st.conditions {
		if !st.conditions[i].holds(ctx) {
			return false
		}
	}
	return true
}

func matchAny(patterns []pattern, s string, fold bool, ctx *evalContext) bool {
	for i := range patterns {
		if patterns[i].match(s, fold, ctx) {
			return true
		}
	}
	return false
}
