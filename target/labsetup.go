package target

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53resolver/types"
)

type labClients struct {
	iam   *iam.Client
	ec2   *ec2.Client
	trail *cloudtrail.Client
	logs  *cloudwatchlogs.Client
	r53r  *route53resolver.Client
	gd    *guardduty.Client
}

func newLabClients(cfg aws.Config) labClients {
	return labClients{
		iam: iam.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg), trail: cloudtrail.NewFromConfig(cfg),
		logs: cloudwatchlogs.NewFromConfig(cfg), r53r: route53resolver.NewFromConfig(cfg), gd: guardduty.NewFromConfig(cfg),
	}
}

type labSetup struct {
	t   *Target
	lab Lab
	o   LabOptions
	c   labClients
	st  *LabState
}

func (s *labSetup) step(what, outcome, detail string) {
	st := LabStep{What: what, Outcome: outcome, Detail: detail}
	s.st.Steps = append(s.st.Steps, st)
	if s.o.Progress != nil {
		s.o.Progress(st)
	}
}

func created(ok bool) string {
	if ok {
		return "created"
	}
	return "exists"
}

func (s *labSetup) run(ctx context.Context) error {
	if s.t.labTelemetry() {
		if err := s.trail(ctx); err != nil {
			return err
		}
		if err := s.flowLogs(ctx); err != nil {
			return err
		}
	} else if s.t.Kind() == KindAWS {
		s.step("trail and flow logs", "skipped", "on AWS the lab's Terraform module sets up telemetry; its log groups come from --log-group")
	} else {
		s.step("trail and flow logs", "skipped", string(s.t.flavor)+" delivers no CloudTrail or flow-log records")
	}
	if s.t.caps.DNSLogs && s.t.Kind() != KindAWS {
		if err := s.dnsLogs(ctx); err != nil {
			return err
		}
	} else if s.t.Kind() != KindAWS {
		s.step("DNS query logging", "skipped", "the target has no Route 53 Resolver query logs")
	}
	if s.t.caps.GuardDuty && s.t.Kind() != KindAWS {
		if err := s.guardDuty(ctx); err != nil {
			return err
		}
	} else if s.t.Kind() != KindAWS {
		s.step("GuardDuty detector", "skipped", "the target has no GuardDuty")
	}
	if err := s.leakedUser(ctx); err != nil {
		return err
	}
	for _, r := range s.lab.ResponderRoles {
		if err := s.responderRole(ctx, r); err != nil {
			return err
		}
	}
	return s.leakedKey(ctx)
}

func (s *labSetup) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition(s.t.region), service, s.t.region, s.t.accountID, resource)
}

func (s *labSetup) iamARN(resource string) string {
	return fmt.Sprintf("arn:%s:iam::%s:%s", partition(s.t.region), s.t.accountID, resource)
}

func (s *labSetup) logGroup(ctx context.Context, name, role string) (string, error) {
	_, err := s.c.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: map[string]string{LabTagKey: "true"}})
	if err != nil && errorCode(err) != "ResourceAlreadyExistsException" {
		return "", fmt.Errorf("create log group %s: %w", name, err)
	}
	s.step("log group "+name, created(err == nil), "for "+role)
	s.st.LogGroups[role] = name
	s.t.SetLogGroup(role, name)
	return s.arn("logs", "log-group:"+name), nil
}

