package ec2

import (
	"context"
	"sort"

	"github.com/irdrill/irdrill/sandbox/api"
)

// maxTagsPerResource is EC2's limit of user tags on one resource.
const maxTagsPerResource = 50

// resourceARN is the ARN IAM evaluates for a resource ID. Images and
// snapshots have no account in their ARN.
func (s *Service) resourceARN(r *region, id string) string {
	switch rt := resourceTypeOf(id); rt {
	case "image", "snapshot":
		return "arn:aws:ec2:" + r.name + "::" + rt + "/" + id
	case "":
		return "*"
	default:
		return s.arn(r, rt+"/"+id)
	}
}

// taggable checks that each ID is well formed and exists. The caller holds
// r.mu.
func (r *region) checkResources(ids []string) error {
	for _, id := range ids {
		rt := resourceTypeOf(id)
		prefix := id[:len(id)-len(trimToHex(id))]
		if rt == "" || rt == "reservation" || !validID(prefix, id) {
			return api.Errorf("InvalidID", "The ID '%s' is not valid", id)
		}
		if !r.exists(id) {
			return notFound(id)
		}
	}
	return nil
}

// trimToHex returns the part of an ID after its last dash.
func trimToHex(id string) string {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '-' {
			return id[i+1:]
		}
	}
	return id
}

func tagAuthorization(c context.Context, s *Service, r *region, call *api.Call, action string, ids []string, tags []tagXML) error {
	resources := make([]string, 0, len(ids))
	for _, id := range ids {
		resources = append(resources, s.resourceARN(r, id))
	}
	conditions := map[string][]string{}
	var keys []string
	for _, t := range tags {
		keys = append(keys, t.Key)
		conditions["aws:requesttag/"+t.Key] = []string{t.Value}
	}
	if len(keys) > 0 {
		conditions["aws:tagkeys"] = keys
	}
	return call.Authorize(c, action, resources, conditions)
}

func trailTags(ids []string, tags []tagXML) map[string]any {
	resources := make([]map[string]string, 0, len(ids))
	for _, id := range ids {
		resources = append(resources, map[string]string{"resourceId": id})
	}
	items := make([]map[string]string, 0, len(tags))
	for _, t := range tags {
		items = append(items, map[string]string{"key": t.Key, "value": t.Value})
	}
	return map[string]any{"resourcesSet": map[string]any{"items": resources}, "tagSet": map[string]any{"items": items}}
}

func createTags(c context.Context, s *Service, r *region, call *api.Call) (any, error) {
	ids := call.Params.List("ResourceId")
	tags, perr := parseTags(call.Params, "Tag", true)
	if err := tagAuthorization(c, s, r, call, "ec2:CreateTags", ids, tags); err != nil {
		return nil, err
	}
	if perr != nil {
		return nil, perr
	}
	if len(ids) == 0 {
		return nil, api.MissingParameter(api.ProtocolEC2, "ResourceId")
	}
	if len(tags) == 0 {
		return nil, api.MissingParameter(api.ProtocolEC2, "Tag")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkResources(ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		merged := map[string]bool{}
		for k := range r.tags[id] {
			merged[k] = true
		}
		for _, t := range tags {
			merged[t.Key] = true
		}
		if len(merged) > maxTagsPerResource {
			return nil, api.Errorf("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.")
		}
	}
	for _, id := range ids {
		r.setTags(id, tags)
	}
	call.RequestParameters = trailTags(ids, tags)
	call.ResponseElements = map[string]any{"requestId": call.RequestID, "_return": true}
	return acknowledged, nil
}

func deleteTags(c context.Context, s *Service, r *region, call *api.Call) (any, error) {
	ids := call.Params.List("ResourceId")
	if err := tagAuthorization(c, s, r, call, "ec2:DeleteTags", ids, nil); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, api.MissingParameter(api.ProtocolEC2, "ResourceId")
	}
	type deletion struct {
		key, value string
		hasValue   bool
	}
	var deletions []deletion
	for _, t := range call.Params.Structs("Tag") {
		key, _ := t.Lookup("Key")
		value, hasValue := t.Lookup("Value")
		deletions = append(deletions, deletion{key, value, hasValue})
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.checkResources(ids); err != nil {
		return nil, err
	}
	var trail []tagXML
	for _, d := range deletions {
		trail = append(trail, tagXML{Key: d.key, Value: d.value})
	}
	for _, id := range ids {
		tags := r.tags[id]
		if len(deletions) == 0 {
			// No Tag parameter deletes every user tag.
			delete(r.tags, id)
			continue
		}
		for _, d := range deletions {
			// A value restricts the deletion to tags with exactly that value.
			if v, ok := tags[d.key]; ok && (!d.hasValue || v == d.value) {
				delete(tags, d.key)
			}
		}
		if len(tags) == 0 {
			delete(r.tags, id)
		}
	}
	call.RequestParameters = trailTags(ids, trail)
	call.ResponseElements = map[string]any{"requestId": call.RequestID, "_return": true}
	return acknowledged, nil
}

func describeTags(c context.Context, s *Service, r *region, call *api.Call) (any, error) {
	if err := call.Authorize(c, "ec2:DescribeTags", nil, nil); err != nil {
		return nil, err
	}
	fs, err := parseFilters(call.Params, setOf("resource-id", "resource-type", "key", "value"))
	if err != nil {
		return nil, err
	}
	pg, err := parsePage(call.Params, 5, 1000)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settleAll(s.now())
	ids := make([]string, 0, len(r.tags))
	for id := range r.tags {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var all []tagDescriptionXML
	for _, id := range ids {
		if !r.exists(id) {
			continue
		}
		rt := resourceTypeOf(id)
		for _, t := range r.sortedTags(id) {
			d := tagDescriptionXML{ResourceID: id, ResourceType: rt, Key: t.Key, Value: t.Value}
			if !fs.match(func(name string) []string {
				switch name {
				case "resource-id":
					return []string{d.ResourceID}
				case "resource-type":
					return []string{d.ResourceType}
				case "key":
					return []string{d.Key}
				case "value":
					return []string{d.Value}
				}
				return nil
			}) {
				continue
			}
			all = append(all, d)
		}
	}
	tags, next := paginate(pg, all)
	return describeTagsResult{Tags: tags, NextToken: next}, nil
}
