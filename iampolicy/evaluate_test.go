package iampolicy

import (
	"testing"
)

const (
	containmentPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"IamPolicyForContainment","Action":"*","Effect":"Deny","Resource":"*"}]}`
	labDenyAll        = `{ "Statement": [ { "Effect": "Deny", "Action": "*", "Resource": "*" } ] }`
	ec2DescribeOnly   = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}}`
	pipelineEC2All    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
	adminAll          = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
)

func mustParse(t testing.TB, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v (location %q)", doc, err, locationOf(err))
	}
	return p
}

func locationOf(err error) string {
	if m, ok := err.(*MalformedPolicyError); ok {
		return m.Location
	}
	return ""
}

func TestEvaluatePlaybookPolicies(t *testing.T) {
	actions := []string{"ec2:RunInstances", "ec2:DescribeInstances", "iam:CreateAccessKey", "sts:GetCallerIdentity", "s3:GetObject", "guardduty:ListFindings"}
	for _, doc := range []string{containmentPolicy, labDenyAll} {
		deny := mustParse(t, doc, IdentityPolicy)
		for _, base := range []string{adminAll, pipelineEC2All} {
			allow := mustParse(t, base, IdentityPolicy)
			for _, a := range actions {
				req := Request{Action: a, Resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"}
				if got := Evaluate(req, allow, deny); got != ExplicitDeny {
					t.Errorf("%s with %s: got %v, want ExplicitDeny", a, doc, got)
				}
				// Order of policies must not matter.
				if got := Evaluate(req, deny, allow); got != ExplicitDeny {
					t.Errorf("%s with %s first: got %v, want ExplicitDeny", a, doc, got)
				}
			}
		}
	}
}

func TestEvaluateDescribeOnlyUser(t *testing.T) {
	p := mustParse(t, ec2DescribeOnly, IdentityPolicy)
	tests := []struct {
		action string
		want   Decision
	}{
		{"ec2:DescribeInstances", Allow},
		{"ec2:describeinstances", Allow},
		{"EC2:DescribeSecurityGroups", Allow},
		{"ec2:RunInstances", ImplicitDeny},
		{"ec2:StopInstances", ImplicitDeny},
		{"ec2:Describe", Allow},
		{"ec2:Describ", ImplicitDeny},
		{"iam:DescribeInstances", ImplicitDeny},
	}
	for _, tt := range tests {
		if got := Evaluate(Request{Action: tt.action, Resource: "*"}, p); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.action, got, tt.want)
		}
	}
	if got := Evaluate(Request{Action: "ec2:DescribeInstances", Resource: "*"}); got != ImplicitDeny {
		t.Errorf("no policies: got %v", got)
	}
	if got := Evaluate(Request{Action: "ec2:DescribeInstances", Resource: "*"}, nil, p); got != Allow {
		t.Errorf("nil policy must be skipped: got %v", got)
	}
}

