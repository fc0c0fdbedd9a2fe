package iampolicy

import "strings"

// supportedKeys are the condition keys the sandbox puts into request contexts.
// A key outside this list is refused at Parse: evaluating it as "absent" would
// silently change what a drill's policy means.
var supportedKeys = []string{
	"aws:CurrentTime",
	"aws:EpochTime",
	"aws:MultiFactorAuthAge",
	"aws:MultiFactorAuthPresent",
	"aws:PrincipalAccount",
	"aws:PrincipalArn",
	"aws:PrincipalType",
	"aws:RequestedRegion",
	"aws:SecureTransport",
	"aws:SourceIp",
	"aws:TokenIssueTime",
	"aws:UserAgent",
	"aws:userid",
	"aws:username",
	"aws:ViaAWSService",
	// iam:AWSServiceName is set by iam:CreateServiceLinkedRole requests; the
	// AWS-managed AmazonEC2FullAccess policy conditions on it.
	"iam:AWSServiceName",
	// Keys of iam:PassRole checks, which the sandbox makes wherever an API
	// takes a role: the service the role is passed to, and the resource it
	// will be associated with there.
	"iam:AssociatedResourceArn",
	"iam:PassedToService",
	// Keys of sts:AssumeRole requests, used by trust policies.
	"sts:ExternalId",
	"sts:RoleSessionName",
}

var supportedKeyByLower = func() map[string]string {
	m := make(map[string]string, len(supportedKeys))
	for _, k := range supportedKeys {
		m[strings.ToLower(k)] = k
	}
	return m
}()

// SupportedConditionKeys lists the condition keys the evaluator understands,
// spelled as AWS documents them. Keys are case-insensitive in policies and in
// Request.Context.
func SupportedConditionKeys() []string {
	return append([]string(nil), supportedKeys...)
}

// canonicalKey maps a key as written in a policy to its documented spelling.
func canonicalKey(key string) (string, bool) {
	k, ok := supportedKeyByLower[strings.ToLower(key)]
	return k, ok
}

// evalContext wraps a request for the duration of one evaluation.
type evalContext struct {
	req *Request
}

// values looks a key up case-insensitively. Callers usually spell keys as
// AWS documents them, so the direct lookup almost always hits; the scan only
// runs for odd spellings and absent keys, and neither path allocates.
func (c *evalContext) values(canonical string) ([]string, bool) {
	ctx := c.req.Context
	if v, ok := ctx[canonical]; ok {
		return v, true
	}
	for k, v := range ctx {
		if len(k) == len(canonical) && strings.EqualFold(k, canonical) {
			return v, true
		}
	}
	return nil, false
}

// variable resolves a policy variable. AWS substitutes only single-valued
// keys; a missing or multi-valued key falls back to the default if given.
func (c *evalContext) variable(t *token) (string, bool) {
	if v, ok := c.values(t.key); ok && len(v) == 1 {
		return v[0], true
	}
	if t.hasDefault {
		return t.text, true
	}
	return "", false
}
