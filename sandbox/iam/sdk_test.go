package iam_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// sdkEnv is a running sandbox and the admin's SDK clients.
type sdkEnv struct {
	t     *testing.T
	sb    *sandbox.Sandbox
	clock *fakeClock
	iam   *awsiam.Client
	sts   *sts.Client
}

func newSDKEnv(t *testing.T) *sdkEnv {
	t.Helper()
	clock := newFakeClock()
	sb := sandboxtest.Start(t, func(o *sandbox.Options) { o.Clock = clock.Now })
	e := &sdkEnv{t: t, sb: sb, clock: clock}
	e.iam, e.sts = e.clients(sb.AdminCredentials)
	return e
}

func (e *sdkEnv) clients(creds aws.Credentials) (*awsiam.Client, *sts.Client) {
	cfg := sandboxtest.AWSConfig(e.t, e.sb, creds)
	return awsiam.NewFromConfig(cfg), sts.NewFromConfig(cfg)
}

// userClients creates a user with an inline policy (if any) and a key, and
// returns clients signing with that key.
func (e *sdkEnv) userClients(ctx context.Context, name, policy string) (*awsiam.Client, *sts.Client, string) {
	e.t.Helper()
	if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		e.t.Fatal(err)
	}
	if policy != "" {
		if _, err := e.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			e.t.Fatal(err)
		}
	}
	key, err := e.iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		e.t.Fatal(err)
	}
	i, s := e.clients(aws.Credentials{AccessKeyID: *key.AccessKey.AccessKeyId, SecretAccessKey: *key.AccessKey.SecretAccessKey})
	return i, s, *key.AccessKey.AccessKeyId
}

func sdkError(t *testing.T, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("got %v, want API error %s", err, code)
	}
	if apiErr.ErrorCode() != code || (message != "" && apiErr.ErrorMessage() != message) {
		t.Fatalf("got %s %q, want %s %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, message)
	}
}

func TestSDKDescribeOnlyUserAndContainment(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	analyst, _, _ := e.userClients(ctx, "analyst", describeOnly)
	_, err := analyst.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("backdoor")})
	sdkError(t, err, "AccessDenied", "User: arn:aws:iam::999999999999:user/analyst is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::999999999999:user/backdoor because no identity-based policy allows the iam:CreateUser action")

	pipeline, pipelineSTS, key := e.userClients(ctx, "pipeline", iamFullAccess)
	if _, err := pipeline.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("pipeline before containment: %v", err)
	}
	pol, err := e.iam.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("iam-containment-policy"), PolicyDocument: aws.String(containmentDoc)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("pipeline"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.ListUsers(ctx, &awsiam.ListUsersInput{})
	sdkError(t, err, "AccessDenied", "User: arn:aws:iam::999999999999:user/pipeline is not authorized to perform: iam:ListUsers on resource: * with an explicit deny in an identity-based policy")
	// GetCallerIdentity still answers under an explicit deny.
	id, err := pipelineSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::999999999999:user/pipeline" || *id.Account != "999999999999" {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}

	// Key states.
	if _, err := e.iam.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("pipeline"), AccessKeyId: aws.String(key), Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	_, err = pipelineSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	sdkError(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
	if _, err := e.iam.UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("pipeline"), AccessKeyId: aws.String(key), Status: iamtypes.StatusTypeActive}); err != nil {
		t.Fatal(err)
	}
	if _, err := pipelineSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("reactivated key: %v", err)
	}
	if _, err := e.iam.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("pipeline"), AccessKeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	_, err = pipelineSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	sdkError(t, err, "InvalidClientTokenId", "")
}

