package iam

// CloudTrail's responseElements of IAM's write calls. CloudTrail renders
// IAM's response with lowerCamel names and dates in Java's medium format;
// read-only calls are recorded with null responseElements, and secrets never
// appear.

type trailUser struct {
	Path       string `json:"path"`
	UserName   string `json:"userName"`
	UserID     string `json:"userId"`
	Arn        string `json:"arn"`
	CreateDate string `json:"createDate"`
	Tags       []tag  `json:"tags,omitempty"`
}

func (u *user) trail() map[string]any {
	return map[string]any{"user": trailUser{Path: u.path, UserName: u.name, UserID: u.id, Arn: u.arn, CreateDate: trailDate(u.created), Tags: u.tags}}
}

type trailGroup struct {
	Path       string `json:"path"`
	GroupName  string `json:"groupName"`
	GroupID    string `json:"groupId"`
	Arn        string `json:"arn"`
	CreateDate string `json:"createDate"`
}

func (g *group) trail() map[string]any {
	return map[string]any{"group": trailGroup{Path: g.path, GroupName: g.name, GroupID: g.id, Arn: g.arn, CreateDate: trailDate(g.created)}}
}

type trailRole struct {
	Path                     string `json:"path"`
	RoleName                 string `json:"roleName"`
	RoleID                   string `json:"roleId"`
	Arn                      string `json:"arn"`
	CreateDate               string `json:"createDate"`
	AssumeRolePolicyDocument string `json:"assumeRolePolicyDocument"`
	Description              string `json:"description,omitempty"`
	MaxSessionDuration       int    `json:"maxSessionDuration"`
	Tags                     []tag  `json:"tags,omitempty"`
}

func (r *role) trail() map[string]any {
	return map[string]any{"role": trailRole{
		Path: r.path, RoleName: r.name, RoleID: r.id, Arn: r.arn, CreateDate: trailDate(r.created),
		AssumeRolePolicyDocument: encodeDocument(r.trustDoc), Description: r.description, MaxSessionDuration: r.maxSession, Tags: r.tags,
	}}
}

type trailAccessKey struct {
	UserName    string `json:"userName"`
	AccessKeyID string `json:"accessKeyId"`
	Status      string `json:"status"`
	CreateDate  string `json:"createDate"`
}

func (k *accessKey) trail() map[string]any {
	return map[string]any{"accessKey": trailAccessKey{UserName: k.user.name, AccessKeyID: k.id, Status: k.status(), CreateDate: trailDate(k.created)}}
}

type trailPolicy struct {
	PolicyName                    string `json:"policyName"`
	PolicyID                      string `json:"policyId"`
	Arn                           string `json:"arn"`
	Path                          string `json:"path"`
	DefaultVersionID              string `json:"defaultVersionId"`
	AttachmentCount               int    `json:"attachmentCount"`
	PermissionsBoundaryUsageCount int    `json:"permissionsBoundaryUsageCount"`
	IsAttachable                  bool   `json:"isAttachable"`
	CreateDate                    string `json:"createDate"`
	UpdateDate                    string `json:"updateDate"`
	Tags                          []tag  `json:"tags,omitempty"`
}

func (p *managedPolicy) trail() map[string]any {
	return map[string]any{"policy": trailPolicy{
		PolicyName: p.name, PolicyID: p.id, Arn: p.arn, Path: p.path, DefaultVersionID: p.defaultID,
		AttachmentCount: p.attachments, IsAttachable: true, CreateDate: trailDate(p.created), UpdateDate: trailDate(p.updated), Tags: p.tags,
	}}
}

type trailPolicyVersion struct {
	VersionID        string `json:"versionId"`
	IsDefaultVersion bool   `json:"isDefaultVersion"`
	CreateDate       string `json:"createDate"`
}

func (v *policyVersion) trail(p *managedPolicy) map[string]any {
	return map[string]any{"policyVersion": trailPolicyVersion{VersionID: v.id, IsDefaultVersion: v.id == p.defaultID, CreateDate: trailDate(v.created)}}
}

// trailInstanceProfile is CreateInstanceProfile's responseElements; its
// roles list is always present, and empty for a new profile. The other
// instance-profile writes (Add/RemoveRole…, Delete…, Tag/Untag…) return
// nothing, and CloudTrail records their responseElements as null.
type trailInstanceProfile struct {
	Path                string `json:"path"`
	InstanceProfileName string `json:"instanceProfileName"`
	InstanceProfileID   string `json:"instanceProfileId"`
	Arn                 string `json:"arn"`
	CreateDate          string `json:"createDate"`
	Roles               []any  `json:"roles"`
	Tags                []tag  `json:"tags,omitempty"`
}

func (p *instanceProfile) trail() map[string]any {
	return map[string]any{"instanceProfile": trailInstanceProfile{
		Path: p.path, InstanceProfileName: p.name, InstanceProfileID: p.id, Arn: p.arn,
		CreateDate: trailDate(p.created), Roles: []any{}, Tags: p.tags,
	}}
}
