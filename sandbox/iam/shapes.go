package iam

import (
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/irdrill/irdrill/sandbox/api"
)

// members renders an IAM list: <Name><member>…</member></Name>, and an
// empty <Name></Name> when there are none, as IAM does for required lists.
type members[T any] struct {
	Items []T `xml:"member"`
}

func list[T any](items []T) members[T] { return members[T]{Items: items} }

// tagList renders an entity's tags, or leaves <Tags> out when there are
// none. It copies them so that a response, rendered after the lock is
// released, never shares the entity's backing array.
func tagList(tags []tag) *members[tag] {
	if len(tags) == 0 {
		return nil
	}
	t := list(append([]tag(nil), tags...))
	return &t
}

type userXML struct {
	Path       string        `xml:"Path"`
	UserName   string        `xml:"UserName"`
	UserID     string        `xml:"UserId"`
	Arn        string        `xml:"Arn"`
	CreateDate string        `xml:"CreateDate"`
	Tags       *members[tag] `xml:"Tags,omitempty"`
}

func (u *user) xml(withTags bool) userXML {
	x := userXML{Path: u.path, UserName: u.name, UserID: u.id, Arn: u.arn, CreateDate: isoDate(u.created)}
	if withTags {
		x.Tags = tagList(u.tags)
	}
	return x
}

type groupXML struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupID    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func (g *group) xml() groupXML {
	return groupXML{Path: g.path, GroupName: g.name, GroupID: g.id, Arn: g.arn, CreateDate: isoDate(g.created)}
}

type roleLastUsedXML struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	Region       string `xml:"Region,omitempty"`
}

type roleXML struct {
	Path                     string           `xml:"Path"`
	RoleName                 string           `xml:"RoleName"`
	RoleID                   string           `xml:"RoleId"`
	Arn                      string           `xml:"Arn"`
	CreateDate               string           `xml:"CreateDate"`
	AssumeRolePolicyDocument string           `xml:"AssumeRolePolicyDocument"`
	Description              string           `xml:"Description,omitempty"`
	MaxSessionDuration       int              `xml:"MaxSessionDuration"`
	Tags                     *members[tag]    `xml:"Tags,omitempty"`
	RoleLastUsed             *roleLastUsedXML `xml:"RoleLastUsed,omitempty"`
}

// xml renders a role. GetRole adds tags and last-used information, which
// ListRoles and CreateRole leave out as IAM does.
func (r *role) xml(detail bool) roleXML {
	x := roleXML{
		Path: r.path, RoleName: r.name, RoleID: r.id, Arn: r.arn, CreateDate: isoDate(r.created),
		AssumeRolePolicyDocument: encodeDocument(r.trustDoc), Description: r.description, MaxSessionDuration: r.maxSession,
	}
	x.Tags = tagList(r.tags)
	if detail {
		x.RoleLastUsed = &roleLastUsedXML{}
		if lu := r.lastUsed.Load(); lu != nil {
			x.RoleLastUsed = &roleLastUsedXML{LastUsedDate: isoDate(lu.when), Region: lu.region}
		}
	}
	return x
}

type policyXML struct {
	PolicyName                    string        `xml:"PolicyName"`
	PolicyID                      string        `xml:"PolicyId"`
	Arn                           string        `xml:"Arn"`
	Path                          string        `xml:"Path"`
	DefaultVersionID              string        `xml:"DefaultVersionId"`
	AttachmentCount               int           `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int           `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool          `xml:"IsAttachable"`
	Description                   string        `xml:"Description,omitempty"`
	CreateDate                    string        `xml:"CreateDate"`
	UpdateDate                    string        `xml:"UpdateDate"`
	Tags                          *members[tag] `xml:"Tags,omitempty"`
}

// xml renders a managed policy. ListPolicies leaves out the description
// and tags, as IAM does.
func (p *managedPolicy) xml(detail bool) policyXML {
	x := policyXML{
		PolicyName: p.name, PolicyID: p.id, Arn: p.arn, Path: p.path, DefaultVersionID: p.defaultID,
		AttachmentCount: p.attachments, IsAttachable: true,
		CreateDate: isoDate(p.created), UpdateDate: isoDate(p.updated),
	}
	if detail {
		x.Description = p.description
		x.Tags = tagList(p.tags)
	}
	return x
}