func TestSDKPlaybookEradication(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	_, _, key := e.userClients(ctx, "pipeline", "")
	pol, err := e.iam.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("iam-containment-policy"), PolicyDocument: aws.String(containmentDoc)})
	if err != nil {
		t.Fatal(err)
	}
	if *pol.Policy.DefaultVersionId != "v1" || !pol.Policy.IsAttachable || pol.Policy.CreateDate.IsZero() {
		t.Errorf("CreatePolicy = %+v", pol.Policy)
	}
	if _, err := e.iam.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("pipeline"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	attached, err := e.iam.ListAttachedUserPolicies(ctx, &awsiam.ListAttachedUserPoliciesInput{UserName: aws.String("pipeline")})
	if err != nil || len(attached.AttachedPolicies) != 1 || *attached.AttachedPolicies[0].PolicyName != "iam-containment-policy" {
		t.Fatalf("ListAttachedUserPolicies = %+v, %v", attached, err)
	}
	_, err = e.iam.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("pipeline")})
	var conflict *iamtypes.DeleteConflictException
	if !errors.As(err, &conflict) || conflict.ErrorMessage() != "Cannot delete entity, must delete access keys first." {
		t.Fatalf("DeleteUser with a key: %v", err)
	}
	if _, err := e.iam.DeleteAccessKey(ctx, &awsiam.DeleteAccessKeyInput{UserName: aws.String("pipeline"), AccessKeyId: aws.String(key)}); err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("pipeline")})
	if !errors.As(err, &conflict) || conflict.ErrorMessage() != "Cannot delete entity, must detach all policies first." {
		t.Fatalf("DeleteUser with a policy: %v", err)
	}
	if _, err := e.iam.DetachUserPolicy(ctx, &awsiam.DetachUserPolicyInput{UserName: aws.String("pipeline"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.DeleteUser(ctx, &awsiam.DeleteUserInput{UserName: aws.String("pipeline")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("pipeline")})
	var missing *iamtypes.NoSuchEntityException
	if !errors.As(err, &missing) || missing.ErrorMessage() != "The user with name pipeline cannot be found." {
		t.Fatalf("GetUser after deletion: %v", err)
	}
}

func TestSDKLabDenyAll(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	user, userSTS, _ := e.userClients(ctx, "DenyUser", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","sts:AssumeRole"],"Resource":"*"}]}`)
	if _, err := e.iam.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("DenyGroup")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.iam.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("DenyGroup"), UserName: aws.String("DenyUser")}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:user/DenyUser"},"Action":"sts:AssumeRole"}]}`
	role, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("denyrole"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(*role.Role.AssumeRolePolicyDocument); doc != trust {
		t.Errorf("CreateRole trust document = %q", doc)
	}
	if _, err := e.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("denyrole"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	assumed, err := userSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: role.Role.Arn, RoleSessionName: aws.String("drill")})
	if err != nil {
		t.Fatal(err)
	}
	session, sessionSTS := e.clients(aws.Credentials{AccessKeyID: *assumed.Credentials.AccessKeyId, SecretAccessKey: *assumed.Credentials.SecretAccessKey, SessionToken: *assumed.Credentials.SessionToken})
	id, err := sessionSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:sts::999999999999:assumed-role/denyrole/drill" || *id.UserId != *assumed.AssumedRoleUser.AssumedRoleId {
		t.Fatalf("GetCallerIdentity as role = %+v, %v", id, err)
	}

	tests := []struct {
		kind   string
		client *awsiam.Client
		put    func() error
		del    func() error
	}{
		{"user", user,
			func() error {
				_, err := e.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("DenyUser"), PolicyName: aws.String("DenyAll"), PolicyDocument: aws.String(denyAll)})
				return err
			},
			func() error {
				_, err := e.iam.DeleteUserPolicy(ctx, &awsiam.DeleteUserPolicyInput{UserName: aws.String("DenyUser"), PolicyName: aws.String("DenyAll")})
				return err
			}},
		{"group", user,
			func() error {
				_, err := e.iam.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("DenyGroup"), PolicyName: aws.String("DenyAll"), PolicyDocument: aws.String(denyAll)})
				return err
			},
			func() error {
				_, err := e.iam.DeleteGroupPolicy(ctx, &awsiam.DeleteGroupPolicyInput{GroupName: aws.String("DenyGroup"), PolicyName: aws.String("DenyAll")})
				return err
			}},
		{"role", session,
			func() error {
				_, err := e.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("denyrole"), PolicyName: aws.String("DenyAll"), PolicyDocument: aws.String(denyAll)})
				return err
			},
			func() error {
				_, err := e.iam.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("denyrole"), PolicyName: aws.String("DenyAll")})
				return err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			if _, err := tc.client.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
				t.Fatalf("before DenyAll: %v", err)
			}
			if err := tc.put(); err != nil {
				t.Fatal(err)
			}
			_, err := tc.client.ListRoles(ctx, &awsiam.ListRolesInput{})
			sdkError(t, err, "AccessDenied", "")
			if err := tc.del(); err != nil {
				t.Fatal(err)
			}
			if _, err := tc.client.ListRoles(ctx, &awsiam.ListRolesInput{}); err != nil {
				t.Fatalf("after DenyAll deleted: %v", err)
			}
		})
	}
}

