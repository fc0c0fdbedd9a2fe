package iam_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

const allowEC2 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`

type policyOut struct {
	PolicyName       string `xml:"PolicyName"`
	Arn              string `xml:"Arn"`
	DefaultVersionID string `xml:"DefaultVersionId"`
	AttachmentCount  int    `xml:"AttachmentCount"`
}

func TestManagedPolicyVersions(t *testing.T) {
	h := newHarness(t)
	arn := "arn:aws:iam::999999999999:policy/ops/p"
	h.admin("CreatePolicy", "PolicyName", "p", "Path", "/ops/", "PolicyDocument", allowEC2, "Description", "ops")
	_, _, err := h.do(h.principal(adminKeyID), "CreatePolicy", "PolicyName", "P", "PolicyDocument", allowEC2)
	expectError(t, err, "EntityAlreadyExists", "A policy called P already exists. Duplicate names are not allowed.", 409)

	for i := 2; i <= 5; i++ {
		h.admin("CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", allowEC2, "SetAsDefault", fmt.Sprint(i == 3))
	}
	_, _, err = h.do(h.principal(adminKeyID), "CreatePolicyVersion", "PolicyArn", arn, "PolicyDocument", allowEC2)
	expectError(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.", 409)

	var got struct {
		Policy policyOut `xml:"Policy"`
	}
	decode(t, h.admin("GetPolicy", "PolicyArn", arn), &got)
	if got.Policy.DefaultVersionID != "v3" {
		t.Errorf("default version %q, want v3", got.Policy.DefaultVersionID)
	}
	var versions struct {
		Versions []struct {
			VersionID string `xml:"VersionId"`
			IsDefault bool   `xml:"IsDefaultVersion"`
		} `xml:"Versions>member"`
	}
	decode(t, h.admin("ListPolicyVersions", "PolicyArn", arn), &versions)
	var ids []string
	for _, v := range versions.Versions {
		ids = append(ids, fmt.Sprintf("%s:%v", v.VersionID, v.IsDefault))
	}
	if strings.Join(ids, ",") != "v5:false,v4:false,v3:true,v2:false,v1:false" {
		t.Errorf("versions = %v", ids)
	}
	_, _, err = h.do(h.principal(adminKeyID), "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v3")
	expectError(t, err, "DeleteConflict", "Cannot delete the default version of a policy.", 409)
	_, _, err = h.do(h.principal(adminKeyID), "DeletePolicyVersion", "PolicyArn", arn, "VersionId", "v9")
	expectError(t, err, "NoSuchEntity", "", 404)
	_, _, err = h.do(h.principal(adminKeyID), "DeletePolicy", "PolicyArn", arn)
	expectError(t, err, "DeleteConflict", "", 409)
	for _, v := range []string{"v1", "v2", "v4", "v5"} {
		h.admin("DeletePolicyVersion", "PolicyArn", arn, "VersionId", v)
	}
	h.admin("SetDefaultPolicyVersion", "PolicyArn", arn, "VersionId", "v3")

	var doc struct {
		Version struct {
			Document string `xml:"Document"`
		} `xml:"PolicyVersion"`
	}
	decode(t, h.admin("GetPolicyVersion", "PolicyArn", arn, "VersionId", "v3"), &doc)
	decoded, err := url.QueryUnescape(doc.Version.Document)
	if err != nil || decoded != allowEC2 {
		t.Errorf("GetPolicyVersion document %q decodes to %q (%v)", doc.Version.Document, decoded, err)
	}

	h.admin("CreateUser", "UserName", "u")
	h.admin("AttachUserPolicy", "UserName", "u", "PolicyArn", arn)
	_, _, err = h.do(h.principal(adminKeyID), "DeletePolicy", "PolicyArn", arn)
	expectError(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.", 409)
	h.admin("DetachUserPolicy", "UserName", "u", "PolicyArn", arn)
	h.admin("DeletePolicy", "PolicyArn", arn)
	_, _, err = h.do(h.principal(adminKeyID), "GetPolicy", "PolicyArn", arn)
	expectError(t, err, "NoSuchEntity", "Policy arn:aws:iam::999999999999:policy/ops/p was not found.", 404)
}

func TestAttachErrors(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateUser", "UserName", "u")
	admin := h.principal(adminKeyID)
	_, _, err := h.do(admin, "AttachUserPolicy", "UserName", "u", "PolicyArn", "arn:aws:iam::aws:policy/NoSuchPolicy")
	expectError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.", 404)
	_, _, err = h.do(admin, "AttachUserPolicy", "UserName", "u", "PolicyArn", "not-an-arn-at-all-really")
	expectError(t, err, "InvalidInput", "ARN not-an-arn-at-all-really is not valid.", 400)
	_, _, err = h.do(admin, "AttachUserPolicy", "UserName", "nobody", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	expectError(t, err, "NoSuchEntity", "The user with name nobody cannot be found.", 404)
	_, _, err = h.do(admin, "DetachUserPolicy", "UserName", "u", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	expectError(t, err, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.", 404)

	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("p%d", i)
		h.admin("CreatePolicy", "PolicyName", name, "PolicyDocument", allowEC2)
		h.admin("AttachUserPolicy", "UserName", "u", "PolicyArn", "arn:aws:iam::999999999999:policy/"+name)
	}
	h.admin("AttachUserPolicy", "UserName", "u", "PolicyArn", "arn:aws:iam::999999999999:policy/p0") // again: no-op
	_, _, err = h.do(admin, "AttachUserPolicy", "UserName", "u", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	expectError(t, err, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10", 409)

	_, _, err = h.do(admin, "CreatePolicy", "PolicyName", "bad", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*"}]}`)
	expectError(t, err, "MalformedPolicyDocument", "", 400)
}

