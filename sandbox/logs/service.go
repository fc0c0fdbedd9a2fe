package logs

import (
	"context"
	"math"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/irdrill/irdrill/insights"
	"github.com/irdrill/irdrill/sandbox/api"
)

// Config configures the service.
type Config struct {
	AccountID string
	// Clock is the service's notion of now (creation and ingestion times,
	// retention, the PutLogEvents time window, query status); nil means
	// time.Now.
	Clock func() time.Time
	// QueryLatency is the least time a query reports Scheduled (its first
	// quarter) and then Running, whatever its actual progress; 0 reports
	// what the query is doing.
	QueryLatency time.Duration
	// QueryResultsMaxBytes caps what the results of finished queries take;
	// past it the oldest finished queries are forgotten first. 0 means
	// DefaultQueryResultsMaxBytes.
	QueryResultsMaxBytes int64
	// MaxRunningQueries is how many queries run at once; the others wait
	// Scheduled. 0 means GOMAXPROCS (at least 2).
	MaxRunningQueries int
	// QueryProgressHook, when set, is called from a running query's scan
	// each time its statistics advance. A test holds a query by blocking
	// in it.
	QueryProgressHook func(queryID string)
}

// Service is CloudWatch Logs. It is safe for concurrent use.
type Service struct {
	cfg Config

	mu      sync.RWMutex
	regions map[string]*region

	// nextID numbers log groups and streams across the service so that a
	// @ptr into a deleted and recreated group does not resolve.
	nextID atomic.Uint64

	qmu             sync.Mutex
	queries         map[string]*query
	resultBytes     int64 // of finished queries' results
	resultsMaxBytes int64
	evicted         int64
	sched           *scheduler
}

type region struct {
	groups map[string]*logGroup
	byID   map[uint64]*logGroup
}

type logGroup struct {
	id        uint64
	name      string
	logField  string // "<account>:<name>", the @log value shared by every event
	created   int64
	retention int // days; 0 = never expire
	kmsKeyID  string
	class     string
	tags      map[string]string

	streams     map[string]*logStream
	streamsByID map[uint64]*logStream
	storedBytes int64

	// ingest serialises ingestion into this group so that sequence numbers
	// are assigned and inserted in the same order.
	ingest sync.Mutex
	// seq is the last stored sequence number. It is written holding both
	// ingest and the service's write lock, so either lock suffices to read.
	seq uint64
}

type logStream struct {
	id      uint64
	name    string
	created int64
	// events is sorted by (timestamp, seq).
	events     []stored
	firstTS    int64
	lastTS     int64
	lastIngest int64
	lastSeq    uint64
}

// stored is one event of a stream.
type stored struct {
	ev  *insights.Event
	seq uint64
}

func (e stored) ts() int64 { return e.ev.Timestamp() }

// before orders events by timestamp, then ingestion order.
func (e stored) before(ts int64, seq uint64) bool {
	t := e.ev.Timestamp()
	return t < ts || (t == ts && e.seq < seq)
}

// New builds the service.
func New(cfg Config) *Service {
	s := &Service{cfg: cfg, regions: make(map[string]*region), queries: make(map[string]*query),
		resultsMaxBytes: cfg.QueryResultsMaxBytes, sched: newScheduler(cfg.MaxRunningQueries)}
	if s.resultsMaxBytes <= 0 {
		s.resultsMaxBytes = DefaultQueryResultsMaxBytes
	}
	return s
}

// SigningName implements api.Service.
func (s *Service) SigningName() string { return "logs" }

// EventSource implements api.Service.
func (s *Service) EventSource() string { return "logs.amazonaws.com" }

// Protocol implements api.Service.
func (s *Service) Protocol() api.Protocol { return api.ProtocolJSON }

// XMLNamespace implements api.Service; JSON services have none.
func (s *Service) XMLNamespace() string { return "" }

// TargetPrefix implements api.Service.
func (s *Service) TargetPrefix() string { return "Logs_20140328" }

func (s *Service) now() time.Time {
	if s.cfg.Clock != nil {
		return s.cfg.Clock()
	}
	return time.Now()
}

// Handle implements api.Service.
func (s *Service) Handle(ctx context.Context, call *api.Call) (any, error) {
	switch call.Action {
	case "CreateLogGroup":
		return s.createLogGroup(ctx, call)
	case "DeleteLogGroup":
		return s.deleteLogGroup(ctx, call)
	case "DescribeLogGroups":
		return s.describeLogGroups(ctx, call)
	case "CreateLogStream":
		return s.createLogStream(ctx, call)
	case "DeleteLogStream":
		return s.deleteLogStream(ctx, call)
	case "DescribeLogStreams":
		return s.describeLogStreams(ctx, call)
	case "PutLogEvents":
		call.DataEvent = true
		return s.putLogEvents(ctx, call)
	case "GetLogEvents":
		call.DataEvent = true
		return s.getLogEvents(ctx, call)
	case "FilterLogEvents":
		call.DataEvent = true
		return s.filterLogEvents(ctx, call)
	case "GetLogRecord":
		call.DataEvent = true
		return s.getLogRecord(ctx, call)
	case "StartQuery":
		return s.startQuery(ctx, call)
	case "GetQueryResults":
		call.DataEvent = true
		return s.getQueryResults(ctx, call)
	case "StopQuery":
		return s.stopQuery(ctx, call)
	case "DescribeQueries":
		return s.describeQueries(ctx, call)
	case "PutRetentionPolicy":
		return s.putRetentionPolicy(ctx, call)
	case "DeleteRetentionPolicy":
		return s.deleteRetentionPolicy(ctx, call)
	case "TagResource":
		return s.tagResource(ctx, call)
	case "UntagResource":
		return s.untagResource(ctx, call)
	case "ListTagsForResource":
		return s.listTagsForResource(ctx, call)
	case "TagLogGroup":
		return s.tagLogGroup(ctx, call)
	case "UntagLogGroup":
		return s.untagLogGroup(ctx, call)
	case "ListTagsLogGroup":
		return s.listTagsLogGroup(ctx, call)
	}
	return nil, api.InvalidAction(s, call.Action)
}