type policyVersionXML struct {
	Document         string `xml:"Document,omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

func (v *policyVersion) xml(p *managedPolicy, withDocument bool) policyVersionXML {
	x := policyVersionXML{VersionID: v.id, IsDefaultVersion: v.id == p.defaultID, CreateDate: isoDate(v.created)}
	if withDocument {
		x.Document = encodeDocument(v.document)
	}
	return x
}

type attachedPolicyXML struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type accessKeyMetadataXML struct {
	UserName    string `xml:"UserName"`
	AccessKeyID string `xml:"AccessKeyId"`
	Status      string `xml:"Status"`
	CreateDate  string `xml:"CreateDate"`
}

// page is the pagination trailer of IAM List* results.
type page struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// pagination reads Marker and MaxItems.
type pagination struct {
	marker   string
	maxItems int
}

func readPagination(call *api.Call) (pagination, error) {
	p := pagination{maxItems: 100}
	if v, ok := call.Params.Lookup("Marker"); ok {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil || len(raw) == 0 {
			// Approximation: IAM's markers are opaque and its answer to a
			// forged one is not documented.
			return p, validationError("marker", v, "Member must be a marker returned by a previous call")
		}
		p.marker = string(raw)
	}
	n, ok, err := call.Params.Int("MaxItems")
	if err != nil {
		return p, validationError("maxItems", call.Params.Get("MaxItems"), "Member must be an integer")
	}
	if ok {
		if n < 1 {
			return p, validationError("maxItems", strconv.FormatInt(n, 10), "Member must have value greater than or equal to 1")
		}
		if n > 1000 {
			return p, validationError("maxItems", strconv.FormatInt(n, 10), "Member must have value less than or equal to 1000")
		}
		p.maxItems = int(n)
	}
	return p, nil
}

// paginate cuts one page out of items, which must be sorted by key. The
// marker is the key of the first item of the next page, so a page stays
// correct when entities are created or deleted between calls.
func paginate[T any](items []T, key func(T) string, p pagination) ([]T, page) {
	start := 0
	if p.marker != "" {
		for start < len(items) && key(items[start]) < p.marker {
			start++
		}
	}
	items = items[start:]
	if len(items) <= p.maxItems {
		return items, page{}
	}
	next := key(items[p.maxItems])
	return items[:p.maxItems], page{IsTruncated: true, Marker: base64.RawURLEncoding.EncodeToString([]byte(next))}
}

// paginateByIndex pages through a list kept in insertion order (tags,
// attached policies, policy versions), whose keys are positions.
func paginateByIndex[T any](items []T, p pagination) ([]T, page) {
	type indexed struct {
		key  string
		item T
	}
	wrapped := make([]indexed, len(items))
	for i, it := range items {
		wrapped[i] = indexed{key: fmt.Sprintf("%08d", i), item: it}
	}
	got, trailer := paginate(wrapped, func(w indexed) string { return w.key }, p)
	out := make([]T, len(got))
	for i, w := range got {
		out[i] = w.item
	}
	return out, trailer
}

// instanceProfileRoleXML is a role inside an instance profile. IAM sends
// the six members of its documented samples, not GetRole's description,
// session duration, tags or last use.
type instanceProfileRoleXML struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
}

type instanceProfileXML struct {
	Path                string                          `xml:"Path"`
	InstanceProfileName string                          `xml:"InstanceProfileName"`
	InstanceProfileID   string                          `xml:"InstanceProfileId"`
	Arn                 string                          `xml:"Arn"`
	CreateDate          string                          `xml:"CreateDate"`
	Roles               members[instanceProfileRoleXML] `xml:"Roles"`
	Tags                *members[tag]                   `xml:"Tags,omitempty"`
}

// xml renders an instance profile with its role. The List* calls leave
// the tags out, as IAM does.
func (p *instanceProfile) xml(withTags bool) instanceProfileXML {
	x := instanceProfileXML{Path: p.path, InstanceProfileName: p.name, InstanceProfileID: p.id, Arn: p.arn, CreateDate: isoDate(p.created)}
	for _, r := range p.roles {
		x.Roles.Items = append(x.Roles.Items, instanceProfileRoleXML{
			Path: r.path, RoleName: r.name, RoleID: r.id, Arn: r.arn, CreateDate: isoDate(r.created),
			AssumeRolePolicyDocument: encodeDocument(r.trustDoc),
		})
	}
	if withTags {
		x.Tags = tagList(p.tags)
	}
	return x
}
