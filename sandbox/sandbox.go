// Package sandbox is irdrill's AWS-compatible endpoint: one HTTP server that
// speaks the real AWS wire protocols for IAM, STS, EC2, CloudTrail and
// CloudWatch Logs, checks SigV4 on every request, authorises every action
// against IAM policies, and leaves behind the telemetry a real incident
// leaves (CloudTrail records, delivered to CloudWatch Logs).
//
// Start runs it in-process (the embedded sandbox); `irdrill sandbox serve`
// runs the same thing as a server.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
	"github.com/irdrill/irdrill/sandbox/ec2"
	"github.com/irdrill/irdrill/sandbox/iam"
	"github.com/irdrill/irdrill/sandbox/logs"
	"github.com/irdrill/irdrill/sandbox/sts"
)

// Defaults, as the seed documents use them.
const (
	DefaultAccountID            = "999999999999"
	DefaultRegion               = "us-east-1"
	DefaultAdminUserName        = "admin"
	DefaultAdminAccessKeyID     = "AKIAIRDRILLBOOTSTRAP"
	DefaultAdminSecretAccessKey = "irdrill-bootstrap-secret"
	// SourceIPHeader lets a simulation play a remote attacker: when
	// Options.TrustSourceIPHeader is on, its value becomes the caller's
	// address in CloudTrail and in aws:SourceIp.
	SourceIPHeader = "X-Irdrill-Source-Ip"
)

// Options configure a sandbox. The zero value is a working embedded sandbox
// on a random loopback port.
type Options struct {
	// Addr is the listen address; "" means 127.0.0.1:0.
	Addr      string
	AccountID string
	// Region is the default region reported by health and used by clients
	// that the sandbox configures itself.
	Region string

	AdminAccessKeyID     string
	AdminSecretAccessKey string

	// TrustSourceIPHeader honours SourceIPHeader, so that a simulation can
	// play a remote attacker; off, the header is ignored and callers are
	// recorded from their own address. The health document says which.
	// The embedded sandbox of target.Open and irdrill lab turn it on;
	// `irdrill sandbox serve` does with --trust-source-ip-header, --lab or
	// --attack.
	TrustSourceIPHeader bool

	// CloudTrailDeliveryDelay delays delivery of CloudTrail records to
	// CloudWatch Logs, to rehearse AWS's 5–15 minutes; 0 is immediate.
	CloudTrailDeliveryDelay time.Duration
	// QueryLatency is the least time a Logs Insights query reports
	// Scheduled, then Running.
	QueryLatency time.Duration
	// QueryResultsMaxBytes caps what finished Logs Insights queries'
	// results take (oldest forgotten first); 0 means 256 MiB.
	QueryResultsMaxBytes int64

	// CloudTrailRetention is how long CloudTrail records are kept, by the
	// sandbox clock; 0 means 90 days (LookupEvents' window).
	CloudTrailRetention time.Duration
	// CloudTrailMaxBytes caps what CloudTrail records take (oldest dropped
	// first); 0 means 256 MiB.
	CloudTrailMaxBytes int64

	// HTTP server limits; 0 means the Default* values. ReadTimeout covers
	// a request's header and body; IdleTimeout closes keep-alive
	// connections left unused.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConnections caps concurrent connections, one of which is kept for
	// health checks; 0 means DefaultMaxConnections. It never exceeds the
	// process's file descriptor limit less a reserve.
	MaxConnections int
	// ShutdownTimeout is how long a shutdown lets requests in flight
	// finish before cutting them; 0 means DefaultShutdownTimeout.
	ShutdownTimeout time.Duration

	// Clock returns the sandbox's notion of now (record times, key
	// expiry). Signature skew is always checked against the wall clock,
	// because clients sign with theirs.
	Clock  func() time.Time
	Logger *slog.Logger
}