// Regions lists, sorted, the regions that hold log groups or held them.
func (s *Service) Regions() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	names := make([]string, 0, len(s.regions))
	for name := range s.regions {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ---- state helpers (callers hold s.mu) ----

func (s *Service) regionLocked(name string, create bool) *region {
	r := s.regions[name]
	if r == nil && create {
		r = &region{groups: make(map[string]*logGroup), byID: make(map[uint64]*logGroup)}
		s.regions[name] = r
	}
	return r
}

func (s *Service) groupLocked(regionName, name string) *logGroup {
	r := s.regions[regionName]
	if r == nil {
		return nil
	}
	return r.groups[name]
}

// existingGroupLocked is groupLocked for actions that need the group to
// exist.
func (s *Service) existingGroupLocked(regionName, name string) (*logGroup, error) {
	if g := s.groupLocked(regionName, name); g != nil {
		return g, nil
	}
	return nil, errGroupNotFound()
}

// cutoff is the oldest visible timestamp under the group's retention.
func (g *logGroup) cutoff(now time.Time) int64 {
	if g.retention == 0 {
		return math.MinInt64
	}
	return now.UnixMilli() - int64(g.retention)*dayMillis
}

const dayMillis = int64(24 * time.Hour / time.Millisecond)

// ---- names, ARNs, validation ----

var groupNameRE = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]+$`)

func (s *Service) accountID(call *api.Call) string {
	if call.AccountID != "" {
		return call.AccountID
	}
	return s.cfg.AccountID
}

// groupARN is the log-group ARN with the trailing ":*" that IAM policies
// and DescribeLogGroups' arn use.
func groupARN(region, account, name string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + name + ":*"
}

// groupARNBare is the ARN without ":*" (logGroupArn, tagging APIs).
func groupARNBare(region, account, name string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + name
}

func streamARN(region, account, group, stream string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group + ":log-stream:" + stream
}

func invalidParam(format string, args ...any) *api.Error {
	return api.Errorf("InvalidParameterException", format, args...)
}

func errGroupNotFound() *api.Error {
	return api.Errorf("ResourceNotFoundException", "The specified log group does not exist.")
}

func errStreamNotFound() *api.Error {
	return api.Errorf("ResourceNotFoundException", "The specified log stream does not exist.")
}

func missing(member string) *api.Error { return api.MissingParameter(api.ProtocolJSON, member) }

// validateGroupName checks a logGroupName member against the model's
// constraints; AWS reports them as InvalidParameterException with the
// JSON services' "1 validation error detected" wording.
func validateGroupName(member, name string) error {
	if name == "" {
		return missing(member)
	}
	if len(name) > 512 {
		return api.ValidationError("InvalidParameterException", member, name, "Member must have length less than or equal to 512")
	}
	if !groupNameRE.MatchString(name) {
		return api.ValidationError("InvalidParameterException", member, name, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`)
	}
	return nil
}

func validateStreamName(member, name string, required bool) error {
	if name == "" {
		if required {
			return missing(member)
		}
		return nil
	}
	if len(name) > 512 {
		return api.ValidationError("InvalidParameterException", member, name, "Member must have length less than or equal to 512")
	}
	if strings.ContainsAny(name, ":*") {
		return api.ValidationError("InvalidParameterException", member, name, "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

// validateStreamPath checks the logGroupName and logStreamName of an
// action on one stream, both required.
func validateStreamPath(groupName, streamName string) error {
	if err := validateGroupName("logGroupName", groupName); err != nil {
		return err
	}
	return validateStreamName("logStreamName", streamName, true)
}

// resolveIdentifier turns logGroupName / logGroupIdentifier (a name or a
// log-group ARN, with or without ":*") into a name. It reports an ARN of
// another account or region as a missing group, since the sandbox has no
// cross-account observability.
func resolveIdentifier(call *api.Call, account, name, identifier string, nameMember string) (string, error) {
	switch {
	case name != "" && identifier != "":
		return "", invalidParam("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != "":
		return name, validateGroupName(nameMember, name)
	case identifier == "":
		return "", invalidParam("Either the log group name or the log group ARN must be specified.")
	}
	return parseIdentifier(call.Region, account, identifier)
}

func parseIdentifier(region, account, identifier string) (string, error) {
	if !strings.HasPrefix(identifier, "arn:") {
		return identifier, validateGroupName("logGroupIdentifier", identifier)
	}
	parts := strings.SplitN(identifier, ":", 7)
	if len(parts) != 7 || parts[2] != "logs" || parts[5] != "log-group" || parts[6] == "" {
		return "", invalidParam("Invalid log group ARN: %s", identifier)
	}
	name := strings.TrimSuffix(parts[6], ":*")
	if err := validateGroupName("logGroupIdentifier", name); err != nil {
		return "", err
	}
	if parts[3] != region || parts[4] != account {
		return "", errGroupNotFound()
	}
	return name, nil
}
