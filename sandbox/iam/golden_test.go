package iam_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// randomIDs matches the random parts of IAM ids and secrets so that golden
// files stay stable.
var randomIDs = regexp.MustCompile(`\b(AIDA|AROA|AGPA|ANPA|AKIA|AIPA)[A-Z2-7]{16,17}\b`)

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	got = randomIDs.ReplaceAll(got, []byte("${1}XXXXXXXXXXXXXXXX"))
	path := filepath.Join("testdata", name+".golden.xml")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from golden file\n got:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestGoldenXML(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateUser", "UserName", "pipeline")
	h.newUserWithKey("integration")
	h.admin("PutUserPolicy", "UserName", "pipeline", "PolicyName", "DenyAll", "PolicyDocument", denyAll)
	h.admin("CreateRole", "RoleName", "denyrole", "AssumeRolePolicyDocument", ec2Trust)
	tests := []struct {
		name   string
		action string
		kv     []string
	}{
		{"create_user", "CreateUser", []string{"UserName", "helpdesk", "Tags.member.1.Key", "case", "Tags.member.1.Value", "IR-1"}},
		{"list_access_keys", "ListAccessKeys", []string{"UserName", "integration"}},
		{"get_user_policy", "GetUserPolicy", []string{"UserName", "pipeline", "PolicyName", "DenyAll"}},
		{"create_policy", "CreatePolicy", []string{"PolicyName", "iam-containment-policy", "PolicyDocument", containmentDoc}},
		{"get_role", "GetRole", []string{"RoleName", "denyrole"}},
		{"list_users_page", "ListUsers", []string{"MaxItems", "1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, renderXML(t, h.admin(tc.action, tc.kv...)))
		})
	}
}
