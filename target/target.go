package target

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/sandboxtest"
)

// Identity names whose credentials a configuration signs with.
type Identity string

const (
	// Responder is the identity the harness sets up, investigates,
	// contains and cleans up with: the sandbox's bootstrap admin, the
	// endpoint's given key, or the AWS credential chain.
	Responder Identity = "responder"
	// LeakedKey is the lab's leaked access key (the pipeline user's), known
	// once SetUpLab has run or SetCredentials has named it.
	LeakedKey Identity = "leaked-key"
)

// Role is the identity of a role in the target's account, assumed by the
// responder when a configuration is asked for.
func Role(name string) Identity { return Identity("role:" + name) }

// RoleName is the role an identity from Role names, or "".
func (id Identity) RoleName() string {
	name, _ := strings.CutPrefix(string(id), "role:")
	if name == string(id) {
		return ""
	}
	return name
}

// Flavor is the software behind a target.
type Flavor string

const (
	FlavorIrdrill    Flavor = "irdrill"
	FlavorMoto       Flavor = "moto"
	FlavorLocalStack Flavor = "localstack"
	FlavorAWS        Flavor = "aws"
)

// Capabilities say what a target can do beyond the AWS APIs it serves.
type Capabilities struct {
	// Clock: the target's clock can be moved forward (Wait advances it).
	Clock bool `json:"clock"`
	// SourceIP: calls can claim a source address (the attacker's), which
	// the target records and evaluates as aws:SourceIp.
	SourceIP bool `json:"sourceIp"`
	// KeyImport: an access key with a chosen ID and secret can be given to
	// a user (the seed's AKIAIOSFODNN7EXAMPLE), which no IAM API can do.
	KeyImport bool `json:"keyImport"`
	// Telemetry the target delivers: CloudTrail records to CloudWatch
	// Logs, VPC flow-log records, Route 53 Resolver query logs, GuardDuty
	// findings.
	CloudTrailDelivery bool `json:"cloudTrailDelivery"`
	FlowLogs           bool `json:"flowLogs"`
	DNSLogs            bool `json:"dnsLogs"`
	GuardDuty          bool `json:"guardDuty"`
}

// Telemetry roles, as detect names them.
const (
	RoleCloudTrail = "cloudtrail"
	RoleVPCFlow    = "vpc-flow"
	RoleDNS        = "dns"
)

// Has reports whether the target delivers the role's telemetry
// ("cloudtrail", "vpc-flow", "dns", "guardduty").
func (c Capabilities) Has(role string) bool {
	switch role {
	case RoleCloudTrail:
		return c.CloudTrailDelivery
	case RoleVPCFlow:
		return c.FlowLogs
	case RoleDNS:
		return c.DNSLogs
	case "guardduty":
		return c.GuardDuty
	}
	return false
}

// String lists the capabilities that are on.
func (c Capabilities) String() string {
	var on []string
	for _, f := range []struct {
		on   bool
		name string
	}{{c.Clock, "clock"}, {c.SourceIP, "source-ip"}, {c.KeyImport, "key-import"}, {c.CloudTrailDelivery, "cloudtrail"},
		{c.FlowLogs, "vpc-flow"}, {c.DNSLogs, "dns"}, {c.GuardDuty, "guardduty"}} {
		if f.on {
			on = append(on, f.name)
		}
	}
	if len(on) == 0 {
		return "none"
	}
	return strings.Join(on, ", ")
}

// clockDriver moves a target's clock.
type clockDriver interface {
	Now() time.Time
	Advance(ctx context.Context, d time.Duration) (time.Time, error)
}

// keyImporter gives a user an access key with a chosen ID and secret.
type keyImporter interface {
	ImportAccessKey(ctx context.Context, userName, accessKeyID, secretAccessKey string) error
}

// Target is one drill target. Its methods are safe for concurrent use.
type Target struct {
	spec        Spec
	flavor      Flavor
	description string
	accountID   string
	region      string
	caps        Capabilities
	// base is the SDK configuration without credentials: region,
	// endpoint, HTTP client, retries.
	base      aws.Config
	responder aws.CredentialsProvider
	clock     clockDriver
	importer  keyImporter
	ephemeral bool
	// stateKey names the target in the state folder (saved lab
	// credentials); "" for targets whose state dies with the process.
	stateKey string
	log      *slog.Logger

	mu        sync.Mutex
	creds     map[Identity]aws.Credentials
	roles     map[string]aws.CredentialsProvider
	logGroups map[string]string
	lab       *LabState

	closeOnce sync.Once
	closeFn   func() error
	closeErr  error
}

// Spec is the spec the target was opened with.
func (t *Target) Spec() Spec { return t.spec }

// Kind is the target's kind.
func (t *Target) Kind() Kind { return t.spec.Kind }

// Flavor is the software behind the target.
func (t *Target) Flavor() Flavor { return t.flavor }

// Description says in a line what the target is.
func (t *Target) Description() string { return t.description }

// AccountID is the target's account.
func (t *Target) AccountID() string { return t.accountID }

// Region is the region the target's configurations use.
func (t *Target) Region() string { return t.region }

// Capabilities says what the target can do.
func (t *Target) Capabilities() Capabilities { return t.caps }

// Ephemeral reports whether the target's state dies with the process (the
// embedded sandbox): a run journal left open on it has nothing to clean.
func (t *Target) Ephemeral() bool { return t.ephemeral }

