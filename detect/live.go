package detect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/irdrill/irdrill/findingcriteria"
)

// LiveSource is a Source over an AWS-compatible endpoint: CloudWatch Logs
// (StartQuery and GetQueryResults for Insights, FilterLogEvents for
// patterns) and GuardDuty (ListFindings and GetFindings).
type LiveSource struct {
	logs *cloudwatchlogs.Client
	gd   *guardduty.Client
	// groups maps each log role to its log group.
	groups map[Role]string
	// QueryPoll is the pause between GetQueryResults calls; QueryTimeout
	// bounds one query (wall time: Insights runs on the service's clock).
	QueryPoll    time.Duration
	QueryTimeout time.Duration

	mu         sync.Mutex
	detectorID string
}

// NewLiveSource builds a source that reads the log groups (by role) and
// GuardDuty with the configuration's identity.
func NewLiveSource(cfg aws.Config, groups map[Role]string) *LiveSource {
	g := make(map[Role]string, len(groups))
	for k, v := range groups {
		if v != "" {
			g[k] = v
		}
	}
	return &LiveSource{
		logs:         cloudwatchlogs.NewFromConfig(cfg),
		gd:           guardduty.NewFromConfig(cfg),
		groups:       g,
		QueryPoll:    250 * time.Millisecond,
		QueryTimeout: 5 * time.Minute,
	}
}

func (s *LiveSource) group(r Role) (string, error) {
	g, ok := s.groups[r]
	if !ok {
		return "", fmt.Errorf("%w: no log group for %s", ErrNoTelemetry, r.Telemetry())
	}
	return g, nil
}

// Query implements Source with StartQuery and GetQueryResults. Insights
// time ranges are whole epoch seconds, both ends inclusive: the window is
// widened to the seconds it touches.
func (s *LiveSource) Query(ctx context.Context, r Role, query string, w Window) ([][]Field, error) {
	group, err := s.group(r)
	if err != nil {
		return nil, err
	}
	start, end := w.Start, w.End
	if start.IsZero() {
		start = time.Unix(0, 0)
	}
	if end.IsZero() {
		end = time.Now()
	}
	// Whole seconds, both inclusive: the end second covers its events up
	// to its last millisecond.
	endSec := end.Unix()
	started, err := s.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(group),
		QueryString:  aws.String(query),
		StartTime:    aws.Int64(start.Unix()),
		EndTime:      aws.Int64(endSec),
	})
	if err != nil {
		return nil, fmt.Errorf("start query on %s: %w", group, err)
	}
	id := aws.ToString(started.QueryId)
	ctx, cancel := context.WithTimeout(ctx, s.QueryTimeout)
	defer cancel()
	for {
		out, err := s.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			return nil, fmt.Errorf("get query results %s: %w", id, err)
		}
		switch out.Status {
		case cwltypes.QueryStatusComplete:
			rows := make([][]Field, len(out.Results))
			for i, row := range out.Results {
				fields := make([]Field, len(row))
				for j, f := range row {
					fields[j] = Field{aws.ToString(f.Field), aws.ToString(f.Value)}
				}
				rows[i] = fields
			}
			return rows, nil
		case cwltypes.QueryStatusScheduled, cwltypes.QueryStatusRunning:
		default:
			return nil, fmt.Errorf("query %s on %s ended %s", id, group, out.Status)
		}
		if err := sleepCtx(ctx, s.QueryPoll); err != nil {
			return nil, fmt.Errorf("wait for query %s: %w", id, err)
		}
	}
}

// FilterLogEvents implements Source with FilterLogEvents, following every
// page.
func (s *LiveSource) FilterLogEvents(ctx context.Context, r Role, pattern string, w Window) ([]Event, error) {
	group, err := s.group(r)
	if err != nil {
		return nil, err
	}
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)}
	if pattern != "" {
		in.FilterPattern = aws.String(pattern)
	}
	if !w.Start.IsZero() {
		in.StartTime = aws.Int64(w.Start.UnixMilli())
	}
	if !w.End.IsZero() {
		in.EndTime = aws.Int64(w.End.UnixMilli())
	}
	var events []Event
	for p := cloudwatchlogs.NewFilterLogEventsPaginator(s.logs, in); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("filter log events in %s: %w", group, err)
		}
		for _, e := range out.Events {
			events = append(events, Event{
				Timestamp:     time.UnixMilli(aws.ToInt64(e.Timestamp)).UTC(),
				IngestionTime: time.UnixMilli(aws.ToInt64(e.IngestionTime)).UTC(),
				Message:       aws.ToString(e.Message),
				LogStream:     aws.ToString(e.LogStreamName),
			})
		}
	}
	return events, nil
}

