package iam

import (
	"sort"
	"sync/atomic"
	"time"

	"github.com/irdrill/irdrill/iampolicy"
)

type tag struct {
	Key   string `xml:"Key" json:"key"`
	Value string `xml:"Value" json:"value"`
}

type user struct {
	principal
	tags   []tag
	groups []*group
	keys   []*accessKey
}

type group struct {
	principal
	members []*user
}

type role struct {
	principal
	description string
	maxSession  int // seconds
	trustDoc    string
	trust       *iampolicy.Policy
	tags        []tag
	// lastUsed is written on the authorisation path, under the read lock.
	lastUsed atomic.Pointer[lastUse]
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
