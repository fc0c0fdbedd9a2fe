package iampolicy

import "testing"

// A typical sandbox caller: a user with a handful of policies, some with
// conditions and variables, making a request none of them explicitly denies.
func BenchmarkEvaluateFivePolicies(b *testing.B) {
	docs := []string{
		ec2DescribeOnly,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:*AccessKey*","iam:ListMFADevices"],"Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-01T12:00:00Z"}}},{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:Describe*","logs:Get*","logs:FilterLogEvents","cloudtrail:LookupEvents"],"Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},"Bool":{"aws:ViaAWSService":"false"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*Instances","Resource":"arn:aws:ec2:*:*:instance/*","Condition":{"StringLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/pipeline"}}}]}`,
	}
	policies := make([]*Policy, len(docs))
	for i, d := range docs {
		policies[i] = mustParse(b, d, IdentityPolicy)
	}
	req := Request{
		Action:    "ec2:StopInstances",
		Resource:  "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc",
		Principal: &Principal{Type: "AWS", ARN: "arn:aws:iam::123456789012:user/pipeline", Account: "123456789012"},
		Context: map[string][]string{
			"aws:username": {"pipeline"}, "aws:userid": {"AIDAEXAMPLE"}, "aws:PrincipalAccount": {"123456789012"},
			"aws:PrincipalArn": {"arn:aws:iam::123456789012:user/pipeline"}, "aws:PrincipalType": {"User"},
			"aws:SourceIp": {"203.0.113.7"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"true"},
			"aws:CurrentTime": {"2026-03-02T10:00:00Z"}, "aws:EpochTime": {"1772445600"}, "aws:ViaAWSService": {"false"},
			"aws:MultiFactorAuthPresent": {"false"}, "aws:UserAgent": {"aws-cli/2.15.0"},
		},
	}
	if got := Evaluate(req, policies...); got != Allow {
		b.Fatalf("setup: got %v, want Allow", got)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Evaluate(req, policies...)
	}
}
