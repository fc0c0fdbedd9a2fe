package cloudtrail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/irdrill/irdrill/sandbox/api"
)

// trail is one trail and its delivery status. Every field is guarded by
// Service.trailsMu.
type trail struct {
	name, homeRegion, arn string
	s3Bucket, s3Prefix    string
	snsTopic              string
	kmsKeyID              string
	includeGlobal         bool
	multiRegion           bool
	logFileValidation     bool
	logGroupARN, roleARN  string
	tags                  []tag

	// selectors are nil until PutEventSelectors: the default is all
	// management events and no data events.
	selectors []eventSelector
	advanced  []advancedEventSelector

	logging                   bool
	startLogging, stopLogging time.Time
	latestDelivery            time.Time
	latestCWLDelivery         time.Time
	latestCWLError            string
	latestDeliveryAttempt     time.Time
	latestDeliveryAttemptGood bool
	deleted                   bool

	// stoppedBy is the request ID of the StopLogging call that stopped the
	// trail: CloudTrail captures that call before logging stops, so the
	// trail still delivers its record, and nothing after it.
	stoppedBy string
}

type tag struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

// trailView is the immutable part of a logging trail that Record needs to
// decide coverage without taking trailsMu.
type trailView struct {
	t             *trail
	homeRegion    string
	multiRegion   bool
	includeGlobal bool
	logGroupARN   string
	selectors     []eventSelector
	advanced      []advancedEventSelector

	// onlyRequest, when set, is a stopped trail's view: it covers the
	// record of the StopLogging call with that request ID and no other.
	onlyRequest string
}

// publish rebuilds the snapshot of logging trails; callers hold trailsMu.
func (s *Service) publish() {
	views := make([]trailView, 0, len(s.trails))
	for _, t := range s.trails {
		if !t.logging && t.stoppedBy == "" {
			continue
		}
		v := trailView{
			t: t, homeRegion: t.homeRegion, multiRegion: t.multiRegion, includeGlobal: t.includeGlobal,
			logGroupARN: t.logGroupARN, selectors: t.selectors, advanced: t.advanced,
		}
		if !t.logging {
			v.onlyRequest = t.stoppedBy
		}
		views = append(views, v)
	}
	s.snapshot.Store(&views)
}

// covers reports whether the trail logs the record: its region (or every
// region), global service events only when it includes them, and the event
// selectors.
func (v *trailView) covers(se *storedEvent) bool {
	if v.onlyRequest != "" && se.ev.RequestID != v.onlyRequest {
		return false
	}
	if !v.multiRegion && se.region != v.homeRegion {
		return false
	}
	if se.global && !v.includeGlobal {
		return false
	}
	return selects(v.selectors, v.advanced, se)
}

type trailOutput struct {
	Name                       string `json:"Name"`
	S3BucketName               string `json:"S3BucketName,omitempty"`
	S3KeyPrefix                string `json:"S3KeyPrefix,omitempty"`
	SnsTopicName               string `json:"SnsTopicName,omitempty"`
	SnsTopicARN                string `json:"SnsTopicARN,omitempty"`
	IncludeGlobalServiceEvents bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         bool   `json:"IsMultiRegionTrail"`
	HomeRegion                 string `json:"HomeRegion,omitempty"`
	TrailARN                   string `json:"TrailARN"`
	LogFileValidationEnabled   bool   `json:"LogFileValidationEnabled"`
	CloudWatchLogsLogGroupArn  string `json:"CloudWatchLogsLogGroupArn,omitempty"`
	CloudWatchLogsRoleArn      string `json:"CloudWatchLogsRoleArn,omitempty"`
	KmsKeyID                   string `json:"KmsKeyId,omitempty"`
	HasCustomEventSelectors    *bool  `json:"HasCustomEventSelectors,omitempty"`
	HasInsightSelectors        *bool  `json:"HasInsightSelectors,omitempty"`
	IsOrganizationTrail        bool   `json:"IsOrganizationTrail"`
}

