// Package seedlab runs irdrill's two seed documents end to end against an
// AWS-compatible endpoint: the workshop's lab-account setup, the "EC2 crypto
// mining" playbook's simulation with a leaked access key, the detections of
// the lab "Incident Response with AWS Console and CLI" (CloudWatch Logs
// Insights queries and filter-log-events patterns over the CloudTrail log
// group), the playbook's containment, and a check that containment holds
// when the key comes back to life.
//
// It is `irdrill lab`, the walkthrough in one report; the simulate and
// detect packages do its parts one by one, for any target. It talks to the
// endpoint only through aws-sdk-go-v2 clients: the embedded sandbox, or a
// served one whose lab account target.SetUpLab prepared (Config.Lab). The
// attacker's calls carry the sandbox's source-IP header so that they
// appear to come from the attacker's address.
package seedlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/irdrill/irdrill/target"
)

// Defaults, as the seed documents use them.
const (
	DefaultRegion     = "us-east-1"
	DefaultAttackerIP = "203.0.113.99"
	DefaultLeakedUser = "pipeline"

	// DefaultUserAgent is the playbook's user agent without its trailing
	// command/<service>.<command>, which each call appends as the CLI does.
	DefaultUserAgent = "aws-cli/2.2.1 Python/3.8.8 Darwin/20.5.0 exe/x86_64 prompt/off"
)

// Names of what the setup creates, fixed so that reports are comparable
// between runs. The lab expects an account where they do not exist yet.
const (
	TrailName            = "irdrill-lab-trail"
	TrailBucket          = "irdrill-lab-cloudtrail"
	TrailLogGroup        = "irdrill-lab/cloudtrail"
	TrailRoleName        = "irdrill-lab-CloudTrailToCloudWatchLogs"
	FlowLogGroup         = "irdrill-lab/vpc-flow-logs"
	FlowLogRoleName      = "irdrill-lab-VPCFlowLogsToCloudWatchLogs"
	IntegrationPolicy    = "SimulationStack-SystemIntegrationPolicy"
	ContainmentPolicy    = "iam-containment-policy"
	ImageNamePattern     = "amzn2-ami-hvm-2.0.????????.?-x86_64-gp2"
	InstanceType         = "t2.nano"
	defaultPollInterval  = 250 * time.Millisecond
	defaultDetectSlack   = time.Minute
	defaultContainWindow = 2 * time.Minute
)

// Config says where and how to run the lab.
type Config struct {
	// Endpoint is the AWS-compatible endpoint, e.g. the embedded sandbox's
	// URL.
	Endpoint string
	// Region is where the lab runs; DefaultRegion when empty.
	Region string
	// AdminCredentials play SecurityBreakGlassRole: they set up the
	// account, detect and contain.
	AdminCredentials aws.Credentials
	// AttackerIP is the address the attacker's calls claim to come from;
	// DefaultAttackerIP when empty.
	AttackerIP string
	// LeakedUser is the IAM user whose access key leaks;
	// DefaultLeakedUser when empty.
	LeakedUser string
	// Clock is the target's time: it dates the attack window the
	// detections search (CloudTrail records carry the target's time, so it
	// must agree with the target's clock), measures time-to-detect and
	// time-to-contain, and bounds how long detections are polled
	// (DetectTimeout, never longer than that in wall time either, in case
	// the clock stands still); time.Now when nil.
	Clock func() time.Time
	// CloudTrailDeliveryDelay is how late the target delivers CloudTrail
	// records to CloudWatch Logs (AWS: 5–15 minutes). The detections wait
	// for it: DetectTimeout defaults to it plus a minute, and the poll
	// interval grows with it.
	CloudTrailDeliveryDelay time.Duration
	// DetectTimeout bounds how long detections are polled; see
	// CloudTrailDeliveryDelay for the default.
	DetectTimeout time.Duration
	// PollInterval is the pause between detection rounds and between
	// instance-state checks; 250ms, or a thirtieth of the delivery delay
	// (at most 10s), when zero.
	PollInterval time.Duration
	// StopLoggingBeforeAttack stops the trail's logging between setup and
	// attack, rehearsing a blind spot: every detection should then miss
	// and the lab fail.
	StopLoggingBeforeAttack bool
	// Logger receives progress at debug level; slog.Default() when nil.
	Logger *slog.Logger
	// Lab, when set, is a lab account already in place (target.SetUpLab on
	// a served sandbox): Run sets none up and plays the attacker with its
	// leaked key. Run refuses a lab whose key is already contained (the
	// lab ran there before) rather than stage an attack that cannot work.
	Lab *target.LabState
	// ProvisionLeakedKey, when set, gives the leaked user its access key
	// instead of CreateAccessKey, which always draws a random id. The
	// embedded sandbox uses it to hand out the seed's own key
	// (SeedAccessKeyID), so that the lab's queries read as the documents do.
	ProvisionLeakedKey func(ctx context.Context, userName string) (aws.Credentials, error)
}

