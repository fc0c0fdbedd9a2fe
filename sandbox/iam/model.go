package iam

import (
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/irdrill/irdrill/iampolicy"
)

// principalKind selects users, groups or roles in the handlers that IAM
// offers for all three (Attach*Policy, Put*Policy, ...).
type principalKind int

const (
	kindUser principalKind = iota
	kindGroup
	kindRole
)

func (k principalKind) String() string {
	switch k {
	case kindUser:
		return "User"
	case kindGroup:
		return "Group"
	}
	return "Role"
}

// param is the name parameter of the kind ("UserName").
func (k principalKind) param() string { return k.String() + "Name" }

// lower is the kind as IAM's messages spell it ("user").
func (k principalKind) lower() string { return strings.ToLower(k.String()) }

// maxNameLen is the name length limit of the kind; group names may be
// longer than user and role names.
func (k principalKind) maxNameLen() int {
	if k == kindGroup {
		return 128
	}
	return 64
}

// inlineLimit is the inline policy size quota of the kind.
func (k principalKind) inlineLimit() int {
	switch k {
	case kindUser:
		return iampolicy.UserInlinePolicyLimit
	case kindGroup:
		return iampolicy.GroupInlinePolicyLimit
	}
	return iampolicy.RoleInlinePolicyLimit
}

type tag struct {
	Key   string `xml:"Key" json:"key"`
	Value string `xml:"Value" json:"value"`
}

type inlinePolicy struct {
	name     string
	document string
	parsed   *iampolicy.Policy
}

// principalPolicies is what users, groups and roles have in common: inline
// policies and attached managed policy ARNs, both in insertion order.
type principalPolicies struct {
	inline   []*inlinePolicy
	attached []string
}

func (p *principalPolicies) inlineByName(name string) (int, *inlinePolicy) {
	for i, ip := range p.inline {
		// Inline policy names are case-insensitive within a principal.
		if strings.EqualFold(ip.name, name) {
			return i, ip
		}
	}
	return -1, nil
}

func (p *principalPolicies) attachedIndex(arn string) int {
	for i, a := range p.attached {
		if a == arn {
			return i
		}
	}
	return -1
}

type user struct {
	name    string
	path    string
	id      string
	arn     string
	created time.Time
	tags    []tag
	groups  []*group
	keys    []*accessKey
	principalPolicies
}

type group struct {
	name    string
	path    string
	id      string
	arn     string
	created time.Time
	members []*user
	principalPolicies
}

type role struct {
	name        string
	path        string
	id          string
	arn         string
	created     time.Time
	description string
	maxSession  int // seconds
	trustDoc    string
	trust       *iampolicy.Policy
	tags        []tag
	// lastUsed is written on the authorisation path, under the read lock.
	lastUsed atomic.Pointer[lastUse]
	principalPolicies
}

type lastUse struct {
	when    time.Time
	service string
	region  string
}

type accessKey struct {
	id      string
	secret  string
	user    *user
	active  bool
	created time.Time
	// lastUsed is written on the authorisation path, under the read lock.
	lastUsed atomic.Pointer[lastUse]
}

func (k *accessKey) status() string {
	if k.active {
		return "Active"
	}
	return "Inactive"
}

type policyVersion struct {
	id       string // "v1"
	document string
	parsed   *iampolicy.Policy
	created  time.Time
}

type managedPolicy struct {
	name        string
	path        string
	id          string
	arn         string
	description string
	created     time.Time
	updated     time.Time
	awsManaged  bool
	tags        []tag
	versions    []*policyVersion // oldest first
	defaultID   string
	nextVersion int
	// attachments counts users, groups and roles the policy is attached to.
	attachments int
}

func (p *managedPolicy) defaultVersion() *policyVersion {
	for _, v := range p.versions {
		if v.id == p.defaultID {
			return v
		}
	}
	return nil
}

func (p *managedPolicy) version(id string) *policyVersion {
	for _, v := range p.versions {
		if v.id == id {
			return v
		}
	}
	return nil
}

// sortedByName returns the values of m ordered as IAM lists entities:
// alphabetically, ignoring case.
func sortedByName[T any](m map[string]T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}