// output renders the trail; full adds the fields only Describe/GetTrail
// return.
func (s *Service) output(t *trail, full bool) *trailOutput {
	o := &trailOutput{
		Name: t.name, S3BucketName: t.s3Bucket, S3KeyPrefix: t.s3Prefix, SnsTopicName: t.snsTopic,
		IncludeGlobalServiceEvents: t.includeGlobal, IsMultiRegionTrail: t.multiRegion,
		TrailARN: t.arn, LogFileValidationEnabled: t.logFileValidation,
		CloudWatchLogsLogGroupArn: t.logGroupARN, CloudWatchLogsRoleArn: t.roleARN, KmsKeyID: t.kmsKeyID,
	}
	if t.snsTopic != "" {
		o.SnsTopicARN = fmt.Sprintf("arn:aws:sns:%s:%s:%s", t.homeRegion, s.account, t.snsTopic)
	}
	if full {
		custom := t.selectors != nil || t.advanced != nil
		no := false
		o.HomeRegion = t.homeRegion
		o.HasCustomEventSelectors = &custom
		o.HasInsightSelectors = &no
	}
	return o
}

func (s *Service) trailARN(region, name string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, s.account, name)
}

// validateTrailName applies AWS's trail naming rules. The first messages
// are AWS's; the adjacency and IP-address ones are approximations.
func validateTrailName(name string) error {
	const code = "InvalidTrailNameException"
	if len(name) < 3 {
		return api.Errorf(code, "Trail name too short. Minimum allowed length: 3 characters. Specified name length: %d characters.", len(name))
	}
	if len(name) > 128 {
		return api.Errorf(code, "Trail name too long. Maximum allowed length: 128 characters. Specified name length: %d characters.", len(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return api.Errorf(code, "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).")
		}
	}
	if !isAlnum(name[0]) {
		return api.Errorf(code, "Trail name must starts with a letter or number.")
	}
	if !isAlnum(name[len(name)-1]) {
		return api.Errorf(code, "Trail name must ends with a letter or number.")
	}
	for i := 1; i < len(name); i++ {
		if !isAlnum(name[i]) && !isAlnum(name[i-1]) {
			return api.Errorf(code, "Trail name cannot contain adjacent periods (.), hyphens (-) or underscores (_).")
		}
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return api.Errorf(code, "Trail name cannot be in IP address format.")
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// trailRef is a validated Name parameter: a trail name, or a trail ARN.
type trailRef struct {
	raw, name, region, account string
	isARN                      bool
}

func parseTrailRef(raw string) (trailRef, error) {
	if !strings.HasPrefix(raw, "arn:") {
		if err := validateTrailName(raw); err != nil {
			return trailRef{}, err
		}
		return trailRef{raw: raw, name: raw}, nil
	}
	// arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME
	parts := strings.SplitN(raw, ":", 6)
	bad := api.Errorf("CloudTrailARNInvalidException", "ARN %s is not valid.", raw)
	if len(parts) != 6 || parts[1] == "" || parts[2] != "cloudtrail" || parts[3] == "" || len(parts[4]) != 12 {
		return trailRef{}, bad
	}
	name, ok := strings.CutPrefix(parts[5], "trail/")
	if !ok || validateTrailName(name) != nil {
		return trailRef{}, bad
	}
	return trailRef{raw: raw, name: name, region: parts[3], account: parts[4], isARN: true}, nil
}

// find returns the trail ref names as seen from region: trails homed there
// and the shadows of multi-region trails. Callers hold trailsMu.
func (s *Service) find(ref trailRef, region string) *trail {
	for _, t := range s.trails {
		if t.name != ref.name || (t.homeRegion != region && !t.multiRegion) {
			continue
		}
		if ref.isARN && (t.homeRegion != ref.region || ref.account != s.account) {
			continue
		}
		return t
	}
	return nil
}

func (s *Service) notFound(ref trailRef, region string) error {
	arn := ref.raw
	if !ref.isARN {
		arn = s.trailARN(region, ref.name)
	}
	return api.Errorf("TrailNotFoundException", "Unknown trail: %s for the user: %s", arn, s.account)
}

// lookupTrail resolves a Name parameter after authorising action on the
// trail. home requires the call to come from the trail's home region, as
// AWS requires for every change to a trail.
func (s *Service) lookupTrail(ctx context.Context, call *api.Call, action string, name *string, member string, home bool) (*trail, error) {
	if name == nil {
		if err := call.Authorize(ctx, action, nil, nil); err != nil {
			return nil, err
		}
		return nil, api.MissingParameter(api.ProtocolJSON, member)
	}
	ref, err := parseTrailRef(*name)
	resource := *name
	if err == nil && !ref.isARN {
		resource = s.trailARN(call.Region, ref.name)
	}
	if aerr := call.Authorize(ctx, action, []string{resource}, nil); aerr != nil {
		return nil, aerr
	}
	if err != nil {
		return nil, err
	}
	t := s.find(ref, call.Region)
	if t == nil {
		return nil, s.notFound(ref, call.Region)
	}
	if home && t.homeRegion != call.Region {
		return nil, api.Errorf("InvalidHomeRegionException", "The request was made in %s, but the trail %s can only be changed in its home region %s.", call.Region, t.arn, t.homeRegion)
	}
	return t, nil
}

type createTrailInput struct {
	Name                       *string `json:"Name"`
	S3BucketName               *string `json:"S3BucketName"`
	S3KeyPrefix                *string `json:"S3KeyPrefix"`
	SnsTopicName               *string `json:"SnsTopicName"`
	IncludeGlobalServiceEvents *bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         *bool   `json:"IsMultiRegionTrail"`
	EnableLogFileValidation    *bool   `json:"EnableLogFileValidation"`
	CloudWatchLogsLogGroupArn  *string `json:"CloudWatchLogsLogGroupArn"`
	CloudWatchLogsRoleArn      *string `json:"CloudWatchLogsRoleArn"`
	KmsKeyID                   *string `json:"KmsKeyId"`
	IsOrganizationTrail        *bool   `json:"IsOrganizationTrail"`
	TagsList                   []tag   `json:"TagsList"`
}

func (s *Service) createTrail(ctx context.Context, call *api.Call) (any, error) {
	var in createTrailInput
	decodeErr := call.DecodeJSON(&in)
	resource := "*"
	if decodeErr == nil && in.Name != nil {
		resource = s.trailARN(call.Region, *in.Name)
	}
	if err := call.Authorize(ctx, "cloudtrail:CreateTrail", []string{resource}, nil); err != nil {
		return nil, err
	}
	if decodeErr != nil {
		return nil, decodeErr
	}
	if in.Name == nil {
		return nil, api.MissingParameter(api.ProtocolJSON, "Name")
	}
	if in.S3BucketName == nil {
		return nil, api.MissingParameter(api.ProtocolJSON, "S3BucketName")
	}
	if err := validateTrailName(*in.Name); err != nil {
		return nil, err
	}
	// The sandbox has no S3 yet: any non-empty bucket name is accepted and
	// log files are not written anywhere (approximation).
	if *in.S3BucketName == "" {
		return nil, api.Errorf("InvalidS3BucketNameException", "Bucket name should not be empty.")
	}
	if in.IsOrganizationTrail != nil && *in.IsOrganizationTrail {
		return nil, api.Errorf("OrganizationsNotInUseException", "This account is not part of an organization.")
	}
	if len(in.TagsList) > 200 {
		return nil, api.Errorf("TagsLimitExceededException", "The number of tags per trail has exceeded the permitted amount. Currently, the limit is 200.")
	}
	for _, tg := range in.TagsList {
		if tg.Key == nil || *tg.Key == "" || len(*tg.Key) > 128 || (tg.Value != nil && len(*tg.Value) > 256) {
			return nil, api.Errorf("InvalidTagParameterException", "Tag keys must be 1 to 128 characters and values at most 256 characters.")
		}
	}
	t := &trail{
		name:              *in.Name,
		homeRegion:        call.Region,
		arn:               s.trailARN(call.Region, *in.Name),
		s3Bucket:          *in.S3BucketName,
		s3Prefix:          deref(in.S3KeyPrefix),
		snsTopic:          deref(in.SnsTopicName),
		kmsKeyID:          deref(in.KmsKeyID),
		includeGlobal:     in.IncludeGlobalServiceEvents == nil || *in.IncludeGlobalServiceEvents,
		multiRegion:       in.IsMultiRegionTrail != nil && *in.IsMultiRegionTrail,
		logFileValidation: in.EnableLogFileValidation != nil && *in.EnableLogFileValidation,
		logGroupARN:       deref(in.CloudWatchLogsLogGroupArn),
		roleARN:           deref(in.CloudWatchLogsRoleArn),
		tags:              in.TagsList,
	}
	if err := s.validateTrail(t); err != nil {
		return nil, err
	}
	if err := passLogsRole(ctx, call, in.CloudWatchLogsRoleArn); err != nil {
		return nil, err
	}
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	for _, other := range s.trails {
		if other.name == t.name && (other.homeRegion == t.homeRegion || other.multiRegion || t.multiRegion) {
			return nil, api.Errorf("TrailAlreadyExistsException", "Trail %s already exists for customer: %s", t.name, s.account)
		}
	}
	s.trails = append(s.trails, t)
	call.Resources = append(call.Resources, api.TrailResource{ARN: t.arn, AccountID: s.account, Type: "AWS::CloudTrail::Trail"})
	out := s.output(t, false)
	call.ResponseElements = recordElements(out)
	return out, nil
}

// recordElements renders a result as CloudTrail records CloudTrail's own
// responses: the API's members with their first letter lower-cased
// ("trailARN", "s3BucketName").
func recordElements(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, val := range m {
		out[strings.ToLower(k[:1])+k[1:]] = val
	}
	b, err = json.Marshal(out)
	if err != nil {
		return nil
	}
	return b
}

// validateTrail checks the settings that CreateTrail and UpdateTrail share.
// The CloudWatch Logs messages approximate AWS's.
func (s *Service) validateTrail(t *trail) error {
	if t.multiRegion && !t.includeGlobal {
		return api.Errorf("InvalidParameterCombinationException", "Multi-Region trail must include global service events.")
	}
	switch {
	case t.logGroupARN != "" && t.roleARN == "":
		return api.Errorf("InvalidCloudWatchLogsRoleArnException", "You must specify a role ARN together with the CloudWatch Logs log group ARN.")
	case t.logGroupARN == "" && t.roleARN != "":
		return api.Errorf("InvalidCloudWatchLogsLogGroupArnException", "You must specify a CloudWatch Logs log group ARN together with the role ARN.")
	case t.logGroupARN != "":
		if !validLogGroupARN(t.logGroupARN) {
			return api.Errorf("InvalidCloudWatchLogsLogGroupArnException", "CloudTrail cannot validate the specified log group ARN: %s. The ARN must have the form arn:aws:logs:<region>:<account>:log-group:<name>:*.", t.logGroupARN)
		}
		if !validRoleARN(t.roleARN) {
			return api.Errorf("InvalidCloudWatchLogsRoleArnException", "Access denied. Verify in IAM that the role has adequate permissions.")
		}
	}
	return nil
}

// passLogsRole checks iam:PassRole on the CloudWatch Logs role a request
// sets, which CloudTrail assumes to deliver records. AWS documents the
// permission but not the error of a caller without it; the sandbox answers
// with the generic AccessDeniedException naming iam:PassRole
// (approximation).
func passLogsRole(ctx context.Context, call *api.Call, roleARN *string) error {
	if roleARN == nil || *roleARN == "" {
		return nil
	}
	return call.AuthorizePassRole(ctx, *roleARN, "cloudtrail.amazonaws.com")
}

func validLogGroupARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[1] == "" || parts[2] != "logs" || parts[3] == "" || len(parts[4]) != 12 || parts[5] != "log-group" {
		return false
	}
	name, ok := strings.CutSuffix(parts[6], ":*")
	return ok && name != ""
}

func validRoleARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && len(parts[4]) == 12 && strings.HasPrefix(parts[5], "role/") && len(parts[5]) > len("role/")
}

type updateTrailInput struct {
	Name                       *string `json:"Name"`
	S3BucketName               *string `json:"S3BucketName"`
	S3KeyPrefix                *string `json:"S3KeyPrefix"`
	SnsTopicName               *string `json:"SnsTopicName"`
	IncludeGlobalServiceEvents *bool   `json:"IncludeGlobalServiceEvents"`
	IsMultiRegionTrail         *bool   `json:"IsMultiRegionTrail"`
	EnableLogFileValidation    *bool   `json:"EnableLogFileValidation"`
	CloudWatchLogsLogGroupArn  *string `json:"CloudWatchLogsLogGroupArn"`
	CloudWatchLogsRoleArn      *string `json:"CloudWatchLogsRoleArn"`
	KmsKeyID                   *string `json:"KmsKeyId"`
	IsOrganizationTrail        *bool   `json:"IsOrganizationTrail"`
}

// updateTrail changes the settings sent; an empty string clears an
// optional one (AWS's way of turning off CloudWatch Logs delivery). The
// change applies to records made after it.
func (s *Service) updateTrail(ctx context.Context, call *api.Call) (any, error) {
	var in updateTrailInput
	decodeErr := call.DecodeJSON(&in)
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	if decodeErr != nil {
		if err := call.Authorize(ctx, "cloudtrail:UpdateTrail", nil, nil); err != nil {
			return nil, err
		}
		return nil, decodeErr
	}
	t, err := s.lookupTrail(ctx, call, "cloudtrail:UpdateTrail", in.Name, "Name", true)
	if err != nil {
		return nil, err
	}
	next := *t
	if in.S3BucketName != nil {
		if *in.S3BucketName == "" {
			return nil, api.Errorf("InvalidS3BucketNameException", "Bucket name should not be empty.")
		}
		next.s3Bucket = *in.S3BucketName
	}
	setIf(&next.s3Prefix, in.S3KeyPrefix)
	setIf(&next.snsTopic, in.SnsTopicName)
	setIf(&next.kmsKeyID, in.KmsKeyID)
	setIf(&next.logGroupARN, in.CloudWatchLogsLogGroupArn)
	setIf(&next.roleARN, in.CloudWatchLogsRoleArn)
	if in.IncludeGlobalServiceEvents != nil {
		next.includeGlobal = *in.IncludeGlobalServiceEvents
	}
	if in.IsMultiRegionTrail != nil {
		next.multiRegion = *in.IsMultiRegionTrail
	}
	if in.EnableLogFileValidation != nil {
		next.logFileValidation = *in.EnableLogFileValidation
	}
	if in.IsOrganizationTrail != nil && *in.IsOrganizationTrail {
		return nil, api.Errorf("OrganizationsNotInUseException", "This account is not part of an organization.")
	}
	if err := s.validateTrail(&next); err != nil {
		return nil, err
	}
	if err := passLogsRole(ctx, call, in.CloudWatchLogsRoleArn); err != nil {
		return nil, err
	}
	if next.multiRegion && !t.multiRegion {
		for _, other := range s.trails {
			if other != t && other.name == t.name {
				return nil, api.Errorf("TrailAlreadyExistsException", "Trail %s already exists for customer: %s", t.name, s.account)
			}
		}
	}
	t.s3Bucket, t.s3Prefix, t.snsTopic, t.kmsKeyID = next.s3Bucket, next.s3Prefix, next.snsTopic, next.kmsKeyID
	t.logGroupARN, t.roleARN = next.logGroupARN, next.roleARN
	t.includeGlobal, t.multiRegion, t.logFileValidation = next.includeGlobal, next.multiRegion, next.logFileValidation
	s.publish()
	call.Resources = append(call.Resources, api.TrailResource{ARN: t.arn, AccountID: s.account, Type: "AWS::CloudTrail::Trail"})
	out := s.output(t, false)
	call.ResponseElements = recordElements(out)
	return out, nil
}

func setIf(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type nameInput struct {
	Name *string `json:"Name"`
}

func (s *Service) decodeName(ctx context.Context, call *api.Call, action string, home bool) (*trail, error) {
	var in nameInput
	if err := call.DecodeJSON(&in); err != nil {
		if aerr := call.Authorize(ctx, action, nil, nil); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	return s.lookupTrail(ctx, call, action, in.Name, "Name", home)
}

type getTrailOutput struct {
	Trail *trailOutput `json:"Trail"`
}

func (s *Service) getTrail(ctx context.Context, call *api.Call) (any, error) {
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	t, err := s.decodeName(ctx, call, "cloudtrail:GetTrail", false)
	if err != nil {
		return nil, err
	}
	return &getTrailOutput{Trail: s.output(t, true)}, nil
}

type describeTrailsInput struct {
	TrailNameList       []string `json:"trailNameList"`
	IncludeShadowTrails *bool    `json:"includeShadowTrails"`
}

type describeTrailsOutput struct {
	TrailList []*trailOutput `json:"trailList"`
}

// describeTrails lists the region's trails, and the shadows of multi-region
// trails homed elsewhere unless includeShadowTrails is false. Names that
// match no trail are left out, not reported.
func (s *Service) describeTrails(ctx context.Context, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "cloudtrail:DescribeTrails", nil, nil); err != nil {
		return nil, err
	}
	var in describeTrailsInput
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	refs := make([]trailRef, 0, len(in.TrailNameList))
	for _, n := range in.TrailNameList {
		ref, err := parseTrailRef(n)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	out := &describeTrailsOutput{TrailList: []*trailOutput{}}
	for _, t := range s.trails {
		if t.homeRegion != call.Region && !(t.multiRegion && shadows) {
			continue
		}
		if len(refs) > 0 && !slices.ContainsFunc(refs, func(r trailRef) bool { return s.find(r, call.Region) == t }) {
			continue
		}
		out.TrailList = append(out.TrailList, s.output(t, true))
	}
	return out, nil
}

type trailInfo struct {
	TrailARN   string `json:"TrailARN"`
	Name       string `json:"Name"`
	HomeRegion string `json:"HomeRegion"`
}

type listTrailsOutput struct {
	Trails []trailInfo `json:"Trails"`
}

// listTrails lists every trail of the account, in every region, in one
// page (accounts hold at most a handful of trails).
func (s *Service) listTrails(ctx context.Context, call *api.Call) (any, error) {
	if err := call.Authorize(ctx, "cloudtrail:ListTrails", nil, nil); err != nil {
		return nil, err
	}
	var in struct {
		NextToken *string `json:"NextToken"`
	}
	if err := call.DecodeJSON(&in); err != nil {
		return nil, err
	}
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	out := &listTrailsOutput{Trails: []trailInfo{}}
	for _, t := range s.trails {
		out.Trails = append(out.Trails, trailInfo{TrailARN: t.arn, Name: t.name, HomeRegion: t.homeRegion})
	}
	slices.SortFunc(out.Trails, func(a, b trailInfo) int { return strings.Compare(a.TrailARN, b.TrailARN) })
	return out, nil
}

type trailStatusOutput struct {
	IsLogging                          bool       `json:"IsLogging"`
	LatestDeliveryTime                 *epochTime `json:"LatestDeliveryTime,omitempty"`
	StartLoggingTime                   *epochTime `json:"StartLoggingTime,omitempty"`
	StopLoggingTime                    *epochTime `json:"StopLoggingTime,omitempty"`
	LatestCloudWatchLogsDeliveryError  string     `json:"LatestCloudWatchLogsDeliveryError,omitempty"`
	LatestCloudWatchLogsDeliveryTime   *epochTime `json:"LatestCloudWatchLogsDeliveryTime,omitempty"`
	LatestDeliveryAttemptTime          string     `json:"LatestDeliveryAttemptTime,omitempty"`
	LatestNotificationAttemptTime      string     `json:"LatestNotificationAttemptTime"`
	LatestNotificationAttemptSucceeded string     `json:"LatestNotificationAttemptSucceeded"`
	LatestDeliveryAttemptSucceeded     string     `json:"LatestDeliveryAttemptSucceeded,omitempty"`
	TimeLoggingStarted                 string     `json:"TimeLoggingStarted,omitempty"`
	TimeLoggingStopped                 string     `json:"TimeLoggingStopped,omitempty"`
}

// statusTime is the format of GetTrailStatus' string-typed times
// (approximation of AWS's ISO 8601 rendering).
func statusTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// getTrailStatus reports logging and delivery. LatestDeliveryTime is when
// records would have reached S3: the sandbox writes no log files but keeps
// the timing (approximation).
func (s *Service) getTrailStatus(ctx context.Context, call *api.Call) (any, error) {
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	t, err := s.decodeName(ctx, call, "cloudtrail:GetTrailStatus", false)
	if err != nil {
		return nil, err
	}
	out := &trailStatusOutput{
		IsLogging:                         t.logging,
		LatestDeliveryTime:                epochPtr(t.latestDelivery),
		StartLoggingTime:                  epochPtr(t.startLogging),
		StopLoggingTime:                   epochPtr(t.stopLogging),
		LatestCloudWatchLogsDeliveryError: t.latestCWLError,
		LatestCloudWatchLogsDeliveryTime:  epochPtr(t.latestCWLDelivery),
		LatestDeliveryAttemptTime:         statusTime(t.latestDeliveryAttempt),
		TimeLoggingStarted:                statusTime(t.startLogging),
		TimeLoggingStopped:                statusTime(t.stopLogging),
	}
	if !t.latestDeliveryAttempt.IsZero() {
		out.LatestDeliveryAttemptSucceeded = statusTime(t.latestDelivery)
	}
	return out, nil
}

// setLogging is StartLogging and StopLogging. Records made while a trail
// is logging stay scheduled when it stops: AWS delivers what it captured.
func (s *Service) setLogging(ctx context.Context, call *api.Call, on bool) (any, error) {
	action := "cloudtrail:StopLogging"
	if on {
		action = "cloudtrail:StartLogging"
	}
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	t, err := s.decodeName(ctx, call, action, true)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	if on && !t.logging {
		t.logging, t.startLogging, t.stoppedBy = true, now, ""
	} else if !on && t.logging {
		t.logging, t.stopLogging, t.stoppedBy = false, now, call.RequestID
	}
	s.publish()
	call.Resources = append(call.Resources, api.TrailResource{ARN: t.arn, AccountID: s.account, Type: "AWS::CloudTrail::Trail"})
	return struct{}{}, nil
}

// deleteTrail removes the trail; its undelivered records are dropped.
func (s *Service) deleteTrail(ctx context.Context, call *api.Call) (any, error) {
	s.trailsMu.Lock()
	defer s.trailsMu.Unlock()
	t, err := s.decodeName(ctx, call, "cloudtrail:DeleteTrail", true)
	if err != nil {
		return nil, err
	}
	t.deleted = true
	s.trails = slices.DeleteFunc(s.trails, func(x *trail) bool { return x == t })
	s.publish()
	call.Resources = append(call.Resources, api.TrailResource{ARN: t.arn, AccountID: s.account, Type: "AWS::CloudTrail::Trail"})
	return struct{}{}, nil
}