// Findings implements Source with ListFindings (the criteria, plus
// updatedAt at or after the window's start when the criteria say nothing of
// updatedAt) and GetFindings, whose response bodies are kept as the wire
// JSON they are.
func (s *LiveSource) Findings(ctx context.Context, criteria string, w Window) ([]json.RawMessage, error) {
	c, err := findingcriteria.Parse([]byte(criteria))
	if err != nil {
		return nil, err
	}
	detector, err := s.detector(ctx)
	if err != nil {
		return nil, err
	}
	sdkCriteria := toSDKCriteria(c)
	if !w.Start.IsZero() {
		if _, has := sdkCriteria.Criterion["updatedAt"]; !has {
			sdkCriteria.Criterion["updatedAt"] = gdtypes.Condition{GreaterThanOrEqual: aws.Int64(w.Start.UnixMilli())}
		}
	}
	var ids []string
	in := &guardduty.ListFindingsInput{
		DetectorId:      aws.String(detector),
		FindingCriteria: sdkCriteria,
		SortCriteria:    &gdtypes.SortCriteria{AttributeName: aws.String("updatedAt"), OrderBy: gdtypes.OrderByAsc},
	}
	for p := guardduty.NewListFindingsPaginator(s.gd, in); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list findings: %w", err)
		}
		ids = append(ids, out.FindingIds...)
	}
	var findings []json.RawMessage
	for i := 0; i < len(ids); i += 50 {
		batch := ids[i:min(i+50, len(ids))]
		var body []byte
		_, err := s.gd.GetFindings(ctx, &guardduty.GetFindingsInput{DetectorId: aws.String(detector), FindingIds: batch},
			func(o *guardduty.Options) { o.APIOptions = append(o.APIOptions, captureBody(&body)) })
		if err != nil {
			return nil, fmt.Errorf("get findings: %w", err)
		}
		var resp struct {
			Findings []json.RawMessage `json:"findings"`
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			return nil, fmt.Errorf("get findings: read the response body: %w", err)
		}
		for _, raw := range resp.Findings {
			f, err := findingcriteria.ParseFinding(raw)
			if err != nil {
				return nil, fmt.Errorf("get findings: %w", err)
			}
			if t, ok := findingUpdated(f); ok && !w.Contains(t) {
				continue
			}
			findings = append(findings, raw)
		}
	}
	return findings, nil
}

func (s *LiveSource) detector(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.detectorID != "" {
		return s.detectorID, nil
	}
	out, err := s.gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil {
		return "", fmt.Errorf("list detectors: %w", err)
	}
	if len(out.DetectorIds) == 0 {
		return "", fmt.Errorf("%w: GuardDuty has no detector in this region", ErrNoTelemetry)
	}
	s.detectorID = out.DetectorIds[0]
	return s.detectorID, nil
}

// toSDKCriteria turns parsed criteria into the SDK's shape. The deprecated
// numeric operators (Gt, Gte, Lt, Lte) are int32 in the SDK, too small for
// epoch milliseconds; they are sent as their long forms, which mean the
// same.
func toSDKCriteria(c *findingcriteria.Criteria) *gdtypes.FindingCriteria {
	out := &gdtypes.FindingCriteria{Criterion: map[string]gdtypes.Condition{}}
	for _, cond := range c.Conditions() {
		var sc gdtypes.Condition
		for _, t := range cond.Terms {
			n := aws.Int64(t.Number)
			switch t.Operator {
			case findingcriteria.Eq:
				sc.Eq = t.Values
			case findingcriteria.Equals:
				sc.Equals = t.Values
			case findingcriteria.Neq:
				sc.Neq = t.Values
			case findingcriteria.NotEquals:
				sc.NotEquals = t.Values
			case findingcriteria.Matches:
				sc.Matches = t.Values
			case findingcriteria.NotMatches:
				sc.NotMatches = t.Values
			case findingcriteria.Gt, findingcriteria.GreaterThan:
				sc.GreaterThan = n
			case findingcriteria.Gte, findingcriteria.GreaterThanOrEqual:
				sc.GreaterThanOrEqual = n
			case findingcriteria.Lt, findingcriteria.LessThan:
				sc.LessThan = n
			case findingcriteria.Lte, findingcriteria.LessThanOrEqual:
				sc.LessThanOrEqual = n
			}
		}
		out.Criterion[cond.Attribute] = sc
	}
	return out
}

// captureBody keeps a copy of the raw response body in dst. It sits after
// the operation's deserializer in the stack, so it sees the transport's
// response first and hands the deserializer a copy.
func captureBody(dst *[]byte) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("IrdrillCaptureBody",
			func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleDeserialize(ctx, in)
				if err != nil {
					return out, md, err
				}
				if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp.Body != nil {
					body, rerr := io.ReadAll(resp.Body)
					resp.Body.Close()
					if rerr != nil {
						return out, md, fmt.Errorf("read response body: %w", rerr)
					}
					*dst = body
					resp.Body = io.NopCloser(bytes.NewReader(body))
				}
				return out, md, nil
			}), middleware.After)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var _ Source = (*LiveSource)(nil)
var _ Source = (*FixtureSource)(nil)
