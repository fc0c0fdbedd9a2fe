// Package api is the contract between the sandbox's HTTP front end and its
// per-service packages (iam, sts, ec2, logs, cloudtrail, ...).
//
// The front end authenticates a request (SigV4), works out the service and
// the action, and hands the service a *Call. The service decodes its
// parameters, authorises the action against the caller's IAM policies with
// Call.Authorize, does the work and returns a result value. The front end
// renders the result (or an *Error) in the service's wire protocol and turns
// the whole exchange into a CloudTrail record.
package api

import (
	"context"
	"net/http"
	"time"
)

// Protocol is an AWS wire protocol, which decides how parameters arrive and
// how results and errors are rendered.
type Protocol int

const (
	// ProtocolQuery is the awsquery protocol (IAM, STS): form-encoded
	// parameters, XML results wrapped in <ActionResult>, errors in
	// <ErrorResponse>.
	ProtocolQuery Protocol = iota
	// ProtocolEC2 is the ec2query protocol: form-encoded parameters, XML
	// results directly under <ActionResponse>, errors in <Response><Errors>.
	ProtocolEC2
	// ProtocolJSON is awsJson1.1 (CloudWatch Logs, CloudTrail): the action
	// comes from X-Amz-Target, parameters and results are JSON.
	ProtocolJSON
	// ProtocolRESTJSON is restJson1: the action comes from the method and
	// path. The sandbox's own /_irdrill/ extensions speak it today, and
	// GuardDuty will when it is served.
	ProtocolRESTJSON
)

// Service is one AWS service served by the sandbox.
type Service interface {
	// SigningName is the service name in the SigV4 credential scope
	// ("ec2", "iam", "sts", "logs", "cloudtrail").
	SigningName() string
	// EventSource is the CloudTrail eventSource ("ec2.amazonaws.com").
	EventSource() string
	Protocol() Protocol
	// XMLNamespace is the xmlns of query-protocol responses; unused for JSON.
	XMLNamespace() string
	// TargetPrefix is the X-Amz-Target prefix for JSON services
	// ("Logs_20140328"); empty for query services.
	TargetPrefix() string
	// Handle runs one action. It returns the result value to render (a
	// struct with xml or json tags, or nil for an empty result) or an error;
	// an error that is not an *Error is reported as InternalFailure.
	// Handle must call call.Authorize before it reads or changes state.
	Handle(ctx context.Context, call *Call) (any, error)
}

// Call is one authenticated API request on its way through a service.
type Call struct {
	Service   Service
	Action    string // "RunInstances"
	Region    string // from the SigV4 credential scope
	AccountID string
	RequestID string
	Time      time.Time
	SourceIP  string // the caller, or the simulated attacker's address
	UserAgent string
	Secure    bool // the request came over TLS (aws:SecureTransport)
	Caller    *Principal

	// Params holds the form parameters of query-protocol requests.
	Params *Params
	// Body is the raw request body of JSON-protocol requests.
	Body []byte
	// HTTP is the original request, for REST protocols that read the path.
	HTTP *http.Request

	// RequestParameters and ResponseElements become the CloudTrail record's
	// fields of the same name. Services set them in AWS's documented shapes;
	// when left nil the front end derives requestParameters from the input.
	RequestParameters any
	ResponseElements  any
	// Resources become the record's resources list.
	Resources []TrailResource
	// ReadOnly overrides the front end's guess (Describe*/Get*/List*/Lookup*).
	ReadOnly *bool
	// DataEvent marks data-plane calls (PutLogEvents, GetLogEvents, …) that
	// CloudTrail records as data events rather than management events.
	DataEvent bool

	authorizer Authorizer
	authorized bool
}

// XMLAppender is implemented by query-protocol results that render their
// own XML children instead of going through encoding/xml's reflection, for
// hot, large responses (DescribeInstances). The bytes must be exactly what
// encoding/xml would produce for the value.
type XMLAppender interface {
	AppendInnerXML(dst []byte) []byte
}

// TrailResource is one entry of a CloudTrail record's resources list.
type TrailResource struct {
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId"`
	Type      string `json:"type,omitempty"`
}

// Authorizer decides whether a principal may perform an action on a
// resource. The sandbox's IAM store implements it.
type Authorizer interface {
	Authorize(ctx context.Context, req AuthzRequest) Decision
}

