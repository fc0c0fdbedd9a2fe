package iampolicy

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		kind Kind
	}{
		{"playbook containment", containmentPolicy, IdentityPolicy},
		{"lab DenyAll without Version", labDenyAll, IdentityPolicy},
		{"lab trust policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, TrustPolicy},
		{"legacy version", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, IdentityPolicy},
		{"Id element", `{"Version":"2012-10-17","Id":"drill","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, IdentityPolicy},
		{"NotAction NotResource", `{"Statement":{"Effect":"Deny","NotAction":["iam:*"],"NotResource":["arn:aws:s3:::b"]}}`, IdentityPolicy},
		{"principal forms", `{"Statement":{"Effect":"Allow","Principal":{"AWS":["*","123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/a/b","arn:aws:iam::123456789012:role/R","arn:aws:sts::123456789012:assumed-role/R/s"],"Service":["ec2.amazonaws.com"],"Federated":"cognito-identity.amazonaws.com"},"Action":"sts:AssumeRole"}}`, TrustPolicy},
		{"NotPrincipal", `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"sts:AssumeRole"}}`, TrustPolicy},
		{"condition value types", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"aws:MultiFactorAuthAge":[3600,"7200"]}}}}`, IdentityPolicy},
		{"empty Sid", `{"Statement":{"Sid":"","Effect":"Allow","Action":"*","Resource":"*"}}`, IdentityPolicy},
		{"wildcard partition", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:*:s3:::b"}}`, IdentityPolicy},
		{"variable with default", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username, 'anon''s'}/*"}}`, IdentityPolicy},
		{"unsupported variable in legacy policy is text", `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}}`, IdentityPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc, tt.kind)
			if err != nil {
				t.Fatalf("Parse: %v (at %s)", err, locationOf(err))
			}
			if p.Document() != tt.doc {
				t.Errorf("Document() changed the text")
			}
			if p.Kind() != tt.kind {
				t.Errorf("Kind() = %v", p.Kind())
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	allow := func(extra string) string {
		return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"` + extra + `}}`
	}
	tests := []struct {
		name     string
		doc      string
		kind     Kind
		message  string
		location string
	}{
		{"not JSON", `{"Statement":`, IdentityPolicy, "Syntax errors in policy.", ""},
		{"trailing garbage", allow("") + "x", IdentityPolicy, "Syntax errors in policy.", ""},
		{"two documents", allow("") + allow(""), IdentityPolicy, "Syntax errors in policy.", ""},
		{"empty", ``, IdentityPolicy, "Syntax errors in policy.", ""},
		{"array at top", `[]`, IdentityPolicy, "Syntax errors in policy.", ""},
		{"unknown top-level field", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Statements":[]}`, IdentityPolicy, "Unknown field Statements", "Statements"},
		{"unknown statement field", allow(`,"Resources":"*"`), IdentityPolicy, "Unknown field Resources", "Statement[0].Resources"},
		{"lower-case element", `{"Statement":{"effect":"Allow","Action":"*","Resource":"*"}}`, IdentityPolicy, "Unknown field effect", "Statement[0].effect"},
		{"duplicate field", `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"*","Resource":"*"}}`, IdentityPolicy, "Syntax errors in policy. Duplicate field Effect", ""},
		{"bad version", `{"Version":"2012-10-18","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, IdentityPolicy, "The policy failed legacy parsing", "Version"},
		{"version not a string", `{"Version":2012,"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, IdentityPolicy, "Syntax errors in policy.", "Version"},
		{"missing Statement", `{"Version":"2012-10-17"}`, IdentityPolicy, "Missing required field Statement", ""},
		{"empty Statement", `{"Version":"2012-10-17","Statement":[]}`, IdentityPolicy, "Missing required field Statement", "Statement"},
		{"statement not an object", `{"Statement":["x"]}`, IdentityPolicy, "Syntax errors in policy.", "Statement[0]"},
		{"missing Effect", `{"Statement":{"Action":"*","Resource":"*"}}`, IdentityPolicy, "Missing required field Effect", "Statement[0]"},
		{"bad Effect", `{"Statement":{"Effect":"Permit","Action":"*","Resource":"*"}}`, IdentityPolicy, "Invalid effect: Permit", "Statement[0].Effect"},
		{"Effect case", `{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}`, IdentityPolicy, "Invalid effect: allow", "Statement[0].Effect"},
		{"missing Action", `{"Statement":{"Effect":"Allow","Resource":"*"}}`, IdentityPolicy, "Policy statement must contain actions.", "Statement[0]"},
		{"empty Action list", `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, IdentityPolicy, "Policy statement must contain actions.", "Statement[0].Action"},
		{"Action and NotAction", `{"Statement":{"Effect":"Allow","Action":"*","NotAction":"iam:*","Resource":"*"}}`, IdentityPolicy, "Syntax errors in policy. Statement has both Action and NotAction", "Statement[0]"},
		{"Action not a string", `{"Statement":{"Effect":"Allow","Action":["ec2:*",3],"Resource":"*"}}`, IdentityPolicy, "Syntax errors in policy.", "Statement[0].Action[1]"},
		{"action without vendor", `{"Statement":{"Effect":"Allow","Action":"RunInstances","Resource":"*"}}`, IdentityPolicy, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", "Statement[0].Action[0]"},
		{"action empty vendor", `{"Statement":{"Effect":"Allow","Action":":RunInstances","Resource":"*"}}`, IdentityPolicy, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", "Statement[0].Action[0]"},
		{"action empty name", `{"Statement":{"Effect":"Allow","Action":["ec2:*","ec2:"],"Resource":"*"}}`, IdentityPolicy, "Policy has invalid action: ec2:", "Statement[0].Action[1]"},
		{"action bad character", `{"Statement":{"Effect":"Allow","Action":"ec2:Run Instances","Resource":"*"}}`, IdentityPolicy, "Policy has invalid action: ec2:Run Instances", "Statement[0].Action[0]"},
		{"action vendor wildcard", `{"Statement":{"Effect":"Allow","Action":"ec*:RunInstances","Resource":"*"}}`, IdentityPolicy, "Action vendors must not contain wildcards: ec*:RunInstances", "Statement[0].Action[0]"},
		{"missing Resource", `{"Statement":{"Effect":"Allow","Action":"*"}}`, IdentityPolicy, "Policy statement must contain resources.", "Statement[0]"},
		{"Resource and NotResource", allow(`,"NotResource":"*"`), IdentityPolicy, "Syntax errors in policy. Statement has both Resource and NotResource", "Statement[0]"},
		{"Resource not ARN", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"i-0abc"}}`, IdentityPolicy, `Resource i-0abc must be in ARN format or "*".`, "Statement[0].Resource[0]"},
		{"Resource bad partition", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:amazon:s3:::b"}}`, IdentityPolicy, `Partition "amazon" is not valid for resource "arn:amazon:s3:::b".`, "Statement[0].Resource[0]"},
		{"principal in identity policy", allow(`,"Principal":"*"`), IdentityPolicy, "Policy document should not specify a principal.", "Statement[0]"},
		{"NotPrincipal in identity policy", allow(`,"NotPrincipal":{"AWS":"123456789012"}`), IdentityPolicy, "Policy document should not specify a principal.", "Statement[0]"},
		{"trust without principal", `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, TrustPolicy, "Missing required field Principal", "Statement[0]"},
		{"trust with resource", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}`, TrustPolicy, "Has prohibited field Resource", "Statement[0].Resource"},
		{"trust with NotResource", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","NotResource":"*"}}`, TrustPolicy, "Has prohibited field NotResource", "Statement[0].NotResource"},
		{"principal string", `{"Statement":{"Effect":"Allow","Principal":"123456789012","Action":"sts:AssumeRole"}}`, TrustPolicy, `Invalid principal in policy: "123456789012"`, "Statement[0].Principal"},
		{"principal bad account", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"12345"},"Action":"sts:AssumeRole"}}`, TrustPolicy, `Invalid principal in policy: "AWS":"12345"`, "Statement[0].Principal.AWS"},
		{"principal partial wildcard", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/*"},"Action":"sts:AssumeRole"}}`, TrustPolicy, `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"`, "Statement[0].Principal.AWS"},
		{"principal group", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:group/G"},"Action":"sts:AssumeRole"}}`, TrustPolicy, `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:group/G"`, "Statement[0].Principal.AWS"},
		{"principal bad service", `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2"},"Action":"sts:AssumeRole"}}`, TrustPolicy, `Invalid principal in policy: "Service":"ec2"`, "Statement[0].Principal.Service"},
		{"principal unknown type", `{"Statement":{"Effect":"Allow","Principal":{"Aws":"123456789012"},"Action":"sts:AssumeRole"}}`, TrustPolicy, `Invalid principal in policy: "Aws":"123456789012"`, "Statement[0].Principal.Aws"},
		{"principal empty", `{"Statement":{"Effect":"Allow","Principal":{},"Action":"sts:AssumeRole"}}`, TrustPolicy, "Invalid principal in policy", "Statement[0].Principal"},
		{"Sid not alphanumeric", `{"Statement":{"Sid":"deny-all","Effect":"Deny","Action":"*","Resource":"*"}}`, IdentityPolicy, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*", "Statement[0].Sid"},
		{"Sid duplicate", `{"Statement":[{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}`, IdentityPolicy, "Statement IDs (SID) in a single policy must be unique.", "Statement[1].Sid"},
		{"unknown operator", allow(`,"Condition":{"StringEqualz":{"aws:username":"a"}}`), IdentityPolicy, "Invalid Condition type : StringEqualz", "Statement[0].Condition.StringEqualz"},
		{"unknown key", allow(`,"Condition":{"StringEquals":{"aws:PrincipalTag/team":"ir"}}`), IdentityPolicy, "Condition key aws:PrincipalTag/team is not supported by the irdrill sandbox", "Statement[0].Condition.StringEquals.aws:PrincipalTag/team"},
		{"service key not supported", allow(`,"Condition":{"StringEquals":{"ec2:InstanceType":"t2.micro"}}`), IdentityPolicy, "Condition key ec2:InstanceType is not supported", "Statement[0].Condition.StringEquals.ec2:InstanceType"},
		{"key without vendor", allow(`,"Condition":{"StringEquals":{"username":"a"}}`), IdentityPolicy, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.", "Statement[0].Condition.StringEquals.username"},
		{"unknown variable in Resource", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:PrincipalTag/team}/*"}}`, IdentityPolicy, "Condition key aws:PrincipalTag/team is not supported", "Statement[0].Resource[0]"},
		{"unknown variable in condition", allow(`,"Condition":{"StringLike":{"aws:username":"${s3:prefix}"}}`), IdentityPolicy, "Condition key s3:prefix is not supported", "Statement[0].Condition.StringLike.aws:username[0]"},
		{"condition not an object", allow(`,"Condition":"x"`), IdentityPolicy, "Syntax errors in policy.", "Statement[0].Condition"},
		{"condition operator not an object", allow(`,"Condition":{"StringEquals":"x"}`), IdentityPolicy, "Syntax errors in policy.", "Statement[0].Condition.StringEquals"},
		{"condition value object", allow(`,"Condition":{"StringEquals":{"aws:username":{"a":1}}}`), IdentityPolicy, "Syntax errors in policy.", "Statement[0].Condition.StringEquals.aws:username"},
		{"condition value null", allow(`,"Condition":{"StringEquals":{"aws:username":[null]}}`), IdentityPolicy, "Syntax errors in policy.", "Statement[0].Condition.StringEquals.aws:username[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.doc, tt.kind)
			if err == nil {
				t.Fatalf("accepted: %+v", p)
			}
			var mp *MalformedPolicyError
			if !errors.As(err, &mp) {
				t.Fatalf("error %T %v is not *MalformedPolicyError", err, err)
			}
			if !strings.HasPrefix(mp.Error(), tt.message) {
				t.Errorf("message %q, want prefix %q", mp.Error(), tt.message)
			}
			if mp.Location != tt.location {
				t.Errorf("location %q, want %q", mp.Location, tt.location)
			}
		})
	}
}

func TestParseUnknownKind(t *testing.T) {
	if _, err := Parse(adminAll, Kind(9)); err == nil {
		t.Fatal("unknown kind accepted")
	}
}

func TestSupportedConditionKeys(t *testing.T) {
	required := []string{"aws:SourceIp", "aws:PrincipalArn", "aws:TokenIssueTime", "aws:RequestedRegion", "aws:CurrentTime", "aws:EpochTime", "aws:username", "aws:userid", "aws:SecureTransport", "aws:PrincipalAccount", "aws:PrincipalType", "aws:MultiFactorAuthPresent", "aws:UserAgent", "aws:ViaAWSService", "sts:ExternalId", "sts:RoleSessionName", "iam:PassedToService", "iam:AssociatedResourceArn"}
	keys := SupportedConditionKeys()
	for _, r := range required {
		found := false
		for _, k := range keys {
			if k == r {
				found = true
			}
		}
		if !found {
			t.Errorf("%s missing", r)
		}
		// Every listed key must be accepted by Parse, in any case.
		doc := `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"` + strings.ToUpper(r) + `":"false"}}}}`
		if _, err := Parse(doc, IdentityPolicy); err != nil {
			t.Errorf("%s: %v", r, err)
		}
	}
	keys[0] = "mutated"
	if SupportedConditionKeys()[0] == "mutated" {
		t.Error("SupportedConditionKeys exposes internal state")
	}
}

func TestPolicyAccessors(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Id":"x1","Statement":[{"Sid":"One","Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}`, IdentityPolicy)
	if p.Version() != Version2012 || p.ID() != "x1" {
		t.Errorf("Version %q ID %q", p.Version(), p.ID())
	}
	if got := p.Sids(); len(got) != 2 || got[0] != "One" || got[1] != "" {
		t.Errorf("Sids %q", got)
	}
	if v := mustParse(t, labDenyAll, IdentityPolicy).Version(); v != "" {
		t.Errorf("absent Version read as %q", v)
	}
	if IdentityPolicy.String() != "IdentityPolicy" || TrustPolicy.String() != "TrustPolicy" || Kind(5).String() != "Kind(5)" {
		t.Error("Kind.String")
	}
}

func TestPolicySize(t *testing.T) {
	tests := []struct {
		doc  string
		want int
	}{
		{`{"a":"b"}`, 9},
		{"{\n  \"a\" : \"b\"\n}", 9},
		{`{"a":"b c"}`, 11},   // spaces inside strings count
		{`{"a":"b\" c"}`, 13}, // escaped quote does not end the string
		{`{"a":"é"}`, 9},      // characters, not bytes
		{"\t{ }\r\n", 2},
	}
	for _, tt := range tests {
		if got := PolicySize(tt.doc); got != tt.want {
			t.Errorf("PolicySize(%q) = %d, want %d", tt.doc, got, tt.want)
		}
	}
	big := `{"Statement":{"Effect":"Allow","Action":[` + strings.Repeat(`"ec2:DescribeInstances",`, 100) + `"ec2:*"],"Resource":"*"}}`
	n := PolicySize(big)
	if err := CheckSize(big, n); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	err := CheckSize(big, n-1)
	var se *PolicySizeError
	if !errors.As(err, &se) || se.Limit != n-1 || se.Size != n {
		t.Fatalf("over the limit: %v", err)
	}
	if se.Error() != "Cannot exceed quota for PolicySize: "+strconv.Itoa(n-1) {
		t.Errorf("message %q", se.Error())
	}
	if err := CheckSize(containmentPolicy, UserInlinePolicyLimit); err != nil {
		t.Errorf("containment policy: %v", err)
	}
	if UserInlinePolicyLimit != 2048 || RoleInlinePolicyLimit != 10240 || GroupInlinePolicyLimit != 5120 || ManagedPolicyLimit != 6144 {
		t.Error("IAM quota constants changed")
	}
}
