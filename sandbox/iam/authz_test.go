package iam_test

import (
	"context"
	"testing"

	"github.com/irdrill/irdrill/sandbox/api"
)

const (
	denyAll        = `{ "Statement": [ { "Effect": "Deny", "Action": "*", "Resource": "*" } ] }`
	describeOnly   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`
	iamFullAccess  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`
	containmentDoc = `{
"Version": "2012-10-17",
"Statement": [
{
"Sid": "IamPolicyForContainment",
"Action": "*",
"Effect": "Deny",
"Resource": "*"
}
]
}`
)

// authorize asks the service directly, as Call.Authorize does.
func (h *harness) authorize(p *api.Principal, action, resource string) api.Decision {
	return h.svc.Authorize(context.Background(), api.AuthzRequest{Principal: p, Action: action, Resource: resource, Context: map[string][]string{}})
}

func TestDescribeOnlyUserIsDenied(t *testing.T) {
	h := newHarness(t)
	key := h.newUserWithKey("analyst")
	h.admin("PutUserPolicy", "UserName", "analyst", "PolicyName", "describe", "PolicyDocument", describeOnly)
	_, _, err := h.do(h.principal(key), "CreateUser", "UserName", "backdoor")
	expectError(t, err, "AccessDenied",
		"User: arn:aws:iam::999999999999:user/analyst is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::999999999999:user/backdoor because no identity-based policy allows the iam:CreateUser action", 403)
	if d := h.authorize(h.principal(key), "ec2:DescribeInstances", "*"); d != api.Allow {
		t.Errorf("ec2:DescribeInstances = %v, want Allow", d)
	}
}

func TestContainmentPolicyDeniesExplicitly(t *testing.T) {
	h := newHarness(t)
	key := h.newUserWithKey("pipeline")
	h.admin("CreatePolicy", "PolicyName", "SimulationStack-SystemIntegrationPolicy", "PolicyDocument", iamFullAccess)
	h.admin("AttachUserPolicy", "UserName", "pipeline", "PolicyArn", "arn:aws:iam::999999999999:policy/SimulationStack-SystemIntegrationPolicy")
	if _, _, err := h.do(h.principal(key), "ListUsers"); err != nil {
		t.Fatalf("before containment: %v", err)
	}
	h.admin("CreatePolicy", "PolicyName", "iam-containment-policy", "PolicyDocument", containmentDoc)
	h.admin("AttachUserPolicy", "UserName", "pipeline", "PolicyArn", "arn:aws:iam::999999999999:policy/iam-containment-policy")
	_, _, err := h.do(h.principal(key), "ListUsers")
	expectError(t, err, "AccessDenied",
		"User: arn:aws:iam::999999999999:user/pipeline is not authorized to perform: iam:ListUsers on resource: * with an explicit deny in an identity-based policy", 403)
	h.admin("DetachUserPolicy", "UserName", "pipeline", "PolicyArn", "arn:aws:iam::999999999999:policy/iam-containment-policy")
	if _, _, err := h.do(h.principal(key), "ListUsers"); err != nil {
		t.Fatalf("after detaching containment: %v", err)
	}
}

func TestAccessKeyStates(t *testing.T) {
	h := newHarness(t)
	key := h.newUserWithKey("pipeline")
	active := func() (bool, bool) {
		c, ok := h.svc.LookupCredential(key)
		return ok, ok && c.Active
	}
	if found, ok := active(); !found || !ok {
		t.Fatalf("new key: found=%v active=%v", found, ok)
	}
	h.admin("UpdateAccessKey", "UserName", "pipeline", "AccessKeyId", key, "Status", "Inactive")
	if found, ok := active(); !found || ok {
		t.Fatalf("inactive key: found=%v active=%v, want found and inactive", found, ok)
	}
	h.admin("UpdateAccessKey", "UserName", "pipeline", "AccessKeyId", key, "Status", "Active")
	if _, ok := active(); !ok {
		t.Fatal("reactivated key is not active")
	}
	h.admin("DeleteAccessKey", "UserName", "pipeline", "AccessKeyId", key)
	c, found := h.svc.LookupCredential(key)
	if !found || c.Active {
		t.Fatalf("deleted key: found=%v, want a tombstone", found)
	}
	// The tombstone still names the owner, for CloudTrail.
	if c.Principal.ARN != "arn:aws:iam::999999999999:user/pipeline" || c.Principal.AccessKeyID != key {
		t.Errorf("tombstone principal = %+v", c.Principal)
	}
	if _, found := h.svc.LookupCredential("AKIANOTAKEY000000000"); found {
		t.Error("unknown key found")
	}
}