func serviceTrust(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

// role makes sure the role exists with its policies; it returns the ARN.
func (s *labSetup) role(ctx context.Context, name, trust, description string, inline map[string]string, managed []string) (string, error) {
	arn := ""
	outcome := "exists"
	got, err := s.c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	switch {
	case err == nil:
		arn = aws.ToString(got.Role.Arn)
	case errorCode(err) == "NoSuchEntity":
		out, err := s.c.iam.CreateRole(ctx, &iam.CreateRoleInput{
			RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust), Description: aws.String(description),
			Tags: []iamtypes.Tag{{Key: aws.String(LabTagKey), Value: aws.String("true")}},
		})
		if err != nil {
			return "", fmt.Errorf("create role %s: %w", name, err)
		}
		arn, outcome = aws.ToString(out.Role.Arn), "created"
	default:
		return "", fmt.Errorf("get role %s: %w", name, err)
	}
	for _, policyName := range sortedKeys(inline) {
		if _, err := s.c.iam.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(policyName), PolicyDocument: aws.String(inline[policyName])}); err != nil {
			return "", fmt.Errorf("put policy %s on role %s: %w", policyName, name, err)
		}
	}
	for _, m := range managed {
		policyARN := fmt.Sprintf("arn:%s:iam::aws:policy/%s", partition(s.t.region), m)
		_, err := s.c.iam.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(name), PolicyArn: aws.String(policyARN)})
		if errorCode(err) == "NoSuchEntity" {
			// moto's catalogue of AWS-managed policies is incomplete.
			s.step("policy "+m+" on role "+name, "skipped", "the target has no AWS-managed policy "+m)
			continue
		}
		if err != nil {
			return "", fmt.Errorf("attach %s to role %s: %w", m, name, err)
		}
	}
	s.step("role "+name, outcome, description)
	return arn, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (s *labSetup) trail(ctx context.Context) error {
	groupARN, err := s.logGroup(ctx, s.lab.TrailLogGroup, RoleCloudTrail)
	if err != nil {
		return err
	}
	roleARN, err := s.role(ctx, s.lab.TrailRole, serviceTrust("cloudtrail.amazonaws.com"), "CloudTrail delivery to CloudWatch Logs",
		map[string]string{"CloudTrailToCloudWatchLogs": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"` + groupARN + `:log-stream:*"}]}`}, nil)
	if err != nil {
		return err
	}
	got, err := s.c.trail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(s.lab.TrailName)})
	outcome := "exists"
	switch {
	case err == nil:
		s.st.TrailARN = aws.ToString(got.Trail.TrailARN)
	case errorCode(err) == "TrailNotFoundException":
		out, err := s.c.trail.CreateTrail(ctx, &cloudtrail.CreateTrailInput{
			Name: aws.String(s.lab.TrailName), S3BucketName: aws.String(s.lab.TrailBucket),
			IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
			CloudWatchLogsLogGroupArn: aws.String(groupARN + ":*"), CloudWatchLogsRoleArn: aws.String(roleARN),
		})
		if err != nil {
			return fmt.Errorf("create trail %s: %w", s.lab.TrailName, err)
		}
		s.st.TrailARN, outcome = aws.ToString(out.TrailARN), "created"
	default:
		return fmt.Errorf("get trail %s: %w", s.lab.TrailName, err)
	}
	status, err := s.c.trail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(s.lab.TrailName)})
	if err != nil {
		return fmt.Errorf("get trail status %s: %w", s.lab.TrailName, err)
	}
	detail := "multi-region, log file validation, delivering to " + s.lab.TrailLogGroup
	if !aws.ToBool(status.IsLogging) {
		if _, err := s.c.trail.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(s.lab.TrailName)}); err != nil {
			return fmt.Errorf("start logging %s: %w", s.lab.TrailName, err)
		}
		if outcome == "exists" {
			outcome, detail = "updated", "logging started again; "+detail
		}
	}
	s.step("trail "+s.lab.TrailName, outcome, detail)
	return nil
}

func (s *labSetup) vpcs(ctx context.Context) ([]string, error) {
	if s.st.VPCIDs != nil {
		return s.st.VPCIDs, nil
	}
	out, err := s.c.ec2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
	if err != nil {
		return nil, fmt.Errorf("describe vpcs: %w", err)
	}
	ids := []string{}
	for _, v := range out.Vpcs {
		ids = append(ids, aws.ToString(v.VpcId))
	}
	s.st.VPCIDs = ids
	return ids, nil
}

func (s *labSetup) flowLogs(ctx context.Context) error {
	groupARN, err := s.logGroup(ctx, s.lab.FlowLogGroup, RoleVPCFlow)
	if err != nil {
		return err
	}
	roleARN, err := s.role(ctx, s.lab.FlowLogRole, serviceTrust("vpc-flow-logs.amazonaws.com"), "VPC flow-log delivery to CloudWatch Logs",
		map[string]string{"VPCFlowLogsToCloudWatchLogs": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Resource":"` + groupARN + `:*"}]}`}, nil)
	if err != nil {
		return err
	}
	vpcs, err := s.vpcs(ctx)
	if err != nil {
		return err
	}
	for _, vpc := range vpcs {
		existing, err := s.c.ec2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: []string{vpc}}}})
		if err != nil {
			return fmt.Errorf("describe flow logs of %s: %w", vpc, err)
		}
		found := ""
		for _, fl := range existing.FlowLogs {
			if aws.ToString(fl.LogGroupName) == s.lab.FlowLogGroup {
				found = aws.ToString(fl.FlowLogId)
			}
		}
		if found != "" {
			s.st.FlowLogIDs = append(s.st.FlowLogIDs, found)
			s.step("flow log "+found+" on "+vpc, "exists", "to "+s.lab.FlowLogGroup)
			continue
		}
		out, err := s.c.ec2.CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{
			ResourceIds: []string{vpc}, ResourceType: ec2types.FlowLogsResourceTypeVpc, TrafficType: ec2types.TrafficTypeAll,
			LogGroupName: aws.String(s.lab.FlowLogGroup), DeliverLogsPermissionArn: aws.String(roleARN),
			LogFormat: aws.String(FlowLogFormat), MaxAggregationInterval: aws.Int32(60),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpcFlowLog, Tags: []ec2types.Tag{{Key: aws.String(LabTagKey), Value: aws.String("true")}}}},
		})
		if err != nil {
			return fmt.Errorf("create flow logs on %s: %w", vpc, err)
		}
		if len(out.Unsuccessful) > 0 || len(out.FlowLogIds) != 1 {
			return fmt.Errorf("create flow logs on %s: %d created, %d unsuccessful", vpc, len(out.FlowLogIds), len(out.Unsuccessful))
		}
		s.st.FlowLogIDs = append(s.st.FlowLogIDs, out.FlowLogIds[0])
		s.step("flow log "+out.FlowLogIds[0]+" on "+vpc, "created", "traffic ALL, 60-second aggregation, the workshop's 29 fields, to "+s.lab.FlowLogGroup)
	}
	return nil
}

