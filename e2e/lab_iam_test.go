package e2e

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

type accessKey struct {
	AccessKey struct {
		UserName, AccessKeyId, Status, SecretAccessKey, CreateDate string
	}
}

func (k accessKey) creds() Credentials {
	return Credentials{AccessKeyID: k.AccessKey.AccessKeyId, SecretAccessKey: k.AccessKey.SecretAccessKey}
}

const denyAll = `{ "Statement": [ { "Effect": "Deny", "Action": "*", "Resource": "*" } ] }`

// The lab "Incident Response with AWS Console and CLI", §2.3–2.5: list
// principals, block a role, a user and a group with an inline DenyAll, and
// unblock them with delete-*-policy.
var _ = Describe("the lab's block and unblock of IAM principals", Ordered, labelSandboxServer, func() {
	var denyUser CLI

	It("creates the group, user and role as the lab does", func() {
		var group struct {
			Group struct{ GroupName, Arn, Path string }
		}
		admin().MustJSON(&group, "iam", "create-group", "--group-name", "DenyGroup")
		Expect(group.Group.GroupName).To(Equal("DenyGroup"))
		Expect(group.Group.Arn).To(Equal("arn:aws:iam::999999999999:group/DenyGroup"))

		var user struct {
			User struct{ UserName, Arn, UserId string }
		}
		admin().MustJSON(&user, "iam", "create-user", "--user-name", "DenyUser")
		Expect(user.User.Arn).To(Equal("arn:aws:iam::999999999999:user/DenyUser"))
		Expect(user.User.UserId).To(HavePrefix("AIDA"))

		Expect(admin().MustSucceed("iam", "add-user-to-group", "--user-name", "DenyUser", "--group-name", "DenyGroup")).To(BeEmpty())

		var role struct {
			Role struct{ RoleName, Arn, RoleId string }
		}
		admin().MustJSON(&role, "iam", "create-role", "--role-name", "denyrole", "--assume-role-policy-document", "file://testdata/denypolicy.json")
		Expect(role.Role.Arn).To(Equal("arn:aws:iam::999999999999:role/denyrole"))
		Expect(role.Role.RoleId).To(HavePrefix("AROA"))
	})

	It("lists roles, users and groups in the lab's table form", func() {
		roles := admin().Shell("aws iam list-roles --output table --query 'Roles[*].RoleName'")
		Expect(roles.ExitCode).To(Equal(0), roles.Stderr)
		Expect(roles.Stdout).To(ContainSubstring("ListRoles"))
		Expect(roles.Stdout).To(ContainSubstring("denyrole"))

		users := admin().Shell("aws iam list-users --output table --query 'Users[*].UserName'")
		Expect(users.ExitCode).To(Equal(0), users.Stderr)
		Expect(users.Stdout).To(ContainSubstring("DenyUser"))
		Expect(users.Stdout).To(ContainSubstring("admin"))

		groups := admin().Shell("aws iam list-groups --output table --query 'Groups[*].GroupName'")
		Expect(groups.ExitCode).To(Equal(0), groups.Stderr)
		Expect(groups.Stdout).To(ContainSubstring("DenyGroup"))

		var full struct {
			Roles []struct{ RoleName, AssumeRolePolicyDocument any }
		}
		admin().MustJSON(&full, "iam", "list-roles")
		Expect(full.Roles).NotTo(BeEmpty())
	})

	It("gives DenyUser read-only access through its group and a key", func() {
		admin().MustSucceed("iam", "attach-group-policy", "--group-name", "DenyGroup", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
		var key accessKey
		admin().MustJSON(&key, "iam", "create-access-key", "--user-name", "DenyUser")
		Expect(key.AccessKey.AccessKeyId).To(HavePrefix("AKIA"))
		Expect(key.AccessKey.SecretAccessKey).To(HaveLen(40))
		denyUser = CLI{Target: server, Creds: key.creds()}
		denyUser.MustSucceed("iam", "list-users")
		denyUser.MustSucceed("ec2", "describe-instances")
		denyUser.MustFail("AccessDenied", "iam", "create-user", "--user-name", "escalation")
	})

	It("blocks and unblocks a user", func() {
		Expect(admin().MustSucceed("iam", "put-user-policy", "--user-name", "DenyUser", "--policy-name", "DenyAll", "--policy-document", denyAll)).To(BeEmpty())
		msg := denyUser.MustFail("AccessDenied", "iam", "list-users")
		Expect(msg).To(ContainSubstring("User: arn:aws:iam::999999999999:user/DenyUser is not authorized to perform: iam:ListUsers"))
		Expect(msg).To(ContainSubstring("explicit deny"))
		denyUser.MustFail("UnauthorizedOperation", "ec2", "describe-instances")

		Expect(admin().MustSucceed("iam", "delete-user-policy", "--user-name", "DenyUser", "--policy-name", "DenyAll")).To(BeEmpty())
		denyUser.MustSucceed("iam", "list-users")
	})

	It("blocks and unblocks a group", func() {
		admin().MustSucceed("iam", "put-group-policy", "--group-name", "DenyGroup", "--policy-name", "DenyAll", "--policy-document", denyAll)
		denyUser.MustFail("AccessDenied", "iam", "list-users")
		admin().MustSucceed("iam", "delete-group-policy", "--group-name", "DenyGroup", "--policy-name", "DenyAll")
		denyUser.MustSucceed("iam", "list-users")
	})

	It("enforces the role's trust policy on AssumeRole", func() {
		msg := admin().MustFail("AccessDenied", "sts", "assume-role", "--role-arn", "arn:aws:iam::999999999999:role/denyrole", "--role-session-name", "responder")
		Expect(msg).To(ContainSubstring("sts:AssumeRole"))
	})

	It("blocks and unblocks a role", func() {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","AWS":"arn:aws:iam::999999999999:user/admin"},"Action":"sts:AssumeRole"}]}`
		admin().MustSucceed("iam", "update-assume-role-policy", "--role-name", "denyrole", "--policy-document", trust)
		admin().MustSucceed("iam", "attach-role-policy", "--role-name", "denyrole", "--policy-arn", "arn:aws:iam::aws:policy/ReadOnlyAccess")
		var assumed struct {
			Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
			AssumedRoleUser struct{ AssumedRoleId, Arn string }
		}
		admin().MustJSON(&assumed, "sts", "assume-role", "--role-arn", "arn:aws:iam::999999999999:role/denyrole", "--role-session-name", "responder")
		Expect(assumed.Credentials.AccessKeyId).To(HavePrefix("ASIA"))
		Expect(assumed.AssumedRoleUser.Arn).To(Equal("arn:aws:sts::999999999999:assumed-role/denyrole/responder"))
		role := CLI{Target: server, Creds: Credentials{
			AccessKeyID:     assumed.Credentials.AccessKeyId,
			SecretAccessKey: assumed.Credentials.SecretAccessKey,
			SessionToken:    assumed.Credentials.SessionToken,
		}}
		var id struct{ Arn string }
		role.MustJSON(&id, "sts", "get-caller-identity")
		Expect(id.Arn).To(Equal(assumed.AssumedRoleUser.Arn))
		role.MustSucceed("iam", "list-roles")

		admin().MustSucceed("iam", "put-role-policy", "--role-name", "denyrole", "--policy-name", "DenyAll", "--policy-document", denyAll)
		msg := role.MustFail("AccessDenied", "iam", "list-roles")
		Expect(msg).To(ContainSubstring("assumed-role/denyrole/responder"))
		admin().MustSucceed("iam", "delete-role-policy", "--role-name", "denyrole", "--policy-name", "DenyAll")
		role.MustSucceed("iam", "list-roles")
	})

	It("refuses a malformed policy document instead of allowing", func() {
		msg := admin().MustFail("MalformedPolicyDocument", "iam", "put-user-policy", "--user-name", "DenyUser", "--policy-name", "Odd",
			"--policy-document", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsSometimes":{"aws:username":"x"}}}]}`)
		Expect(strings.ToLower(msg)).To(ContainSubstring("condition"))
	})
})