func TestListPoliciesScopes(t *testing.T) {
	h := newHarness(t)
	h.admin("CreatePolicy", "PolicyName", "local-one", "PolicyDocument", allowEC2)
	h.admin("CreatePolicy", "PolicyName", "local-two", "PolicyDocument", allowEC2)
	h.admin("CreateUser", "UserName", "u")
	h.admin("AttachUserPolicy", "UserName", "u", "PolicyArn", "arn:aws:iam::999999999999:policy/local-two")
	h.admin("AttachUserPolicy", "UserName", "u", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	list := func(kv ...string) []policyOut {
		var out struct {
			Policies []policyOut `xml:"Policies>member"`
		}
		decode(t, h.admin("ListPolicies", kv...), &out)
		return out.Policies
	}
	names := func(ps []policyOut) string {
		var n []string
		for _, p := range ps {
			n = append(n, p.PolicyName)
		}
		return strings.Join(n, ",")
	}
	tests := []struct {
		kv   []string
		want string
	}{
		{[]string{"Scope", "Local"}, "local-one,local-two"},
		{[]string{"Scope", "Local", "OnlyAttached", "true"}, "local-two"},
		// The bootstrap admin's AdministratorAccess counts as attached.
		{[]string{"Scope", "AWS", "OnlyAttached", "true"}, "AdministratorAccess,ReadOnlyAccess"},
		{[]string{"OnlyAttached", "true"}, "AdministratorAccess,local-two,ReadOnlyAccess"},
	}
	for _, tc := range tests {
		if got := names(list(tc.kv...)); got != tc.want {
			t.Errorf("ListPolicies %v = %s, want %s", tc.kv, got, tc.want)
		}
	}
	aws := list("Scope", "AWS")
	found := false
	for _, p := range aws {
		if p.Arn == "arn:aws:iam::aws:policy/AWSDenyAll" {
			found = true
		}
		if !strings.HasPrefix(p.Arn, "arn:aws:iam::aws:policy/") {
			t.Errorf("Scope=AWS lists %s", p.Arn)
		}
	}
	if !found {
		t.Error("Scope=AWS does not list AWSDenyAll")
	}
	if got := list("Scope", "AWS", "OnlyAttached", "true"); got[1].AttachmentCount != 1 {
		t.Errorf("ReadOnlyAccess attachment count %d", got[1].AttachmentCount)
	}
}

func TestInlinePolicies(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateUser", "UserName", "u")
	admin := h.principal(adminKeyID)
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	h.admin("PutUserPolicy", "UserName", "u", "PolicyName", "read", "PolicyDocument", doc)
	var got struct {
		UserName       string `xml:"UserName"`
		PolicyName     string `xml:"PolicyName"`
		PolicyDocument string `xml:"PolicyDocument"`
	}
	decode(t, h.admin("GetUserPolicy", "UserName", "U", "PolicyName", "read"), &got)
	if got.UserName != "u" || got.PolicyName != "read" || strings.Contains(got.PolicyDocument, " ") || strings.Contains(got.PolicyDocument, "+") {
		t.Errorf("GetUserPolicy = %+v (documents are RFC 3986 URL-encoded)", got)
	}
	if dec, _ := url.PathUnescape(got.PolicyDocument); dec != doc {
		t.Errorf("document decodes to %q", dec)
	}
	var names struct {
		Names []string `xml:"PolicyNames>member"`
	}
	decode(t, h.admin("ListUserPolicies", "UserName", "u"), &names)
	if len(names.Names) != 1 || names.Names[0] != "read" {
		t.Errorf("ListUserPolicies = %v", names.Names)
	}
	_, _, err := h.do(admin, "DeleteUser", "UserName", "u")
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
	_, _, err = h.do(admin, "GetUserPolicy", "UserName", "u", "PolicyName", "nope")
	expectError(t, err, "NoSuchEntity", "The user policy with name nope cannot be found.", 404)
	_, _, err = h.do(admin, "PutUserPolicy", "UserName", "u", "PolicyName", "bad", "PolicyDocument", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	expectError(t, err, "MalformedPolicyDocument", "Policy document should not specify a principal.", 400)
	_, _, err = h.do(admin, "PutRolePolicy", "RoleName", "ghost", "PolicyName", "p", "PolicyDocument", doc)
	expectError(t, err, "NoSuchEntity", "The role with name ghost cannot be found.", 404)

	// The user quota is on all of the user's inline policies together.
	big := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s"}]}`, strings.Repeat("b", 1200))
	h.admin("PutUserPolicy", "UserName", "u", "PolicyName", "big1", "PolicyDocument", big)
	_, _, err = h.do(admin, "PutUserPolicy", "UserName", "u", "PolicyName", "big2", "PolicyDocument", big)
	expectError(t, err, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user u", 409)
	h.admin("PutUserPolicy", "UserName", "u", "PolicyName", "big1", "PolicyDocument", big) // replacing is not adding

	h.admin("DeleteUserPolicy", "UserName", "u", "PolicyName", "read")
	h.admin("DeleteUserPolicy", "UserName", "u", "PolicyName", "big1")
	h.admin("DeleteUser", "UserName", "u")
}