// Sandbox is a running sandbox.
type Sandbox struct {
	// URL is the endpoint, e.g. http://127.0.0.1:4566.
	URL              string
	AccountID        string
	Region           string
	AdminCredentials aws.Credentials

	handler  *Handler
	server   *http.Server
	listener net.Listener
	limits   ServerLimits
	done     chan error // Serve's return

	shutdownOnce sync.Once
	shutdownDone chan struct{}
	shutdownErr  error
}

// Start builds a sandbox and serves it until ctx is cancelled or Close is
// called.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	h, err := NewHandler(opts)
	if err != nil {
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		h.Close()
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	limits := opts.serverLimits()
	h.server = limits
	sb := &Sandbox{
		URL:              "http://" + ln.Addr().String(),
		AccountID:        h.accountID,
		Region:           h.region,
		AdminCredentials: h.AdminCredentials(),
		handler:          h,
		listener:         ln,
		limits:           limits,
		server: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: limits.ReadHeaderTimeout,
			ReadTimeout:       limits.ReadTimeout,
			WriteTimeout:      limits.WriteTimeout,
			IdleTimeout:       limits.IdleTimeout,
			MaxHeaderBytes:    limits.MaxHeaderBytes,
			ConnContext:       connContext,
			ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelWarn),
		},
		done:         make(chan error, 1),
		shutdownDone: make(chan struct{}),
	}
	go func() { sb.done <- sb.server.Serve(newLimitListener(ln, limits.MaxConnections)) }()
	go func() {
		select {
		case <-ctx.Done():
			_ = sb.Close()
		case <-sb.shutdownDone:
		}
	}()
	return sb, nil
}

// Handler returns the sandbox's HTTP handler, e.g. to read its services.
func (s *Sandbox) Handler() *Handler { return s.handler }

// Shutdown stops accepting connections, closes idle ones, lets requests in
// flight finish until ctx ends, then cuts what is left (a *DrainError) and
// stops background delivery. Later calls wait for the first and return its
// result.
func (s *Sandbox) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		start := time.Now()
		err := s.server.Shutdown(ctx)
		if err != nil {
			inFlight := s.handler.inFlight.Load()
			_ = s.server.Close()
			err = &DrainError{Period: time.Since(start).Round(time.Millisecond), InFlight: inFlight}
		}
		s.handler.Close()
		s.shutdownErr = err
		close(s.shutdownDone)
	})
	<-s.shutdownDone
	return s.shutdownErr
}

// Close shuts the sandbox down, giving requests in flight the
// ShutdownTimeout to finish.
func (s *Sandbox) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.limits.ShutdownTimeout)
	defer cancel()
	return s.Shutdown(ctx)
}

// Wait blocks until the server has stopped: after a shutdown, until the
// requests in flight have finished or were cut. It returns Serve's error,
// or the shutdown's (a *DrainError when requests were cut).
func (s *Sandbox) Wait() error {
	err := <-s.done
	if errors.Is(err, http.ErrServerClosed) {
		<-s.shutdownDone
		return s.shutdownErr
	}
	return err
}

// Limits returns the HTTP server's resolved limits.
func (s *Sandbox) Limits() ServerLimits { return s.limits }

// Services lists the signing names of the services the sandbox serves.
func (h *Handler) Services() []string {
	names := make([]string, 0, len(h.services))
	for name := range h.services {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// IAM, STS, EC2, Logs and CloudTrail expose the service state for
// simulations, detections and tests in the same process.
func (h *Handler) IAM() *iam.Service               { return h.iam }
func (h *Handler) STS() *sts.Service               { return h.sts }
func (h *Handler) EC2() *ec2.Service               { return h.ec2 }
func (h *Handler) Logs() *logs.Service             { return h.logs }
func (h *Handler) CloudTrail() *cloudtrail.Service { return h.trail }

// AdminCredentials returns the bootstrap admin key.
func (h *Handler) AdminCredentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: h.adminKeyID, SecretAccessKey: h.adminSecret, Source: "irdrill-sandbox-bootstrap"}
}

var _ api.Service = (*iam.Service)(nil)
