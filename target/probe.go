package target

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irdrill/irdrill/internal/ids"
	"github.com/irdrill/irdrill/sandbox"
)

// probeAddress is the documentation address the source-IP probe claims.
const probeAddress = "192.0.2.254"

// probeSourceIP finds out whether a served sandbox that does not say so
// honours the source-IP header: one GetCallerIdentity claiming
// probeAddress with a unique user agent, then CloudTrail LookupEvents for
// it. The probe's record stays in the target's CloudTrail, marked by its
// user agent (irdrill-probe/source-ip).
func probeSourceIP(ctx context.Context, t *Target) (bool, error) {
	cfg, err := t.Config(ctx, Responder)
	if err != nil {
		return false, err
	}
	marker := ids.UUID()
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.Options) {
		o.APIOptions = append(o.APIOptions, sandbox.WithSourceIP(probeAddress), awsmiddleware.AddUserAgentKeyValue("irdrill-probe", "source-ip-"+marker))
	}); err != nil {
		return false, err
	}
	// STS is a global service: CloudTrail records it in us-east-1.
	ct := cloudtrail.NewFromConfig(cfg, func(o *cloudtrail.Options) { o.Region = "us-east-1" })
	deadline := time.Now().Add(3 * time.Second)
	for {
		out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetCallerIdentity")}},
			StartTime:        aws.Time(time.Now().Add(-10 * time.Minute)),
			MaxResults:       aws.Int32(50),
		})
		if err != nil {
			return false, fmt.Errorf("lookup events: %w", err)
		}
		for _, e := range out.Events {
			var rec struct {
				SourceIPAddress string `json:"sourceIPAddress"`
				UserAgent       string `json:"userAgent"`
			}
			if json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec) != nil || !containsMarker(rec.UserAgent, marker) {
				continue
			}
			return rec.SourceIPAddress == probeAddress, nil
		}
		if time.Now().After(deadline) {
			return false, fmt.Errorf("the probe's GetCallerIdentity is not in CloudTrail")
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func containsMarker(ua, marker string) bool { return strings.Contains(ua, marker) }