// AuthzRequest is the request context an authorisation decision reads.
type AuthzRequest struct {
	Principal *Principal
	Action    string // "ec2:RunInstances"
	Resource  string // ARN, or "*"
	Context   map[string][]string
}

// Decision is the outcome of policy evaluation.
type Decision int

const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

// NewCall prepares a call; the front end uses it, tests of single services
// may too.
func NewCall(svc Service, action string, caller *Principal, authz Authorizer) *Call {
	return &Call{Service: svc, Action: action, Caller: caller, authorizer: authz}
}

// Authorized reports whether the service asked for authorisation at least
// once. The front end refuses to return a success that was never
// authorised, so a forgotten check fails loudly instead of allowing.
func (c *Call) Authorized() bool { return c.authorized }

// SkipAuthorization records that the action needs no IAM permission, as
// AWS documents for sts:GetCallerIdentity and sts:GetSessionToken.
func (c *Call) SkipAuthorization() { c.authorized = true }

// Authorize checks the caller's identity policies for action on every
// resource, with the global condition keys of this request plus extra
// (service-specific keys such as ec2:InstanceType). It returns nil or the
// service's own access-denied error.
func (c *Call) Authorize(ctx context.Context, action string, resources []string, extra map[string][]string) error {
	c.authorized = true
	if c.Caller == nil {
		return AccessDenied(c, action, "*", ImplicitDeny)
	}
	if c.Caller.Type == PrincipalRoot {
		return nil
	}
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	condition := c.ConditionContext()
	for k, v := range extra {
		condition[k] = v
	}
	for _, resource := range resources {
		d := c.authorizer.Authorize(ctx, AuthzRequest{Principal: c.Caller, Action: action, Resource: resource, Context: condition})
		if d != Allow {
			return AccessDenied(c, action, resource, d)
		}
	}
	return nil
}

// AuthorizePassRole checks iam:PassRole on roleARN, as AWS does wherever an
// API hands a role to a service: with iam:PassedToService naming the
// service principal the role is passed to ("ec2.amazonaws.com") and, when
// the API knows it, iam:AssociatedResourceArn naming what the role will act
// for. A denial is the calling service's own access-denied error (EC2's
// UnauthorizedOperation), naming iam:PassRole and the role.
func (c *Call) AuthorizePassRole(ctx context.Context, roleARN, passedToService string, associatedResourceARNs ...string) error {
	extra := map[string][]string{"iam:passedtoservice": {passedToService}}
	if len(associatedResourceARNs) > 0 {
		extra["iam:associatedresourcearn"] = associatedResourceARNs
	}
	return c.Authorize(ctx, "iam:PassRole", []string{roleARN}, extra)
}

// ConditionContext returns the global condition keys AWS sets on every
// request, keyed in lower case.
func (c *Call) ConditionContext() map[string][]string {
	ctx := map[string][]string{
		"aws:currenttime":            {c.Time.UTC().Format(time.RFC3339)},
		"aws:epochtime":              {formatInt(c.Time.Unix())},
		"aws:requestedregion":        {c.Region},
		"aws:securetransport":        {formatBool(c.Secure)},
		"aws:multifactorauthpresent": {"false"},
		"aws:viaawsservice":          {"false"},
	}
	if c.SourceIP != "" {
		ctx["aws:sourceip"] = []string{c.SourceIP}
	}
	if c.UserAgent != "" {
		ctx["aws:useragent"] = []string{c.UserAgent}
	}
	if p := c.Caller; p != nil {
		ctx["aws:principalaccount"] = []string{p.AccountID}
		ctx["aws:principaltype"] = []string{p.conditionType()}
		ctx["aws:userid"] = []string{p.PrincipalID}
		switch p.Type {
		case PrincipalIAMUser:
			ctx["aws:principalarn"] = []string{p.ARN}
			ctx["aws:username"] = []string{p.UserName}
		case PrincipalAssumedRole:
			// aws:PrincipalArn of a role session is the role's ARN, not the
			// session's (IAM global condition keys reference).
			ctx["aws:principalarn"] = []string{p.RoleARN}
		default:
			ctx["aws:principalarn"] = []string{p.ARN}
		}
		if !p.TokenIssueTime.IsZero() {
			ctx["aws:tokenissuetime"] = []string{p.TokenIssueTime.UTC().Format(time.RFC3339)}
		}
	}
	return ctx
}