func TestLabDenyAllInlinePolicies(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateGroup", "GroupName", "DenyGroup")
	key := h.newUserWithKey("DenyUser")
	h.admin("AddUserToGroup", "UserName", "DenyUser", "GroupName", "DenyGroup")
	h.admin("AttachUserPolicy", "UserName", "DenyUser", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	h.admin("CreateRole", "RoleName", "denyrole", "AssumeRolePolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	h.admin("AttachRolePolicy", "RoleName", "denyrole", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	info, ok := h.svc.RoleByARN("arn:aws:iam::999999999999:role/denyrole")
	if !ok {
		t.Fatal("RoleByARN does not find denyrole")
	}
	session := &api.Principal{Type: api.PrincipalAssumedRole, ARN: "arn:aws:sts::999999999999:assumed-role/denyrole/i-0123", AccountID: testAccount,
		RoleName: info.Name, RoleARN: info.ARN, RoleID: info.ID, SessionName: "i-0123", PrincipalID: info.ID + ":i-0123"}

	tests := []struct {
		kind      string
		entity    string
		principal *api.Principal
	}{
		{"User", "DenyUser", h.principal(key)},
		{"Group", "DenyGroup", h.principal(key)},
		{"Role", "denyrole", session},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			if d := h.authorize(tc.principal, "ec2:RunInstances", "*"); d != api.Allow {
				t.Fatalf("before DenyAll: %v", d)
			}
			h.admin("Put"+tc.kind+"Policy", tc.kind+"Name", tc.entity, "PolicyName", "DenyAll", "PolicyDocument", denyAll)
			if d := h.authorize(tc.principal, "ec2:RunInstances", "*"); d != api.ExplicitDeny {
				t.Fatalf("with DenyAll: %v, want ExplicitDeny", d)
			}
			h.admin("Delete"+tc.kind+"Policy", tc.kind+"Name", tc.entity, "PolicyName", "DenyAll")
			if d := h.authorize(tc.principal, "ec2:RunInstances", "*"); d != api.Allow {
				t.Fatalf("after deleting DenyAll: %v", d)
			}
		})
	}
}

