package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/irdrill/irdrill/internal/buildinfo"
	"github.com/irdrill/irdrill/internal/ids"
	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
	"github.com/irdrill/irdrill/sandbox/ec2"
	"github.com/irdrill/irdrill/sandbox/iam"
	"github.com/irdrill/irdrill/sandbox/logs"
	"github.com/irdrill/irdrill/sandbox/sigv4"
	"github.com/irdrill/irdrill/sandbox/sts"
)

// maxBodyBytes bounds a request body. PutLogEvents, the largest request the
// sandbox serves, is capped by AWS at 1 MiB of events plus JSON overhead.
const maxBodyBytes = 8 << 20

// HealthPath answers whether the sandbox serves.
const HealthPath = "/_irdrill/health"

// Handler is the sandbox's HTTP front end: it authenticates, routes,
// renders and records every request.
type Handler struct {
	accountID   string
	region      string
	adminKeyID  string
	adminSecret string
	trustSrcIP  bool
	clock       func() time.Time
	log         *slog.Logger

	services    map[string]api.Service // by SigV4 signing name
	credentials []api.CredentialStore
	authorizer  api.Authorizer

	iam   *iam.Service
	sts   *sts.Service
	ec2   *ec2.Service
	logs  *logs.Service
	trail *cloudtrail.Service
	// ext serves the signed /_irdrill/ extensions (extensions.go).
	ext *extensions

	// server is what Start set the HTTP server to, for the health
	// document; zero for a handler served by someone else.
	server   ServerLimits
	inFlight atomic.Int64
}