// The playbook's leaked key, and the AWS documentation's example secret
// that goes with it.
const (
	SeedAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	SeedSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if c.AttackerIP == "" {
		c.AttackerIP = DefaultAttackerIP
	}
	if c.LeakedUser == "" {
		c.LeakedUser = DefaultLeakedUser
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.DetectTimeout <= 0 {
		c.DetectTimeout = c.CloudTrailDeliveryDelay + defaultDetectSlack
	}
	if c.PollInterval <= 0 {
		c.PollInterval = min(max(defaultPollInterval, c.CloudTrailDeliveryDelay/30), 10*time.Second)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Step is one action of the walkthrough as the report shows it.
type Step struct {
	OK     bool   `json:"ok"`
	Text   string `json:"text"`
	Detail string `json:"detail,omitempty"`
}

// AttackCall is one API call the attacker made with the leaked key.
type AttackCall struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	UserAgent string `json:"userAgent"`
	// ErrorCode is empty for a call that succeeded.
	ErrorCode string `json:"errorCode,omitempty"`
}

// Instance is one instance the attacker launched.
type Instance struct {
	ID               string `json:"id"`
	SubnetID         string `json:"subnetId"`
	AvailabilityZone string `json:"availabilityZone"`
	PrivateIP        string `json:"privateIp"`
	// State is the last state the responder read.
	State string `json:"state"`
}

// Detection is one of the lab's detections and how it fared.
type Detection struct {
	Name string `json:"name"`
	// Source is "insights" (StartQuery/GetQueryResults) or
	// "filter-log-events".
	Source string `json:"source"`
	// Query is the Insights query or the filter pattern.
	Query string `json:"query"`
	Fired bool   `json:"fired"`
	// Rows is how many rows (Insights) or events (filter-log-events)
	// matched in the attack window once delivery settled.
	Rows int `json:"rows"`
	// TimeToDetect is from the first attacker call to the first poll in
	// which the detection returned a row.
	TimeToDetect time.Duration `json:"timeToDetectNs,omitempty"`
	// Error is the last error the detection's API calls returned.
	Error string `json:"error,omitempty"`
}

// Check is one containment or verification check.
type Check struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	Detail string `json:"detail,omitempty"`
}

// Result is the structured outcome of a lab run.
type Result struct {
	AccountID   string `json:"accountId"`
	Region      string `json:"region"`
	AttackerIP  string `json:"attackerIp"`
	LeakedUser  string `json:"leakedUser"`
	LeakedKeyID string `json:"leakedKeyId"`

	TrailARN      string `json:"trailArn"`
	TrailLogGroup string `json:"trailLogGroup"`
	FlowLogID     string `json:"flowLogId"`
	FlowLogGroup  string `json:"flowLogGroup"`
	DefaultVPCID  string `json:"defaultVpcId"`

	ImageID     string       `json:"imageId"`
	ImageName   string       `json:"imageName"`
	VPCIDs      []string     `json:"vpcIds"`
	SubnetIDs   []string     `json:"subnetIds"`
	Instances   []Instance   `json:"instances"`
	AttackCalls []AttackCall `json:"attackCalls"`
	// DeniedCalls counts the attacker calls that were denied.
	DeniedCalls int `json:"deniedCalls"`

	AttackStart time.Time `json:"attackStart"`
	AttackEnd   time.Time `json:"attackEnd"`

	Setup        []Step      `json:"setup"`
	Attack       []Step      `json:"attack"`
	Detections   []Detection `json:"detections"`
	Containment  []Check     `json:"containment"`
	Verification []Check     `json:"verification"`

	// TimeToDetect is from the first attacker call to the first detection
	// that fired; zero when none fired.
	TimeToDetect time.Duration `json:"timeToDetectNs"`
	// TimeToContain is from the first attacker call to the moment the key
	// was inactive, the containment policy attached and every instance
	// read stopped; zero when containment did not complete.
	TimeToContain time.Duration `json:"timeToContainNs"`
}

// DetectionsFired counts the detections that fired.
func (r *Result) DetectionsFired() int {
	n := 0
	for _, d := range r.Detections {
		if d.Fired {
			n++
		}
	}
	return n
}

// ChecksPassed counts containment and verification checks that passed,
// and returns the total number of checks.
func (r *Result) ChecksPassed() (passed, total int) {
	for _, c := range append(append([]Check(nil), r.Containment...), r.Verification...) {
		total++
		if c.Passed {
			passed++
		}
	}
	return passed, total
}

// Passed reports whether every detection fired and every containment and
// verification check passed.
func (r *Result) Passed() bool {
	passed, total := r.ChecksPassed()
	return len(r.Detections) > 0 && r.DetectionsFired() == len(r.Detections) && total > 0 && passed == total
}

// Run sets up the lab account, runs the attack, detects it, contains it and
// verifies that containment holds, writing the report to report as each
// section completes. It returns an error only when the walkthrough cannot
// go on (setup or the attack failed, the context ended); detections that
// miss and checks that fail are outcomes, recorded in the Result. The
// Result is returned, partly filled, with any error.
func Run(ctx context.Context, cfg Config, report io.Writer) (*Result, error) {
	cfg = cfg.withDefaults()
	if cfg.Endpoint == "" {
		return nil, errors.New("seedlab: no endpoint")
	}
	if cfg.AdminCredentials.AccessKeyID == "" {
		return nil, errors.New("seedlab: no admin credentials")
	}
	l := newLab(cfg, report)
	if cfg.Lab != nil {
		// Before the report starts: an account that cannot host the
		// attack is refused, not half-reported.
		l.cfg.LeakedUser, l.res.LeakedUser = cfg.Lab.LeakedUser, cfg.Lab.LeakedUser
		if err := l.checkPrepared(ctx); err != nil {
			return nil, err
		}
	}
	err := l.run(ctx)
	return l.res, err
}

func (l *lab) run(ctx context.Context) error {
	l.header()
	if err := l.setup(ctx); err != nil {
		l.section("Setup", l.res.Setup)
		return fmt.Errorf("set up the lab account: %w", err)
	}
	l.section("Setup", l.res.Setup)
	if err := l.attack(ctx); err != nil {
		l.section("Attack", l.res.Attack)
		return fmt.Errorf("simulate the attack: %w", err)
	}
	l.attackSection()
	err := l.detect(ctx)
	l.detectSection()
	if err != nil {
		return fmt.Errorf("detect: %w", err)
	}
	if err := l.contain(ctx); err != nil {
		l.checkSection("Contain", l.res.Containment)
		return fmt.Errorf("contain: %w", err)
	}
	l.containSection()
	err = l.verify(ctx)
	l.checkSection("Verify (the key active again for a moment: the containment policy must still deny it)", l.res.Verification)
	if err != nil {
		return fmt.Errorf("verify containment: %w", err)
	}
	l.summary()
	return nil
}
