// Package iampolicy parses, validates and evaluates AWS IAM policy documents
// (identity-based policies and role trust policies) for the irdrill sandbox.
//
// The sandbox's IAM enforcement calls Evaluate on every request, so Parse does
// all the expensive work up front: wildcard patterns, policy-variable templates,
// CIDRs, numbers and dates are compiled once, and a parsed *Policy is immutable
// and safe for concurrent use.
//
// The reference is AWS itself (the IAM JSON policy grammar and the policy
// evaluation logic). Where the sandbox is stricter or approximates AWS the code
// says so next to the rule. In particular the sandbox refuses condition keys it
// does not fill in (see SupportedConditionKeys) instead of silently evaluating
// them as absent.
package iampolicy
