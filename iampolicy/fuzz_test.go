package iampolicy

import (
	"errors"
	"testing"
)

// FuzzParse checks that any input either parses or yields a
// *MalformedPolicyError (never a panic or hang), that Document round-trips,
// and that evaluating whatever parsed is safe.
func FuzzParse(f *testing.F) {
	seeds := []string{
		containmentPolicy,
		labDenyAll,
		ec2DescribeOnly,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-03-01T12:00:00Z"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username, 'x''y'}/${*}${?}${$}${"}}`,
		`{"Statement":{"Effect":"Allow","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:RequestedRegion":["us-*",1,true]},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"Null":{"aws:userid":"false"}}}}`,
		`{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":["123456789012","arn:aws:iam::123456789012:role/R"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"e"}}}}`,
		`{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/*"},"NumericLessThan":{"aws:MultiFactorAuthAge":"1e3"}}}}`,
		`{"Statement":{"Effect":"Allow","Effect":"Allow"}}`,
		`{"Version":"2012-10-18"}`,
		`{"Statement":[`,
		`[{"a":[{"b":{}}]}]`,
		`"*"`,
		``,
	}
	for _, s := range seeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	requests := []Request{
		{Action: "ec2:RunInstances", Resource: "*", Principal: &Principal{Type: "AWS", ARN: "arn:aws:iam::123456789012:user/u", Account: "123456789012"}},
		{Action: "sts:AssumeRole", Principal: &Principal{Type: "Service", ARN: "ec2.amazonaws.com"}, Context: map[string][]string{
			"aws:username": {"u"}, "aws:SourceIp": {"10.1.2.3"}, "aws:TokenIssueTime": {"2026-01-01T00:00:00Z"},
			"aws:RequestedRegion": {"us-east-1", "eu-west-1"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:role/R"},
			"aws:MultiFactorAuthAge": {"12"}, "sts:ExternalId": {"e"}}},
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/u/*?$"},
	}
	f.Fuzz(func(t *testing.T, doc string, trust bool) {
		kind := IdentityPolicy
		if trust {
			kind = TrustPolicy
		}
		p, err := Parse(doc, kind)
		if err != nil {
			var mp *MalformedPolicyError
			if !errors.As(err, &mp) || mp.Message == "" {
				t.Fatalf("error %T %q is not a MalformedPolicyError with a message", err, err)
			}
			return
		}
		if p.Document() != doc {
			t.Fatal("Document() differs from the input")
		}
		for _, req := range requests {
			d := Evaluate(req, p)
			if d != ImplicitDeny && d != Allow && d != ExplicitDeny {
				t.Fatalf("Evaluate returned %d", int(d))
			}
			EvaluateTrust(req, p)
		}
	})
}
