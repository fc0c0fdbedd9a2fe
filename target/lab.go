package target

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// Lab names what the workshop's setup creates. The names are fixed so that
// reports and the seed documents' own commands read the same on every run.
type Lab struct {
	TrailName     string
	TrailBucket   string
	TrailLogGroup string
	TrailRole     string
	FlowLogGroup  string
	FlowLogRole   string
	DNSLogGroup   string
	DNSConfigName string
	// LeakedUser is the user whose access key leaks (the workshop's
	// pipeline), with IntegrationPolicy (ec2:*) attached.
	LeakedUser        string
	IntegrationPolicy string
	ResponderRoles    []ResponderRole
}

// ResponderRole is one of the workshop's security roles.
type ResponderRole struct {
	Name        string
	Description string
	// Managed are AWS-managed policy names attached to the role.
	Managed []string
	// Inline is an inline policy document, named after the role.
	Inline string
}

// The seed's leaked key, and the AWS documentation's example secret that
// goes with it. A target with key import gives the leaked user this key,
// so that the lab's queries read as the documents do.
const (
	SeedAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SeedSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// LabTagKey marks what the lab setup created.
const LabTagKey = "irdrill:lab"

// FlowLogFormat is the workshop's flow-log format: the 14 default
// version-2 fields, then the 15 fields its Glue table reads.
var FlowLogFormat = strings.Join([]string{
	"${version}", "${account-id}", "${interface-id}", "${srcaddr}", "${dstaddr}", "${srcport}", "${dstport}",
	"${protocol}", "${packets}", "${bytes}", "${start}", "${end}", "${action}", "${log-status}",
	"${vpc-id}", "${subnet-id}", "${instance-id}", "${tcp-flags}", "${type}", "${pkt-srcaddr}", "${pkt-dstaddr}",
	"${region}", "${az-id}", "${sublocation-type}", "${sublocation-id}", "${pkt-src-aws-service}",
	"${pkt-dst-aws-service}", "${flow-direction}", "${traffic-path}",
}, " ")

// DefaultLab is the workshop's lab account.
var DefaultLab = Lab{
	TrailName:         "irdrill-lab-trail",
	TrailBucket:       "irdrill-lab-cloudtrail",
	TrailLogGroup:     "irdrill-lab/cloudtrail",
	TrailRole:         "irdrill-lab-CloudTrailToCloudWatchLogs",
	FlowLogGroup:      "irdrill-lab/vpc-flow-logs",
	FlowLogRole:       "irdrill-lab-VPCFlowLogsToCloudWatchLogs",
	DNSLogGroup:       "irdrill-lab/dns-query-logs",
	DNSConfigName:     "irdrill-lab-dns-query-logs",
	LeakedUser:        "pipeline",
	IntegrationPolicy: "SimulationStack-SystemIntegrationPolicy",
	ResponderRoles: []ResponderRole{
		{Name: "SecurityAnalystRole", Description: "Athena and GuardDuty read-only: investigates",
			Managed: []string{"AmazonGuardDutyReadOnlyAccess"},
			Inline:  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["athena:BatchGet*","athena:Get*","athena:List*","athena:StartQueryExecution","athena:StopQueryExecution","glue:Get*","glue:BatchGet*"],"Resource":"*"}]}`},
		{Name: "SecurityAdminRole", Description: "maintains Athena",
			Inline: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["athena:*","glue:*"],"Resource":"*"}]}`},
		{Name: "SecurityDeployRole", Description: "deploys the security stacks",
			Inline: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:*"],"Resource":"*"}]}`},
		{Name: "SecurityBreakGlassRole", Description: "AdministratorAccess: contains and eradicates",
			Managed: []string{"AdministratorAccess"}},
	},
}

// BreakGlass is the identity the playbook contains with.
var BreakGlass = Role("SecurityBreakGlassRole")

// LabStep is one thing the lab setup checked or did.
type LabStep struct {
	// What is the resource, e.g. "trail irdrill-lab-trail".
	What string `json:"what"`
	// Outcome is "created", "exists", "updated" or "skipped".
	Outcome string `json:"outcome"`
	Detail  string `json:"detail,omitempty"`
}

func (s LabStep) String() string {
	if s.Detail == "" {
		return s.Outcome + " " + s.What
	}
	return s.Outcome + " " + s.What + ": " + s.Detail
}

// LabState is the lab account as SetUpLab found or made it.
type LabState struct {
	AccountID  string            `json:"accountId"`
	TrailARN   string            `json:"trailArn,omitempty"`
	FlowLogIDs []string          `json:"flowLogIds,omitempty"`
	VPCIDs     []string          `json:"vpcIds,omitempty"`
	DetectorID string            `json:"detectorId,omitempty"`
	LeakedUser string            `json:"leakedUser"`
	LeakedKey  aws.Credentials   `json:"-"`
	LogGroups  map[string]string `json:"logGroups"`
	Steps      []LabStep         `json:"steps"`
}

// LabOptions tune SetUpLab.
type LabOptions struct {
	// Lab is what to set up; DefaultLab when zero.
	Lab *Lab
	// StateDir keeps the leaked key's secret for targets that outlive the
	// process (endpoints, AWS) when the key had to be created rather than
	// imported; DefaultStateDir() when empty.
	StateDir string
	// Progress is told every step as it completes.
	Progress func(LabStep)
}

// SetUpLab applies the workshop's lab account to the target, as the
// responder, and creates only what is missing: it is idempotent. Then the
// target knows the leaked key (LeakedKey) and the lab's log groups.
//
// Telemetry is set up where the target has it: the multi-region trail to
// CloudWatch Logs and the flow logs on an irdrill sandbox (moto and
// LocalStack deliver neither); DNS query logging and a GuardDuty detector
// only where the target delivers them. On AWS the telemetry is the
// Terraform module's job (a later issue): the log groups come from flags,
// and SetUpLab sets up the identities only.
func (t *Target) SetUpLab(ctx context.Context, o LabOptions) (*LabState, error) {
	lab := DefaultLab
	if o.Lab != nil {
		lab = *o.Lab
	}
	if o.StateDir == "" {
		o.StateDir = DefaultStateDir()
	}
	cfg, err := t.Config(ctx, Responder)
	if err != nil {
		return nil, err
	}
	s := &labSetup{t: t, lab: lab, o: o, c: newLabClients(cfg), st: &LabState{AccountID: t.accountID, LeakedUser: lab.LeakedUser, LogGroups: map[string]string{}}}
	if err := s.run(ctx); err != nil {
		return s.st, fmt.Errorf("set up the lab account on %s: %w", t.spec, err)
	}
	t.mu.Lock()
	t.lab = s.st
	t.mu.Unlock()
	return s.st, nil
}

// Lab is the lab state of the last SetUpLab, or nil.
func (t *Target) Lab() *LabState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lab
}

// setLabLogGroups names the lab's log groups as the target's, on targets
// whose telemetry the lab sets up.
func (t *Target) setLabLogGroups() {
	t.SetLogGroup(RoleCloudTrail, DefaultLab.TrailLogGroup)
	t.SetLogGroup(RoleVPCFlow, DefaultLab.FlowLogGroup)
	t.SetLogGroup(RoleDNS, DefaultLab.DNSLogGroup)
}

// labTelemetry reports whether the lab sets up the trail and flow logs on
// the target: on irdrill sandboxes, whose telemetry they feed.
func (t *Target) labTelemetry() bool { return t.flavor == FlavorIrdrill }

// errorCode is err's AWS error code, or "".
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}
