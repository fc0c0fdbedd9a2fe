package logs

import (
	"cmp"
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

// lowerBound is the index of the first event at or after (ts, seq).
func (st *logStream) lowerBound(ts int64, seq uint64) int {
	return sort.Search(len(st.events), func(i int) bool { return !st.events[i].before(ts, seq) })
}

// insert merges a batch sorted by (timestamp, seq) whose sequence numbers
// are all greater than the stream's. The common case, a batch no older
// than the stream's newest event, is an append.
func (st *logStream) insert(batch []stored) {
	if len(batch) == 0 {
		return
	}
	n := len(st.events)
	if n == 0 || batch[0].ts() >= st.events[n-1].ts() {
		st.events = append(st.events, batch...)
	} else {
		merged := make([]stored, 0, n+len(batch))
		i, j := 0, 0
		for i < n && j < len(batch) {
			if st.events[i].before(batch[j].ts(), batch[j].seq) {
				merged = append(merged, st.events[i])
				i++
			} else {
				merged = append(merged, batch[j])
				j++
			}
		}
		merged = append(merged, st.events[i:]...)
		merged = append(merged, batch[j:]...)
		st.events = merged
	}
	st.firstTS = st.events[0].ts()
	st.lastTS = st.events[len(st.events)-1].ts()
	for _, e := range batch {
		st.lastIngest = max(st.lastIngest, e.ev.IngestionTime())
	}
}

// expireBefore drops events older than cut (retention) and returns the
// message bytes freed.
func (st *logStream) expireBefore(cut int64) int64 {
	i := sort.Search(len(st.events), func(i int) bool { return st.events[i].ts() >= cut })
	if i == 0 {
		return 0
	}
	var freed int64
	for _, e := range st.events[:i] {
		freed += int64(len(e.ev.Message()))
	}
	// Copy so the expired events' memory can be collected.
	st.events = append([]stored(nil), st.events[i:]...)
	if len(st.events) > 0 {
		st.firstTS = st.events[0].ts()
	}
	return freed
}

type streamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

func (s *Service) createLogStream(ctx context.Context, call *api.Call) (any, error) {
	var in streamInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	if err := call.Authorize(ctx, "logs:CreateLogStream", []string{groupARN(call.Region, acct, in.LogGroupName)}, nil); err != nil {
		return nil, err
	}
	if err := validateStreamPath(in.LogGroupName, in.LogStreamName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if _, ok := g.streams[in.LogStreamName]; ok {
		return nil, api.Errorf("ResourceAlreadyExistsException", "The specified log stream already exists")
	}
	s.addStreamLocked(g, in.LogStreamName)
	return struct{}{}, nil
}

func (s *Service) addStreamLocked(g *logGroup, name string) *logStream {
	st := &logStream{id: s.nextID.Add(1), name: name, created: s.now().UnixMilli()}
	g.streams[name] = st
	g.streamsByID[st.id] = st
	return st
}

func (s *Service) deleteLogStream(ctx context.Context, call *api.Call) (any, error) {
	var in streamInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	if err := call.Authorize(ctx, "logs:DeleteLogStream", []string{streamARN(call.Region, acct, in.LogGroupName, in.LogStreamName)}, nil); err != nil {
		return nil, err
	}
	if err := validateStreamPath(in.LogGroupName, in.LogStreamName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	st := g.streams[in.LogStreamName]
	if st == nil {
		return nil, errStreamNotFound()
	}
	for _, e := range st.events {
		g.storedBytes -= int64(len(e.ev.Message()))
	}
	delete(g.streams, st.name)
	delete(g.streamsByID, st.id)
	return struct{}{}, nil
}

type describeLogStreamsInput struct {
	LogGroupName        string  `json:"logGroupName"`
	LogGroupIdentifier  string  `json:"logGroupIdentifier"`
	LogStreamNamePrefix string  `json:"logStreamNamePrefix"`
	OrderBy             string  `json:"orderBy"`
	Descending          bool    `json:"descending"`
	NextToken           *string `json:"nextToken"`
	Limit               *int    `json:"limit"`
}

// LogStream is DescribeLogStreams' element.
type LogStream struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn"`
	// StoredBytes is always 0 for streams, as AWS has reported since 2019.
	StoredBytes int64 `json:"storedBytes"`
}

type describeLogStreamsOutput struct {
	LogStreams []LogStream `json:"logStreams"`
	NextToken  string      `json:"nextToken,omitempty"`
}

func (s *Service) describeLogStreams(ctx context.Context, call *api.Call) (any, error) {
	var in describeLogStreamsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	resource := groupARN(call.Region, acct, cmp.Or(in.LogGroupName, identifierName(in.LogGroupIdentifier)))
	if err := call.Authorize(ctx, "logs:DescribeLogStreams", []string{resource}, nil); err != nil {
		return nil, err
	}
	name, err := resolveIdentifier(call, acct, in.LogGroupName, in.LogGroupIdentifier, "logGroupName")
	if err != nil {
		return nil, err
	}
	if err := validateStreamName("logStreamNamePrefix", in.LogStreamNamePrefix, false); err != nil {
		return nil, err
	}
	byTime := false
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		byTime = true
		if in.LogStreamNamePrefix != "" {
			return nil, invalidParam("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, api.ValidationError("InvalidParameterException", "orderBy", in.OrderBy, "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	if err := validateLimit("limit", in.Limit, 1, 50); err != nil {
		return nil, err
	}
	limit := valueOr(in.Limit, 50)
	fingerprint := fmt.Sprintf("%s|%t|%s|%s", in.OrderBy, in.Descending, in.LogStreamNamePrefix, name)
	var cursor *pageToken
	if in.NextToken != nil {
		tok, err := decodeTokenFor(*in.NextToken, tokenDescribeStreams, fingerprint)
		if err != nil {
			return nil, err
		}
		cursor = &tok
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.existingGroupLocked(call.Region, name)
	if err != nil {
		return nil, err
	}
	// less orders streams by the requested key; name breaks ties so the
	// order, and therefore the token, is total.
	key := func(st *logStream) int64 {
		if byTime {
			return st.lastTS
		}
		return 0
	}
	less := func(ak int64, an string, bk int64, bn string) bool {
		if ak != bk {
			return ak < bk
		}
		return an < bn
	}
	if in.Descending {
		asc := less
		less = func(ak int64, an string, bk int64, bn string) bool { return asc(bk, bn, ak, an) }
	}
	var list []*logStream
	for _, st := range g.streams {
		if !strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
			continue
		}
		if cursor != nil && !less(cursor.TS, cursor.Name, key(st), st.name) {
			continue
		}
		list = append(list, st)
	}
	sort.Slice(list, func(i, j int) bool { return less(key(list[i]), list[i].name, key(list[j]), list[j].name) })
	out := describeLogStreamsOutput{LogStreams: []LogStream{}}
	for i, st := range list {
		if i == limit {
			prev := list[i-1]
			out.NextToken = encodeToken(pageToken{Kind: tokenDescribeStreams, Name: prev.name, TS: key(prev), Fingerprint: fingerprint})
			break
		}
		out.LogStreams = append(out.LogStreams, streamOut(call.Region, acct, g, st))
	}
	return out, nil
}

func streamOut(region, acct string, g *logGroup, st *logStream) LogStream {
	out := LogStream{
		LogStreamName: st.name,
		CreationTime:  st.created,
		Arn:           streamARN(region, acct, g.name, st.name),
	}
	if len(st.events) > 0 || st.lastIngest != 0 {
		first, last, ingest := st.firstTS, st.lastTS, st.lastIngest
		out.FirstEventTimestamp, out.LastEventTimestamp, out.LastIngestionTime = &first, &last, &ingest
		out.UploadSequenceToken = sequenceToken(st.lastSeq)
	}
	return out
}

// identifierName extracts the group name from a log-group identifier (a
// name, or an ARN with or without ":*") for the authorisation resource,
// before the identifier is validated.
func identifierName(id string) string {
	if strings.HasPrefix(id, "arn:") {
		parts := strings.SplitN(id, ":", 7)
		if len(parts) == 7 {
			id = parts[6]
		}
	}
	return strings.TrimSuffix(id, ":*")
}