// StateKey names the target in the state folder, or "" for an ephemeral
// target.
func (t *Target) StateKey() string { return t.stateKey }

// ConfigOption changes one configuration.
type ConfigOption func(*configOptions)

type configOptions struct {
	sourceIP string
}

// FromSourceIP makes the configuration's calls claim to come from ip, on a
// target with the SourceIP capability; elsewhere it changes nothing (AWS
// sees the caller's own address).
func FromSourceIP(ip string) ConfigOption { return func(o *configOptions) { o.sourceIP = ip } }

// ErrUnknownIdentity is returned for an identity the target has no
// credentials for.
var ErrUnknownIdentity = errors.New("unknown identity")

// Config is an SDK configuration for the identity: Responder, LeakedKey,
// Role(name) (assumed by the responder, refreshed as it expires) or any
// identity named with SetCredentials.
func (t *Target) Config(ctx context.Context, id Identity, opts ...ConfigOption) (aws.Config, error) {
	var o configOptions
	for _, opt := range opts {
		opt(&o)
	}
	cfg := t.base.Copy()
	switch {
	case id == Responder:
		cfg.Credentials = t.responder
	case id.RoleName() != "":
		p, err := t.roleProvider(id.RoleName())
		if err != nil {
			return aws.Config{}, err
		}
		cfg.Credentials = p
	default:
		t.mu.Lock()
		c, ok := t.creds[id]
		t.mu.Unlock()
		if !ok {
			return aws.Config{}, fmt.Errorf("target %s: %w %q (set up the lab first, or name its credentials)", t.spec, ErrUnknownIdentity, id)
		}
		cfg.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	if o.sourceIP != "" && t.caps.SourceIP {
		cfg.APIOptions = append(cfg.APIOptions, sandbox.WithSourceIP(o.sourceIP))
	}
	return cfg, nil
}

func (t *Target) roleProvider(name string) (aws.CredentialsProvider, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.roles[name]; ok {
		return p, nil
	}
	respCfg := t.base.Copy()
	respCfg.Credentials = t.responder
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition(t.region), t.accountID, name)
	p := aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(respCfg), arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "irdrill-responder"
	}))
	t.roles[name] = p
	return p, nil
}

// SetCredentials names credentials as an identity, e.g. a user a technique
// created, or LeakedKey for a key given by flags.
func (t *Target) SetCredentials(id Identity, c aws.Credentials) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.creds[id] = c
}

// Credentials are the named identity's static credentials, if any.
func (t *Target) Credentials(id Identity) (aws.Credentials, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.creds[id]
	return c, ok
}

// ResponderConfig is Config(ctx, Responder), for detect.Target.
func (t *Target) ResponderConfig(ctx context.Context) (aws.Config, error) {
	return t.Config(ctx, Responder)
}

// Now is the target's clock.
func (t *Target) Now() time.Time {
	if t.clock != nil {
		return t.clock.Now()
	}
	return time.Now()
}

// Wait lets d pass on the target: it advances a controllable clock, and
// sleeps for real otherwise.
func (t *Target) Wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if t.clock != nil {
		if _, err := t.clock.Advance(ctx, d); err != nil {
			return fmt.Errorf("advance the clock of %s by %s: %w", t.spec, d, err)
		}
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// ImportAccessKey gives a user a key with a chosen ID and secret, on a
// target with the KeyImport capability.
func (t *Target) ImportAccessKey(ctx context.Context, userName, accessKeyID, secretAccessKey string) error {
	if t.importer == nil {
		return fmt.Errorf("target %s cannot import access keys", t.spec)
	}
	return t.importer.ImportAccessKey(ctx, userName, accessKeyID, secretAccessKey)
}

// HasCloudTrailDelivery, HasFlowLogs, HasDNSLogs and HasGuardDuty report
// the target's telemetry, for detect.Target.
func (t *Target) HasCloudTrailDelivery() bool { return t.caps.CloudTrailDelivery }
func (t *Target) HasFlowLogs() bool           { return t.caps.FlowLogs }
func (t *Target) HasDNSLogs() bool            { return t.caps.DNSLogs }
func (t *Target) HasGuardDuty() bool          { return t.caps.GuardDuty }

// LogGroup is the log group of a telemetry role ("cloudtrail", "vpc-flow",
// "dns"): the lab's, or the one given by flags; "" when the target has
// none.
func (t *Target) LogGroup(role string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.caps.Has(role) {
		return ""
	}
	return t.logGroups[role]
}

// SetLogGroup names the log group of a telemetry role.
func (t *Target) SetLogGroup(role, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.logGroups[role] = name
}

// Close releases the target: it stops an embedded sandbox.
func (t *Target) Close() error {
	t.closeOnce.Do(func() {
		if t.closeFn != nil {
			t.closeErr = t.closeFn()
		}
	})
	return t.closeErr
}

func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// newTarget fills the maps.
func newTarget(spec Spec, base aws.Config, log *slog.Logger) *Target {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Target{
		spec: spec, base: base, region: base.Region, log: log,
		creds: map[Identity]aws.Credentials{}, roles: map[string]aws.CredentialsProvider{}, logGroups: map[string]string{},
	}
}

// defaultHTTPClient is the client for endpoints: served sandboxes are
// usually on loopback, where the SDK's request-body race needs the
// isolating transport (see sandboxtest.HTTPClient).
func defaultHTTPClient() *http.Client { return sandboxtest.HTTPClient() }