// NewHandler builds the services and bootstraps the admin user.
func NewHandler(opts Options) (*Handler, error) {
	h := &Handler{
		accountID:   firstNonEmpty(opts.AccountID, DefaultAccountID),
		region:      firstNonEmpty(opts.Region, DefaultRegion),
		adminKeyID:  firstNonEmpty(opts.AdminAccessKeyID, DefaultAdminAccessKeyID),
		adminSecret: firstNonEmpty(opts.AdminSecretAccessKey, DefaultAdminSecretAccessKey),
		trustSrcIP:  opts.TrustSourceIPHeader,
		clock:       opts.Clock,
		log:         opts.Logger,
	}
	if h.clock == nil {
		h.clock = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if !validAccountID(h.accountID) {
		return nil, fmt.Errorf("account id %q: must be 12 digits", h.accountID)
	}
	if !strings.HasPrefix(h.adminKeyID, "AKIA") || len(h.adminKeyID) < 16 || len(h.adminKeyID) > 128 {
		return nil, fmt.Errorf("admin access key id %q: must start with AKIA and be 16 to 128 characters", h.adminKeyID)
	}
	if h.adminSecret == "" {
		return nil, errors.New("admin secret access key is empty")
	}

	h.iam = iam.New(iam.Config{AccountID: h.accountID, Clock: h.clock})
	h.sts = sts.New(sts.Config{AccountID: h.accountID, Clock: h.clock, Roles: h.iam})
	h.ec2 = ec2.New(ec2.Config{AccountID: h.accountID, Clock: h.clock, InstanceProfiles: instanceProfiles{h.iam}})
	h.logs = logs.New(logs.Config{AccountID: h.accountID, Clock: h.clock, QueryLatency: opts.QueryLatency, QueryResultsMaxBytes: opts.QueryResultsMaxBytes})
	h.trail = cloudtrail.New(cloudtrail.Config{AccountID: h.accountID, Clock: h.clock, DeliveryDelay: opts.CloudTrailDeliveryDelay, Logs: h.logs,
		Retention: opts.CloudTrailRetention, MaxBytes: opts.CloudTrailMaxBytes})

	h.services = map[string]api.Service{}
	for _, svc := range []api.Service{h.iam, h.sts, h.ec2, h.logs, h.trail} {
		h.services[svc.SigningName()] = svc
	}
	h.ext = &extensions{iam: h.iam}
	h.credentials = []api.CredentialStore{h.iam, h.sts}
	h.authorizer = h.iam

	if err := h.iam.Bootstrap(DefaultAdminUserName, h.adminKeyID, h.adminSecret); err != nil {
		return nil, fmt.Errorf("bootstrap admin user: %w", err)
	}
	return h, nil
}

// instanceProfiles lets EC2 resolve IAM instance profiles and their roles.
type instanceProfiles struct{ iam *iam.Service }

func (p instanceProfiles) InstanceProfile(arnOrName string) (ec2.InstanceProfile, bool) {
	info, ok := p.iam.InstanceProfile(arnOrName)
	if !ok {
		return ec2.InstanceProfile{}, false
	}
	return ec2.InstanceProfile{ARN: info.ARN, ID: info.ID, RoleARN: info.Role.ARN}, true
}

// Close stops background work (CloudTrail delivery).
func (h *Handler) Close() { h.trail.Close() }

// exchange is one request on its way through the front end.
type exchange struct {
	h        *Handler
	r        *http.Request
	body     []byte
	start    time.Time
	svc      api.Service
	protocol api.Protocol
	action   string
	region   string
	params   *api.Params // query-protocol parameters
	call     *api.Call
	cred     *api.Credential
	srcIP    string
	reqID    string
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	if healthOnly(r) {
		// The connection holds the slot kept for health checks: it serves
		// one health request, or says the server is busy, and closes.
		w.Header().Set("Connection", "close")
		if r.URL.Path != HealthPath {
			// Answered in the caller's protocol, from its headers alone.
			x := &exchange{h: h, r: r, reqID: ids.UUID(), protocol: api.ProtocolQuery}
			sig, _ := sigv4.Parse(r)
			if x.route(sig); x.svc == nil && r.Header.Get("X-Amz-Target") != "" {
				x.protocol = api.ProtocolJSON
			}
			x.writeError(w, api.ServiceUnavailable(x.protocol))
			return
		}
	}
	if r.URL.Path == HealthPath {
		h.serveHealth(w, r)
		return
	}
	x := &exchange{h: h, r: r, start: h.clock(), reqID: ids.UUID(), region: h.region}
	x.srcIP = h.sourceIP(r)

	result, apiErr := x.serve()
	if apiErr != nil {
		x.writeError(w, apiErr)
	} else {
		x.writeResult(w, result)
	}
	x.record(result, apiErr)
}

// serve runs the request and returns the result to render or the error.
func (x *exchange) serve() (result any, apiErr *api.Error) {
	if x.r.ContentLength > maxBodyBytes {
		return nil, api.Errorf("RequestEntityTooLarge", "Request body must be at most %d bytes", maxBodyBytes).WithStatus(http.StatusRequestEntityTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(x.r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, api.Errorf("InvalidRequest", "could not read the request body: %s", err.Error())
	}
	if len(body) > maxBodyBytes {
		return nil, api.Errorf("RequestEntityTooLarge", "Request body must be at most %d bytes", maxBodyBytes).WithStatus(http.StatusRequestEntityTooLarge)
	}
	x.body = body

	sig, sigErr := sigv4.Parse(x.r)
	x.route(sig)
	if x.svc == nil {
		if sigErr != nil && !errors.Is(sigErr, sigv4.ErrNotSigned) {
			// A malformed signature hides the service it was meant for.
			x.protocol = api.ProtocolQuery
			if x.r.Header.Get("X-Amz-Target") != "" {
				x.protocol = api.ProtocolJSON
			}
			return nil, api.IncompleteSignature(x.protocol, sigErr.Error())
		}
		return nil, x.unknownService(sig)
	}
	if sigErr != nil {
		if errors.Is(sigErr, sigv4.ErrNotSigned) {
			return nil, api.MissingAuthenticationToken(x.protocol)
		}
		return nil, api.IncompleteSignature(x.protocol, sigErr.Error())
	}
	if x.svc == x.h.ext {
		if apiErr := x.h.ext.checkScope(sig); apiErr != nil {
			return nil, apiErr
		}
	}
	// A scope naming a region AWS does not have is refused before the key
	// is looked up, so nothing (not even a CloudTrail record) is kept for it.
	if err := sigv4.CheckRegion(sig); err != nil {
		e := api.SignatureDoesNotMatch(x.protocol)
		e.Message = err.Error()
		return nil, e
	}
	x.region = sig.Region

	if apiErr := x.parseAction(); apiErr != nil {
		return nil, apiErr
	}
	if apiErr := x.authenticate(sig); apiErr != nil {
		return nil, apiErr
	}
	return x.invoke()
}

// route picks the service: the credential scope names it; an unsigned
// request is routed by X-Amz-Target or the host name so that its error is
// rendered in the right protocol.
func (x *exchange) route(sig *sigv4.Signature) {
	if isExtension(x.r, sig) {
		x.svc, x.protocol = x.h.ext, x.h.ext.Protocol()
		return
	}
	name := ""
	switch {
	case sig != nil:
		name = sig.Service
	case x.r.Header.Get("X-Amz-Target") != "":
		target := x.r.Header.Get("X-Amz-Target")
		for _, svc := range x.h.services {
			if dot := strings.LastIndexByte(target, '.'); dot > 0 && targetPrefixMatches(target[:dot], svc.TargetPrefix()) {
				name = svc.SigningName()
			}
		}
	default:
		host, _, _ := strings.Cut(x.r.Host, ".")
		name = host
	}
	if svc, ok := x.h.services[name]; ok {
		x.svc = svc
		x.protocol = svc.Protocol()
	}
}

func (x *exchange) unknownService(sig *sigv4.Signature) *api.Error {
	if x.r.Header.Get("X-Amz-Target") != "" || strings.Contains(x.r.Header.Get("Content-Type"), "json") {
		x.protocol = api.ProtocolJSON
		return api.Errorf("UnknownOperationException", "The sandbox does not serve this service")
	}
	x.protocol = api.ProtocolQuery
	if sig == nil {
		return api.MissingAuthenticationToken(api.ProtocolQuery)
	}
	return api.Errorf("InvalidAction", "The sandbox does not serve the service %q named in the credential scope", sig.Service)
}

func (x *exchange) parseAction() *api.Error {
	switch x.protocol {
	case api.ProtocolJSON:
		// AWS's JSON services route POST requests only; any other method
		// names no operation.
		if x.r.Method != http.MethodPost {
			return api.Errorf("UnknownOperationException", "").WithStatus(http.StatusNotFound)
		}
		target := x.r.Header.Get("X-Amz-Target")
		dot := strings.LastIndexByte(target, '.')
		if dot < 0 || !targetPrefixMatches(target[:dot], x.svc.TargetPrefix()) || dot == len(target)-1 {
			return api.Errorf("UnknownOperationException", "")
		}
		x.action = target[dot+1:]
	case api.ProtocolRESTJSON:
		// The only REST service so far is the extensions (extensions.go).
		action, apiErr := x.h.ext.action(x.r.Method, x.r.URL.Path)
		if apiErr != nil {
			return apiErr
		}
		x.action = action
	default:
		raw := x.r.URL.RawQuery
		if x.r.Method == http.MethodPost {
			if raw != "" && len(x.body) > 0 {
				raw += "&"
			}
			raw += string(x.body)
		}
		params, err := api.ParseParams(raw)
		if err != nil {
			return api.AsError(err)
		}
		x.action = params.Get("Action")
		if x.action == "" {
			return api.Errorf("MissingAction", "Missing Action")
		}
		x.params = params
	}
	return nil
}

// authenticate checks the access key and the signature. A request that
// reaches this point names a service and an action, so it is recorded in
// CloudTrail even when it is rejected, attributed to the key's owner when
// the key is known.
func (x *exchange) authenticate(sig *sigv4.Signature) *api.Error {
	var cred *api.Credential
	for _, store := range x.h.credentials {
		if c, ok := store.LookupCredential(sig.AccessKeyID); ok {
			cred = c
			break
		}
	}
	if cred == nil {
		return api.InvalidClientTokenID(x.protocol)
	}
	x.cred = cred
	if !cred.Active {
		return api.InvalidClientTokenID(x.protocol)
	}
	if cred.SessionToken != "" && sig.SessionToken != cred.SessionToken {
		return api.InvalidClientTokenID(x.protocol)
	}
	if cred.SessionToken == "" && sig.SessionToken != "" {
		return api.InvalidClientTokenID(x.protocol)
	}
	if err := sigv4.Verify(x.r.Context(), x.r, x.body, sig, cred.SecretAccessKey, time.Now()); err != nil {
		var expired *sigv4.ExpiredError
		switch {
		case errors.As(err, &expired) && x.protocol == api.ProtocolEC2:
			return api.Errorf("RequestExpired", "Request has expired.")
		case errors.As(err, &expired):
			e := api.SignatureDoesNotMatch(x.protocol)
			e.Message = err.Error()
			return e
		case errors.Is(err, sigv4.ErrSignatureMismatch):
			return api.SignatureDoesNotMatch(x.protocol)
		case errors.As(err, new(*sigv4.RegionError)):
			e := api.SignatureDoesNotMatch(x.protocol)
			e.Message = err.Error()
			return e
		default:
			return api.IncompleteSignature(x.protocol, err.Error())
		}
	}
	if !cred.Expiration.IsZero() && !x.h.clock().Before(cred.Expiration) {
		return api.ExpiredToken(x.protocol)
	}
	return nil
}

func (x *exchange) invoke() (result any, apiErr *api.Error) {
	call := api.NewCall(x.svc, x.action, x.cred.Principal, x.h.authorizer)
	call.Params = x.params
	x.call = call
	call.Region = x.region
	call.AccountID = x.h.accountID
	call.RequestID = x.reqID
	call.Time = x.start
	call.SourceIP = x.srcIP
	call.UserAgent = x.r.UserAgent()
	call.Secure = x.r.TLS != nil
	call.HTTP = x.r
	if x.protocol != api.ProtocolEC2 && x.protocol != api.ProtocolQuery {
		call.Body = x.body
	}

	defer func() {
		if p := recover(); p != nil {
			x.h.log.Error("service panicked", "service", x.svc.SigningName(), "action", x.action, "panic", p, "stack", string(debug.Stack()))
			result, apiErr = nil, api.AsError(fmt.Errorf("panic: %v", p))
		}
	}()
	res, err := x.svc.Handle(x.r.Context(), call)
	if err != nil {
		apiErr := api.AsError(err)
		if apiErr.Code == "InternalFailure" {
			x.h.log.Error("service failed", "service", x.svc.SigningName(), "action", x.action, "err", err)
		}
		return nil, apiErr
	}
	if !call.Authorized() {
		// A handler that never asked IAM would silently allow everything;
		// fail the call so the bug shows in tests.
		x.h.log.Error("service returned success without authorising", "service", x.svc.SigningName(), "action", x.action)
		return nil, api.AsError(errors.New("unauthorised success"))
	}
	return res, nil
}

// sourceIP is the caller's address, or the simulated attacker's when
// simulation is on and the request names one.
func (h *Handler) sourceIP(r *http.Request) string {
	if h.trustSrcIP {
		if v := strings.TrimSpace(r.Header.Get(SourceIPHeader)); v != "" {
			if ip := net.ParseIP(v); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *Handler) serveHealth(w http.ResponseWriter, r *http.Request) {
	if !allowHealth(w, r) {
		return
	}
	trail := h.trail.Stats()
	body := map[string]any{
		"status":   "ok",
		"account":  h.accountID,
		"region":   h.region,
		"services": h.Services(),
		"version":  buildinfo.Version(),
		// What the sandbox offers beyond AWS's APIs: its signed
		// extensions, and whether a caller may claim a source address.
		"extensions":          h.ext.Names(),
		"trustSourceIpHeader": h.trustSrcIP,
		// What the sandbox keeps, and for how long: its memory is bounded
		// by these.
		"cloudtrailEventStore": map[string]any{
			"retentionSeconds": int64(trail.Retention / time.Second),
			"maxBytes":         trail.MaxBytes,
			"events":           trail.Events,
			"bytes":            trail.Bytes,
			"expired":          trail.Expired,
			"evicted":          trail.Evicted,
		},
		"logsInsights": h.logs.QueryStats(),
	}
	if h.server.MaxConnections > 0 {
		body["server"] = map[string]any{
			"readHeaderTimeoutSeconds": h.server.ReadHeaderTimeout.Seconds(),
			"readTimeoutSeconds":       h.server.ReadTimeout.Seconds(),
			"writeTimeoutSeconds":      h.server.WriteTimeout.Seconds(),
			"idleTimeoutSeconds":       h.server.IdleTimeout.Seconds(),
			"shutdownTimeoutSeconds":   h.server.ShutdownTimeout.Seconds(),
			"maxConnections":           h.server.MaxConnections,
			"maxHeaderBytes":           h.server.MaxHeaderBytes,
			"maxBodyBytes":             h.server.MaxBodyBytes,
			"requestsInFlight":         h.inFlight.Load() - 1, // not counting this one
		}
	}
	w.Header().Set("Content-Type", "application/json")
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(body)
	_, _ = w.Write(buf.Bytes())
}

// targetPrefixMatches accepts both spellings of a JSON service's target
// prefix: the SDKs send the short one ("CloudTrail_20131101"), botocore the
// fully qualified one ("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101").
func targetPrefixMatches(got, want string) bool {
	return want != "" && (got == want || strings.HasSuffix(got, "."+want))
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func validAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
