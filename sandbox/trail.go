package sandbox

import (
	"encoding/json"
	"strings"

	"github.com/irdrill/irdrill/internal/ids"
	"github.com/irdrill/irdrill/sandbox/api"
	"github.com/irdrill/irdrill/sandbox/cloudtrail"
)

// globalServices are recorded in us-east-1 whatever region the client
// signed for, as CloudTrail records IAM and STS (global endpoint) calls;
// the extensions change IAM, and are recorded as IAM is.
var globalServices = map[string]bool{"iam": true, "sts": true, ExtensionSigningName: true}

// record turns the exchange into a CloudTrail record. Requests that never
// named a known service and action, or whose key is unknown to the
// account, are not recorded: AWS cannot attribute them to an account
// either.
func (x *exchange) record(result any, apiErr *api.Error) {
	if x.svc == nil || x.action == "" || x.cred == nil {
		return
	}
	call := x.call
	region := x.region
	if globalServices[x.svc.SigningName()] {
		region = "us-east-1"
	}
	ev := &cloudtrail.Event{
		EventVersion:       "1.08",
		UserIdentity:       userIdentity(x.cred, x.h.accountID),
		EventTime:          x.start.UTC().Format("2006-01-02T15:04:05Z"),
		EventSource:        x.svc.EventSource(),
		EventName:          x.action,
		AWSRegion:          region,
		SourceIPAddress:    x.srcIP,
		UserAgent:          x.r.UserAgent(),
		RequestID:          x.reqID,
		EventID:            ids.UUID(),
		ReadOnly:           guessReadOnly(x.action),
		EventType:          "AwsApiCall",
		ManagementEvent:    true,
		RecipientAccountID: x.h.accountID,
		EventCategory:      "Management",
	}
	if apiErr != nil {
		ev.ErrorCode = apiErr.Code
		if x.protocol == api.ProtocolEC2 {
			// EC2 records its errors with the fault side in front
			// ("Client.UnauthorizedOperation"), which the lab's
			// filter-log-events pattern relies on.
			if apiErr.Receiver {
				ev.ErrorCode = "Server." + apiErr.Code
			} else {
				ev.ErrorCode = "Client." + apiErr.Code
			}
		}
		ev.ErrorMessage = apiErr.Message
	}
	var reqParams, respElems any
	if call != nil {
		if call.ReadOnly != nil {
			ev.ReadOnly = *call.ReadOnly
		}
		if call.DataEvent {
			ev.ManagementEvent = false
			ev.EventCategory = "Data"
		}
		reqParams = call.RequestParameters
		if apiErr == nil {
			respElems = call.ResponseElements
		}
		for _, r := range call.Resources {
			ev.Resources = append(ev.Resources, cloudtrail.Resource{ARN: r.ARN, AccountID: r.AccountID, Type: r.Type})
		}
		if reqParams == nil {
			reqParams = derivedRequestParameters(x, call)
		}
	}
	ev.RequestParameters = rawJSON(reqParams)
	ev.ResponseElements = rawJSON(respElems)
	x.h.trail.Record(ev)
}

func derivedRequestParameters(x *exchange, call *api.Call) any {
	switch x.protocol {
	case api.ProtocolJSON, api.ProtocolRESTJSON:
		var v any
		if len(x.body) == 0 || json.Unmarshal(x.body, &v) != nil {
			return nil
		}
		if m, ok := v.(map[string]any); ok && len(m) == 0 {
			return nil
		}
		return lowerCamelKeys(v)
	default:
		if call.Params == nil {
			return nil
		}
		tree := call.Params.Tree()
		if len(tree) == 0 {
			return nil
		}
		return tree
	}
}

// lowerCamelKeys renames object keys as CloudTrail does for JSON services
// whose API members are PascalCase (CloudTrail's own LookupAttributes).
func lowerCamelKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if k != "" && k[0] >= 'A' && k[0] <= 'Z' {
				k = strings.ToLower(k[:1]) + k[1:]
			}
			out[k] = lowerCamelKeys(val)
		}
		return out
	case []any:
		for i := range t {
			t[i] = lowerCamelKeys(t[i])
		}
		return t
	}
	return v
}

func rawJSON(v any) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

func guessReadOnly(action string) bool {
	for _, prefix := range []string{"Describe", "Get", "List", "Lookup", "Filter", "Search", "Test"} {
		if strings.HasPrefix(action, prefix) {
			return true
		}
	}
	return false
}

func userIdentity(cred *api.Credential, accountID string) cloudtrail.UserIdentity {
	p := cred.Principal
	if p == nil {
		return cloudtrail.UserIdentity{Type: api.PrincipalUnknown, AccessKeyID: cred.AccessKeyID, AccountID: accountID}
	}
	id := cloudtrail.UserIdentity{
		Type:        p.Type,
		PrincipalID: p.PrincipalID,
		ARN:         p.ARN,
		AccountID:   p.AccountID,
		AccessKeyID: cred.AccessKeyID,
	}
	switch p.Type {
	case api.PrincipalIAMUser:
		id.UserName = p.UserName
		if p.IsTemporary() {
			id.SessionContext = &cloudtrail.SessionContext{
				WebIDFederationData: map[string]any{},
				Attributes:          sessionAttributes(p),
			}
		}
	case api.PrincipalAssumedRole:
		id.SessionContext = &cloudtrail.SessionContext{
			SessionIssuer: &cloudtrail.SessionIssuer{
				Type:        "Role",
				PrincipalID: p.RoleID,
				ARN:         p.RoleARN,
				AccountID:   p.AccountID,
				UserName:    p.RoleName,
			},
			WebIDFederationData: map[string]any{},
			Attributes:          sessionAttributes(p),
		}
	}
	return id
}

func sessionAttributes(p *api.Principal) cloudtrail.SessionAttributes {
	return cloudtrail.SessionAttributes{
		CreationDate:     p.TokenIssueTime.UTC().Format("2006-01-02T15:04:05Z"),
		MFAAuthenticated: "false",
	}
}
