package logs

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/irdrill/irdrill/sandbox/api"
)

// validRetention lists the retentionInDays values PutRetentionPolicy
// accepts (the Days shape of the service model).
var validRetention = map[int]bool{
	1: true, 3: true, 5: true, 7: true, 14: true, 30: true, 60: true, 90: true, 120: true, 150: true,
	180: true, 365: true, 400: true, 545: true, 731: true, 1096: true, 1827: true, 2192: true,
	2557: true, 2922: true, 3288: true, 3653: true,
}

var (
	tagKeyRE   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
	tagValueRE = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$`)
)

const maxTags = 50

func validateTags(tags map[string]string) error {
	if len(tags) > maxTags {
		return api.ValidationError("InvalidParameterException", "tags", "map", "Member must have length less than or equal to 50")
	}
	for k, v := range tags {
		if !tagKeyRE.MatchString(k) {
			return api.ValidationError("InvalidParameterException", "tags", k, `Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$]`)
		}
		if !tagValueRE.MatchString(v) {
			return api.ValidationError("InvalidParameterException", "tags", v, `Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$]`)
		}
	}
	return nil
}

type createLogGroupInput struct {
	LogGroupName  string            `json:"logGroupName"`
	KmsKeyID      string            `json:"kmsKeyId"`
	Tags          map[string]string `json:"tags"`
	LogGroupClass string            `json:"logGroupClass"`
}

func (s *Service) createLogGroup(ctx context.Context, call *api.Call) (any, error) {
	var in createLogGroupInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	if err := call.Authorize(ctx, "logs:CreateLogGroup", []string{groupARN(call.Region, acct, in.LogGroupName)}, nil); err != nil {
		return nil, err
	}
	if err := validateGroupName("logGroupName", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.Tags != nil {
		// AWS requires logs:TagResource or the older logs:TagLogGroup to
		// tag at creation; either suffices.
		res := []string{groupARN(call.Region, acct, in.LogGroupName)}
		if err := call.Authorize(ctx, "logs:TagResource", res, nil); err != nil {
			if err2 := call.Authorize(ctx, "logs:TagLogGroup", res, nil); err2 != nil {
				return nil, err
			}
		}
		if len(in.Tags) == 0 {
			return nil, api.ValidationError("InvalidParameterException", "tags", "{}", "Member must have length greater than or equal to 1")
		}
		if err := validateTags(in.Tags); err != nil {
			return nil, err
		}
	}
	if len(in.KmsKeyID) > 256 {
		return nil, api.ValidationError("InvalidParameterException", "kmsKeyId", in.KmsKeyID, "Member must have length less than or equal to 256")
	}
	class := in.LogGroupClass
	switch class {
	case "":
		class = "STANDARD"
	case "STANDARD", "INFREQUENT_ACCESS", "DELIVERY":
	default:
		return nil, api.ValidationError("InvalidParameterException", "logGroupClass", class, "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.regionLocked(call.Region, true)
	if _, ok := r.groups[in.LogGroupName]; ok {
		return nil, api.Errorf("ResourceAlreadyExistsException", "The specified log group already exists")
	}
	g := &logGroup{
		id:          s.nextID.Add(1),
		name:        in.LogGroupName,
		logField:    acct + ":" + in.LogGroupName,
		created:     s.now().UnixMilli(),
		kmsKeyID:    in.KmsKeyID,
		class:       class,
		tags:        copyTags(in.Tags),
		streams:     make(map[string]*logStream),
		streamsByID: make(map[uint64]*logStream),
	}
	r.groups[g.name] = g
	r.byID[g.id] = g
	return struct{}{}, nil
}

// authorizeGroupAction authorises action on the log group the request
// names, then checks the name: a caller without the permission is denied
// before learning whether the name is valid.
func (s *Service) authorizeGroupAction(ctx context.Context, call *api.Call, action, groupName string) error {
	if err := call.Authorize(ctx, action, []string{groupARN(call.Region, s.accountID(call), groupName)}, nil); err != nil {
		return err
	}
	return validateGroupName("logGroupName", groupName)
}

func copyTags(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

type groupNameInput struct {
	LogGroupName string `json:"logGroupName"`
}

func (s *Service) deleteLogGroup(ctx context.Context, call *api.Call) (any, error) {
	var in groupNameInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := s.authorizeGroupAction(ctx, call, "logs:DeleteLogGroup", in.LogGroupName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	r := s.regions[call.Region]
	delete(r.groups, g.name)
	delete(r.byID, g.id)
	return struct{}{}, nil
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  string   `json:"logGroupNamePrefix"`
	LogGroupNamePattern *string  `json:"logGroupNamePattern"`
	NextToken           *string  `json:"nextToken"`
	Limit               *int     `json:"limit"`
	LogGroupClass       string   `json:"logGroupClass"`
	LogGroupIdentifiers []string `json:"logGroupIdentifiers"`
	// accountIdentifiers and includeLinkedAccounts are accepted and
	// ignored: the sandbox has no cross-account observability.
	AccountIdentifiers    []string `json:"accountIdentifiers"`
	IncludeLinkedAccounts bool     `json:"includeLinkedAccounts"`
}

// LogGroup is DescribeLogGroups' element.
type LogGroup struct {
	LogGroupName      string `json:"logGroupName"`
	CreationTime      int64  `json:"creationTime"`
	RetentionInDays   *int   `json:"retentionInDays,omitempty"`
	MetricFilterCount int    `json:"metricFilterCount"`
	Arn               string `json:"arn"`
	StoredBytes       int64  `json:"storedBytes"`
	KmsKeyID          string `json:"kmsKeyId,omitempty"`
	LogGroupClass     string `json:"logGroupClass"`
	LogGroupArn       string `json:"logGroupArn"`
}

type describeLogGroupsOutput struct {
	LogGroups []LogGroup `json:"logGroups"`
	NextToken string     `json:"nextToken,omitempty"`
}

func validateLimit(member string, p *int, lo, hi int) error {
	if p == nil {
		return nil
	}
	if *p < lo {
		return api.ValidationError("InvalidParameterException", member, strconv.Itoa(*p), "Member must have value greater than or equal to "+strconv.Itoa(lo))
	}
	if *p > hi {
		return api.ValidationError("InvalidParameterException", member, strconv.Itoa(*p), "Member must have value less than or equal to "+strconv.Itoa(hi))
	}
	return nil
}

// valueOr is *p, or def when the optional member was not sent.
func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func (s *Service) describeLogGroups(ctx context.Context, call *api.Call) (any, error) {
	var in describeLogGroupsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	acct := s.accountID(call)
	if err := call.Authorize(ctx, "logs:DescribeLogGroups", []string{"arn:aws:logs:" + call.Region + ":" + acct + ":log-group:*"}, nil); err != nil {
		return nil, err
	}
	if in.LogGroupNamePrefix != "" {
		if err := validateGroupName("logGroupNamePrefix", in.LogGroupNamePrefix); err != nil {
			return nil, err
		}
	}
	if in.LogGroupNamePattern != nil {
		if in.LogGroupNamePrefix != "" {
			return nil, invalidParam("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
		}
		if p := *in.LogGroupNamePattern; p != "" && !groupNameRE.MatchString(p) || len(*in.LogGroupNamePattern) > 512 {
			return nil, api.ValidationError("InvalidParameterException", "logGroupNamePattern", *in.LogGroupNamePattern, `Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]*`)
		}
	}
	if err := validateLimit("limit", in.Limit, 1, 50); err != nil {
		return nil, err
	}
	if in.LogGroupIdentifiers != nil && (in.LogGroupNamePrefix != "" || in.LogGroupNamePattern != nil) {
		return nil, invalidParam("logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern.")
	}
	var wanted map[string]bool
	if in.LogGroupIdentifiers != nil {
		wanted = make(map[string]bool, len(in.LogGroupIdentifiers))
		for _, id := range in.LogGroupIdentifiers {
			name, err := parseIdentifier(call.Region, acct, id)
			if err != nil {
				if apiErr, ok := err.(*api.Error); ok && apiErr.Code == "ResourceNotFoundException" {
					continue // another account's group: nothing to list
				}
				return nil, err
			}
			wanted[name] = true
		}
	}
	after := ""
	if in.NextToken != nil {
		tok, err := decodeToken(*in.NextToken, tokenDescribeGroups)
		if err != nil {
			return nil, err
		}
		after = tok.Name
	}
	limit := valueOr(in.Limit, 50)
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	if r := s.regions[call.Region]; r != nil {
		for name, g := range r.groups {
			switch {
			case in.LogGroupNamePrefix != "" && !strings.HasPrefix(name, in.LogGroupNamePrefix),
				// AWS documents the pattern as a case-sensitive substring.
				in.LogGroupNamePattern != nil && !strings.Contains(name, *in.LogGroupNamePattern),
				in.LogGroupClass != "" && g.class != in.LogGroupClass,
				wanted != nil && !wanted[name],
				after != "" && name <= after:
				continue
			}
			names = append(names, name)
		}
	}
	sort.Strings(names)
	out := describeLogGroupsOutput{LogGroups: []LogGroup{}}
	for i, name := range names {
		if i == limit {
			out.NextToken = encodeToken(pageToken{Kind: tokenDescribeGroups, Name: names[i-1]})
			break
		}
		out.LogGroups = append(out.LogGroups, s.groupOut(call.Region, acct, s.regions[call.Region].groups[name]))
	}
	return out, nil
}

func (s *Service) groupOut(region, acct string, g *logGroup) LogGroup {
	out := LogGroup{
		LogGroupName:  g.name,
		CreationTime:  g.created,
		Arn:           groupARN(region, acct, g.name),
		StoredBytes:   g.storedBytes,
		KmsKeyID:      g.kmsKeyID,
		LogGroupClass: g.class,
		LogGroupArn:   groupARNBare(region, acct, g.name),
	}
	if g.retention != 0 {
		days := g.retention
		out.RetentionInDays = &days
	}
	return out
}

type putRetentionInput struct {
	LogGroupName    string `json:"logGroupName"`
	RetentionInDays *int   `json:"retentionInDays"`
}

func (s *Service) putRetentionPolicy(ctx context.Context, call *api.Call) (any, error) {
	var in putRetentionInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := s.authorizeGroupAction(ctx, call, "logs:PutRetentionPolicy", in.LogGroupName); err != nil {
		return nil, err
	}
	if in.RetentionInDays == nil {
		return nil, missing("retentionInDays")
	}
	if !validRetention[*in.RetentionInDays] {
		return nil, api.ValidationError("InvalidParameterException", "retentionInDays", strconv.Itoa(*in.RetentionInDays),
			"Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	g.retention = *in.RetentionInDays
	return struct{}{}, nil
}

func (s *Service) deleteRetentionPolicy(ctx context.Context, call *api.Call) (any, error) {
	var in groupNameInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := s.authorizeGroupAction(ctx, call, "logs:DeleteRetentionPolicy", in.LogGroupName); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	// Events already past the old retention were deleted by AWS's
	// expiry; dropping the policy does not bring them back.
	now := s.now()
	cut := g.cutoff(now)
	for _, st := range g.streams {
		g.storedBytes -= st.expireBefore(cut)
	}
	g.retention = 0
	return struct{}{}, nil
}

// ---- tags ----

type tagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
	TagKeys     []string          `json:"tagKeys"`
}

type tagsOutput struct {
	Tags map[string]string `json:"tags"`
}

// groupFromResourceARN resolves a tagging API's resourceArn: a log-group
// ARN without the trailing ":*".
func (s *Service) groupFromResourceARN(call *api.Call, arn string) (string, error) {
	if arn == "" {
		return "", missing("resourceArn")
	}
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "logs" {
		return "", invalidParam("Invalid resourceArn: %s", arn)
	}
	if parts[5] != "log-group" {
		// Destinations and other taggable resources are not modelled.
		return "", api.Errorf("ResourceNotFoundException", "The specified resource does not exist.")
	}
	name := parts[6]
	if strings.HasSuffix(name, ":*") {
		return "", invalidParam("The ARN of a log group for tagging APIs must not end with :*")
	}
	if err := validateGroupName("resourceArn", name); err != nil {
		return "", err
	}
	if parts[3] != call.Region || parts[4] != s.accountID(call) {
		return "", errGroupNotFound()
	}
	return name, nil
}

func (s *Service) tagResource(ctx context.Context, call *api.Call) (any, error) {
	var in tagResourceInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := call.Authorize(ctx, "logs:TagResource", []string{in.ResourceArn}, nil); err != nil {
		return nil, err
	}
	name, err := s.groupFromResourceARN(call, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if len(in.Tags) == 0 {
		return nil, missing("tags")
	}
	if err := validateTags(in.Tags); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, name)
	if err != nil {
		return nil, err
	}
	merged := copyTags(g.tags)
	for k, v := range in.Tags {
		merged[k] = v
	}
	if len(merged) > maxTags {
		return nil, api.Errorf("TooManyTagsException", "A resource can have no more than %d tags.", maxTags)
	}
	g.tags = merged
	return struct{}{}, nil
}

func (s *Service) untagResource(ctx context.Context, call *api.Call) (any, error) {
	var in tagResourceInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := call.Authorize(ctx, "logs:UntagResource", []string{in.ResourceArn}, nil); err != nil {
		return nil, err
	}
	name, err := s.groupFromResourceARN(call, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, missing("tagKeys")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, name)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(g.tags, k)
	}
	return struct{}{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, call *api.Call) (any, error) {
	var in tagResourceInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := call.Authorize(ctx, "logs:ListTagsForResource", []string{in.ResourceArn}, nil); err != nil {
		return nil, err
	}
	name, err := s.groupFromResourceARN(call, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.existingGroupLocked(call.Region, name)
	if err != nil {
		return nil, err
	}
	return tagsOutput{Tags: copyTags(g.tags)}, nil
}

type tagLogGroupInput struct {
	LogGroupName string    `json:"logGroupName"`
	Tags         json2Tags `json:"tags"`
}

// json2Tags accepts TagLogGroup's map and UntagLogGroup's list of keys,
// which share the member name "tags".
type json2Tags struct {
	Map  map[string]string
	Keys []string
	Set  bool
}

func (t *json2Tags) UnmarshalJSON(b []byte) error {
	t.Set = true
	if len(b) > 0 && b[0] == '[' {
		return json.Unmarshal(b, &t.Keys)
	}
	return json.Unmarshal(b, &t.Map)
}

func (s *Service) tagLogGroup(ctx context.Context, call *api.Call) (any, error) {
	var in tagLogGroupInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := s.authorizeGroupAction(ctx, call, "logs:TagLogGroup", in.LogGroupName); err != nil {
		return nil, err
	}
	if len(in.Tags.Map) == 0 {
		return nil, missing("tags")
	}
	if err := validateTags(in.Tags.Map); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	merged := copyTags(g.tags)
	for k, v := range in.Tags.Map {
		merged[k] = v
	}
	if len(merged) > maxTags {
		return nil, invalidParam("A log group can have no more than %d tags.", maxTags)
	}
	g.tags = merged
	return struct{}{}, nil
}

func (s *Service) untagLogGroup(ctx context.Context, call *api.Call) (any, error) {
	var in tagLogGroupInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := s.authorizeGroupAction(ctx, call, "logs:UntagLogGroup", in.LogGroupName); err != nil {
		return nil, err
	}
	if len(in.Tags.Keys) == 0 {
		return nil, missing("tags")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	for _, k := range in.Tags.Keys {
		delete(g.tags, k)
	}
	return struct{}{}, nil
}

func (s *Service) listTagsLogGroup(ctx context.Context, call *api.Call) (any, error) {
	var in groupNameInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if err := s.authorizeGroupAction(ctx, call, "logs:ListTagsLogGroup", in.LogGroupName); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.existingGroupLocked(call.Region, in.LogGroupName)
	if err != nil {
		return nil, err
	}
	return tagsOutput{Tags: copyTags(g.tags)}, nil
}
