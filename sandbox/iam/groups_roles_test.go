package iam_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func TestGroups(t *testing.T) {
	h := newHarness(t)
	admin := h.principal(adminKeyID)
	h.admin("CreateGroup", "GroupName", "DenyGroup")
	h.admin("CreateUser", "UserName", "DenyUser")
	_, _, err := h.do(admin, "CreateGroup", "GroupName", "denygroup")
	expectError(t, err, "EntityAlreadyExists", "Group with name denygroup already exists.", 409)
	h.admin("AddUserToGroup", "UserName", "DenyUser", "GroupName", "DenyGroup")
	h.admin("AddUserToGroup", "UserName", "DenyUser", "GroupName", "DenyGroup")

	var got struct {
		Group struct {
			Arn string `xml:"Arn"`
		} `xml:"Group"`
		Users []userOut `xml:"Users>member"`
	}
	decode(t, h.admin("GetGroup", "GroupName", "DenyGroup"), &got)
	if got.Group.Arn != "arn:aws:iam::999999999999:group/DenyGroup" || len(got.Users) != 1 || got.Users[0].UserName != "DenyUser" {
		t.Errorf("GetGroup = %+v", got)
	}
	var forUser struct {
		Groups []struct {
			GroupName string `xml:"GroupName"`
		} `xml:"Groups>member"`
	}
	decode(t, h.admin("ListGroupsForUser", "UserName", "DenyUser"), &forUser)
	if len(forUser.Groups) != 1 || forUser.Groups[0].GroupName != "DenyGroup" {
		t.Errorf("ListGroupsForUser = %+v", forUser.Groups)
	}
	_, _, err = h.do(admin, "DeleteGroup", "GroupName", "DenyGroup")
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
	_, _, err = h.do(admin, "DeleteUser", "UserName", "DenyUser")
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must remove users from group first.", 409)
	h.admin("RemoveUserFromGroup", "UserName", "DenyUser", "GroupName", "DenyGroup")
	_, _, err = h.do(admin, "RemoveUserFromGroup", "UserName", "DenyUser", "GroupName", "DenyGroup")
	expectError(t, err, "NoSuchEntity", "", 404)
	h.admin("PutGroupPolicy", "GroupName", "DenyGroup", "PolicyName", "DenyAll", "PolicyDocument", denyAll)
	_, _, err = h.do(admin, "DeleteGroup", "GroupName", "DenyGroup")
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
	h.admin("DeleteGroupPolicy", "GroupName", "DenyGroup", "PolicyName", "DenyAll")
	h.admin("DeleteGroup", "GroupName", "DenyGroup")
	h.admin("DeleteUser", "UserName", "DenyUser")
	var groups struct {
		Groups []struct{} `xml:"Groups>member"`
	}
	decode(t, h.admin("ListGroups"), &groups)
	if len(groups.Groups) != 0 {
		t.Errorf("ListGroups after delete = %d groups", len(groups.Groups))
	}
}

