package awsmanaged

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/irdrill/irdrill/iampolicy"
)

func TestEveryDocumentParses(t *testing.T) {
	all := All()
	if len(all) < 10 {
		t.Fatalf("only %d policies", len(all))
	}
	for _, p := range all {
		t.Run(p.Name, func(t *testing.T) {
			if _, err := iampolicy.Parse(p.Document, iampolicy.IdentityPolicy); err != nil {
				var loc string
				if m, ok := err.(*iampolicy.MalformedPolicyError); ok {
					loc = m.Location
				}
				t.Fatalf("Parse: %v at %s", err, loc)
			}
			if p.ARN != "arn:aws:iam::aws:policy/"+p.Name || p.Path != "/" {
				t.Errorf("ARN %q Path %q", p.ARN, p.Path)
			}
			if !strings.HasPrefix(p.PolicyID, "ANPA") || len(p.PolicyID) != 21 {
				t.Errorf("PolicyID %q is not an IAM policy id", p.PolicyID)
			}
			if !strings.HasPrefix(p.DefaultVersionID, "v") || p.Description == "" {
				t.Errorf("version %q description %q", p.DefaultVersionID, p.Description)
			}
			if p.CreateDate.IsZero() || p.UpdateDate.Before(p.CreateDate) {
				t.Errorf("dates %v %v", p.CreateDate, p.UpdateDate)
			}
			got, ok := Lookup(p.ARN)
			if !ok || got.Document != p.Document || got.PolicyID != p.PolicyID {
				t.Errorf("Lookup(%s) = %v", p.ARN, ok)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/AdministratorAccess",
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::aws:policy/AWSDenyAll",
		"arn:aws:iam::aws:policy/AmazonEC2FullAccess",
		"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess",
		"arn:aws:iam::aws:policy/IAMFullAccess",
		"arn:aws:iam::aws:policy/IAMReadOnlyAccess",
		"arn:aws:iam::aws:policy/AmazonGuardDutyReadOnlyAccess",
		"arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess",
		"arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess",
	} {
		if _, ok := Lookup(arn); !ok {
			t.Errorf("%s missing", arn)
		}
	}
	for _, arn := range []string{"arn:aws:iam::aws:policy/readonlyaccess", "arn:aws:iam::123456789012:policy/ReadOnlyAccess", "ReadOnlyAccess", ""} {
		if _, ok := Lookup(arn); ok {
			t.Errorf("%q found", arn)
		}
	}
	a := All()
	a[0].Name = "changed"
	if All()[0].Name == "changed" {
		t.Error("All exposes internal state")
	}
}

func TestKnownIdentities(t *testing.T) {
	tests := map[string]struct{ id, version string }{
		"AdministratorAccess": {"ANPAIWMBCKSKIEE64ZLYK", "v1"},
		"ReadOnlyAccess":      {"ANPAILL3HVNFSB6DCOWYQ", "v178"},
		"AWSDenyAll":          {"ANPAZKAPJZG4P43IUQ5E5", "v2"},
	}
	for name, want := range tests {
		p, _ := Lookup("arn:aws:iam::aws:policy/" + name)
		if p.PolicyID != want.id || p.DefaultVersionID != want.version {
			t.Errorf("%s: %s %s", name, p.PolicyID, p.DefaultVersionID)
		}
	}
}

func TestReadOnlyAccessDocument(t *testing.T) {
	p, _ := Lookup("arn:aws:iam::aws:policy/ReadOnlyAccess")
	var doc struct {
		Statement []struct {
			Sid    string
			Action []string
		}
	}
	if err := json.Unmarshal([]byte(p.Document), &doc); err != nil {
		t.Fatal(err)
	}
	// Counts of the v178 document; a transcription slip changes them.
	if len(doc.Statement) != 2 || len(doc.Statement[0].Action) != 1393 || len(doc.Statement[1].Action) != 1284 {
		t.Fatalf("unexpected shape: %d statements", len(doc.Statement))
	}
	if doc.Statement[0].Sid != "ReadOnlyActionsGroup1" || doc.Statement[1].Sid != "ReadOnlyActionsGroup2" {
		t.Errorf("Sids %q %q", doc.Statement[0].Sid, doc.Statement[1].Sid)
	}
}

func TestManagedPolicyEvaluation(t *testing.T) {
	parse := func(name string) *iampolicy.Policy {
		p, ok := Lookup("arn:aws:iam::aws:policy/" + name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		pol, err := iampolicy.Parse(p.Document, iampolicy.IdentityPolicy)
		if err != nil {
			t.Fatal(err)
		}
		return pol
	}
	admin, readOnly, denyAll := parse("AdministratorAccess"), parse("ReadOnlyAccess"), parse("AWSDenyAll")
	ec2Full, ec2Read := parse("AmazonEC2FullAccess"), parse("AmazonEC2ReadOnlyAccess")
	iamRead, gdRead, logsRead, ctRead := parse("IAMReadOnlyAccess"), parse("AmazonGuardDutyReadOnlyAccess"), parse("CloudWatchLogsReadOnlyAccess"), parse("AWSCloudTrail_ReadOnlyAccess")

	tests := []struct {
		name     string
		policies []*iampolicy.Policy
		action   string
		ctx      map[string][]string
		want     iampolicy.Decision
	}{
		{"admin anything", []*iampolicy.Policy{admin}, "iam:CreateUser", nil, iampolicy.Allow},
		{"deny-all beats admin", []*iampolicy.Policy{admin, denyAll}, "sts:GetCallerIdentity", nil, iampolicy.ExplicitDeny},
		{"read-only describe", []*iampolicy.Policy{readOnly}, "ec2:DescribeInstances", nil, iampolicy.Allow},
		{"read-only cloudtrail", []*iampolicy.Policy{readOnly}, "cloudtrail:LookupEvents", nil, iampolicy.Allow},
		{"read-only second statement", []*iampolicy.Policy{readOnly}, "s3:GetObject", nil, iampolicy.Allow},
		{"read-only no run", []*iampolicy.Policy{readOnly}, "ec2:RunInstances", nil, iampolicy.ImplicitDeny},
		{"read-only no stop", []*iampolicy.Policy{readOnly}, "ec2:StopInstances", nil, iampolicy.ImplicitDeny},
		{"read-only no access key", []*iampolicy.Policy{readOnly}, "iam:CreateAccessKey", nil, iampolicy.ImplicitDeny},
		{"ec2 full run", []*iampolicy.Policy{ec2Full}, "ec2:RunInstances", nil, iampolicy.Allow},
		{"ec2 full service-linked role for spot", []*iampolicy.Policy{ec2Full}, "iam:CreateServiceLinkedRole", map[string][]string{"iam:AWSServiceName": {"spot.amazonaws.com"}}, iampolicy.Allow},
		{"ec2 full service-linked role for others", []*iampolicy.Policy{ec2Full}, "iam:CreateServiceLinkedRole", map[string][]string{"iam:AWSServiceName": {"lambda.amazonaws.com"}}, iampolicy.ImplicitDeny},
		{"ec2 read describe", []*iampolicy.Policy{ec2Read}, "ec2:DescribeSecurityGroups", nil, iampolicy.Allow},
		{"ec2 read terminate", []*iampolicy.Policy{ec2Read}, "ec2:TerminateInstances", nil, iampolicy.ImplicitDeny},
		{"iam read list keys", []*iampolicy.Policy{iamRead}, "iam:ListAccessKeys", nil, iampolicy.Allow},
		{"iam read update key", []*iampolicy.Policy{iamRead}, "iam:UpdateAccessKey", nil, iampolicy.ImplicitDeny},
		{"guardduty read", []*iampolicy.Policy{gdRead}, "guardduty:ListFindings", nil, iampolicy.Allow},
		{"guardduty archive", []*iampolicy.Policy{gdRead}, "guardduty:ArchiveFindings", nil, iampolicy.ImplicitDeny},
		{"logs read query", []*iampolicy.Policy{logsRead}, "logs:StartQuery", nil, iampolicy.Allow},
		{"logs delete", []*iampolicy.Policy{logsRead}, "logs:DeleteLogGroup", nil, iampolicy.ImplicitDeny},
		{"cloudtrail read", []*iampolicy.Policy{ctRead}, "cloudtrail:LookupEvents", nil, iampolicy.Allow},
		{"cloudtrail stop", []*iampolicy.Policy{ctRead}, "cloudtrail:StopLogging", nil, iampolicy.ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := iampolicy.Request{Action: tt.action, Resource: "*", Context: tt.ctx}
			if got := iampolicy.Evaluate(req, tt.policies...); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
