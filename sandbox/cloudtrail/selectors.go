package cloudtrail

import (
	"context"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

type eventSelector struct {
	ReadWriteType                 *string        `json:"ReadWriteType,omitempty"`
	IncludeManagementEvents       *bool          `json:"IncludeManagementEvents,omitempty"`
	DataResources                 []dataResource `json:"DataResources,omitempty"`
	ExcludeManagementEventSources []string       `json:"ExcludeManagementEventSources,omitempty"`
}

type dataResource struct {
	Type   *string  `json:"Type,omitempty"`
	Values []string `json:"Values,omitempty"`
}

type advancedEventSelector struct {
	Name           *string         `json:"Name,omitempty"`
	FieldSelectors []fieldSelector `json:"FieldSelectors"`
}

type fieldSelector struct {
	Field         *string  `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
}

// selects reports whether a trail's selectors log the record. With none
// set, a trail logs every management event and no data event.
func selects(basic []eventSelector, advanced []advancedEventSelector, se *storedEvent) bool {
	if advanced != nil {
		for _, a := range advanced {
			if a.matches(se) {
				return true
			}
		}
		return false
	}
	if basic == nil {
		return se.ev.ManagementEvent
	}
	for _, sel := range basic {
		if sel.matches(se) {
			return true
		}
	}
	return false
}

func (sel *eventSelector) matches(se *storedEvent) bool {
	rw := "All"
	if sel.ReadWriteType != nil {
		rw = *sel.ReadWriteType
	}
	if (rw == "ReadOnly" && !se.ev.ReadOnly) || (rw == "WriteOnly" && se.ev.ReadOnly) {
		return false
	}
	if se.ev.ManagementEvent {
		include := sel.IncludeManagementEvents == nil || *sel.IncludeManagementEvents
		return include && !contains(sel.ExcludeManagementEventSources, se.ev.EventSource)
	}
	// Data events: AWS's basic selectors name S3, Lambda and DynamoDB
	// resources; the sandbox matches any type against the record's
	// resources, a value being an ARN prefix (approximation).
	for _, dr := range sel.DataResources {
		for _, r := range se.ev.Resources {
			if dr.Type == nil || *dr.Type != r.Type {
				continue
			}
			for _, v := range dr.Values {
				if strings.HasPrefix(r.ARN, v) {
					return true
				}
			}
		}
	}
	return false
}

// advancedFields are the fields the sandbox can evaluate; AWS has more
// (userIdentity.arn, errorCode, …), which PutEventSelectors rejects here.
var advancedFields = []string{"eventCategory", "readOnly", "eventSource", "eventName", "resources.type", "resources.ARN"}

func (a *advancedEventSelector) matches(se *storedEvent) bool {
	for _, fs := range a.FieldSelectors {
		if !fs.matches(se) {
			return false
		}
	}
	return true
}

func (fs *fieldSelector) matches(se *storedEvent) bool {
	var values []string
	switch deref(fs.Field) {
	case "eventCategory":
		if se.ev.ManagementEvent {
			values = []string{"Management"}
		} else {
			values = []string{"Data"}
		}
	case "readOnly":
		values = []string{se.readOnly}
	case "eventSource":
		values = []string{se.ev.EventSource}
	case "eventName":
		values = []string{se.ev.EventName}
	case "resources.type":
		for _, r := range se.ev.Resources {
			values = append(values, r.Type)
		}
	case "resources.ARN":
		for _, r := range se.ev.Resources {
			values = append(values, r.ARN)
		}
	}
	// A multi-valued field (the record's resources) matches when any value
	// satisfies every condition.
	for _, v := range values {
		if fs.holds(v) {
			return true
		}
	}
	return false
}

func (fs *fieldSelector) holds(v string) bool {
	anyOf := func(list []string, f func(string, string) bool) bool {
		for _, x := range list {
			if f(v, x) {
				return true
			}
		}
		return false
	}
	eq := func(a, b string) bool { return a == b }
	switch {
	case fs.Equals != nil && !anyOf(fs.Equals, eq),
		fs.StartsWith != nil && !anyOf(fs.StartsWith, strings.HasPrefix),
		fs.EndsWith != nil && !anyOf(fs.EndsWith, strings.HasSuffix),
		anyOf(fs.NotEquals, eq),
		anyOf(fs.NotStartsWith, strings.HasPrefix),
		anyOf(fs.NotEndsWith, strings.HasSuffix):
		return false
	}
	return true
}

type putEventSelectorsInput struct {
	TrailName              *string                 `json:"TrailName"`
	EventSelectors         []eventSelector         `json:"EventSelectors"`
	AdvancedEventSelectors []advancedEventSelector `json:"AdvancedEventSelectors"`
}

type eventSelectorsOutput struct {
	TrailARN               string                  `json:"TrailARN"`
	EventSelectors         []eventSelector         `json:"EventSelectors,omitempty"`
	AdvancedEventSelectors []advancedEventSelector `json:"AdvancedEventSelectors,omitempty"`
}

// Validation messages of PutEventSelectors approximate AWS's.
func (s *Service) putEventSelectors(ctx context.Context, call *api.Call) (any, error) {
	var in putEventSelectorsInput
	decodeErr := call.DecodeJSON(&in)
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	if decodeErr != nil {
		if err := call.Authorize(ctx, "cloudtrail:PutEventSelectors", nil, nil); err != nil {
			return nil, err
		}
		return nil, decodeErr
	}
	t, err := s.lookupTrail(ctx, call, "cloudtrail:PutEventSelectors", in.TrailName, "TrailName", true)
	if err != nil {
		return nil, err
	}
	const code = "InvalidEventSelectorsException"
	switch {
	case in.EventSelectors != nil && in.AdvancedEventSelectors != nil:
		return nil, api.Errorf("InvalidParameterCombinationException", "You cannot use EventSelectors and AdvancedEventSelectors in the same request.")
	case in.EventSelectors == nil && in.AdvancedEventSelectors == nil:
		return nil, api.Errorf("InvalidParameterCombinationException", "You must specify either EventSelectors or AdvancedEventSelectors.")
	case len(in.EventSelectors) > 5:
		return nil, api.Errorf(code, "A trail can have up to 5 event selectors; %d were specified.", len(in.EventSelectors))
	}
	for _, sel := range in.EventSelectors {
		if sel.ReadWriteType != nil && !contains([]string{"ReadOnly", "WriteOnly", "All"}, *sel.ReadWriteType) {
			return nil, api.Errorf(code, "ReadWriteType %s is not valid; use ReadOnly, WriteOnly or All.", *sel.ReadWriteType)
		}
		for _, dr := range sel.DataResources {
			if dr.Type == nil || *dr.Type == "" {
				return nil, api.Errorf(code, "Every DataResource must have a Type.")
			}
		}
	}
	for _, a := range in.AdvancedEventSelectors {
		if len(a.FieldSelectors) == 0 {
			return nil, api.Errorf(code, "Every advanced event selector must have at least one field selector.")
		}
		for _, fs := range a.FieldSelectors {
			if fs.Field == nil || !contains(advancedFields, *fs.Field) {
				return nil, api.Errorf(code, "Field %s is not supported; supported fields are %s.", deref(fs.Field), strings.Join(advancedFields, ", "))
			}
		}
	}
	t.selectors, t.advanced = in.EventSelectors, in.AdvancedEventSelectors
	if t.advanced != nil {
		t.selectors = nil
	}
	s.publish()
	return &eventSelectorsOutput{TrailARN: t.arn, EventSelectors: t.selectors, AdvancedEventSelectors: t.advanced}, nil
}

func (s *Service) getEventSelectors(ctx context.Context, call *api.Call) (any, error) {
	var in struct {
		TrailName *string `json:"TrailName"`
	}
	decodeErr := call.DecodeJSON(&in)
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	if decodeErr != nil {
		if err := call.Authorize(ctx, "cloudtrail:GetEventSelectors", nil, nil); err != nil {
			return nil, err
		}
		return nil, decodeErr
	}
	t, err := s.lookupTrail(ctx, call, "cloudtrail:GetEventSelectors", in.TrailName, "TrailName", false)
	if err != nil {
		return nil, err
	}
	out := &eventSelectorsOutput{TrailARN: t.arn, EventSelectors: t.selectors, AdvancedEventSelectors: t.advanced}
	if t.selectors == nil && t.advanced == nil {
		// What AWS reports for a trail that never had selectors set.
		all, yes := "All", true
		out.EventSelectors = []eventSelector{{ReadWriteType: &all, IncludeManagementEvents: &yes, DataResources: []dataResource{}, ExcludeManagementEventSources: []string{}}}
	}
	return out, nil
}
