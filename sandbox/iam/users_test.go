package iam_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/irdrill/irdrill/sandbox/api"
)

type userOut struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

func TestUserErrors(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateUser", "UserName", "pipeline")
	admin := h.principal(adminKeyID)
	tests := []struct {
		name    string
		action  string
		kv      []string
		code    string
		message string
		status  int
	}{
		{"duplicate ignoring case", "CreateUser", []string{"UserName", "PIPELINE"}, "EntityAlreadyExists", "User with name PIPELINE already exists.", http.StatusConflict},
		{"name with space", "CreateUser", []string{"UserName", "bad name"}, "ValidationError", `1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`, http.StatusBadRequest},
		{"name too long", "CreateUser", []string{"UserName", strings.Repeat("a", 65)}, "ValidationError", fmt.Sprintf("1 validation error detected: Value '%s' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64", strings.Repeat("a", 65)), 400},
		{"missing name", "CreateUser", nil, "ValidationError", "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null", 400},
		{"bad path", "CreateUser", []string{"UserName", "x", "Path", "nope"}, "ValidationError", `1 validation error detected: Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, 400},
		{"unknown user", "GetUser", []string{"UserName", "integration"}, "NoSuchEntity", "The user with name integration cannot be found.", http.StatusNotFound},
		{"delete unknown user", "DeleteUser", []string{"UserName", "integration"}, "NoSuchEntity", "The user with name integration cannot be found.", http.StatusNotFound},
		{"unknown action", "CreateWidget", nil, "InvalidAction", "Could not find operation CreateWidget for version 2010-05-08", 400},
		{"bad max items", "ListUsers", []string{"MaxItems", "0"}, "ValidationError", "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := h.do(admin, tc.action, tc.kv...)
			expectError(t, err, tc.code, tc.message, tc.status)
		})
	}
}

func TestCreateAndGetUser(t *testing.T) {
	h := newHarness(t)
	res, call, err := h.do(h.principal(adminKeyID), "CreateUser", "UserName", "pipeline", "Path", "/ci/", "Tags.member.1.Key", "team", "Tags.member.1.Value", "build")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		User userOut `xml:"User"`
	}
	decode(t, res, &created)
	u := created.User
	if u.Arn != "arn:aws:iam::999999999999:user/ci/pipeline" || u.Path != "/ci/" || u.UserName != "pipeline" {
		t.Errorf("created user = %+v", u)
	}
	if len(u.UserID) != 21 || !strings.HasPrefix(u.UserID, "AIDA") {
		t.Errorf("user id %q: want AIDA + 17 characters", u.UserID)
	}
	if u.CreateDate != "2021-07-26T00:37:18Z" {
		t.Errorf("create date %q", u.CreateDate)
	}
	// CloudTrail records the created user without secrets, dates in Java's
	// medium format.
	got := mustJSON(t, call.ResponseElements)
	want := fmt.Sprintf(`{"user":{"path":"/ci/","userName":"pipeline","userId":"%s","arn":"arn:aws:iam::999999999999:user/ci/pipeline","createDate":"Jul 26, 2021 12:37:18 AM","tags":[{"key":"team","value":"build"}]}}`, u.UserID)
	if got != want {
		t.Errorf("responseElements\n got %s\nwant %s", got, want)
	}

	var fetched struct {
		User userOut `xml:"User"`
	}
	decode(t, h.admin("GetUser", "UserName", "PipeLine"), &fetched)
	if fetched.User != u {
		t.Errorf("GetUser by another case = %+v, want %+v", fetched.User, u)
	}

	// Without UserName, GetUser describes the calling user.
	key := h.newUserWithKey("analyst")
	res, _, err = h.do(h.principal(key), "GetUser")
	if err == nil {
		t.Fatal("analyst has no policy, GetUser on itself must be denied")
	}
	h.admin("PutUserPolicy", "UserName", "analyst", "PolicyName", "self", "PolicyDocument", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::999999999999:user/${aws:username}"}]}`)
	res, _, err = h.do(h.principal(key), "GetUser")
	if err != nil {
		t.Fatal(err)
	}
	decode(t, res, &fetched)
	if fetched.User.UserName != "analyst" {
		t.Errorf("GetUser without name returned %q", fetched.User.UserName)
	}

	// A role session has no user to default to.
	session := &api.Principal{Type: api.PrincipalAssumedRole, ARN: "arn:aws:sts::999999999999:assumed-role/r/s", AccountID: testAccount}
	_, _, err = h.do(session, "GetUser")
	expectError(t, err, "ValidationError", "Must specify userName when calling with non-User credentials", 400)
}

func TestListUsersPagination(t *testing.T) {
	h := newHarness(t)
	for _, name := range []string{"delta", "Alpha", "charlie", "bravo", "echo"} {
		h.admin("CreateUser", "UserName", name, "Path", "/team/")
	}
	type listOut struct {
		Users       []userOut `xml:"Users>member"`
		IsTruncated bool      `xml:"IsTruncated"`
		Marker      string    `xml:"Marker"`
	}
	var names []string
	marker := ""
	pages := 0
	for {
		kv := []string{"MaxItems", "2", "PathPrefix", "/team/"}
		if marker != "" {
			kv = append(kv, "Marker", marker)
		}
		var out listOut
		decode(t, h.admin("ListUsers", kv...), &out)
		pages++
		for _, u := range out.Users {
			names = append(names, u.UserName)
		}
		if !out.IsTruncated {
			if out.Marker != "" {
				t.Errorf("last page has marker %q", out.Marker)
			}
			break
		}
		if len(out.Users) != 2 {
			t.Errorf("truncated page has %d users", len(out.Users))
		}
		marker = out.Marker
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
	}
	if got := strings.Join(names, ","); got != "Alpha,bravo,charlie,delta,echo" || pages != 3 {
		t.Errorf("pages=%d users=%s", pages, got)
	}
	var all listOut
	decode(t, h.admin("ListUsers"), &all)
	if len(all.Users) != 6 { // the five and the bootstrap admin
		t.Errorf("ListUsers without prefix returned %d users", len(all.Users))
	}
	_, _, err := h.do(h.principal(adminKeyID), "ListUsers", "Marker", "%%%")
	expectError(t, err, "ValidationError", "", 400)
}

func TestUpdateUserAndTags(t *testing.T) {
	h := newHarness(t)
	h.admin("CreateUser", "UserName", "old", "Tags.member.1.Key", "a", "Tags.member.1.Value", "1")
	h.admin("UpdateUser", "UserName", "old", "NewUserName", "new", "NewPath", "/moved/")
	var got struct {
		User userOut `xml:"User"`
	}
	decode(t, h.admin("GetUser", "UserName", "new"), &got)
	if got.User.Arn != "arn:aws:iam::999999999999:user/moved/new" {
		t.Errorf("renamed user ARN %q", got.User.Arn)
	}
	_, _, err := h.do(h.principal(adminKeyID), "GetUser", "UserName", "old")
	expectError(t, err, "NoSuchEntity", "The user with name old cannot be found.", 404)

	h.admin("TagUser", "UserName", "new", "Tags.member.1.Key", "A", "Tags.member.1.Value", "2", "Tags.member.2.Key", "b", "Tags.member.2.Value", "3")
	h.admin("UntagUser", "UserName", "new", "TagKeys.member.1", "b")
	var tags struct {
		Tags []struct {
			Key   string `xml:"Key"`
			Value string `xml:"Value"`
		} `xml:"Tags>member"`
	}
	decode(t, h.admin("ListUserTags", "UserName", "new"), &tags)
	if len(tags.Tags) != 1 || tags.Tags[0].Key != "A" || tags.Tags[0].Value != "2" {
		t.Errorf("tags after TagUser/UntagUser = %+v", tags.Tags)
	}
	_, _, err = h.do(h.principal(adminKeyID), "TagUser", "UserName", "new", "Tags.member.1.Key", "k", "Tags.member.1.Value", "v", "Tags.member.2.Key", "K", "Tags.member.2.Value", "v")
	expectError(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
}