func TestRoles(t *testing.T) {
	h := newHarness(t)
	admin := h.principal(adminKeyID)
	res, call, err := h.do(admin, "CreateRole", "RoleName", "denyrole", "Path", "/ir/", "AssumeRolePolicyDocument", ec2Trust, "MaxSessionDuration", "7200", "Description", "lab role")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		Role struct {
			RoleID                   string `xml:"RoleId"`
			Arn                      string `xml:"Arn"`
			AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
			MaxSessionDuration       int    `xml:"MaxSessionDuration"`
		} `xml:"Role"`
	}
	decode(t, res, &created)
	if created.Role.Arn != "arn:aws:iam::999999999999:role/ir/denyrole" || !strings.HasPrefix(created.Role.RoleID, "AROA") || len(created.Role.RoleID) != 21 || created.Role.MaxSessionDuration != 7200 {
		t.Errorf("CreateRole = %+v", created.Role)
	}
	if doc, _ := url.PathUnescape(created.Role.AssumeRolePolicyDocument); doc != ec2Trust {
		t.Errorf("trust document round trip: %q", doc)
	}
	if !strings.Contains(mustJSON(t, call.ResponseElements), `"arn":"arn:aws:iam::999999999999:role/ir/denyrole"`) {
		t.Errorf("CreateRole responseElements lack role.arn: %s", mustJSON(t, call.ResponseElements))
	}

	info, ok := h.svc.RoleByARN("arn:aws:iam::999999999999:role/ir/denyrole")
	if !ok || info.ID != created.Role.RoleID || info.MaxSessionDuration != 2*time.Hour || info.Trust == nil || info.Name != "denyrole" {
		t.Errorf("RoleByARN = %+v, %v", info, ok)
	}
	for _, arn := range []string{"arn:aws:iam::999999999999:role/denyrole", "arn:aws:iam::111111111111:role/ir/denyrole", "arn:aws:iam::999999999999:user/ir/denyrole", "junk"} {
		if _, ok := h.svc.RoleByARN(arn); ok {
			t.Errorf("RoleByARN(%q) found a role", arn)
		}
	}

	tests := []struct {
		name string
		kv   []string
		code string
		msg  string
	}{
		{"identity policy as trust", []string{"RoleName", "r", "AssumeRolePolicyDocument", allowEC2}, "MalformedPolicyDocument", ""},
		{"session too short", []string{"RoleName", "r", "AssumeRolePolicyDocument", ec2Trust, "MaxSessionDuration", "60"}, "ValidationError", "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"session too long", []string{"RoleName", "r", "AssumeRolePolicyDocument", ec2Trust, "MaxSessionDuration", "43201"}, "ValidationError", ""},
		{"duplicate", []string{"RoleName", "DENYROLE", "AssumeRolePolicyDocument", ec2Trust}, "EntityAlreadyExists", "Role with name DENYROLE already exists."},
		{"missing document", []string{"RoleName", "r"}, "ValidationError", "1 validation error detected: Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := h.do(admin, "CreateRole", tc.kv...)
			expectError(t, err, tc.code, tc.msg, 0)
		})
	}

	userTrust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:user/admin"},"Action":"sts:AssumeRole"}]}`
	h.admin("UpdateAssumeRolePolicy", "RoleName", "denyrole", "PolicyDocument", userTrust)
	info2, _ := h.svc.RoleByARN("arn:aws:iam::999999999999:role/ir/denyrole")
	if info2.Trust.Document() != userTrust {
		t.Errorf("trust after update = %s", info2.Trust.Document())
	}

	h.admin("AttachRolePolicy", "RoleName", "denyrole", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	h.admin("PutRolePolicy", "RoleName", "denyrole", "PolicyName", "DenyAll", "PolicyDocument", denyAll)
	_, _, err = h.do(admin, "DeleteRole", "RoleName", "denyrole")
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
	h.admin("DeleteRolePolicy", "RoleName", "denyrole", "PolicyName", "DenyAll")
	_, _, err = h.do(admin, "DeleteRole", "RoleName", "denyrole")
	expectError(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
	h.admin("DetachRolePolicy", "RoleName", "denyrole", "PolicyArn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
	h.admin("DeleteRole", "RoleName", "denyrole")
	_, _, err = h.do(admin, "GetRole", "RoleName", "denyrole")
	expectError(t, err, "NoSuchEntity", "The role with name denyrole cannot be found.", 404)
	if _, ok := h.svc.RoleByARN("arn:aws:iam::999999999999:role/ir/denyrole"); ok {
		t.Error("deleted role still resolvable")
	}
}

func TestAccessKeys(t *testing.T) {
	h := newHarness(t)
	admin := h.principal(adminKeyID)
	first := h.newUserWithKey("u")
	res, call, err := h.do(admin, "CreateAccessKey", "UserName", "u")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		AccessKey struct {
			AccessKeyID     string `xml:"AccessKeyId"`
			SecretAccessKey string `xml:"SecretAccessKey"`
			Status          string `xml:"Status"`
		} `xml:"AccessKey"`
	}
	decode(t, res, &created)
	k := created.AccessKey
	if len(k.AccessKeyID) != 20 || !strings.HasPrefix(k.AccessKeyID, "AKIA") || len(k.SecretAccessKey) != 40 || k.Status != "Active" {
		t.Errorf("CreateAccessKey = %+v", k)
	}
	trail := mustJSON(t, call.ResponseElements)
	if strings.Contains(trail, k.SecretAccessKey) || strings.Contains(strings.ToLower(trail), "secret") {
		t.Errorf("CloudTrail responseElements leak the secret: %s", trail)
	}
	if want := `{"accessKey":{"userName":"u","accessKeyId":"` + k.AccessKeyID + `","status":"Active","createDate":"Jul 26, 2021 12:37:18 AM"}}`; trail != want {
		t.Errorf("responseElements = %s, want %s", trail, want)
	}
	if c, ok := h.svc.LookupCredential(k.AccessKeyID); !ok || c.SecretAccessKey != k.SecretAccessKey || c.Principal.UserName != "u" {
		t.Errorf("LookupCredential(new key) = %+v, %v", c, ok)
	}
	_, _, err = h.do(admin, "CreateAccessKey", "UserName", "u")
	expectError(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
	_, _, err = h.do(admin, "UpdateAccessKey", "UserName", "u", "AccessKeyId", first, "Status", "Disabled")
	expectError(t, err, "ValidationError", "1 validation error detected: Value 'Disabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", 400)
	_, _, err = h.do(admin, "DeleteAccessKey", "UserName", "admin", "AccessKeyId", first)
	expectError(t, err, "NoSuchEntity", "The Access Key with id "+first+" cannot be found.", 404)

	var lastUsed struct {
		UserName string `xml:"UserName"`
		LastUsed struct {
			LastUsedDate string `xml:"LastUsedDate"`
			ServiceName  string `xml:"ServiceName"`
			Region       string `xml:"Region"`
		} `xml:"AccessKeyLastUsed"`
	}
	decode(t, h.admin("GetAccessKeyLastUsed", "AccessKeyId", first), &lastUsed)
	if lastUsed.UserName != "u" || lastUsed.LastUsed.ServiceName != "N/A" || lastUsed.LastUsed.Region != "N/A" || lastUsed.LastUsed.LastUsedDate != "" {
		t.Errorf("unused key = %+v", lastUsed)
	}
	h.clock.Advance(time.Hour)
	_, _, _ = h.do(h.principal(first), "ListUsers") // denied, but the key was used
	decode(t, h.admin("GetAccessKeyLastUsed", "AccessKeyId", first), &lastUsed)
	if lastUsed.LastUsed.ServiceName != "iam" || lastUsed.LastUsed.Region != "us-east-1" || lastUsed.LastUsed.LastUsedDate != "2021-07-26T01:37:18Z" {
		t.Errorf("used key = %+v", lastUsed)
	}

	// Without UserName, key operations apply to the caller.
	var own struct {
		Keys []struct {
			AccessKeyID string `xml:"AccessKeyId"`
		} `xml:"AccessKeyMetadata>member"`
	}
	decode(t, h.admin("ListAccessKeys"), &own)
	if len(own.Keys) != 1 || own.Keys[0].AccessKeyID != adminKeyID {
		t.Errorf("admin's own keys = %+v", own.Keys)
	}
}

func TestBootstrapIsIdempotent(t *testing.T) {
	h := newHarness(t)
	if err := h.svc.Bootstrap(adminUserName, adminKeyID, adminSecret); err != nil {
		t.Fatalf("second Bootstrap: %v", err)
	}
	var attached struct {
		Policies []struct {
			PolicyArn string `xml:"PolicyArn"`
		} `xml:"AttachedPolicies>member"`
	}
	decode(t, h.admin("ListAttachedUserPolicies", "UserName", adminUserName), &attached)
	if len(attached.Policies) != 1 || attached.Policies[0].PolicyArn != "arn:aws:iam::aws:policy/AdministratorAccess" {
		t.Errorf("bootstrap admin policies = %+v", attached.Policies)
	}
	if err := h.svc.Bootstrap(adminUserName, adminKeyID, "another-secret"); err == nil {
		t.Error("Bootstrap with a different secret for the same key succeeded")
	}
	if err := h.svc.Bootstrap("bad name", "AKIAIRDRILLOTHERKEY1", "s"); err == nil {
		t.Error("Bootstrap with an invalid user name succeeded")
	}
}