func (s *labSetup) dnsLogs(ctx context.Context) error {
	groupARN, err := s.logGroup(ctx, s.lab.DNSLogGroup, RoleDNS)
	if err != nil {
		return err
	}
	configs, err := s.c.r53r.ListResolverQueryLogConfigs(ctx, &route53resolver.ListResolverQueryLogConfigsInput{
		Filters: []r53types.Filter{{Name: aws.String("Name"), Values: []string{s.lab.DNSConfigName}}},
	})
	if err != nil {
		return fmt.Errorf("list resolver query log configs: %w", err)
	}
	configID, outcome := "", "exists"
	for _, c := range configs.ResolverQueryLogConfigs {
		if aws.ToString(c.Name) == s.lab.DNSConfigName {
			configID = aws.ToString(c.Id)
		}
	}
	if configID == "" {
		out, err := s.c.r53r.CreateResolverQueryLogConfig(ctx, &route53resolver.CreateResolverQueryLogConfigInput{
			Name: aws.String(s.lab.DNSConfigName), DestinationArn: aws.String(groupARN),
			CreatorRequestId: aws.String("irdrill-lab-" + s.t.accountID + "-" + s.t.region),
			Tags:             []r53types.Tag{{Key: aws.String(LabTagKey), Value: aws.String("true")}},
		})
		if err != nil {
			return fmt.Errorf("create resolver query log config %s: %w", s.lab.DNSConfigName, err)
		}
		configID, outcome = aws.ToString(out.ResolverQueryLogConfig.Id), "created"
	}
	s.step("resolver query log config "+s.lab.DNSConfigName, outcome, "to "+s.lab.DNSLogGroup)
	assoc, err := s.c.r53r.ListResolverQueryLogConfigAssociations(ctx, &route53resolver.ListResolverQueryLogConfigAssociationsInput{
		Filters: []r53types.Filter{{Name: aws.String("ResolverQueryLogConfigId"), Values: []string{configID}}},
	})
	if err != nil {
		return fmt.Errorf("list resolver query log config associations: %w", err)
	}
	associated := map[string]bool{}
	for _, a := range assoc.ResolverQueryLogConfigAssociations {
		associated[aws.ToString(a.ResourceId)] = true
	}
	vpcs, err := s.vpcs(ctx)
	if err != nil {
		return err
	}
	for _, vpc := range vpcs {
		if associated[vpc] {
			s.step("query logging on "+vpc, "exists", "")
			continue
		}
		if _, err := s.c.r53r.AssociateResolverQueryLogConfig(ctx, &route53resolver.AssociateResolverQueryLogConfigInput{
			ResolverQueryLogConfigId: aws.String(configID), ResourceId: aws.String(vpc),
		}); err != nil {
			return fmt.Errorf("associate query logging with %s: %w", vpc, err)
		}
		s.step("query logging on "+vpc, "created", "")
	}
	return nil
}

