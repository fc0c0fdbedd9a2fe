package iam_test

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// createRole creates a role with the EC2 trust policy.
func (e *sdkEnv) createRole(ctx context.Context, name, path string) *iamtypes.Role {
	e.t.Helper()
	out, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(ec2Trust)})
	if err != nil {
		e.t.Fatal(err)
	}
	return out.Role
}

func (e *sdkEnv) createProfile(ctx context.Context, name, path string) *iamtypes.InstanceProfile {
	e.t.Helper()
	in := &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(name)}
	if path != "" {
		in.Path = aws.String(path)
	}
	out, err := e.iam.CreateInstanceProfile(ctx, in)
	if err != nil {
		e.t.Fatal(err)
	}
	return out.InstanceProfile
}

func (e *sdkEnv) addRole(ctx context.Context, profile, role string) {
	e.t.Helper()
	if _, err := e.iam.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(role)}); err != nil {
		e.t.Fatal(err)
	}
}

func TestSDKInstanceProfileLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	role := e.createRole(ctx, "web-role", "/ir/")
	e.createRole(ctx, "other-role", "/")

	created, err := e.iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{
		InstanceProfileName: aws.String("web"), Path: aws.String("/ir/"),
		Tags: []iamtypes.Tag{{Key: aws.String("case"), Value: aws.String("IR-1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := created.InstanceProfile
	if aws.ToString(p.Arn) != "arn:aws:iam::999999999999:instance-profile/ir/web" || aws.ToString(p.Path) != "/ir/" ||
		aws.ToString(p.InstanceProfileName) != "web" || !p.CreateDate.Equal(e.clock.Now()) || len(p.Roles) != 0 ||
		len(p.Tags) != 1 || aws.ToString(p.Tags[0].Key) != "case" {
		t.Errorf("CreateInstanceProfile = %+v", p)
	}
	if id := aws.ToString(p.InstanceProfileId); len(id) != 21 || !strings.HasPrefix(id, "AIPA") {
		t.Errorf("instance profile id %q: want AIPA + 17 characters", id)
	}

	// Creation errors.
	_, err = e.iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("WEB")})
	sdkError(t, err, "EntityAlreadyExists", "Instance Profile WEB already exists.")
	_, err = e.iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("bad name")})
	sdkError(t, err, "ValidationError", `1 validation error detected: Value 'bad name' at 'instanceProfileName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)
	_, err = e.iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(strings.Repeat("p", 129))})
	sdkError(t, err, "ValidationError", "")
	if _, err := e.iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(strings.Repeat("p", 128))}); err != nil {
		t.Errorf("128-character name: %v", err)
	}
	_, err = e.iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("x"), Path: aws.String("ir")})
	sdkError(t, err, "ValidationError", "")

	_, err = e.iam.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("nope")})
	sdkError(t, err, "NoSuchEntity", "Instance Profile nope cannot be found.")

	// Roles: one per profile.
	e.addRole(ctx, "web", "web-role")
	for _, name := range []string{"web-role", "other-role"} {
		_, err = e.iam.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String(name)})
		sdkError(t, err, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	}
	_, err = e.iam.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("nope"), RoleName: aws.String("web-role")})
	sdkError(t, err, "NoSuchEntity", "Instance Profile nope cannot be found.")
	_, err = e.iam.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("nope")})
	sdkError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")

	got, err := e.iam.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.InstanceProfile.Roles) != 1 || len(got.InstanceProfile.Tags) != 1 {
		t.Fatalf("GetInstanceProfile = %+v", got.InstanceProfile)
	}
	r := got.InstanceProfile.Roles[0]
	if aws.ToString(r.RoleName) != "web-role" || aws.ToString(r.Arn) != aws.ToString(role.Arn) || aws.ToString(r.RoleId) != aws.ToString(role.RoleId) ||
		aws.ToString(r.Path) != "/ir/" || !r.CreateDate.Equal(*role.CreateDate) {
		t.Errorf("profile role = %+v", r)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument)); doc != ec2Trust {
		t.Errorf("profile role trust document = %q", doc)
	}

	forRole, err := e.iam.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web-role")})
	if err != nil || len(forRole.InstanceProfiles) != 1 || aws.ToString(forRole.InstanceProfiles[0].InstanceProfileName) != "web" || forRole.IsTruncated {
		t.Fatalf("ListInstanceProfilesForRole = %+v, %v", forRole, err)
	}
	if n := len(forRole.InstanceProfiles[0].Roles); n != 1 {
		t.Errorf("ListInstanceProfilesForRole profile has %d roles", n)
	}
	empty, err := e.iam.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("other-role")})
	if err != nil || len(empty.InstanceProfiles) != 0 {
		t.Errorf("ListInstanceProfilesForRole(other-role) = %+v, %v", empty, err)
	}
	_, err = e.iam.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nope")})
	sdkError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")

	// Neither side can be deleted while the role is in the profile.
	_, err = e.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("web-role")})
	sdkError(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = e.iam.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	sdkError(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")

	_, err = e.iam.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("other-role")})
	sdkError(t, err, "NoSuchEntity", "")
	_, err = e.iam.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("nope")})
	sdkError(t, err, "NoSuchEntity", "The role with name nope cannot be found.")
	if _, err := e.iam.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web-role")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("web-role")})
	sdkError(t, err, "NoSuchEntity", "")

	// Terraform's destroy of aws_iam_role: list the role's profiles, then
	// delete the role.
	forRole, err = e.iam.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("web-role")})
	if err != nil || len(forRole.InstanceProfiles) != 0 {
		t.Fatalf("ListInstanceProfilesForRole after removal = %+v, %v", forRole, err)
	}
	if _, err := e.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("web-role")}); err != nil {
		t.Fatalf("DeleteRole after removal: %v", err)
	}
	if _, err := e.iam.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("WEB")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	sdkError(t, err, "NoSuchEntity", "Instance Profile web cannot be found.")
	_, err = e.iam.DeleteInstanceProfile(ctx, &awsiam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	sdkError(t, err, "NoSuchEntity", "Instance Profile web cannot be found.")
}

// TestSDKDeleteRoleConflictOrder checks that DeleteRole reports the role's
// policies before its instance profiles, in the order of IAM's
// documentation, and keeps inline before managed policies.
func TestSDKDeleteRoleConflictOrder(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	e.createRole(ctx, "app", "/")
	e.createProfile(ctx, "app", "")
	e.addRole(ctx, "app", "app")
	if _, err := e.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("DenyAll"), PolicyDocument: aws.String(denyAll)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		want  string
		clear func() error
	}{
		{"Cannot delete entity, must delete policies first.", func() error {
			_, err := e.iam.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("DenyAll")})
			return err
		}},
		{"Cannot delete entity, must detach all policies first.", func() error {
			_, err := e.iam.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}},
		{"Cannot delete entity, must remove roles from instance profile first.", func() error {
			_, err := e.iam.RemoveRoleFromInstanceProfile(ctx, &awsiam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("app"), RoleName: aws.String("app")})
			return err
		}},
	}
	for _, step := range steps {
		_, err := e.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app")})
		sdkError(t, err, "DeleteConflict", step.want)
		if err := step.clear(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.iam.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
}

func TestSDKListInstanceProfilesPagination(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	e.createRole(ctx, "shared", "/")
	// Created out of order and mixed case: IAM lists by name, ignoring case.
	for _, p := range []struct{ name, path string }{{"delta", "/ir/"}, {"Alpha", "/"}, {"echo", "/ir/deep/"}, {"charlie", "/other/"}, {"bravo", "/ir/"}} {
		e.createProfile(ctx, p.name, p.path)
	}
	for _, name := range []string{"delta", "bravo", "echo"} {
		e.addRole(ctx, name, "shared")
	}

	listAll := func(in *awsiam.ListInstanceProfilesInput) []string {
		t.Helper()
		var names []string
		pages := 0
		for pg := awsiam.NewListInstanceProfilesPaginator(e.iam, in); pg.HasMorePages(); pages++ {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.InstanceProfiles) > int(aws.ToInt32(in.MaxItems)) {
				t.Fatalf("page of %d profiles, MaxItems %d", len(out.InstanceProfiles), aws.ToInt32(in.MaxItems))
			}
			for _, p := range out.InstanceProfiles {
				if p.Tags != nil {
					t.Errorf("ListInstanceProfiles returned tags for %s", aws.ToString(p.InstanceProfileName))
				}
				names = append(names, aws.ToString(p.InstanceProfileName))
			}
		}
		return names
	}
	if got, want := listAll(&awsiam.ListInstanceProfilesInput{MaxItems: aws.Int32(2)}), []string{"Alpha", "bravo", "charlie", "delta", "echo"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListInstanceProfiles = %v, want %v", got, want)
	}
	if got, want := listAll(&awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("/ir/"), MaxItems: aws.Int32(1)}), []string{"bravo", "delta", "echo"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ListInstanceProfiles /ir/ = %v, want %v", got, want)
	}
	first, err := e.iam.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{MaxItems: aws.Int32(4)})
	if err != nil || !first.IsTruncated || first.Marker == nil || len(first.InstanceProfiles) != 4 {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	_, err = e.iam.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{MaxItems: aws.Int32(0)})
	sdkError(t, err, "ValidationError", "")
	_, err = e.iam.ListInstanceProfiles(ctx, &awsiam.ListInstanceProfilesInput{PathPrefix: aws.String("ir")})
	sdkError(t, err, "ValidationError", "")

	var forRole []string
	for pg := awsiam.NewListInstanceProfilesForRolePaginator(e.iam, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("shared"), MaxItems: aws.Int32(1)}); pg.HasMorePages(); {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.InstanceProfiles) != 1 {
			t.Fatalf("page of %d profiles", len(out.InstanceProfiles))
		}
		forRole = append(forRole, aws.ToString(out.InstanceProfiles[0].InstanceProfileName))
	}
	if want := []string{"bravo", "delta", "echo"}; !reflect.DeepEqual(forRole, want) {
		t.Errorf("ListInstanceProfilesForRole = %v, want %v", forRole, want)
	}
}

func TestSDKInstanceProfileTags(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	e.createProfile(ctx, "web", "")
	tag := func(k, v string) iamtypes.Tag { return iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)} }
	if _, err := e.iam.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []iamtypes.Tag{tag("case", "IR-1"), tag("env", "lab")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: []iamtypes.Tag{tag("CASE", "IR-2")}}); err != nil {
		t.Fatal(err)
	}
	tags := func() string {
		t.Helper()
		out, err := e.iam.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("web")})
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, tg := range out.Tags {
			parts = append(parts, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return strings.Join(parts, ",")
	}
	if got := tags(); got != "CASE=IR-2,env=lab" {
		t.Errorf("tags after TagInstanceProfile = %s", got)
	}
	if _, err := e.iam.UntagInstanceProfile(ctx, &awsiam.UntagInstanceProfileInput{InstanceProfileName: aws.String("web"), TagKeys: []string{"case"}}); err != nil {
		t.Fatal(err)
	}
	if got := tags(); got != "env=lab" {
		t.Errorf("tags after UntagInstanceProfile = %s", got)
	}
	_, err := e.iam.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("nope"), Tags: []iamtypes.Tag{tag("a", "b")}})
	sdkError(t, err, "NoSuchEntity", "Instance Profile nope cannot be found.")
	_, err = e.iam.ListInstanceProfileTags(ctx, &awsiam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nope")})
	sdkError(t, err, "NoSuchEntity", "Instance Profile nope cannot be found.")
	var many []iamtypes.Tag
	for i := 0; i < 50; i++ {
		many = append(many, tag(fmt.Sprintf("k%d", i), "v"))
	}
	_, err = e.iam.TagInstanceProfile(ctx, &awsiam.TagInstanceProfileInput{InstanceProfileName: aws.String("web"), Tags: many})
	sdkError(t, err, "LimitExceeded", "")
}

// TestSDKInstanceProfileAuthorization checks the resources the actions are
// authorised on, and that adding a role to a profile needs iam:PassRole on
// the role.
func TestSDKInstanceProfileAuthorization(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	e.createRole(ctx, "admin-role", "/")
	e.createProfile(ctx, "web", "/ir/")
	const noPassRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:AddRoleToInstanceProfile","iam:GetInstanceProfile"],"Resource":"arn:aws:iam::999999999999:instance-profile/ir/*"}]}`
	user, _, _ := e.userClients(ctx, "attacker", noPassRole)

	_, err := user.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("x"), Path: aws.String("/ir/")})
	sdkError(t, err, "AccessDenied", "User: arn:aws:iam::999999999999:user/attacker is not authorized to perform: iam:CreateInstanceProfile on resource: arn:aws:iam::999999999999:instance-profile/ir/x because no identity-based policy allows the iam:CreateInstanceProfile action")
	if _, err := user.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")}); err != nil {
		t.Fatalf("GetInstanceProfile on an allowed path: %v", err)
	}
	_, err = user.GetInstanceProfile(ctx, &awsiam.GetInstanceProfileInput{InstanceProfileName: aws.String("missing")})
	sdkError(t, err, "AccessDenied", "User: arn:aws:iam::999999999999:user/attacker is not authorized to perform: iam:GetInstanceProfile on resource: arn:aws:iam::999999999999:instance-profile/missing because no identity-based policy allows the iam:GetInstanceProfile action")
	_, err = user.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("admin-role")})
	sdkError(t, err, "AccessDenied", "User: arn:aws:iam::999999999999:user/attacker is not authorized to perform: iam:PassRole on resource: arn:aws:iam::999999999999:role/admin-role because no identity-based policy allows the iam:PassRole action")
	_, err = user.ListInstanceProfilesForRole(ctx, &awsiam.ListInstanceProfilesForRoleInput{RoleName: aws.String("admin-role")})
	sdkError(t, err, "AccessDenied", "User: arn:aws:iam::999999999999:user/attacker is not authorized to perform: iam:ListInstanceProfilesForRole on resource: arn:aws:iam::999999999999:role/admin-role because no identity-based policy allows the iam:ListInstanceProfilesForRole action")

	const passRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::999999999999:role/admin-role"}]}`
	if _, err := e.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("attacker"), PolicyName: aws.String("pass"), PolicyDocument: aws.String(passRole)}); err != nil {
		t.Fatal(err)
	}
	if _, err := user.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("admin-role")}); err != nil {
		t.Fatalf("AddRoleToInstanceProfile with PassRole: %v", err)
	}
}
