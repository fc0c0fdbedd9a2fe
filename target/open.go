package target

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/sandbox"
)

// Options open a target.
type Options struct {
	Spec Spec
	// Region is the region configurations use; the sandbox's or
	// us-east-1 for endpoints, the credential chain's for AWS, when empty.
	Region string

	// Credentials are the responder's on an endpoint: by default
	// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else
	// the irdrill sandbox's bootstrap key, or moto's and LocalStack's
	// "test" key.
	Credentials *aws.Credentials

	// Profile is the shared-config profile of the aws kind.
	Profile string
	// AllowAccounts lists the AWS account IDs the aws kind may act on;
	// with none, it refuses. IRDRILL_ALLOWED_ACCOUNTS adds to it
	// (comma-separated).
	AllowAccounts []string
	// LogGroups name the log group of each telemetry role ("cloudtrail",
	// "vpc-flow", "dns"). On AWS they are the telemetry the target has;
	// elsewhere they replace the lab's names.
	LogGroups map[string]string
	// GuardDuty says that the AWS account has a GuardDuty detector.
	GuardDuty bool

	// Sandbox adjusts the embedded sandbox's options.
	Sandbox func(*sandbox.Options)
	// HTTPClient is used for endpoints and extensions; a loopback-safe
	// client when nil.
	HTTPClient *http.Client
	// Logger receives debug lines; discarded when nil.
	Logger *slog.Logger

	// loadAWSConfig replaces the default credential chain (tests).
	loadAWSConfig func(ctx context.Context, o Options) (aws.Config, error)
}

// EnvAllowedAccounts is the environment variable with the allowlisted AWS
// account IDs, comma-separated.
const EnvAllowedAccounts = "IRDRILL_ALLOWED_ACCOUNTS"

// Open connects to the target the options name. An aws target whose
// account is not allowlisted is refused with an *AccountNotAllowedError.
func Open(ctx context.Context, o Options) (*Target, error) {
	if o.HTTPClient == nil {
		o.HTTPClient = defaultHTTPClient()
	}
	var (
		t   *Target
		err error
	)
	switch o.Spec.Kind {
	case KindSandbox, "":
		o.Spec.Kind = KindSandbox
		t, err = openEmbedded(ctx, o)
	case KindEndpoint:
		t, err = openEndpoint(ctx, o)
	case KindAWS:
		t, err = openAWS(ctx, o)
	default:
		return nil, fmt.Errorf("target kind %q: want %s", o.Spec.Kind, SpecHelp)
	}
	if err != nil {
		return nil, err
	}
	for role, name := range o.LogGroups {
		if role != RoleCloudTrail && role != RoleVPCFlow && role != RoleDNS {
			_ = t.Close()
			return nil, fmt.Errorf("log group for %q: want a role cloudtrail, vpc-flow or dns", role)
		}
		t.SetLogGroup(role, name)
	}
	t.log.Debug("target open", "target", t.spec.String(), "flavor", t.flavor, "account", t.accountID, "region", t.region, "capabilities", t.caps.String())
	return t, nil
}

func baseConfig(region, endpoint string, client *http.Client) aws.Config {
	cfg := aws.Config{
		Region:     region,
		HTTPClient: client,
		// Errors surface as they are; the harness retries where it means to.
		Retryer: func() aws.Retryer { return aws.NopRetryer{} },
	}
	if endpoint != "" {
		cfg.BaseEndpoint = aws.String(endpoint)
	}
	return cfg
}

func staticProvider(c aws.Credentials) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
}

// envCredentials are the responder's credentials from the environment.
func envCredentials() (aws.Credentials, bool) {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return aws.Credentials{}, false
	}
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: os.Getenv("AWS_SESSION_TOKEN"), Source: "environment"}, true
}

// callerAccount asks STS whose credentials these are.
func callerAccount(ctx context.Context, cfg aws.Config) (account, arn string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", "", fmt.Errorf("get caller identity: %w", err)
	}
	return aws.ToString(out.Account), aws.ToString(out.Arn), nil
}

// openEmbedded starts the embedded sandbox, with the attacker's source
// address honoured.
func openEmbedded(ctx context.Context, o Options) (*Target, error) {
	opts := sandbox.Options{Region: o.Region, TrustSourceIPHeader: true, Logger: o.Logger}
	if o.Sandbox != nil {
		o.Sandbox(&opts)
	}
	// The sandbox lives until Close, not until the opening context ends.
	sb, err := sandbox.Start(context.WithoutCancel(ctx), opts)
	if err != nil {
		return nil, fmt.Errorf("start the embedded sandbox: %w", err)
	}
	h, ok, err := fetchHealth(ctx, o.HTTPClient, sb.URL)
	if err != nil || !ok {
		_ = sb.Close()
		return nil, fmt.Errorf("embedded sandbox health: %v", err)
	}
	t := newTarget(o.Spec, baseConfig(sb.Region, sb.URL, o.HTTPClient), o.Logger)
	t.flavor = FlavorIrdrill
	t.accountID = sb.AccountID
	t.description = fmt.Sprintf("embedded irdrill sandbox %s (account %s)", sb.URL, sb.AccountID)
	t.responder = staticProvider(sb.AdminCredentials)
	t.caps = h.capabilities()
	t.caps.SourceIP = opts.TrustSourceIPHeader
	t.caps.KeyImport = true
	t.importer = embeddedKeyImporter{sb: sb}
	if c := embeddedClock(sb); c != nil {
		t.clock = c
		t.caps.Clock = true
		t.caps.FlowLogs = t.caps.FlowLogs || (h.Telemetry == nil && h.serves("ec2") && h.serves("logs"))
	}
	t.ephemeral = true
	t.closeFn = sb.Close
	t.setLabLogGroups()
	return t, nil
}

