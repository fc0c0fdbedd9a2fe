package cloudtrail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// storedEvent is one record as the Service keeps it: the record, its JSON
// rendered once (LookupEvents' CloudTrailEvent and the CloudWatch Logs
// message are this exact string), and the lookup fields derived from it.
//
// The fields LookupEvents scans come first so that a scan over many
// records touches one cache line per record.
type storedEvent struct {
	at       time.Time
	seq      uint64
	mgmt     bool
	global   bool
	readOnly string // "true"/"false", as LookupEvents spells it
	name     string
	username string
	region   string

	ev  Event
	raw string

	// resources are derived lazily: only LookupEvents and event selectors
	// need them, and deriving means parsing requestParameters, which
	// Record should not pay for on every call.
	resourcesOnce sync.Once
	resources     []lookupResource
}

func (se *storedEvent) lookupResources() []lookupResource {
	se.resourcesOnce.Do(func() { se.resources = deriveResources(&se.ev) })
	return se.resources
}

// regionLog holds one region's records ordered by (eventTime, arrival).
type regionLog struct {
	mu     sync.RWMutex
	events []*storedEvent
}

// less orders records chronologically; arrival breaks ties because
// eventTime has only second precision.
func less(a, b *storedEvent) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.seq < b.seq
}

func (rl *regionLog) insert(se *storedEvent) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	n := len(rl.events)
	if n == 0 || less(rl.events[n-1], se) {
		rl.events = append(rl.events, se)
		return
	}
	// A concurrent request stamped earlier but recorded later: keep the
	// order so that pagination cursors stay valid.
	i, _ := slices.BinarySearchFunc(rl.events, se, func(x, target *storedEvent) int {
		if less(x, target) {
			return -1
		}
		return 1
	})
	rl.events = slices.Insert(rl.events, i, se)
}

// Record stores ev (in the region named by its awsRegion) and schedules its
// delivery to the trails that cover it. It copies ev, fills a missing
// eventID or eventTime, and never blocks on delivery.
func (s *Service) Record(ev *Event) {
	if ev == nil {
		return
	}
	e := *ev
	e.Resources = slices.Clone(ev.Resources)
	if e.EventID == "" {
		e.EventID = newUUID()
	}
	if e.EventTime == "" {
		e.EventTime = s.clock().UTC().Format(time.RFC3339)
	}
	raw, err := marshalRecord(&e)
	if err != nil {
		s.log.Error("cannot render CloudTrail record; dropped", "eventName", e.EventName, "eventID", e.EventID, "err", err)
		return
	}
	se := &storedEvent{
		at:       e.Time(),
		seq:      s.seq.Add(1),
		mgmt:     e.ManagementEvent,
		global:   isGlobalServiceEvent(&e),
		readOnly: strconv.FormatBool(e.ReadOnly),
		name:     e.EventName,
		username: lookupUsername(&e.UserIdentity),
		region:   e.AWSRegion,
		ev:       e,
		raw:      raw,
	}
	s.regionLog(e.AWSRegion, true).insert(se)
	s.countStored(se)
	s.schedule(se)
}

// Events returns a copy of the records stored for region, oldest first,
// data events included: what the retention and the size cap have kept.
func (s *Service) Events(region string) []Event {
	rl := s.regionLog(region, false)
	if rl == nil {
		return nil
	}
	rl.mu.RLock()
	defer rl.mu.RUnlock()
	out := make([]Event, len(rl.events))
	for i, se := range rl.events {
		out[i] = se.ev
		out[i].Resources = slices.Clone(se.ev.Resources)
	}
	return out
}

func (s *Service) regionLog(region string, create bool) *regionLog {
	s.regionsMu.RLock()
	rl := s.regions[region]
	s.regionsMu.RUnlock()
	if rl != nil || !create {
		return rl
	}
	s.regionsMu.Lock()
	defer s.regionsMu.Unlock()
	if rl = s.regions[region]; rl == nil {
		rl = &regionLog{}
		s.regions[region] = rl
	}
	return rl
}

// marshalRecord renders a record as CloudTrail does: compact, and without
// Go's HTML escaping of <, > and &, which AWS's records do not have.
func marshalRecord(e *Event) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// lookupUsername is LookupEvents' Username: the IAM user's name, the role
// session name for assumed roles, "root" for the account root, as the
// CloudTrail console's event history shows them.
func lookupUsername(u *UserIdentity) string {
	switch u.Type {
	case "IAMUser":
		if u.UserName != "" {
			return u.UserName
		}
		return lastSegment(u.ARN, '/')
	case "AssumedRole":
		// arn:aws:sts::ACCT:assumed-role/RoleName/SessionName
		return lastSegment(u.ARN, '/')
	case "Root":
		return "root"
	}
	return u.UserName
}

func lastSegment(s string, sep byte) string {
	if i := strings.LastIndexByte(s, sep); i >= 0 {
		return s[i+1:]
	}
	return ""
}

// globalRegion is where AWS records the events of its global services.
const globalRegion = "us-east-1"

// isGlobalServiceEvent reports whether the record is a global service event,
// the kind IncludeGlobalServiceEvents controls. Since November 2021 AWS
// records CloudFront, IAM, sign-in and STS (global endpoint) events in
// us-east-1 only, so they are ordinary us-east-1 records for LookupEvents
// and a trail outside us-east-1 sees them only when it is multi-region.
// STS calls to a regional endpoint are recorded in that region and are not
// global service events.
func isGlobalServiceEvent(e *Event) bool {
	switch e.EventSource {
	case "iam.amazonaws.com", "cloudfront.amazonaws.com", "signin.amazonaws.com":
		return true
	case "sts.amazonaws.com":
		return e.AWSRegion == globalRegion
	}
	return false
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func formatInt(n int64) string { return strconv.FormatInt(n, 10) }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
