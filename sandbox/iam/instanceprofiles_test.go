package iam_test

import (
	"fmt"
	"testing"
)

func TestGoldenInstanceProfile(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateRole", "RoleName", "web-role", "Path", "/ir/", "AssumeRolePolicyDocument", ec2Trust, "Description", "left out of profiles")
	h.admin("CreateInstanceProfile", "InstanceProfileName", "web", "Path", "/ir/", "Tags.member.1.Key", "case", "Tags.member.1.Value", "IR-1")
	h.admin("AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "web-role")
	golden(t, "get_instance_profile", renderXML(t, h.admin("GetInstanceProfile", "InstanceProfileName", "web")))
}

// TestInstanceProfileTrail checks the CloudTrail responseElements of the
// instance-profile writes: the created profile, and null for the calls
// that return nothing.
func TestInstanceProfileTrail(t *testing.T) {
	h := newHarness(t)
	admin := h.principal(adminKeyID)
	h.admin("CreateRole", "RoleName", "web-role", "AssumeRolePolicyDocument", ec2Trust)
	res, call, err := h.do(admin, "CreateInstanceProfile", "InstanceProfileName", "web", "Path", "/ir/", "Tags.member.1.Key", "case", "Tags.member.1.Value", "IR-1")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		ID string `xml:"InstanceProfile>InstanceProfileId"`
	}
	decode(t, res, &created)
	want := fmt.Sprintf(`{"instanceProfile":{"path":"/ir/","instanceProfileName":"web","instanceProfileId":"%s","arn":"arn:aws:iam::999999999999:instance-profile/ir/web","createDate":"Jul 26, 2021 12:37:18 AM","roles":[],"tags":[{"key":"case","value":"IR-1"}]}}`, created.ID)
	if got := mustJSON(t, call.ResponseElements); got != want {
		t.Errorf("CreateInstanceProfile responseElements\n got %s\nwant %s", got, want)
	}
	for _, step := range []struct {
		action string
		kv     []string
	}{
		{"AddRoleToInstanceProfile", []string{"InstanceProfileName", "web", "RoleName", "web-role"}},
		{"RemoveRoleFromInstanceProfile", []string{"InstanceProfileName", "web", "RoleName", "web-role"}},
		{"DeleteInstanceProfile", []string{"InstanceProfileName", "web"}},
	} {
		_, call, err := h.do(admin, step.action, step.kv...)
		if err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
		if call.ResponseElements != nil {
			t.Errorf("%s responseElements = %s, want null", step.action, mustJSON(t, call.ResponseElements))
		}
	}
}

// TestInstanceProfileLookup covers the resolver EC2 uses for
// RunInstances' IamInstanceProfile.
func TestInstanceProfileLookup(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateRole", "RoleName", "web-role", "Path", "/ir/", "AssumeRolePolicyDocument", ec2Trust)
	h.admin("CreateInstanceProfile", "InstanceProfileName", "web", "Path", "/ir/")
	h.admin("CreateInstanceProfile", "InstanceProfileName", "empty")

	info, ok := h.svc.InstanceProfile("web")
	if !ok || info.ARN != "arn:aws:iam::999999999999:instance-profile/ir/web" || info.Path != "/ir/" || info.Name != "web" || len(info.ID) != 21 || info.Role.Name != "" {
		t.Fatalf("InstanceProfile(web) before AddRole = %+v, %v", info, ok)
	}
	h.admin("AddRoleToInstanceProfile", "InstanceProfileName", "web", "RoleName", "web-role")
	byARN, ok := h.svc.InstanceProfile("arn:aws:iam::999999999999:instance-profile/ir/web")
	if !ok || byARN.ID != info.ID || byARN.Role.Name != "web-role" || byARN.Role.ARN != "arn:aws:iam::999999999999:role/ir/web-role" || byARN.Role.Trust == nil {
		t.Errorf("InstanceProfile(ARN) = %+v, %v", byARN, ok)
	}
	if byName, ok := h.svc.InstanceProfile("WEB"); !ok || byName.ID != info.ID {
		t.Errorf("InstanceProfile is case-sensitive by name: %+v, %v", byName, ok)
	}
	if e, ok := h.svc.InstanceProfile("arn:aws:iam::999999999999:instance-profile/empty"); !ok || e.Role.Name != "" {
		t.Errorf("InstanceProfile(empty) = %+v, %v", e, ok)
	}
	for _, ref := range []string{
		"arn:aws:iam::999999999999:instance-profile/web",    // wrong path
		"arn:aws:iam::111111111111:instance-profile/ir/web", // other account
		"arn:aws:iam::999999999999:role/ir/web",             // not a profile
		"nope", "bad name", "",
	} {
		if got, ok := h.svc.InstanceProfile(ref); ok {
			t.Errorf("InstanceProfile(%q) = %+v", ref, got)
		}
	}
}
