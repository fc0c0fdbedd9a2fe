package iam

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/irdrill/irdrill/internal/ids"
	"github.com/irdrill/irdrill/sandbox/api"
)

// IAM's name and path patterns, quoted in validation errors exactly as the
// API model spells them.
const (
	namePattern       = `[\w+=,.@-]+`
	pathPattern       = `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	policyPathPattern = `((/[A-Za-z0-9\.,\+@=_-]+)*)/`
	pathPrefixPattern = `\u002F[\u0021-\u007F]*`
)

// validationError is IAM's "1 validation error detected" answer for one
// parameter; member is the lowerCamel parameter name.
func validationError(member, value, constraint string) *api.Error {
	return api.Errorf("ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint)
}

func isNameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-'
}

// validName reports whether s matches [\w+=,.@-]+. Java's \w, which IAM
// uses, is ASCII-only.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return true
}

// requiredName reads a required name parameter and validates it.
func requiredName(call *api.Call, param string, maxLen int) (string, error) {
	v, ok := call.Params.Lookup(param)
	if !ok {
		return "", api.MissingParameter(api.ProtocolQuery, param)
	}
	return v, checkName(param, v, maxLen)
}

func checkName(param, v string, maxLen int) error {
	member := lowerFirst(param)
	if len(v) < 1 {
		return validationError(member, v, "Member must have length greater than or equal to 1")
	}
	if len(v) > maxLen {
		return validationError(member, v, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	if !validName(v) {
		return validationError(member, v, "Member must satisfy regular expression pattern: "+namePattern)
	}
	return nil
}

// validPath reports whether s is "/" or "/x…/" with printable ASCII between.
func validPath(s string) bool {
	if s == "/" {
		return true
	}
	if len(s) < 3 || s[0] != '/' || s[len(s)-1] != '/' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if s[i] < 0x21 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// validPolicyPath reports whether s matches ((/[A-Za-z0-9\.,\+@=_-]+)*)/.
func validPolicyPath(s string) bool {
	if s == "" || s[0] != '/' || s[len(s)-1] != '/' {
		return false
	}
	segmentLen := 0
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '/' {
			if segmentLen == 0 {
				return false
			}
			segmentLen = 0
			continue
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == ',' || c == '+' || c == '@' || c == '=' || c == '_' || c == '-') {
			return false
		}
		segmentLen++
	}
	return true
}

// optionalPath reads Path (default "/") for users, groups and roles.
func optionalPath(call *api.Call) (string, error) {
	v, ok := call.Params.Lookup("Path")
	if !ok {
		return "/", nil
	}
	if len(v) > 512 {
		return "", validationError("path", v, "Member must have length less than or equal to 512")
	}
	if !validPath(v) {
		return "", validationError("path", v, "Member must satisfy regular expression pattern: "+pathPattern)
	}
	return v, nil
}

// pathPrefix reads PathPrefix of List* calls (default "/").
func pathPrefix(call *api.Call, pattern string) (string, error) {
	v, ok := call.Params.Lookup("PathPrefix")
	if !ok {
		return "/", nil
	}
	valid := len(v) >= 1 && len(v) <= 512 && v[0] == '/'
	if valid && pattern == pathPrefixPattern {
		for i := 1; i < len(v); i++ {
			if v[i] < 0x21 || v[i] > 0x7F {
				valid = false
			}
		}
	} else if valid {
		valid = validPolicyPath(v)
	}
	if !valid {
		return "", validationError("pathPrefix", v, "Member must satisfy regular expression pattern: "+pattern)
	}
	return v, nil
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// ID prefixes of IAM's unique ids.
const (
	prefixUser      = "AIDA"
	prefixRole      = "AROA"
	prefixGroup     = "AGPA"
	prefixPolicy    = "ANPA"
	prefixAccessKey = "AKIA"
)

// newID returns a 21-character IAM unique id with the entity's prefix.
func newID(prefix string) string { return prefix + ids.Upper(17) }

func (s *Service) arn(resourceType, path, name string) string {
	return "arn:aws:iam::" + s.accountID + ":" + resourceType + path + name
}

// iamARN is the parsed form of a path-qualified IAM ARN.
type iamARN struct {
	Account string // "aws" for AWS managed policies
	Path    string
	Name    string
}

// splitIAMARN splits arn:aws:iam::<account>:<resourceType><path><name>,
// leaving the checks of account, path and name, which differ by resource
// type, to the caller.
func splitIAMARN(arn, resourceType string) (iamARN, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok {
		return iamARN{}, false
	}
	account, resource, ok := strings.Cut(rest, ":")
	if !ok {
		return iamARN{}, false
	}
	resource, ok = strings.CutPrefix(resource, resourceType+"/")
	if !ok {
		return iamARN{}, false
	}
	i := strings.LastIndexByte(resource, '/')
	return iamARN{Account: account, Path: "/" + resource[:i+1], Name: resource[i+1:]}, true
}

// parsePolicyARN splits arn:aws:iam::<account|aws>:policy<path><name>.
func parsePolicyARN(arn string) (iamARN, bool) {
	p, ok := splitIAMARN(arn, "policy")
	if !ok || !(p.Account == "aws" || isAccountID(p.Account)) ||
		!validName(p.Name) || len(p.Name) > 128 || !validPolicyPath(p.Path) {
		return iamARN{}, false
	}
	return p, true
}

// parseRoleARN splits arn:aws:iam::<account>:role<path><name>.
func parseRoleARN(arn string) (iamARN, bool) {
	r, ok := splitIAMARN(arn, "role")
	if !ok || !isAccountID(r.Account) || !validName(r.Name) || len(r.Name) > 64 || !validPath(r.Path) {
		return iamARN{}, false
	}
	return r, true
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isoDate renders a date the way IAM's XML does ("2021-07-26T00:37:18Z").
func isoDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// trailDate renders a date the way CloudTrail records IAM's
// responseElements ("Jul 26, 2021 12:37:18 AM"): IAM serialises them with
// Java's default medium date-time format, in UTC.
func trailDate(t time.Time) string { return t.UTC().Format("Jan 2, 2006 3:04:05 PM") }

// encodeDocument URL-encodes a policy document as IAM returns documents in
// responses (RFC 3986: spaces as %20). The AWS CLI decodes it; SDK users
// call url.QueryUnescape.
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