func TestSDKAssumeRoleTrustAndExpiry(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	_, allowedSTS, _ := e.userClients(ctx, "responder", allowAssumeAny)
	_, otherSTS, _ := e.userClients(ctx, "intruder", allowAssumeAny)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:user/responder"},"Action":"sts:AssumeRole"}]}`
	for name, doc := range map[string]string{"SecurityBreakGlassRole": trust, "ec2role": ec2Trust} {
		if _, err := e.iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := otherSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::999999999999:role/SecurityBreakGlassRole"), RoleSessionName: aws.String("x1")})
	sdkError(t, err, "AccessDenied", "User: arn:aws:iam::999999999999:user/intruder is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::999999999999:role/SecurityBreakGlassRole")
	_, err = allowedSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::999999999999:role/ec2role"), RoleSessionName: aws.String("x1")})
	sdkError(t, err, "AccessDenied", "")

	out, err := allowedSTS.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::999999999999:role/SecurityBreakGlassRole"), RoleSessionName: aws.String("responder"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(15 * time.Minute); !out.Credentials.Expiration.Equal(want) {
		t.Errorf("expiration %v, want %v", out.Credentials.Expiration, want)
	}
	_, sessionSTS := e.clients(aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: *out.Credentials.SessionToken})
	if _, err := sessionSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	// A wrong session token is rejected like an unknown key.
	_, badToken := e.clients(aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey, SessionToken: "IQoJb3JpZ2luX2VjEOTHER"})
	_, err = badToken.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	sdkError(t, err, "InvalidClientTokenId", "")
	e.clock.Advance(15 * time.Minute)
	_, err = sessionSTS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	sdkError(t, err, "ExpiredToken", "The security token included in the request is expired")
}

const allowAssumeAny = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

func TestSDKReadOperations(t *testing.T) {
	ctx := context.Background()
	e := newSDKEnv(t)
	if _, err := e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("pipeline"), Path: aws.String("/ci/"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("build")}}}); err != nil {
		t.Fatal(err)
	}
	got, err := e.iam.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("pipeline")})
	if err != nil || *got.User.Arn != "arn:aws:iam::999999999999:user/ci/pipeline" || !got.User.CreateDate.Equal(e.clock.Now()) || len(got.User.Tags) != 1 {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	self, err := e.iam.GetUser(ctx, &awsiam.GetUserInput{})
	if err != nil || *self.User.UserName != sandbox.DefaultAdminUserName {
		t.Fatalf("GetUser without name = %+v, %v", self, err)
	}
	paginator := awsiam.NewListUsersPaginator(e.iam, &awsiam.ListUsersInput{MaxItems: aws.Int32(1)})
	var names []string
	for paginator.HasMorePages() {
		page, err := paginator.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			names = append(names, *u.UserName)
		}
	}
	if len(names) != 2 || names[0] != "admin" || names[1] != "pipeline" {
		t.Errorf("paginated users = %v", names)
	}
	if _, err := e.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("pipeline"), PolicyName: aws.String("DenyAll"), PolicyDocument: aws.String(denyAll)}); err != nil {
		t.Fatal(err)
	}
	pol, err := e.iam.GetUserPolicy(ctx, &awsiam.GetUserPolicyInput{UserName: aws.String("pipeline"), PolicyName: aws.String("DenyAll")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(*pol.PolicyDocument); doc != denyAll {
		t.Errorf("GetUserPolicy document = %q", doc)
	}
	_, err = e.iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("pipeline"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":`)})
	var malformed *iamtypes.MalformedPolicyDocumentException
	if !errors.As(err, &malformed) {
		t.Errorf("malformed document: %v", err)
	}
	aws_, err := e.iam.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeAws, OnlyAttached: true})
	if err != nil || len(aws_.Policies) != 1 || *aws_.Policies[0].Arn != "arn:aws:iam::aws:policy/AdministratorAccess" || *aws_.Policies[0].AttachmentCount != 1 {
		t.Fatalf("ListPolicies AWS attached = %+v, %v", aws_, err)
	}
	groups, err := e.iam.ListGroups(ctx, &awsiam.ListGroupsInput{})
	if err != nil || len(groups.Groups) != 0 || groups.IsTruncated {
		t.Errorf("ListGroups = %+v, %v", groups, err)
	}
	for i := 0; i < 2; i++ {
		_, err = e.iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("pipeline")})
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("pipeline")})
	var limit *iamtypes.LimitExceededException
	if !errors.As(err, &limit) || limit.ErrorMessage() != "Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Errorf("third key: %v", err)
	}
	_, err = e.iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("pipeline")})
	var exists *iamtypes.EntityAlreadyExistsException
	if !errors.As(err, &exists) || exists.ErrorMessage() != "User with name pipeline already exists." {
		t.Errorf("duplicate user: %v", err)
	}
}