func TestDeletedIdentitiesHaveNoPermissions(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateUser", "UserName", "temp")
	h.admin("AttachUserPolicy", "UserName", "temp", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	key := accessKeyID(t, h.admin("CreateAccessKey", "UserName", "temp"))
	old := h.principal(key)
	h.admin("DeleteAccessKey", "UserName", "temp", "AccessKeyId", key)
	h.admin("DetachUserPolicy", "UserName", "temp", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	h.admin("DeleteUser", "UserName", "temp")
	// A new user of the same name is another identity: the old
	// principal must not inherit its permissions.
	h.admin("CreateUser", "UserName", "temp")
	h.admin("AttachUserPolicy", "UserName", "temp", "PolicyArn", "arn:aws:iam::aws:policy/AdministratorAccess")
	if d := h.authorize(old, "iam:ListUsers", "*"); d != api.ImplicitDeny {
		t.Errorf("deleted user's principal: %v, want ImplicitDeny", d)
	}
	ghost := &api.Principal{Type: api.PrincipalAssumedRole, RoleID: "AROAGHOSTGHOSTGHOST12", AccountID: testAccount}
	if d := h.authorize(ghost, "iam:ListUsers", "*"); d != api.ImplicitDeny {
		t.Errorf("session of unknown role: %v", d)
	}
	if d := h.authorize(nil, "iam:ListUsers", "*"); d != api.ImplicitDeny {
		t.Errorf("nil principal: %v", d)
	}
}

func TestPlaybookContainmentAndEradication(t *testing.T) {
	h := newHarness(t)
	key := h.newUserWithKey("pipeline")
	h.admin("CreatePolicy", "PolicyName", "SimulationStack-SystemIntegrationPolicy", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`)
	h.admin("AttachUserPolicy", "UserName", "pipeline", "PolicyArn", "arn:aws:iam::999999999999:policy/SimulationStack-SystemIntegrationPolicy")

	// Containment.
	h.admin("UpdateAccessKey", "AccessKeyId", key, "Status", "Inactive", "UserName", "pipeline")
	var keys struct {
		Keys []struct {
			UserName    string `xml:"UserName"`
			AccessKeyID string `xml:"AccessKeyId"`
			Status      string `xml:"Status"`
			CreateDate  string `xml:"CreateDate"`
		} `xml:"AccessKeyMetadata>member"`
	}
	decode(t, h.admin("ListAccessKeys", "UserName", "pipeline"), &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].Status != "Inactive" || keys.Keys[0].AccessKeyID != key || keys.Keys[0].UserName != "pipeline" {
		t.Fatalf("ListAccessKeys after deactivation = %+v", keys.Keys)
	}
	var created struct {
		Policy struct {
			PolicyName       string `xml:"PolicyName"`
			Arn              string `xml:"Arn"`
			Path             string `xml:"Path"`
			DefaultVersionID string `xml:"DefaultVersionId"`
			AttachmentCount  int    `xml:"AttachmentCount"`
			IsAttachable     bool   `xml:"IsAttachable"`
		} `xml:"Policy"`
	}
	decode(t, h.admin("CreatePolicy", "PolicyName", "iam-containment-policy", "PolicyDocument", containmentDoc), &created)
	if p := created.Policy; p.Arn != "arn:aws:iam::999999999999:policy/iam-containment-policy" || p.DefaultVersionID != "v1" || p.AttachmentCount != 0 || !p.IsAttachable || p.Path != "/" {
		t.Fatalf("CreatePolicy = %+v", p)
	}
	h.admin("AttachUserPolicy", "PolicyArn", created.Policy.Arn, "UserName", "pipeline")
	var attached struct {
		Policies []struct {
			PolicyName string `xml:"PolicyName"`
			PolicyArn  string `xml:"PolicyArn"`
		} `xml:"AttachedPolicies>member"`
	}
	decode(t, h.admin("ListAttachedUserPolicies", "UserName", "pipeline"), &attached)
	if len(attached.Policies) != 2 {
		t.Fatalf("attached = %+v", attached.Policies)
	}
	names := map[string]bool{}
	for _, p := range attached.Policies {
		names[p.PolicyName] = true
	}
	if !names["iam-containment-policy"] || !names["SimulationStack-SystemIntegrationPolicy"] {
		t.Fatalf("attached = %+v", attached.Policies)
	}

	// Eradication: delete-user refuses while dependants remain.
	steps := []struct {
		action   string
		kv       []string
		conflict string // DeleteUser's answer after this step; "" = it succeeds
	}{
		{"", nil, "Cannot delete entity, must delete access keys first."},
		{"DeleteAccessKey", []string{"UserName", "pipeline", "AccessKeyId", key}, "Cannot delete entity, must detach all policies first."},
		{"DetachUserPolicy", []string{"UserName", "pipeline", "PolicyArn", "arn:aws:iam::999999999999:policy/SimulationStack-SystemIntegrationPolicy"}, "Cannot delete entity, must detach all policies first."},
		{"DetachUserPolicy", []string{"UserName", "pipeline", "PolicyArn", created.Policy.Arn}, ""},
	}
	for _, st := range steps {
		if st.action != "" {
			h.admin(st.action, st.kv...)
		}
		_, _, err := h.do(h.principal(adminKeyID), "DeleteUser", "UserName", "pipeline")
		if st.conflict == "" {
			if err != nil {
				t.Fatalf("DeleteUser after %s: %v", st.action, err)
			}
			continue
		}
		expectError(t, err, "DeleteConflict", st.conflict, 409)
	}
	_, _, err := h.do(h.principal(adminKeyID), "GetUser", "UserName", "pipeline")
	expectError(t, err, "NoSuchEntity", "The user with name pipeline cannot be found.", 404)
	// The deleted key stays attributable but unusable.
	if c, ok := h.svc.LookupCredential(key); !ok || c.Active {
		t.Errorf("deleted key lookup: found=%v", ok)
	}
}