func TestEvaluateElements(t *testing.T) {
	const instance = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"
	tests := []struct {
		name     string
		doc      string
		action   string
		resource string
		want     Decision
	}{
		{"NotAction allows others", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "ec2:RunInstances", "*", Allow},
		{"NotAction excludes listed", `{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`, "iam:CreateUser", "*", ImplicitDeny},
		{"NotAction deny", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["ec2:Describe*","sts:GetCallerIdentity"],"Resource":"*"}]}`, "ec2:TerminateInstances", "*", ExplicitDeny},
		{"NotAction deny spares listed", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":["ec2:Describe*","sts:GetCallerIdentity"],"Resource":"*"}]}`, "sts:GetCallerIdentity", "*", Allow},
		{"NotResource allows others", `{"Statement":{"Effect":"Allow","Action":"ec2:*","NotResource":"arn:aws:ec2:*:*:instance/i-0abc"}}`, "ec2:StopInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-0def", Allow},
		{"NotResource excludes listed", `{"Statement":{"Effect":"Allow","Action":"ec2:*","NotResource":"arn:aws:ec2:*:*:instance/i-0abc"}}`, "ec2:StopInstances", instance, ImplicitDeny},
		{"resource exact", `{"Statement":{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"` + instance + `"}}`, "ec2:StopInstances", instance, Allow},
		{"resource exact other", `{"Statement":{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"` + instance + `"}}`, "ec2:StopInstances", instance + "x", ImplicitDeny},
		{"resource star spans colons", `{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*"}}`, "ec2:StopInstances", instance, Allow},
		{"resource question mark", `{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-?:123456789012:instance/*"}}`, "ec2:StopInstances", instance, Allow},
		{"resource question mark needs a char", `{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1?:123456789012:instance/*"}}`, "ec2:StopInstances", instance, ImplicitDeny},
		{"resource case-sensitive", `{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*:*:instance/I-0ABC"}}`, "ec2:StopInstances", instance, ImplicitDeny},
		{"resource list", `{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":["arn:aws:s3:::b","arn:aws:ec2:*:*:instance/*"]}}`, "ec2:StopInstances", instance, Allow},
		{"action list", `{"Statement":{"Effect":"Allow","Action":["ec2:StartInstances","ec2:StopInstances"],"Resource":"*"}}`, "ec2:stopinstances", "*", Allow},
		{"action question mark", `{"Statement":{"Effect":"Allow","Action":"ec2:?topInstances","Resource":"*"}}`, "ec2:StopInstances", "*", Allow},
		{"action middle star", `{"Statement":{"Effect":"Allow","Action":"ec2:*Instances","Resource":"*"}}`, "ec2:DescribeInstanceStatus", "*", ImplicitDeny},
		{"action middle star matches", `{"Statement":{"Effect":"Allow","Action":"ec2:*Instance*","Resource":"*"}}`, "ec2:DescribeInstanceStatus", "*", Allow},
		{"action star does not cross service", `{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`, "ec2messages:GetMessages", "*", ImplicitDeny},
		{"deny wins in same policy", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}`, "ec2:TerminateInstances", instance, ExplicitDeny},
		{"deny of other action leaves allow", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}`, "ec2:StopInstances", instance, Allow},
		{"legacy version keeps variables literal", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:user/${aws:username}"}}`, "iam:GetUser", "arn:aws:iam::123456789012:user/${aws:username}", Allow},
		{"legacy version star in braces is a wildcard", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:user/${*}"}}`, "iam:GetUser", "arn:aws:iam::123456789012:user/${alice}", Allow},
		{"escaped star is literal", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}"}}`, "s3:GetObject", "arn:aws:s3:::b/anything", ImplicitDeny},
		{"escaped star matches star", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}${?}${$}"}}`, "s3:GetObject", "arn:aws:s3:::b/*?$", Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.doc, IdentityPolicy)
			if got := Evaluate(Request{Action: tt.action, Resource: tt.resource}, p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluatePolicyVariables(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"},
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:userid, 'nobody'}/*"},
		{"Effect":"Allow","Action":"ec2:StopInstances","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}}}]}`
	p := mustParse(t, doc, IdentityPolicy)
	alice := map[string][]string{"aws:username": {"alice"}, "aws:PrincipalAccount": {"123456789012"}, "aws:userid": {"AIDAALICE"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:user/alice"}}
	role := map[string][]string{"aws:PrincipalAccount": {"123456789012"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:role/R"}}
	tests := []struct {
		name     string
		action   string
		resource string
		ctx      map[string][]string
		want     Decision
	}{
		{"own user", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/alice", alice, Allow},
		{"other user", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/bob", alice, ImplicitDeny},
		{"other account", "iam:CreateAccessKey", "arn:aws:iam::210987654321:user/alice", alice, ImplicitDeny},
		{"value is not a wildcard", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/alice", map[string][]string{"aws:username": {"*"}, "aws:PrincipalAccount": {"123456789012"}}, ImplicitDeny},
		{"no username: no match", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/", role, ImplicitDeny},
		{"default used when absent", "s3:GetObject", "arn:aws:s3:::home/nobody/x", role, Allow},
		{"value used when present", "s3:GetObject", "arn:aws:s3:::home/AIDAALICE/x", alice, Allow},
		{"default not used when present", "s3:GetObject", "arn:aws:s3:::home/nobody/x", alice, ImplicitDeny},
		{"case-insensitive context keys", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/alice", map[string][]string{"AWS:USERNAME": {"alice"}, "aws:principalaccount": {"123456789012"}}, Allow},
		{"multi-valued variable does not substitute", "iam:CreateAccessKey", "arn:aws:iam::123456789012:user/alice", map[string][]string{"aws:username": {"alice", "bob"}, "aws:PrincipalAccount": {"123456789012"}}, ImplicitDeny},
		{"variable in condition value", "ec2:StopInstances", "*", alice, Allow},
		{"variable in condition value mismatched", "ec2:StopInstances", "*", map[string][]string{"aws:username": {"bob"}, "aws:PrincipalAccount": {"123456789012"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:user/alice"}}, ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Evaluate(Request{Action: tt.action, Resource: tt.resource, Context: tt.ctx}, p); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{ImplicitDeny: "ImplicitDeny", Allow: "Allow", ExplicitDeny: "ExplicitDeny", Decision(7): "Decision(7)"} {
		if got := d.String(); got != want {
			t.Errorf("%d: got %q, want %q", int(d), got, want)
		}
	}
}
