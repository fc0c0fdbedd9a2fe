package iampolicy

import (
	"fmt"
	"sort"
	"strings"
)

// Principal identifies the caller of a request.
type Principal struct {
	// Type is "AWS" (an IAM user, role session or account), "Service" or
	// "Federated".
	Type string
	// ARN is, for AWS principals, the user ARN or the assumed-role session ARN
	// "arn:aws:sts::ACCT:assumed-role/Role/session". For Service principals it
	// is the service name ("ec2.amazonaws.com") and for Federated ones the
	// provider (an identity-provider ARN or a name such as
	// "accounts.google.com"), the strings a Principal element names them by.
	ARN string
	// RoleARN is, for role sessions, the role's ARN "arn:aws:iam::ACCT:role/Role";
	// trust and resource policies may name the role rather than the session.
	RoleARN string
	// Account is the principal's 12-digit account id.
	Account string
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	everyone  bool     // "*" or {"AWS": "*"}
	accounts  []string // account ids, from "123456789012" or "arn:...:iam::123456789012:root"
	arns      []string // user, role and session ARNs
	services  []string
	federated []string
	canonical []string
}

func parsePrincipals(obj map[string]any, st *statement, kind Kind, loc string) error {
	principal, hasPrincipal := obj["Principal"]
	notPrincipal, hasNotPrincipal := obj["NotPrincipal"]
	if kind == IdentityPolicy {
		if hasPrincipal || hasNotPrincipal {
			return malformed(loc, "Policy document should not specify a principal.")
		}
		return nil
	}
	field := "Principal"
	switch {
	case hasPrincipal && hasNotPrincipal:
		return malformed(loc, "Syntax errors in policy. Statement has both Principal and NotPrincipal")
	case hasNotPrincipal:
		principal, field, st.notPrincipal = notPrincipal, "NotPrincipal", true
	case !hasPrincipal:
		return malformed(loc, "Missing required field Principal")
	}
	set, err := parsePrincipalSet(principal, loc+"."+field)
	if err != nil {
		return err
	}
	st.principals = set
	return nil
}

func invalidPrincipal(loc, typ, value string) error {
	return malformed(loc, "Invalid principal in policy: %q:%q", typ, value)
}

func parsePrincipalSet(v any, loc string) (*principalSet, error) {
	set := &principalSet{}
	switch t := v.(type) {
	case string:
		if t != "*" {
			return nil, malformed(loc, "Invalid principal in policy: %q", t)
		}
		set.everyone = true
		return set, nil
	case map[string]any:
		if len(t) == 0 {
			return nil, malformed(loc, "Invalid principal in policy")
		}
		types := make([]string, 0, len(t))
		for typ := range t {
			types = append(types, typ)
		}
		sort.Strings(types) // deterministic error reports
		for _, typ := range types {
			tloc := loc + "." + typ
			values, err := stringList(t[typ], tloc)
			if err != nil {
				return nil, err
			}
			if len(values) == 0 {
				return nil, malformed(tloc, "Invalid principal in policy")
			}
			for _, value := range values {
				if err := set.add(typ, value, tloc); err != nil {
					return nil, err
				}
			}
		}
		return set, nil
	}
	return nil, errSyntax(loc)
}

func (s *principalSet) add(typ, value, loc string) error {
	switch typ {
	case "AWS":
		if value == "*" {
			s.everyone = true
			return nil
		}
		if isAccountID(value) {
			s.accounts = append(s.accounts, value)
			return nil
		}
		account, resource, ok := principalARN(value)
		if !ok {
			return invalidPrincipal(loc, typ, value)
		}
		if resource == "root" {
			s.accounts = append(s.accounts, account)
		} else {
			s.arns = append(s.arns, value)
		}
	case "Service":
		// Approximation: IAM checks the name against real service principals;
		// the sandbox only checks its shape (e.g. "ec2.amazonaws.com").
		if !isHostName(value) {
			return invalidPrincipal(loc, typ, value)
		}
		s.services = append(s.services, value)
	case "Federated":
		if _, resource, ok := federatedARN(value); !ok && !isHostName(value) || ok && resource == "" {
			return invalidPrincipal(loc, typ, value)
		}
		s.federated = append(s.federated, value)
	case "CanonicalUser":
		if value == "" || strings.ContainsAny(value, "*?") {
			return invalidPrincipal(loc, typ, value)
		}
		s.canonical = append(s.canonical, value)
	default:
		return malformed(loc, "Invalid principal in policy: %s", fmt.Sprintf("%q:%q", typ, value))
	}
	return nil
}

func isAccountID(s string) bool { return len(s) == 12 && isDigits(s) }

// principalARN validates the AWS principal ARN forms IAM accepts: account
// root, user, role, assumed-role session and federated user. Wildcards are
// not allowed in AWS principals other than a lone "*".
func principalARN(s string) (account, resource string, ok bool) {
	fields := strings.SplitN(s, ":", 6)
	if len(fields) != 6 || fields[0] != "arn" || !knownPartitions[fields[1]] || fields[3] != "" || !isAccountID(fields[4]) {
		return "", "", false
	}
	if strings.ContainsAny(s, "*?") {
		return "", "", false
	}
	account, resource = fields[4], fields[5]
	switch fields[2] {
	case "iam":
		if resource == "root" || hasNamedPrefix(resource, "user/") || hasNamedPrefix(resource, "role/") {
			return account, resource, true
		}
	case "sts":
		if hasNamedPrefix(resource, "assumed-role/") || hasNamedPrefix(resource, "federated-user/") {
			return account, resource, true
		}
	}
	return "", "", false
}

func hasNamedPrefix(s, prefix string) bool {
	return strings.HasPrefix(s, prefix) && len(s) > len(prefix) && !strings.HasSuffix(s, "/")
}

func federatedARN(s string) (account, resource string, ok bool) {
	fields := strings.SplitN(s, ":", 6)
	if len(fields) != 6 || fields[0] != "arn" || !knownPartitions[fields[1]] || fields[2] != "iam" || !isAccountID(fields[4]) {
		return "", "", false
	}
	r := fields[5]
	if hasNamedPrefix(r, "saml-provider/") || hasNamedPrefix(r, "oidc-provider/") {
		return fields[4], r, true
	}
	return "", "", false
}

// isHostName accepts DNS-style names such as "ec2.amazonaws.com" or
// "accounts.google.com".
func isHostName(s string) bool {
	if s == "" || !strings.Contains(s, ".") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// matches reports whether the caller is in the set. An account entry covers
// every principal of that account (AWS delegates to the account's own
// identity policies); a role ARN covers the role's sessions.
func (s *principalSet) matches(p *Principal) bool {
	if s.everyone {
		return true
	}
	if p == nil {
		return false
	}
	switch {
	case strings.EqualFold(p.Type, "AWS"):
		for _, a := range s.accounts {
			if a == p.Account {
				return true
			}
		}
		for _, a := range s.arns {
			if a == p.ARN || (p.RoleARN != "" && a == p.RoleARN) {
				return true
			}
		}
	case strings.EqualFold(p.Type, "Service"):
		for _, svc := range s.services {
			if strings.EqualFold(svc, p.ARN) {
				return true
			}
		}
	case strings.EqualFold(p.Type, "Federated"):
		for _, f := range s.federated {
			if f == p.ARN {
				return true
			}
		}
	case strings.EqualFold(p.Type, "CanonicalUser"):
		for _, c := range s.canonical {
			if c == p.ARN {
				return true
			}
		}
	}
	return false
}
