package target

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/irdrill/irdrill/sandbox"
)

// Health is an irdrill sandbox's GET /_irdrill/health document. Today it
// has status, account, region, services and version; the fields after
// those are what later sandboxes add to say what they offer, and a target
// switches the matching capability on as soon as they appear.
type Health struct {
	Status   string   `json:"status"`
	Account  string   `json:"account"`
	Region   string   `json:"region"`
	Services []string `json:"services"`
	Version  string   `json:"version"`

	// Telemetry lists the roles the sandbox delivers ("cloudtrail",
	// "vpc-flow", "dns", "guardduty"). Without it the target infers them
	// from Services (see capabilities).
	Telemetry []string `json:"telemetry,omitempty"`
	// Extensions lists the signed /_irdrill/ APIs the sandbox serves:
	// ExtensionClock (POST /_irdrill/clock/advance) and
	// ExtensionImportAccessKey (POST /_irdrill/iam/import-access-key).
	Extensions []string `json:"extensions,omitempty"`
	// TrustSourceIPHeader says whether the sandbox honours
	// sandbox.SourceIPHeader; without it the target probes.
	TrustSourceIPHeader *bool `json:"trustSourceIpHeader,omitempty"`
	// Clock is the sandbox clock's state once it can be advanced.
	Clock *HealthClock `json:"clock,omitempty"`
}

// HealthClock is the clock part of the health document.
type HealthClock struct {
	Now    time.Time `json:"now"`
	Offset string    `json:"offset,omitempty"`
}

// The signed extensions a served sandbox may list in Health.Extensions.
const (
	ExtensionClock           = "clock"
	ExtensionImportAccessKey = "import-access-key"

	// ClockAdvancePath takes {"by": "<Go duration>"} and answers
	// {"now": "<RFC 3339>"}, SigV4-signed for service ExtensionService.
	ClockAdvancePath = "/_irdrill/clock/advance"
	// ClockPath answers {"now": "<RFC 3339>"}.
	ClockPath = "/_irdrill/clock"
	// ImportAccessKeyPath takes {"UserName", "AccessKeyId",
	// "SecretAccessKey"}, SigV4-signed for service ExtensionService by an
	// administrator, and answers 200 with an empty JSON object, or an AWS
	// JSON error ({"__type": "…", "message": "…"}).
	ImportAccessKeyPath = "/_irdrill/iam/import-access-key"
	// ExtensionService is the service name in the credential scope of
	// signed extension calls.
	ExtensionService = "irdrill"
)

func (h *Health) has(ext string) bool { return slices.Contains(h.Extensions, ext) }

func (h *Health) serves(svc string) bool { return slices.Contains(h.Services, svc) }

// capabilities derives what a sandbox with this health document can do.
// Without a telemetry list: CloudTrail delivery when it serves cloudtrail
// and logs; DNS logs and GuardDuty when it serves route53resolver and
// guardduty; flow-log records only with the controllable clock, because
// the sandbox writes them on the clock that arrives with them (today's
// sandbox accepts CreateFlowLogs but writes no records).
func (h *Health) capabilities() Capabilities {
	c := Capabilities{
		Clock:     h.has(ExtensionClock) || h.Clock != nil,
		KeyImport: h.has(ExtensionImportAccessKey),
	}
	if h.TrustSourceIPHeader != nil {
		c.SourceIP = *h.TrustSourceIPHeader
	}
	if h.Telemetry != nil {
		c.CloudTrailDelivery = slices.Contains(h.Telemetry, RoleCloudTrail)
		c.FlowLogs = slices.Contains(h.Telemetry, RoleVPCFlow)
		c.DNSLogs = slices.Contains(h.Telemetry, RoleDNS)
		c.GuardDuty = slices.Contains(h.Telemetry, "guardduty")
		return c
	}
	c.CloudTrailDelivery = h.serves("cloudtrail") && h.serves("logs")
	c.FlowLogs = c.Clock && h.serves("ec2") && h.serves("logs")
	c.DNSLogs = h.serves("route53resolver") && h.serves("logs")
	c.GuardDuty = h.serves("guardduty")
	return c
}

// ParseHealth reads a health document; it must say status "ok" and list
// the services, which is what tells an irdrill sandbox from anything else.
func ParseHealth(data []byte) (*Health, error) {
	var h Health
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("health document: %w", err)
	}
	if h.Status != "ok" {
		return nil, fmt.Errorf("health document: status %q, want \"ok\"", h.Status)
	}
	if len(h.Services) == 0 {
		return nil, fmt.Errorf("health document: no services")
	}
	return &h, nil
}

// fetchHealth reads url's health document; ok is false when the endpoint
// answers, but not with one.
func fetchHealth(ctx context.Context, client *http.Client, url string) (h *Health, ok bool, err error) {
	body, status, err := get(ctx, client, url+sandbox.HealthPath)
	if err != nil {
		return nil, false, err
	}
	if status != http.StatusOK {
		return nil, false, nil
	}
	h, err = ParseHealth(body)
	if err != nil {
		return nil, false, nil
	}
	return h, true, nil
}

// get fetches a URL, reading at most 1 MiB.
func get(ctx context.Context, client *http.Client, url string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, resp.StatusCode, err
	}
	return body, resp.StatusCode, nil
}
