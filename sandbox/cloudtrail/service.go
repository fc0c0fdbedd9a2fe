package cloudtrail

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// Config configures a Service.
type Config struct {
	AccountID string
	Clock     func() time.Time
	// DeliveryDelay is the delay before records reach CloudWatch Logs; 0 =
	// immediate. Drills set 5–15 min to rehearse AWS's delay.
	DeliveryDelay time.Duration
	Logs          LogDeliverer // may be nil (no Logs service)
	// Retention is how long records are kept, by the Clock; older ones are
	// dropped. 0 means DefaultRetention (90 days, LookupEvents' window).
	Retention time.Duration
	// MaxBytes caps what the records take (approximately: their JSON and
	// a fixed overhead each, see StoreStats); past it the oldest records
	// are dropped first. 0 means DefaultMaxBytes.
	MaxBytes int64
}

// LogDeliverer is implemented by the sandbox's CloudWatch Logs service.
type LogDeliverer interface {
	// DeliverTrailEvents appends records to logStreamName in the log group
	// named by logGroupARN (arn:aws:logs:<region>:<acct>:log-group:<name>:*),
	// creating the stream if needed.
	DeliverTrailEvents(ctx context.Context, logGroupARN, logStreamName string, events []DeliveredEvent) error
}

// DeliveredEvent is one record as CloudTrail hands it to CloudWatch Logs.
type DeliveredEvent struct {
	Timestamp time.Time
	Message   string
}

// Service is the sandbox's CloudTrail. It is safe for concurrent use.
type Service struct {
	account string
	clock   func() time.Time
	delay   time.Duration
	logs    LogDeliverer
	log     *slog.Logger

	seq atomic.Uint64 // arrival order of records, the tiebreak of equal eventTimes

	regionsMu sync.RWMutex
	regions   map[string]*regionLog

	// trailsMu guards trails and every trail's mutable state. Record reads
	// the logging trails through snapshot instead, so that the hot path
	// never waits for a trail API call.
	trailsMu sync.Mutex
	trails   []*trail
	snapshot atomic.Pointer[[]trailView]

	delivery *deliveryQueue
	limits   storeLimits

	closeOnce sync.Once
	stop      context.CancelFunc
	done      chan struct{}
}

// New starts a Service and its delivery goroutine; call Close to stop it.
func New(cfg Config) *Service {
	s, ctx := newService(cfg)
	go s.deliverLoop(ctx)
	return s
}

// newService builds a Service without its delivery goroutine, which tests
// leave out when they drive delivery with Flush alone.
func newService(cfg Config) (*Service, context.Context) {
	clock := cfg.Clock
	if clock == nil {
		clock = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		account:  cfg.AccountID,
		clock:    clock,
		delay:    cfg.DeliveryDelay,
		logs:     cfg.Logs,
		log:      slog.Default().With("service", "cloudtrail"),
		regions:  map[string]*regionLog{},
		delivery: newDeliveryQueue(),
		stop:     cancel,
		done:     make(chan struct{}),
	}
	s.snapshot.Store(&[]trailView{})
	s.limits.retention, s.limits.maxBytes = cfg.Retention, cfg.MaxBytes
	if s.limits.retention <= 0 {
		s.limits.retention = DefaultRetention
	}
	if s.limits.maxBytes <= 0 {
		s.limits.maxBytes = DefaultMaxBytes
	}
	return s, ctx
}

// Close stops the delivery goroutine. Deliveries still pending (not yet
// due, or due but not yet picked up) are dropped, not flushed: the sandbox
// is shutting down and its Logs service may be gone. Tests that want every
// due record delivered call Flush before Close.
func (s *Service) Close() {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
		s.delivery.drop()
	})
}

// SigningName implements api.Service.
func (s *Service) SigningName() string { return "cloudtrail" }

// EventSource implements api.Service.
func (s *Service) EventSource() string { return "cloudtrail.amazonaws.com" }

// Protocol implements api.Service.
func (s *Service) Protocol() api.Protocol { return api.ProtocolJSON }

// XMLNamespace implements api.Service; CloudTrail speaks JSON.
func (s *Service) XMLNamespace() string { return "" }

// TargetPrefix implements api.Service. AWS accepts two X-Amz-Target
// prefixes for CloudTrail: aws-sdk-go-v2 sends "CloudTrail_20131101", while
// botocore (the AWS CLI) sends the service model's
// "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101". The interface
// takes one; the short form is the one whose action the front end can
// split off at the first dot.
func (s *Service) TargetPrefix() string { return "CloudTrail_20131101" }

// Handle implements api.Service.
func (s *Service) Handle(ctx context.Context, call *api.Call) (any, error) {
	switch call.Action {
	case "LookupEvents":
		return s.lookupEvents(ctx, call)
	case "CreateTrail":
		return s.createTrail(ctx, call)
	case "DescribeTrails":
		return s.describeTrails(ctx, call)
	case "GetTrail":
		return s.getTrail(ctx, call)
	case "GetTrailStatus":
		return s.getTrailStatus(ctx, call)
	case "StartLogging":
		return s.setLogging(ctx, call, true)
	case "StopLogging":
		return s.setLogging(ctx, call, false)
	case "DeleteTrail":
		return s.deleteTrail(ctx, call)
	case "UpdateTrail":
		return s.updateTrail(ctx, call)
	case "ListTrails":
		return s.listTrails(ctx, call)
	case "PutEventSelectors":
		return s.putEventSelectors(ctx, call)
	case "GetEventSelectors":
		return s.getEventSelectors(ctx, call)
	}
	return nil, api.InvalidAction(s, call.Action)
}

// epochTime renders as JSON 1.1 timestamps do: seconds since the epoch,
// with a fraction when there is one.
type epochTime time.Time

func (t epochTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	ms := tt.UnixMilli()
	if ms%1000 == 0 {
		return []byte(formatInt(ms / 1000)), nil
	}
	return []byte(formatFloat(float64(ms) / 1000)), nil
}

func epochPtr(t time.Time) *epochTime {
	if t.IsZero() {
		return nil
	}
	e := epochTime(t)
	return &e
}