// openEndpoint recognises what serves at the URL and learns its
// capabilities.
func openEndpoint(ctx context.Context, o Options) (*Target, error) {
	url := o.Spec.URL
	probeCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	h, isIrdrill, err := fetchHealth(probeCtx, o.HTTPClient, url)
	if err != nil {
		return nil, fmt.Errorf("target %s: %w", o.Spec, err)
	}
	flavor := FlavorIrdrill
	if !isIrdrill {
		switch {
		case answersJSON(probeCtx, o.HTTPClient, url+"/_localstack/health"):
			flavor = FlavorLocalStack
		case answersJSON(probeCtx, o.HTTPClient, url+"/moto-api/data.json"):
			flavor = FlavorMoto
		default:
			return nil, fmt.Errorf("target %s: the endpoint is neither an irdrill sandbox (%s), LocalStack (/_localstack/health) nor moto_server (/moto-api/data.json)", o.Spec, sandbox.HealthPath)
		}
	}
	region := o.Region
	if region == "" && h != nil {
		region = h.Region
	}
	if region == "" {
		region = sandbox.DefaultRegion
	}
	creds, ok := aws.Credentials{}, false
	if o.Credentials != nil {
		creds, ok = *o.Credentials, true
	} else {
		creds, ok = envCredentials()
	}
	if !ok {
		if flavor == FlavorIrdrill {
			creds = aws.Credentials{AccessKeyID: sandbox.DefaultAdminAccessKeyID, SecretAccessKey: sandbox.DefaultAdminSecretAccessKey, Source: "irdrill-sandbox-bootstrap"}
		} else {
			creds = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "emulator-default"}
		}
	}
	t := newTarget(o.Spec, baseConfig(region, url, o.HTTPClient), o.Logger)
	t.flavor = flavor
	t.responder = staticProvider(creds)
	respCfg, _ := t.Config(ctx, Responder)
	account, arn, err := callerAccount(ctx, respCfg)
	if err != nil {
		return nil, fmt.Errorf("target %s (%s): %w", o.Spec, flavor, err)
	}
	t.accountID = account
	t.stateKey = stateKeyFor("endpoint", url, account)
	switch flavor {
	case FlavorIrdrill:
		t.caps = h.capabilities()
		if h.TrustSourceIPHeader == nil && h.serves("cloudtrail") {
			t.caps.SourceIP, err = probeSourceIP(ctx, t)
			if err != nil {
				return nil, fmt.Errorf("target %s: probe the source-IP header: %w", o.Spec, err)
			}
		}
		ext := &extensionClient{url: url, region: region, client: o.HTTPClient, creds: t.responder}
		if t.caps.Clock {
			c, err := newHTTPClock(ctx, ext)
			if err != nil {
				return nil, fmt.Errorf("target %s: %w", o.Spec, err)
			}
			t.clock = c
		}
		if t.caps.KeyImport {
			t.importer = httpKeyImporter{ext: ext}
		}
		t.description = fmt.Sprintf("served irdrill sandbox %s %s (account %s, as %s)", url, h.Version, account, arn)
		t.setLabLogGroups()
	case FlavorMoto:
		// moto answers the APIs but delivers no telemetry: no CloudTrail
		// records in CloudWatch Logs, no flow-log records, no findings.
		t.description = fmt.Sprintf("moto_server %s (account %s)", url, account)
	case FlavorLocalStack:
		t.description = fmt.Sprintf("LocalStack %s (account %s)", url, account)
	}
	return t, nil
}

func answersJSON(ctx context.Context, client *http.Client, url string) bool {
	body, status, err := get(ctx, client, url)
	if err != nil || status != http.StatusOK {
		return false
	}
	s := strings.TrimSpace(string(body))
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
}

// AccountNotAllowedError is the aws kind's refusal.
type AccountNotAllowedError struct {
	Account, ARN string
	Allowed      []string
}

func (e *AccountNotAllowedError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("target aws: refusing to act on account %s (%s): no account is allowlisted; name it with --allow-account %s or %s", e.Account, e.ARN, e.Account, EnvAllowedAccounts)
	}
	return fmt.Sprintf("target aws: refusing to act on account %s (%s): it is not in the allowlist (%s); add it with --allow-account or %s", e.Account, e.ARN, strings.Join(e.Allowed, ", "), EnvAllowedAccounts)
}

// ErrAccountNotAllowed matches *AccountNotAllowedError with errors.Is.
var ErrAccountNotAllowed = errors.New("account not allowlisted")

func (e *AccountNotAllowedError) Is(target error) bool { return target == ErrAccountNotAllowed }

// allowlist merges the options' accounts with the environment's.
func allowlist(o Options) []string {
	var out []string
	for _, a := range append(append([]string(nil), o.AllowAccounts...), strings.Split(os.Getenv(EnvAllowedAccounts), ",")...) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
