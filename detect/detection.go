package detect

import (
	"fmt"
	"time"
)

// Role is the telemetry a detection reads.
type Role string

// The telemetry roles: the log groups a target delivers to, and GuardDuty.
const (
	RoleCloudTrail Role = "cloudtrail"
	RoleVPCFlow    Role = "vpc-flow"
	RoleDNS        Role = "dns"
	RoleGuardDuty  Role = "guardduty"
)

// Roles lists every role, in the order reports show them.
var Roles = []Role{RoleCloudTrail, RoleVPCFlow, RoleDNS, RoleGuardDuty}

// IsLog reports whether the role is a CloudWatch Logs log group (rather
// than GuardDuty's findings).
func (r Role) IsLog() bool { return r != RoleGuardDuty }

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Telemetry names what a target must have for the role, as reports say it:
// "target has no CloudTrail delivery".
func (r Role) Telemetry() string {
	switch r {
	case RoleCloudTrail:
		return "CloudTrail delivery"
	case RoleVPCFlow:
		return "VPC flow logs"
	case RoleDNS:
		return "DNS query logs"
	case RoleGuardDuty:
		return "GuardDuty"
	}
	return string(r)
}

// FixtureFile is the JSON-lines file that holds the role's telemetry in a
// fixture directory.
func (r Role) FixtureFile() string { return string(r) + ".jsonl" }

// Severity is how bad it is when a detection fires.
type Severity string

// The severities, lowest first.
const (
	SeverityInformational Severity = "informational"
	SeverityLow           Severity = "low"
	SeverityMedium        Severity = "medium"
	SeverityHigh          Severity = "high"
	SeverityCritical      Severity = "critical"
)

var severities = []Severity{SeverityInformational, SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// RuleKind is which engine a rule runs on.
type RuleKind int

// The rule kinds, with the YAML field that holds each.
const (
	RuleInsights        RuleKind = iota + 1 // insights: a CloudWatch Logs Insights query
	RuleFilterPattern                       // filter_pattern: a FilterLogEvents pattern
	RuleFindingCriteria                     // finding_criteria: GuardDuty FindingCriteria JSON
)

// Field is the YAML field the rule kind is written in.
func (k RuleKind) Field() string {
	switch k {
	case RuleInsights:
		return "insights"
	case RuleFilterPattern:
		return "filter_pattern"
	case RuleFindingCriteria:
		return "finding_criteria"
	}
	return fmt.Sprintf("RuleKind(%d)", int(k))
}

// Rows names what the rule's results are, for reports.
func (k RuleKind) Rows() string {
	switch k {
	case RuleFilterPattern:
		return "events"
	case RuleFindingCriteria:
		return "findings"
	}
	return "rows"
}

// Rule is a detection's one rule, with its parameters unfilled.
type Rule struct {
	Kind RuleKind
	// Text is the query, the pattern, or the criteria JSON, with ${name}
	// references as written.
	Text string

	pos textPos // where Text starts in the file, for error positions
}

// Fires says what makes a detection fire.
type Fires struct {
	// MinRows is how many matching rows (events, findings) fire the
	// detection; at least 1.
	MinRows int
	// Field, when set, restricts the rows that count to those where the
	// field holds Value (an Insights result column, a JSON path into the
	// event's message, or a finding attribute path).
	Field string
	// Value is what Field must hold, with ${name} references; empty with
	// HasValue false means the field must merely be present and non-empty.
	Value    string
	HasValue bool
}

// Parameter is a value a detection takes from the run or from flags.
type Parameter struct {
	Name        string
	Default     string
	Description string
}

// Detection is a parsed, validated detection.
type Detection struct {
	ID          string
	Title       string
	Description string
	Severity    Severity
	// MITRE lists ATT&CK technique IDs (T1078.004).
	MITRE     []string
	Telemetry Role
	Rule      Rule
	Fires     Fires
	// Parameters are in the order the file declares them.
	Parameters []Parameter
	// Timeout bounds how long Wait polls for it; DefaultTimeout(Telemetry)
	// when the file gives none.
	Timeout time.Duration

	// File is the path the detection was read from ("" for Parse of bytes
	// without a name); Line is the line of its id.
	File string
	Line int
}

// Parameter returns the named parameter.
func (d *Detection) Parameter(name string) (Parameter, bool) {
	for _, p := range d.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return Parameter{}, false
}

// DefaultTimeout is how long a detection over the role is waited for when
// its file names no timeout: AWS's delivery latencies with room to spare
// (CloudTrail to CloudWatch Logs 5–15 minutes, flow logs up to the
// 10-minute aggregation interval plus about 5 minutes of delivery,
// GuardDuty findings minutes after the activity).
func DefaultTimeout(r Role) time.Duration {
	switch r {
	case RoleVPCFlow:
		return 20 * time.Minute
	case RoleGuardDuty:
		return 30 * time.Minute
	}
	return 20 * time.Minute
}

// EffectiveTimeout is the detection's timeout or the role's default.
func (d *Detection) EffectiveTimeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return DefaultTimeout(d.Telemetry)
}

// Where is "file:line" for messages.
func (d *Detection) Where() string {
	if d.File == "" {
		return fmt.Sprintf("line %d", d.Line)
	}
	return fmt.Sprintf("%s:%d", d.File, d.Line)
}
