package iampolicy

import (
	"fmt"
	"strings"
	"testing"
)

// condPolicy builds an Allow-everything policy gated by one condition block.
func condPolicy(t *testing.T, block string) *Policy {
	t.Helper()
	return mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":`+block+`}}`, IdentityPolicy)
}

type ctx = map[string][]string

func TestConditionOperators(t *testing.T) {
	tests := []struct {
		name  string
		block string
		ctx   ctx
		want  bool
	}{
		// String
		{"StringEquals match", `{"StringEquals":{"aws:username":"alice"}}`, ctx{"aws:username": {"alice"}}, true},
		{"StringEquals case-sensitive", `{"StringEquals":{"aws:username":"alice"}}`, ctx{"aws:username": {"Alice"}}, false},
		{"StringEquals any of values", `{"StringEquals":{"aws:username":["bob","alice"]}}`, ctx{"aws:username": {"alice"}}, true},
		{"StringEquals no wildcard", `{"StringEquals":{"aws:username":"a*"}}`, ctx{"aws:username": {"alice"}}, false},
		{"StringEquals absent", `{"StringEquals":{"aws:username":"alice"}}`, ctx{}, false},
		{"StringNotEquals other", `{"StringNotEquals":{"aws:username":"alice"}}`, ctx{"aws:username": {"bob"}}, true},
		{"StringNotEquals same", `{"StringNotEquals":{"aws:username":"alice"}}`, ctx{"aws:username": {"alice"}}, false},
		{"StringNotEquals NOR", `{"StringNotEquals":{"aws:username":["bob","alice"]}}`, ctx{"aws:username": {"alice"}}, false},
		{"StringNotEquals NOR none", `{"StringNotEquals":{"aws:username":["bob","carol"]}}`, ctx{"aws:username": {"alice"}}, true},
		{"StringNotEquals absent is true", `{"StringNotEquals":{"aws:username":"alice"}}`, ctx{}, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctx{"aws:username": {"alice"}}, true},
		{"StringEqualsIgnoreCase other", `{"StringEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctx{"aws:username": {"alicia"}}, false},
		{"StringNotEqualsIgnoreCase same", `{"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctx{"aws:username": {"alice"}}, false},
		{"StringNotEqualsIgnoreCase other", `{"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}}`, ctx{"aws:username": {"bob"}}, true},
		{"StringLike star", `{"StringLike":{"aws:UserAgent":"aws-cli/*"}}`, ctx{"aws:UserAgent": {"aws-cli/2.15.0 Python/3.11"}}, true},
		{"StringLike question", `{"StringLike":{"aws:username":"al?ce"}}`, ctx{"aws:username": {"alice"}}, true},
		{"StringLike mismatch", `{"StringLike":{"aws:UserAgent":"aws-cli/*"}}`, ctx{"aws:UserAgent": {"Boto3/1.34"}}, false},
		{"StringLike case-sensitive", `{"StringLike":{"aws:UserAgent":"AWS-CLI/*"}}`, ctx{"aws:UserAgent": {"aws-cli/2"}}, false},
		{"StringNotLike", `{"StringNotLike":{"aws:UserAgent":["aws-cli/*","Boto3/*"]}}`, ctx{"aws:UserAgent": {"curl/8"}}, true},
		{"StringNotLike matched", `{"StringNotLike":{"aws:UserAgent":["aws-cli/*","Boto3/*"]}}`, ctx{"aws:UserAgent": {"Boto3/1"}}, false},
		// ARN
		{"ArnEquals", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Admin"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Admin"}}, true},
		{"ArnEquals with wildcard", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/Admin"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Admin"}}, true},
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Security*"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/SecurityBreakGlassRole"}}, true},
		{"ArnLike star stays in its field", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/R"}}, false},
		{"ArnLike field wildcard", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:*"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/R"}}, true},
		{"ArnLike resource keeps colons", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:logs:*:*:log-group:*"}}`, ctx{"aws:PrincipalArn": {"arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"}}, true},
		{"ArnLike not an ARN", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"}}`, ctx{"aws:PrincipalArn": {"alice"}}, false},
		{"ArnLike lone star", `{"ArnLike":{"aws:PrincipalArn":"*"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/R"}}, true},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/Admin"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Other"}}, true},
		{"ArnNotLike matched", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}`, ctx{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/Other"}}, false},
		{"ArnNotLike absent", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/*"}}`, ctx{}, true},
		// Numeric
		{"NumericEquals", `{"NumericEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3600"}}, true},
		{"NumericEquals JSON number", `{"NumericEquals":{"aws:MultiFactorAuthAge":3600}}`, ctx{"aws:MultiFactorAuthAge": {"3600.0"}}, true},
		{"NumericNotEquals", `{"NumericNotEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3599"}}, true},
		{"NumericNotEquals same", `{"NumericNotEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3600"}}, false},
		{"NumericLessThan", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3599"}}, true},
		{"NumericLessThan equal", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3600"}}, false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3600"}}, true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3601"}}, true},
		{"NumericGreaterThan equal", `{"NumericGreaterThan":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3600"}}, false},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"3600"}}, true},
		{"Numeric bad request value", `{"NumericGreaterThanEquals":{"aws:MultiFactorAuthAge":"3600"}}`, ctx{"aws:MultiFactorAuthAge": {"lots"}}, false},
		{"Numeric bad policy value never matches", `{"NumericLessThan":{"aws:MultiFactorAuthAge":"soon"}}`, ctx{"aws:MultiFactorAuthAge": {"1"}}, false},
		// Date
		{"DateLessThan ISO", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2025-12-31T23:59:59Z"}}, true},
		{"DateLessThan ISO later", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}, false},
		{"DateLessThanEquals", `{"DateLessThanEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}, true},
		{"DateGreaterThan date only", `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01"}}`, ctx{"aws:CurrentTime": {"2026-01-01T00:00:01Z"}}, true},
		{"DateGreaterThanEquals offset", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-01-01T02:00:00+02:00"}}`, ctx{"aws:CurrentTime": {"2026-01-01T00:00:00Z"}}, true},
		{"DateEquals epoch vs ISO", `{"DateEquals":{"aws:EpochTime":"1767225600"}}`, ctx{"aws:EpochTime": {"2026-01-01T00:00:00Z"}}, true},
		{"DateEquals ISO vs epoch", `{"DateEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"1767225600"}}, true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2026-01-02T00:00:00Z"}}, true},
		{"DateGreaterThan fractional seconds", `{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"2026-01-01T00:00:00.5Z"}}, true},
		{"Date bad request value", `{"DateLessThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:CurrentTime": {"yesterday"}}, false},
		// Bool
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"true"}}, true},
		{"Bool JSON boolean", `{"Bool":{"aws:SecureTransport":false}}`, ctx{"aws:SecureTransport": {"false"}}, true},
		{"Bool mismatch", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:SecureTransport": {"false"}}, false},
		{"Bool case-insensitive", `{"Bool":{"aws:MultiFactorAuthPresent":"TRUE"}}`, ctx{"aws:MultiFactorAuthPresent": {"true"}}, true},
		{"Bool absent", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, ctx{}, false},
		{"BoolIfExists absent", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, ctx{}, true},
		{"BoolIfExists present", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, ctx{"aws:MultiFactorAuthPresent": {"true"}}, false},
		// IP
		{"IpAddress v4", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.113.77"}}, true},
		{"IpAddress v4 outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.114.1"}}, false},
		{"IpAddress bare address", `{"IpAddress":{"aws:SourceIp":"198.51.100.7"}}`, ctx{"aws:SourceIp": {"198.51.100.7"}}, true},
		{"IpAddress unmasked CIDR", `{"IpAddress":{"aws:SourceIp":"203.0.113.9/24"}}`, ctx{"aws:SourceIp": {"203.0.113.200"}}, true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:SourceIp": {"2001:db8:1::5"}}, true},
		{"IpAddress v6 outside", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:SourceIp": {"2001:db9::5"}}, false},
		{"IpAddress v4 vs v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx{"aws:SourceIp": {"203.0.113.1"}}, false},
		{"IpAddress list", `{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","203.0.113.0/24"]}}`, ctx{"aws:SourceIp": {"10.1.2.3"}}, true},
		{"IpAddress not an address", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx{"aws:SourceIp": {"ec2.amazonaws.com"}}, false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"198.51.100.1"}}, true},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{"aws:SourceIp": {"203.0.113.1"}}, false},
		{"NotIpAddress absent", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx{}, true},
		// Null
		{"Null true absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx{}, true},
		{"Null true present", `{"Null":{"aws:TokenIssueTime":"true"}}`, ctx{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}, false},
		{"Null false present", `{"Null":{"aws:TokenIssueTime":false}}`, ctx{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}, true},
		{"Null false absent", `{"Null":{"aws:TokenIssueTime":"false"}}`, ctx{}, false},
		// IfExists
		{"StringEqualsIfExists absent", `{"StringEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}`, ctx{}, true},
		{"StringEqualsIfExists mismatch", `{"StringEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}`, ctx{"aws:RequestedRegion": {"us-east-1"}}, false},
		{"StringEqualsIfExists match", `{"StringEqualsIfExists":{"aws:RequestedRegion":"eu-west-1"}}`, ctx{"aws:RequestedRegion": {"eu-west-1"}}, true},
		{"NumericLessThanIfExists absent", `{"NumericLessThanIfExists":{"aws:MultiFactorAuthAge":"60"}}`, ctx{}, true},
		{"IpAddressIfExists absent", `{"IpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx{}, true},
		{"DateLessThanIfExists present", `{"DateLessThanIfExists":{"aws:TokenIssueTime":"2026-01-01T00:00:00Z"}}`, ctx{"aws:TokenIssueTime": {"2026-06-01T00:00:00Z"}}, false},
		// Set qualifiers
		{"ForAllValues all in set", `{"ForAllValues:StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, ctx{"aws:RequestedRegion": {"us-east-1", "eu-west-1"}}, true},
		{"ForAllValues one outside", `{"ForAllValues:StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, ctx{"aws:RequestedRegion": {"us-east-1", "ap-south-1"}}, false},
		{"ForAllValues absent is true", `{"ForAllValues:StringEquals":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{}, true},
		{"ForAllValues empty is true", `{"ForAllValues:StringEquals":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{"aws:RequestedRegion": {}}, true},
		{"ForAllValues negated", `{"ForAllValues:StringNotEquals":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{"aws:RequestedRegion": {"eu-west-1", "ap-south-1"}}, true},
		{"ForAllValues negated one in", `{"ForAllValues:StringNotEquals":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{"aws:RequestedRegion": {"eu-west-1", "us-east-1"}}, false},
		{"ForAnyValue one in set", `{"ForAnyValue:StringEquals":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{"aws:RequestedRegion": {"eu-west-1", "us-east-1"}}, true},
		{"ForAnyValue none in set", `{"ForAnyValue:StringEquals":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{"aws:RequestedRegion": {"eu-west-1"}}, false},
		{"ForAnyValue absent is false", `{"ForAnyValue:StringEquals":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{}, false},
		{"ForAnyValue IfExists absent", `{"ForAnyValue:StringEqualsIfExists":{"aws:RequestedRegion":["us-east-1"]}}`, ctx{}, true},
		{"ForAnyValue negated", `{"ForAnyValue:StringNotLike":{"aws:RequestedRegion":["us-*"]}}`, ctx{"aws:RequestedRegion": {"us-east-1", "eu-west-1"}}, true},
		{"ForAnyValue negated all match", `{"ForAnyValue:StringNotLike":{"aws:RequestedRegion":["us-*"]}}`, ctx{"aws:RequestedRegion": {"us-east-1", "us-west-2"}}, false},
		{"multi-valued without qualifier: any matches", `{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`, ctx{"aws:RequestedRegion": {"eu-west-1", "us-east-1"}}, true},
		// Combination
		{"keys AND", `{"StringEquals":{"aws:username":"alice","aws:RequestedRegion":"us-east-1"}}`, ctx{"aws:username": {"alice"}, "aws:RequestedRegion": {"eu-west-1"}}, false},
		{"keys AND both", `{"StringEquals":{"aws:username":"alice","aws:RequestedRegion":"us-east-1"}}`, ctx{"aws:username": {"alice"}, "aws:RequestedRegion": {"us-east-1"}}, true},
		{"operators AND", `{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:username": {"alice"}, "aws:SecureTransport": {"false"}}, false},
		{"operators AND both", `{"StringEquals":{"aws:username":"alice"},"Bool":{"aws:SecureTransport":"true"}}`, ctx{"aws:username": {"alice"}, "aws:SecureTransport": {"true"}}, true},
		{"key case-insensitive in policy", `{"StringEquals":{"AWS:USERNAME":"alice"}}`, ctx{"aws:username": {"alice"}}, true},
		{"key case-insensitive in context", `{"StringEquals":{"aws:username":"alice"}}`, ctx{"Aws:UserName": {"alice"}}, true},
		// Every supported key is read from the context.
		{"aws:PrincipalAccount", `{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}`, ctx{"aws:PrincipalAccount": {"123456789012"}}, true},
		{"aws:PrincipalType", `{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`, ctx{"aws:PrincipalType": {"User"}}, false},
		{"aws:userid", `{"StringLike":{"aws:userid":"AROA*:alice"}}`, ctx{"aws:userid": {"AROAEXAMPLE:alice"}}, true},
		{"aws:ViaAWSService", `{"Bool":{"aws:ViaAWSService":"true"}}`, ctx{"aws:ViaAWSService": {"true"}}, true},
		{"aws:EpochTime numeric", `{"NumericGreaterThan":{"aws:EpochTime":1767225600}}`, ctx{"aws:EpochTime": {"1767225601"}}, true},
		{"sts:ExternalId", `{"StringEquals":{"sts:ExternalId":"drill-42"}}`, ctx{"sts:ExternalId": {"drill-42"}}, true},
		{"sts:RoleSessionName", `{"StringLike":{"sts:RoleSessionName":"ir-*"}}`, ctx{"sts:RoleSessionName": {"botocore-session"}}, false},
		{"iam:AWSServiceName", `{"StringEquals":{"iam:AWSServiceName":"spot.amazonaws.com"}}`, ctx{"iam:AWSServiceName": {"spot.amazonaws.com"}}, true},
		// The keys of iam:PassRole checks.
		{"iam:PassedToService", `{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}`, ctx{"iam:passedtoservice": {"ec2.amazonaws.com"}}, true},
		{"iam:PassedToService other service", `{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}`, ctx{"iam:passedtoservice": {"lambda.amazonaws.com"}}, false},
		{"iam:PassedToService absent", `{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}`, ctx{}, false},
		{"iam:AssociatedResourceArn", `{"ArnLike":{"iam:AssociatedResourceArn":"arn:aws:ec2:us-east-1:123456789012:instance/*"}}`, ctx{"iam:associatedresourcearn": {"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0"}}, true},
		{"iam:AssociatedResourceArn other region", `{"ArnLike":{"iam:AssociatedResourceArn":"arn:aws:ec2:us-east-1:123456789012:instance/*"}}`, ctx{"iam:associatedresourcearn": {"arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := condPolicy(t, tt.block)
			want := ImplicitDeny
			if tt.want {
				want = Allow
			}
			if got := Evaluate(Request{Action: "ec2:RunInstances", Resource: "*", Context: tt.ctx}, p); got != want {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// The containment tool revokes a role's existing sessions with a Deny on
// every session whose token was issued before "now".
func TestTokenIssueTimeRevocation(t *testing.T) {
	revoke := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["*"],"Resource":["*"],
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-01T12:00:00Z"}}}]}`, IdentityPolicy)
	admin := mustParse(t, adminAll, IdentityPolicy)
	tests := []struct {
		name string
		ctx  ctx
		want Decision
	}{
		{"old session denied", ctx{"aws:TokenIssueTime": {"2026-03-01T11:59:59Z"}}, ExplicitDeny},
		{"new session allowed", ctx{"aws:TokenIssueTime": {"2026-03-01T12:00:01Z"}}, Allow},
		{"session at the instant allowed", ctx{"aws:TokenIssueTime": {"2026-03-01T12:00:00Z"}}, Allow},
		{"long-term keys unaffected", ctx{}, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Evaluate(Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: tt.ctx}, admin, revoke); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseOperatorNames(t *testing.T) {
	valid := []string{"StringEquals", "ForAllValues:StringLike", "ForAnyValue:ArnLikeIfExists", "NumericLessThanIfExists", "Null", "DateGreaterThanEqualsIfExists", "NotIpAddressIfExists"}
	for _, op := range valid {
		if _, _, _, ok := parseOperator(op); !ok {
			t.Errorf("%s rejected", op)
		}
	}
	invalid := []string{"stringequals", "StringEqual", "NullIfExists", "ForAllValues:Null", "ForSomeValues:StringEquals", "IfExists", "StringEqualsIfExistsIfExists", "BinaryEquals", ""}
	for _, op := range invalid {
		if _, _, _, ok := parseOperator(op); ok {
			t.Errorf("%s accepted", op)
		}
		_, err := Parse(fmt.Sprintf(`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{%q:{"aws:username":"x"}}}}`, op), IdentityPolicy)
		if err == nil || !strings.HasPrefix(err.Error(), "Invalid Condition type : ") {
			t.Errorf("Parse with %q: got %v", op, err)
		}
	}
}
