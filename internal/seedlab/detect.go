package seedlab

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// queryWait bounds how long one Logs Insights query may stay Scheduled or
// Running before the round counts it as an error.
const queryWait = 2 * time.Minute

// deliverySettle is how long detection counts must hold still before they
// are final when CloudTrail delivery is delayed: longer than the sandbox's
// one-second delivery tick.
const deliverySettle = 2500 * time.Millisecond

// detector is one of the lab's detections and how to run it once.
type detector struct {
	Detection
	rows func(ctx context.Context) (int, error)
}

// detectors are the lab's §2.1 CloudTrail detections, with the leaked key
// and the attacker's address in place of the lab's examples.
func (l *lab) detectors() []detector {
	key, ip := l.res.LeakedKeyID, l.cfg.AttackerIP
	insights := func(name, query string) detector {
		return detector{
			Detection: Detection{Name: name, Source: "insights", Query: query},
			rows:      func(ctx context.Context) (int, error) { return l.insightsRows(ctx, query) },
		}
	}
	filter := func(name, pattern string) detector {
		return detector{
			Detection: Detection{Name: name, Source: "filter-log-events", Query: pattern},
			rows:      func(ctx context.Context) (int, error) { return l.filterEvents(ctx, pattern) },
		}
	}
	return []detector{
		insights("IAM access denied attempts",
			`filter errorCode like /Unauthorized|Denied|Forbidden/ | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`),
		insights("IAM access key",
			fmt.Sprintf(`filter userIdentity.accessKeyId ="%s" | fields awsRegion, eventSource, eventName, sourceIPAddress, userAgent`, key)),
		insights("IAM source ip address",
			fmt.Sprintf(`filter sourceIPAddress = "%s" | fields awsRegion, userIdentity.arn, eventSource, eventName, sourceIPAddress, userAgent`, ip)),
		insights("IAM users and roles created",
			`filter eventName="CreateUser" or eventName = "CreateRole" | fields requestParameters.userName, requestParameters.roleName, responseElements.user.arn, responseElements.role.arn, sourceIPAddress, eventTime, errorCode`),
		filter("IAM access denied attempts", "AccessDenied"),
		filter("IAM access key", key),
		filter("IAM source ip address", ip),
	}
}

// detect polls the detections over the attack window until every one has
// fired and their counts hold still for a round (delivery has settled), or
// until DetectTimeout has passed on the lab's clock (or in wall time, if
// that clock stands still). A detection fires when it returns at least one
// row.
//
// The window is the attack's seconds, from its first call to its last (see
// nextSecond): it keeps the setup's records out, and the responder's own
// too (StartQuery is a management event, and its queryString holds the key
// id and the address that the filter-log-events searches would otherwise
// find, more of them every round).
func (l *lab) detect(ctx context.Context) error {
	dets := l.detectors()
	found := make([]Detection, len(dets))
	for i := range dets {
		found[i] = dets[i].Detection
	}
	deadline, wallDeadline := l.cfg.Clock().Add(l.cfg.DetectTimeout), time.Now().Add(l.cfg.DetectTimeout)
	timedOut := func() bool { return !l.cfg.Clock().Before(deadline) || !time.Now().Before(wallDeadline) }
	// Delayed records are delivered in batches as they fall due (the
	// sandbox checks every second of wall time, AWS every few minutes), so
	// with a delay the counts must hold for a while, in wall time, before
	// they count as settled.
	settle := time.Duration(0)
	if l.cfg.CloudTrailDeliveryDelay > 0 {
		settle = deliverySettle
	}
	var prev []int
	var stableSince time.Time
	for round := 1; ; round++ {
		counts := make([]int, len(dets))
		for i, d := range dets {
			n, err := d.rows(ctx)
			if ctx.Err() != nil {
				l.res.Detections = found
				return ctx.Err()
			}
			if err != nil {
				found[i].Error = err.Error()
				counts[i] = -1
				continue
			}
			found[i].Error = ""
			found[i].Rows, counts[i] = n, n
			if n > 0 && !found[i].Fired {
				found[i].Fired = true
				found[i].TimeToDetect = l.since(l.res.AttackStart)
			}
		}
		l.log.Debug("detection round", "round", round, "rows", counts)
		allFired := !slices.ContainsFunc(found, func(d Detection) bool { return !d.Fired })
		if !slices.Equal(prev, counts) {
			stableSince = time.Now()
		} else if allFired && time.Since(stableSince) >= settle {
			break
		}
		prev = counts
		if timedOut() {
			break
		}
		if err := sleep(ctx, l.cfg.PollInterval); err != nil {
			l.res.Detections = found
			return err
		}
	}
	l.res.Detections = found
	for _, d := range found {
		if d.Fired && (l.res.TimeToDetect == 0 || d.TimeToDetect < l.res.TimeToDetect) {
			l.res.TimeToDetect = d.TimeToDetect
		}
	}
	return nil
}

// insightsRows runs a Logs Insights query over the trail's log group in
// the attack window, as the lab's console steps do, and counts its rows.
// Insights time ranges are whole seconds, both ends inclusive.
func (l *lab) insightsRows(ctx context.Context, query string) (int, error) {
	started, err := l.admin.logs.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{
		LogGroupName: aws.String(l.res.TrailLogGroup),
		StartTime:    aws.Int64(l.res.AttackStart.Unix()),
		EndTime:      aws.Int64(l.res.AttackEnd.Unix()),
		QueryString:  aws.String(query),
	})
	if err != nil {
		return 0, fmt.Errorf("start query: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, queryWait)
	defer cancel()
	for {
		out, err := l.admin.logs.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			return 0, fmt.Errorf("get query results %s: %w", aws.ToString(started.QueryId), err)
		}
		switch out.Status {
		case cwltypes.QueryStatusComplete:
			return len(out.Results), nil
		case cwltypes.QueryStatusScheduled, cwltypes.QueryStatusRunning:
		default:
			return 0, fmt.Errorf("query %s ended %s", aws.ToString(started.QueryId), out.Status)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return 0, fmt.Errorf("wait for query %s: %w", aws.ToString(started.QueryId), err)
		}
	}
}

// filterEvents is the lab's `aws logs filter-log-events --filter-pattern`
// over the attack window, counting events across pages. The window is in
// milliseconds but the records' timestamps are whole seconds, so it spans
// the attack's seconds, as the Insights window does.
func (l *lab) filterEvents(ctx context.Context, pattern string) (int, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(l.res.TrailLogGroup),
		FilterPattern: aws.String(pattern),
		StartTime:     aws.Int64(l.res.AttackStart.Unix() * 1000),
		EndTime:       aws.Int64(l.res.AttackEnd.Unix()*1000 + 999),
	}
	n := 0
	for page := cloudwatchlogs.NewFilterLogEventsPaginator(l.admin.logs, in); page.HasMorePages(); {
		out, err := page.NextPage(ctx)
		if err != nil {
			return 0, fmt.Errorf("filter log events %q: %w", pattern, err)
		}
		n += len(out.Events)
	}
	return n, nil
}
