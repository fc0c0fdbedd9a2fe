package cloudtrail

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"hash/fnv"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// lookupWindow is how far back LookupEvents sees (event history's 90
// days), whatever the store keeps.
const lookupWindow = 90 * 24 * time.Hour

const maxLookupResults = 50

// lookupKeys are the LookupAttributeKey enum values.
var lookupKeys = []string{"EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}

type lookupAttribute struct {
	AttributeKey   *string `json:"AttributeKey"`
	AttributeValue *string `json:"AttributeValue"`
}

type lookupEventsInput struct {
	LookupAttributes []lookupAttribute `json:"LookupAttributes"`
	StartTime        *inputTime        `json:"StartTime"`
	EndTime          *inputTime        `json:"EndTime"`
	EventCategory    *string           `json:"EventCategory"`
	MaxResults       *int64            `json:"MaxResults"`
	NextToken        *string           `json:"NextToken"`
}

type lookupEventsOutput struct {
	Events    []lookupEvent `json:"Events"`
	NextToken string        `json:"NextToken,omitempty"`
}

type lookupEvent struct {
	EventID         string           `json:"EventId"`
	EventName       string           `json:"EventName"`
	ReadOnly        string           `json:"ReadOnly"`
	AccessKeyID     string           `json:"AccessKeyId,omitempty"`
	EventTime       epochTime        `json:"EventTime"`
	EventSource     string           `json:"EventSource"`
	Username        string           `json:"Username,omitempty"`
	Resources       []lookupResource `json:"Resources"`
	CloudTrailEvent string           `json:"CloudTrailEvent"`
}

type lookupResource struct {
	ResourceType string `json:"ResourceType"`
	ResourceName string `json:"ResourceName"`
}

// inputTime is a JSON 1.1 timestamp: epoch seconds as a number. Strings
// (RFC 3339 or epoch seconds) are accepted too, as AWS's JSON services are
// lenient about them.
type inputTime time.Time

func (t *inputTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if tt, err := time.Parse(time.RFC3339Nano, s); err == nil {
			*t = inputTime(tt)
			return nil
		}
		b = []byte(s)
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return api.Errorf("SerializationException", "Unable to parse timestamp value %s", string(b))
	}
	sec, frac := math.Modf(f)
	*t = inputTime(time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC())
	return nil
}

// lookupQuery is a validated LookupEvents request.
type lookupQuery struct {
	region     string
	key, value string // empty key: no attribute
	start, end *time.Time
	max        int
}

// fingerprint identifies the query a NextToken belongs to; AWS rejects a
// token replayed with different parameters.
func (q *lookupQuery) fingerprint() uint64 {
	h := fnv.New64a()
	write := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	write(q.region)
	write(q.key)
	write(q.value)
	for _, t := range []*time.Time{q.start, q.end} {
		if t == nil {
			write("-")
		} else {
			write(strconv.FormatInt(t.UnixNano(), 10))
		}
	}
	return h.Sum64()
}

// Error messages below are approximations: AWS documents the codes but not
// the wording of LookupEvents' validation errors.
func (s *Service) lookupEvents(ctx context.Context, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "cloudtrail:LookupEvents", nil, nil); err != nil {
		return nil, err
	}
	var in lookupEventsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	q := lookupQuery{region: call.Region, max: maxLookupResults}
	switch len(in.LookupAttributes) {
	case 0:
	case 1:
		a := in.LookupAttributes[0]
		if a.AttributeKey == nil || !contains(lookupKeys, *a.AttributeKey) {
			key := "null"
			if a.AttributeKey != nil {
				key = *a.AttributeKey
			}
			return nil, api.Errorf("InvalidLookupAttributesException", "1 validation error detected: Value '%s' at 'lookupAttributes.1.member.attributeKey' failed to satisfy constraint: Member must satisfy enum value set: [%s]", key, strings.Join(lookupKeys, ", "))
		}
		if a.AttributeValue == nil || len(*a.AttributeValue) < 1 || len(*a.AttributeValue) > 2000 {
			return nil, api.Errorf("InvalidLookupAttributesException", "1 validation error detected: Value at 'lookupAttributes.1.member.attributeValue' failed to satisfy constraint: Member must have length less than or equal to 2000 and greater than or equal to 1")
		}
		q.key, q.value = *a.AttributeKey, *a.AttributeValue
	default:
		return nil, api.Errorf("InvalidLookupAttributesException", "You cannot specify more than one lookup attribute. Specified: %d.", len(in.LookupAttributes))
	}
	if in.StartTime != nil {
		t := time.Time(*in.StartTime)
		q.start = &t
	}
	if in.EndTime != nil {
		t := time.Time(*in.EndTime)
		q.end = &t
	}
	if q.start != nil && q.end != nil && q.start.After(*q.end) {
		return nil, api.Errorf("InvalidTimeRangeException", "Start time (%s) must be earlier than or equal to end time (%s).", q.start.UTC().Format(time.RFC3339), q.end.UTC().Format(time.RFC3339))
	}
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > maxLookupResults {
			return nil, api.Errorf("InvalidMaxResultsException", "MaxResults must be between 1 and %d; got %d.", maxLookupResults, *in.MaxResults)
		}
		q.max = int(*in.MaxResults)
	}
	if in.EventCategory != nil && *in.EventCategory != "insight" {
		return nil, api.Errorf("InvalidEventCategoryException", "1 validation error detected: Value '%s' at 'eventCategory' failed to satisfy constraint: Member must satisfy enum value set: [insight]", *in.EventCategory)
	}
	var cursor *pageToken
	if in.NextToken != nil && *in.NextToken != "" {
		tok, ok := decodeToken(*in.NextToken)
		if !ok || tok.query != q.fingerprint() {
			return nil, api.Errorf("InvalidNextTokenException", "Invalid NextToken. The token is not valid or was issued for a request with different parameters.")
		}
		cursor = &tok
	}
	if in.EventCategory != nil {
		// The sandbox generates no Insights events.
		return &lookupEventsOutput{Events: []lookupEvent{}}, nil
	}
	return s.lookup(q, cursor), nil
}