func (s *labSetup) guardDuty(ctx context.Context) error {
	list, err := s.c.gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil {
		return fmt.Errorf("list detectors: %w", err)
	}
	if len(list.DetectorIds) > 0 {
		s.st.DetectorID = list.DetectorIds[0]
		s.step("GuardDuty detector "+s.st.DetectorID, "exists", "")
		return nil
	}
	out, err := s.c.gd.CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true), Tags: map[string]string{LabTagKey: "true"}})
	if err != nil {
		return fmt.Errorf("create detector: %w", err)
	}
	s.st.DetectorID = aws.ToString(out.DetectorId)
	s.step("GuardDuty detector "+s.st.DetectorID, "created", "enabled")
	return nil
}

func (s *labSetup) leakedUser(ctx context.Context) error {
	user := s.lab.LeakedUser
	_, err := s.c.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
	outcome := "exists"
	switch {
	case err == nil:
	case errorCode(err) == "NoSuchEntity":
		if _, err := s.c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(user), Tags: []iamtypes.Tag{{Key: aws.String(LabTagKey), Value: aws.String("true")}}}); err != nil {
			return fmt.Errorf("create user %s: %w", user, err)
		}
		outcome = "created"
	default:
		return fmt.Errorf("get user %s: %w", user, err)
	}
	policyARN := s.iamARN("policy/" + s.lab.IntegrationPolicy)
	if _, err := s.c.iam.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)}); errorCode(err) == "NoSuchEntity" {
		out, err := s.c.iam.CreatePolicy(ctx, &iam.CreatePolicyInput{
			PolicyName:     aws.String(s.lab.IntegrationPolicy),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`),
			Tags:           []iamtypes.Tag{{Key: aws.String(LabTagKey), Value: aws.String("true")}},
		})
		if err != nil {
			return fmt.Errorf("create policy %s: %w", s.lab.IntegrationPolicy, err)
		}
		policyARN = aws.ToString(out.Policy.Arn)
	} else if err != nil {
		return fmt.Errorf("get policy %s: %w", s.lab.IntegrationPolicy, err)
	}
	if _, err := s.c.iam.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(user), PolicyArn: aws.String(policyARN)}); err != nil {
		return fmt.Errorf("attach %s to %s: %w", s.lab.IntegrationPolicy, user, err)
	}
	s.step("user "+user, outcome, "with "+s.lab.IntegrationPolicy+" (ec2:*)")
	return nil
}

func (s *labSetup) responderRole(ctx context.Context, r ResponderRole) error {
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + s.iamARN("root") + `"},"Action":"sts:AssumeRole"}]}`
	inline := map[string]string{}
	if r.Inline != "" {
		inline[r.Name+"Policy"] = r.Inline
	}
	_, err := s.role(ctx, r.Name, trust, r.Description, inline, r.Managed)
	return err
}

// savedLab is what the state folder keeps for a target that outlives the
// process: the leaked key's secret, when it had to be created.
type savedLab struct {
	LeakedUser      string `json:"leakedUser"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

func (s *labSetup) savedPath() string {
	if s.t.stateKey == "" {
		return ""
	}
	return filepath.Join(s.o.StateDir, "targets", s.t.stateKey, "lab.json")
}

func (s *labSetup) loadSaved() (savedLab, bool) {
	p := s.savedPath()
	if p == "" {
		return savedLab{}, false
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return savedLab{}, false
	}
	var sl savedLab
	if json.Unmarshal(data, &sl) != nil || sl.LeakedUser != s.lab.LeakedUser || sl.AccessKeyID == "" {
		return savedLab{}, false
	}
	return sl, true
}

func (s *labSetup) save(sl savedLab) error {
	p := s.savedPath()
	if p == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(sl, "", "  ")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// leakedKey gives the leaked user its key: the seed's own where the target
// can import keys, otherwise one made with CreateAccessKey and kept in the
// state folder so that later processes sign with the same key.
func (s *labSetup) leakedKey(ctx context.Context) error {
	user := s.lab.LeakedUser
	keys, err := s.c.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String(user)})
	if err != nil {
		return fmt.Errorf("list access keys of %s: %w", user, err)
	}
	has := func(id string) bool {
		return slices.ContainsFunc(keys.AccessKeyMetadata, func(k iamtypes.AccessKeyMetadata) bool { return aws.ToString(k.AccessKeyId) == id })
	}
	use := func(c aws.Credentials, outcome, detail string) error {
		s.st.LeakedKey = c
		s.t.SetCredentials(LeakedKey, c)
		s.step("access key "+c.AccessKeyID+" of "+user, outcome, detail)
		return nil
	}
	seed := aws.Credentials{AccessKeyID: SeedAccessKeyID, SecretAccessKey: SeedSecretAccessKey, Source: "seed"}
	if has(SeedAccessKeyID) {
		return use(seed, "exists", "the seed's leaked key")
	}
	if sl, ok := s.loadSaved(); ok && has(sl.AccessKeyID) {
		return use(aws.Credentials{AccessKeyID: sl.AccessKeyID, SecretAccessKey: sl.SecretAccessKey, Source: "saved"}, "exists", "the leaked key, its secret kept in "+s.savedPath())
	}
	if s.t.caps.KeyImport {
		if err := s.t.ImportAccessKey(ctx, user, SeedAccessKeyID, SeedSecretAccessKey); err == nil {
			return use(seed, "created", "the seed's leaked key, imported")
		} else if !s.t.ephemeral {
			// A served sandbox refuses an ID that was ever used: fall
			// back to a fresh key rather than fail the lab.
			s.t.log.Debug("import the seed key", "err", err)
		} else {
			return fmt.Errorf("import the seed's key for %s: %w", user, err)
		}
	}
	// IAM allows two keys per user; the lab's own user may lose one whose
	// secret nobody kept.
	if len(keys.AccessKeyMetadata) >= 2 {
		oldest := keys.AccessKeyMetadata[0]
		for _, k := range keys.AccessKeyMetadata[1:] {
			if k.CreateDate != nil && oldest.CreateDate != nil && k.CreateDate.Before(*oldest.CreateDate) {
				oldest = k
			}
		}
		if _, err := s.c.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String(user), AccessKeyId: oldest.AccessKeyId}); err != nil {
			return fmt.Errorf("delete %s's key %s, whose secret is lost, to make room: %w", user, aws.ToString(oldest.AccessKeyId), err)
		}
	}
	out, err := s.c.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		return fmt.Errorf("create access key for %s: %w", user, err)
	}
	c := aws.Credentials{AccessKeyID: aws.ToString(out.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(out.AccessKey.SecretAccessKey), Source: "created"}
	detail := "created with CreateAccessKey (the target cannot import the seed's key)"
	if s.savedPath() != "" {
		if err := s.save(savedLab{LeakedUser: user, AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}); err != nil {
			return fmt.Errorf("keep the leaked key's secret: %w", err)
		}
		detail += "; its secret kept in " + s.savedPath()
	}
	return use(c, "created", detail)
}