// lookup pages through the region's management events newest first. The
// cursor is the (eventTime, arrival) key of the last event returned, so a
// page neither repeats nor skips events, whatever is recorded meanwhile.
func (s *Service) lookup(q lookupQuery, cursor *pageToken) *lookupEventsOutput {
	out := &lookupEventsOutput{Events: []lookupEvent{}}
	rl := s.regionLog(q.region, false)
	if rl == nil {
		return out
	}
	lower := s.clock().Add(-lookupWindow)
	if q.start != nil && q.start.After(lower) {
		lower = *q.start
	}
	rl.mu.RLock()
	defer rl.mu.RUnlock()
	events := rl.events
	// i is one past the newest candidate.
	i := len(events)
	if q.end != nil {
		end := *q.end
		i = sort.Search(len(events), func(k int) bool { return events[k].at.After(end) })
	}
	if cursor != nil {
		at := time.Unix(0, cursor.at)
		c := sort.Search(len(events), func(k int) bool {
			e := events[k]
			return e.at.After(at) || (e.at.Equal(at) && e.seq >= cursor.seq)
		})
		i = min(i, c)
	}
	var last *storedEvent
	for i--; i >= 0; i-- {
		se := events[i]
		if se.at.Before(lower) {
			break
		}
		if !se.mgmt || !s.matches(se, q.key, q.value) {
			continue
		}
		if len(out.Events) == q.max {
			// There is at least one more: hand out a token.
			out.NextToken = encodeToken(pageToken{at: last.at.UnixNano(), seq: last.seq, query: q.fingerprint()})
			break
		}
		out.Events = append(out.Events, lookupEvent{
			EventID:         se.ev.EventID,
			EventName:       se.ev.EventName,
			ReadOnly:        se.readOnly,
			AccessKeyID:     se.ev.UserIdentity.AccessKeyID,
			EventTime:       epochTime(se.at),
			EventSource:     se.ev.EventSource,
			Username:        se.username,
			Resources:       append([]lookupResource{}, se.lookupResources()...),
			CloudTrailEvent: se.raw,
		})
		last = se
	}
	return out
}

// matches applies one lookup attribute. AWS matches values exactly and
// case-sensitively.
func (s *Service) matches(se *storedEvent, key, value string) bool {
	switch key {
	case "":
		return true
	case "EventId":
		return se.ev.EventID == value
	case "EventName":
		return se.name == value
	case "ReadOnly":
		return se.readOnly == value
	case "Username":
		return se.username == value
	case "EventSource":
		return se.ev.EventSource == value
	case "AccessKeyId":
		return se.ev.UserIdentity.AccessKeyID == value
	case "ResourceType":
		for _, r := range se.lookupResources() {
			if r.ResourceType == value {
				return true
			}
		}
	case "ResourceName":
		for _, r := range se.lookupResources() {
			if r.ResourceName == value {
				return true
			}
		}
	}
	return false
}

// pageToken is LookupEvents' NextToken: the sort key of the last event
// returned and the fingerprint of the query it belongs to.
type pageToken struct {
	at    int64 // eventTime, Unix nanoseconds
	seq   uint64
	query uint64
}

const tokenVersion = 1

// tokenLen is version, at, seq, query and a CRC-32 that turns most garbage
// into a clean InvalidNextTokenException rather than a random position.
const tokenLen = 1 + 8 + 8 + 8 + 4

func encodeToken(t pageToken) string {
	b := make([]byte, 0, tokenLen)
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(t.at))
	b = binary.BigEndian.AppendUint64(b, t.seq)
	b = binary.BigEndian.AppendUint64(b, t.query)
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (pageToken, bool) {
	if base64.RawURLEncoding.DecodedLen(len(s)) != tokenLen {
		return pageToken{}, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion {
		return pageToken{}, false
	}
	if crc32.ChecksumIEEE(b[:tokenLen-4]) != binary.BigEndian.Uint32(b[tokenLen-4:]) {
		return pageToken{}, false
	}
	return pageToken{
		at:    int64(binary.BigEndian.Uint64(b[1:9])),
		seq:   binary.BigEndian.Uint64(b[9:17]),
		query: binary.BigEndian.Uint64(b[17:25]),
	}, true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
